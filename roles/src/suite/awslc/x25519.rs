//! The x25519 cipher suite with the `awslc` provider: X25519 ECIES (X25519 agreement,
//! HKDF-SHA256 and AES-256-GCM in aws-lc-rs) and Ed25519 (aws-lc-rs, behind the strict
//! rule's shared pre-checks). The format and the verification rule are
//! [`crate::suite::x25519`]; the bytes are those of [`crate::suite::rustcrypto::X25519Suite`]
//! (tested both ways).
//!
//! Keys are derived as with `rustcrypto` (32 bytes from the rng: the X25519 private key, the
//! Ed25519 seed) and imported. Ed25519 signing is deterministic, so signatures are the same
//! bytes with either provider, seeded or not. AWS-LC refuses an all-zero X25519 output itself;
//! the check is repeated here so that the rule does not rest on it.
//!
//! Secrets: AWS-LC clears private keys when they are freed; the private key bytes kept for the
//! key cache and the derived AES key are held in [`Zeroizing`].

use std::fmt;

use aws_lc_rs::aead::LessSafeKey;
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, X25519};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use aws_lc_rs::signature::{self, ED25519, Ed25519KeyPair, KeyPair};
use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::DsmpcRng;
use zeroize::Zeroizing;

use super::{enc_key_of, lc_err, sign_key_of};
use crate::error::{Result, RolesError};
use crate::suite::rustcrypto;
use crate::suite::x25519::{
    self as spec, CIPHERTEXT_OVERHEAD, KDF_SALT, KEY_LEN, SIGNATURE_LEN, bad_verifying_key, kdf_info, key_bytes,
    parse_verifying_key, signature_precheck,
};
use crate::suite::{CipherSuite, Provider, SuiteKind};

/// X25519 ECIES (HKDF-SHA256, AES-256-GCM) and Ed25519 with aws-lc-rs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct X25519Suite;

impl X25519Suite {
    /// The suite (it has no parameters).
    pub fn new() -> Self {
        X25519Suite
    }
}

/// A public encryption key: its 32 bytes (an X25519 peer key needs no parsing).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct X25519EncPublic([u8; KEY_LEN]);

impl fmt::Debug for X25519EncPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("X25519EncPublic").field(&self.0.as_slice()).finish()
    }
}

/// A decryption key: the AWS-LC private key, its bytes (for the key cache) and public key.
pub struct X25519EncPrivate {
    key: PrivateKey,
    bytes: Zeroizing<[u8; KEY_LEN]>,
    public: X25519EncPublic,
}

impl fmt::Debug for X25519EncPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519EncPrivate")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A signing key: the AWS-LC key pair and its seed (for the key cache).
pub struct X25519SignPrivate {
    key: Ed25519KeyPair,
    seed: Zeroizing<[u8; KEY_LEN]>,
}

impl fmt::Debug for X25519SignPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519SignPrivate").finish_non_exhaustive()
    }
}

/// An Ed25519 verification key the strict rule accepts, parsed once.
#[derive(Clone)]
pub struct X25519SignPublic {
    parsed: signature::ParsedPublicKey,
    bytes: [u8; KEY_LEN],
}

impl fmt::Debug for X25519SignPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("X25519SignPublic").field(&self.bytes.as_slice()).finish()
    }
}

/// The private key of `bytes` and its public key.
fn import_enc(bytes: [u8; KEY_LEN]) -> Result<X25519EncPrivate> {
    let key = PrivateKey::from_private_key(&X25519, &bytes)
        .map_err(|e| RolesError::Suite(format!("aws-lc: X25519 private key rejected: {e}")))?;
    let public = key.compute_public_key().map_err(lc_err("X25519 public key"))?;
    let public = X25519EncPublic(key_bytes(public.as_ref(), "public")?);
    Ok(X25519EncPrivate {
        key,
        bytes: Zeroizing::new(bytes),
        public,
    })
}

/// A verification key from its bytes, under the strict rule's key check.
fn parse_sign_public(bytes: &[u8]) -> Result<X25519SignPublic> {
    let bytes = parse_verifying_key(bytes).ok_or_else(bad_verifying_key)?;
    let parsed = signature::ParsedPublicKey::new(&ED25519, bytes)
        .map_err(|e| RolesError::Suite(format!("aws-lc: Ed25519 verification key rejected: {e}")))?;
    Ok(X25519SignPublic { parsed, bytes })
}

/// The ECIES key of `my · peer`, `None` for an all-zero shared secret.
fn ecies_key(
    my: &PrivateKey,
    peer: &[u8; KEY_LEN],
    ephemeral: &[u8; KEY_LEN],
    recipient: &[u8; KEY_LEN],
) -> Option<Zeroizing<[u8; 32]>> {
    agreement::agree(my, UnparsedPublicKey::new(&X25519, peer), (), |z| {
        if z.iter().fold(0u8, |acc, b| acc | b) == 0 {
            return Err(());
        }
        let info = kdf_info(ephemeral, recipient);
        let prk = Salt::new(HKDF_SHA256, KDF_SALT).extract(z);
        let mut key = Zeroizing::new([0u8; 32]);
        prk.expand(&[&info], HKDF_SHA256)
            .and_then(|okm| okm.fill(&mut *key))
            .map_err(|_| ())?;
        Ok(key)
    })
    .ok()
}

impl CipherSuite for X25519Suite {
    type EncPublic = X25519EncPublic;
    type EncPrivate = X25519EncPrivate;
    type SignPublic = X25519SignPublic;
    type SignPrivate = X25519SignPrivate;
    const KIND: SuiteKind = SuiteKind::X25519;
    const PROVIDER: Provider = Provider::AwsLc;
    const SENDER_KEY: bool = true;

    fn id(&self) -> String {
        rustcrypto::X25519Suite.id()
    }
    fn bits(&self) -> u32 {
        rustcrypto::X25519Suite.bits()
    }
    fn generate_enc(&self, rng: &mut DsmpcRng) -> Result<X25519EncPrivate> {
        enc_key_of(&rustcrypto::X25519Suite, rng, |b| self.enc_private_from_bytes(b))
    }
    fn generate_sign(&self, rng: &mut DsmpcRng) -> Result<X25519SignPrivate> {
        sign_key_of(&rustcrypto::X25519Suite, rng, |b| self.sign_private_from_bytes(b))
    }
    fn enc_public(&self, sk: &X25519EncPrivate) -> X25519EncPublic {
        sk.public
    }
    fn sign_public(&self, sk: &X25519SignPrivate) -> X25519SignPublic {
        // The key pair's own public key, which the strict rule accepts (a seed's key has large
        // order); parsing it again cannot fail.
        parse_sign_public(sk.key.public_key().as_ref()).expect("an Ed25519 key pair's public key parses")
    }
    fn enc_private_to_bytes(&self, sk: &X25519EncPrivate) -> Result<Vec<u8>> {
        Ok(sk.bytes.to_vec())
    }
    fn enc_private_from_bytes(&self, bytes: &[u8]) -> Result<X25519EncPrivate> {
        import_enc(key_bytes(bytes, "decryption")?)
    }
    fn sign_private_to_bytes(&self, sk: &X25519SignPrivate) -> Result<Vec<u8>> {
        Ok(sk.seed.to_vec())
    }
    fn sign_private_from_bytes(&self, bytes: &[u8]) -> Result<X25519SignPrivate> {
        let seed = Zeroizing::new(key_bytes(bytes, "signing")?);
        let key = Ed25519KeyPair::from_seed_unchecked(&*seed)
            .map_err(|e| RolesError::Suite(format!("aws-lc: Ed25519 seed rejected: {e}")))?;
        Ok(X25519SignPrivate { key, seed })
    }
    fn encode_enc_public(&self, pk: &X25519EncPublic) -> Vec<u8> {
        pk.0.to_vec()
    }
    fn encode_sign_public(&self, pk: &X25519SignPublic) -> Vec<u8> {
        pk.bytes.to_vec()
    }
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<X25519EncPublic> {
        counters::record(Op::KeyDecode);
        key_bytes(bytes, "public").map(X25519EncPublic)
    }
    fn decode_sign_public(&self, bytes: &[u8]) -> Result<X25519SignPublic> {
        parse_sign_public(bytes)
    }
    fn encrypt(&self, pk: &X25519EncPublic, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        spec::encrypt::<LessSafeKey>(label, msg, rng, |e| {
            let eph = import_enc(*e)?;
            let key = ecies_key(&eph.key, &pk.0, &eph.public.0, &pk.0).ok_or_else(spec::zero_shared_secret)?;
            Ok((eph.public.0, key))
        })
    }
    fn encrypt_with(
        &self,
        s: &X25519EncPrivate,
        pk: &X25519EncPublic,
        label: &[u8],
        msg: &[u8],
        rng: &mut DsmpcRng,
    ) -> Result<Vec<u8>> {
        spec::encrypt_from::<LessSafeKey>(label, msg, rng, || {
            let key = ecies_key(&s.key, &pk.0, &s.public.0, &pk.0).ok_or_else(spec::zero_shared_secret)?;
            Ok((s.public.0, key))
        })
    }
    fn decrypt(&self, sk: &X25519EncPrivate, label: &[u8], ct: &[u8], _rng: &mut DsmpcRng) -> Option<Vec<u8>> {
        spec::decrypt::<LessSafeKey>(label, ct, |eph| ecies_key(&sk.key, eph, eph, &sk.public.0))
    }
    fn sign(&self, sk: &X25519SignPrivate, msg: &[u8], _rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        counters::record(Op::Sign);
        Ok(sk.key.sign(msg).as_ref().to_vec())
    }
    fn verify(&self, pk: &X25519SignPublic, msg: &[u8], sig: &[u8]) -> bool {
        counters::record(Op::Verify);
        signature_precheck(sig) && pk.parsed.verify_sig(msg, sig).is_ok()
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        CIPHERTEXT_OVERHEAD + len
    }
    fn signature_len(&self) -> usize {
        SIGNATURE_LEN
    }
}
