//! The ECIES ciphertext the elliptic-curve suites share ([`crate::suite::p256`],
//! [`crate::suite::x25519`]): the sender's ephemeral point, a random 12-byte nonce drawn after
//! it, and AES-256-GCM under the derived key with the label as associated data:
//!
//! ```text
//! | point (33 with P-256, 32 with X25519) | nonce (12) | body (len bytes) | tag (16) |
//! ```
//!
//! The suites differ only in the point and the key derivation, which they pass in as closures;
//! the layout, the nonce, the AEAD, the operation counts and the wiping of the plaintext are
//! here, once.

use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::DsmpcRng;
use rand_core::Rng;
use zeroize::Zeroizing;

use crate::error::{Result, RolesError};

/// Length of the AES-GCM nonce.
pub const NONCE_LEN: usize = 12;
/// Length of the AES-GCM tag.
pub const TAG_LEN: usize = 16;

/// AES-256-GCM as a provider offers it, all the ECIES layout needs.
pub(crate) trait Gcm: Sized {
    /// The cipher of a 32-byte key (`None`: the provider refused it).
    fn new(key: &[u8; 32]) -> Option<Self>;
    /// Encrypt `body` in place; the tag.
    fn seal(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], body: &mut [u8]) -> Option<[u8; TAG_LEN]>;
    /// Decrypt `sealed` (`body || tag`) in place; the plaintext's length, `None` on a tag
    /// mismatch.
    fn open(&self, nonce: &[u8; NONCE_LEN], aad: &[u8], sealed: &mut [u8]) -> Option<usize>;
}

/// Encryption of `msg` with `label`, counted as one [`Op::Encrypt`]: `ephemeral` is the suite's
/// part (draw or take the sender key, give its point and the key derived for the recipient);
/// the nonce is drawn next, then the ciphertext laid out as `point || nonce || body || tag`.
pub(crate) fn seal<G: Gcm, P: AsRef<[u8]>>(
    label: &[u8],
    msg: &[u8],
    rng: &mut DsmpcRng,
    ephemeral: impl FnOnce(&mut DsmpcRng) -> Result<(P, Zeroizing<[u8; 32]>)>,
) -> Result<Vec<u8>> {
    counters::record(Op::Encrypt);
    let (point, key) = ephemeral(rng)?;
    let point = point.as_ref();
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    let cipher = G::new(&key).ok_or_else(|| RolesError::Suite("AES-256-GCM key setup failed".into()))?;
    let mut out = Vec::with_capacity(point.len() + NONCE_LEN + msg.len() + TAG_LEN);
    out.extend_from_slice(point);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(msg);
    let tag = cipher
        .seal(&nonce, label, &mut out[point.len() + NONCE_LEN..])
        .ok_or_else(|| RolesError::Suite(format!("AES-256-GCM cannot encrypt {} bytes", msg.len())))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Decryption of `ct` with `label`, counted as one [`Op::Decrypt`]; `None` on any failure.
/// `key_for` is the suite's part: the derived key for the ephemeral point (the first
/// `point_len` bytes; `None` when the suite refuses it). The buffer holds the plaintext: wiped
/// unless it is returned. The early returns depend only on public data (length, the point) or
/// on whether the tag check passed.
pub(crate) fn open<G: Gcm>(
    label: &[u8],
    ct: &[u8],
    point_len: usize,
    key_for: impl FnOnce(&[u8]) -> Option<Zeroizing<[u8; 32]>>,
) -> Option<Vec<u8>> {
    counters::record(Op::Decrypt);
    if ct.len() < point_len + NONCE_LEN + TAG_LEN {
        return None;
    }
    let (ephemeral, rest) = ct.split_at(point_len);
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let key = key_for(ephemeral)?;
    let mut buf = Zeroizing::new(sealed.to_vec());
    let plain_len = G::new(&key)?.open(nonce.try_into().ok()?, label, &mut buf)?;
    debug_assert_eq!(plain_len + TAG_LEN, sealed.len());
    buf.truncate(plain_len);
    Some(std::mem::take(&mut *buf))
}
