//! The rows of the CSV files a sweep writes; column names and meanings are documented in
//! `bench/README.md` and are the contract with `dsmpc-reports`.

use serde::{Deserialize, Serialize};

/// Host and build facts repeated on every phase row.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Env {
    /// Sweep parallelism.
    pub jobs: usize,
    /// Version of the dsmpc crates.
    pub crate_version: String,
    /// `git rev-parse --short HEAD` (+ `-dirty`).
    pub git_rev: String,
    /// CPU model.
    pub host_cpu: String,
    /// Logical cores.
    pub cores: usize,
}

/// `phases.csv`: one row per point x repetition x phase.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct PhaseRow {
    pub point: String,
    pub rep: usize,
    pub backend: String,
    pub suite: String,
    /// Crypto provider of the suite: `rustcrypto` or `awslc`.
    pub provider: String,
    pub verify: String,
    pub n: usize,
    pub m: usize,
    pub k: usize,
    pub t: usize,
    pub rsa_bits: u32,
    pub group_bits: u32,
    pub value_bits: u32,
    pub seed: u64,
    pub phase: String,
    pub instances: usize,
    pub work_cpu_s: f64,
    pub work_wall_s: f64,
    pub max_cpu_s: f64,
    pub max_wall_s: f64,
    pub bound_s: f64,
    pub overhead: Option<f64>,
    pub modexp_var: u64,
    pub modexp_fixed: u64,
    pub modexp_secret: u64,
    pub multiexp_term: u64,
    pub jacobi: u64,
    pub enc: u64,
    pub dec: u64,
    pub sign: u64,
    pub sig_verify: u64,
    /// `vss`: DP signatures over their commitments (ECDSA P-256 whatever the suite).
    pub dp_sign: u64,
    /// `vss`: verifications of DP commitment signatures (by every CP and the Edge).
    pub dp_sig_verify: u64,
    pub jobs: usize,
    pub crate_version: String,
    pub git_rev: String,
    pub host_cpu: String,
    pub cores: usize,
}

/// `messages.csv`: one row per point x message kind.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct MessageRow {
    pub point: String,
    pub backend: String,
    pub suite: String,
    /// Crypto provider of the suite: `rustcrypto` or `awslc`.
    pub provider: String,
    pub verify: String,
    pub n: usize,
    pub m: usize,
    pub k: usize,
    pub t: usize,
    pub rsa_bits: u32,
    pub group_bits: u32,
    pub value_bits: u32,
    pub seed: u64,
    pub kind: String,
    pub src_role: String,
    pub dst_role: String,
    pub count: u64,
    pub bytes: u64,
    pub payload_bytes: u64,
    pub ref_compatible: bool,
}

/// `units.csv`: unit costs of the cost model, calibrated in the same run.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct UnitRow {
    pub backend: String,
    pub suite: String,
    pub provider: String,
    pub rsa_bits: u32,
    pub group_bits: u32,
    pub op: String,
    pub unit_s: f64,
}

/// The header line (column names) that rows of type `T` are written with.
pub fn header<T: Serialize + Default>() -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if w.serialize(T::default()).is_err() {
        return Vec::new();
    }
    let bytes = w.into_inner().unwrap_or_default();
    csv::Reader::from_reader(bytes.as_slice())
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default()
}
