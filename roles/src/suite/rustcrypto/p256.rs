//! The P-256 cipher suite with the `rustcrypto` provider, matching the reference Python
//! prototype's message sizes: ECIES over
//! NIST P-256 (ECDH, a SHA-256 key derivation, AES-256-GCM) for `Enc`, and ECDSA P-256 with
//! SHA-256 for `Sign`. All curve arithmetic comes from the RustCrypto `p256` 0.14 crate
//! (constant-time field and scalar arithmetic), and AES-GCM from `aes-gcm` 0.11
//! (constant-time tag comparison). This file adds no branches that depend on secrets: the
//! early returns in [`P256Suite::decrypt`] (the ECIES framing shared in
//! [`crate::suite::p256`]) depend only on public data (length, point encoding) or on whether
//! the tag check passed.
//!
//! The format (ECIES layout, KDF, signature encoding) is [`crate::suite::p256`].
//!
//! ECDSA's per-signature scalar `k` is RFC 6979 hedged with 32 bytes drawn from the rng passed
//! in (the crate's `RandomizedSigner`: RFC 6979 §3.6 additional data), so a seeded rng gives
//! reproducible signatures and a weak rng still cannot repeat `k` for different messages.
//!
//! # Keys
//!
//! Each party has separate encryption and signing keys. Private keys are stored in the key
//! cache as their 32-byte big-endian scalar; reading one back checks its length and that
//! `0 < d < n`. A public encryption key goes on the wire as its 33-byte compressed SEC1
//! point; decoding rejects any other length, encoding or an off-curve point. The secret types
//! zeroize themselves on drop: `p256::SecretKey` and `p256::ecdsa::SigningKey` implement
//! `ZeroizeOnDrop`, and so do the ECDH ephemeral secret and shared secret; the derived AES key
//! is held in [`zeroize::Zeroizing`]. (The AES-GCM key schedule is cleared on drop only when the
//! `aes-gcm` feature `zeroize` is enabled.)

use std::fmt;

use aes_gcm::aead::{AeadInOut, KeyInit, Tag};
use aes_gcm::{Aes256Gcm, Nonce};
use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::DsmpcRng;
use p256::ecdh::EphemeralSecret;
use p256::ecdsa::signature::{RandomizedSigner, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::sec1::ToSec1Point;
use p256::{CompressedPoint, PublicKey, SecretKey};
use zeroize::ZeroizeOnDrop;

use crate::error::{Result, RolesError};
use crate::suite::p256::{
    self as spec, CIPHERTEXT_OVERHEAD, Gcm, NONCE_LEN, SIGNATURE_LEN, TAG_LEN, derive_key, is_compressed_shape,
    scalar_error,
};
use crate::suite::{CipherSuite, Provider, SuiteKind};

/// ECIES (ECDH, SHA-256, AES-256-GCM) and ECDSA-SHA-256 over NIST P-256.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct P256Suite;

impl P256Suite {
    /// The suite (it has no parameters).
    pub fn new() -> Self {
        P256Suite
    }
}

/// A P-256 decryption key: the secret scalar with its public point kept beside it, so that
/// decryption costs one scalar multiplication (the recipient's point enters the KDF).
///
/// The scalar is zeroized on drop (`p256::SecretKey` is `ZeroizeOnDrop`); `Debug` shows only
/// the public point.
pub struct P256EncPrivate {
    secret: SecretKey,
    public: PublicKey,
}

impl P256EncPrivate {
    fn new(secret: SecretKey) -> Self {
        let public = secret.public_key();
        P256EncPrivate { secret, public }
    }

    /// The public half.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

impl ZeroizeOnDrop for P256EncPrivate {}

impl fmt::Debug for P256EncPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P256EncPrivate")
            .field("public", &compressed(&self.public).as_slice())
            .finish_non_exhaustive()
    }
}

fn suite_err(e: impl fmt::Display) -> RolesError {
    RolesError::Suite(e.to_string())
}

fn compressed(pk: &PublicKey) -> CompressedPoint {
    CompressedPoint::from(*pk)
}

/// A 33-byte compressed point; `None` for any other length or encoding and for points not on
/// the curve (the identity has no 33-byte encoding).
pub(crate) fn parse_point(bytes: &[u8]) -> Option<PublicKey> {
    if !is_compressed_shape(bytes) {
        return None;
    }
    PublicKey::from_sec1_bytes(bytes).ok()
}

impl Gcm for Aes256Gcm {
    fn new(key: &[u8; 32]) -> Option<Self> {
        Aes256Gcm::new_from_slice(key).ok()
    }
    fn seal(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], body: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let tag = self
            .encrypt_inout_detached(&Nonce::from(*nonce), aad, body.into())
            .ok()?;
        Some(tag.into())
    }
    fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], sealed: &mut [u8]) -> Option<usize> {
        let plain_len = sealed.len().checked_sub(TAG_LEN)?;
        let (body, tag) = sealed.split_at_mut(plain_len);
        let tag = Tag::<Aes256Gcm>::try_from(&*tag).ok()?;
        self.decrypt_inout_detached(&Nonce::from(*nonce), aad, body.into(), &tag)
            .ok()?;
        Some(plain_len)
    }
}

/// The secret scalar of a private key, checked: exactly 32 bytes, `0 < d < n`.
pub(crate) fn parse_scalar(bytes: &[u8], what: &str) -> Result<SecretKey> {
    if bytes.len() != crate::suite::p256::SCALAR_LEN {
        return Err(scalar_error(bytes.len(), what));
    }
    SecretKey::from_slice(bytes).map_err(|_| scalar_error(bytes.len(), what))
}

impl CipherSuite for P256Suite {
    type EncPublic = PublicKey;
    type EncPrivate = P256EncPrivate;
    type SignPublic = VerifyingKey;
    type SignPrivate = SigningKey;
    const KIND: SuiteKind = SuiteKind::P256;
    const PROVIDER: Provider = Provider::RustCrypto;
    const SENDER_KEY: bool = true;

    fn id(&self) -> String {
        "p256".to_string()
    }
    fn bits(&self) -> u32 {
        256
    }
    fn generate_enc(&self, rng: &mut DsmpcRng) -> Result<P256EncPrivate> {
        Ok(P256EncPrivate::new(SecretKey::generate_from_rng(rng)))
    }
    fn generate_sign(&self, rng: &mut DsmpcRng) -> Result<SigningKey> {
        Ok(SigningKey::generate_from_rng(rng))
    }
    fn enc_public(&self, sk: &P256EncPrivate) -> PublicKey {
        sk.public
    }
    fn sign_public(&self, sk: &SigningKey) -> VerifyingKey {
        *sk.verifying_key()
    }
    fn enc_private_to_bytes(&self, sk: &P256EncPrivate) -> Result<Vec<u8>> {
        Ok(sk.secret.to_bytes().to_vec())
    }
    fn enc_private_from_bytes(&self, bytes: &[u8]) -> Result<P256EncPrivate> {
        parse_scalar(bytes, "decryption").map(P256EncPrivate::new)
    }
    fn sign_private_to_bytes(&self, sk: &SigningKey) -> Result<Vec<u8>> {
        Ok(sk.to_bytes().to_vec())
    }
    fn sign_private_from_bytes(&self, bytes: &[u8]) -> Result<SigningKey> {
        parse_scalar(bytes, "signing").map(SigningKey::from)
    }
    fn encode_enc_public(&self, pk: &PublicKey) -> Vec<u8> {
        compressed(pk).to_vec()
    }
    fn encode_sign_public(&self, pk: &VerifyingKey) -> Vec<u8> {
        compressed(&PublicKey::from(*pk)).to_vec()
    }
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<PublicKey> {
        counters::record(Op::KeyDecode);
        spec::decode_public(bytes, parse_point)
    }
    fn encode_enc_public_relayed(&self, pk: &PublicKey) -> Vec<u8> {
        pk.to_sec1_point(false).as_bytes().to_vec()
    }
    fn decode_enc_public_relayed(&self, bytes: &[u8]) -> Result<PublicKey> {
        counters::record(Op::KeyDecode);
        spec::decode_relayed(bytes, |b| PublicKey::from_sec1_bytes(b).ok())
    }
    fn decode_sign_public(&self, bytes: &[u8]) -> Result<VerifyingKey> {
        spec::decode_public(bytes, parse_point).map(VerifyingKey::from)
    }
    fn encrypt(&self, pk: &PublicKey, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        spec::encrypt::<Aes256Gcm>(label, msg, rng, |rng| {
            let ephemeral = EphemeralSecret::generate_from_rng(rng);
            let eph_point = compressed(&ephemeral.public_key());
            let shared = ephemeral.diffie_hellman(pk);
            let key = derive_key(shared.raw_secret_bytes(), &eph_point, &compressed(pk));
            Ok((eph_point.into(), key))
        })
    }
    fn encrypt_with(
        &self,
        s: &P256EncPrivate,
        pk: &PublicKey,
        label: &[u8],
        msg: &[u8],
        rng: &mut DsmpcRng,
    ) -> Result<Vec<u8>> {
        spec::encrypt::<Aes256Gcm>(label, msg, rng, |_| {
            let eph_point = compressed(&s.public);
            let shared = s.secret.diffie_hellman(pk);
            let key = derive_key(shared.raw_secret_bytes(), &eph_point, &compressed(pk));
            Ok((eph_point.into(), key))
        })
    }
    fn decrypt(&self, sk: &P256EncPrivate, label: &[u8], ct: &[u8], _rng: &mut DsmpcRng) -> Option<Vec<u8>> {
        spec::decrypt::<Aes256Gcm>(label, ct, |eph| {
            let shared = sk.secret.diffie_hellman(&parse_point(eph)?);
            Some(derive_key(shared.raw_secret_bytes(), eph, &compressed(&sk.public)))
        })
    }
    fn sign(&self, sk: &SigningKey, msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        counters::record(Op::Sign);
        let sig: Signature = sk.try_sign_with_rng(rng, msg).map_err(suite_err)?;
        Ok(sig.to_bytes().to_vec())
    }
    fn verify(&self, pk: &VerifyingKey, msg: &[u8], sig: &[u8]) -> bool {
        counters::record(Op::Verify);
        match Signature::from_slice(sig) {
            Ok(sig) => pk.verify(msg, &sig).is_ok(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::{Aead, Payload};
    use dsmpc_core::rng::seeded;
    use sha2::{Digest, Sha256};

    /// The group order n of P-256, big-endian.
    const ORDER: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6,
        0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
    ];

    fn keys(seed: u64) -> (P256EncPrivate, PublicKey) {
        let suite = P256Suite;
        let sk = suite.generate_enc(&mut seeded(seed, "enc")).unwrap();
        let pk = suite.enc_public(&sk);
        (sk, pk)
    }

    #[test]
    fn round_trip_and_lengths() {
        let suite = P256Suite;
        let (sk, pk) = keys(1);
        let mut rng = seeded(1, "r");
        for len in [0usize, 2, 4, 32, 100] {
            let msg: Vec<u8> = (0..len as u8).collect();
            let ct = suite.encrypt(&pk, b"label", &msg, &mut rng).unwrap();
            assert_eq!(ct.len(), suite.ciphertext_len(len));
            assert_eq!(ct.len(), 61 + len);
            assert!(matches!(ct[0], 0x02 | 0x03));
            assert_eq!(suite.decrypt(&sk, b"label", &ct, &mut rng), Some(msg));
        }
        assert_eq!(suite.ciphertext_len(4), 65);
        assert_eq!(suite.ciphertext_len(2), 63);
        assert_eq!(suite.ciphertext_len(32), 93);
    }

    #[test]
    fn kdf_is_as_documented() {
        // Decrypt by hand from the documented layout and KDF.
        let suite = P256Suite;
        let (sk, pk) = keys(2);
        let msg = b"documented";
        let ct = suite.encrypt(&pk, b"aad", msg, &mut seeded(2, "r")).unwrap();
        let eph = PublicKey::from_sec1_bytes(&ct[..33]).unwrap();
        let shared = p256::ecdh::diffie_hellman(sk.secret.to_nonzero_scalar(), eph.as_affine());
        let mut h = Sha256::new();
        h.update(b"dsmpc/v1/ecies-p256");
        h.update(shared.raw_secret_bytes());
        h.update(&ct[..33]);
        h.update(suite.encode_enc_public(&pk));
        let key: [u8; 32] = h.finalize().into();
        let nonce: [u8; 12] = ct[33..45].try_into().unwrap();
        let pt = Aes256Gcm::new_from_slice(&key)
            .unwrap()
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &ct[45..],
                    aad: b"aad",
                },
            )
            .unwrap();
        assert_eq!(pt, msg);
    }

    #[test]
    fn counters_are_recorded() {
        let suite = P256Suite;
        let (sk, pk) = keys(3);
        let ssk = suite.generate_sign(&mut seeded(3, "sign")).unwrap();
        let spk = suite.sign_public(&ssk);
        let mut rng = seeded(3, "r");
        let ((), counted) = counters::OpCounts::measure(|| {
            let ct = suite.encrypt(&pk, b"l", b"m", &mut rng).unwrap();
            assert!(suite.decrypt(&sk, b"l", &ct, &mut rng).is_some());
            let sig = suite.sign(&ssk, b"m", &mut rng).unwrap();
            assert!(suite.verify(&spk, b"m", &sig));
        });
        let mut want = counters::OpCounts::default();
        for op in [Op::Encrypt, Op::Decrypt, Op::Sign, Op::Verify] {
            want.set(op, 1);
        }
        assert_eq!(counted, want);
    }

    #[test]
    fn private_key_bounds() {
        let suite = P256Suite;
        assert!(suite.enc_private_from_bytes(&[0u8; 32]).is_err());
        assert!(suite.enc_private_from_bytes(&ORDER).is_err());
        assert!(suite.enc_private_from_bytes(&[0xff; 32]).is_err());
        assert!(suite.sign_private_from_bytes(&ORDER).is_err());
        assert!(suite.sign_private_from_bytes(&[0u8; 32]).is_err());
        // n - 1 is the largest valid scalar.
        let mut max = ORDER;
        max[31] -= 1;
        let sk = suite.enc_private_from_bytes(&max).unwrap();
        assert_eq!(suite.enc_private_to_bytes(&sk).unwrap(), max);
        let ssk = suite.sign_private_from_bytes(&max).unwrap();
        assert_eq!(suite.sign_private_to_bytes(&ssk).unwrap(), max);
        // Short keys are refused rather than zero-padded.
        let mut one = [0u8; 32];
        one[31] = 1;
        assert!(suite.enc_private_from_bytes(&one).is_ok());
        assert!(suite.enc_private_from_bytes(&one[8..]).is_err());
        assert!(suite.sign_private_from_bytes(&one[1..]).is_err());
        assert!(matches!(
            suite.enc_private_from_bytes(&[1u8; 33]),
            Err(RolesError::Suite(_))
        ));
    }

    #[test]
    fn debug_does_not_print_the_secret() {
        let suite = P256Suite;
        let (sk, pk) = keys(4);
        let secret = suite.enc_private_to_bytes(&sk).unwrap();
        let shown = format!("{sk:?}");
        assert!(shown.contains(&format!("{:?}", suite.encode_enc_public(&pk).as_slice())));
        assert!(!shown.contains(&format!("{:?}", secret.as_slice())));
        assert!(!shown.contains(&format!("{:?}", &secret[..8])));
    }
}
