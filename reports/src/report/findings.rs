//! The report's findings: what dominates the work, how each phase scales, what the
//! parameters cost, and how well the cost model explains the measured work.

use super::*;

pub(super) fn findings(out: &mut String, _ds: &Dataset, points: &[PointSummary], messages: &[MessagePoint]) {
    let _ = writeln!(out, "## Findings\n");
    if points.is_empty() {
        let _ = writeln!(
            out,
            "phases.csv has no rows, so there is nothing to report on timings.\n"
        );
        return;
    }
    let phases = analysis::phase_names(points);
    dominant(out, points);
    scaling(out, points, &phases);
    speedup(out, points, &phases, Dim::Backend, "Backend speedup");
    speedup(out, points, &phases, Dim::Provider, "Provider speedup");
    comparisons(out, points, messages);
    overhead(out, points);
    work_over_latency(out, points, &phases);
    bytes(out, messages);
    vectors::findings(out, points, messages);
    let _ = writeln!(out);
}

/// The phase with the largest share of session work.
fn dominant(out: &mut String, points: &[PointSummary]) {
    if let Some(d) = analysis::dominant_phase(points) {
        let _ = writeln!(
            out,
            "- **Dominant phase:** `{}` takes the largest share of session work in {} of {} points (median share {}, range {}–{}).",
            d.phase,
            d.wins,
            d.points,
            pct(d.share.median),
            pct(d.share.min),
            pct(d.share.max)
        );
        if let Some((second, sh)) = &d.next {
            let _ = writeln!(out, "  The next largest is `{second}` (median share {}).", pct(*sh));
        }
    }
}

/// How each phase's work scales with n.
fn scaling(out: &mut String, points: &[PointSummary], phases: &[String]) {
    match analysis::scaling_in_n(points, phases) {
        Some(fits) => {
            let _ = writeln!(
                out,
                "- **Scaling with n** (least-squares slope of log(work) against log(n), other parameters held fixed):"
            );
            for s in fits {
                match s.fit {
                    Some(f) => {
                        let _ = writeln!(
                            out,
                            "  - `{}`: ~ n^{} (R² {:.2}, {} in {}){}",
                            s.phase,
                            exponent(f.slope),
                            f.r2,
                            plural(f.points, "point"),
                            plural(s.groups, "group"),
                            scaling_word(f.slope)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "  - `{}`: not enough points to fit", s.phase);
                    }
                }
            }
        }
        None => {
            let _ = writeln!(
                out,
                "- **Scaling with n:** n has a single value in this sweep, so no exponent is fitted."
            );
        }
    }
}

/// Session work by verification mode, by cipher suite and by group (the Schnorr groups on
/// one backend, gmp where there is one, beside ristretto255, whose backend is `n/a`).
fn comparisons(out: &mut String, points: &[PointSummary], messages: &[MessagePoint]) {
    let (group_points, _) = slice::one_backend(points);
    let (group_messages, _) = slice::one_backend(messages);
    for (d, free, what, points, messages) in [
        (Dim::Verify, vec![Dim::Verify], "verification mode", points, messages),
        (
            Dim::Suite,
            vec![Dim::Suite, Dim::RsaBits],
            "cipher suite",
            points,
            messages,
        ),
        (
            Dim::Group,
            vec![Dim::Group, Dim::GroupBits, Dim::Backend],
            "group",
            &group_points[..],
            &group_messages[..],
        ),
    ] {
        let Some(c) = analysis::comparison(points, messages, d, &free) else {
            continue;
        };
        let _ = writeln!(
            out,
            "- **Session work by {what}**, relative to `{}` (geometric mean over matched points):",
            c.reference
        );
        for o in &c.others {
            let v = &o.value;
            let bytes = o.bytes.map(|g| format!("; bytes x{g:.2}")).unwrap_or_default();
            match stats::geometric_mean(&o.work) {
                Some(g) => {
                    let _ = writeln!(
                        out,
                        "  - `{v}`: work x{g:.2} over {}{bytes}",
                        plural(o.work.len(), "matched point")
                    );
                }
                None => {
                    let _ = writeln!(out, "  - `{v}`: no matched points");
                }
            }
        }
    }
}

/// The worst overhead over the cost-model bound, and the median per phase.
fn overhead(out: &mut String, points: &[PointSummary]) {
    match analysis::cost_model_overhead(points) {
        Some(o) => {
            let _ = writeln!(
                out,
                "- **Worst overhead over the cost-model bound:** `{}` at `{}` runs {:.2}x its bound (repetitions {:.2}–{:.2}).",
                o.worst_phase,
                point_label(&o.worst_params, &o.worst_point),
                o.worst.median,
                o.worst.min,
                o.worst.max
            );
            let list: Vec<String> = o.per_phase.iter().map(|(k, m)| format!("`{k}` {m:.2}x")).collect();
            let _ = writeln!(out, "  Median overhead per phase: {}.", list.join(", "));
        }
        None => {
            let _ = writeln!(out, "- **Overhead:** no phase has a non-zero cost-model bound.");
        }
    }
}

/// Work over latency of the phases run by several parties.
fn work_over_latency(out: &mut String, points: &[PointSummary], phases: &[String]) {
    let par = analysis::work_over_latency(points, phases);
    if !par.is_empty() {
        let list: Vec<String> = par.iter().map(|(ph, m)| format!("`{ph}` {m:.1}x")).collect();
        let _ = writeln!(
            out,
            "- **Work over latency** (median of work / slowest instance, phases run by several parties): {}.",
            list.join(", ")
        );
    }
}

/// Which kind carries the most bytes, how session bytes scale, wire over payload.
fn bytes(out: &mut String, messages: &[MessagePoint]) {
    if let Some(b) = analysis::byte_findings(messages) {
        if let Some((k, v)) = &b.top_kind {
            let _ = writeln!(
                out,
                "- **Bytes:** `{k}` carries the most bytes (median share {} of a session's encoded bytes).",
                pct(*v)
            );
        }
        if let Some(f) = b.scaling {
            let _ = writeln!(
                out,
                "  Session bytes scale as ~ n^{} (R² {:.2}).",
                exponent(f.slope),
                f.r2
            );
        }
        if let Some(r) = b.wire_over_payload {
            let _ = writeln!(
                out,
                "  Over the kinds the reference prototype counted, encoded wire bytes are {r:.3}x the cryptographic payload it reported."
            );
        }
    }
}
