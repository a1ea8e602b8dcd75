//! Secrets are wiped without copies left behind, on both backends: `Backend::wipe` makes no
//! copy of the value it zeroes (num-bigint's `to_u32_digits` did), decoding a secret from bytes
//! leaves no copy (num-bigint's `from_bytes_be` did), a dropped [`Polynomial`] frees only
//! zeros, and evaluating one leaves no copy of the share in freed temporaries. Checked with an
//! allocator that searches every block freed meanwhile for the secret's bytes.

#[path = "common/scan_alloc.rs"]
mod scan_alloc;

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::shamir::Polynomial;
use scan_alloc::{ScanAlloc, needles_of, watch};

#[global_allocator]
static ALLOC: ScanAlloc = ScanAlloc;

/// 32 bytes with no zero byte, different per `tag`, below q.
fn secret(tag: u8) -> Vec<u8> {
    let mut s: Vec<u8> = (0..32u8).map(|i| 0x11u8.wrapping_mul(i + 1) ^ tag | 1).collect();
    s[0] = 0x3a;
    s
}

fn wipe_leaves_no_copy<B: Backend>() {
    let be = secret(0x5c);
    let needles = needles_of(&be);
    let (mut x, hits) = watch(&needles, || B::from_be_bytes(&be));
    assert_eq!(
        hits,
        0,
        "{}: decoding left a copy of the secret in freed memory",
        B::KIND
    );
    assert_eq!(B::to_be_bytes(&x), be);
    let ((), hits) = watch(&needles, || B::wipe(&mut x));
    assert_eq!(hits, 0, "{}: wipe copied the secret before zeroing it", B::KIND);
    assert!(B::is_zero(&x));
    let ((), hits) = watch(&needles, || drop(x));
    assert_eq!(hits, 0, "{}: the wiped value's memory still held the secret", B::KIND);
    // Padded encoding: the minimal encoding it starts from is wiped.
    let x = B::from_be_bytes(&be);
    let (mut padded, hits) = watch(&needles, || B::to_be_bytes_padded(&x, 40).unwrap());
    assert_eq!(hits, 0, "{}: to_be_bytes_padded left a copy", B::KIND);
    zeroize::Zeroize::zeroize(&mut padded);
    let mut x = x;
    B::wipe(&mut x);
}

fn polynomial_leaves_no_copy<B: Backend>() {
    let group = SchnorrGroup::<B>::standard(1024).unwrap();
    let zq = group.zq();
    let coeffs: Vec<B::Int> = (1..=3).map(|t| B::from_be_bytes(&secret(t))).collect();
    let mut needles: Vec<u64> = (1..=3).flat_map(|t| needles_of(&secret(t))).collect();
    let poly = Polynomial::from_coefficients(zq, coeffs);
    let share = poly.eval(zq, 5);
    needles.extend(needles_of(&zq.to_bytes(&share)));
    let (mut y, hits) = watch(&needles, || poly.eval(zq, 5));
    assert_eq!(hits, 0, "{}: evaluating left a copy of a share or coefficient", B::KIND);
    assert_eq!(y, share);
    B::wipe(&mut y);
    let mut share = share;
    B::wipe(&mut share);
    let ((), hits) = watch(&needles, || drop(poly));
    assert_eq!(
        hits,
        0,
        "{}: a dropped polynomial freed its coefficients unwiped",
        B::KIND
    );
}

#[test]
fn num_wipes_without_copies() {
    wipe_leaves_no_copy::<Num>();
    polynomial_leaves_no_copy::<Num>();
}

#[cfg(feature = "gmp")]
#[test]
fn gmp_wipes_without_copies() {
    wipe_leaves_no_copy::<dsmpc_core::backend::Gmp>();
    polynomial_leaves_no_copy::<dsmpc_core::backend::Gmp>();
}
