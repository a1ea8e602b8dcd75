//! The typed rows of a sweep folder: a point's parameters ([`Params`]) and the dimensions a
//! grid varies ([`Dim`], [`DimValue`]), one row of `phases.csv` ([`PhaseRow`]), of
//! `messages.csv` ([`MessageRow`]) and of `units.csv` ([`UnitRow`], the schema's), and
//! `meta.json` ([`Meta`]).

use std::fmt;

use super::OP_COLUMNS;

/// The parameters that define a sweep point (everything but the repetition).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Params {
    /// The network: `memory`, `sim:PROFILE`, `process` or `netns:PROFILE` (`memory` for files
    /// written before the column existed).
    pub net: String,
    /// Big-integer backend: `num` or `gmp`.
    pub backend: String,
    /// Cipher suite: `rsa` or `p256`.
    pub suite: String,
    /// Crypto provider: `rustcrypto` or `awslc` (`rustcrypto` for files written before the
    /// column existed).
    pub provider: String,
    /// Verification mode: `paper`, `fast`, `batch` or `vss`.
    pub verify: String,
    /// Number of data providers.
    pub n: u64,
    /// Number of candidate computing parties.
    pub m: u64,
    /// Number of selected computing parties (Cloud capacity).
    pub k: u64,
    /// Reconstruction threshold.
    pub t: u64,
    /// RSA modulus bits (0 with the p256 suite).
    pub rsa_bits: u64,
    /// Bits of the Schnorr group modulus p.
    pub group_bits: u64,
    /// Bits of each data provider's value.
    pub value_bits: u64,
    /// The point's seed.
    pub seed: u64,
}

/// A sweep dimension: one of the parameters a grid can vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// The network sessions ran on.
    Net,
    /// Big-integer backend.
    Backend,
    /// Verification mode.
    Verify,
    /// Cipher suite.
    Suite,
    /// Crypto provider.
    Provider,
    /// Number of data providers.
    N,
    /// Number of selected computing parties.
    K,
    /// Number of candidate computing parties.
    M,
    /// Threshold.
    T,
    /// RSA modulus bits.
    RsaBits,
    /// Group modulus bits.
    GroupBits,
    /// Bits per data-provider value.
    ValueBits,
}

impl Dim {
    /// Every dimension, in the order captions list them.
    pub const ALL: [Dim; 12] = [
        Dim::Net,
        Dim::Backend,
        Dim::Verify,
        Dim::Suite,
        Dim::Provider,
        Dim::N,
        Dim::K,
        Dim::M,
        Dim::T,
        Dim::RsaBits,
        Dim::GroupBits,
        Dim::ValueBits,
    ];

    /// The column name of the dimension.
    pub fn name(self) -> &'static str {
        match self {
            Dim::Net => "net",
            Dim::Backend => "backend",
            Dim::Verify => "verify",
            Dim::Suite => "suite",
            Dim::Provider => "provider",
            Dim::N => "n",
            Dim::K => "k",
            Dim::M => "m",
            Dim::T => "t",
            Dim::RsaBits => "rsa_bits",
            Dim::GroupBits => "group_bits",
            Dim::ValueBits => "value_bits",
        }
    }
}

/// The value of one dimension at one point.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DimValue {
    /// A numeric parameter.
    Num(u64),
    /// A named parameter (backend, suite, verification mode).
    Text(String),
}

impl DimValue {
    /// The numeric value, if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            DimValue::Num(v) => Some(*v as f64),
            DimValue::Text(_) => None,
        }
    }
}

impl fmt::Display for DimValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DimValue::Num(v) => write!(f, "{v}"),
            DimValue::Text(s) => f.write_str(s),
        }
    }
}

impl Params {
    /// The value of dimension `d`.
    pub fn get(&self, d: Dim) -> DimValue {
        match d {
            Dim::Net => DimValue::Text(self.net.clone()),
            Dim::Backend => DimValue::Text(self.backend.clone()),
            Dim::Verify => DimValue::Text(self.verify.clone()),
            Dim::Suite => DimValue::Text(self.suite.clone()),
            Dim::Provider => DimValue::Text(self.provider.clone()),
            Dim::N => DimValue::Num(self.n),
            Dim::K => DimValue::Num(self.k),
            Dim::M => DimValue::Num(self.m),
            Dim::T => DimValue::Num(self.t),
            Dim::RsaBits => DimValue::Num(self.rsa_bits),
            Dim::GroupBits => DimValue::Num(self.group_bits),
            Dim::ValueBits => DimValue::Num(self.value_bits),
        }
    }
}

/// One row of `phases.csv`: one phase of one repetition of one point.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseRow {
    /// Line in the file (for messages).
    pub line: u64,
    /// Point id.
    pub point: String,
    /// 0-based repetition.
    pub rep: u32,
    /// The point's parameters.
    pub params: Params,
    /// Phase name.
    pub phase: String,
    /// Number of party instances that ran the phase.
    pub instances: u64,
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
    /// `work_cpu_s / bound_s`; `None` when the bound is 0.
    pub overhead: Option<f64>,
    /// Operation counts, in [`OP_COLUMNS`] order.
    pub ops: [u64; OP_COLUMNS.len()],
    /// Sweep parallelism.
    pub jobs: u64,
    /// Crate version that produced the row.
    pub crate_version: String,
    /// Git revision that produced the row.
    pub git_rev: String,
    /// Host CPU model.
    pub host_cpu: String,
    /// Host core count.
    pub cores: u64,
}

/// One row of `messages.csv`: one message kind at one point.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageRow {
    /// Line in the file.
    pub line: u64,
    /// Point id.
    pub point: String,
    /// The point's parameters.
    pub params: Params,
    /// Message kind.
    pub kind: String,
    /// Sending role.
    pub src_role: String,
    /// Receiving role.
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

/// One row of `sessions.csv`: what the network measured about one repetition of one point.
/// `None`: not measured on that network.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRow {
    /// Line in the file.
    pub line: u64,
    /// Point id.
    pub point: String,
    /// 0-based repetition.
    pub rep: u32,
    /// The point's parameters (`net` among them).
    pub params: Params,
    /// The link profile (`sim`, `netns`), or empty.
    pub profile: String,
    /// Announcement to outcome, seconds.
    pub e2e_s: Option<f64>,
    /// Per message kind: first sent to last received, seconds.
    pub rounds_s: Vec<(String, f64)>,
    /// Encoded protocol bytes.
    pub protocol_bytes: u64,
    /// TLS records and handshakes on TCP.
    pub tls_bytes: Option<u64>,
    /// Bytes on the wire (`netns`: interface counters; `process`: the TLS bytes).
    pub wire_bytes: Option<u64>,
    /// Connections opened.
    pub connections: Option<u64>,
    /// Hosts.
    pub hosts: Option<u64>,
    /// CPU of the parties' handling.
    pub party_cpu_s: Option<f64>,
    /// CPU of the host processes.
    pub process_cpu_s: Option<f64>,
    /// Transport CPU (measured for processes, charged by `sim`).
    pub transport_cpu_s: Option<f64>,
    /// TLS handshake CPU.
    pub tls_handshake_cpu_s: Option<f64>,
    /// TLS record CPU.
    pub tls_record_cpu_s: Option<f64>,
}

impl SessionRow {
    /// The network's kind: `memory`, `sim`, `process` or `netns`.
    pub fn net_kind(&self) -> &str {
        self.params.net.split(':').next().unwrap_or("")
    }

    /// Whether the latency was measured (processes) rather than simulated.
    pub fn measured(&self) -> bool {
        matches!(self.net_kind(), "process" | "netns")
    }
}

/// One row of `units.csv`: the calibrated cost of one operation, the schema's row (`provider`
/// is `rustcrypto` in files written before the column existed; an `op` named `verify`, the older
/// name, reads as `sig_verify`).
pub use dsmpc_schema::UnitRow;

/// `meta.json`: how and where the sweep ran, the schema's type (keys it does not know are kept in
/// `extra`; files written before a key existed still read).
pub use dsmpc_schema::Meta;
