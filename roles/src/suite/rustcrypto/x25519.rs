//! The x25519 cipher suite with the `rustcrypto` provider: X25519 ECIES (x25519-dalek,
//! HKDF-SHA256 from `hkdf`, AES-256-GCM from `aes-gcm`) and Ed25519 (ed25519-dalek, strict
//! verification). The format and the verification rule are [`crate::suite::x25519`]; the
//! bytes are those of [`crate::suite::awslc::X25519Suite`] (tested both ways).
//!
//! Secrets: x25519-dalek's `StaticSecret` and ed25519-dalek's `SigningKey` zeroize themselves
//! on drop, so does the shared secret; the derived AES key is held in [`Zeroizing`]. The
//! curve arithmetic on secrets is constant-time (curve25519-dalek); verification is not, and
//! needs not be (public data).

use std::fmt;

use aes_gcm::Aes256Gcm;
use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::DsmpcRng;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand_core::Rng;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::error::Result;
use crate::suite::x25519::{
    self as spec, CIPHERTEXT_OVERHEAD, KDF_SALT, KEY_LEN, SIGNATURE_LEN, bad_verifying_key, kdf_info, key_bytes,
    parse_verifying_key,
};
use crate::suite::{CipherSuite, Provider, SuiteKind};

/// X25519 ECIES (HKDF-SHA256, AES-256-GCM) and Ed25519, pure Rust.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct X25519Suite;

impl X25519Suite {
    /// The suite (it has no parameters).
    pub fn new() -> Self {
        X25519Suite
    }
}

/// An X25519 decryption key with its public key beside it (which enters the KDF).
pub struct X25519EncPrivate {
    secret: StaticSecret,
    public: PublicKey,
}

impl X25519EncPrivate {
    fn new(bytes: [u8; KEY_LEN]) -> Self {
        let secret = StaticSecret::from(bytes);
        let public = PublicKey::from(&secret);
        X25519EncPrivate { secret, public }
    }
}

impl fmt::Debug for X25519EncPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519EncPrivate")
            .field("public", &self.public.as_bytes().as_slice())
            .finish_non_exhaustive()
    }
}

/// `HKDF-SHA256(salt, Z, E || Q)` (see [`crate::suite::x25519`]).
pub(crate) fn derive_key(shared: &[u8], ephemeral: &[u8; KEY_LEN], recipient: &[u8; KEY_LEN]) -> Zeroizing<[u8; 32]> {
    let mut key = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<Sha256>::new(Some(KDF_SALT), shared)
        .expand(&kdf_info(ephemeral, recipient), &mut *key)
        .expect("32 bytes is a valid HKDF-SHA256 output length");
    key
}

/// The ECIES key of `my · peer`, `None` for an all-zero shared secret.
fn ecies_key(
    my: &StaticSecret,
    peer: &[u8; KEY_LEN],
    ephemeral: &[u8; KEY_LEN],
    recipient: &[u8; KEY_LEN],
) -> Option<Zeroizing<[u8; 32]>> {
    let shared = my.diffie_hellman(&PublicKey::from(*peer));
    shared
        .was_contributory()
        .then(|| derive_key(shared.as_bytes(), ephemeral, recipient))
}

impl CipherSuite for X25519Suite {
    type EncPublic = PublicKey;
    type EncPrivate = X25519EncPrivate;
    type SignPublic = VerifyingKey;
    type SignPrivate = SigningKey;
    const KIND: SuiteKind = SuiteKind::X25519;
    const PROVIDER: Provider = Provider::RustCrypto;
    const SENDER_KEY: bool = true;

    fn id(&self) -> String {
        "x25519".to_string()
    }
    fn bits(&self) -> u32 {
        255
    }
    fn generate_enc(&self, rng: &mut DsmpcRng) -> Result<X25519EncPrivate> {
        let mut b = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill_bytes(&mut *b);
        Ok(X25519EncPrivate::new(*b))
    }
    fn generate_sign(&self, rng: &mut DsmpcRng) -> Result<SigningKey> {
        let mut b = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill_bytes(&mut *b);
        Ok(SigningKey::from_bytes(&b))
    }
    fn enc_public(&self, sk: &X25519EncPrivate) -> PublicKey {
        sk.public
    }
    fn sign_public(&self, sk: &SigningKey) -> VerifyingKey {
        sk.verifying_key()
    }
    fn enc_private_to_bytes(&self, sk: &X25519EncPrivate) -> Result<Vec<u8>> {
        Ok(sk.secret.to_bytes().to_vec())
    }
    fn enc_private_from_bytes(&self, bytes: &[u8]) -> Result<X25519EncPrivate> {
        Ok(X25519EncPrivate::new(key_bytes(bytes, "decryption")?))
    }
    fn sign_private_to_bytes(&self, sk: &SigningKey) -> Result<Vec<u8>> {
        Ok(sk.to_bytes().to_vec())
    }
    fn sign_private_from_bytes(&self, bytes: &[u8]) -> Result<SigningKey> {
        Ok(SigningKey::from_bytes(&key_bytes(bytes, "signing")?))
    }
    fn encode_enc_public(&self, pk: &PublicKey) -> Vec<u8> {
        pk.as_bytes().to_vec()
    }
    fn encode_sign_public(&self, pk: &VerifyingKey) -> Vec<u8> {
        pk.as_bytes().to_vec()
    }
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<PublicKey> {
        counters::record(Op::KeyDecode);
        key_bytes(bytes, "public").map(PublicKey::from)
    }
    fn decode_sign_public(&self, bytes: &[u8]) -> Result<VerifyingKey> {
        let b = parse_verifying_key(bytes).ok_or_else(bad_verifying_key)?;
        VerifyingKey::from_bytes(&b).map_err(|_| bad_verifying_key())
    }
    fn encrypt(&self, pk: &PublicKey, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        spec::encrypt::<Aes256Gcm>(label, msg, rng, |e| {
            let eph = StaticSecret::from(*e);
            let eph_point = PublicKey::from(&eph).to_bytes();
            let key = ecies_key(&eph, pk.as_bytes(), &eph_point, pk.as_bytes()).ok_or_else(spec::zero_shared_secret)?;
            Ok((eph_point, key))
        })
    }
    fn encrypt_with(
        &self,
        s: &X25519EncPrivate,
        pk: &PublicKey,
        label: &[u8],
        msg: &[u8],
        rng: &mut DsmpcRng,
    ) -> Result<Vec<u8>> {
        spec::encrypt_from::<Aes256Gcm>(label, msg, rng, || {
            let point = s.public.to_bytes();
            let key =
                ecies_key(&s.secret, pk.as_bytes(), &point, pk.as_bytes()).ok_or_else(spec::zero_shared_secret)?;
            Ok((point, key))
        })
    }
    fn decrypt(&self, sk: &X25519EncPrivate, label: &[u8], ct: &[u8], _rng: &mut DsmpcRng) -> Option<Vec<u8>> {
        spec::decrypt::<Aes256Gcm>(label, ct, |eph| ecies_key(&sk.secret, eph, eph, sk.public.as_bytes()))
    }
    fn sign(&self, sk: &SigningKey, msg: &[u8], _rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        counters::record(Op::Sign);
        Ok(sk.sign(msg).to_bytes().to_vec())
    }
    fn verify(&self, pk: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        counters::record(Op::Verify);
        match Signature::from_slice(sig) {
            Ok(sig) => pk.verify_strict(msg, &sig).is_ok(),
            Err(_) => false,
        }
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        CIPHERTEXT_OVERHEAD + len
    }
    fn signature_len(&self) -> usize {
        SIGNATURE_LEN
    }
}
