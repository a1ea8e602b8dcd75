//! The RSA cipher suite with the `awslc` provider: RSA-OAEP (SHA-256, MGF1-SHA-256, the
//! context as OAEP label) and RSA-PSS (SHA-256, 32-byte salt) in aws-lc-rs, with AWS-LC's
//! blinded, constant-time private operations. The format (block splitting, labels, key
//! encoding) is [`crate::suite::rsa`], the same as [`crate::suite::rustcrypto::RsaSuite`]
//! (tested both ways).
//!
//! AWS-LC accepts 2048- to 8192-bit keys, so this provider offers RSA-2048, -3072 and -4096;
//! RSA-1024 (weak, comparison only) is `rustcrypto` only and refused here with a message
//! saying so. Keys are parsed (and sizes checked) by the `rustcrypto` provider's code, then
//! imported as PKCS#8 (private) or X.509 SubjectPublicKeyInfo (public).

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    KeyPair, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::signature::{self, KeyPair as _, RSA_PSS_2048_8192_SHA256, RSA_PSS_SHA256};
use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::DsmpcRng;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::EncodePublicKey;
use zeroize::Zeroizing;

use super::{enc_key_of, lc_err, sign_key_of, skip_32};
use crate::error::{Result, RolesError};
use crate::suite::rsa::{check_bits, decrypt_blocks, encrypt_blocks};
use crate::suite::{CipherSuite, Provider, SuiteKind, rustcrypto};

/// RSA with the given modulus size (2048, 3072 or 4096 bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RsaSuite {
    bits: u32,
}

impl RsaSuite {
    /// The suite with `bits`-bit moduli; 1024 is refused (AWS-LC takes 2048 to 8192 bits).
    pub fn new(bits: u32) -> Result<Self> {
        let bits = check_bits(bits)?;
        Provider::AwsLc
            .supports(SuiteKind::Rsa, bits)
            .map_err(RolesError::Config)?;
        Ok(RsaSuite { bits })
    }

    fn bytes(&self) -> usize {
        self.bits as usize / 8
    }

    /// The `rustcrypto` suite of the same size: it parses and checks keys for this one.
    fn parser(&self) -> rustcrypto::RsaSuite {
        // `new` accepted `bits`, so this cannot fail.
        rustcrypto::RsaSuite::new(self.bits).unwrap_or_else(|_| unreachable!("checked in RsaSuite::new"))
    }
}

/// A public encryption key: AWS-LC's key and the modulus (its wire encoding).
#[derive(Clone)]
pub struct RsaEncPublic {
    key: Arc<OaepPublicEncryptingKey>,
    modulus: Vec<u8>,
}

impl fmt::Debug for RsaEncPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaEncPublic")
            .field("bits", &(self.modulus.len() * 8))
            .finish_non_exhaustive()
    }
}

/// A decryption key (AWS-LC clears it when freed).
pub struct RsaEncPrivate {
    key: OaepPrivateDecryptingKey,
    der: PrivateDecryptingKey,
    public: RsaEncPublic,
}

impl fmt::Debug for RsaEncPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaEncPrivate").finish_non_exhaustive()
    }
}

/// A signing key with its verification key.
pub struct RsaSignPrivate {
    key: KeyPair,
    public: signature::ParsedPublicKey,
}

impl fmt::Debug for RsaSignPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RsaSignPrivate").finish_non_exhaustive()
    }
}

/// The message and label of the check a private key gets when it is loaded.
const LOAD_CHECK: &[u8] = b"dsmpc/rsa-key-load-check/v1";

/// The error of a private key whose check at load failed.
fn failed_check(what: &str) -> RolesError {
    RolesError::Suite(format!(
        "aws-lc: RSA {what} failed its check at load (a private operation with it did not match its public key): \
         the key file is damaged; make the keys again (dsmpc deploy init, or empty the key store)"
    ))
}

/// Check a decryption key when it is loaded: decrypt what its public key encrypted.
///
/// This is also AWS-LC's first private operation on the key, which builds the key's Montgomery
/// contexts and blinding (RSA-2048 on this project's VM: about 1.0 ms for the first decryption
/// against 0.65 ms for the next ones). Done here, that one-time preparation is part of loading
/// the key (set-up, as for a deployed party that loads its keys at start), not of the first
/// protocol phase that uses the key. AWS-LC's own randomness; nothing is drawn from a party's
/// seeded stream, and nothing is counted.
fn check_decryption(key: &OaepPrivateDecryptingKey, public: &OaepPublicEncryptingKey) -> Result<()> {
    let mut ct = vec![0u8; public.ciphertext_size()];
    let ct = public
        .encrypt(&OAEP_SHA256_MGF1SHA256, LOAD_CHECK, &mut ct, Some(LOAD_CHECK))
        .map_err(|_| failed_check("decryption key"))?;
    let mut out = vec![0u8; key.min_output_size()];
    match key.decrypt(&OAEP_SHA256_MGF1SHA256, ct, &mut out, Some(LOAD_CHECK)) {
        Ok(plain) if plain == LOAD_CHECK => Ok(()),
        _ => Err(failed_check("decryption key")),
    }
}

/// Check a signing key when it is loaded: its PSS signature must verify under its public key.
/// As [`check_decryption`], this is the key's first private operation in AWS-LC.
fn check_signing(key: &KeyPair, public: &signature::ParsedPublicKey) -> Result<()> {
    let mut sig = vec![0u8; key.public_modulus_len()];
    key.sign(&RSA_PSS_SHA256, &SystemRandom::new(), LOAD_CHECK, &mut sig)
        .map_err(|_| failed_check("signing key"))?;
    public
        .verify_sig(LOAD_CHECK, &sig)
        .map_err(|_| failed_check("signing key"))
}

fn rejected(what: &str) -> impl Fn(aws_lc_rs::error::KeyRejected) -> RolesError + '_ {
    move |e| RolesError::Suite(format!("aws-lc: RSA {what} rejected: {e}"))
}

impl RsaSuite {
    /// AWS-LC's public key for a RustCrypto public key (already checked).
    fn import_public(&self, pk: &::rsa::PublicKey) -> Result<RsaEncPublic> {
        let der = pk.to_public_key_der().map_err(rustcrypto::rsa::suite_err)?;
        let key = PublicEncryptingKey::from_der(der.as_bytes()).map_err(rejected("public key"))?;
        let key = OaepPublicEncryptingKey::new(key).map_err(lc_err("RSA-OAEP public key"))?;
        Ok(RsaEncPublic {
            key: Arc::new(key),
            modulus: self.parser().encode_enc_public(pk),
        })
    }

    /// PKCS#8 bytes, checked by the `rustcrypto` parser, and that parser's public key.
    fn check_private(&self, bytes: &[u8]) -> Result<::rsa::PublicKey> {
        Ok(self.parser().parse_private(bytes)?.to_public_key())
    }
}

impl CipherSuite for RsaSuite {
    type EncPublic = RsaEncPublic;
    type EncPrivate = RsaEncPrivate;
    type SignPublic = signature::ParsedPublicKey;
    type SignPrivate = RsaSignPrivate;
    const KIND: SuiteKind = SuiteKind::Rsa;
    const PROVIDER: Provider = Provider::AwsLc;

    fn id(&self) -> String {
        self.parser().id()
    }
    fn bits(&self) -> u32 {
        self.bits
    }
    fn generate_enc(&self, rng: &mut DsmpcRng) -> Result<RsaEncPrivate> {
        enc_key_of(&self.parser(), rng, |b| self.enc_private_from_bytes(b))
    }
    fn generate_sign(&self, rng: &mut DsmpcRng) -> Result<RsaSignPrivate> {
        sign_key_of(&self.parser(), rng, |b| self.sign_private_from_bytes(b))
    }
    fn enc_public(&self, sk: &RsaEncPrivate) -> RsaEncPublic {
        sk.public.clone()
    }
    fn sign_public(&self, sk: &RsaSignPrivate) -> signature::ParsedPublicKey {
        sk.public.clone()
    }
    fn enc_private_to_bytes(&self, sk: &RsaEncPrivate) -> Result<Vec<u8>> {
        let der = sk.der.as_der().map_err(lc_err("RSA private key export"))?;
        Ok(der.as_ref().to_vec())
    }
    fn enc_private_from_bytes(&self, bytes: &[u8]) -> Result<RsaEncPrivate> {
        let public = self.import_public(&self.check_private(bytes)?)?;
        let der = PrivateDecryptingKey::from_pkcs8(bytes).map_err(rejected("private key"))?;
        let key = OaepPrivateDecryptingKey::new(der.clone()).map_err(lc_err("RSA-OAEP private key"))?;
        check_decryption(&key, &public.key)?;
        Ok(RsaEncPrivate { key, der, public })
    }
    fn sign_private_to_bytes(&self, sk: &RsaSignPrivate) -> Result<Vec<u8>> {
        let der = sk.key.as_der().map_err(lc_err("RSA signing key export"))?;
        Ok(der.as_ref().to_vec())
    }
    fn sign_private_from_bytes(&self, bytes: &[u8]) -> Result<RsaSignPrivate> {
        self.check_private(bytes)?;
        let key = KeyPair::from_pkcs8(bytes).map_err(rejected("signing key"))?;
        let public = signature::ParsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, key.public_key().as_ref())
            .map_err(rejected("verification key"))?;
        check_signing(&key, &public)?;
        Ok(RsaSignPrivate { key, public })
    }
    fn encode_enc_public(&self, pk: &RsaEncPublic) -> Vec<u8> {
        pk.modulus.clone()
    }
    fn encode_sign_public(&self, pk: &signature::ParsedPublicKey) -> Vec<u8> {
        // The modulus, as the `rustcrypto` provider encodes it (the same key, the same bytes).
        match ::rsa::PublicKey::from_pkcs1_der(pk.as_ref()) {
            Ok(k) => self.parser().encode_enc_public(&k),
            Err(_) => pk.as_ref().to_vec(),
        }
    }
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<RsaEncPublic> {
        counters::record(Op::KeyDecode);
        self.import_public(&self.parser().parse_public(bytes)?)
    }
    fn decode_sign_public(&self, bytes: &[u8]) -> Result<signature::ParsedPublicKey> {
        use rsa::pkcs1::EncodeRsaPublicKey;
        let der = self
            .parser()
            .parse_public(bytes)?
            .to_pkcs1_der()
            .map_err(rustcrypto::rsa::suite_err)?;
        signature::ParsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, der.as_bytes()).map_err(rejected("verification key"))
    }
    fn encrypt(&self, pk: &RsaEncPublic, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        encrypt_blocks(self.bytes(), label, msg, |block, label, dst| {
            skip_32(rng);
            let ct = pk
                .key
                .encrypt(&OAEP_SHA256_MGF1SHA256, block, dst, Some(label))
                .map_err(lc_err("RSA-OAEP encryption"))?;
            Ok(ct.len())
        })
    }
    fn decrypt(&self, sk: &RsaEncPrivate, label: &[u8], ct: &[u8], _rng: &mut DsmpcRng) -> Option<Vec<u8>> {
        // The block buffer holds a plaintext: wiped.
        let mut buf = Zeroizing::new(vec![0u8; self.bytes()]);
        decrypt_blocks(self.bytes(), label, ct, |block, label, out| {
            let plain = sk
                .key
                .decrypt(&OAEP_SHA256_MGF1SHA256, block, &mut buf, Some(label))
                .ok()?;
            out.extend_from_slice(plain);
            Some(())
        })
    }
    fn sign(&self, sk: &RsaSignPrivate, msg: &[u8], _rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        counters::record(Op::Sign);
        let mut sig = vec![0u8; self.bytes()];
        sk.key
            .sign(&RSA_PSS_SHA256, &SystemRandom::new(), msg, &mut sig)
            .map_err(lc_err("RSA-PSS signing"))?;
        Ok(sig)
    }
    fn verify(&self, pk: &signature::ParsedPublicKey, msg: &[u8], sig: &[u8]) -> bool {
        counters::record(Op::Verify);
        sig.len() == self.bytes() && pk.verify_sig(msg, sig).is_ok()
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        crate::suite::rsa::ciphertext_len(self.bytes(), len)
    }
    fn signature_len(&self) -> usize {
        self.bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsmpc_core::rng;

    #[test]
    fn the_load_check_passes_a_matching_key_and_names_a_mismatched_one() {
        let suite = RsaSuite::new(2048).unwrap();
        let mut r = rng::seeded(3, "load-check");
        let (a, b) = (suite.generate_enc(&mut r).unwrap(), suite.generate_enc(&mut r).unwrap());
        check_decryption(&a.key, &a.public.key).unwrap();
        let err = check_decryption(&a.key, &b.public.key).unwrap_err().to_string();
        assert!(err.contains("decryption key failed its check at load"), "{err}");
        let (s, t) = (
            suite.generate_sign(&mut r).unwrap(),
            suite.generate_sign(&mut r).unwrap(),
        );
        check_signing(&s.key, &s.public).unwrap();
        let err = check_signing(&s.key, &t.public).unwrap_err().to_string();
        assert!(err.contains("signing key failed its check at load"), "{err}");
        // Loading from bytes runs the check (and a key and its bytes round-trip).
        let bytes = suite.enc_private_to_bytes(&a).unwrap();
        let again = suite.enc_private_from_bytes(&bytes).unwrap();
        assert_eq!(
            suite.encode_enc_public(&again.public),
            suite.encode_enc_public(&a.public)
        );
    }
}
