//! Counters of the expensive operations, per thread, cheap enough to leave on.
//!
//! Every scalar multiplication and element check of a group
//! ([`PrimeOrderGroup`](crate::group::PrimeOrderGroup), [`SchnorrGroup`](crate::group::SchnorrGroup))
//! and every public-key operation of a cipher suite (recorded by the roles layer) bumps a
//! thread-local counter. A phase takes a [`snapshot`] before and after and keeps the
//! difference; multiplying the counts by unit costs measured in the same run gives the phase's
//! cost-model bound.

use std::cell::Cell;
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// The kinds of counted operation.
///
/// The group operations are named after what they are in any prime-order group
/// ([`PrimeOrderGroup`](crate::group::PrimeOrderGroup)); their CSV columns keep the names they
/// had when the only group was a Schnorr group (an exponentiation mod p), so files written
/// before read the same:
///
/// | operation | what it is in a Schnorr group | CSV column ([`Op::name`]) |
/// |---|---|---|
/// | [`Op::VartimeMul`]: scalar mult, variable base, public scalar | `b^e mod p`, variable-time | `modexp_var` |
/// | [`Op::FixedBaseMul`]: fixed-base scalar mult (a table) | `b^e mod p` from a fixed-base table | `modexp_fixed` |
/// | [`Op::SecretMul`]: scalar mult, variable base, secret scalar | `b^e mod p` on the constant-time path | `modexp_secret` |
/// | [`Op::MultiscalarTerm`]: one term of a multiscalar mult with small scalars | one base of a multi-exponentiation | `multiexp_term` |
/// | [`Op::ElementCheck`]: element check | range check and Jacobi symbol | `jacobi` |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Op {
    /// Scalar multiplication of a variable base by a public scalar of up to |q| bits,
    /// variable-time (Schnorr: `b^e mod p`). Column `modexp_var`.
    VartimeMul,
    /// Scalar multiplication of a fixed base from a precomputed table, scalar of up to |q| bits
    /// (Schnorr: `b^e mod p` from a fixed-base table). Column `modexp_fixed`.
    FixedBaseMul,
    /// Scalar multiplication of a variable base by a secret scalar, on the group's
    /// constant-time path (Schnorr: `b^e mod p` on the backend's constant-time path). Column
    /// `modexp_secret`.
    SecretMul,
    /// One term of a multiscalar multiplication with small (64-bit) scalars: batch
    /// verification and the `vss` share check (Schnorr: one base of a multi-exponentiation).
    /// Column `multiexp_term`.
    MultiscalarTerm,
    /// A cheap check that a group element is well formed (Schnorr: range and Jacobi symbol).
    /// Column `jacobi`.
    ElementCheck,
    /// Cipher-suite public-key encryption.
    Encrypt,
    /// Cipher-suite decryption.
    Decrypt,
    /// Cipher-suite signature.
    Sign,
    /// Cipher-suite signature verification.
    Verify,
    /// A DP's signature over its commitments (`vss`; ECDSA P-256 whatever the suite).
    DpSign,
    /// Verification of a DP's commitment signature (`vss`; ECDSA P-256).
    DpVerify,
    /// Decoding a public encryption key received in a message, with its validity checks
    /// (P-256: decompressing the point, a field square root; RSA: reading n and e).
    KeyDecode,
    /// Vectors: one F64 element drawn from a seed's ChaCha20 stream (a seeded share expanded,
    /// the dealing's seeded points, a combination's coefficients). Column `f64_draw`.
    F64Draw,
    /// Vectors: one F64 multiply-and-add (the dealing's and the reconstruction's dot products,
    /// the consistency check, a combination; an addition into a running sum counts as one).
    /// Column `f64_madd`.
    F64MulAdd,
    /// Vectors: one byte sealed or opened with AES-256-GCM (a share or an upload's body).
    /// Column `aead_byte`.
    AeadByte,
    /// `vss` vectors: one term of a constant-time multiscalar multiplication with full-width
    /// secret scalars (a vector Pedersen commitment, `d + 1` terms). Column `msm_ct_term`.
    MsmSecretTerm,
    /// `vss` vectors: one term of a variable-time multiscalar multiplication with full-width
    /// public scalars (the Edge's check, the commitments' derivation and combinations). Column
    /// `msm_var_term`.
    MsmVartimeTerm,
    /// `vss` vectors: one scalar of Z_q drawn from a seed's or the session's generator. Column
    /// `zq_draw`.
    ZqDraw,
    /// `vss` vectors: one multiplication in Z_q (with the addition that follows it: dealing,
    /// weighted batch sums, reconstruction). Column `zq_mul`.
    ZqMul,
    /// `vss` vectors: one addition in Z_q on its own (a CP's running sum of share vectors over
    /// the agreed DPs). Column `zq_add`.
    ZqAdd,
}

impl Op {
    /// Every counted operation, in column order.
    pub const ALL: [Op; 20] = [
        Op::VartimeMul,
        Op::FixedBaseMul,
        Op::SecretMul,
        Op::MultiscalarTerm,
        Op::ElementCheck,
        Op::Encrypt,
        Op::Decrypt,
        Op::Sign,
        Op::Verify,
        Op::DpSign,
        Op::DpVerify,
        Op::KeyDecode,
        Op::F64Draw,
        Op::F64MulAdd,
        Op::AeadByte,
        Op::MsmSecretTerm,
        Op::MsmVartimeTerm,
        Op::ZqDraw,
        Op::ZqMul,
        Op::ZqAdd,
    ];
    /// The per-element operations of vector sessions (the last eight columns), which files
    /// written before they were counted lack.
    pub const PER_ELEMENT: &'static [Op] = Op::ALL.split_at(12).1;
    /// Number of kinds.
    pub const COUNT: usize = Self::ALL.len();

    /// Column name used in CSV files and logs.
    pub fn name(self) -> &'static str {
        match self {
            Op::VartimeMul => "modexp_var",
            Op::FixedBaseMul => "modexp_fixed",
            Op::SecretMul => "modexp_secret",
            Op::MultiscalarTerm => "multiexp_term",
            Op::ElementCheck => "jacobi",
            Op::Encrypt => "enc",
            Op::Decrypt => "dec",
            Op::Sign => "sign",
            Op::Verify => "sig_verify",
            Op::DpSign => "dp_sign",
            Op::DpVerify => "dp_sig_verify",
            Op::KeyDecode => "pk_decode",
            Op::F64Draw => "f64_draw",
            Op::F64MulAdd => "f64_madd",
            Op::AeadByte => "aead_byte",
            Op::MsmSecretTerm => "msm_ct_term",
            Op::MsmVartimeTerm => "msm_var_term",
            Op::ZqDraw => "zq_draw",
            Op::ZqMul => "zq_mul",
            Op::ZqAdd => "zq_add",
        }
    }

    fn index(self) -> usize {
        Op::ALL.iter().position(|o| *o == self).unwrap_or(0)
    }
}

thread_local! {
    static COUNTS: [Cell<u64>; Op::COUNT] = const { [const { Cell::new(0) }; Op::COUNT] };
}

/// Count one operation of kind `op` on this thread.
#[inline]
pub fn record(op: Op) {
    record_n(op, 1);
}

/// Count `n` operations of kind `op` on this thread.
#[inline]
pub fn record_n(op: Op, n: u64) {
    COUNTS.with(|c| {
        let cell = &c[op.index()];
        cell.set(cell.get().wrapping_add(n));
    });
}

/// This thread's counts so far.
pub fn snapshot() -> OpCounts {
    COUNTS.with(|c| {
        let mut out = [0u64; Op::COUNT];
        for (o, cell) in out.iter_mut().zip(c.iter()) {
            *o = cell.get();
        }
        OpCounts(out)
    })
}

/// A vector of operation counts, indexed by [`Op`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OpCounts(pub [u64; Op::COUNT]);

impl OpCounts {
    /// The count of one kind.
    pub fn get(&self, op: Op) -> u64 {
        self.0[op.index()]
    }
    /// Set the count of one kind.
    pub fn set(&mut self, op: Op, v: u64) {
        self.0[op.index()] = v;
    }
    /// `(op, count)` pairs in column order.
    pub fn iter(&self) -> impl Iterator<Item = (Op, u64)> + '_ {
        Op::ALL.iter().map(move |o| (*o, self.get(*o)))
    }
    /// Whether every count is zero.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|c| *c == 0)
    }
    /// Run `f` and return its result with the operations it counted on this thread.
    pub fn measure<T>(f: impl FnOnce() -> T) -> (T, OpCounts) {
        let before = snapshot();
        let out = f();
        (out, snapshot() - before)
    }
}

impl Add for OpCounts {
    type Output = OpCounts;
    fn add(mut self, rhs: OpCounts) -> OpCounts {
        self += rhs;
        self
    }
}

impl AddAssign for OpCounts {
    fn add_assign(&mut self, rhs: OpCounts) {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a += b;
        }
    }
}

impl Sub for OpCounts {
    type Output = OpCounts;
    fn sub(mut self, rhs: OpCounts) -> OpCounts {
        for (a, b) in self.0.iter_mut().zip(rhs.0) {
            *a = a.wrapping_sub(b);
        }
        self
    }
}

impl fmt::Display for OpCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .iter()
            .filter(|(_, c)| *c > 0)
            .map(|(o, c)| format!("{}={c}", o.name()))
            .collect();
        if parts.is_empty() {
            f.write_str("-")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_sees_only_its_own_operations() {
        record(Op::Sign);
        let ((), c) = OpCounts::measure(|| {
            record_n(Op::VartimeMul, 3);
            record(Op::Decrypt);
        });
        assert_eq!(c.get(Op::VartimeMul), 3);
        assert_eq!(c.get(Op::Decrypt), 1);
        assert_eq!(c.get(Op::Sign), 0);
        assert_eq!(c.to_string(), "modexp_var=3 dec=1");
    }

    #[test]
    fn per_element_ops_come_last_and_keep_the_old_columns() {
        let names: Vec<&str> = Op::ALL.iter().map(|o| o.name()).collect();
        assert_eq!(names[11], "pk_decode");
        assert_eq!(&Op::ALL[12..], Op::PER_ELEMENT);
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), Op::COUNT);
    }

    #[test]
    fn counts_are_per_thread() {
        let before = snapshot();
        std::thread::spawn(|| record_n(Op::Encrypt, 5)).join().unwrap();
        assert_eq!((snapshot() - before).get(Op::Encrypt), 0);
    }
}
