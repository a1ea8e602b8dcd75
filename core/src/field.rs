//! Z_q, the prime field of Shamir shares, whose modulus is the PVSS subgroup order q.
//!
//! Elements are plain backend integers kept reduced into `[0, q)`; [`Zq`] holds the modulus
//! and does the arithmetic. Sharing one q between the field and the group is what makes the
//! commitments `g^y h^r` homomorphic over shares.

use rand_core::Rng;

use crate::backend::Backend;
use crate::error::{CoreError, Result};

/// The field Z_q over backend `B`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zq<B: Backend> {
    q: B::Int,
    bytes: usize,
}

impl<B: Backend> Zq<B> {
    /// The field with prime modulus `q`.
    pub fn new(q: B::Int) -> Self {
        let bytes = B::bits(&q).div_ceil(8) as usize;
        Zq { q, bytes }
    }
    /// The modulus.
    pub fn modulus(&self) -> &B::Int {
        &self.q
    }
    /// Bytes of a fixed-length element encoding.
    pub fn element_len(&self) -> usize {
        self.bytes
    }
    /// The inverse of 2, `(q + 1) / 2` (q is an odd prime): `x * half` is `x / 2` in Z_q.
    pub fn half(&self) -> B::Int {
        B::div(&B::add(&self.q, &B::from_u64(1)), &B::from_u64(2))
    }
    /// `v mod q`.
    pub fn from_u64(&self, v: u64) -> B::Int {
        B::rem(&B::from_u64(v), &self.q)
    }
    /// `v mod q` for a signed value (`q - (-v mod q)` for a negative one).
    pub fn from_i128(&self, v: i128) -> B::Int {
        let m = B::rem(&B::from_be_bytes(&v.unsigned_abs().to_be_bytes()), &self.q);
        if v < 0 { self.neg(&m) } else { m }
    }
    /// `x` if it is below q, else [`CoreError::NotInField`].
    pub fn check(&self, x: B::Int, what: &'static str) -> Result<B::Int> {
        if x < self.q {
            Ok(x)
        } else {
            Err(CoreError::NotInField { what })
        }
    }
    /// `a + b mod q`.
    pub fn add(&self, a: &B::Int, b: &B::Int) -> B::Int {
        let s = B::add(a, b);
        if s >= self.q { B::sub(&s, &self.q) } else { s }
    }
    /// `a - b mod q`.
    pub fn sub(&self, a: &B::Int, b: &B::Int) -> B::Int {
        if a >= b {
            B::sub(a, b)
        } else {
            B::sub(&B::add(a, &self.q), b)
        }
    }
    /// `-a mod q`.
    pub fn neg(&self, a: &B::Int) -> B::Int {
        if B::is_zero(a) { a.clone() } else { B::sub(&self.q, a) }
    }
    /// `a * b mod q`.
    pub fn mul(&self, a: &B::Int, b: &B::Int) -> B::Int {
        B::mul_mod(a, b, &self.q)
    }
    /// `a^-1 mod q` for a public value (variable-time), `None` for zero.
    pub fn inv(&self, a: &B::Int) -> Option<B::Int> {
        if B::is_zero(a) { None } else { B::inv_mod(a, &self.q) }
    }
    /// `a^-1 mod q` for a secret value, computed as `a^(q-2)` on the backend's constant-time
    /// exponentiation (GMP's inverse is variable-time). `None` for zero.
    pub fn inv_secret(&self, a: &B::Int) -> Option<B::Int> {
        if B::is_zero(a) {
            return None;
        }
        let e = B::sub(&self.q, &B::from_u64(2));
        Some(B::pow_mod_secret(a, &e, &self.q))
    }
    /// A uniformly random element (512 random bits reduced mod q: bias below 2^-256).
    pub fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> B::Int {
        let mut buf = [0u8; 64];
        rng.fill_bytes(&mut buf);
        let x = B::rem(&B::from_be_bytes(&buf), &self.q);
        zeroize::Zeroize::zeroize(&mut buf);
        x
    }
    /// A uniformly random non-zero element.
    pub fn random_nonzero<R: Rng + ?Sized>(&self, rng: &mut R) -> B::Int {
        loop {
            let x = self.random(rng);
            if !B::is_zero(&x) {
                return x;
            }
        }
    }
    /// Fixed-length big-endian encoding of an element.
    pub fn to_bytes(&self, x: &B::Int) -> Vec<u8> {
        // Elements are < q, so they always fit.
        B::to_be_bytes_padded(x, self.bytes).unwrap_or_default()
    }
    /// Decode a fixed-length element, rejecting values >= q.
    pub fn from_bytes(&self, bytes: &[u8], what: &'static str) -> Result<B::Int> {
        self.check(B::from_be_bytes(bytes), what)
    }
}
