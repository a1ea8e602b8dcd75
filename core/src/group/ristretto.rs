//! ristretto255 (RFC 9496) as a [`PrimeOrderGroup`], on curve25519-dalek.
//!
//! The group has prime order `l = 2^252 + 27742317777372353535851937790883648493` and no small
//! subgroup (Ristretto removes Curve25519's cofactor), so the batch tests need no element check
//! beyond decoding. `g` is the standard base point; `h` is hashed to the group from a public
//! seed ([`H_SEED`]: SHA-512 of it, then the RFC 9496 one-way map), so nobody knows `log_g h`.
//!
//! Encoding is the 32-byte ristretto255 encoding. Decoding ([`PrimeOrderGroup::parse_element`])
//! refuses non-canonical encodings (curve25519-dalek's decompression implements RFC 9496's
//! checks) and the identity: an honest party's element is the identity with probability about
//! 2^-252, and the identity as a key or an encryption component would expose the secret. The
//! decompression is the check, so it is what counts as one
//! [`Op::ElementCheck`](crate::counters::Op::ElementCheck); [`PrimeOrderGroup::check_element`]
//! on a decoded point only refuses the identity and is not counted.
//!
//! Scalars are the backend's integers below `l` (Shamir sharing runs in Z_l with the session's
//! backend); each multiplication converts its scalar to a curve25519-dalek `Scalar` through its
//! 32-byte encoding, and wipes the bytes. Secret scalars go through curve25519-dalek's
//! constant-time multiplication (variable base) and its constant-time fixed-base tables; public
//! ones through its variable-time paths, except `r * h`, which uses this crate's variable-time
//! table of h (`comb.rs`: 44 additions, no constant-time scans), and the multiscalar
//! multiplication with small scalars, this crate's own (`msm.rs`: 64 doublings, not 256). The conversion from a
//! num-bigint runs over a fixed-width buffer (its digits' count varies by a few instructions).

use curve25519_dalek::constants::{RISTRETTO_BASEPOINT_POINT, RISTRETTO_BASEPOINT_TABLE};
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar as DalekScalar;
use curve25519_dalek::traits::{Identity, IsIdentity, VartimeMultiscalarMul};
use sha2::{Digest, Sha512};
use zeroize::Zeroize;

use std::sync::OnceLock;

use super::PrimeOrderGroup;
use super::comb::VartimeComb;
use crate::backend::Backend;
use crate::counters::{self, Op};
use crate::error::{CoreError, Result};
use crate::field::Zq;

/// The public seed `h` is hashed from (SHA-512, then RFC 9496's `from_uniform_bytes`).
pub const H_SEED: &[u8] = b"dsmpc ristretto255 generator h v1";

/// Bytes of an encoded element.
pub const ELEMENT_LEN: usize = 32;

/// The group order l, big-endian.
const ORDER_BE: [u8; 32] = [
    0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14, 0xde, 0xf9, 0xde, 0xa2, 0xf7, 0x9c, 0xd6, 0x58, 0x12,
    0x63, 0x1a, 0x5c, 0xf5, 0xd3, 0xed,
];

/// The inverse of 2 mod l, `(l + 1) / 2`, little-endian (curve25519-dalek's scalar order).
const HALF_LE: [u8; 32] = [
    0xf7, 0xe9, 0x7a, 0x2e, 0x8d, 0x31, 0x09, 0x2c, 0x6b, 0xce, 0x7b, 0x51, 0xef, 0x7c, 0x6f, 0x0a, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08,
];

/// A fixed-base table of one element: curve25519-dalek's constant-time basepoint table.
#[derive(Clone)]
pub struct RistrettoTable(Box<RistrettoBasepointTable>);

impl std::fmt::Debug for RistrettoTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RistrettoTable({:?})", self.0.basepoint().compress())
    }
}

/// ristretto255 with scalars from backend `B`.
#[derive(Clone, Debug)]
pub struct Ristretto255<B: Backend> {
    zq: Zq<B>,
    g: RistrettoPoint,
    h: RistrettoPoint,
    h_table: RistrettoTable,
}

impl<B: Backend> Ristretto255<B> {
    /// The group, with `h` derived from [`H_SEED`].
    pub fn new() -> Self {
        let h = hash_to_group(H_SEED);
        let group = Ristretto255 {
            zq: Zq::new(B::from_be_bytes(&ORDER_BE)),
            g: RISTRETTO_BASEPOINT_POINT,
            h,
            h_table: RistrettoTable(Box::new(RistrettoBasepointTable::create(&h))),
        };
        // Built here, in set-up, rather than inside the first measured phase that needs it.
        h_comb(&group.h);
        group
    }

    /// The scalar as curve25519-dalek's; callers pass scalars below l (reduced otherwise).
    fn scalar(k: &B::Int) -> DalekScalar {
        let mut be =
            B::to_be_bytes_padded(k, 32).unwrap_or_else(|_| B::to_be_bytes(&B::rem(k, &B::from_be_bytes(&ORDER_BE))));
        let mut le = [0u8; 32];
        for (i, b) in be.iter().rev().enumerate().take(32) {
            le[i] = *b;
        }
        let s = DalekScalar::from_bytes_mod_order(le);
        be.zeroize();
        le.zeroize();
        s
    }
}

impl<B: Backend> Default for Ristretto255<B> {
    fn default() -> Self {
        Self::new()
    }
}

/// The variable-time table of `h`. `h` is the same in every instance (hashed from [`H_SEED`];
/// [`Ristretto255::new`] is the only constructor), so one table serves the process: 225 KiB,
/// built by the first instance.
fn h_comb(h: &RistrettoPoint) -> &'static VartimeComb {
    static H_COMB: OnceLock<VartimeComb> = OnceLock::new();
    H_COMB.get_or_init(|| VartimeComb::new(h))
}

/// SHA-512 of `seed`, mapped to the group (RFC 9496 `hash_to_group`'s one-way map).
pub fn hash_to_group(seed: &[u8]) -> RistrettoPoint {
    let digest: [u8; 64] = Sha512::digest(seed).into();
    RistrettoPoint::from_uniform_bytes(&digest)
}

impl<B: Backend> PrimeOrderGroup for Ristretto255<B> {
    type Backend = B;
    type Element = RistrettoPoint;
    type Table = RistrettoTable;

    fn zq(&self) -> &Zq<B> {
        &self.zq
    }
    fn g(&self) -> &RistrettoPoint {
        &self.g
    }
    fn h(&self) -> &RistrettoPoint {
        &self.h
    }
    fn identity(&self) -> RistrettoPoint {
        RistrettoPoint::identity()
    }
    fn op(&self, a: &RistrettoPoint, b: &RistrettoPoint) -> RistrettoPoint {
        a + b
    }
    fn vartime_mul(&self, x: &RistrettoPoint, k: &B::Int) -> RistrettoPoint {
        counters::record(Op::VartimeMul);
        RistrettoPoint::vartime_multiscalar_mul([Self::scalar(k)], [x])
    }
    fn mul_secret(&self, x: &RistrettoPoint, k: &B::Int) -> RistrettoPoint {
        counters::record(Op::SecretMul);
        self.mul_secret_uncounted(x, k)
    }
    fn mul_secret_uncounted(&self, x: &RistrettoPoint, k: &B::Int) -> RistrettoPoint {
        let mut s = Self::scalar(k);
        let r = x * s;
        s.zeroize();
        r
    }
    fn mul_g(&self, k: &B::Int) -> RistrettoPoint {
        counters::record(Op::FixedBaseMul);
        let mut s = Self::scalar(k);
        let r = RISTRETTO_BASEPOINT_TABLE * &s;
        s.zeroize();
        r
    }
    fn mul_h(&self, k: &B::Int) -> RistrettoPoint {
        self.mul_table(&self.h_table, k)
    }
    fn vartime_mul_h(&self, k: &B::Int) -> RistrettoPoint {
        counters::record(Op::FixedBaseMul);
        h_comb(&self.h).mul_vartime(&Self::scalar(k))
    }
    fn table(&self, base: &RistrettoPoint) -> RistrettoTable {
        RistrettoTable(Box::new(RistrettoBasepointTable::create(base)))
    }
    fn mul_table(&self, table: &RistrettoTable, k: &B::Int) -> RistrettoPoint {
        counters::record(Op::FixedBaseMul);
        let mut s = Self::scalar(k);
        let r = &*table.0 * &s;
        s.zeroize();
        r
    }
    fn vartime_multiscalar_mul_small(&self, xs: &[&RistrettoPoint], ks: &[u64]) -> RistrettoPoint {
        counters::record_n(Op::MultiscalarTerm, xs.len() as u64);
        super::msm::small_multiscalar(xs, ks)
    }
    fn check_element(&self, x: &RistrettoPoint) -> bool {
        !x.is_identity()
    }
    fn element_len(&self) -> usize {
        ELEMENT_LEN
    }
    fn encode_element(&self, x: &RistrettoPoint) -> Vec<u8> {
        x.compress().to_bytes().to_vec()
    }
    fn encode_doubles(&self, halves: &[&RistrettoPoint]) -> Vec<Vec<u8>> {
        // One batch inversion for all (the identity's zero stays zero and encodes as zeros).
        RistrettoPoint::double_and_compress_batch(halves.iter().copied())
            .into_iter()
            .map(|c| c.to_bytes().to_vec())
            .collect()
    }
    fn doubles_encode_faster(&self) -> bool {
        true
    }
    fn halve(&self, k: &B::Int) -> B::Int {
        let mut s = Self::scalar(k) * DalekScalar::from_bytes_mod_order(HALF_LE);
        let mut be = s.to_bytes();
        be.reverse();
        let out = B::from_be_bytes(&be);
        s.zeroize();
        be.zeroize();
        out
    }
    fn parse_element(&self, bytes: &[u8]) -> Option<RistrettoPoint> {
        let c = CompressedRistretto::from_slice(bytes).ok()?;
        counters::record(Op::ElementCheck);
        c.decompress().filter(|p| !p.is_identity())
    }
    fn decode_element(&self, bytes: &[u8], what: &'static str) -> Result<RistrettoPoint> {
        self.parse_element(bytes).ok_or(CoreError::BadElement { what })
    }
}
