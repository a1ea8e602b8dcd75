//! The field and group operations vector VSS needs, once per group family ([`RistOps`] on
//! curve25519-dalek's scalars and points, [`SchnorrOps`] on the backend's integers), and the
//! dealing, checking and reconstruction written once over them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{MultiscalarMul, VartimeMultiscalarMul};
use rand_core::Rng;
use zeroize::{Zeroize, Zeroizing};

use super::{ShareVec, VDealing, VssShare, expander};
use crate::backend::Backend;
use crate::counters::{self, Op};
use crate::error::{CoreError, Result};
use crate::field64::{F64, P as FIELD_P};
use crate::group::ristretto::hash_to_group;
use crate::group::{AnyElement, AnyGroup, PrimeOrderGroup, SchnorrGroup};

/// Domain separation of the hashed generators `G_e`.
const GENERATOR_DOMAIN: &str = "dsmpc/vvss/generator/v1";

/// Scalars and points of one group family.
pub(super) trait Ops<B: Backend> {
    type S: Clone;
    type P: Clone + PartialEq;
    fn scalar_len(&self) -> usize;
    fn zero(&self) -> Self::S;
    fn int(&self, v: u64) -> Self::S;
    fn add(&self, a: &Self::S, b: &Self::S) -> Self::S;
    fn sub(&self, a: &Self::S, b: &Self::S) -> Self::S;
    fn mul(&self, a: &Self::S, b: &Self::S) -> Self::S;
    /// The inverse of a public non-zero scalar.
    fn inv(&self, a: &Self::S) -> Self::S;
    fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> Self::S;
    fn put(&self, s: &Self::S, out: &mut Vec<u8>);
    /// A canonical encoding (below q), or `None`.
    fn get(&self, bytes: &[u8]) -> Option<Self::S>;
    fn wipe(&self, s: &mut Self::S);
    /// The scalar's integer (below q) mod p, the F64 modulus.
    fn mod_p(&self, s: &Self::S) -> F64;
    /// `G_1..G_d`.
    fn generators(&self, d: usize) -> Arc<[Self::P]>;
    /// `sum v_e G_e + blind H` for secret scalars (constant-time where the group has it).
    fn commit(&self, gens: &[Self::P], v: &[Self::S], blind: &Self::S) -> Self::P;
    /// The Pedersen generator H (the group's h).
    fn h(&self) -> Self::P;
    /// `sum k_i P_i` for public scalars (variable-time).
    fn public_msm(&self, ps: &[Self::P], ks: &[Self::S]) -> Self::P;
    fn point(&self, e: &AnyElement<B>) -> Option<Self::P>;
    fn element(&self, p: Self::P) -> AnyElement<B>;
    fn wrap(&self, v: Vec<Self::S>) -> ShareVec<B>;
    fn slice<'a>(&self, v: &'a ShareVec<B>) -> Option<&'a [Self::S]>;
    fn slice_mut<'a>(&self, v: &'a mut ShareVec<B>) -> Option<&'a mut [Self::S]>;
}

/// A big-endian integer mod p.
fn be_mod_p(bytes: impl Iterator<Item = u8>) -> F64 {
    let p = u128::from(FIELD_P);
    F64::new(bytes.fold(0u128, |acc, b| ((acc << 8) | u128::from(b)) % p) as u64)
}

/// The generators of ristretto255, shared by the process and grown on demand.
fn ristretto_generators(d: usize) -> Arc<[RistrettoPoint]> {
    static CACHE: OnceLock<Mutex<Arc<[RistrettoPoint]>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Arc::from(Vec::new())));
    let mut held = cache.lock().unwrap_or_else(|e| e.into_inner());
    if held.len() < d {
        let mut v = held.to_vec();
        v.extend((v.len()..d).map(|e| hash_to_group(format!("{GENERATOR_DOMAIN}/{e}").as_bytes())));
        *held = Arc::from(v);
    }
    held.clone()
}

/// The hashed generators `G_1..G_d` of `group`, encoded (for tests and documentation: they are
/// derived from [`GENERATOR_DOMAIN`] and the element's index, nothing secret).
pub fn generators<B: Backend>(group: &AnyGroup<B>, d: usize) -> Vec<Vec<u8>> {
    match group.schnorr() {
        Some(g) => SchnorrOps(g).derive(d).iter().map(|p| g.element_to_bytes(p)).collect(),
        None => ristretto_generators(d)
            .iter()
            .take(d)
            .map(|p| p.compress().to_bytes().to_vec())
            .collect(),
    }
}

/// ristretto255 through curve25519-dalek.
pub(super) struct RistOps<B> {
    h: RistrettoPoint,
    backend: std::marker::PhantomData<fn() -> B>,
}

impl<B: Backend> RistOps<B> {
    /// The operations of `group`, which is ristretto255 (it is not a Schnorr group).
    pub(super) fn of(group: &AnyGroup<B>) -> Self {
        match group.h() {
            AnyElement::Ristretto255(h) => RistOps {
                h: *h,
                backend: std::marker::PhantomData,
            },
            AnyElement::Schnorr(_) => unreachable!("a group that is not a Schnorr group is ristretto255"),
        }
    }
}

impl<B: Backend> Ops<B> for RistOps<B> {
    type S = Scalar;
    type P = RistrettoPoint;
    fn scalar_len(&self) -> usize {
        32
    }
    fn zero(&self) -> Scalar {
        Scalar::ZERO
    }
    fn int(&self, v: u64) -> Scalar {
        Scalar::from(v)
    }
    fn add(&self, a: &Scalar, b: &Scalar) -> Scalar {
        a + b
    }
    fn sub(&self, a: &Scalar, b: &Scalar) -> Scalar {
        a - b
    }
    fn mul(&self, a: &Scalar, b: &Scalar) -> Scalar {
        counters::record(Op::ZqMul);
        a * b
    }
    fn inv(&self, a: &Scalar) -> Scalar {
        a.invert()
    }
    fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> Scalar {
        counters::record(Op::ZqDraw);
        let mut wide = Zeroizing::new([0u8; 64]);
        rng.fill_bytes(&mut wide[..]);
        Scalar::from_bytes_mod_order_wide(&wide)
    }
    fn put(&self, s: &Scalar, out: &mut Vec<u8>) {
        out.extend_from_slice(s.as_bytes());
    }
    fn get(&self, bytes: &[u8]) -> Option<Scalar> {
        let b: [u8; 32] = bytes.try_into().ok()?;
        Scalar::from_canonical_bytes(b).into_option()
    }
    fn wipe(&self, s: &mut Scalar) {
        s.zeroize();
    }
    fn mod_p(&self, s: &Scalar) -> F64 {
        be_mod_p(s.as_bytes().iter().rev().copied())
    }
    fn generators(&self, d: usize) -> Arc<[RistrettoPoint]> {
        ristretto_generators(d)
    }
    fn commit(&self, gens: &[RistrettoPoint], v: &[Scalar], blind: &Scalar) -> RistrettoPoint {
        counters::record_n(Op::MsmSecretTerm, v.len().min(gens.len()) as u64 + 1);
        RistrettoPoint::multiscalar_mul(v.iter().chain([blind]), gens.iter().take(v.len()).chain([&self.h]))
    }
    fn h(&self) -> RistrettoPoint {
        self.h
    }
    fn public_msm(&self, ps: &[RistrettoPoint], ks: &[Scalar]) -> RistrettoPoint {
        counters::record_n(Op::MsmVartimeTerm, ps.len().min(ks.len()) as u64);
        RistrettoPoint::vartime_multiscalar_mul(ks, ps)
    }
    fn point(&self, e: &AnyElement<B>) -> Option<RistrettoPoint> {
        match e {
            AnyElement::Ristretto255(p) => Some(*p),
            AnyElement::Schnorr(_) => None,
        }
    }
    fn element(&self, p: RistrettoPoint) -> AnyElement<B> {
        AnyElement::Ristretto255(p)
    }
    fn wrap(&self, v: Vec<Scalar>) -> ShareVec<B> {
        ShareVec::Ristretto(v)
    }
    fn slice<'a>(&self, v: &'a ShareVec<B>) -> Option<&'a [Scalar]> {
        match v {
            ShareVec::Ristretto(v) => Some(v),
            ShareVec::Schnorr(_) => None,
        }
    }
    fn slice_mut<'a>(&self, v: &'a mut ShareVec<B>) -> Option<&'a mut [Scalar]> {
        match v {
            ShareVec::Ristretto(v) => Some(v),
            ShareVec::Schnorr(_) => None,
        }
    }
}

/// A Schnorr group through the backend's integers.
pub(super) struct SchnorrOps<'a, B: Backend>(pub(super) &'a SchnorrGroup<B>);

impl<B: Backend> SchnorrOps<'_, B> {
    /// The generators of this group size, shared by the process (as encodings, whatever the
    /// backend) and grown on demand: `G_e` is derived like g and h, from the label
    /// `{GENERATOR_DOMAIN}/{e}`.
    fn derive(&self, d: usize) -> Vec<B::Int> {
        static CACHE: OnceLock<Mutex<HashMap<u32, Vec<Vec<u8>>>>> = OnceLock::new();
        let g = self.0;
        let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
        let mut held = cache.lock().unwrap_or_else(|e| e.into_inner());
        let list = held.entry(g.bits()).or_default();
        while list.len() < d {
            let name = format!("{GENERATOR_DOMAIN}/{}", list.len());
            let (x, _) = crate::group::derive::derive_generator::<B>(&name, g.bits(), g.p(), g.r());
            list.push(B::to_be_bytes(&x));
        }
        list.iter().take(d).map(|b| B::from_be_bytes(b)).collect()
    }
}

impl<B: Backend> Ops<B> for SchnorrOps<'_, B> {
    type S = B::Int;
    type P = B::Int;
    fn scalar_len(&self) -> usize {
        self.0.zq().element_len()
    }
    fn zero(&self) -> B::Int {
        B::from_u64(0)
    }
    fn int(&self, v: u64) -> B::Int {
        self.0.zq().from_u64(v)
    }
    fn add(&self, a: &B::Int, b: &B::Int) -> B::Int {
        self.0.zq().add(a, b)
    }
    fn sub(&self, a: &B::Int, b: &B::Int) -> B::Int {
        self.0.zq().sub(a, b)
    }
    fn mul(&self, a: &B::Int, b: &B::Int) -> B::Int {
        counters::record(Op::ZqMul);
        self.0.zq().mul(a, b)
    }
    fn inv(&self, a: &B::Int) -> B::Int {
        self.0.zq().inv(a).unwrap_or_else(|| B::from_u64(0))
    }
    fn random<R: Rng + ?Sized>(&self, rng: &mut R) -> B::Int {
        counters::record(Op::ZqDraw);
        self.0.zq().random(rng)
    }
    fn put(&self, s: &B::Int, out: &mut Vec<u8>) {
        out.extend_from_slice(&Zeroizing::new(self.0.zq().to_bytes(s)));
    }
    fn get(&self, bytes: &[u8]) -> Option<B::Int> {
        self.0.zq().from_bytes(bytes, "share").ok()
    }
    fn wipe(&self, s: &mut B::Int) {
        B::wipe(s);
    }
    fn mod_p(&self, s: &B::Int) -> F64 {
        be_mod_p(Zeroizing::new(self.0.zq().to_bytes(s)).iter().copied())
    }
    fn generators(&self, d: usize) -> Arc<[B::Int]> {
        Arc::from(self.derive(d))
    }
    fn commit(&self, gens: &[B::Int], v: &[B::Int], blind: &B::Int) -> B::Int {
        let g = self.0;
        v.iter()
            .zip(gens)
            .fold(g.mul_h(blind), |acc, (s, x)| g.op(&acc, &g.mul_secret(x, s)))
    }
    fn h(&self) -> B::Int {
        self.0.h().clone()
    }
    fn public_msm(&self, ps: &[B::Int], ks: &[B::Int]) -> B::Int {
        let g = self.0;
        ps.iter()
            .zip(ks)
            .fold(g.identity(), |acc, (x, k)| g.op(&acc, &g.vartime_mul(x, k)))
    }
    fn point(&self, e: &AnyElement<B>) -> Option<B::Int> {
        match e {
            AnyElement::Schnorr(x) => Some(x.clone()),
            AnyElement::Ristretto255(_) => None,
        }
    }
    fn element(&self, p: B::Int) -> AnyElement<B> {
        AnyElement::Schnorr(p)
    }
    fn wrap(&self, v: Vec<B::Int>) -> ShareVec<B> {
        ShareVec::Schnorr(v)
    }
    fn slice<'a>(&self, v: &'a ShareVec<B>) -> Option<&'a [B::Int]> {
        match v {
            ShareVec::Schnorr(v) => Some(v),
            ShareVec::Ristretto(_) => None,
        }
    }
    fn slice_mut<'a>(&self, v: &'a mut ShareVec<B>) -> Option<&'a mut [B::Int]> {
        match v {
            ShareVec::Schnorr(v) => Some(v),
            ShareVec::Ristretto(_) => None,
        }
    }
}

/// The coefficients of the Lagrange basis polynomials through `xs`: `basis[m][j]` is the
/// coefficient of `X^j` in `L_m(X)`.
fn lagrange_basis<B: Backend, O: Ops<B>>(o: &O, xs: &[u64]) -> Vec<Vec<O::S>> {
    let t = xs.len();
    let pts: Vec<O::S> = xs.iter().map(|&x| o.int(x)).collect();
    (0..t)
        .map(|m| {
            let mut num = vec![o.int(1)];
            let mut den = o.int(1);
            for l in (0..t).filter(|&l| l != m) {
                // num *= (X - x_l)
                let mut next = vec![o.zero(); num.len() + 1];
                for (j, c) in num.iter().enumerate() {
                    next[j + 1] = o.add(&next[j + 1], c);
                    next[j] = o.sub(&next[j], &o.mul(&pts[l], c));
                }
                num = next;
                den = o.mul(&den, &o.sub(&pts[m], &pts[l]));
            }
            let inv = o.inv(&den);
            num.iter().map(|c| o.mul(c, &inv)).collect()
        })
        .collect()
}

/// [`super::deal`] in one group family (points already checked).
pub(super) fn deal<B: Backend, O: Ops<B>, R: Rng + ?Sized>(
    o: &O,
    input: &[F64],
    points: &[u64],
    t: usize,
    context: &[u8],
    rng: &mut R,
) -> Result<VDealing<B>> {
    let d = input.len();
    let seeded = &points[..t - 1];
    let seeds = crate::vshare::fresh_seeds(seeded.len(), rng);
    let mut prgs: Vec<_> = seeds
        .iter()
        .zip(seeded)
        .map(|(s, &x)| expander(s, context, x))
        .collect();
    let xs: Vec<u64> = std::iter::once(0).chain(seeded.iter().copied()).collect();
    let basis = lagrange_basis(o, &xs);
    // vals[m][e]: coordinate e at xs[m] (the input at 0, the expansions at the seeded points);
    // e = d is the blinding polynomial.
    let mut vals: Vec<Vec<O::S>> = vec![Vec::with_capacity(d + 1); t];
    for e in 0..=d {
        vals[0].push(match input.get(e) {
            Some(x) => o.int(x.value()),
            None => o.random(rng),
        });
        for (v, prg) in vals[1..].iter_mut().zip(&mut prgs) {
            v.push(o.random(prg));
        }
    }
    // One commitment per point (t multiscalar multiplications of d + 1 secret scalars), then
    // the coefficients' commitments from them with the public basis: C_j = sum_m basis[m][j] D_m.
    let gens = o.generators(d);
    let at_points: Vec<O::P> = vals.iter().map(|v| o.commit(&gens[..d], &v[..d], &v[d])).collect();
    let commitments = (0..t)
        .map(|j| {
            let ks: Vec<O::S> = basis.iter().map(|b| b[j].clone()).collect();
            o.element(o.public_msm(&at_points, &ks))
        })
        .collect();
    let mut shares: Vec<VssShare> = seeds.into_iter().map(VssShare::Seed).collect();
    for &x in &points[t - 1..] {
        // L_m(x) from the basis' coefficients.
        let xv = o.int(x);
        let lag: Vec<O::S> = basis
            .iter()
            .map(|b| b.iter().rev().fold(o.zero(), |acc, c| o.add(&o.mul(&acc, &xv), c)))
            .collect();
        let mut out = Zeroizing::new(Vec::with_capacity((d + 1) * o.scalar_len()));
        for e in 0..=d {
            let mut acc = o.mul(&vals[0][e], &lag[0]);
            for (v, l) in vals[1..].iter().zip(&lag[1..]) {
                acc = o.add(&acc, &o.mul(&v[e], l));
            }
            o.put(&acc, &mut out);
            o.wipe(&mut acc);
        }
        shares.push(VssShare::Explicit(out));
    }
    vals.iter_mut().flatten().for_each(|v| o.wipe(v));
    Ok(VDealing { shares, commitments })
}

/// One share to check: the point, the commitments, the share.
pub(super) type Item<'a, B> = (u64, &'a [AnyElement<B>], &'a ShareVec<B>);

/// [`super::verify_batch`] and [`super::verify_results`] in one group family: every
/// `(x, commitments, share)` checked at once with random weights from `rng` (`None` for a
/// single share: weight 1); the shares' side constant-time if `secret`.
pub(super) fn verify_batch<B: Backend, O: Ops<B>, R: Rng + ?Sized>(
    o: &O,
    items: &[Item<'_, B>],
    rng: Option<&mut R>,
    secret: bool,
) -> bool {
    let Some(first) = items.first().and_then(|(_, _, s)| o.slice(s)) else {
        return items.is_empty();
    };
    let len = first.len();
    let t = items[0].1.len();
    if len == 0 || t == 0 {
        return false;
    }
    let mut weights: Vec<O::S> = match rng {
        Some(r) if items.len() > 1 => items.iter().map(|_| o.random(r)).collect(),
        _ => vec![o.int(1); items.len()],
    };
    let mut points = Vec::with_capacity(items.len() * t);
    let mut scalars = Vec::with_capacity(items.len() * t);
    let mut sum: Vec<O::S> = vec![o.zero(); len];
    for ((x, commitments, share), w) in items.iter().zip(&weights) {
        let Some(s) = o.slice(share) else { return false };
        if s.len() != len || commitments.len() != t || *x == 0 {
            return false;
        }
        let xv = o.int(*x);
        let mut pw = w.clone();
        for c in commitments.iter() {
            let Some(p) = o.point(c) else { return false };
            points.push(p);
            scalars.push(pw.clone());
            pw = o.mul(&pw, &xv);
        }
        for (acc, y) in sum.iter_mut().zip(s) {
            let mut next = o.add(acc, &o.mul(w, y));
            std::mem::swap(acc, &mut next);
            o.wipe(&mut next);
        }
    }
    let gens = o.generators(len - 1);
    let rhs = o.public_msm(&points, &scalars);
    let lhs = if secret {
        o.commit(&gens[..len - 1], &sum[..len - 1], &sum[len - 1])
    } else {
        let mut bases = gens[..len - 1].to_vec();
        bases.push(o.h());
        o.public_msm(&bases, &sum)
    };
    sum.iter_mut().chain(weights.iter_mut()).for_each(|s| o.wipe(s));
    lhs == rhs
}

/// [`super::reconstruct`] in one group family.
pub(super) fn reconstruct<B: Backend, O: Ops<B>>(o: &O, results: &[(u64, &ShareVec<B>)]) -> Result<Vec<F64>> {
    let xs: Vec<u64> = results.iter().map(|(x, _)| *x).collect();
    let mut seen = std::collections::BTreeSet::new();
    for &x in &xs {
        if x == 0 {
            return Err(CoreError::ZeroPoint);
        }
        if !seen.insert(x) {
            return Err(CoreError::DuplicatePoint { x });
        }
    }
    let vs: Vec<&[O::S]> = results.iter().filter_map(|(_, v)| o.slice(v)).collect();
    let len = vs.first().map_or(0, |v| v.len());
    if vs.len() != results.len() || len == 0 {
        return Err(CoreError::ShareCount {
            points: results.len(),
            shares: vs.len(),
        });
    }
    if let Some((i, v)) = vs.iter().enumerate().find(|(_, v)| v.len() != len) {
        return Err(CoreError::LengthMismatch {
            x: xs[i],
            len: v.len(),
            expected: len,
        });
    }
    // L_m(0) = prod_{l != m} x_l / (x_l - x_m)
    let lambdas: Vec<O::S> = (0..xs.len())
        .map(|m| {
            let (mut num, mut den) = (o.int(1), o.int(1));
            for l in (0..xs.len()).filter(|&l| l != m) {
                num = o.mul(&num, &o.int(xs[l]));
                den = o.mul(&den, &o.sub(&o.int(xs[l]), &o.int(xs[m])));
            }
            o.mul(&num, &o.inv(&den))
        })
        .collect();
    Ok((0..len - 1)
        .map(|e| {
            let mut acc = o.zero();
            for (v, l) in vs.iter().zip(&lambdas) {
                acc = o.add(&acc, &o.mul(&v[e], l));
            }
            o.mod_p(&acc)
        })
        .collect())
}
