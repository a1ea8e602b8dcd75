//! The report's tables: work per phase, messages per kind, and the calibrated unit costs.

use super::*;

pub(super) fn phase_table(out: &mut String, points: &[PointSummary]) {
    let _ = writeln!(out, "## Per-phase medians\n");
    let _ = writeln!(
        out,
        "Work and latency are CPU seconds (median [min–max] over repetitions); the bound is the cost model \
         (operation counts x unit costs from `units.csv`); overhead = work / bound.\n"
    );
    let _ = writeln!(
        out,
        "| point | phase | instances | work CPU (s) | max instance CPU (s) | bound (s) | overhead |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
    for p in points {
        for ph in &p.phases {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                point_label(&p.params, &p.point),
                ph.phase,
                ph.instances,
                stat_text(&ph.work_cpu),
                stat_text(&ph.max_cpu),
                sig(ph.bound_s),
                ph.overhead.map_or("-".into(), |o| format!("{:.2}", o.median))
            );
        }
    }
    let _ = writeln!(out);
}

pub(super) fn message_table(out: &mut String, messages: &[MessagePoint]) {
    let _ = writeln!(out, "## Bytes per message kind\n");
    if messages.is_empty() {
        let _ = writeln!(out, "messages.csv has no rows.\n");
        return;
    }
    let _ = writeln!(
        out,
        "Encoded bytes are the wire format's length; payload bytes count only the cryptographic fields, as the reference \
         prototype did (kinds it did not count are marked).\n"
    );
    let _ = writeln!(
        out,
        "| point | kind | route | count | bytes | payload bytes | counted by reference |"
    );
    let _ = writeln!(out, "|---|---|---|---:|---:|---:|---|");
    for m in messages {
        for r in &m.rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} → {} | {} | {} | {} | {} |",
                point_label(&m.params, &m.point),
                r.kind,
                r.src_role,
                r.dst_role,
                r.count,
                r.bytes,
                r.payload_bytes,
                if r.ref_compatible { "yes" } else { "no" }
            );
        }
        let _ = writeln!(
            out,
            "| {} | **total** | | | {} ({}) | | |",
            point_label(&m.params, &m.point),
            m.total_bytes(),
            bytes_text(m.total_bytes() as f64)
        );
    }
    let _ = writeln!(out);
}

pub(super) fn units_table(out: &mut String, ds: &Dataset) {
    let _ = writeln!(out, "## Unit costs\n");
    if ds.units.is_empty() {
        let _ = writeln!(out, "units.csv has no rows.\n");
        return;
    }
    let _ = writeln!(
        out,
        "Calibrated in the same run; microseconds per operation. The backend is `n/a` for a group that uses none \
         (ristretto255).\n"
    );
    /// (backend, suite, provider, RSA bits, group, group bits).
    type Config = (String, String, String, u32, String, u32);
    let mut configs: BTreeMap<Config, BTreeMap<&str, f64>> = BTreeMap::new();
    for u in &ds.units {
        configs
            .entry((
                u.backend.clone(),
                u.suite.clone(),
                u.provider.clone(),
                u.rsa_bits,
                u.group.clone(),
                u.group_bits,
            ))
            .or_default()
            .insert(u.op.as_str(), u.unit_s);
    }
    let _ = writeln!(
        out,
        "| backend | suite | provider | rsa_bits | group | group_bits | {} |",
        OP_COLUMNS.join(" | ")
    );
    let _ = writeln!(out, "|---|---|---|---:|---|---:|{}", "---:|".repeat(OP_COLUMNS.len()));
    for ((b, s, p, r, grp, g), ops) in &configs {
        let cells: Vec<String> = OP_COLUMNS
            .iter()
            .map(|op| ops.get(op).map_or("-".into(), |u| sig(u * 1e6)))
            .collect();
        let _ = writeln!(out, "| {b} | {s} | {p} | {r} | {grp} | {g} | {} |", cells.join(" | "));
    }
    let _ = writeln!(out);
}
