//! What `dsmpc run` prints: the session's parameters before it runs; then the selection,
//! detections, sums and the check, the phase and message tables, and what the network measured
//! (processes), simulated (`sim`) or hashed (the transcript).

use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::NetSpec;
use dsmpc_net::process::NetStats;
use dsmpc_net::sim::Placement;
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::event::Detection;
use dsmpc_roles::func;
use dsmpc_roles::net::Timing;
use dsmpc_roles::parties::exact_average;
use dsmpc_roles::suite::SuiteKind;
use dsmpc_roles::{SessionConfig, SessionReport};

/// The session's parameters and injected faults, before it runs.
pub(crate) fn header(cfg: &SessionConfig) {
    let weak = |bits: u32| if bits < 2048 { " (WEAK: comparison only)" } else { "" };
    println!(
        "D-SMPC run: n={} DPs, m={} candidate CPs, capacity k={}, t={}",
        cfg.n, cfg.m, cfg.capacity, cfg.t
    );
    let suite = match cfg.suite {
        SuiteKind::Rsa => format!("RSA-{}{} (OAEP/PSS, SHA-256)", cfg.rsa_bits, weak(cfg.rsa_bits)),
        SuiteKind::P256 => "P-256 (ECIES with AES-256-GCM, ECDSA)".to_string(),
        SuiteKind::X25519 => "X25519 (ECIES with HKDF-SHA256 + AES-256-GCM), Ed25519".to_string(),
    };
    let group = match cfg.group {
        GroupKind::Schnorr(bits) => format!(
            "Schnorr {bits}-bit{}, backend {}{}",
            weak(bits),
            cfg.backend,
            if cfg.backend == BackendKind::Num {
                " (no constant-time exponentiation)"
            } else {
                ""
            }
        ),
        GroupKind::Ristretto255 => "ristretto255".to_string(),
    };
    println!(
        "  suite {suite} by {}, PVSS group {group}, verify {}, {}",
        cfg.provider,
        cfg.verify,
        match cfg.seed {
            Some(s) => format!("seed {s}"),
            None => "randomness from the OS".into(),
        }
    );
    if cfg.seed.is_none() {
        eprintln!(
            "generating {} key pairs (pass --seed to reuse cached keys)...",
            1 + 2 * cfg.m
        );
    }
    if !cfg.faults.is_empty() {
        let list: Vec<String> = cfg.faults.iter().map(Fault::to_string).collect();
        println!("  injected faults: {}", list.join(" "));
        let blind = cfg.faults.iter().any(|f| {
            matches!(
                f,
                Fault::InconsistentDealing { .. } | Fault::DropDp { .. } | Fault::BadResult { .. }
            )
        });
        if cfg.verify != VerifyMode::Vss && blind && cfg.m.min(cfg.capacity) <= cfg.t {
            println!(
                "  note: with k = t the paper's protocol cannot notice these faults (no result to cross-check); \
                 the comparison with the plaintext below is the only check (--verify vss detects them)"
            );
        }
    }
}

/// The selection, detections, exclusions, the plaintext and reconstructed sums and the check.
/// A vector session's result: the function of the plaintext aggregate and of the
/// reconstructed one, and whether they are equal.
fn vector_outcome(cfg: &SessionConfig, report: &SessionReport) {
    let spec = cfg.func_spec();
    let n = report.aggregated();
    println!(
        "  function {} over {} element(s) per DP in GF(2^64 - 2^32 + 1)",
        cfg.func,
        spec.elements()
    );
    let show = |what: &str, agg: Option<&Vec<dsmpc_core::field64::F64>>| match agg.map(|a| func::decode(&spec, n, a)) {
        Some(Ok(r)) => println!("  {what}:\n{}", indent(&r.to_string())),
        Some(Err(e)) => println!("  {what}: cannot be read as {}: {e}", cfg.func),
        None => println!("  {what}: none"),
    };
    show("plaintext", report.expected_vector.as_ref());
    show("reconstructed", report.outcome.vector.as_ref());
    verdict(report);
}

/// `--output FILE`: the reconstructed result in full, as CSV (a session of one value: its sum
/// and exact average).
pub(crate) fn write_output(
    cfg: &SessionConfig,
    report: &SessionReport,
    path: &std::path::Path,
    file: std::fs::File,
) -> Result<(), dsmpc_roles::RolesError> {
    use std::io::Write;
    let io = |e: std::io::Error| dsmpc_roles::RolesError::Config(format!("--output {}: {e}", path.display()));
    let mut w = std::io::BufWriter::new(file);
    match &report.outcome.vector {
        Some(agg) => func::decode(&cfg.func_spec(), report.aggregated(), agg)?
            .write_full(&mut w)
            .map_err(io)?,
        None => writeln!(
            w,
            "coordinate,sum,average\n1,{},{}",
            report.outcome.sum,
            report.outcome.average(6)
        )
        .map_err(io)?,
    }
    w.flush().map_err(io)?;
    println!("  result in full: {}", path.display());
    Ok(())
}

/// How far the results were checked, and whether the reconstruction matches the plaintext.
fn verdict(report: &SessionReport) {
    println!("  check: {}", report.outcome.check);
    println!(
        "  {}",
        if report.matches() {
            "MATCH"
        } else {
            "MISMATCH: the reconstruction differs from the plaintext"
        }
    );
}

/// Every line of `text` indented by four spaces.
fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

pub(crate) fn outcome(cfg: &SessionConfig, report: &SessionReport) {
    let sel: Vec<String> = report.selected.iter().map(|(i, v)| format!("i={i}:VID={v}")).collect();
    println!("  selected CPs: {}", sel.join(" "));
    if !report.not_selected.is_empty() {
        println!("  valid but not selected (capacity): VIDs {:?}", report.not_selected);
    }
    detections(&report.detections);
    if !report.excluded.is_empty() {
        let list: Vec<String> = report.excluded.keys().map(|d| format!("DP{d}")).collect();
        println!(
            "  excluded DPs ({}): {}; aggregated {} of {}",
            report.excluded.len(),
            list.join(" "),
            report.aggregated(),
            cfg.n
        );
    }
    println!();
    if cfg.is_vector() {
        return vector_outcome(cfg, report);
    }
    let n = report.aggregated() as u64;
    if !report.excluded.is_empty() {
        println!("  plaintext, all {} DPs: sum = {}", cfg.n, report.plaintext_sum_all);
    }
    println!(
        "  plaintext      sum = {:<22} average = {}{}",
        report.expected_sum,
        exact_average(&report.expected_sum, n, 6),
        if report.excluded.is_empty() {
            ""
        } else {
            "  (agreed DPs)"
        }
    );
    println!(
        "  reconstructed  sum = {:<22} average = {}",
        report.outcome.sum,
        report.outcome.average(6)
    );
    verdict(report);
}

/// The phase table and the message table.
pub(crate) fn tables(report: &SessionReport) {
    println!();
    println!(
        "  {:<38} {:>6} {:>12} {:>12} {:>12}  ops",
        "phase", "inst", "work cpu s", "max inst s", "work wall s"
    );
    for p in &report.phases {
        println!(
            "  {:<38} {:>6} {:>12.6} {:>12.6} {:>12.6}  {}",
            p.phase.name(),
            p.instances,
            p.work_cpu_s,
            p.max_cpu_s,
            p.work_wall_s,
            p.ops
        );
    }
    println!("  (set-up, not a phase: {:.3} s)", report.setup_s);
    println!();
    println!(
        "  {:<14} {:>8} {:>12} {:>14} {:>10} {:>12}",
        "message", "count", "bytes", "payload bytes", "each", "each payload"
    );
    for (kind, m) in &report.messages {
        println!(
            "  {:<14} {:>8} {:>12} {:>14} {:>10} {:>12}{}",
            kind.name(),
            m.count,
            m.bytes,
            m.payload_bytes,
            m.max_bytes,
            m.max_payload_bytes,
            if kind.reference_counted() {
                ""
            } else {
                "  (not counted by the reference)"
            }
        );
    }
}

/// What the network measured (processes), or the simulated timing (`sim`) and the transcript
/// hash.
pub(crate) fn network(report: &SessionReport, spec: &NetSpec, placement: Option<Placement>, stats: Option<&NetStats>) {
    if let Some(st) = stats {
        net_stats(st);
        return;
    }
    if let (Some(t), Some(profile)) = (&report.timing, spec.profile()) {
        sim_timing(t, profile, placement);
    }
    let digest: String = report.transcript_sha256.iter().map(|b| format!("{b:02x}")).collect();
    println!("  transcript sha256 {digest}");
}

/// The latencies a simulation gave, and how its hosts were laid out.
fn sim_timing(t: &Timing, profile: &str, placement: Option<Placement>) {
    println!();
    let placed = placement.map_or("every party on a machine of its own".to_string(), |p| {
        let tls = p.tls.map_or(String::new(), |c| {
            format!(
                ";\n  transport CPU as measured here: connection {:.2} ms dialler + {:.2} ms listener, message {:.1} us + {:.2} ns/byte",
                c.handshake_client_s * 1e3,
                c.handshake_server_s * 1e3,
                c.per_message_s * 1e6,
                c.per_byte_s * 1e9
            )
        });
        format!(
            "hosts as --net process lays them out ({} DPs to a host) sharing {} cores{tls}",
            p.dps_per_host, p.cores
        )
    });
    println!("  simulated on link profile {profile}, {placed}");
    println!("  end-to-end (announcement to result) {:.3} s", t.e2e_s);
    for (kind, x) in &t.rounds {
        println!("  round {:<14} first sent to last received {:.3} s", kind.name(), x);
    }
}

/// What a network of processes measured.
fn net_stats(st: &NetStats) {
    println!();
    println!(
        "  network: {} processes, {} TLS connections; end-to-end (announcement to result) {:.3} s",
        st.hosts, st.connections, st.e2e_s
    );
    println!(
        "  bytes: protocol {}, on TCP (TLS records and handshakes) {} ({:+.1}%)",
        st.protocol_bytes,
        st.tls_bytes,
        if st.protocol_bytes > 0 {
            100.0 * (st.tls_bytes as f64 / st.protocol_bytes as f64 - 1.0)
        } else {
            0.0
        }
    );
    println!(
        "  cpu: parties {:.3} s, processes {:.3} s (TLS, framing and I/O included)",
        st.party_cpu_s, st.process_cpu_s
    );
    for (kind, s) in &st.rounds {
        println!("  round {:<14} first sent to last received {:.3} s", kind.name(), s);
    }
    if let Some(b) = st.interface_bytes {
        println!(
            "  bytes sent on the hosts' interfaces (Ethernet, IP, TCP, TLS): {b}; latency applied by {}",
            st.latency_by.as_deref().unwrap_or("?")
        );
    }
    for (h, cpu, wall) in &st.per_host {
        println!("  host {h:<10} cpu {cpu:.3} s  wall {wall:.3} s");
    }
}

/// What the parties detected, if anything.
pub(crate) fn detections(detections: &[Detection]) {
    if detections.is_empty() {
        return;
    }
    println!("  detected ({}):", detections.len());
    for d in detections {
        println!("    {d}");
    }
}
