//! The typed rows of a sweep folder: a point's parameters ([`Params`]) and the dimensions a
//! grid varies ([`Dim`], [`DimValue`]), one row of `phases.csv` ([`PhaseRow`]), of
//! `messages.csv` ([`MessageRow`]) and of `units.csv` ([`UnitRow`], the schema's), and
//! `meta.json` ([`Meta`]).

use super::OP_COLUMNS;

/// The parameters that define a sweep point, the dimensions a grid varies and their values: the
/// schema's types, the same that bench writes the rows from.
pub use dsmpc_schema::{Dim, DimValue, Params};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{read_messages, read_phases, read_sessions};

    fn params() -> Params {
        Params {
            net: "sim:lan".into(),
            backend: "gmp".into(),
            suite: "p256".into(),
            provider: "awslc".into(),
            verify: "vss".into(),
            n: 20,
            m: 6,
            k: 5,
            t: 3,
            rsa_bits: 0,
            group_bits: 2048,
            group: "schnorr-2048".into(),
            value_bits: 16,
            dim: 100,
            func: "histogram:10".into(),
            seed: 7,
        }
    }

    fn write<T: serde::Serialize>(path: &std::path::Path, rows: &[T]) {
        let mut w = csv::Writer::from_path(path).unwrap();
        for r in rows {
            w.serialize(r).unwrap();
        }
        w.flush().unwrap();
    }

    /// Files written before vector inputs have no `dim` and `func` columns: their points read as
    /// the paper's session, one value per DP summed (dim 1, func sum), in all three files.
    #[test]
    fn files_without_dim_and_func_read_as_one_summed_value() {
        let dir = tempfile::tempdir().unwrap();
        let params = "net,backend,suite,provider,verify,n,m,k,t,rsa_bits,group_bits,group,value_bits,seed";
        let values = "memory,num,rsa,awslc,batch,20,5,5,3,2048,2048,schnorr-2048,32,1";
        let phases = format!(
            "point,rep,{params},phase,instances,work_cpu_s,work_wall_s,max_cpu_s,max_wall_s,bound_s,overhead,\
             modexp_var,modexp_fixed,modexp_secret,multiexp_term,jacobi,enc,dec,sign,sig_verify,jobs,crate_version,\
             git_rev,host_cpu,cores\n\
             pt,0,{values},edge_reconstruct,1,0.5,0.5,0.5,0.5,0.4,1.25,0,0,0,0,0,0,3,0,0,2,0.1.0,abc,cpu,2\n"
        );
        let messages = format!(
            "point,{params},kind,src_role,dst_role,count,bytes,payload_bytes,ref_compatible\n\
             pt,{values},share_packet,DP,CP,100,22000,20000,true\n"
        );
        let sessions = format!("point,rep,{params},protocol_bytes\npt,0,{values},30000\n");
        let (pp, mp, sp) = (
            dir.path().join("phases.csv"),
            dir.path().join("messages.csv"),
            dir.path().join("sessions.csv"),
        );
        std::fs::write(&pp, phases).unwrap();
        std::fs::write(&mp, messages).unwrap();
        std::fs::write(&sp, sessions).unwrap();
        let read = [
            read_phases(&pp).unwrap()[0].params.clone(),
            read_messages(&mp).unwrap()[0].params.clone(),
            read_sessions(&sp).unwrap()[0].params.clone(),
        ];
        // Nor the per-element op columns of vector sessions (or `dp_sign` ... `pk_decode`): 0.
        let ops = read_phases(&pp).unwrap()[0].ops;
        let at = |c: &str| OP_COLUMNS.iter().position(|o| *o == c).unwrap();
        assert_eq!(ops[at("dec")], 3);
        assert_eq!(ops[at("sig_verify")], 0);
        assert!(ops[at("dp_sign")..].iter().all(|c| *c == 0), "{ops:?}");
        for p in read {
            assert_eq!((p.dim, p.func.as_str(), p.elements()), (1, "sum", 1));
            assert_eq!((p.n, p.value_bits, p.provider.as_str()), (20, 32, "awslc"));
        }
    }

    /// Rows bench writes (the schema's, with one `Params`) read back here with the same
    /// parameters, in all three files.
    #[test]
    fn params_round_trip_through_the_three_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = params();
        let phase = dsmpc_schema::PhaseRow {
            point: "pt".into(),
            rep: 1,
            params: p.clone(),
            phase: "edge_reconstruct".into(),
            instances: 1,
            work_cpu_s: 0.5,
            dec: 3,
            f64_madd: 7,
            aead_byte: 8,
            zq_mul: 9,
            ..Default::default()
        };
        let message = dsmpc_schema::MessageRow {
            point: "pt".into(),
            params: p.clone(),
            kind: "cp_result".into(),
            src_role: "cp".into(),
            dst_role: "edge".into(),
            count: 5,
            bytes: 500,
            ..Default::default()
        };
        let session = dsmpc_schema::SessionRow {
            point: "pt".into(),
            rep: 1,
            params: p.clone(),
            profile: "lan".into(),
            e2e_s: Some(1.5),
            protocol_bytes: 500,
            ..Default::default()
        };
        let (pp, mp, sp) = (
            dir.path().join("phases.csv"),
            dir.path().join("messages.csv"),
            dir.path().join("sessions.csv"),
        );
        write(&pp, &[phase]);
        write(&mp, &[message]);
        write(&sp, &[session]);
        let phases = read_phases(&pp).unwrap();
        assert_eq!(phases[0].params, p);
        assert_eq!((phases[0].rep, phases[0].work_cpu_s), (1, 0.5));
        let at = |c: &str| OP_COLUMNS.iter().position(|o| *o == c).unwrap();
        assert_eq!(phases[0].ops[at("dec")], 3);
        let per_element = ["f64_madd", "aead_byte", "zq_mul"].map(|c| phases[0].ops[at(c)]);
        assert_eq!(per_element, [7, 8, 9]);
        let messages = read_messages(&mp).unwrap();
        assert_eq!(messages[0].params, p);
        assert_eq!((messages[0].count, messages[0].bytes), (5, 500));
        let sessions = read_sessions(&sp).unwrap();
        assert_eq!(sessions[0].params, p);
        assert_eq!((sessions[0].profile.as_str(), sessions[0].e2e_s), ("lan", Some(1.5)));
    }
}
