//! The RSA cipher suite (crate `rsa` 0.10, constant-time arithmetic): OAEP with SHA-256 and
//! the label as OAEP label for `Enc`, PSS with SHA-256 for `Sign`, blinded private operations,
//! public exponent 65537, modulus 1024, 2048, 3072 or 4096 bits (1024 is weak, comparison only).
//! A plaintext longer than one OAEP block holds (62 bytes at 1024 bits, as `vss`'s 64-byte
//! share pair) is encrypted block by block, each block's label extended with its position.

use ::rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ::rsa::sha2::{Digest, Sha256};
use ::rsa::traits::PublicKeyParts;
use ::rsa::{BoxedUint, Oaep, PrivateKey, Pss, PublicKey};
use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::DsmpcRng;

use crate::error::{Result, RolesError};
use crate::suite::rsa::{check_bits, decrypt_blocks, encrypt_blocks};
use crate::suite::{CipherSuite, Provider, SuiteKind};

/// RSA with the given modulus size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RsaSuite {
    bits: u32,
}

impl RsaSuite {
    /// The suite with `bits`-bit moduli (1024, 2048, 3072 or 4096).
    pub fn new(bits: u32) -> Result<Self> {
        check_bits(bits).map(|bits| RsaSuite { bits })
    }

    fn bytes(&self) -> usize {
        self.bits as usize / 8
    }

    /// Parses a cached private key (PKCS#8 DER) and checks its size.
    pub(crate) fn parse_private(&self, bytes: &[u8]) -> Result<PrivateKey> {
        let sk = PrivateKey::from_pkcs8_der(bytes).map_err(suite_err)?;
        if sk.size() != self.bytes() {
            return Err(RolesError::Suite(format!(
                "cached key is {} bits, expected {}",
                sk.size() * 8,
                self.bits
            )));
        }
        Ok(sk)
    }

    /// A public key from its wire encoding (the modulus), checked: length and bit width.
    pub(crate) fn parse_public(&self, bytes: &[u8]) -> Result<PublicKey> {
        if bytes.len() != self.bytes() {
            return Err(RolesError::Suite(format!(
                "RSA public key of {} bytes, expected {}",
                bytes.len(),
                self.bytes()
            )));
        }
        let n = BoxedUint::from_be_slice(bytes, self.bits).map_err(suite_err)?;
        let e = BoxedUint::from(crate::suite::rsa::PUBLIC_EXPONENT);
        let pk = PublicKey::new(n, e).map_err(suite_err)?;
        if pk.n().as_ref().bit_width() != self.bits {
            return Err(RolesError::Suite(format!("RSA modulus is not {} bits", self.bits)));
        }
        Ok(pk)
    }
}

pub(crate) fn suite_err(e: impl std::fmt::Display) -> RolesError {
    RolesError::Suite(e.to_string())
}

impl CipherSuite for RsaSuite {
    type EncPublic = PublicKey;
    type EncPrivate = PrivateKey;
    type SignPublic = PublicKey;
    type SignPrivate = PrivateKey;
    const KIND: SuiteKind = SuiteKind::Rsa;
    const PROVIDER: Provider = Provider::RustCrypto;

    fn id(&self) -> String {
        format!("rsa{}", self.bits)
    }
    fn bits(&self) -> u32 {
        self.bits
    }
    fn generate_enc(&self, rng: &mut DsmpcRng) -> Result<PrivateKey> {
        PrivateKey::new(rng, self.bits as usize).map_err(suite_err)
    }
    fn generate_sign(&self, rng: &mut DsmpcRng) -> Result<PrivateKey> {
        PrivateKey::new(rng, self.bits as usize).map_err(suite_err)
    }
    fn enc_public(&self, sk: &PrivateKey) -> PublicKey {
        sk.to_public_key()
    }
    fn sign_public(&self, sk: &PrivateKey) -> PublicKey {
        sk.to_public_key()
    }
    fn enc_private_to_bytes(&self, sk: &PrivateKey) -> Result<Vec<u8>> {
        Ok(sk.to_pkcs8_der().map_err(suite_err)?.as_bytes().to_vec())
    }
    fn enc_private_from_bytes(&self, bytes: &[u8]) -> Result<PrivateKey> {
        self.parse_private(bytes)
    }
    fn sign_private_to_bytes(&self, sk: &PrivateKey) -> Result<Vec<u8>> {
        self.enc_private_to_bytes(sk)
    }
    fn sign_private_from_bytes(&self, bytes: &[u8]) -> Result<PrivateKey> {
        self.enc_private_from_bytes(bytes)
    }
    fn encode_enc_public(&self, pk: &PublicKey) -> Vec<u8> {
        // The modulus, fixed length; e is always 65537.
        let n = pk.n_bytes();
        let mut out = vec![0u8; self.bytes().saturating_sub(n.len())];
        out.extend_from_slice(&n);
        out
    }
    fn encode_sign_public(&self, pk: &PublicKey) -> Vec<u8> {
        self.encode_enc_public(pk)
    }
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<PublicKey> {
        counters::record(Op::KeyDecode);
        self.parse_public(bytes)
    }
    fn decode_sign_public(&self, bytes: &[u8]) -> Result<PublicKey> {
        self.parse_public(bytes)
    }
    fn encrypt(&self, pk: &PublicKey, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        encrypt_blocks(self.bytes(), label, msg, |block, label, dst| {
            let ct = pk
                .encrypt(rng, Oaep::<Sha256>::new_with_label(label.to_vec()), block)
                .map_err(suite_err)?;
            let n = ct.len().min(dst.len());
            dst[..n].copy_from_slice(&ct[..n]);
            Ok(ct.len())
        })
    }
    fn decrypt(&self, sk: &PrivateKey, label: &[u8], ct: &[u8], rng: &mut DsmpcRng) -> Option<Vec<u8>> {
        decrypt_blocks(self.bytes(), label, ct, |block, label, out| {
            // Each block's plaintext is wiped once copied.
            let plain = sk.decrypt_blinded(rng, Oaep::<Sha256>::new_with_label(label.to_vec()), block);
            out.extend_from_slice(&zeroize::Zeroizing::new(plain.ok()?));
            Some(())
        })
    }
    fn sign(&self, sk: &PrivateKey, msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        counters::record(Op::Sign);
        let digest = Sha256::digest(msg);
        sk.sign_with_rng(rng, Pss::<Sha256>::new(), &digest).map_err(suite_err)
    }
    fn verify(&self, pk: &PublicKey, msg: &[u8], sig: &[u8]) -> bool {
        counters::record(Op::Verify);
        let digest = Sha256::digest(msg);
        pk.verify(Pss::<Sha256>::new(), &digest, sig).is_ok()
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        crate::suite::rsa::ciphertext_len(self.bytes(), len)
    }
    fn signature_len(&self) -> usize {
        self.bytes()
    }
}
