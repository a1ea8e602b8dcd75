//! The P-256 cipher suite with the `awslc` provider: ECIES (ECDH over P-256, the SHA-256 key
//! derivation, AES-256-GCM) and ECDSA P-256 with SHA-256, all arithmetic and AES-GCM in
//! aws-lc-rs. The format (layout, KDF, signature encoding) is [`crate::suite::p256`]; the
//! bytes are those of [`crate::suite::rustcrypto::P256Suite`] (tested both ways).
//!
//! The ECIES ephemeral scalar is drawn from the rng passed in exactly as the `rustcrypto`
//! provider draws it (RustCrypto's `NonZeroScalar` rejection sampling; drawing is not curve
//! arithmetic), then `E = e·G` and `Z = e·Q` are computed by AWS-LC. ECDSA's nonce comes
//! from AWS-LC's DRBG (see [`super`] for what that means for seeded runs).
//!
//! Secrets: AWS-LC clears private keys when they are freed (`EC_KEY_free` clears the scalar);
//! the ephemeral scalar's bytes and the derived AES key are held in [`Zeroizing`] here.
//! Decryption's early returns depend only on public data (length, point encoding) or on
//! whether the tag check passed (the ECIES framing is shared, in [`crate::suite::p256`]).

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, ECDH_P256, ParsedPublicKey, PrivateKey, UnparsedPublicKey};
use aws_lc_rs::encoding::{AsBigEndian, EcPrivateKeyBin};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::DsmpcRng;
use p256::NonZeroScalar;
use p256::elliptic_curve::Generate;
use p256::elliptic_curve::ff::PrimeField;
use zeroize::Zeroizing;

use super::{enc_key_of, lc_err, sign_key_of, skip_32};
use crate::error::{Result, RolesError};
use crate::suite::p256::{
    self as spec, CIPHERTEXT_OVERHEAD, Gcm, NONCE_LEN, POINT_LEN, SCALAR_LEN, SIGNATURE_LEN, TAG_LEN, derive_key,
    is_compressed_shape, scalar_error,
};
use crate::suite::rustcrypto;
use crate::suite::{CipherSuite, Provider, SuiteKind};

/// ECIES and ECDSA-SHA-256 over NIST P-256 with aws-lc-rs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct P256Suite;

impl P256Suite {
    /// The suite (it has no parameters).
    pub fn new() -> Self {
        P256Suite
    }
}

/// A public encryption key: the parsed point and its 33-byte compressed encoding (which
/// enters the KDF and goes on the wire).
#[derive(Clone)]
pub struct P256EncPublic {
    parsed: ParsedPublicKey,
    compressed: [u8; POINT_LEN],
}

impl fmt::Debug for P256EncPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("P256EncPublic")
            .field(&self.compressed.as_slice())
            .finish()
    }
}

/// A decryption key: the AWS-LC private key and its public half.
pub struct P256EncPrivate {
    key: PrivateKey,
    public: P256EncPublic,
}

impl fmt::Debug for P256EncPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P256EncPrivate")
            .field("public", &self.public.compressed.as_slice())
            .finish_non_exhaustive()
    }
}

/// A signing key (AWS-LC) with its scalar's length checked.
pub struct P256SignPrivate {
    key: EcdsaKeyPair,
    public: signature::ParsedPublicKey,
}

impl fmt::Debug for P256SignPrivate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("P256SignPrivate").finish_non_exhaustive()
    }
}

/// `0x02 | y&1 || x` from an uncompressed `0x04 || x || y` point.
fn compress(uncompressed: &[u8]) -> Result<[u8; POINT_LEN]> {
    if uncompressed.len() != 1 + 2 * SCALAR_LEN || uncompressed[0] != 0x04 {
        return Err(RolesError::Suite("aws-lc: unexpected public point encoding".into()));
    }
    let mut out = [0u8; POINT_LEN];
    out[0] = 0x02 | (uncompressed[2 * SCALAR_LEN] & 1);
    out[1..].copy_from_slice(&uncompressed[1..=SCALAR_LEN]);
    Ok(out)
}

/// The private key of `scalar` (32 bytes, `0 < d < n`) and its public point, uncompressed.
fn import_scalar(scalar: &[u8], what: &str) -> Result<(PrivateKey, Vec<u8>)> {
    // The same checks and messages as the `rustcrypto` provider (length, range).
    rustcrypto::p256::parse_scalar(scalar, what)?;
    let key = PrivateKey::from_private_key(&ECDH_P256, scalar).map_err(|_| scalar_error(scalar.len(), what))?;
    let public = key.compute_public_key().map_err(lc_err("P-256 public key"))?;
    Ok((key, public.as_ref().to_vec()))
}

/// A public key from its 33-byte compressed encoding; `None` for any other length or
/// encoding and for points not on the curve.
fn parse_point(bytes: &[u8]) -> Option<P256EncPublic> {
    if !is_compressed_shape(bytes) {
        return None;
    }
    let parsed = ParsedPublicKey::try_from(UnparsedPublicKey::new(&ECDH_P256, bytes)).ok()?;
    Some(P256EncPublic {
        parsed,
        compressed: bytes.try_into().ok()?,
    })
}

impl Gcm for LessSafeKey {
    fn new(key: &[u8; 32]) -> Option<Self> {
        UnboundKey::new(&AES_256_GCM, key).ok().map(LessSafeKey::new)
    }
    fn seal(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], body: &mut [u8]) -> Option<[u8; TAG_LEN]> {
        let tag = self
            .seal_in_place_separate_tag(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), body)
            .ok()?;
        tag.as_ref().try_into().ok()
    }
    fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], sealed: &mut [u8]) -> Option<usize> {
        let plain = self
            .open_in_place(Nonce::assume_unique_for_key(*nonce), Aad::from(aad), sealed)
            .ok()?;
        Some(plain.len())
    }
}

/// `x(Z)` of `my · peer`, into the ECIES key with the two compressed points.
fn ecies_key(
    my: &PrivateKey,
    peer: impl TryInto<ParsedPublicKey>,
    ephemeral: &[u8],
    recipient: &[u8],
) -> Option<Zeroizing<[u8; 32]>> {
    agreement::agree(my, peer, (), |x| Ok(derive_key(x, ephemeral, recipient))).ok()
}

impl CipherSuite for P256Suite {
    type EncPublic = P256EncPublic;
    type EncPrivate = P256EncPrivate;
    type SignPublic = signature::ParsedPublicKey;
    type SignPrivate = P256SignPrivate;
    const KIND: SuiteKind = SuiteKind::P256;
    const PROVIDER: Provider = Provider::AwsLc;
    const SENDER_KEY: bool = true;

    fn id(&self) -> String {
        rustcrypto::P256Suite.id()
    }
    fn bits(&self) -> u32 {
        256
    }
    fn generate_enc(&self, rng: &mut DsmpcRng) -> Result<P256EncPrivate> {
        enc_key_of(&rustcrypto::P256Suite, rng, |b| self.enc_private_from_bytes(b))
    }
    fn generate_sign(&self, rng: &mut DsmpcRng) -> Result<P256SignPrivate> {
        sign_key_of(&rustcrypto::P256Suite, rng, |b| self.sign_private_from_bytes(b))
    }
    fn enc_public(&self, sk: &P256EncPrivate) -> P256EncPublic {
        sk.public.clone()
    }
    fn sign_public(&self, sk: &P256SignPrivate) -> signature::ParsedPublicKey {
        sk.public.clone()
    }
    fn enc_private_to_bytes(&self, sk: &P256EncPrivate) -> Result<Vec<u8>> {
        let b: EcPrivateKeyBin<'_> = sk.key.as_be_bytes().map_err(lc_err("P-256 private key export"))?;
        Ok(b.as_ref().to_vec())
    }
    fn enc_private_from_bytes(&self, bytes: &[u8]) -> Result<P256EncPrivate> {
        let (key, public) = import_scalar(bytes, "decryption")?;
        let compressed = compress(&public)?;
        let public = parse_point(&compressed).ok_or_else(|| RolesError::Suite("aws-lc: P-256 public key".into()))?;
        Ok(P256EncPrivate { key, public })
    }
    fn sign_private_to_bytes(&self, sk: &P256SignPrivate) -> Result<Vec<u8>> {
        let b = sk
            .key
            .private_key()
            .as_be_bytes()
            .map_err(lc_err("P-256 signing key export"))?;
        Ok(b.as_ref().to_vec())
    }
    fn sign_private_from_bytes(&self, bytes: &[u8]) -> Result<P256SignPrivate> {
        let (_, public) = import_scalar(bytes, "signing")?;
        let key = EcdsaKeyPair::from_private_key_and_public_key(&ECDSA_P256_SHA256_FIXED_SIGNING, bytes, &public)
            .map_err(|e| RolesError::Suite(format!("aws-lc: P-256 signing key rejected: {e}")))?;
        let public = signature::ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &public)
            .map_err(|e| RolesError::Suite(format!("aws-lc: P-256 verification key rejected: {e}")))?;
        Ok(P256SignPrivate { key, public })
    }
    fn encode_enc_public(&self, pk: &P256EncPublic) -> Vec<u8> {
        pk.compressed.to_vec()
    }
    fn encode_sign_public(&self, pk: &signature::ParsedPublicKey) -> Vec<u8> {
        // Compressed, as the `rustcrypto` provider encodes it (the same key, the same bytes).
        compress(pk.as_ref()).map_or_else(|_| pk.as_ref().to_vec(), |c| c.to_vec())
    }
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<P256EncPublic> {
        counters::record(Op::KeyDecode);
        spec::decode_public(bytes, parse_point)
    }
    fn encode_enc_public_relayed(&self, pk: &P256EncPublic) -> Vec<u8> {
        // aws-lc-rs keeps the bytes a key was parsed from (compressed): the same point,
        // uncompressed by the `rustcrypto` provider, so both providers write the same bytes.
        match rustcrypto::p256::parse_point(&pk.compressed) {
            Some(p) => rustcrypto::P256Suite.encode_enc_public_relayed(&p),
            None => pk.compressed.to_vec(),
        }
    }
    fn decode_enc_public_relayed(&self, bytes: &[u8]) -> Result<P256EncPublic> {
        counters::record(Op::KeyDecode);
        spec::decode_relayed(bytes, |b| {
            let parsed = ParsedPublicKey::try_from(UnparsedPublicKey::new(&ECDH_P256, b)).ok()?;
            Some(P256EncPublic {
                parsed,
                compressed: compress(b).ok()?,
            })
        })
    }
    fn decode_sign_public(&self, bytes: &[u8]) -> Result<signature::ParsedPublicKey> {
        use p256::elliptic_curve::sec1::ToSec1Point;
        let point = spec::decode_public(bytes, rustcrypto::p256::parse_point)?.to_sec1_point(false);
        signature::ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point.as_bytes())
            .map_err(|e| RolesError::Suite(format!("aws-lc: P-256 verification key rejected: {e}")))
    }
    fn encrypt(&self, pk: &P256EncPublic, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        spec::encrypt::<LessSafeKey>(label, msg, rng, |rng| {
            // The same draw as the `rustcrypto` provider's `EphemeralSecret::generate_from_rng`.
            let e = NonZeroScalar::generate_from_rng(rng);
            let e_bytes = Zeroizing::new(e.to_repr());
            let (eph, eph_public) = import_scalar(&e_bytes, "ephemeral")?;
            let eph_point = compress(&eph_public)?;
            let key = ecies_key(&eph, pk.parsed.clone(), &eph_point, &pk.compressed)
                .ok_or_else(|| RolesError::Suite("aws-lc: ECDH failed".into()))?;
            Ok((eph_point, key))
        })
    }
    fn encrypt_with(
        &self,
        s: &P256EncPrivate,
        pk: &P256EncPublic,
        label: &[u8],
        msg: &[u8],
        rng: &mut DsmpcRng,
    ) -> Result<Vec<u8>> {
        spec::encrypt::<LessSafeKey>(label, msg, rng, |_| {
            let key = ecies_key(&s.key, pk.parsed.clone(), &s.public.compressed, &pk.compressed)
                .ok_or_else(|| RolesError::Suite("aws-lc: ECDH failed".into()))?;
            Ok((s.public.compressed, key))
        })
    }
    fn decrypt(&self, sk: &P256EncPrivate, label: &[u8], ct: &[u8], _rng: &mut DsmpcRng) -> Option<Vec<u8>> {
        spec::decrypt::<LessSafeKey>(label, ct, |eph| {
            ecies_key(
                &sk.key,
                UnparsedPublicKey::new(&ECDH_P256, eph),
                eph,
                &sk.public.compressed,
            )
        })
    }
    fn sign(&self, sk: &P256SignPrivate, msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>> {
        counters::record(Op::Sign);
        skip_32(rng);
        let sig = sk
            .key
            .sign(&SystemRandom::new(), msg)
            .map_err(lc_err("ECDSA P-256 signing"))?;
        Ok(sig.as_ref().to_vec())
    }
    fn verify(&self, pk: &signature::ParsedPublicKey, msg: &[u8], sig: &[u8]) -> bool {
        counters::record(Op::Verify);
        sig.len() == SIGNATURE_LEN && pk.verify_sig(msg, sig).is_ok()
    }
    fn ciphertext_len(&self, len: usize) -> usize {
        CIPHERTEXT_OVERHEAD + len
    }
    fn signature_len(&self) -> usize {
        SIGNATURE_LEN
    }
}
