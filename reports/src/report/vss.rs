//! The overhead of `vss` over `paper` verification, and the cost of the DPs' commitment
//! signatures.

use super::*;
use crate::analysis::{DpSignatureCosts, VssOverhead};

/// One row of an overhead table.
fn overhead_row(out: &mut String, name: &str, o: &ModeOverhead, show: impl Fn(&Stat) -> String) {
    let ratio = match &o.ratio {
        OverheadRatio::OnlyVss => format!("only in {VSS}"),
        OverheadRatio::OnlyPaper => format!("only in {PAPER}"),
        OverheadRatio::Ratios(r) => ratio_text(r).unwrap_or_else(|| "-".into()),
    };
    let cell = |s: &Option<Stat>| s.as_ref().map_or("-".into(), &show);
    let _ = writeln!(out, "| {name} | {} | {} | {ratio} |", cell(&o.paper), cell(&o.vss));
}

/// `## Overhead of vss over paper` from [`analysis::vss_overhead`]: written only when the
/// data hold `paper` and `vss` points matched on every other parameter. Session work and bytes
/// per matched point, then work per phase, the cost of the DPs' commitment signatures, and
/// bytes per message kind (ratios, or absolute values for what only one mode has).
pub(super) fn vss_overhead(out: &mut String, points: &[PointSummary], messages: &[MessagePoint], units: &[UnitRow]) {
    let Some(v) = analysis::vss_overhead(points, messages, units) else {
        return;
    };
    let common: Vec<&(Dim, DimValue)> = v.common.iter().collect();
    let common_text = dims_text(&common);
    // A row is named by the dimensions that differ between rows.
    let name_of = |key: &[(Dim, DimValue)], is_weak: bool| {
        let varying: Vec<&(Dim, DimValue)> = key.iter().filter(|dv| !common.contains(dv)).collect();
        let name = if varying.is_empty() {
            common_text.clone()
        } else {
            dims_text(&varying)
        };
        if is_weak { format!("{name} (weak)") } else { name }
    };
    sessions_table(out, &v, &name_of, &common_text);
    work_section(out, &v, &name_of);
    bytes_section(out, &v);
}

/// How a row of the vss tables is named: by its parameters that differ between rows.
type NameOf<'a> = dyn Fn(&[(Dim, DimValue)], bool) -> String + 'a;

/// The section's introduction and its table of session work and bytes per matched point.
fn sessions_table(out: &mut String, v: &VssOverhead, name_of: &NameOf<'_>, common_text: &str) {
    let several = v.several();
    let _ = writeln!(out, "## Overhead of {VSS} over {PAPER}\n");
    let _ = writeln!(
        out,
        "`{VSS}` (Pedersen verifiable secret sharing, beyond the paper) against `{PAPER}` verification at {}, \
         each `{VSS}` point matched with the `{PAPER}` point that has the same value of every other parameter{}. \
         Ratios are {VSS} / {PAPER} of medians over repetitions{}; phases and message kinds that only one mode has \
         are shown in absolute terms.\n",
        plural(v.sessions.len(), "parameter point"),
        if several && !common_text.is_empty() {
            format!(" (all at {common_text})")
        } else {
            String::new()
        },
        if several {
            "; over several points, the geometric mean with the range in brackets, and values as median [min–max]"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "| parameters | work {PAPER} (s) | work {VSS} (s) | work {VSS} / {PAPER} | bytes {PAPER} | bytes {VSS} | bytes {VSS} / {PAPER} |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
    for s in &v.sessions {
        let name = name_of(&s.key, s.weak);
        let (wp, wv, wr) = s.work.map_or(("-".into(), "-".into(), "-".into()), |(p, v)| {
            (sig(p), sig(v), ratio_text(&[v / p]).unwrap_or_else(|| "-".into()))
        });
        let (bp, bv, br) = s.bytes.map_or(("-".into(), "-".into(), "-".into()), |(p, v)| {
            (
                bytes_text(p as f64),
                bytes_text(v as f64),
                ratio_text(&[v as f64 / p as f64]).unwrap_or_else(|| "-".into()),
            )
        });
        let _ = writeln!(out, "| {name} | {wp} | {wv} | {wr} | {bp} | {bv} | {br} |");
    }
    let _ = writeln!(out);
}

/// What `vss` adds or saves in work, per phase, then the DPs' commitment signatures.
fn work_section(out: &mut String, v: &VssOverhead, name_of: &NameOf<'_>) {
    let several = v.several();
    if let Some(session_work) = &v.session_work {
        let over = if several { " (median over points)" } else { "" };
        match &v.work_change {
            Some(WorkChange::Adds { total, phase, delta }) => {
                let _ = writeln!(
                    out,
                    "`{VSS}` adds {} s of work per session{over}; most of it in `{phase}` (+{} s, {} of the added work).\n",
                    sig(*total),
                    sig(*delta),
                    pct(delta / total)
                );
            }
            Some(WorkChange::Saves { total, phase, delta }) => {
                let _ = writeln!(
                    out,
                    "`{VSS}` needs {} s less work per session than `{PAPER}`{over}; the largest saving is in `{phase}` \
                     ({} s less).\n",
                    sig(*total),
                    sig(*delta)
                );
            }
            None => {}
        }
        let _ = writeln!(out, "Work per phase (CPU seconds summed over party instances):\n");
        let _ = writeln!(out, "| phase | {PAPER} (s) | {VSS} (s) | {VSS} / {PAPER} |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        overhead_row(out, "**whole session**", session_work, stat_text);
        for (ph, o) in &v.phase_work {
            overhead_row(out, &format!("`{ph}`"), o, stat_text);
        }
        let _ = writeln!(out);
        if let Some(dp) = &v.dp_signatures {
            dp_signature_costs(out, dp, |p| name_of(&pair_key(p), is_weak(p)), several);
        }
    }
}

/// Encoded bytes per message kind.
fn bytes_section(out: &mut String, v: &VssOverhead) {
    if let Some(session_bytes) = &v.session_bytes {
        let show = |s: &Stat| {
            if s.count > 1 && s.max > s.min {
                format!("{} [{}–{}]", s.median, s.min, s.max)
            } else {
                format!("{}", s.median)
            }
        };
        let _ = writeln!(out, "Encoded bytes per message kind (per session):\n");
        let _ = writeln!(out, "| kind | {PAPER} (bytes) | {VSS} (bytes) | {VSS} / {PAPER} |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        overhead_row(out, "**whole session**", session_bytes, show);
        for (k, o) in &v.kind_bytes {
            overhead_row(out, &format!("`{k}`"), o, show);
        }
        let _ = writeln!(out);
    }
}

/// The DP commitment signatures of [`analysis::dp_signatures`]: a table with one row per
/// `vss` point (named by `name_of`, sorted by name) and a sentence on their cost.
fn dp_signature_costs(
    out: &mut String,
    dp: &DpSignatures,
    name_of: impl Fn(&crate::data::Params) -> String,
    several: bool,
) {
    let _ = writeln!(
        out,
        "DP commitment signatures (ECDSA P-256 whatever the suite; `{VSS}` only):\n"
    );
    let costs = match dp {
        DpSignatures::NotCounted => {
            let _ = writeln!(
                out,
                "The data count no `{DP_SIGN}` or `{DP_SIG_VERIFY}` (a sweep written before they were counted on their own: \
                 there the DP signatures are inside `sign` and `sig_verify`, priced at the suite's unit costs).\n"
            );
            return;
        }
        DpSignatures::Counted(c) => c,
    };
    dp_rows(out, costs, &name_of);
    if let Some((s, sh)) = &costs.cost {
        let (secs_text, share_text) = if several && s.count > 1 {
            (
                format!("{} s [{}–{}]", sig(s.median), sig(s.min), sig(s.max)),
                format!("{} [{}–{}]", pct1(sh.median), pct1(sh.min), pct1(sh.max)),
            )
        } else {
            (format!("{} s", sig(s.median)), pct1(sh.median))
        };
        let _ = writeln!(
            out,
            "Each DP signs its commitments once (`{DP_SIGN}`); every CP verifies every relayed commitments message and \
             the Edge each DP's once (`{DP_SIG_VERIFY}`, n(k+1) in all). At the unit costs calibrated in this run \
             they cost {secs_text} of CPU per session{}, {share_text} of the `{VSS}` work.{}\n",
            if several && s.count > 1 {
                " (median [min–max] over points)"
            } else {
                ""
            },
            if costs.unpriced > 0 {
                format!(
                    " ({} without the unit costs of `{DP_SIGN}` and `{DP_SIG_VERIFY}` in units.csv, not priced.)",
                    plural(costs.unpriced, "point")
                )
            } else {
                String::new()
            }
        );
    } else {
        let _ = writeln!(
            out,
            "units.csv has no unit costs of `{DP_SIGN}` and `{DP_SIG_VERIFY}` for these points, so the signatures \
             are counted but not priced.\n"
        );
    }
}

/// The table of the DP signatures, one row per `vss` point, sorted by name.
fn dp_rows(out: &mut String, costs: &DpSignatureCosts, name_of: &dyn Fn(&crate::data::Params) -> String) {
    let _ = writeln!(
        out,
        "| parameters | {DP_SIGN} | unit (µs) | {DP_SIGN} (s) | {DP_SIG_VERIFY} | unit (µs) | {DP_SIG_VERIFY} (s) \
         | signatures (s) | share of {VSS} work |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let micro = |u: Option<f64>| u.map_or("-".into(), |u| sig(u * 1e6));
    let show = |s: Option<f64>| s.map_or("-".into(), sig);
    let mut rows: Vec<(String, String)> = costs
        .rows
        .iter()
        .map(|r| {
            let name = name_of(&r.params);
            let row = format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.sign.count,
                micro(r.sign.unit_s),
                show(r.sign.seconds),
                r.verify.count,
                micro(r.verify.unit_s),
                show(r.verify.seconds),
                show(r.total_s),
                r.share.map_or("-".into(), pct1)
            );
            (name, row)
        })
        .collect();
    rows.sort();
    for (_, row) in &rows {
        let _ = writeln!(out, "{row}");
    }
    let _ = writeln!(out);
}
