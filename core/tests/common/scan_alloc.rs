//! A global allocator for tests that looks inside memory as it is freed: while a thread has
//! armed it ([`watch`]), every block that thread frees (or that a reallocation moves away
//! from) is searched for the 8-byte needles given, at every byte offset, and each hit is
//! counted. A secret wiped before it is freed leaves no hit; one freed as it was (or copied
//! to a temporary that is then freed) does; with `SCAN_ALLOC_TRACE=1` set, [`traces`] says
//! where each such block was freed. Shared by `core/tests/wipe.rs` and
//! `roles/tests/wipe.rs` (`#[path]`); each test binary that uses it installs it with
//! `#[global_allocator] static A: ScanAlloc = ScanAlloc;`.

#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// The most needles one watch takes.
pub const MAX_NEEDLES: usize = 512;

/// The allocator: [`System`], plus the search on free while armed.
pub struct ScanAlloc;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
}
static NEEDLES: [AtomicU64; MAX_NEEDLES] = [const { AtomicU64::new(0) }; MAX_NEEDLES];
static COUNT: AtomicUsize = AtomicUsize::new(0);
static HITS: AtomicUsize = AtomicUsize::new(0);
static TRACES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// With `SCAN_ALLOC_TRACE` set, the backtraces of the frees that held a needle (diagnostics).
pub fn traces() -> Vec<String> {
    TRACES.lock().map(|mut t| std::mem::take(&mut *t)).unwrap_or_default()
}

fn scan(ptr: *const u8, size: usize) {
    let n = COUNT.load(Ordering::Relaxed);
    if size < 8 || n == 0 {
        return;
    }
    for off in 0..=size - 8 {
        // SAFETY: `ptr..ptr + size` is the block being freed, still owned by the caller.
        let w = unsafe { std::ptr::read_unaligned(ptr.add(off) as *const u64) };
        if NEEDLES[..n].iter().any(|x| x.load(Ordering::Relaxed) == w) {
            HITS.fetch_add(1, Ordering::Relaxed);
            if std::env::var_os("SCAN_ALLOC_TRACE").is_some() {
                // Diagnostics: where the block was freed (disarmed meanwhile: this allocates).
                ARMED.with(|a| a.set(false));
                let bt = std::backtrace::Backtrace::force_capture().to_string();
                if let Ok(mut t) = TRACES.lock() {
                    t.push(bt);
                }
                ARMED.with(|a| a.set(true));
            }
            return;
        }
    }
}

// SAFETY: every call is forwarded to `System`; the scan only reads the block before it is freed.
unsafe impl GlobalAlloc for ScanAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARMED.try_with(Cell::get).unwrap_or(false) {
            // Armed: a block starts zeroed, so what a search finds in it was written while it
            // was live. Otherwise the spare capacity of a Vec could still hold a secret freed
            // unwiped before the watch (by the test's own set-up, or a test on another thread
            // sharing the same secret) and be counted against the code under watch: seen in
            // about 1 run in 50 of `roles/tests/wipe.rs`.
            // SAFETY: forwarded.
            return unsafe { System.alloc_zeroed(layout) };
        }
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.try_with(Cell::get).unwrap_or(false) {
            scan(ptr, layout.size());
        }
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !ARMED.try_with(Cell::get).unwrap_or(false) {
            // SAFETY: forwarded.
            return unsafe { System.realloc(ptr, layout, new_size) };
        }
        // Armed: allocate, copy and free explicitly, so the old block is searched.
        // SAFETY: the layout is valid for the new size (same alignment, as `realloc` requires).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: forwarded.
        let new = unsafe { System.alloc_zeroed(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are valid for the smaller size and do not overlap.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            scan(ptr, layout.size());
            // SAFETY: forwarded.
            unsafe { System.dealloc(ptr, layout) };
        }
        new
    }
}

/// One watch at a time: the needles and the hit count are global, so two test threads
/// watching at once would count each other's frees (a flaky failure, seen with the num and gmp
/// tests of `core/tests/wipe.rs` running in parallel).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Run `f` with the search armed on this thread for `needles` (non-zero 8-byte patterns);
/// the number of hits in blocks freed meanwhile. Watches on several threads wait for each
/// other.
pub fn watch<T>(needles: &[u64], f: impl FnOnce() -> T) -> (T, usize) {
    assert!(needles.len() <= MAX_NEEDLES && needles.iter().all(|n| *n != 0));
    // A test that failed inside a watch poisons the lock; the state it guards is reset below.
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for (slot, n) in NEEDLES.iter().zip(needles) {
        slot.store(*n, Ordering::Relaxed);
    }
    COUNT.store(needles.len(), Ordering::Relaxed);
    HITS.store(0, Ordering::Relaxed);
    ARMED.with(|a| a.set(true));
    let out = f();
    ARMED.with(|a| a.set(false));
    COUNT.store(0, Ordering::Relaxed);
    (out, HITS.load(Ordering::Relaxed))
}

/// Needles for a secret given as big-endian bytes: each 8-byte window of its little-endian
/// digits (how both backends hold it: u64 limbs) and of the big-endian bytes themselves,
/// skipping windows with a zero byte run (too common to mean anything).
pub fn needles_of(be: &[u8]) -> Vec<u64> {
    let mut out = Vec::new();
    // The reversed copy is wiped when dropped: a freed block still holding the secret would be
    // found again when a later allocation reuses it and is freed while armed (a false hit).
    let mut le = zeroize::Zeroizing::new(be.to_vec());
    le.reverse();
    for bytes in [&le[..], be] {
        for c in bytes.chunks_exact(8) {
            let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
            if c.iter().filter(|b| **b == 0).count() <= 2 && !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}
