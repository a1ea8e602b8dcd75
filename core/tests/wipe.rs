//! Secrets are wiped without copies left behind, num backend (gmp: `wipe_gmp.rs`):
//! `Backend::wipe` makes no copy of the value it zeroes (num-bigint's `to_u32_digits` did),
//! decoding a secret from bytes leaves no copy (num-bigint's `from_bytes_be` did), and a
//! dropped [`Polynomial`](dsmpc_core::shamir::Polynomial) frees only zeros. That evaluating one
//! leaves no copy in freed temporaries is checked on gmp only: num-bigint's own division scratch
//! is freed unwiped (see `core/src/backend/num.rs`). Checked with an allocator that searches
//! every block freed meanwhile for the secret's bytes (`common/scan_alloc.rs`); the checks are
//! in `common/wipe_checks.rs`.

#[path = "common/scan_alloc.rs"]
mod scan_alloc;
#[path = "common/wipe_checks.rs"]
mod wipe_checks;

use dsmpc_core::backend::Num;
use scan_alloc::ScanAlloc;

#[global_allocator]
static ALLOC: ScanAlloc = ScanAlloc;

#[test]
fn num_wipes_without_copies() {
    wipe_checks::wipe_leaves_no_copy::<Num>();
    wipe_checks::polynomial_leaves_no_copy::<Num>(false);
}

/// The search itself: a copy of a secret made and freed unwiped while armed is found, at an
/// unaligned offset and after a reallocation moved it (the check would pass vacuously if the
/// allocator stopped looking).
#[test]
fn the_search_finds_a_secret_freed_unwiped() {
    let secret = [0x5cu8, 0xa1, 0x37, 0xe9, 0x02, 0xbb, 0x4d, 0x86, 0x71];
    let needles = scan_alloc::needles_of(&secret);
    let ((), hits) = scan_alloc::watch(&needles, || {
        let mut v = vec![0u8; 3];
        v.extend_from_slice(&secret);
        drop(v);
    });
    assert!(hits >= 1, "a freed unwiped copy was not found");
    let ((), hits) = scan_alloc::watch(&needles, || {
        let mut v = vec![0u8; 3];
        v.extend_from_slice(&secret);
        v.reserve(4096);
        zeroize::Zeroize::zeroize(&mut v);
    });
    assert!(hits >= 1, "the block a reallocation moved away from was not searched");
    let ((), hits) = scan_alloc::watch(&needles, || {
        let mut v = vec![0u8; 3];
        v.extend_from_slice(&secret);
        zeroize::Zeroize::zeroize(&mut v);
    });
    assert_eq!(hits, 0, "a wiped block was counted");
}
