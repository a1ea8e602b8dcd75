//! The contract of a prime-order group, as the PVSS and VSS protocols use it.
//!
//! [`PrimeOrderGroup`] names what [`crate::pvss`] and [`crate::vss`] need and nothing of how a
//! group is built: two generators g and h with `log_g h` unknown, the group operation, scalar
//! multiplication on a variable base (public or secret scalar), fixed-base tables,
//! multiscalar multiplication with small scalars, an element check, and a fixed-length
//! encoding. It is written in additive language ("scalar multiplication", "element"), so an
//! elliptic-curve group reads naturally; in a Schnorr group (the first implementation,
//! [`SchnorrGroup`](super::SchnorrGroup)) the group operation is a product mod p and a scalar
//! multiplication `k * x` is the exponentiation `x^k mod p`.
//!
//! Scalars are the backend's integers reduced mod the group order, in the field
//! [`Zq`](crate::field::Zq) the group hands out ([`PrimeOrderGroup::zq`]); Shamir sharing works in
//! the same field, which is what makes commitments homomorphic over shares. Elements are the
//! group's own type ([`PrimeOrderGroup::Element`]).
//!
//! Every operation that costs is counted (see [`crate::counters`]) by the implementation, under
//! one [`Op`](crate::counters::Op) per kind, named here after what it is in any group:
//!
//! | operation (trait method) | counted as |
//! |---|---|
//! | scalar mult, variable base, public scalar ([`PrimeOrderGroup::vartime_mul`]) | [`Op::VartimeMul`](crate::counters::Op::VartimeMul) |
//! | scalar mult, variable base, secret scalar ([`PrimeOrderGroup::mul_secret`]) | [`Op::SecretMul`](crate::counters::Op::SecretMul) |
//! | fixed-base scalar mult ([`PrimeOrderGroup::mul_g`], [`mul_h`](PrimeOrderGroup::mul_h), [`vartime_mul_h`](PrimeOrderGroup::vartime_mul_h), [`mul_table`](PrimeOrderGroup::mul_table)) | [`Op::FixedBaseMul`](crate::counters::Op::FixedBaseMul) |
//! | one term of a multiscalar mult with small scalars ([`PrimeOrderGroup::vartime_multiscalar_mul_small`]) | [`Op::MultiscalarTerm`](crate::counters::Op::MultiscalarTerm) |
//! | element check ([`PrimeOrderGroup::check_element`], [`decode_element`](PrimeOrderGroup::decode_element)) | [`Op::ElementCheck`](crate::counters::Op::ElementCheck) |
//!
//! The group operation, the identity and the encoding are not counted.

use std::fmt;

use crate::backend::Backend;
use crate::error::Result;
use crate::field::Zq;

/// A group of prime order q with two independent generators, over scalars from backend
/// [`PrimeOrderGroup::Backend`].
///
/// Constant-time and variable-time paths are named apart: a method whose name starts with
/// `vartime_` may leak its scalar through timing and takes public scalars only; the others
/// take secret scalars (constant-time where the implementation can be: see each
/// implementation's documentation for its limits).
///
/// ```
/// use dsmpc_core::backend::{Backend, Num};
/// use dsmpc_core::group::{PrimeOrderGroup, SchnorrGroup};
///
/// fn pedersen<G: PrimeOrderGroup>(group: &G, a: u64, b: u64) -> G::Element {
///     let zq = group.zq();
///     group.commit(&zq.from_u64(a), &zq.from_u64(b))
/// }
/// let group = SchnorrGroup::<Num>::standard(1024).unwrap();
/// let c = pedersen(&group, 3, 4);
/// // g^3 h^4 = (g^1 h^2) (g^2 h^2)
/// let sum = group.op(&pedersen(&group, 1, 2), &pedersen(&group, 2, 2));
/// assert_eq!(c, sum);
/// assert!(group.check_element(&c));
/// let bytes = group.encode_element(&c);
/// assert_eq!(bytes.len(), group.element_len());
/// assert_eq!(group.decode_element(&bytes, "C").unwrap(), c);
/// ```
pub trait PrimeOrderGroup: fmt::Debug + Send + Sync + 'static {
    /// The backend of the scalars: they are `<Self::Backend as Backend>::Int`, below q.
    type Backend: Backend;
    /// A group element.
    type Element: Clone + fmt::Debug + PartialEq + Eq + Send + Sync + 'static;
    /// Precomputed multiples of one fixed element ([`PrimeOrderGroup::table`]).
    type Table: Clone + fmt::Debug + Send + Sync + 'static;

    /// The scalar field Z_q, q the group order.
    fn zq(&self) -> &Zq<Self::Backend>;
    /// The generator g.
    fn g(&self) -> &Self::Element;
    /// The generator h, with `log_g h` unknown to everyone.
    fn h(&self) -> &Self::Element;
    /// The identity element.
    fn identity(&self) -> Self::Element;
    /// The group operation `a + b` (a product mod p in a Schnorr group). Not counted.
    fn op(&self, a: &Self::Element, b: &Self::Element) -> Self::Element;

    /// `k * x` for a public scalar k, variable-time. Counted as one
    /// [`Op::VartimeMul`](crate::counters::Op::VartimeMul).
    fn vartime_mul(&self, x: &Self::Element, k: &Scalar<Self>) -> Self::Element;
    /// `k * x` for a secret scalar k, on the implementation's constant-time path. Counted as
    /// one [`Op::SecretMul`](crate::counters::Op::SecretMul).
    fn mul_secret(&self, x: &Self::Element, k: &Scalar<Self>) -> Self::Element;
    /// As [`PrimeOrderGroup::mul_secret`], but not counted: for set-up outside the measured
    /// phases (a key pair's public key).
    fn mul_secret_uncounted(&self, x: &Self::Element, k: &Scalar<Self>) -> Self::Element;

    /// `k * g` for a secret k, from a fixed-base table of g. Counted as one
    /// [`Op::FixedBaseMul`](crate::counters::Op::FixedBaseMul).
    fn mul_g(&self, k: &Scalar<Self>) -> Self::Element;
    /// `k * h` for a secret k, from a fixed-base table of h. Counted as one
    /// [`Op::FixedBaseMul`](crate::counters::Op::FixedBaseMul).
    fn mul_h(&self, k: &Scalar<Self>) -> Self::Element;
    /// `k * h` for a public k, from a fixed-base table of h, variable-time. Counted as one
    /// [`Op::FixedBaseMul`](crate::counters::Op::FixedBaseMul).
    fn vartime_mul_h(&self, k: &Scalar<Self>) -> Self::Element;
    /// The Pedersen commitment `a * g + b * h` from the tables of g and h (a and b may be
    /// secret). Counted as two [`Op::FixedBaseMul`](crate::counters::Op::FixedBaseMul).
    fn commit(&self, a: &Scalar<Self>, b: &Scalar<Self>) -> Self::Element {
        let ga = self.mul_g(a);
        let hb = self.mul_h(b);
        self.op(&ga, &hb)
    }
    /// A fixed-base table of `base`, for a base used many times (a CP's public key). Not
    /// counted.
    fn table(&self, base: &Self::Element) -> Self::Table;
    /// `k * base` for a secret k from `base`'s table. Counted as one
    /// [`Op::FixedBaseMul`](crate::counters::Op::FixedBaseMul).
    fn mul_table(&self, table: &Self::Table, k: &Scalar<Self>) -> Self::Element;

    /// `sum_i ks[i] * xs[i]` for small public scalars (below 2^64), variable-time. Counted as
    /// one [`Op::MultiscalarTerm`](crate::counters::Op::MultiscalarTerm) per term.
    fn vartime_multiscalar_mul_small(&self, xs: &[&Self::Element], ks: &[u64]) -> Self::Element;

    /// Whether `x` is a well-formed element, safe to use in the protocol's checks: an element
    /// of a group with no small subgroup that a small-scalar batch test could miss (in a
    /// Schnorr group `p = 2qr + 1`: `1 <= x < p` and Jacobi symbol 1, i.e. x is in the subgroup
    /// of order `q*r`). Counted as one [`Op::ElementCheck`](crate::counters::Op::ElementCheck)
    /// when the cheap checks before it pass.
    fn check_element(&self, x: &Self::Element) -> bool;
    /// Bytes of the fixed-length encoding of an element.
    fn element_len(&self) -> usize;
    /// The fixed-length encoding of `x` ([`PrimeOrderGroup::element_len`] bytes).
    fn encode_element(&self, x: &Self::Element) -> Vec<u8>;
    /// The encodings of `x + x` for each `x` in `halves`, as
    /// [`PrimeOrderGroup::encode_element`] gives them. Not counted. By default each double is
    /// encoded on its own; ristretto255 encodes a batch of doubles with one field inversion
    /// instead of an inverse square root per element ([`PrimeOrderGroup::doubles_encode_faster`]).
    fn encode_doubles(&self, halves: &[&Self::Element]) -> Vec<Vec<u8>> {
        halves.iter().map(|x| self.encode_element(&self.op(x, x))).collect()
    }
    /// `k / 2` in Z_q (q is odd), for a secret k. Not counted. By default `k (q + 1) / 2` in the
    /// backend's arithmetic; ristretto255 uses curve25519-dalek's constant-time scalars.
    fn halve(&self, k: &Scalar<Self>) -> Scalar<Self> {
        let zq = self.zq();
        zq.mul(k, &zq.half())
    }
    /// Whether [`PrimeOrderGroup::encode_doubles`] is cheaper than encoding each element: then
    /// a sender of many elements that it computes as scalar multiples should compute them with
    /// the scalar halved and encode the doubles.
    fn doubles_encode_faster(&self) -> bool {
        false
    }
    /// Parse an encoding with the checks that come with parsing, and no more: a wrong length
    /// fails; in a Schnorr group that is all (the range and Jacobi checks are
    /// [`PrimeOrderGroup::check_element`]'s, counted there); on a curve, decompression is the
    /// whole check and is counted as one [`Op::ElementCheck`](crate::counters::Op::ElementCheck).
    /// For elements received in messages, which the protocol checks later.
    fn parse_element(&self, bytes: &[u8]) -> Option<Self::Element>;
    /// Decode an element and check it ([`PrimeOrderGroup::check_element`]); `what` names it in
    /// the error.
    fn decode_element(&self, bytes: &[u8], what: &'static str) -> Result<Self::Element>;
}

/// A scalar of group `G`: the backend integer, below the group order.
pub type Scalar<G> = <<G as PrimeOrderGroup>::Backend as Backend>::Int;
