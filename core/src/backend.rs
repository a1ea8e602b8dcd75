//! The big-integer backend contract, and the runtime choice between backends.
//!
//! Everything in this crate that touches multi-precision integers is generic over one
//! [`Backend`]: a zero-sized marker type whose associated [`Backend::Int`] is the integer
//! type and whose associated functions are the operations the protocol needs (modular
//! exponentiation, multiplication, inverse, Jacobi symbol, primality, fixed-length big-endian
//! bytes). There are two implementations, compiled side by side so one binary can compare them:
//!
//! - [`Num`] (`num`): num-bigint, pure Rust, always available. It has **no constant-time
//!   exponentiation**: [`Backend::pow_mod_secret`] falls back to the variable-time path, and
//!   [`Backend::wipe`] is best effort (it overwrites the digits in place).
//! - `Gmp` (`gmp`, behind the additive cargo feature `gmp`): rug over the system libgmp.
//!   Secret exponents go through AWS-LC's `BN_mod_exp_mont_consttime` (GMP's `mpz_powm_sec`
//!   if AWS-LC declines); `wipe` zeroes the limbs.
//!
//! The runtime choice is a [`BackendKind`], turned into a type exactly once per command by
//! [`dispatch_backend!`](crate::dispatch_backend).
//!
//! ```
//! use dsmpc_core::backend::{Backend, Num};
//! let p = Num::from_u64(1_000_003);
//! let x = Num::pow_mod(&Num::from_u64(5), &Num::from_u64(12345), &p);
//! assert_eq!(x, Num::pow_mod_secret(&Num::from_u64(5), &Num::from_u64(12345), &p));
//! assert_eq!(Num::to_be_bytes_padded(&Num::from_u64(258), 4).unwrap(), vec![0, 0, 1, 2]);
//! ```

mod num;
pub use self::num::Num;

#[cfg(feature = "gmp")]
mod awslc_mont;
#[cfg(feature = "gmp")]
mod awslc_pow;
#[cfg(feature = "gmp")]
mod gmp;
#[cfg(feature = "gmp")]
pub use self::gmp::Gmp;

use std::fmt;
use std::str::FromStr;

use crate::error::{CoreError, Result};

/// The operations D-SMPC needs from a big-integer library. All integers are non-negative.
///
/// Implementations are zero-sized marker types; `Int` is the integer. Results of the `_mod`
/// functions are fully reduced into `[0, m)`. Moduli are odd and greater than one wherever
/// this crate calls them.
pub trait Backend: Copy + Clone + fmt::Debug + Default + Send + Sync + 'static {
    /// The multi-precision integer type.
    type Int: Clone + fmt::Debug + PartialEq + Eq + PartialOrd + Ord + Send + Sync + 'static;

    /// Which backend this is.
    const KIND: BackendKind;
    /// Whether [`Backend::pow_mod_secret`] is constant-time in the exponent.
    const CONSTANT_TIME_SECRET_POW: bool;
    /// A modulus prepared for long chains of multiplications (the fixed-base tables and
    /// multi-exponentiations of [`crate::group`]).
    type Arith: ModArith<Int = Self::Int>;

    /// `v` as an integer.
    fn from_u64(v: u64) -> Self::Int;
    /// The integer whose big-endian bytes are `bytes` (leading zeros allowed).
    fn from_be_bytes(bytes: &[u8]) -> Self::Int;
    /// Minimal big-endian bytes of `x` (empty for zero).
    fn to_be_bytes(x: &Self::Int) -> Vec<u8>;
    /// `x` as a `u64`, if it fits.
    fn to_u64(x: &Self::Int) -> Option<u64>;
    /// Number of significant bits (0 for zero).
    fn bits(x: &Self::Int) -> u64;
    /// `a + b`.
    fn add(a: &Self::Int, b: &Self::Int) -> Self::Int;
    /// `a - b`; callers guarantee `a >= b`.
    fn sub(a: &Self::Int, b: &Self::Int) -> Self::Int;
    /// `a * b`.
    fn mul(a: &Self::Int, b: &Self::Int) -> Self::Int;
    /// `a mod m`.
    fn rem(a: &Self::Int, m: &Self::Int) -> Self::Int;
    /// `a / b` rounded down.
    fn div(a: &Self::Int, b: &Self::Int) -> Self::Int;
    /// `a * b mod m`.
    fn mul_mod(a: &Self::Int, b: &Self::Int, m: &Self::Int) -> Self::Int {
        Self::rem(&Self::mul(a, b), m)
    }
    /// `base^exp mod m`, variable-time (public exponents only).
    fn pow_mod(base: &Self::Int, exp: &Self::Int, m: &Self::Int) -> Self::Int;
    /// `base^exp mod m` for a secret exponent: constant-time where
    /// [`Backend::CONSTANT_TIME_SECRET_POW`] says so, otherwise the same as `pow_mod`.
    fn pow_mod_secret(base: &Self::Int, exp: &Self::Int, m: &Self::Int) -> Self::Int;
    /// `a^-1 mod m`, if it exists (variable-time; never used on secrets).
    fn inv_mod(a: &Self::Int, m: &Self::Int) -> Option<Self::Int>;
    /// The Jacobi symbol `(a / n)` for odd `n`: -1, 0 or 1.
    fn jacobi(a: &Self::Int, n: &Self::Int) -> i32;
    /// Miller-Rabin with `reps` rounds (plus whatever the library adds).
    fn is_probable_prime(x: &Self::Int, reps: u32) -> bool;
    /// Overwrite the integer's storage with zeros, then leave it equal to zero.
    fn wipe(x: &mut Self::Int);

    /// The integer whose 64-bit limbs, least significant first, are `limbs`. Callers pass
    /// secrets (a constant-time table's selected entry), so the default's byte copy is wiped.
    fn from_limbs_le(limbs: &[u64]) -> Self::Int {
        let mut be = zeroize::Zeroizing::new(Vec::with_capacity(limbs.len() * 8));
        for l in limbs.iter().rev() {
            be.extend_from_slice(&l.to_be_bytes());
        }
        Self::from_be_bytes(&be)
    }
    /// `x` as exactly `len` big-endian bytes, or an error if it does not fit.
    fn to_be_bytes_padded(x: &Self::Int, len: usize) -> Result<Vec<u8>> {
        // The minimal encoding is wiped once copied (x is often a secret).
        let raw = zeroize::Zeroizing::new(Self::to_be_bytes(x));
        if raw.len() > len {
            return Err(CoreError::TooLarge {
                bytes: raw.len(),
                max: len,
            });
        }
        let mut out = Vec::with_capacity(len);
        out.resize(len - raw.len(), 0);
        out.extend_from_slice(&raw);
        Ok(out)
    }
    /// Lower-case hex, no prefix ("0" for zero).
    fn to_hex(x: &Self::Int) -> String {
        let bytes = Self::to_be_bytes(x);
        if bytes.is_empty() {
            return "0".into();
        }
        let s: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.trim_start_matches('0').to_string()
    }
    /// Parse hex (no prefix, case-insensitive, whitespace ignored).
    fn from_hex(s: &str) -> Result<Self::Int> {
        let digits: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
        if digits.is_empty() {
            return Err(CoreError::BadHex);
        }
        let mut nibbles = Vec::with_capacity(digits.len() + 1);
        if digits.len() % 2 == 1 {
            nibbles.push(0);
        }
        for c in digits {
            nibbles.push(match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return Err(CoreError::BadHex),
            });
        }
        let bytes: Vec<u8> = nibbles.chunks(2).map(|p| (p[0] << 4) | p[1]).collect();
        Ok(Self::from_be_bytes(&bytes))
    }
    /// Whether `x` is zero.
    fn is_zero(x: &Self::Int) -> bool {
        Self::bits(x) == 0
    }
}

/// A fixed odd modulus `m > 1` prepared for many multiplications, with elements in the
/// backend's fastest form: Montgomery form in AWS-LC's `bn_mul_mont` (MULX/ADX kernels) on
/// `gmp`, plain residues on `num`. Elements are fixed-width (`limbs()` 64-bit limbs, least
/// significant first, for [`ModArith::write_limbs`] and [`ModArith::read_limbs`], which the
/// constant-time tables store and select by mask) and always fully reduced, so
/// [`ModArith::leave`] gives the residue in `[0, m)`.
pub trait ModArith: Clone + fmt::Debug + Send + Sync + 'static {
    /// The backend's integer.
    type Int;
    /// An element in the prepared form.
    type Elem: Clone + fmt::Debug + Send + Sync + 'static;
    /// Prepare `m` (odd, greater than one).
    fn new(m: &Self::Int) -> Self;
    /// The modulus.
    fn modulus(&self) -> &Self::Int;
    /// 64-bit limbs of an element.
    fn limbs(&self) -> usize;
    /// `x mod m` in the prepared form.
    fn enter(&self, x: &Self::Int) -> Self::Elem;
    /// The residue in `[0, m)` of an element.
    fn leave(&self, x: &Self::Elem) -> Self::Int;
    /// The element 1.
    fn one(&self) -> Self::Elem;
    /// `a * b mod m`.
    fn mul(&self, a: &Self::Elem, b: &Self::Elem) -> Self::Elem {
        let mut r = a.clone();
        self.mul_assign(&mut r, b);
        r
    }
    /// `a = a * b mod m`.
    fn mul_assign(&self, a: &mut Self::Elem, b: &Self::Elem);
    /// `a = a^2 mod m`.
    fn square_assign(&self, a: &mut Self::Elem);
    /// The element's fixed-width limbs (`out.len() == limbs()`).
    fn write_limbs(&self, x: &Self::Elem, out: &mut [u64]);
    /// Overwrite `x` with the element whose limbs [`ModArith::write_limbs`] gave.
    fn read_limbs(&self, x: &mut Self::Elem, limbs: &[u64]);
    /// Overwrite the element's storage with zeros (it may hold a secret).
    fn wipe(x: &mut Self::Elem);
}

/// The runtime name of a backend, as given on command lines and written in CSV rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BackendKind {
    /// num-bigint (pure Rust).
    Num,
    /// rug / GMP.
    Gmp,
}

impl BackendKind {
    /// Every backend, whether or not this build has it.
    pub const ALL: [BackendKind; 2] = [BackendKind::Num, BackendKind::Gmp];

    /// The name used on command lines and in CSV files.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Num => "num",
            BackendKind::Gmp => "gmp",
        }
    }

    /// Whether this build was compiled with the backend.
    pub fn is_available(self) -> bool {
        match self {
            BackendKind::Num => true,
            BackendKind::Gmp => cfg!(feature = "gmp"),
        }
    }

    /// The backends this build has.
    pub fn available() -> Vec<BackendKind> {
        Self::ALL.into_iter().filter(|b| b.is_available()).collect()
    }

    /// `Ok(self)` if this build has the backend, else an error that says how to get it.
    pub fn ensure_available(self) -> Result<Self> {
        if self.is_available() {
            Ok(self)
        } else {
            Err(CoreError::BackendUnavailable { name: self.name() })
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BackendKind {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "num" | "num-bigint" => Ok(BackendKind::Num),
            "gmp" | "rug" => Ok(BackendKind::Gmp),
            _ => Err(CoreError::UnknownBackend { name: s.to_string() }),
        }
    }
}

/// Run `$body` with the type alias `$B` bound to the backend named by `$kind`, the one place a
/// runtime [`BackendKind`] becomes a type. Evaluates to `Result<T, CoreError>`: an `Err` when the
/// build lacks the backend.
///
/// ```
/// use dsmpc_core::{dispatch_backend, backend::{Backend, BackendKind}};
/// let name = dispatch_backend!(BackendKind::Num, B => B::KIND.name()).unwrap();
/// assert_eq!(name, "num");
/// ```
#[macro_export]
macro_rules! dispatch_backend {
    ($kind:expr, $B:ident => $body:expr) => {{
        match $kind {
            $crate::backend::BackendKind::Num => {
                #[allow(dead_code)]
                type $B = $crate::backend::Num;
                ::core::result::Result::<_, $crate::error::CoreError>::Ok($body)
            }
            $crate::backend::BackendKind::Gmp => $crate::__dispatch_gmp!($B => $body),
        }
    }};
}

#[cfg(feature = "gmp")]
#[doc(hidden)]
#[macro_export]
macro_rules! __dispatch_gmp {
    ($B:ident => $body:expr) => {{
        #[allow(dead_code)]
        type $B = $crate::backend::Gmp;
        ::core::result::Result::<_, $crate::error::CoreError>::Ok($body)
    }};
}

#[cfg(not(feature = "gmp"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __dispatch_gmp {
    ($B:ident => $body:expr) => {
        ::core::result::Result::Err($crate::error::CoreError::BackendUnavailable { name: "gmp" })
    };
}

/// Miller-Rabin over any backend, with bases derived deterministically from `x` (used by
/// backends without a library primality test). Small primes are handled by trial division.
pub(crate) fn miller_rabin<B: Backend>(x: &B::Int, reps: u32) -> bool {
    use sha2::{Digest, Sha256};
    const SMALL: [u64; 15] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47];
    if let Some(v) = B::to_u64(x) {
        if v < 2 {
            return false;
        }
        if SMALL.contains(&v) {
            return true;
        }
    }
    for s in SMALL {
        if B::is_zero(&B::rem(x, &B::from_u64(s))) {
            return false;
        }
    }
    let one = B::from_u64(1);
    let two = B::from_u64(2);
    let n_minus_1 = B::sub(x, &one);
    let mut d = n_minus_1.clone();
    let mut s = 0u32;
    while B::is_zero(&B::rem(&d, &two)) {
        d = B::div(&d, &two);
        s += 1;
    }
    let x_bytes = B::to_be_bytes(x);
    let len = x_bytes.len() + 8;
    'rounds: for round in 0..reps {
        // Base a in [2, n-2], derived by hashing (x, round).
        let mut stream = Vec::with_capacity(len);
        let mut ctr = 0u32;
        while stream.len() < len {
            let mut h = Sha256::new();
            h.update(b"dsmpc/miller-rabin");
            h.update(&x_bytes);
            h.update(round.to_be_bytes());
            h.update(ctr.to_be_bytes());
            stream.extend_from_slice(&h.finalize());
            ctr += 1;
        }
        let span = B::sub(x, &B::from_u64(3));
        let a = B::add(&B::rem(&B::from_be_bytes(&stream[..len]), &span), &two);
        let mut y = B::pow_mod(&a, &d, x);
        if y == one || y == n_minus_1 {
            continue;
        }
        for _ in 1..s {
            y = B::mul_mod(&y, &y, x);
            if y == n_minus_1 {
                continue 'rounds;
            }
        }
        return false;
    }
    true
}
