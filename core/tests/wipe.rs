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
