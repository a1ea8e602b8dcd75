//! The `num` backend: num-bigint, pure Rust, always compiled.
//!
//! num-bigint has no constant-time exponentiation, so [`Num::pow_mod_secret`] is the ordinary
//! (Montgomery, variable-time) `modpow`; use the `gmp` backend where exponent timing matters.
//! [`Num::wipe`] overwrites the digits in place (no copy of them is made) before truncating,
//! which clears the digits in use but not copies that num-bigint's own arithmetic (a
//! reallocation, the scratch of a division, the spare capacity of a buffer) may have left behind.

use num_bigint::BigUint;

use super::{Backend, BackendKind, ModArith};

/// num-bigint backend marker.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Num;

impl Backend for Num {
    type Int = BigUint;
    const KIND: BackendKind = BackendKind::Num;
    const CONSTANT_TIME_SECRET_POW: bool = false;
    type Arith = NumArith;

    fn from_u64(v: u64) -> BigUint {
        BigUint::from(v)
    }
    fn from_be_bytes(bytes: &[u8]) -> BigUint {
        // `BigUint::from_bytes_be` reverses a copy of the bytes and frees it unwiped; build the
        // digits in a buffer that is wiped instead (the bytes are often a secret).
        let mut digits: Vec<u32> = bytes
            .rchunks(4)
            .map(|c| c.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
            .collect();
        let x = BigUint::from_slice(&digits);
        zeroize::Zeroize::zeroize(&mut digits);
        x
    }
    fn to_be_bytes(x: &BigUint) -> Vec<u8> {
        if x.bits() == 0 { Vec::new() } else { x.to_bytes_be() }
    }
    /// As the default, without the minimal encoding: the digits go into `len` bytes through a
    /// zeroed buffer of whole limbs. The work still grows with the number of digits (num-bigint
    /// keeps no leading zero digits and reads them only by iteration), but by a few instructions
    /// per digit instead of a copy, a wipe and a free of the minimal encoding's bytes.
    fn to_be_bytes_padded(x: &BigUint, len: usize) -> crate::error::Result<Vec<u8>> {
        let bits = x.bits();
        if bits > len as u64 * 8 {
            return Err(crate::error::CoreError::TooLarge {
                bytes: bits.div_ceil(8) as usize,
                max: len,
            });
        }
        let mut limbs = zeroize::Zeroizing::new(vec![0u64; len.div_ceil(8)]);
        for (slot, d) in limbs.iter_mut().zip(x.iter_u64_digits()) {
            *slot = d;
        }
        let mut out = vec![0u8; len];
        for (chunk, limb) in out.rchunks_mut(8).zip(limbs.iter()) {
            chunk.copy_from_slice(&limb.to_be_bytes()[8 - chunk.len()..]);
        }
        Ok(out)
    }
    fn to_u64(x: &BigUint) -> Option<u64> {
        let d = x.to_u64_digits();
        match d.len() {
            0 => Some(0),
            1 => Some(d[0]),
            _ => None,
        }
    }
    fn bits(x: &BigUint) -> u64 {
        x.bits()
    }
    fn add(a: &BigUint, b: &BigUint) -> BigUint {
        a + b
    }
    fn sub(a: &BigUint, b: &BigUint) -> BigUint {
        a - b
    }
    fn mul(a: &BigUint, b: &BigUint) -> BigUint {
        a * b
    }
    fn rem(a: &BigUint, m: &BigUint) -> BigUint {
        a % m
    }
    fn div(a: &BigUint, b: &BigUint) -> BigUint {
        a / b
    }
    fn mul_mod(a: &BigUint, b: &BigUint, m: &BigUint) -> BigUint {
        // The unreduced product may be a secret (a share times 1): wiped, not just freed.
        let mut t = a * b;
        let r = &t % m;
        Num::wipe(&mut t);
        r
    }
    fn pow_mod(base: &BigUint, exp: &BigUint, m: &BigUint) -> BigUint {
        base.modpow(exp, m)
    }
    fn pow_mod_secret(base: &BigUint, exp: &BigUint, m: &BigUint) -> BigUint {
        // No constant-time path in num-bigint (documented above).
        base.modpow(exp, m)
    }
    fn inv_mod(a: &BigUint, m: &BigUint) -> Option<BigUint> {
        a.modinv(m)
    }
    fn jacobi(a: &BigUint, n: &BigUint) -> i32 {
        jacobi_num(a, n)
    }
    fn is_probable_prime(x: &BigUint, reps: u32) -> bool {
        super::miller_rabin::<Num>(x, reps)
    }
    fn wipe(x: &mut BigUint) {
        // Count the digits without copying them, then overwrite them in place: as many zero
        // u32 words as the value has, so the allocation is reused (never grown, which would
        // move the secret first).
        let words = x.iter_u32_digits().len();
        if words > 0 {
            x.assign_from_slice(&vec![0u32; words]);
        }
    }
}

/// [`ModArith`] on num-bigint: plain residues, `a * b % m` as the backend's `mul_mod` (num-bigint
/// keeps its Montgomery code inside `modpow`). Like every num-bigint product here, the values a
/// chain of multiplications replaces are freed unwiped; only what the caller holds at the end is
/// wiped.
#[derive(Clone, Debug)]
pub struct NumArith {
    m: BigUint,
    limbs: usize,
}

impl ModArith for NumArith {
    type Int = BigUint;
    type Elem = BigUint;

    fn new(m: &BigUint) -> Self {
        NumArith {
            m: m.clone(),
            limbs: (m.bits() as usize).div_ceil(64).max(1),
        }
    }
    fn modulus(&self) -> &BigUint {
        &self.m
    }
    fn limbs(&self) -> usize {
        self.limbs
    }
    fn enter(&self, x: &BigUint) -> BigUint {
        x % &self.m
    }
    fn leave(&self, x: &BigUint) -> BigUint {
        x.clone()
    }
    fn one(&self) -> BigUint {
        BigUint::from(1u8) % &self.m
    }
    fn mul_assign(&self, a: &mut BigUint, b: &BigUint) {
        // As the backend's `mul_mod`: the replaced value is not wiped (best effort, see the
        // module docs); callers wipe what they hold at the end.
        *a = &*a * b % &self.m;
    }
    fn square_assign(&self, a: &mut BigUint) {
        *a = &*a * &*a % &self.m;
    }
    fn write_limbs(&self, x: &BigUint, out: &mut [u64]) {
        out.iter_mut().for_each(|l| *l = 0);
        for (o, d) in out.iter_mut().zip(x.iter_u64_digits()) {
            *o = d;
        }
    }
    fn read_limbs(&self, x: &mut BigUint, limbs: &[u64]) {
        *x = Num::from_limbs_le(limbs);
    }
    fn wipe(x: &mut BigUint) {
        Num::wipe(x);
    }
}

/// The low 32 bits, without allocating.
fn low_u32(x: &BigUint) -> u32 {
    x.iter_u32_digits().next().unwrap_or(0)
}

/// Binary Jacobi symbol algorithm (Cohen, Algorithm 1.4.10), allocation-free apart from the
/// remainders.
fn jacobi_num(a: &BigUint, n: &BigUint) -> i32 {
    let mut a = a % n;
    let mut n = n.clone();
    let mut t = 1i32;
    while a.bits() != 0 {
        let tz = a.trailing_zeros().unwrap_or(0);
        if tz > 0 {
            a >>= tz;
            let n8 = low_u32(&n) & 7;
            if tz % 2 == 1 && (n8 == 3 || n8 == 5) {
                t = -t;
            }
        }
        std::mem::swap(&mut a, &mut n);
        if low_u32(&a) & 3 == 3 && low_u32(&n) & 3 == 3 {
            t = -t;
        }
        a %= &n;
    }
    if n.bits() == 1 { t } else { 0 }
}
