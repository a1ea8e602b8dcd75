//! The wipe checks of `core/tests/wipe.rs` (num) and `core/tests/wipe_gmp.rs` (gmp), generic
//! over the backend, each backend in its own test binary (its own process and heap). The num
//! backend is not held to a clean evaluation: num-bigint frees its division scratch unwiped and
//! leaves stale digits in the spare capacity of grown buffers (the limitation
//! `core/src/backend/num.rs` documents), and whether a copy of a share turns up in a block
//! freed during an evaluation depends on how the allocator reuses blocks. That check failed
//! after the gmp one in a shared process, and alone in CI's all-features build.

use dsmpc_core::backend::{Backend, BackendKind};
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::shamir::Polynomial;
use zeroize::Zeroizing;

use super::scan_alloc::{needles_of, watch};

/// 32 bytes with no zero byte, different per `tag` and per backend, below q.
fn secret<B: Backend>(tag: u8) -> Vec<u8> {
    let salt = match B::KIND {
        BackendKind::Num => 0x00,
        _ => 0x80,
    };
    let mut s: Vec<u8> = (0..32u8).map(|i| 0x11u8.wrapping_mul(i + 1) ^ tag ^ salt | 1).collect();
    s[0] = 0x3a;
    s
}

pub fn wipe_leaves_no_copy<B: Backend>() {
    let be = secret::<B>(0x5c);
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

/// A polynomial of secret coefficients: dropped, it frees only zeros; with `check_eval`,
/// evaluating it leaves no copy of a coefficient or the share in freed temporaries either.
/// The num backend cannot promise the second (num-bigint's division scratch and grown buffers
/// are freed unwiped, `core/src/backend/num.rs`): whether a copy shows up there depends on how
/// the allocator reuses blocks, so its test checks only the first.
pub fn polynomial_leaves_no_copy<B: Backend>(check_eval: bool) {
    let group = SchnorrGroup::<B>::standard(1024).unwrap();
    let zq = group.zq();
    // Every copy the test itself makes of a secret is wiped before it is freed: a freed block
    // that still held one could be reused by a temporary inside the watch and found there.
    let secrets: Vec<Zeroizing<Vec<u8>>> = (1..=3).map(|t| Zeroizing::new(secret::<B>(t))).collect();
    let coeffs: Vec<B::Int> = secrets.iter().map(|s| B::from_be_bytes(s)).collect();
    let mut needles: Vec<u64> = secrets.iter().flat_map(|s| needles_of(s)).collect();
    let poly = Polynomial::from_coefficients(zq, coeffs);
    let share = poly.eval(zq, 5);
    needles.extend(needles_of(&Zeroizing::new(zq.to_bytes(&share))));
    if check_eval {
        let (mut y, hits) = watch(&needles, || poly.eval(zq, 5));
        assert_eq!(hits, 0, "{}: evaluating left a copy of a share or coefficient", B::KIND);
        assert_eq!(y, share);
        B::wipe(&mut y);
    }
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
