//! The rows of the CSV files a sweep writes, one serde field per column in header order; the
//! column lists beside them are what a reader looks up by name. Column meanings are also in
//! `bench/README.md`.

use serde::{Deserialize, Serialize};

/// The columns that define a sweep point, shared by `phases.csv` and `messages.csv` (besides
/// `point` itself); `provider` is absent from sweeps written before the provider axis.
pub const PARAM_COLUMNS: [&str; 12] = [
    "backend",
    "suite",
    "provider",
    "verify",
    "n",
    "m",
    "k",
    "t",
    "rsa_bits",
    "group_bits",
    "value_bits",
    "seed",
];

/// The columns of `phases.csv` other than [`PARAM_COLUMNS`] and the op counts
/// ([`crate::OP_COLUMNS`]).
pub const PHASE_COLUMNS: [&str; 15] = [
    "point",
    "rep",
    "phase",
    "instances",
    "work_cpu_s",
    "work_wall_s",
    "max_cpu_s",
    "max_wall_s",
    "bound_s",
    "overhead",
    "jobs",
    "crate_version",
    "git_rev",
    "host_cpu",
    "cores",
];

/// The columns of `messages.csv` other than [`PARAM_COLUMNS`].
pub const MESSAGE_COLUMNS: [&str; 8] = [
    "point",
    "kind",
    "src_role",
    "dst_role",
    "count",
    "bytes",
    "payload_bytes",
    "ref_compatible",
];

/// The columns of `units.csv`.
pub const UNIT_COLUMNS: [&str; 7] = ["backend", "suite", "provider", "rsa_bits", "group_bits", "op", "unit_s"];

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
    /// Point id (the same for every repetition of one parameter set).
    pub point: String,
    /// 0-based repetition.
    pub rep: usize,
    /// Big-integer backend: `num` or `gmp`.
    pub backend: String,
    /// Cipher suite: `rsa` or `p256`.
    pub suite: String,
    /// Crypto provider of the suite: `rustcrypto` or `awslc`.
    pub provider: String,
    /// Verification mode: `paper`, `fast`, `batch` or `vss`.
    pub verify: String,
    /// Data providers.
    pub n: usize,
    /// Candidate computing parties.
    pub m: usize,
    /// Selected computing parties (Cloud capacity).
    pub k: usize,
    /// Reconstruction threshold.
    pub t: usize,
    /// RSA modulus bits (0 with the p256 suite).
    pub rsa_bits: u32,
    /// Bits of the Schnorr group modulus.
    pub group_bits: u32,
    /// Bits of each data provider's value.
    pub value_bits: u32,
    /// The point's seed.
    pub seed: u64,
    /// Phase name, one of [`crate::PHASES`].
    pub phase: String,
    /// Party instances that ran the phase.
    pub instances: usize,
    /// Sum over instances of thread CPU seconds.
    pub work_cpu_s: f64,
    /// Sum over instances of wall seconds.
    pub work_wall_s: f64,
    /// Maximum over instances of CPU seconds.
    pub max_cpu_s: f64,
    /// Maximum over instances of wall seconds.
    pub max_wall_s: f64,
    /// Cost-model lower bound, seconds.
    pub bound_s: f64,
    /// `work_cpu_s / bound_s` (empty when the bound is 0).
    pub overhead: Option<f64>,
    /// Variable-base modular exponentiations.
    pub modexp_var: u64,
    /// Fixed-base modular exponentiations.
    pub modexp_fixed: u64,
    /// Exponentiations with a secret exponent (constant-time path).
    pub modexp_secret: u64,
    /// Bases of small-exponent multi-exponentiations (batch verification).
    pub multiexp_term: u64,
    /// Jacobi symbols.
    pub jacobi: u64,
    /// Suite encryptions.
    pub enc: u64,
    /// Suite decryptions.
    pub dec: u64,
    /// Suite signatures.
    pub sign: u64,
    /// Suite signature verifications.
    pub sig_verify: u64,
    /// `vss`: DP signatures over their commitments (ECDSA P-256 whatever the suite).
    pub dp_sign: u64,
    /// `vss`: verifications of DP commitment signatures (by every CP and the Edge).
    pub dp_sig_verify: u64,
    /// Sweep parallelism.
    pub jobs: usize,
    /// Version of the dsmpc crates.
    pub crate_version: String,
    /// Git revision that produced the row.
    pub git_rev: String,
    /// CPU model.
    pub host_cpu: String,
    /// Logical cores.
    pub cores: usize,
}

/// `messages.csv`: one row per point x message kind.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct MessageRow {
    /// Point id.
    pub point: String,
    /// Big-integer backend.
    pub backend: String,
    /// Cipher suite.
    pub suite: String,
    /// Crypto provider of the suite: `rustcrypto` or `awslc`.
    pub provider: String,
    /// Verification mode.
    pub verify: String,
    /// Data providers.
    pub n: usize,
    /// Candidate computing parties.
    pub m: usize,
    /// Selected computing parties.
    pub k: usize,
    /// Reconstruction threshold.
    pub t: usize,
    /// RSA modulus bits.
    pub rsa_bits: u32,
    /// Group modulus bits.
    pub group_bits: u32,
    /// Value bits.
    pub value_bits: u32,
    /// The point's seed.
    pub seed: u64,
    /// Message kind, one of [`crate::MESSAGE_KINDS`].
    pub kind: String,
    /// Sending role, one of [`crate::ROLES`].
    pub src_role: String,
    /// Receiving role, one of [`crate::ROLES`].
    pub dst_role: String,
    /// Number of messages.
    pub count: u64,
    /// Total encoded wire bytes.
    pub bytes: u64,
    /// Total cryptographic payload bytes, counted as the reference prototype did.
    pub payload_bytes: u64,
    /// Whether the reference prototype counted this kind.
    pub ref_compatible: bool,
}

/// `units.csv`: unit costs of the cost model, calibrated in the same run.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct UnitRow {
    /// Big-integer backend.
    pub backend: String,
    /// Cipher suite.
    pub suite: String,
    /// Crypto provider.
    pub provider: String,
    /// RSA modulus bits.
    pub rsa_bits: u32,
    /// Group modulus bits.
    pub group_bits: u32,
    /// Operation, one of [`crate::OP_COLUMNS`].
    pub op: String,
    /// Seconds per operation.
    pub unit_s: f64,
}
