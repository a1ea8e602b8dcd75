//! The PVSS attachment of the paper's Eq. (3) and its verification, Eq. (4), plus faster
//! equivalent paths.
//!
//! A CP holds `sk` in Z_q^* and publishes `pk = g^sk`. A DP sending share `y` to that CP
//! attaches `E = pk^y`, `C = g^y h^r` and `r` (random in Z_q). The CP, having decrypted `y`:
//!
//! - **paper** ([`VerifyMode::Paper`]): `D = E^(sk^-1)`, accept iff `D == g^y` and `C == D h^r`;
//!   `E^(sk^-1)` runs on the backend's constant-time path;
//! - **fast** ([`VerifyMode::Fast`]): accept iff `E == pk^y` (fixed-base table for pk) and
//!   `C == g^y h^r` (tables for g and h). In a group of prime order this is the same statement,
//!   and it needs no secret at all;
//! - **batch** ([`VerifyMode::Batch`]): for packets `j` and random 64-bit `d_j`, `e_j`, accept all
//!   iff `prod E_j^d_j C_j^e_j == pk^(sum d_j y_j) g^(sum e_j y_j) h^(sum e_j r_j)` (d_j, e_j odd, so
//!   never zero); on failure,
//!   fall back to per-packet checks and name every bad packet.
//!
//! All three first require E and C to be well formed ([`PrimeOrderGroup::check_element`]; in a
//! Schnorr group: in range, Jacobi symbol 1) and `y`, `r` below q. With that precondition the
//! paths accept exactly the same inputs and give the same reason for a rejection (E is checked
//! before C): without it the paper path would accept `E = -pk^y` whenever `sk^-1 mod q` is
//! even, and the batch test could be fooled with probability 1/2. A well-formed element has no
//! component of small order (the trait's contract; in a Schnorr group because `p = 2qr + 1`
//! with r prime), so a bad packet survives the batch equation with probability at most 2^-63.
//!
//! Everything here is generic over the group ([`PrimeOrderGroup`]), written multiplicatively
//! as in the paper; the type parameter `G` defaults to the Schnorr group of the scalars'
//! backend, so `CpKeyPair<B>` is `CpKeyPair<B, AnyGroup<B>>` (the group chosen at run time).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rand_core::Rng;
use thiserror::Error;

use crate::backend::Backend;
use crate::error::{CoreError, Result};
use crate::group::{AnyGroup, PrimeOrderGroup};

/// A CP's PVSS key pair in group `G`. The secret and its inverse are wiped on drop.
pub struct CpKeyPair<B: Backend, G: PrimeOrderGroup<Backend = B> = AnyGroup<B>> {
    sk: B::Int,
    sk_inv: B::Int,
    pk: G::Element,
    pk_table: OnceLock<G::Table>,
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> fmt::Debug for CpKeyPair<B, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CpKeyPair")
            .field("pk", &self.pk)
            .field("sk", &"<secret>")
            .finish()
    }
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> Drop for CpKeyPair<B, G> {
    fn drop(&mut self) {
        B::wipe(&mut self.sk);
        B::wipe(&mut self.sk_inv);
    }
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> CpKeyPair<B, G> {
    /// A fresh key pair: sk uniform in Z_q^*, `pk = g^sk` (constant-time), `sk^-1` as
    /// `sk^(q-2)` (constant-time).
    pub fn generate<R: Rng + ?Sized>(group: &G, rng: &mut R) -> Self {
        let sk = group.zq().random_nonzero(rng);
        Self::from_secret(group, sk).unwrap_or_else(|_| unreachable!("sk is non-zero and below q"))
    }

    /// The key pair of a given secret (non-zero, below q).
    pub fn from_secret(group: &G, sk: B::Int) -> Result<Self> {
        let sk = group.zq().check(sk, "PVSS secret key")?;
        let sk_inv = group.zq().inv_secret(&sk).ok_or(CoreError::NotInField {
            what: "PVSS secret key (zero)",
        })?;
        // Set-up, not counted.
        let pk = group.mul_secret_uncounted(group.g(), &sk);
        Ok(CpKeyPair {
            sk,
            sk_inv,
            pk,
            pk_table: OnceLock::new(),
        })
    }

    /// The public key `g^sk`.
    pub fn pk(&self) -> &G::Element {
        &self.pk
    }

    /// The fixed-base table of pk (built on first use).
    pub fn pk_table(&self, group: &G) -> &G::Table {
        self.pk_table.get_or_init(|| group.table(&self.pk))
    }

    /// Test support: the secret key.
    #[doc(hidden)]
    pub fn secret_for_tests(&self) -> &B::Int {
        &self.sk
    }
}

/// The attachment `(E, C, r)` a DP sends along with a share.
pub struct Attachment<B: Backend, G: PrimeOrderGroup<Backend = B> = AnyGroup<B>> {
    /// `E = pk^y`.
    pub e: G::Element,
    /// `C = g^y h^r`.
    pub c: G::Element,
    /// The blinding `r` in Z_q.
    pub r: B::Int,
    /// `E / 2` and `C / 2`, where [`attach_fast`] computed them for a faster encoding
    /// ([`encode_attachments`]); checked against `e` and `c` before they are used.
    halves: Option<[G::Element; 2]>,
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> Attachment<B, G> {
    /// The attachment of `e`, `c` and `r`.
    pub fn new(e: G::Element, c: G::Element, r: B::Int) -> Self {
        Attachment { e, c, r, halves: None }
    }
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> Clone for Attachment<B, G> {
    fn clone(&self) -> Self {
        Attachment {
            e: self.e.clone(),
            c: self.c.clone(),
            r: self.r.clone(),
            halves: self.halves.clone(),
        }
    }
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> fmt::Debug for Attachment<B, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("e", &self.e)
            .field("c", &self.c)
            .field("r", &self.r)
            .finish()
    }
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> PartialEq for Attachment<B, G> {
    fn eq(&self, other: &Self) -> bool {
        self.e == other.e && self.c == other.c && self.r == other.r
    }
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> Eq for Attachment<B, G> {}

/// Paper-literal attachment: three exponentiations without tables (`pk^y` and `g^y` on the
/// backend's constant-time path, as y is secret; `h^r` variable-time, as r is sent in the
/// clear).
pub fn attach_paper<B: Backend, G: PrimeOrderGroup<Backend = B>, R: Rng + ?Sized>(
    group: &G,
    pk: &G::Element,
    y: &B::Int,
    rng: &mut R,
) -> Attachment<B, G> {
    let r = group.zq().random(rng);
    // y is secret: the group's constant-time path. r travels in the clear: variable-time.
    let e = group.mul_secret(pk, y);
    let gy = group.mul_secret(group.g(), y);
    let hr = group.vartime_mul(group.h(), &r);
    Attachment::new(e, group.op(&gy, &hr), r)
}

/// Faster attachment with the same output for the same randomness: `pk^y` on the backend's
/// constant-time path (each DP uses each pk once, so a table would not pay off) and `g^y h^r`
/// from the fixed-base tables: `g^y` with constant-time lookups (y is secret), `h^r`
/// variable-time, as in [`attach_paper`] (r travels in the clear, in the attachment).
///
/// In a group whose doubles encode faster in a batch
/// ([`PrimeOrderGroup::doubles_encode_faster`]: ristretto255), the same operations run with
/// `y / 2` and `r / 2` and give `E / 2` and `C / 2`; E and C are their doubles (two group
/// operations), and the halves are kept for [`encode_attachments`].
pub fn attach_fast<B: Backend, G: PrimeOrderGroup<Backend = B>, R: Rng + ?Sized>(
    group: &G,
    pk: &G::Element,
    y: &B::Int,
    rng: &mut R,
) -> Attachment<B, G> {
    let r = group.zq().random(rng);
    if !group.doubles_encode_faster() {
        let (e, c) = pk_y_and_commit(group, pk, y, &r);
        return Attachment::new(e, c, r);
    }
    let mut y2 = group.halve(y);
    let (e2, c2) = pk_y_and_commit(group, pk, &y2, &group.halve(&r));
    B::wipe(&mut y2);
    Attachment {
        e: group.op(&e2, &e2),
        c: group.op(&c2, &c2),
        r,
        halves: Some([e2, c2]),
    }
}

/// `y * pk` (constant-time) and `y * g + r * h` (g's table constant-time, h's variable-time).
fn pk_y_and_commit<B: Backend, G: PrimeOrderGroup<Backend = B>>(
    group: &G,
    pk: &G::Element,
    y: &B::Int,
    r: &B::Int,
) -> (G::Element, G::Element) {
    let e = group.mul_secret(pk, y);
    let gy = group.mul_g(y);
    let hr = group.vartime_mul_h(r);
    (e, group.op(&gy, &hr))
}

/// The encodings of E and C of each attachment, as [`PrimeOrderGroup::encode_element`] gives
/// them. Attachments from [`attach_fast`] in a group whose doubles encode faster carry their
/// halves: those whose halves still double to their E and C (a cheap check: fields may have
/// been edited since) are encoded together with [`PrimeOrderGroup::encode_doubles`]; the rest
/// one element at a time.
pub fn encode_attachments<B: Backend, G: PrimeOrderGroup<Backend = B>>(
    group: &G,
    atts: &[&Attachment<B, G>],
) -> Vec<[Vec<u8>; 2]> {
    let mut out: Vec<Option<[Vec<u8>; 2]>> = vec![None; atts.len()];
    let mut halves = Vec::new();
    let mut batched = Vec::new();
    for (i, a) in atts.iter().enumerate() {
        match &a.halves {
            Some([e2, c2]) if group.op(e2, e2) == a.e && group.op(c2, c2) == a.c => {
                halves.extend([e2, c2]);
                batched.push(i);
            }
            _ => out[i] = Some([group.encode_element(&a.e), group.encode_element(&a.c)]),
        }
    }
    let mut encoded = group.encode_doubles(&halves).into_iter();
    for i in batched {
        if let (Some(e), Some(c)) = (encoded.next(), encoded.next()) {
            out[i] = Some([e, c]);
        }
    }
    out.into_iter()
        .zip(atts)
        .map(|(o, a)| o.unwrap_or_else(|| [group.encode_element(&a.e), group.encode_element(&a.c)]))
        .collect()
}

/// How a CP verifies attachments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VerifyMode {
    /// The paper's Eq. (4), literally.
    Paper,
    /// Equivalent per-packet check with fixed-base tables.
    Fast,
    /// Random-linear-combination batch check, per-packet fallback on failure.
    Batch,
    /// No PVSS attachment: Pedersen verifiable secret sharing ([`crate::vss`]). Each DP commits
    /// to its polynomial, every CP checks its share pair against the commitments, the CPs agree
    /// on the set of DPs and the Edge checks every uploaded sum-share (beyond the paper).
    Vss,
}

impl VerifyMode {
    /// Every mode.
    pub const ALL: [VerifyMode; 4] = [VerifyMode::Paper, VerifyMode::Fast, VerifyMode::Batch, VerifyMode::Vss];
    /// The modes that use the paper's PVSS attachment (all but [`VerifyMode::Vss`]).
    pub const PVSS: [VerifyMode; 3] = [VerifyMode::Paper, VerifyMode::Fast, VerifyMode::Batch];
    /// The command-line and CSV name.
    pub fn name(self) -> &'static str {
        match self {
            VerifyMode::Paper => "paper",
            VerifyMode::Fast => "fast",
            VerifyMode::Batch => "batch",
            VerifyMode::Vss => "vss",
        }
    }

    /// Whether DPs attach the paper's PVSS `(E, C, r)` (every mode but `vss`).
    pub fn uses_pvss(self) -> bool {
        self != VerifyMode::Vss
    }
}

impl fmt::Display for VerifyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for VerifyMode {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "paper" => Ok(VerifyMode::Paper),
            "fast" => Ok(VerifyMode::Fast),
            "batch" => Ok(VerifyMode::Batch),
            "vss" => Ok(VerifyMode::Vss),
            _ => Err(format!(
                "unknown verification mode {s:?}: choose paper, fast, batch or vss"
            )),
        }
    }
}

/// Why an attachment was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Error)]
pub enum PvssFailure {
    /// E is out of range or not in the group (Jacobi symbol != 1).
    #[error("E is not a well-formed group element")]
    MalformedE,
    /// C is out of range or not in the group.
    #[error("C is not a well-formed group element")]
    MalformedC,
    /// The share or r is not below q.
    #[error("share or r is not below q")]
    ScalarOutOfRange,
    /// `E^(sk^-1) != g^y` (equivalently `E != pk^y`).
    #[error("E does not match the share (E^(1/sk) != g^y)")]
    WrongE,
    /// `C != D h^r` (equivalently `C != g^y h^r`).
    #[error("C does not match the share and r (C != g^y h^r)")]
    WrongC,
}

/// One packet for verification: the decrypted share `y` and its attachment.
pub struct Packet<'a, B: Backend, G: PrimeOrderGroup<Backend = B> = AnyGroup<B>> {
    /// The decrypted share.
    pub y: &'a B::Int,
    /// The attachment.
    pub att: &'a Attachment<B, G>,
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> fmt::Debug for Packet<'_, B, G> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Packet")
            .field("y", self.y)
            .field("att", self.att)
            .finish()
    }
}

impl<B: Backend, G: PrimeOrderGroup<Backend = B>> Clone for Packet<'_, B, G> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<B: Backend, G: PrimeOrderGroup<Backend = B>> Copy for Packet<'_, B, G> {}

fn precheck<B: Backend, G: PrimeOrderGroup<Backend = B>>(
    group: &G,
    p: Packet<'_, B, G>,
) -> std::result::Result<(), PvssFailure> {
    let q = group.zq().modulus();
    if p.y >= q || &p.att.r >= q {
        return Err(PvssFailure::ScalarOutOfRange);
    }
    if !group.check_element(&p.att.e) {
        return Err(PvssFailure::MalformedE);
    }
    if !group.check_element(&p.att.c) {
        return Err(PvssFailure::MalformedC);
    }
    Ok(())
}

/// The paper's Eq. (4): `D = E^(sk^-1)`; `D == g^y` and `C == D h^r`.
pub fn verify_paper<B: Backend, G: PrimeOrderGroup<Backend = B>>(
    group: &G,
    keys: &CpKeyPair<B, G>,
    p: Packet<'_, B, G>,
) -> std::result::Result<(), PvssFailure> {
    precheck(group, p)?;
    let d = group.mul_secret(&p.att.e, &keys.sk_inv);
    if d != group.mul_secret(group.g(), p.y) {
        return Err(PvssFailure::WrongE);
    }
    let dhr = group.op(&d, &group.vartime_mul(group.h(), &p.att.r));
    if p.att.c != dhr {
        return Err(PvssFailure::WrongC);
    }
    Ok(())
}

/// The equivalent fast check: `E == pk^y` and `C == g^y h^r`, all from fixed-base tables.
pub fn verify_fast<B: Backend, G: PrimeOrderGroup<Backend = B>>(
    group: &G,
    keys: &CpKeyPair<B, G>,
    p: Packet<'_, B, G>,
) -> std::result::Result<(), PvssFailure> {
    precheck(group, p)?;
    if p.att.e != group.mul_table(keys.pk_table(group), p.y) {
        return Err(PvssFailure::WrongE);
    }
    if p.att.c != group.commit(p.y, &p.att.r) {
        return Err(PvssFailure::WrongC);
    }
    Ok(())
}

/// Verify one packet in the given mode (`Batch` on a single packet is the batch path with
/// one element).
pub fn verify<B: Backend, G: PrimeOrderGroup<Backend = B>, R: Rng + ?Sized>(
    mode: VerifyMode,
    group: &G,
    keys: &CpKeyPair<B, G>,
    p: Packet<'_, B, G>,
    rng: &mut R,
) -> std::result::Result<(), PvssFailure> {
    match mode {
        VerifyMode::Paper => verify_paper(group, keys, p),
        // `vss` sends no attachment; given one, the statement to check is the same as `fast`'s.
        VerifyMode::Fast | VerifyMode::Vss => verify_fast(group, keys, p),
        VerifyMode::Batch => verify_batch(group, keys, &[p], rng).map_err(|mut bad| bad.remove(0).1),
    }
}

/// Verify many packets at one CP at once. `Ok(())` if all pass; otherwise every failing
/// packet's index (into `packets`) with its reason, in index order.
pub fn verify_batch<B: Backend, G: PrimeOrderGroup<Backend = B>, R: Rng + ?Sized>(
    group: &G,
    keys: &CpKeyPair<B, G>,
    packets: &[Packet<'_, B, G>],
    rng: &mut R,
) -> std::result::Result<(), Vec<(usize, PvssFailure)>> {
    let mut bad = Vec::new();
    let mut good: Vec<usize> = Vec::with_capacity(packets.len());
    for (i, p) in packets.iter().enumerate() {
        match precheck(group, *p) {
            Ok(()) => good.push(i),
            Err(f) => bad.push((i, f)),
        }
    }
    if !good.is_empty() {
        let zq = group.zq();
        let mut bases: Vec<&G::Element> = Vec::with_capacity(2 * good.len());
        let mut exps: Vec<u64> = Vec::with_capacity(2 * good.len());
        let (mut sum_dy, mut sum_ey, mut sum_er) = (B::from_u64(0), B::from_u64(0), B::from_u64(0));
        for &i in &good {
            let p = packets[i];
            let d = rng.next_u64() | 1;
            let e = rng.next_u64() | 1;
            bases.push(&p.att.e);
            exps.push(d);
            bases.push(&p.att.c);
            exps.push(e);
            let (dv, ev) = (B::from_u64(d), B::from_u64(e));
            let (mut dy, mut ey) = (zq.mul(&dv, p.y), zq.mul(&ev, p.y));
            let (next_dy, next_ey) = (zq.add(&sum_dy, &dy), zq.add(&sum_ey, &ey));
            for x in [&mut dy, &mut ey, &mut sum_dy, &mut sum_ey] {
                B::wipe(x);
            }
            (sum_dy, sum_ey) = (next_dy, next_ey);
            sum_er = zq.add(&sum_er, &zq.mul(&ev, &p.att.r));
        }
        let lhs = group.vartime_multiscalar_mul_small(&bases, &exps);
        let rhs = group.op(
            &group.mul_table(keys.pk_table(group), &sum_dy),
            &group.commit(&sum_ey, &sum_er),
        );
        B::wipe(&mut sum_dy);
        B::wipe(&mut sum_ey);
        if lhs != rhs {
            for &i in &good {
                if let Err(f) = verify_fast(group, keys, packets[i]) {
                    bad.push((i, f));
                }
            }
            bad.sort_by_key(|(i, _)| *i);
        }
    }
    if bad.is_empty() { Ok(()) } else { Err(bad) }
}
