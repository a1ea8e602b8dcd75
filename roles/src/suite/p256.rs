//! The P-256 suite's format, shared by both providers (the reference prototype's sizes).
//!
//! # Encryption (ECIES)
//!
//! To encrypt `msg` under the recipient key `Q` (a point) with label `label`:
//!
//! 1. draw a fresh non-zero ephemeral scalar `e` from the rng passed in (rejection sampling,
//!    as RustCrypto's `NonZeroScalar::generate_from_rng`) and compute `E = e·G`; a DP sharing
//!    to its CPs draws one `e` (an encryption key pair, `CipherSuite::sender_key`) before its
//!    first share and uses it for all of them, so each of its share ciphertexts carries the
//!    same `E`;
//! 2. `Z = e·Q`, and let `x` be the 32-byte big-endian x-coordinate of `Z`;
//! 3. `key = SHA-256("dsmpc/v1/ecies-p256" || x || E_c || Q_c)`, where `E_c` and `Q_c` are the
//!    33-byte compressed SEC1 encodings of `E` and `Q`. Every field after the 19-byte ASCII
//!    domain string has a fixed length, so the concatenation cannot be split in two ways;
//! 4. draw a 12-byte nonce from the same rng (after the scalar);
//! 5. `body || tag = AES-256-GCM(key, nonce, plaintext = msg, associated data = label)`.
//!
//! The ciphertext is laid out as
//!
//! ```text
//! offset 0        33           45                 45+len        61+len
//!        | E_c (33) | nonce (12) | body (len bytes) | tag (16)   |
//! ```
//!
//! so `ciphertext_len` is `33 + 12 + len + 16` (65 bytes for a 4-byte index, 93 bytes for a
//! 32-byte share). The label is the AEAD associated data: it names the task and the context
//! (DP, CP index, ...), so a ciphertext moved to another task, DP or index fails its tag check.
//! Decryption recomputes `Z = d·E` and the key, and returns `None` on any failure: short
//! input, a point that is not a valid compressed point on the curve, or a tag mismatch (which
//! covers a wrong key, a wrong label and any altered byte). Both providers draw the ephemeral
//! scalar and the nonce from the rng passed in, in this order, so with the same rng state they
//! produce the same ciphertext bytes (tested).
//!
//! The nonce is random rather than a counter because each key is used for exactly one
//! message: the ephemeral scalar is fresh for every encryption, or, for a DP's shares, every
//! recipient's `Q` differs and so does its `Z`, hence its key. The random nonce is kept only so
//! the byte layout matches the reference prototype.
//!
//! # Signatures (ECDSA)
//!
//! ECDSA over P-256 with SHA-256 of the message, as the fixed 64 bytes `r || s` (big-endian
//! scalars, 32 bytes each; no DER). Verification takes exactly 64 bytes with `0 < r, s < n`
//! and returns `false` on anything else. Neither provider normalises `s`, and both accept
//! high-`s` signatures (as OpenSSL and Python's `cryptography`), so `(r, n - s)` verifies as
//! well as `(r, s)`; that malleability does not matter here: the Cloud detects replays by the
//! request nonce, never by the signature bytes.
//!
//! # Keys
//!
//! Private keys are stored in the key cache as their 32-byte big-endian scalar; reading one
//! back checks its length and that `0 < d < n`. A public encryption key goes on the wire as its
//! 33-byte compressed SEC1 point; decoding rejects any other length, encoding or an off-curve
//! point. In the roster, where every DP reads every CP's key, the Cloud relays it as the 65-byte
//! uncompressed point instead (decoding checks the prefix, the length and the curve equation),
//! so no DP computes a square root to use it. The providers: [`crate::suite::rustcrypto::P256Suite`], [`crate::suite::awslc::P256Suite`].

use dsmpc_core::rng::DsmpcRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::{Result, RolesError};
use crate::suite::ecies;
pub(crate) use crate::suite::ecies::Gcm;
pub use crate::suite::ecies::{NONCE_LEN, TAG_LEN};

/// Domain-separation prefix of the ECIES key derivation.
pub const KDF_DOMAIN: &[u8] = b"dsmpc/v1/ecies-p256";
/// Length of a compressed SEC1 point (the ephemeral key in a ciphertext, a public key).
pub const POINT_LEN: usize = 33;
/// Length of a private key (big-endian scalar) and of each signature half.
pub const SCALAR_LEN: usize = 32;
/// Length of a signature, `r || s`.
pub const SIGNATURE_LEN: usize = 2 * SCALAR_LEN;
/// Bytes a ciphertext adds to its plaintext: point, nonce and tag.
pub const CIPHERTEXT_OVERHEAD: usize = POINT_LEN + NONCE_LEN + TAG_LEN;

/// `SHA-256(KDF_DOMAIN || x || E_c || Q_c)`, see the module docs.
pub(crate) fn derive_key(shared_x: &[u8], ephemeral: &[u8], recipient: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(KDF_DOMAIN);
    h.update(shared_x);
    h.update(ephemeral);
    h.update(recipient);
    let mut key = Zeroizing::new([0u8; 32]);
    h.finalize_into((&mut *key).into());
    key
}

/// Whether `bytes` has the shape of a compressed point (length and tag byte).
pub(crate) fn is_compressed_shape(bytes: &[u8]) -> bool {
    bytes.len() == POINT_LEN && matches!(bytes[0], 0x02 | 0x03)
}

/// The length error for a private key that is not 32 bytes, or a scalar out of range.
pub(crate) fn scalar_error(len: usize, what: &str) -> RolesError {
    if len != SCALAR_LEN {
        RolesError::Suite(format!("P-256 {what} key of {len} bytes, expected {SCALAR_LEN}"))
    } else {
        RolesError::Suite(format!("P-256 {what} key is zero or not below the group order"))
    }
}

/// A public encryption key from its wire bytes: exactly a compressed point, which `parse` (the
/// provider's) turns into its key, or `None` when it is not a point on the curve.
pub(crate) fn decode_public<K>(bytes: &[u8], parse: impl FnOnce(&[u8]) -> Option<K>) -> Result<K> {
    if bytes.len() != POINT_LEN {
        return Err(RolesError::Suite(format!(
            "P-256 public key of {} bytes, expected a {POINT_LEN}-byte compressed point",
            bytes.len()
        )));
    }
    parse(bytes).ok_or_else(|| RolesError::Suite("P-256 public key is not a compressed curve point".into()))
}

/// Length of an uncompressed SEC1 point (`04 || x || y`): a CP's key as the Cloud relays it in
/// the roster.
pub const UNCOMPRESSED_LEN: usize = 1 + 2 * SCALAR_LEN;

/// A public key of the roster: exactly an uncompressed SEC1 point on the curve (`parse` checks
/// the curve equation).
pub(crate) fn decode_relayed<K>(bytes: &[u8], parse: impl FnOnce(&[u8]) -> Option<K>) -> Result<K> {
    if bytes.len() != UNCOMPRESSED_LEN || bytes[0] != 0x04 {
        return Err(RolesError::Suite(format!(
            "P-256 public key of {} bytes in the roster, expected a {UNCOMPRESSED_LEN}-byte uncompressed point",
            bytes.len()
        )));
    }
    parse(bytes).ok_or_else(|| RolesError::Suite("P-256 public key in the roster is not a curve point".into()))
}

/// ECIES encryption of `msg` with `label` (see the module docs), counted as one
/// `enc` ([`ecies::seal`]): `ephemeral` is the provider's steps 1 to 3 (draw `e` from the rng, give
/// `E_c` and the derived key); the nonce is drawn next, then the ciphertext laid out as
/// `E_c || nonce || body || tag`.
pub(crate) fn encrypt<G: Gcm>(
    label: &[u8],
    msg: &[u8],
    rng: &mut DsmpcRng,
    ephemeral: impl FnOnce(&mut DsmpcRng) -> Result<([u8; POINT_LEN], Zeroizing<[u8; 32]>)>,
) -> Result<Vec<u8>> {
    ecies::seal::<G, _>(label, msg, rng, ephemeral)
}

/// ECIES decryption of `ct` with `label`, counted as one `dec` ([`ecies::open`]); `None` on any
/// failure. `key_for` is the provider's part: the derived key for the ephemeral point (of
/// compressed shape here; `None` when it is not on the curve). The buffer holds the
/// plaintext: wiped unless it is returned (a failed tag check leaves nothing secret in it,
/// but the path is the same). The early returns depend only on public data (length, point
/// encoding) or on whether the tag check passed.
pub(crate) fn decrypt<G: Gcm>(
    label: &[u8],
    ct: &[u8],
    key_for: impl FnOnce(&[u8]) -> Option<Zeroizing<[u8; 32]>>,
) -> Option<Vec<u8>> {
    ecies::open::<G>(label, ct, POINT_LEN, |e| {
        if is_compressed_shape(e) { key_for(e) } else { None }
    })
}
