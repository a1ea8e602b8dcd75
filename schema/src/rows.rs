//! The rows of the CSV files a sweep writes, one column per field in header order; the column
//! lists beside them are what a reader looks up by name. Column meanings are also in
//! `bench/README.md`. The three rows of a point carry its parameters as one [`Params`]; they
//! serialise by hand (the csv crate cannot write a nested or flattened struct), the parameter
//! columns written in place by [`Params::serialize_into`].

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::params::{PARAM_COLUMNS, Params};

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

/// The columns of `sessions.csv` other than [`PARAM_COLUMNS`].
pub const SESSION_COLUMNS: [&str; 16] = [
    "point",
    "rep",
    "profile",
    "e2e_s",
    "rounds_s",
    "protocol_bytes",
    "tls_bytes",
    "wire_bytes",
    "connections",
    "hosts",
    "party_cpu_s",
    "process_cpu_s",
    "transport_cpu_s",
    "tls_handshake_cpu_s",
    "tls_record_cpu_s",
    "git_rev",
];

/// The columns of `units.csv`.
pub const UNIT_COLUMNS: [&str; 8] = [
    "backend",
    "suite",
    "provider",
    "rsa_bits",
    "group_bits",
    "group",
    "op",
    "unit_s",
];

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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PhaseRow {
    /// Point id (the same for every repetition of one parameter set).
    pub point: String,
    /// 0-based repetition.
    pub rep: usize,
    /// The point's parameters ([`PARAM_COLUMNS`]).
    pub params: Params,
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
    /// `vss`: DP signatures over their commitments (Ed25519 with x25519, else ECDSA P-256).
    pub dp_sign: u64,
    /// `vss`: verifications of DP commitment signatures (by every CP and the Edge).
    pub dp_sig_verify: u64,
    /// Public encryption keys decoded from messages (the Cloud's by each CP in
    /// `cp_auth_request`, each CP's by each DP in `share_encrypt_pvss_attach`).
    pub pk_decode: u64,
    /// Vectors: F64 elements drawn from a seed's stream.
    pub f64_draw: u64,
    /// Vectors: F64 multiply-adds.
    pub f64_madd: u64,
    /// Vectors: bytes sealed or opened with AES-256-GCM.
    pub aead_byte: u64,
    /// `vss` vectors: terms of constant-time full-width multiscalar multiplications.
    pub msm_ct_term: u64,
    /// `vss` vectors: terms of variable-time full-width multiscalar multiplications.
    pub msm_var_term: u64,
    /// `vss` vectors: scalars of Z_q drawn.
    pub zq_draw: u64,
    /// `vss` vectors: multiplications in Z_q.
    pub zq_mul: u64,
    /// `vss` vectors: additions in Z_q on their own (running sums).
    pub zq_add: u64,
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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MessageRow {
    /// Point id.
    pub point: String,
    /// The point's parameters ([`PARAM_COLUMNS`]).
    pub params: Params,
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

/// `sessions.csv`: one row per point x repetition, what the network measured about the session.
/// Empty fields: not measured on that network (`memory` has no time, `sim` no TLS bytes).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionRow {
    /// Point id.
    pub point: String,
    /// 0-based repetition.
    pub rep: usize,
    /// The point's parameters ([`PARAM_COLUMNS`]; `net` is written before `profile`).
    pub params: Params,
    /// The network's link profile (`sim`, `netns`; empty otherwise).
    pub profile: String,
    /// From the Cloud's announcement to the Edge's outcome, seconds (simulated or measured).
    pub e2e_s: Option<f64>,
    /// Per message kind, first sent to last received: `kind=seconds` joined by `;`.
    pub rounds_s: String,
    /// Encoded protocol bytes of every message.
    pub protocol_bytes: u64,
    /// Bytes on TCP: TLS records and handshakes, every host's sending side (`process`, `netns`).
    pub tls_bytes: Option<u64>,
    /// Bytes on the wire: `netns` the hosts' interface counters (Ethernet, IP, TCP, TLS);
    /// `process` the TLS bytes (loopback has no frames to count).
    pub wire_bytes: Option<u64>,
    /// TCP/TLS connections opened (`process`, `netns`; `sim` with a placement: simulated).
    pub connections: Option<u64>,
    /// Hosts (processes, or simulated hosts with a placement).
    pub hosts: Option<u64>,
    /// CPU seconds of the parties' handling, summed.
    pub party_cpu_s: Option<f64>,
    /// CPU seconds of the host processes (TLS, framing, I/O included).
    pub process_cpu_s: Option<f64>,
    /// `process_cpu_s - party_cpu_s` (measured), or what `sim` charged for TLS.
    pub transport_cpu_s: Option<f64>,
    /// TLS handshake CPU: connections x both sides' handshake CPU measured on this machine.
    pub tls_handshake_cpu_s: Option<f64>,
    /// TLS record CPU: messages and bytes x the per-message and per-byte CPU measured here.
    pub tls_record_cpu_s: Option<f64>,
    /// Git revision that produced the row.
    pub git_rev: String,
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
    /// Group modulus bits (0 for ristretto255).
    pub group_bits: u32,
    /// The group's name (`schnorr-<group_bits>`, `ristretto255`); empty when read from a file
    /// written before the column existed.
    #[serde(default)]
    pub group: String,
    /// Operation, one of [`crate::OP_COLUMNS`].
    pub op: String,
    /// Seconds per operation.
    pub unit_s: f64,
}

impl Serialize for PhaseRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("PhaseRow", 2 + PARAM_COLUMNS.len() + 33)?;
        st.serialize_field("point", &self.point)?;
        st.serialize_field("rep", &self.rep)?;
        self.params.serialize_net(&mut st)?;
        self.params.serialize_into(&mut st)?;
        st.serialize_field("phase", &self.phase)?;
        st.serialize_field("instances", &self.instances)?;
        st.serialize_field("work_cpu_s", &self.work_cpu_s)?;
        st.serialize_field("work_wall_s", &self.work_wall_s)?;
        st.serialize_field("max_cpu_s", &self.max_cpu_s)?;
        st.serialize_field("max_wall_s", &self.max_wall_s)?;
        st.serialize_field("bound_s", &self.bound_s)?;
        st.serialize_field("overhead", &self.overhead)?;
        st.serialize_field("modexp_var", &self.modexp_var)?;
        st.serialize_field("modexp_fixed", &self.modexp_fixed)?;
        st.serialize_field("modexp_secret", &self.modexp_secret)?;
        st.serialize_field("multiexp_term", &self.multiexp_term)?;
        st.serialize_field("jacobi", &self.jacobi)?;
        st.serialize_field("enc", &self.enc)?;
        st.serialize_field("dec", &self.dec)?;
        st.serialize_field("sign", &self.sign)?;
        st.serialize_field("sig_verify", &self.sig_verify)?;
        st.serialize_field("dp_sign", &self.dp_sign)?;
        st.serialize_field("dp_sig_verify", &self.dp_sig_verify)?;
        st.serialize_field("pk_decode", &self.pk_decode)?;
        st.serialize_field("f64_draw", &self.f64_draw)?;
        st.serialize_field("f64_madd", &self.f64_madd)?;
        st.serialize_field("aead_byte", &self.aead_byte)?;
        st.serialize_field("msm_ct_term", &self.msm_ct_term)?;
        st.serialize_field("msm_var_term", &self.msm_var_term)?;
        st.serialize_field("zq_draw", &self.zq_draw)?;
        st.serialize_field("zq_mul", &self.zq_mul)?;
        st.serialize_field("zq_add", &self.zq_add)?;
        st.serialize_field("jobs", &self.jobs)?;
        st.serialize_field("crate_version", &self.crate_version)?;
        st.serialize_field("git_rev", &self.git_rev)?;
        st.serialize_field("host_cpu", &self.host_cpu)?;
        st.serialize_field("cores", &self.cores)?;
        st.end()
    }
}

impl Serialize for MessageRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("MessageRow", 1 + PARAM_COLUMNS.len() + 7)?;
        st.serialize_field("point", &self.point)?;
        self.params.serialize_net(&mut st)?;
        self.params.serialize_into(&mut st)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("src_role", &self.src_role)?;
        st.serialize_field("dst_role", &self.dst_role)?;
        st.serialize_field("count", &self.count)?;
        st.serialize_field("bytes", &self.bytes)?;
        st.serialize_field("payload_bytes", &self.payload_bytes)?;
        st.serialize_field("ref_compatible", &self.ref_compatible)?;
        st.end()
    }
}

impl Serialize for SessionRow {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("SessionRow", 3 + PARAM_COLUMNS.len() + 14)?;
        st.serialize_field("point", &self.point)?;
        st.serialize_field("rep", &self.rep)?;
        self.params.serialize_net(&mut st)?;
        st.serialize_field("profile", &self.profile)?;
        self.params.serialize_into(&mut st)?;
        st.serialize_field("e2e_s", &self.e2e_s)?;
        st.serialize_field("rounds_s", &self.rounds_s)?;
        st.serialize_field("protocol_bytes", &self.protocol_bytes)?;
        st.serialize_field("tls_bytes", &self.tls_bytes)?;
        st.serialize_field("wire_bytes", &self.wire_bytes)?;
        st.serialize_field("connections", &self.connections)?;
        st.serialize_field("hosts", &self.hosts)?;
        st.serialize_field("party_cpu_s", &self.party_cpu_s)?;
        st.serialize_field("process_cpu_s", &self.process_cpu_s)?;
        st.serialize_field("transport_cpu_s", &self.transport_cpu_s)?;
        st.serialize_field("tls_handshake_cpu_s", &self.tls_handshake_cpu_s)?;
        st.serialize_field("tls_record_cpu_s", &self.tls_record_cpu_s)?;
        st.serialize_field("git_rev", &self.git_rev)?;
        st.end()
    }
}
