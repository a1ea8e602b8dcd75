//! A host's private files in a deployment: its protocol keys and its DPs' values, in
//! `DIR/hosts/NAME/` (mode 0700), each file of mode 0600.
//!
//! ```text
//! hosts/cloud/cloud-enc.key                  the Cloud's decryption key
//! hosts/edge/cloud-enc.key                   the same key: the Edge decrypts the CPs' results
//!                                            under the Cloud's key (as the reference prototype)
//! hosts/cp-V/vidV-{enc,sign,pvss}.key        CP V's decryption, signing and PVSS keys
//! hosts/dps-G/dpD-sign.key                   vss: DP D's commitment-signing key (P-256)
//! hosts/dps-G/values                         the values of DPs first..=last, one per line
//! ```
//!
//! Key files are in the key store's format ([`dsmpc_roles::keys::write_key_file`]): a header binding
//! the file to its format version, seed (`none` when drawn from the OS), suite, provider, key
//! size, party and purpose, with the SHA-256 of the public key, then the private key bytes. A
//! host reads only its own files ([`HostFiles::read`]) and checks each key's public half
//! against the roster; a file that is missing, corrupt, another party's or another
//! deployment's is an error naming it.

use std::path::{Path, PathBuf};

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{AnyGroup, PrimeOrderGroup};
use dsmpc_core::pvss::CpKeyPair;
use num_bigint::BigUint;
use zeroize::Zeroizing;

use super::host_dir;
use super::roster::Roster;
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::keys::{self, ANY_PROVIDER, Binding, Purpose};
use dsmpc_roles::suite::CipherSuite;

/// A private key's bytes and its public half's encoding.
pub(crate) type KeyParts = (Zeroizing<Vec<u8>>, Vec<u8>);

/// The private files of a deployment's hosts.
pub(crate) struct HostFiles<'a> {
    /// The deployment directory.
    pub dir: &'a Path,
    /// The deployment's seed (recorded in every key file's header).
    pub seed: Option<u64>,
}

impl HostFiles<'_> {
    /// The binding of `party`'s key for `purpose` (suite id and key size as the key store).
    pub fn binding(&self, suite: String, bits: u32, party: &str, purpose: Purpose) -> Binding {
        Binding {
            seed: self.seed,
            suite,
            provider: ANY_PROVIDER.to_string(),
            bits,
            party: party.to_string(),
            purpose,
        }
    }

    /// `hosts/HOST/PARTY-PURPOSE.key`.
    pub fn key_path(&self, host: &str, b: &Binding) -> PathBuf {
        host_dir(self.dir, host).join(format!("{}-{}.key", b.party, b.purpose.name()))
    }

    /// Write `party`'s key into `host`'s directory.
    pub fn write(&self, host: &str, b: &Binding, (private, public): &KeyParts) -> Result<()> {
        keys::write_key_file(&self.key_path(host, b), b, public, private)
    }

    /// Read `host`'s key for `b`: `parse` makes the key and its public encoding from the
    /// stored bytes, which must be what `roster` (`DIR/roster.toml`) says it is.
    pub fn read<K>(
        &self,
        host: &str,
        b: &Binding,
        roster: &[u8],
        parse: impl Fn(&[u8]) -> Result<(K, Vec<u8>)>,
    ) -> Result<K> {
        let path = self.key_path(host, b);
        let bytes = keys::read_key_file(&path, b, |k| parse(k).map(|(_, public)| public))?;
        let (key, public) = parse(&bytes)?;
        if public != roster {
            return Err(RolesError::Config(format!(
                "key file {} holds a {} key of {} whose public key is not the one {} registers for it \
                 (the key file or the roster is from another deployment: copy both from the same `dsmpc deploy init`)",
                path.display(),
                b.purpose.name(),
                b.party,
                Roster::path(self.dir).display()
            )));
        }
        Ok(key)
    }

    /// `hosts/HOST/values`.
    pub fn values_path(&self, host: &str) -> PathBuf {
        host_dir(self.dir, host).join("values")
    }

    /// Write the values of DPs `first..` into `host`'s directory (mode 0600).
    pub fn write_values(&self, host: &str, first: u32, values: &[BigUint]) -> Result<()> {
        let last = first as usize + values.len().saturating_sub(1);
        let mut text =
            format!("# The values of DP{first}..=DP{last}, one per line (private: only host {host} has them).\n");
        for v in values {
            text.push_str(&v.to_string());
            text.push('\n');
        }
        super::write(&self.values_path(host), text.as_bytes(), true)
    }

    /// Read the values of `host`'s `count` DPs, each below `2^value_bits`.
    pub fn read_values(&self, host: &str, count: usize, value_bits: u32) -> Result<Vec<BigUint>> {
        dsmpc_roles::values::read(&self.values_path(host), count, value_bits)
    }
}

/// An encryption key's parts.
pub(crate) fn enc_parts<S: CipherSuite>(suite: &S, sk: &S::EncPrivate) -> Result<KeyParts> {
    let public = suite.encode_enc_public(&suite.enc_public(sk));
    Ok((Zeroizing::new(suite.enc_private_to_bytes(sk)?), public))
}

/// A signing key's parts.
pub(crate) fn sign_parts<S: CipherSuite>(suite: &S, sk: &S::SignPrivate) -> Result<KeyParts> {
    let public = suite.encode_sign_public(&suite.sign_public(sk));
    Ok((Zeroizing::new(suite.sign_private_to_bytes(sk)?), public))
}

/// An encryption key from stored bytes, and its public encoding.
pub(crate) fn enc_parse<S: CipherSuite>(suite: &S, bytes: &[u8]) -> Result<(S::EncPrivate, Vec<u8>)> {
    let sk = suite.enc_private_from_bytes(bytes)?;
    let public = suite.encode_enc_public(&suite.enc_public(&sk));
    Ok((sk, public))
}

/// A signing key from stored bytes, and its public encoding.
pub(crate) fn sign_parse<S: CipherSuite>(suite: &S, bytes: &[u8]) -> Result<(S::SignPrivate, Vec<u8>)> {
    let sk = suite.sign_private_from_bytes(bytes)?;
    let public = suite.encode_sign_public(&suite.sign_public(&sk));
    Ok((sk, public))
}

/// The binding of a PVSS key: the suite field names the group (`pvss`, bits: group bits).
pub(crate) fn pvss_binding(files: &HostFiles<'_>, group_bits: u32, party: &str) -> Binding {
    files.binding("pvss".into(), group_bits, party, Purpose::Pvss)
}

/// A PVSS key pair's parts: the secret exponent (fixed length) and `g^sk`.
pub(crate) fn pvss_parts<B: Backend>(group: &AnyGroup<B>, sk: &B::Int) -> Result<KeyParts> {
    let kp = CpKeyPair::from_secret(group, sk.clone())?;
    Ok((Zeroizing::new(group.zq().to_bytes(sk)), group.encode_element(kp.pk())))
}

/// A PVSS key pair from its stored secret exponent, and its public encoding.
pub(crate) fn pvss_parse<B: Backend>(group: &AnyGroup<B>, bytes: &[u8]) -> Result<(CpKeyPair<B>, Vec<u8>)> {
    if bytes.len() != group.zq().element_len() {
        return Err(RolesError::Config(format!(
            "a PVSS secret of {} bytes, not {}",
            bytes.len(),
            group.zq().element_len()
        )));
    }
    let mut sk = group.zq().from_bytes(bytes, "PVSS secret key")?;
    let kp = CpKeyPair::from_secret(group, sk.clone());
    B::wipe(&mut sk);
    let kp = kp?;
    let public = group.encode_element(kp.pk());
    Ok((kp, public))
}
