//! Helpers shared by the integration tests of `dsmpc-reports` and of `dsmpc-perf` (which
//! includes this file): fixture paths (valid from either crate), temporary copies of a fixture
//! folder, line-level CSV edits, and a small seeded RNG for synthetic noisy runs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The synthetic factorial sweep (2 backends x n x t x k, 3 reps).
pub fn sweep() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/tests/fixtures/sweep")
}

/// The one-at-a-time sweep (RSA bits, group bits, suite, verification modes).
pub fn sweep_axes() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/tests/fixtures/sweep_axes")
}

/// Copies a fixture folder's four files into a fresh temporary folder.
pub fn copy_fixture(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["phases.csv", "messages.csv", "units.csv", "meta.json"] {
        std::fs::copy(from.join(f), dir.path().join(f)).unwrap();
    }
    dir
}

/// Rewrites `file` in `dir` line by line (line numbers are 1-based, the header is line 1).
pub fn edit_lines(dir: &Path, file: &str, f: impl Fn(usize, &str) -> Option<String>) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let out: Vec<String> = text.lines().enumerate().filter_map(|(i, l)| f(i + 1, l)).collect();
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
}

/// Replaces field `index` (0-based) of a CSV line whose fields before the quoted host
/// column contain no commas.
pub fn set_field(line: &str, index: usize, value: &str) -> String {
    let mut fields: Vec<String> = line.split(',').map(String::from).collect();
    fields[index] = value.to_string();
    fields.join(",")
}

/// xorshift64* with Box-Muller normals: deterministic noise for synthetic runs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        ((x >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}
