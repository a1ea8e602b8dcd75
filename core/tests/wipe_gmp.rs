//! Secrets are wiped without copies left behind, gmp backend: the checks of `wipe.rs`
//! (`common/wipe_checks.rs`), in a test binary of their own so that each backend has a process
//! and a heap to itself.

#![cfg(feature = "gmp")]

#[path = "common/scan_alloc.rs"]
mod scan_alloc;
#[path = "common/wipe_checks.rs"]
mod wipe_checks;

use dsmpc_core::backend::Gmp;
use scan_alloc::ScanAlloc;

#[global_allocator]
static ALLOC: ScanAlloc = ScanAlloc;

#[test]
fn gmp_wipes_without_copies() {
    wipe_checks::wipe_leaves_no_copy::<Gmp>();
    wipe_checks::polynomial_leaves_no_copy::<Gmp>(true);
}
