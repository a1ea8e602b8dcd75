//! What the bench integration tests share: their tiny grids' common lines.

/// A tiny test grid as a `&'static str`: `$head` (name, reps, seed, any other top-level key),
/// then the sizes every test grid uses (RSA-1024 and group-1024, the num backend, RustCrypto,
/// m = 3: fast, and weak on purpose), then `$sweep` (the `[[sweep]]` tables).
macro_rules! tiny_grid {
    ($head:literal, $sweep:literal) => {
        concat!(
            $head,
            "rsa_bits = [1024]\nprovider = [\"rustcrypto\"]\ngroup_bits = [1024]\nbackend = [\"num\"]\ncps = [3]\n",
            $sweep
        )
    };
}
