//! The x25519 suite's format, shared by both providers: X25519 ECIES and Ed25519 signatures.
//!
//! # Encryption (ECIES over X25519)
//!
//! To encrypt `msg` under the recipient key `Q` (a 32-byte X25519 public key, RFC 7748) with
//! label `label`:
//!
//! 1. draw 32 bytes `e` from the rng passed in (the ephemeral private key; X25519 clamps it
//!    when it is used) and compute `E = X25519(e, 9)`;
//! 2. `Z = X25519(e, Q)`; an all-zero `Z` (a low-order `Q`, RFC 7748 §6.1) is refused: the
//!    encryption fails, and decryption of such an `E` returns `None`;
//! 3. `key = HKDF-SHA256(salt = "dsmpc/v1/ecies-x25519", IKM = Z, info = E || Q, L = 32)`
//!    (RFC 5869). Both public keys have a fixed length, so the info cannot be split in two
//!    ways;
//! 4. draw a 12-byte nonce from the same rng (after `e`);
//! 5. `body || tag = AES-256-GCM(key, nonce, plaintext = msg, associated data = label)`.
//!
//! The ciphertext is laid out as the P-256 suite's ([`crate::suite::ecies`], shared by both), with a 32-byte point:
//!
//! ```text
//! offset 0        32           44                 44+len        60+len
//!        | E (32)   | nonce (12) | body (len bytes) | tag (16)   |
//! ```
//!
//! so `ciphertext_len` is `32 + 12 + len + 16` (64 bytes for a 4-byte index, 92 bytes for a
//! 32-byte share). The label is the AEAD associated data, as in every suite. Decryption
//! recomputes `Z = X25519(d, E)` and the key, and returns `None` on any failure: short input,
//! an all-zero shared secret, or a tag mismatch. Both providers draw `e` and the nonce from the
//! rng passed in, in this order, so with the same rng state they produce the same ciphertext
//! bytes (tested). As with P-256 the key is used for one message only; the random nonce keeps
//! the layout of the other suite.
//!
//! # Signatures (Ed25519, strict)
//!
//! Ed25519 (RFC 8032, pure, no context) as the 64 bytes `R || S`. Signing is deterministic, so
//! both providers give the same signature bytes, and draws nothing from the rng. Both
//! providers apply the same **strict** verification rule (that of ed25519-dalek's
//! `verify_strict`), and accept exactly the same set:
//!
//! - the signature is exactly 64 bytes, and `S` is canonical (`S < l`);
//! - the public key `A` is a canonical encoding (`y < p`, and no "negative zero" `x`) of a
//!   point that is not of small order (checked once, when the key is decoded:
//!   [`parse_verifying_key`]);
//! - `R` decodes to a point that is not of small order, and is the canonical encoding of
//!   `[S]B - [k]A` with `k = SHA-512(R || A || msg) mod l` (the cofactorless equation, compared
//!   as encodings, so a non-canonical `R` fails).
//!
//! AWS-LC's `ED25519_verify` checks `S < l` and the equation as encodings, but accepts
//! small-order `A` and `R`: the `awslc` provider therefore runs [`signature_precheck`] first,
//! and both decode keys with [`parse_verifying_key`] (tested on the edge cases and on
//! Wycheproof's `ed25519` vectors).
//!
//! # Keys
//!
//! Private keys are stored in the key cache as 32 bytes: the X25519 private key as drawn
//! (unclamped), the Ed25519 seed. A public encryption key goes on the wire as its 32 bytes; a
//! key of another length is refused (a low-order key is refused at encryption, by the
//! all-zero check). The providers: [`crate::suite::rustcrypto::X25519Suite`],
//! [`crate::suite::awslc::X25519Suite`].

use curve25519_dalek::edwards::CompressedEdwardsY;
use curve25519_dalek::scalar::Scalar;
use dsmpc_core::rng::DsmpcRng;
use rand_core::Rng;
use zeroize::Zeroizing;

use crate::error::{Result, RolesError};
use crate::suite::ecies::{self, Gcm, NONCE_LEN, TAG_LEN};

/// The HKDF salt of the ECIES key derivation (domain separation).
pub const KDF_SALT: &[u8] = b"dsmpc/v1/ecies-x25519";
/// Length of an X25519 public key (the ephemeral key in a ciphertext, a recipient's key), of a
/// private key, of an Ed25519 public key and seed.
pub const KEY_LEN: usize = 32;
/// Length of an Ed25519 signature, `R || S`.
pub const SIGNATURE_LEN: usize = 64;
/// Bytes a ciphertext adds to its plaintext: ephemeral key, nonce and tag.
pub const CIPHERTEXT_OVERHEAD: usize = KEY_LEN + NONCE_LEN + TAG_LEN;

/// The HKDF info: `E || Q` (see the module docs).
pub(crate) fn kdf_info(ephemeral: &[u8; KEY_LEN], recipient: &[u8; KEY_LEN]) -> [u8; 2 * KEY_LEN] {
    let mut info = [0u8; 2 * KEY_LEN];
    info[..KEY_LEN].copy_from_slice(ephemeral);
    info[KEY_LEN..].copy_from_slice(recipient);
    info
}

/// A 32-byte key from `bytes`, or the error naming what it was for.
pub(crate) fn key_bytes(bytes: &[u8], what: &str) -> Result<[u8; KEY_LEN]> {
    bytes.try_into().map_err(|_| {
        RolesError::Suite(format!(
            "x25519 {what} key of {} bytes, expected {KEY_LEN}",
            bytes.len()
        ))
    })
}

/// An Ed25519 public key as the strict rule accepts it: 32 bytes, the canonical encoding of a
/// point on the curve that is not of small order; `None` otherwise.
pub fn parse_verifying_key(bytes: &[u8]) -> Option<[u8; KEY_LEN]> {
    let bytes: [u8; KEY_LEN] = bytes.try_into().ok()?;
    let point = CompressedEdwardsY(bytes).decompress()?;
    (point.compress().to_bytes() == bytes && !point.is_small_order()).then_some(bytes)
}

/// The parts of the strict rule a signature can be checked for alone: 64 bytes, `S < l`, and
/// `R` a point that is not of small order (the equation, compared as encodings, rejects a
/// non-canonical `R`).
pub fn signature_precheck(sig: &[u8]) -> bool {
    let Ok(sig) = <[u8; SIGNATURE_LEN]>::try_from(sig) else {
        return false;
    };
    let (r, s) = sig.split_at(KEY_LEN);
    let s: [u8; KEY_LEN] = s.try_into().unwrap_or([0xff; KEY_LEN]);
    if bool::from(Scalar::from_canonical_bytes(s).is_none()) {
        return false;
    }
    let r: [u8; KEY_LEN] = r.try_into().unwrap_or([0xff; KEY_LEN]);
    CompressedEdwardsY(r).decompress().is_some_and(|p| !p.is_small_order())
}

/// The verification key decoding error.
pub(crate) fn bad_verifying_key() -> RolesError {
    RolesError::Suite("Ed25519 public key is not the canonical encoding of a point of large order".into())
}

/// ECIES encryption of `msg` with `label` (see the module docs), counted as one
/// `enc` ([`ecies::seal`]): `ephemeral` is the provider's steps 2 and 3 for the drawn private key
/// (`E` and the derived key; an error for an all-zero shared secret); the nonce is drawn next,
/// then the ciphertext laid out as `E || nonce || body || tag`.
pub(crate) fn encrypt<G: Gcm>(
    label: &[u8],
    msg: &[u8],
    rng: &mut DsmpcRng,
    ephemeral: impl FnOnce(&[u8; KEY_LEN]) -> Result<([u8; KEY_LEN], Zeroizing<[u8; 32]>)>,
) -> Result<Vec<u8>> {
    let mut e = Zeroizing::new([0u8; KEY_LEN]);
    rng.fill_bytes(&mut *e);
    encrypt_from::<G>(label, msg, rng, || ephemeral(&e))
}

/// As [`encrypt`], from a sender key drawn before (one per DP): `sender` gives its public key
/// `E` and the key derived for this recipient; only the nonce is drawn here.
pub(crate) fn encrypt_from<G: Gcm>(
    label: &[u8],
    msg: &[u8],
    rng: &mut DsmpcRng,
    sender: impl FnOnce() -> Result<([u8; KEY_LEN], Zeroizing<[u8; 32]>)>,
) -> Result<Vec<u8>> {
    ecies::seal::<G, _>(label, msg, rng, |_| sender())
}

/// The error of an encryption to a low-order key.
pub(crate) fn zero_shared_secret() -> RolesError {
    RolesError::Suite("X25519: all-zero shared secret (a low-order public key)".into())
}

/// ECIES decryption of `ct` with `label`, counted as one `dec` ([`ecies::open`]); `None` on any
/// failure. `key_for` is the provider's part: the derived key for the ephemeral key `E`
/// (`None` for an all-zero shared secret). The plaintext buffer is wiped unless returned; the
/// early returns depend only on public data (length) or on whether the checks passed.
pub(crate) fn decrypt<G: Gcm>(
    label: &[u8],
    ct: &[u8],
    key_for: impl FnOnce(&[u8; KEY_LEN]) -> Option<Zeroizing<[u8; 32]>>,
) -> Option<Vec<u8>> {
    ecies::open::<G>(label, ct, KEY_LEN, |e| key_for(e.try_into().ok()?))
}
