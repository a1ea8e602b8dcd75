//! Vector shares on the wire: one public-key encryption per (DP, CP) pair, the vector under an
//! AEAD, and the scalar a PVSS attachment is made on.
//!
//! A DP deals its encoded input (d elements of [`F64`]) with [`dsmpc_core::vshare::deal`]: the
//! first t-1 CPs of the roster get a 32-byte seed their share vector is expanded from, the
//! others an explicit vector. Either way the packet's `eshare` is
//!
//! ```text
//! u32 BE  length of the suite ciphertext
//! ...     Enc_pk(tag || secret) under the share label (task, DP, index): tag 0 = seed, 1 = key
//! ...     tag 1 only: AES-256-GCM(key = SHA-256("dsmpc/v1/vector-key/" || secret), nonce 0,
//!         associated data = the label, the 8-byte little-endian elements), 16-byte tag last
//! ```
//!
//! The key is fresh for every message, so the fixed nonce is never reused under one key. A CP's
//! upload to the Edge is the same with tag 1 and its sum vector, under the result label.
//!
//! The PVSS attachment (every mode but `vss`, which commits instead: `check/vss_vector.rs`) is
//! made on one scalar per pair, [`combination`]: a random linear combination of the share vector
//! in F64 whose
//! coefficients are drawn from a hash of the label and the whole `eshare`, so they are fixed
//! only once the DP has committed to its ciphertext. The CP recomputes it from what it
//! decrypted; the mode's check of `E`, `C` and `r` then runs on it unchanged. What that proves
//! for vectors: the attachment (E = pk^z, C = g^z h^r) is consistent with the vector the CP
//! decrypted, up to the chance 1/p that two vectors give the same combination; it does not
//! prove anything about the vector's elements one by one (that is the validation issue's).
//!
//! Counted for the cost model: every byte sealed or opened under the AEAD
//! ([`Op::AeadByte`], [`seal_aead`] and [`open_aead`]), and a combination's d draws and d
//! multiply-adds ([`Op::F64Draw`], [`Op::F64MulAdd`]).

use aes_gcm::aead::{AeadInOut, KeyInit, Tag};
use aes_gcm::{Aes256Gcm, Nonce};
use dsmpc_core::counters::{self, Op};
use dsmpc_core::field64::F64;
use dsmpc_core::vshare::{self, VShare};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::Result;

mod results;
pub use self::results::Results;
use crate::suite::CipherSuite;
use crate::wire::TaskId;

/// Bytes of a pair's secret (a seed, or the key material of the AEAD key).
pub const SECRET_LEN: usize = 32;
/// Bytes of the AEAD tag.
pub const TAG_LEN: usize = 16;
/// The suite ciphertext's plaintext: a tag byte and the secret.
const KEM_PLAIN: usize = 1 + SECRET_LEN;
const TAG_SEED: u8 = 0;
const TAG_KEY: u8 = 1;

/// Why a vector ciphertext was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// It does not decrypt (suite ciphertext or AEAD), or its framing is cut short.
    Undecryptable(String),
    /// It decrypts to something of the wrong shape: a vector of the wrong length, an element
    /// not below p, a seed where a vector must be.
    Malformed(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Undecryptable(s) | Refused::Malformed(s) => f.write_str(s),
        }
    }
}

/// What binds a DP's seed expansions: the task and the DP (the point is mixed in by `vshare`).
pub fn seed_context(task: &TaskId, dp: u32) -> Vec<u8> {
    let mut v = b"dsmpc/v1/vector-seed/".to_vec();
    v.extend_from_slice(task);
    v.extend_from_slice(&dp.to_be_bytes());
    v
}

fn aead_key(secret: &[u8; SECRET_LEN]) -> Zeroizing<[u8; 32]> {
    let mut h = Sha256::new();
    h.update(b"dsmpc/v1/vector-key/");
    h.update(secret);
    Zeroizing::new(h.finalize().into())
}

/// What a sealed vector ciphertext carries: a seed, or a body of encoded elements.
#[derive(Clone, Copy)]
pub enum Body<'a> {
    /// A seed, sent in the key ciphertext alone.
    Seed(&'a [u8; SECRET_LEN]),
    /// Encoded elements, sent under the AEAD.
    Bytes(&'a [u8]),
}

/// Seal one share (or an upload's sum, as [`VShare::Explicit`]) for `pk` under `label`.
pub fn seal<S: CipherSuite>(
    suite: &S,
    sender: Option<&S::EncPrivate>,
    pk: &S::EncPublic,
    label: &[u8],
    share: &VShare,
    rng: &mut dsmpc_core::rng::DsmpcRng,
) -> Result<Vec<u8>> {
    match share {
        VShare::Seed(seed) => seal_body(suite, sender, pk, label, Body::Seed(seed), rng),
        VShare::Explicit(v) => {
            let mut bytes = Zeroizing::new(Vec::with_capacity(v.len() * F64::LEN));
            for x in v.iter() {
                bytes.extend_from_slice(&x.to_bytes());
            }
            seal_body(suite, sender, pk, label, Body::Bytes(&bytes), rng)
        }
    }
}

/// Seal a seed or a body of encoded elements for `pk` under `label` (the layout above).
pub fn seal_body<S: CipherSuite>(
    suite: &S,
    sender: Option<&S::EncPrivate>,
    pk: &S::EncPublic,
    label: &[u8],
    body: Body<'_>,
    rng: &mut dsmpc_core::rng::DsmpcRng,
) -> Result<Vec<u8>> {
    let mut plain = Zeroizing::new([0u8; KEM_PLAIN]);
    match body {
        Body::Seed(seed) => {
            plain[0] = TAG_SEED;
            plain[1..].copy_from_slice(&seed[..]);
        }
        Body::Bytes(_) => {
            plain[0] = TAG_KEY;
            rng.fill_bytes(&mut plain[1..]);
        }
    }
    let kem = suite.encrypt_from(sender, pk, label, &plain[..], rng)?;
    let body_len = match body {
        Body::Seed(_) => 0,
        Body::Bytes(b) => b.len() + TAG_LEN,
    };
    let mut out = Vec::with_capacity(4 + kem.len() + body_len);
    out.extend_from_slice(&(kem.len() as u32).to_be_bytes());
    out.extend_from_slice(&kem);
    if let Body::Bytes(b) = body {
        let start = out.len();
        out.extend_from_slice(b);
        let secret: &[u8; SECRET_LEN] = plain[1..].try_into().expect("32 bytes");
        let tag = seal_aead(secret, label, &mut out[start..])?;
        out.extend_from_slice(&tag);
    }
    Ok(out)
}

/// Encrypt `buf` in place under the key of `secret` with `label` as associated data; the tag.
/// Counted: `buf.len()` [`Op::AeadByte`].
pub(crate) fn seal_aead(secret: &[u8; SECRET_LEN], label: &[u8], buf: &mut [u8]) -> Result<[u8; TAG_LEN]> {
    counters::record_n(Op::AeadByte, buf.len() as u64);
    let key = aead_key(secret);
    let aead = Aes256Gcm::new_from_slice(&key[..]).expect("a 32-byte key");
    let tag = aead
        .encrypt_inout_detached(&Nonce::from([0u8; 12]), label, buf.into())
        .map_err(|_| crate::error::RolesError::Suite("AES-GCM refused to seal a vector".into()))?;
    Ok(tag.into())
}

/// What a sealed vector ciphertext opened to.
pub enum Opened {
    /// A seed.
    Seed(Zeroizing<[u8; SECRET_LEN]>),
    /// The body's encoded elements, authenticated.
    Bytes(Zeroizing<Vec<u8>>),
}

/// Open a sealed share or upload: the `elements`-long vector it carries (a seed is expanded
/// with `context` and `point`; `seed_ok` false refuses seeds, as for uploads).
#[allow(clippy::too_many_arguments)]
pub fn open<S: CipherSuite>(
    suite: &S,
    sk: &S::EncPrivate,
    label: &[u8],
    sealed: &[u8],
    elements: usize,
    seed: Option<(&[u8], u64)>,
    rng: &mut dsmpc_core::rng::DsmpcRng,
) -> std::result::Result<Zeroizing<Vec<F64>>, Refused> {
    match open_body(suite, sk, label, sealed, F64::LEN, elements, rng)? {
        Opened::Seed(secret) => match seed {
            Some((context, point)) => Ok(vshare::expand(&secret, context, point, elements)),
            None => Err(Refused::Malformed("a seed where a vector must be".into())),
        },
        Opened::Bytes(buf) => {
            let mut out = Zeroizing::new(Vec::with_capacity(elements));
            for (i, c) in buf.chunks_exact(F64::LEN).enumerate() {
                let x = F64::from_bytes(c.try_into().expect("8 bytes"))
                    .ok_or_else(|| Refused::Malformed(format!("element {} is not below p", i + 1)))?;
                out.push(x);
            }
            Ok(out)
        }
    }
}

/// Open a sealed seed or body of `elements` elements of `width` bytes each (the body is
/// authenticated and its length checked; the elements are the caller's to decode).
pub fn open_body<S: CipherSuite>(
    suite: &S,
    sk: &S::EncPrivate,
    label: &[u8],
    sealed: &[u8],
    width: usize,
    elements: usize,
    rng: &mut dsmpc_core::rng::DsmpcRng,
) -> std::result::Result<Opened, Refused> {
    let cut = |what: &str| Refused::Undecryptable(format!("the vector ciphertext is cut short ({what})"));
    let (len, rest) = sealed.split_first_chunk::<4>().ok_or_else(|| cut("no length"))?;
    let len = u32::from_be_bytes(*len) as usize;
    let want = suite.ciphertext_len(KEM_PLAIN);
    if len != want {
        return Err(Refused::Malformed(format!(
            "a key ciphertext of {len} bytes, not {want}"
        )));
    }
    let (kem, body) = rest.split_at_checked(len).ok_or_else(|| cut("key ciphertext"))?;
    let plain = suite.decrypt(sk, label, kem, rng).map(Zeroizing::new).ok_or_else(|| {
        Refused::Undecryptable("the key ciphertext does not decrypt under this CP's key and label".into())
    })?;
    if plain.len() != KEM_PLAIN {
        return Err(Refused::Malformed(format!("a key plaintext of {} bytes", plain.len())));
    }
    let secret: &[u8; SECRET_LEN] = plain[1..].try_into().expect("32 bytes");
    match plain[0] {
        TAG_SEED if body.is_empty() => Ok(Opened::Seed(Zeroizing::new(*secret))),
        TAG_SEED => Err(Refused::Malformed(format!(
            "a seed followed by {} more bytes",
            body.len()
        ))),
        TAG_KEY => open_aead(secret, label, body, width, elements).map(Opened::Bytes),
        tag => Err(Refused::Malformed(format!("unknown vector tag {tag}"))),
    }
}

/// Open an AEAD body of `elements` elements of `width` bytes and its tag (checked: the length,
/// then the tag). Counted: the bytes decrypted, [`Op::AeadByte`].
pub(crate) fn open_aead(
    secret: &[u8; SECRET_LEN],
    label: &[u8],
    body: &[u8],
    width: usize,
    elements: usize,
) -> std::result::Result<Zeroizing<Vec<u8>>, Refused> {
    let want = elements * width + TAG_LEN;
    if body.len() < TAG_LEN {
        return Err(Refused::Undecryptable(format!(
            "an AEAD body of {} bytes, shorter than its {TAG_LEN}-byte tag",
            body.len()
        )));
    }
    if !(body.len() - TAG_LEN).is_multiple_of(width) {
        return Err(Refused::Undecryptable(format!(
            "an AEAD body of {} bytes: not a whole number of {width}-byte elements and a {TAG_LEN}-byte tag (cut short or padded)",
            body.len(),
        )));
    }
    if body.len() != want {
        return Err(Refused::Malformed(format!(
            "a share vector of {} elements, not {elements}",
            (body.len() - TAG_LEN) / width
        )));
    }
    let mut buf = Zeroizing::new(body[..body.len() - TAG_LEN].to_vec());
    counters::record_n(Op::AeadByte, buf.len() as u64);
    let tag = Tag::<Aes256Gcm>::try_from(&body[body.len() - TAG_LEN..]).expect("16 bytes");
    let key = aead_key(secret);
    let aead = Aes256Gcm::new_from_slice(&key[..]).expect("a 32-byte key");
    aead.decrypt_inout_detached(&Nonce::from([0u8; 12]), label, (&mut buf[..]).into(), &tag)
        .map_err(|_| Refused::Undecryptable("the share vector fails its AEAD tag (altered or truncated)".into()))?;
    Ok(buf)
}

/// The scalar a pair's PVSS attachment is made on: `sum_e rho_e y_e` in F64, the `rho_e` drawn
/// from SHA-256 of the label and the sealed bytes (so fixed only once the ciphertext is).
pub fn combination(label: &[u8], sealed: &[u8], share: &[F64]) -> F64 {
    let mut h = Sha256::new();
    h.update(b"dsmpc/v1/vector-rlc/");
    h.update((label.len() as u64).to_le_bytes());
    h.update(label);
    h.update(sealed);
    let mut prg = ChaCha20Rng::from_seed(h.finalize().into());
    counters::record_n(Op::F64Draw, share.len() as u64);
    counters::record_n(Op::F64MulAdd, share.len() as u64);
    let mut acc = F64::ZERO;
    for y in share {
        acc += F64::random(&mut prg) * *y;
    }
    acc
}

#[cfg(test)]
mod tests {
    use dsmpc_core::rng;

    use super::*;
    use crate::suite::rustcrypto::X25519Suite;

    const LABEL: &[u8] = b"dsmpc/v1/share/test";

    fn keys() -> (
        X25519Suite,
        <X25519Suite as CipherSuite>::EncPrivate,
        dsmpc_core::rng::DsmpcRng,
    ) {
        let mut r = rng::seeded(5, "vector tests");
        let s = X25519Suite;
        let sk = s.generate_enc(&mut r).unwrap();
        (s, sk, r)
    }

    fn sealed(
        v: &[F64],
    ) -> (
        X25519Suite,
        <X25519Suite as CipherSuite>::EncPrivate,
        Vec<u8>,
        dsmpc_core::rng::DsmpcRng,
    ) {
        let (s, sk, mut r) = keys();
        let share = VShare::Explicit(Zeroizing::new(v.to_vec()));
        let ct = seal(&s, None, &s.enc_public(&sk), LABEL, &share, &mut r).unwrap();
        (s, sk, ct, r)
    }

    fn vector(d: u64) -> Vec<F64> {
        (0..d).map(|i| F64::new(i * 0x1234_5678_9abc + 7)).collect()
    }

    #[test]
    fn round_trip_and_size() {
        let v = vector(10);
        let (s, sk, ct, mut r) = sealed(&v);
        assert_eq!(ct.len(), 4 + s.ciphertext_len(KEM_PLAIN) + 10 * 8 + TAG_LEN);
        assert_eq!(*open(&s, &sk, LABEL, &ct, 10, None, &mut r).unwrap(), v);
        // A seed opens to its expansion.
        let seed = VShare::Seed(Zeroizing::new([9u8; 32]));
        let ct = seal(&s, None, &s.enc_public(&sk), LABEL, &seed, &mut r).unwrap();
        let got = open(&s, &sk, LABEL, &ct, 6, Some((b"ctx", 3)), &mut r).unwrap();
        assert_eq!(*got, *vshare::expand(&[9u8; 32], b"ctx", 3, 6));
        // ... but not where a vector must be (an upload).
        assert!(matches!(
            open(&s, &sk, LABEL, &ct, 6, None, &mut r),
            Err(Refused::Malformed(_))
        ));
    }

    #[test]
    fn wrong_lengths_truncations_and_alterations_are_refused() {
        let v = vector(10);
        let (s, sk, ct, mut r) = sealed(&v);
        let mut open_it = |bytes: &[u8], d: usize| open(&s, &sk, LABEL, bytes, d, None, &mut r);
        // The receiver expects another length.
        let e = open_it(&ct, 11).unwrap_err();
        assert_eq!(e, Refused::Malformed("a share vector of 10 elements, not 11".into()));
        // Cut anywhere: in the length, the key ciphertext, the body, the tag.
        for cut in [0, 2, 10, ct.len() - 90, ct.len() - 16, ct.len() - 5, ct.len() - 1] {
            assert!(open_it(&ct[..cut], 10).is_err(), "cut to {cut} bytes");
        }
        let e = open_it(&ct[..ct.len() - 5], 10).unwrap_err();
        assert!(matches!(e, Refused::Undecryptable(_)), "{e:?}");
        // One element more, appended.
        let mut longer = ct.clone();
        longer.extend_from_slice(&[0; 8]);
        assert!(matches!(open_it(&longer, 10), Err(Refused::Malformed(_))));
        // Any flipped bit in the body or tag fails the AEAD; in the key ciphertext, its decryption.
        for pos in [4, 40, ct.len() - 40, ct.len() - 1] {
            let mut bad = ct.clone();
            bad[pos] ^= 1;
            assert!(open_it(&bad, 10).is_err(), "bit flipped at {pos}");
        }
        // Another label (task, DP or index) does not open it.
        assert!(open(&s, &sk, b"dsmpc/v1/share/other", &ct, 10, None, &mut r).is_err());
    }

    #[test]
    fn an_element_not_below_p_is_refused_after_the_tag() {
        // Sealed by hand: a correct AEAD over an element equal to p.
        let (s, sk, mut r) = keys();
        let mut plain = Zeroizing::new([0u8; KEM_PLAIN]);
        plain[0] = TAG_KEY;
        let kem = s.encrypt(&s.enc_public(&sk), LABEL, &plain[..], &mut r).unwrap();
        let mut body = dsmpc_core::field64::P.to_le_bytes().to_vec();
        let key = aead_key(&[0u8; 32]);
        let tag = Aes256Gcm::new_from_slice(&key[..])
            .unwrap()
            .encrypt_inout_detached(&Nonce::from([0u8; 12]), LABEL, (&mut body[..]).into())
            .unwrap();
        let mut ct = (kem.len() as u32).to_be_bytes().to_vec();
        ct.extend_from_slice(&kem);
        ct.extend_from_slice(&body);
        ct.extend_from_slice(&tag);
        let e = open(&s, &sk, LABEL, &ct, 1, None, &mut r).unwrap_err();
        assert_eq!(e, Refused::Malformed("element 1 is not below p".into()));
    }

    #[test]
    fn the_combination_depends_on_every_coordinate_and_on_the_ciphertext() {
        let v = vector(50);
        let z = combination(LABEL, b"ct", &v);
        for j in [0, 17, 49] {
            let mut w = v.clone();
            w[j] += F64::ONE;
            assert_ne!(combination(LABEL, b"ct", &w), z, "coordinate {j}");
        }
        assert_ne!(combination(LABEL, b"cu", &v), z);
        assert_ne!(combination(b"other", b"ct", &v), z);
    }
}
