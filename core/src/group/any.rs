//! [`AnyGroup`]: the group chosen at run time ([`GroupKind`]), as one [`PrimeOrderGroup`].
//!
//! The protocol's parties hold an `AnyGroup<B>` and its elements ([`AnyElement`]); every trait
//! method forwards to the chosen group, so counts and arithmetic are that group's. Mixing
//! elements of two groups is a programming error (elements only come from the group's own
//! operations and decoding) and panics with a message saying so.

use std::fmt;

use curve25519_dalek::ristretto::RistrettoPoint;

use super::ristretto::{Ristretto255, RistrettoTable};
use super::{FixedBaseTable, GroupKind, PrimeOrderGroup, SchnorrGroup};
use crate::backend::Backend;
use crate::error::{CoreError, Result};
use crate::field::Zq;

/// One of the groups, chosen at run time, with its generators as [`AnyElement`]s.
#[derive(Clone, Debug)]
pub struct AnyGroup<B: Backend> {
    inner: Inner<B>,
    g: AnyElement<B>,
    h: AnyElement<B>,
}

#[derive(Clone, Debug)]
enum Inner<B: Backend> {
    Schnorr(SchnorrGroup<B>),
    Ristretto255(Ristretto255<B>),
}

/// An element of an [`AnyGroup`].
pub enum AnyElement<B: Backend> {
    /// Of a Schnorr group: an integer mod p.
    Schnorr(B::Int),
    /// Of ristretto255.
    Ristretto255(RistrettoPoint),
}

/// A fixed-base table of an [`AnyGroup`].
pub enum AnyTable<B: Backend> {
    /// Of a Schnorr group.
    Schnorr(FixedBaseTable<B>),
    /// Of ristretto255.
    Ristretto255(RistrettoTable),
}

impl<B: Backend> Clone for AnyElement<B> {
    fn clone(&self) -> Self {
        match self {
            AnyElement::Schnorr(x) => AnyElement::Schnorr(x.clone()),
            AnyElement::Ristretto255(x) => AnyElement::Ristretto255(*x),
        }
    }
}
impl<B: Backend> fmt::Debug for AnyElement<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyElement::Schnorr(x) => x.fmt(f),
            AnyElement::Ristretto255(x) => x.compress().fmt(f),
        }
    }
}
impl<B: Backend> PartialEq for AnyElement<B> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (AnyElement::Schnorr(a), AnyElement::Schnorr(b)) => a == b,
            (AnyElement::Ristretto255(a), AnyElement::Ristretto255(b)) => a == b,
            _ => false,
        }
    }
}
impl<B: Backend> Eq for AnyElement<B> {}

impl<B: Backend> Clone for AnyTable<B> {
    fn clone(&self) -> Self {
        match self {
            AnyTable::Schnorr(t) => AnyTable::Schnorr(t.clone()),
            AnyTable::Ristretto255(t) => AnyTable::Ristretto255(t.clone()),
        }
    }
}
impl<B: Backend> fmt::Debug for AnyTable<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnyTable::Schnorr(t) => t.fmt(f),
            AnyTable::Ristretto255(t) => t.fmt(f),
        }
    }
}

#[cold]
fn mixed() -> ! {
    panic!("an element of one group used with another (a programming error in dsmpc)")
}

/// The Schnorr integer of `x` (a Schnorr group's element).
fn schnorr_element<B: Backend>(x: &AnyElement<B>) -> &B::Int {
    if let AnyElement::Schnorr(x) = x { x } else { mixed() }
}

/// The point of `x` (a ristretto255 element).
fn ristretto_element<B: Backend>(x: &AnyElement<B>) -> &RistrettoPoint {
    if let AnyElement::Ristretto255(x) = x {
        x
    } else {
        mixed()
    }
}

impl<B: Backend> AnyGroup<B> {
    /// The group `kind`, with its shipped parameters.
    pub fn new(kind: GroupKind) -> Result<Self> {
        Ok(match kind {
            GroupKind::Schnorr(bits) => Self::from(SchnorrGroup::standard(bits)?),
            GroupKind::Ristretto255 => Self::from(Ristretto255::new()),
        })
    }

    /// Which group this is.
    pub fn kind(&self) -> GroupKind {
        match &self.inner {
            Inner::Schnorr(g) => GroupKind::Schnorr(g.bits()),
            Inner::Ristretto255(_) => GroupKind::Ristretto255,
        }
    }

    /// The Schnorr group, if this is one.
    pub fn schnorr(&self) -> Option<&SchnorrGroup<B>> {
        match &self.inner {
            Inner::Schnorr(g) => Some(g),
            Inner::Ristretto255(_) => None,
        }
    }

    /// Parse an element ([`PrimeOrderGroup::parse_element`]); an encoding that does not parse
    /// (on a curve: not a canonical encoding of a point) becomes the identity, which
    /// [`PrimeOrderGroup::check_element`] refuses in every group where parsing can fail, so
    /// the protocol's element check names it as it names any ill-formed element.
    pub fn parse_or_identity(&self, bytes: &[u8]) -> AnyElement<B> {
        self.parse_element(bytes).unwrap_or_else(|| self.identity())
    }

    /// Decode an element with [`PrimeOrderGroup::parse_element`] and then
    /// [`PrimeOrderGroup::check_element`]; `what` names it in the error.
    pub fn parse_checked(&self, bytes: &[u8], what: &'static str) -> Result<AnyElement<B>> {
        self.parse_element(bytes)
            .filter(|x| self.check_element(x))
            .ok_or(CoreError::BadElement { what })
    }
}

impl<B: Backend> From<SchnorrGroup<B>> for AnyGroup<B> {
    fn from(g: SchnorrGroup<B>) -> Self {
        AnyGroup {
            g: AnyElement::Schnorr(g.g().clone()),
            h: AnyElement::Schnorr(g.h().clone()),
            inner: Inner::Schnorr(g),
        }
    }
}

impl<B: Backend> From<Ristretto255<B>> for AnyGroup<B> {
    fn from(g: Ristretto255<B>) -> Self {
        AnyGroup {
            g: AnyElement::Ristretto255(*g.g()),
            h: AnyElement::Ristretto255(*g.h()),
            inner: Inner::Ristretto255(g),
        }
    }
}

/// `match` on the group and its elements together, `mixed()` when they differ.
macro_rules! each {
    ($self:expr, $g:ident => $e:expr) => {
        match &$self.inner {
            Inner::Schnorr($g) => AnyElement::Schnorr($e),
            Inner::Ristretto255($g) => AnyElement::Ristretto255($e),
        }
    };
}

impl<B: Backend> PrimeOrderGroup for AnyGroup<B> {
    type Backend = B;
    type Element = AnyElement<B>;
    type Table = AnyTable<B>;

    fn zq(&self) -> &Zq<B> {
        match &self.inner {
            Inner::Schnorr(g) => PrimeOrderGroup::zq(g),
            Inner::Ristretto255(g) => g.zq(),
        }
    }
    fn g(&self) -> &AnyElement<B> {
        &self.g
    }
    fn h(&self) -> &AnyElement<B> {
        &self.h
    }
    fn identity(&self) -> AnyElement<B> {
        each!(self, g => g.identity())
    }
    fn op(&self, a: &AnyElement<B>, b: &AnyElement<B>) -> AnyElement<B> {
        match (&self.inner, a, b) {
            (Inner::Schnorr(g), AnyElement::Schnorr(a), AnyElement::Schnorr(b)) => AnyElement::Schnorr(g.op(a, b)),
            (Inner::Ristretto255(g), AnyElement::Ristretto255(a), AnyElement::Ristretto255(b)) => {
                AnyElement::Ristretto255(g.op(a, b))
            }
            _ => mixed(),
        }
    }
    fn vartime_mul(&self, x: &AnyElement<B>, k: &B::Int) -> AnyElement<B> {
        match (&self.inner, x) {
            (Inner::Schnorr(g), AnyElement::Schnorr(x)) => AnyElement::Schnorr(g.vartime_mul(x, k)),
            (Inner::Ristretto255(g), AnyElement::Ristretto255(x)) => AnyElement::Ristretto255(g.vartime_mul(x, k)),
            _ => mixed(),
        }
    }
    fn mul_secret(&self, x: &AnyElement<B>, k: &B::Int) -> AnyElement<B> {
        match (&self.inner, x) {
            (Inner::Schnorr(g), AnyElement::Schnorr(x)) => AnyElement::Schnorr(g.mul_secret(x, k)),
            (Inner::Ristretto255(g), AnyElement::Ristretto255(x)) => AnyElement::Ristretto255(g.mul_secret(x, k)),
            _ => mixed(),
        }
    }
    fn mul_secret_uncounted(&self, x: &AnyElement<B>, k: &B::Int) -> AnyElement<B> {
        match (&self.inner, x) {
            (Inner::Schnorr(g), AnyElement::Schnorr(x)) => AnyElement::Schnorr(g.mul_secret_uncounted(x, k)),
            (Inner::Ristretto255(g), AnyElement::Ristretto255(x)) => {
                AnyElement::Ristretto255(g.mul_secret_uncounted(x, k))
            }
            _ => mixed(),
        }
    }
    fn mul_g(&self, k: &B::Int) -> AnyElement<B> {
        each!(self, g => g.mul_g(k))
    }
    fn mul_h(&self, k: &B::Int) -> AnyElement<B> {
        each!(self, g => g.mul_h(k))
    }
    fn vartime_mul_h(&self, k: &B::Int) -> AnyElement<B> {
        each!(self, g => g.vartime_mul_h(k))
    }
    fn commit(&self, a: &B::Int, b: &B::Int) -> AnyElement<B> {
        each!(self, g => g.commit(a, b))
    }
    fn table(&self, base: &AnyElement<B>) -> AnyTable<B> {
        match (&self.inner, base) {
            (Inner::Schnorr(g), AnyElement::Schnorr(x)) => AnyTable::Schnorr(g.table(x)),
            (Inner::Ristretto255(g), AnyElement::Ristretto255(x)) => AnyTable::Ristretto255(g.table(x)),
            _ => mixed(),
        }
    }
    fn mul_table(&self, table: &AnyTable<B>, k: &B::Int) -> AnyElement<B> {
        match (&self.inner, table) {
            (Inner::Schnorr(g), AnyTable::Schnorr(t)) => AnyElement::Schnorr(g.mul_table(t, k)),
            (Inner::Ristretto255(g), AnyTable::Ristretto255(t)) => AnyElement::Ristretto255(g.mul_table(t, k)),
            _ => mixed(),
        }
    }
    fn vartime_multiscalar_mul_small(&self, xs: &[&AnyElement<B>], ks: &[u64]) -> AnyElement<B> {
        match &self.inner {
            Inner::Schnorr(g) => {
                let xs: Vec<&B::Int> = xs.iter().map(|x| schnorr_element(x)).collect();
                AnyElement::Schnorr(g.vartime_multiscalar_mul_small(&xs, ks))
            }
            Inner::Ristretto255(g) => {
                let xs: Vec<&RistrettoPoint> = xs.iter().map(|x| ristretto_element(x)).collect();
                AnyElement::Ristretto255(g.vartime_multiscalar_mul_small(&xs, ks))
            }
        }
    }
    fn check_element(&self, x: &AnyElement<B>) -> bool {
        match (&self.inner, x) {
            (Inner::Schnorr(g), AnyElement::Schnorr(x)) => g.check_element(x),
            (Inner::Ristretto255(g), AnyElement::Ristretto255(x)) => g.check_element(x),
            _ => false,
        }
    }
    fn element_len(&self) -> usize {
        match &self.inner {
            Inner::Schnorr(g) => PrimeOrderGroup::element_len(g),
            Inner::Ristretto255(g) => g.element_len(),
        }
    }
    fn encode_element(&self, x: &AnyElement<B>) -> Vec<u8> {
        match (&self.inner, x) {
            (Inner::Schnorr(g), AnyElement::Schnorr(x)) => g.encode_element(x),
            (Inner::Ristretto255(g), AnyElement::Ristretto255(x)) => g.encode_element(x),
            _ => mixed(),
        }
    }
    fn encode_doubles(&self, halves: &[&AnyElement<B>]) -> Vec<Vec<u8>> {
        match &self.inner {
            Inner::Schnorr(g) => {
                let xs: Vec<&B::Int> = halves.iter().map(|x| schnorr_element(x)).collect();
                g.encode_doubles(&xs)
            }
            Inner::Ristretto255(g) => {
                let xs: Vec<&RistrettoPoint> = halves.iter().map(|x| ristretto_element(x)).collect();
                g.encode_doubles(&xs)
            }
        }
    }
    fn halve(&self, k: &B::Int) -> B::Int {
        match &self.inner {
            Inner::Schnorr(g) => g.halve(k),
            Inner::Ristretto255(g) => g.halve(k),
        }
    }
    fn doubles_encode_faster(&self) -> bool {
        match &self.inner {
            Inner::Schnorr(g) => g.doubles_encode_faster(),
            Inner::Ristretto255(g) => g.doubles_encode_faster(),
        }
    }
    fn parse_element(&self, bytes: &[u8]) -> Option<AnyElement<B>> {
        match &self.inner {
            Inner::Schnorr(g) => g.parse_element(bytes).map(AnyElement::Schnorr),
            Inner::Ristretto255(g) => g.parse_element(bytes).map(AnyElement::Ristretto255),
        }
    }
    fn decode_element(&self, bytes: &[u8], what: &'static str) -> Result<AnyElement<B>> {
        match &self.inner {
            Inner::Schnorr(g) => g.decode_element(bytes, what).map(AnyElement::Schnorr),
            Inner::Ristretto255(g) => g.decode_element(bytes, what).map(AnyElement::Ristretto255),
        }
    }
}
