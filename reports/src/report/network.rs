//! The network section: latency and bytes per network, and simulated against measured
//! latency.

use super::*;

/// `## Networks`, from `sessions.csv` (when the sweep wrote one with a point beyond `memory`):
/// per point the end-to-end latency, the bytes of one session (protocol, TLS, wire) and what TLS
/// costs in bytes and CPU, then how simulated latencies compare with measured ones.
pub(super) fn network_section(out: &mut String, ds: &Dataset) {
    let sessions = ds.session_points();
    if sessions.iter().all(|p| p.net_kind() == "memory") {
        return;
    }
    let _ = writeln!(
        out,
        "## Networks
"
    );
    let _ = writeln!(
        out,
        "One row per point, medians over its sessions (`sessions.csv` has every session). Latency is from the Cloud's \
         announcement to the Edge's result: simulated on `sim`, measured on `process` and `netns`. TLS bytes are \
         the records and handshakes on TCP (+% over the protocol's bytes); wire bytes are the `netns` interface \
         counters (Ethernet, IP, TCP, TLS). Transport CPU is the host processes' CPU beyond the parties' handling \
         (measured) or what `sim` charged for TLS; the TLS handshake CPU is connections x the handshake CPU measured \
         on this machine, and the record CPU what `sim` charged for the records.\n"
    );
    let _ = writeln!(
        out,
        "| point | net | n | latency (s) | protocol | TLS (+%) | wire | connections | transport CPU (s) | TLS handshake CPU (s) | TLS record CPU (s) |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let opt_bytes = |b: Option<f64>| b.map_or("-".to_string(), bytes_text);
    for p in &sessions {
        let tls = p.tls_bytes.map_or("-".to_string(), |t| {
            if p.protocol_bytes > 0.0 {
                format!("{} ({:+.1}%)", bytes_text(t), 100.0 * (t / p.protocol_bytes - 1.0))
            } else {
                bytes_text(t)
            }
        });
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {tls} | {} | {} | {} | {} | {} |",
            point_label(&p.params, &p.point),
            p.params.net,
            p.params.n,
            p.e2e.as_ref().map_or("-".into(), stat_text),
            bytes_text(p.protocol_bytes),
            opt_bytes(p.wire_bytes.filter(|_| p.net_kind() == "netns")),
            p.connections.map_or("-".into(), |c| format!("{c:.0}")),
            p.transport_cpu.as_ref().map_or("-".into(), stat_text),
            p.tls_handshake_cpu_s.map_or("-".into(), sig),
            p.tls_record_cpu_s.map_or("-".into(), sig),
        );
    }
    let _ = writeln!(out);
    let pairs = figures::net::sim_pairs(&sessions);
    if pairs.is_empty() {
        return;
    }
    let band = figures::net::AGREEMENT;
    let _ = writeln!(
        out,
        "Simulated against measured latency, same parameters and seed (`netns:P` with `sim:P`, `process` with `sim:lan`):\n"
    );
    let _ = writeln!(
        out,
        "| point | measured on | measured (s) | simulated (s) | sim / measured |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|");
    let mut within = 0;
    for (m, s) in &pairs {
        let (Some(me), Some(se)) = (m.e2e, s.e2e) else { continue };
        let r = se.median / me.median;
        within += usize::from((r - 1.0).abs() <= band);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.2} |",
            point_label(&m.params, &m.point),
            m.params.net,
            stat_text(&me),
            stat_text(&se),
            r
        );
    }
    let _ = writeln!(out, "\n{within} of {} pairs within ±{}.\n", pairs.len(), pct(band));
}
