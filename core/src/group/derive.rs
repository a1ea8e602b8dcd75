//! How the shipped Schnorr groups are derived from a public seed string, so anyone can
//! re-derive them and convince themselves nothing is hidden in them.
//!
//! With `S = "dsmpc/schnorr-group/v1"` and `H(label, n)` the first n bits of
//! `SHA-256(label || 0u32) || SHA-256(label || 1u32) || ...` (big-endian counters):
//!
//! 1. `q` = the first prime `>= H(S/q, 256) | 2^255`, stepping by 2 from an odd start.
//! 2. For |p| = L: the cofactor range is `[lo, hi] = [ceil(2^(L-1) / 2q), floor((2^L - 1) / 2q)]`;
//!    `r0 = lo + (H(S/r/L, L) mod (hi - lo))`, made odd; `r = r0 + 2k` for the least `k >= 0`
//!    with r and `p = 2qr + 1` both prime (a sieve of small primes skips most candidates).
//! 3. `g = x^(2r) mod p` with `x = H(S/g/L/c, L + 128) mod p` for the least counter `c >= 0`
//!    giving `g != 1`; `h` likewise with label `S/h/L/c`.
//!
//! The constants in [`super::params`] record `k` and the counters, so a test can recompute
//! r, g and h from the seed cheaply; recomputing k from scratch is `dsmpc params --derive`.

use sha2::{Digest, Sha256};

use crate::backend::Backend;

/// The public seed string of every shipped group.
pub const SEED: &str = "dsmpc/schnorr-group/v1";

/// The outcome of a derivation.
#[derive(Clone, Debug)]
pub struct Derived<B: Backend> {
    /// Bits of p.
    pub bits: u32,
    /// The modulus.
    pub p: B::Int,
    /// The subgroup order (256 bits).
    pub q: B::Int,
    /// The prime cofactor, `p = 2qr + 1`.
    pub r: B::Int,
    /// Steps of 2 from the hashed start to r.
    pub r_steps: u64,
    /// Generator g and its hash counter.
    pub g: B::Int,
    /// Counter used for g.
    pub g_ctr: u32,
    /// Generator h.
    pub h: B::Int,
    /// Counter used for h.
    pub h_ctr: u32,
}

/// `H(label, bits)` as an integer.
pub fn hash_to_int<B: Backend>(label: &str, bits: u32) -> B::Int {
    let bytes = bits.div_ceil(8) as usize;
    let mut out = Vec::with_capacity(bytes + 32);
    let mut ctr = 0u32;
    while out.len() < bytes {
        let mut h = Sha256::new();
        h.update(label.as_bytes());
        h.update(ctr.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        ctr += 1;
    }
    out.truncate(bytes);
    let extra = bytes as u32 * 8 - bits;
    if extra > 0 {
        out[0] &= 0xff >> extra;
    }
    B::from_be_bytes(&out)
}

fn pow2<B: Backend>(e: u32) -> B::Int {
    let mut bytes = vec![0u8; (e / 8) as usize + 1];
    bytes[0] = 1 << (e % 8);
    B::from_be_bytes(&bytes)
}

/// Step 1: the 256-bit q.
pub fn derive_q<B: Backend>() -> B::Int {
    let mut q = B::add(
        &B::rem(&hash_to_int::<B>(&format!("{SEED}/q"), 256), &pow2::<B>(255)),
        &pow2::<B>(255),
    );
    let two = B::from_u64(2);
    if B::is_zero(&B::rem(&q, &two)) {
        q = B::add(&q, &B::from_u64(1));
    }
    while !B::is_probable_prime(&q, 40) {
        q = B::add(&q, &two);
    }
    q
}

/// The hashed odd start `r0` of step 2.
pub fn r_start<B: Backend>(q: &B::Int, bits: u32) -> B::Int {
    let one = B::from_u64(1);
    let two_q = B::mul(&B::from_u64(2), q);
    let lo = B::div(&B::sub(&B::add(&pow2::<B>(bits - 1), &two_q), &one), &two_q);
    let hi = B::div(&B::sub(&pow2::<B>(bits), &one), &two_q);
    let span = B::sub(&hi, &lo);
    let mut r0 = B::add(
        &lo,
        &B::rem(&hash_to_int::<B>(&format!("{SEED}/r/{bits}"), bits), &span),
    );
    if B::is_zero(&B::rem(&r0, &B::from_u64(2))) {
        r0 = B::add(&r0, &one);
    }
    r0
}

/// Step 3: the generator with label `S/{name}/L/c` for counter c, and c.
pub fn derive_generator<B: Backend>(name: &str, bits: u32, p: &B::Int, r: &B::Int) -> (B::Int, u32) {
    let one = B::from_u64(1);
    let e = B::mul(&B::from_u64(2), r);
    for c in 0u32.. {
        let x = B::rem(&hash_to_int::<B>(&format!("{SEED}/{name}/{bits}/{c}"), bits + 128), p);
        let g = B::pow_mod(&x, &e, p);
        if g != one && !B::is_zero(&g) {
            return (g, c);
        }
    }
    unreachable!("a generator is found within a few counters")
}

/// `p = 2qr + 1`.
pub fn p_from<B: Backend>(q: &B::Int, r: &B::Int) -> B::Int {
    B::add(&B::mul(&B::mul(&B::from_u64(2), q), r), &B::from_u64(1))
}

/// Run the whole derivation for `bits`-bit p. Minutes for 4096 bits with GMP; `progress` is
/// called with the number of candidates tried so far every 4096 candidates.
pub fn derive<B: Backend>(bits: u32, mut progress: impl FnMut(u64)) -> Derived<B> {
    let q = derive_q::<B>();
    let r0 = r_start::<B>(&q, bits);
    let p0 = p_from::<B>(&q, &r0);
    let primes = small_primes(1 << 16);
    // Residues of r and p modulo each small prime; r += 2 moves p by 4q.
    let mut rr: Vec<u64> = primes
        .iter()
        .map(|&s| B::to_u64(&B::rem(&r0, &B::from_u64(s))).unwrap_or(0))
        .collect();
    let mut pr: Vec<u64> = primes
        .iter()
        .map(|&s| B::to_u64(&B::rem(&p0, &B::from_u64(s))).unwrap_or(0))
        .collect();
    let step: Vec<u64> = primes
        .iter()
        .map(|&s| B::to_u64(&B::rem(&B::mul(&B::from_u64(4), &q), &B::from_u64(s))).unwrap_or(0))
        .collect();
    let two = B::from_u64(2);
    let mut k = 0u64;
    let r = loop {
        let sieved = rr.iter().zip(&pr).all(|(a, b)| *a != 0 && *b != 0);
        if sieved {
            let r = B::add(&r0, &B::mul(&two, &B::from_u64(k)));
            if B::is_probable_prime(&r, 25) && B::is_probable_prime(&p_from::<B>(&q, &r), 25) {
                break r;
            }
        }
        for (i, &s) in primes.iter().enumerate() {
            rr[i] = (rr[i] + 2) % s;
            pr[i] = (pr[i] + step[i]) % s;
        }
        k += 1;
        if k.is_multiple_of(4096) {
            progress(k);
        }
    };
    let p = p_from::<B>(&q, &r);
    let (g, g_ctr) = derive_generator::<B>("g", bits, &p, &r);
    let (h, h_ctr) = derive_generator::<B>("h", bits, &p, &r);
    Derived {
        bits,
        p,
        q,
        r,
        r_steps: k,
        g,
        g_ctr,
        h,
        h_ctr,
    }
}

/// Odd primes below `limit`.
fn small_primes(limit: usize) -> Vec<u64> {
    let mut sieve = vec![true; limit];
    let mut out = Vec::new();
    for i in 2..limit {
        if sieve[i] {
            if i > 2 {
                out.push(i as u64);
            }
            let mut j = i * i;
            while j < limit {
                sieve[j] = false;
                j += i;
            }
        }
    }
    out
}
