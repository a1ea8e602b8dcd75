//! The rows a sweep writes for one point: `phases.csv` (one per repetition and phase, with the
//! cost-model bound from the point's unit costs), `messages.csv` (one per message kind, from the
//! first repetition) and `sessions.csv` (one per repetition: what the network measured).

use dsmpc_core::counters::Op;
use dsmpc_net::{overhead::TlsCost, process::NetStats};
use dsmpc_roles::costmodel::UnitCosts;
use dsmpc_roles::net;
use dsmpc_roles::session::SessionReport;

use crate::grid::Point;
use dsmpc_schema::Params;

use crate::rows::{Env, MessageRow, PhaseRow, SessionRow};

/// The parameter columns of point `p`, the same in its `phases.csv`, `messages.csv` and
/// `sessions.csv` rows.
pub(super) fn params(p: &Point) -> Params {
    Params {
        net: p.net.to_string(),
        backend: p.backend_label(),
        suite: p.suite.name().into(),
        provider: p.provider.name().into(),
        verify: p.verify.name().into(),
        n: p.n as u64,
        m: p.m as u64,
        k: p.capacity as u64,
        t: p.t as u64,
        rsa_bits: u64::from(p.rsa_bits),
        group_bits: u64::from(p.group.group_bits()),
        group: p.group.name(),
        value_bits: u64::from(p.value_bits),
        dim: p.dim as u64,
        func: p.func.to_string(),
        seed: p.seed.unwrap_or(0),
    }
}

/// A row of type `$row` for point `$p`: the point's columns (id and parameters) and the given
/// fields.
macro_rules! with_point {
    ($row:ident, $p:expr, { $($field:ident: $value:expr),* $(,)? }) => {
        $row {
            point: $p.point_id(),
            params: params($p),
            $($field: $value),*
        }
    };
}

/// The `phases.csv` rows of one repetition.
pub(super) fn phase_rows(p: &Point, rep: usize, r: &SessionReport, units: &UnitCosts, env: &Env) -> Vec<PhaseRow> {
    r.phases
        .iter()
        .map(|s| {
            let bound = units.bound(&s.ops);
            with_point!(PhaseRow, p, {
                rep: rep,
                phase: s.phase.name().into(),
                instances: s.instances,
                work_cpu_s: s.work_cpu_s,
                work_wall_s: s.work_wall_s,
                max_cpu_s: s.max_cpu_s,
                max_wall_s: s.max_wall_s,
                bound_s: bound,
                overhead: (bound > 0.0).then(|| s.work_cpu_s / bound),
                modexp_var: s.ops.get(Op::VartimeMul),
                modexp_fixed: s.ops.get(Op::FixedBaseMul),
                modexp_secret: s.ops.get(Op::SecretMul),
                multiexp_term: s.ops.get(Op::MultiscalarTerm),
                jacobi: s.ops.get(Op::ElementCheck),
                enc: s.ops.get(Op::Encrypt),
                dec: s.ops.get(Op::Decrypt),
                sign: s.ops.get(Op::Sign),
                sig_verify: s.ops.get(Op::Verify),
                dp_sign: s.ops.get(Op::DpSign),
                dp_sig_verify: s.ops.get(Op::DpVerify),
                pk_decode: s.ops.get(Op::KeyDecode),
                f64_draw: s.ops.get(Op::F64Draw),
                f64_madd: s.ops.get(Op::F64MulAdd),
                aead_byte: s.ops.get(Op::AeadByte),
                msm_ct_term: s.ops.get(Op::MsmSecretTerm),
                msm_var_term: s.ops.get(Op::MsmVartimeTerm),
                zq_draw: s.ops.get(Op::ZqDraw),
                zq_mul: s.ops.get(Op::ZqMul),
                zq_add: s.ops.get(Op::ZqAdd),
                jobs: env.jobs,
                crate_version: env.crate_version.clone(),
                git_rev: env.git_rev.clone(),
                host_cpu: env.host_cpu.clone(),
                cores: env.cores,
            })
        })
        .collect()
}

/// The `messages.csv` rows of one repetition.
pub(super) fn message_rows(p: &Point, r: &SessionReport) -> Vec<MessageRow> {
    r.messages
        .iter()
        .map(|(kind, m)| {
            let (src, dst) = kind.roles();
            with_point!(MessageRow, p, {
                kind: kind.name().into(),
                src_role: src.into(),
                dst_role: dst.into(),
                count: m.count,
                bytes: m.bytes,
                payload_bytes: m.payload_bytes,
                ref_compatible: kind.reference_counted(),
            })
        })
        .collect()
}

/// `kind=seconds;...` in protocol order.
fn rounds_text(t: &net::Timing) -> String {
    t.rounds
        .iter()
        .map(|(k, s)| format!("{}={s:.6}", k.name()))
        .collect::<Vec<_>>()
        .join(";")
}

/// The `sessions.csv` row of one repetition; `stats` is what a network of processes measured,
/// `tls` the TLS costs measured on this machine.
pub(super) fn session_row(
    p: &Point,
    rep: usize,
    r: &SessionReport,
    stats: Option<&NetStats>,
    tls: Option<TlsCost>,
    env: &Env,
) -> SessionRow {
    let timing = r.timing.as_ref();
    let sim = timing.and_then(|t| t.sim_tls);
    let protocol_bytes: u64 = r.messages.values().map(|m| m.bytes).sum();
    let phases_cpu: f64 = r.phases.iter().map(|s| s.work_cpu_s).sum();
    let (tls_bytes, wire_bytes, connections, hosts, party, process, transport, handshake, record) = match stats {
        Some(st) => (
            Some(st.tls_bytes),
            Some(st.interface_bytes.unwrap_or(st.tls_bytes)),
            Some(st.connections),
            Some(st.hosts as u64),
            Some(st.party_cpu_s),
            Some(st.process_cpu_s),
            Some((st.process_cpu_s - st.party_cpu_s).max(0.0)),
            tls.map(|c| st.connections as f64 * (c.handshake_client_s + c.handshake_server_s)),
            None,
        ),
        None => (
            None,
            None,
            sim.map(|s| s.connections),
            sim.map(|s| s.hosts),
            Some(phases_cpu),
            None,
            sim.map(|s| s.handshake_cpu_s + s.record_cpu_s),
            sim.map(|s| s.handshake_cpu_s),
            sim.map(|s| s.record_cpu_s),
        ),
    };
    with_point!(SessionRow, p, {
        rep: rep,
        profile: p.net.profile().unwrap_or("").to_string(),
        e2e_s: timing.map(|t| t.e2e_s),
        rounds_s: timing.map(rounds_text).unwrap_or_default(),
        protocol_bytes: protocol_bytes,
        tls_bytes: tls_bytes,
        wire_bytes: wire_bytes,
        connections: connections,
        hosts: hosts,
        party_cpu_s: party,
        process_cpu_s: process,
        transport_cpu_s: transport,
        tls_handshake_cpu_s: handshake,
        tls_record_cpu_s: record,
        git_rev: env.git_rev.clone(),
    })
}
