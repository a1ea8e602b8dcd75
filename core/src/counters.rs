//! Counters of the expensive operations, per thread, cheap enough to leave on.
//!
//! Every modular exponentiation done through [`SchnorrGroup`](crate::group::SchnorrGroup) and
//! every public-key operation of a cipher suite (recorded by the roles layer) bumps a
//! thread-local counter. A phase takes a [`snapshot`] before and after and keeps the
//! difference; multiplying the counts by unit costs measured in the same run gives the phase's
//! cost-model bound.

use std::cell::Cell;
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// The kinds of counted operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Op {
    /// `b^e mod p` with a variable base and a public (variable-time) exponent of up to |q| bits.
    ModExpVar,
    /// `b^e mod p` from a precomputed fixed-base table, exponent of up to |q| bits.
    ModExpFixed,
    /// `b^e mod p` on the backend's constant-time path (secret exponent).
    ModExpSecret,
    /// One base of a multi-exponentiation with small (64-bit) exponents (batch verification).
    MultiExpTerm,
    /// Jacobi symbol of a group element (cheap well-formedness check).
    Jacobi,
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
}

impl Op {
    /// Every counted operation, in column order.
    pub const ALL: [Op; 12] = [
        Op::ModExpVar,
        Op::ModExpFixed,
        Op::ModExpSecret,
        Op::MultiExpTerm,
        Op::Jacobi,
        Op::Encrypt,
        Op::Decrypt,
        Op::Sign,
        Op::Verify,
        Op::DpSign,
        Op::DpVerify,
        Op::KeyDecode,
    ];
    /// Number of kinds.
    pub const COUNT: usize = Self::ALL.len();

    /// Column name used in CSV files and logs.
    pub fn name(self) -> &'static str {
        match self {
            Op::ModExpVar => "modexp_var",
            Op::ModExpFixed => "modexp_fixed",
            Op::ModExpSecret => "modexp_secret",
            Op::MultiExpTerm => "multiexp_term",
            Op::Jacobi => "jacobi",
            Op::Encrypt => "enc",
            Op::Decrypt => "dec",
            Op::Sign => "sign",
            Op::Verify => "sig_verify",
            Op::DpSign => "dp_sign",
            Op::DpVerify => "dp_sig_verify",
            Op::KeyDecode => "pk_decode",
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
            record_n(Op::ModExpVar, 3);
            record(Op::Decrypt);
        });
        assert_eq!(c.get(Op::ModExpVar), 3);
        assert_eq!(c.get(Op::Decrypt), 1);
        assert_eq!(c.get(Op::Sign), 0);
        assert_eq!(c.to_string(), "modexp_var=3 dec=1");
    }

    #[test]
    fn counts_are_per_thread() {
        let before = snapshot();
        std::thread::spawn(|| record_n(Op::Encrypt, 5)).join().unwrap();
        assert_eq!((snapshot() - before).get(Op::Encrypt), 0);
    }
}
