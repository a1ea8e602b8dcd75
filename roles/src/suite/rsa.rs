//! The RSA suite's format, shared by both providers: the supported modulus sizes, how a
//! plaintext longer than one OAEP block is split, and each block's OAEP label.
//!
//! `Enc` is RSA-OAEP with SHA-256 (hash and MGF1) and the context as OAEP label; `Sign` is
//! RSA-PSS with SHA-256 and a 32-byte salt; the public exponent is always 65537 and a public
//! key goes on the wire as its big-endian modulus, left-padded to the modulus length. A
//! plaintext longer than one OAEP block holds (62 bytes at 1024 bits, as `vss`'s 64-byte share
//! pair) is encrypted block by block, each block's label extended with its position.
//! The providers: [`crate::suite::rustcrypto::RsaSuite`], [`crate::suite::awslc::RsaSuite`].

use dsmpc_core::counters::{self, Op};
use zeroize::Zeroizing;

use crate::error::{Result, RolesError};

/// Supported modulus sizes (1024 is weak, for comparison only, and `rustcrypto` only).
pub const RSA_BITS: [u32; 4] = [1024, 2048, 3072, 4096];

/// The public exponent of every key.
pub const PUBLIC_EXPONENT: u64 = 65537;

/// The OAEP / PSS hash output length (SHA-256), also the PSS salt length.
pub const HASH_LEN: usize = 32;

/// Checks a modulus size against [`RSA_BITS`].
pub(crate) fn check_bits(bits: u32) -> Result<u32> {
    if RSA_BITS.contains(&bits) {
        Ok(bits)
    } else {
        Err(RolesError::Config(format!(
            "unsupported RSA size {bits}: choose 1024, 2048, 3072 or 4096"
        )))
    }
}

/// The longest plaintext one OAEP-SHA-256 block holds at `bytes`-byte moduli:
/// `bytes - 2 * 32 - 2`.
pub(crate) fn max_block(bytes: usize) -> usize {
    bytes - 2 * HASH_LEN - 2
}

/// Ciphertext length for a plaintext of `len` bytes at `bytes`-byte moduli.
pub(crate) fn ciphertext_len(bytes: usize, len: usize) -> usize {
    len.div_ceil(max_block(bytes)).max(1) * bytes
}

/// The blocks a message is encrypted in: one, unless it is longer than an OAEP block holds.
pub(crate) fn blocks(msg: &[u8], max: usize) -> impl Iterator<Item = &[u8]> {
    let empty: &[u8] = &[];
    let first = msg.is_empty().then_some(empty);
    first.into_iter().chain(msg.chunks(max.max(1)))
}

/// The OAEP label of block i: the message's label for the first block, then the label with
/// `/block/i` appended, so blocks cannot be reordered or moved between messages.
pub(crate) fn block_label(label: &[u8], i: usize) -> Vec<u8> {
    let mut l = label.to_vec();
    if i > 0 {
        l.extend_from_slice(b"/block/");
        l.extend_from_slice(&(i as u32).to_be_bytes());
    }
    l
}

/// `msg` encrypted block by block under `bytes`-byte moduli, counted as one [`Op::Encrypt`] a
/// block: `seal(block, label, dst)` is the provider's OAEP encryption of one [`blocks`] item
/// with its [`block_label`] into `dst` (a modulus long), and gives the length it wrote.
pub(crate) fn encrypt_blocks(
    bytes: usize,
    label: &[u8],
    msg: &[u8],
    mut seal: impl FnMut(&[u8], &[u8], &mut [u8]) -> Result<usize>,
) -> Result<Vec<u8>> {
    let mut out = vec![0u8; ciphertext_len(bytes, msg.len())];
    for (i, (block, dst)) in blocks(msg, max_block(bytes)).zip(out.chunks_mut(bytes)).enumerate() {
        counters::record(Op::Encrypt);
        if seal(block, &block_label(label, i), dst)? != bytes {
            return Err(RolesError::Suite("RSA-OAEP ciphertext of unexpected length".into()));
        }
    }
    Ok(out)
}

/// The plaintext of `ct` (blocks of `bytes`-byte moduli), counted as one [`Op::Decrypt`] a
/// block (one for a ciphertext of no whole block); `None` on any failure.
/// `open(block, label, out)` is the provider's OAEP decryption of one block with its
/// [`block_label`], appending the plaintext to `out`. Plaintexts are secrets: the result is
/// allocated at its largest size so that it never moves, and wiped if a later block fails.
pub(crate) fn decrypt_blocks(
    bytes: usize,
    label: &[u8],
    ct: &[u8],
    mut open: impl FnMut(&[u8], &[u8], &mut Vec<u8>) -> Option<()>,
) -> Option<Vec<u8>> {
    if ct.is_empty() || !ct.len().is_multiple_of(bytes) {
        counters::record(Op::Decrypt);
        return None;
    }
    let mut out = Zeroizing::new(Vec::with_capacity(ct.len()));
    for (i, block) in ct.chunks(bytes).enumerate() {
        counters::record(Op::Decrypt);
        open(block, &block_label(label, i), &mut out)?;
    }
    Some(std::mem::take(&mut *out))
}
