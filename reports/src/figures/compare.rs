//! The figures that compare one parameter's values at otherwise equal points: backends
//! (fig6), RSA and group sizes (fig7, fig8), cipher suites (fig9), verification modes (fig10),
//! providers (fig11) and groups (fig15), as horizontal bars per phase, one shade per value.
//! A point whose group uses no backend (ristretto255, backend `n/a`) is left out of the
//! backend comparisons and set beside the Schnorr groups of one backend in the group one.

use super::*;

/// Horizontal bars per category (rows) and variant (shades of the category's colour).
struct Rows {
    categories: Vec<(String, RGBColor)>,
    variants: Vec<String>,
    /// values[cat][variant]
    values: Vec<Vec<Option<Stat>>>,
}

fn hbar_panel(rows: &Rows, value_label: &str, reference: Option<f64>) -> BarPanel {
    let mut bars = vec![];
    for (ci, (_, colour)) in rows.categories.iter().enumerate() {
        for (vi, v) in rows.values[ci].iter().enumerate() {
            if let Some(st) = v {
                bars.push(Bar {
                    cat: ci,
                    slot: vi,
                    from: None,
                    to: st.median,
                    whisker: Some((st.min, st.max)),
                    fill: style::tint(*colour, style::variant_amount(vi, rows.variants.len())),
                    outline: *colour,
                    // The shade alone is ambiguous where a variant lacks a row or the
                    // category colour is dark (a vss-only kind): name every bar's variant.
                    label: (rows.variants.len() > 1).then(|| rows.variants[vi].clone()),
                });
            }
        }
    }
    BarPanel {
        horizontal: true,
        categories: rows.categories.iter().map(|c| c.0.clone()).collect(),
        category_label: String::new(),
        value_label: value_label.into(),
        unit: Unit::Plain,
        slots: rows.variants.len(),
        bars,
        reference,
        fixed_range: None,
    }
}

/// Rows of per-phase statistics for several points (variants): `f(variant index, phase)`.
/// Only phases that some variant has get a row; a phase missing from a variant (one only
/// `vss` runs, say) has no bar in that variant's slot.
fn phase_rows(
    ctx: &Ctx,
    variants: &[(String, &PointSummary)],
    f: impl Fn(usize, &crate::data::PhaseSummary) -> Option<Stat>,
) -> Rows {
    let points: Vec<&PointSummary> = variants.iter().map(|v| v.1).collect();
    let phases = phases_in(ctx, &points);
    let categories: Vec<(String, RGBColor)> = phases
        .iter()
        .map(|p| (style::phase_label(p), style::phase_colour(p)))
        .collect();
    let values = phases
        .iter()
        .map(|ph| {
            variants
                .iter()
                .enumerate()
                .map(|(vi, (_, p))| p.phase(ph).and_then(|s| f(vi, s)))
                .collect()
        })
        .collect();
    Rows {
        categories,
        variants: variants.iter().map(|v| v.0.clone()).collect(),
        values,
    }
}

/// One point per value of `d` (the best slice of `points`), labelled by value.
fn variants_of<'a>(
    points: &'a [PointSummary],
    d: Dim,
    free: &[Dim],
) -> Option<(Vec<(String, &'a PointSummary)>, String)> {
    let s = slice::choose(points, d, None, free)?;
    let v =
        s.xs.iter()
            .filter_map(|x| {
                s.items
                    .iter()
                    .find(|p| p.params.get(d) == *x)
                    .map(|p| (x.to_string(), *p))
            })
            .collect();
    Some((v, fixed_suffix(&s)))
}

fn session_text(variants: &[(String, &PointSummary)]) -> String {
    variants
        .iter()
        .map(|(n, p)| format!("{n} {} s", fmt_num(p.total_work())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Per-phase work of the best slice of `points` along `d`; `note` ends the caption (empty, or
/// `"; ..."`).
fn compare_fig(ctx: &Ctx, points: &[PointSummary], d: Dim, free: &[Dim], what: &str, note: &str) -> Built {
    let (variants, fixed) = variants_of(points, d, free).ok_or("no points")?;
    if variants.len() < 2 {
        return Err(format!("{} has a single value in the data", d.name()));
    }
    let rows = phase_rows(ctx, &variants, |_, ph| Some(ph.work_cpu));
    let names: Vec<String> = variants.iter().map(|v| v.0.clone()).collect();
    let caption = format!(
        "{what}: per-phase work (CPU seconds), solid to pale = {}; session work {}; {}{fixed}{note}.",
        names.join(", "),
        session_text(&variants),
        ctx.reps
    );
    let panel = hbar_panel(&rows, "work CPU time (s)", None);
    Ok(bars_figure(caption, panel, variant_legend(dim_axis_label(d), &names)))
}

/// The points with a backend, and a caption note when some without one were left out.
fn backend_points(ctx: &Ctx) -> (Vec<PointSummary>, &'static str) {
    let with = slice::with_backend(&ctx.points);
    match with.len() {
        0 => (ctx.points.clone(), ""),
        l if l < ctx.points.len() => (with, "; points with backend n/a (ristretto255) left out"),
        _ => (with, ""),
    }
}

pub(super) fn fig6(ctx: &Ctx) -> Built {
    let (points, note) = backend_points(ctx);
    compare_fig(ctx, &points, Dim::Backend, &[], "Backend comparison", note)
}

/// Provider comparison (figure 11): per-phase work with `awslc` and `rustcrypto` at the same
/// point, like the backend comparison.
pub(super) fn fig11(ctx: &Ctx) -> Built {
    compare_fig(ctx, &ctx.points, Dim::Provider, &[], "Crypto provider comparison", "")
}

/// Group comparison (figure 15): per-phase work in each group at the same point, like the
/// backend comparison; the Schnorr groups on one backend (gmp where the data has it),
/// ristretto255 with its backend `n/a`.
pub(super) fn fig15(ctx: &Ctx) -> Built {
    let (points, kept) = slice::one_backend(&ctx.points);
    let mixed = points.iter().any(|p| p.params.backend == slice::NO_BACKEND)
        && points.iter().any(|p| p.params.backend != slice::NO_BACKEND);
    let note = match kept {
        Some(b) if mixed => format!("; the Schnorr groups on backend={b}, ristretto255 with backend n/a"),
        _ => String::new(),
    };
    compare_fig(
        ctx,
        &points,
        Dim::Group,
        &[Dim::GroupBits, Dim::Backend],
        "Group comparison",
        &note,
    )
}

pub(super) fn fig7(ctx: &Ctx) -> Built {
    let (points, note) = backend_points(ctx);
    let (variants, fixed) = variants_of(&points, Dim::Backend, &[]).ok_or("no points")?;
    let rows = phase_rows(ctx, &variants, |_, ph| ph.overhead);
    if rows.values.iter().flatten().all(Option::is_none) {
        return Err("no phase has a non-zero cost-model bound".into());
    }
    let names: Vec<String> = variants.iter().map(|v| v.0.clone()).collect();
    let point = if variants.len() == 1 {
        format!(" at {}", variants[0].1.point)
    } else {
        String::new()
    };
    let caption = format!(
        "Measured work over the cost-model lower bound per phase{point} (dashed line: overhead 1); {}{fixed}{note}.",
        ctx.reps
    );
    let panel = hbar_panel(&rows, "overhead: measured / cost-model bound", Some(1.0));
    let legend = if names.len() > 1 {
        variant_legend("backend", &names)
    } else {
        vec![]
    };
    Ok(bars_figure(caption, panel, legend))
}

pub(super) fn fig8(ctx: &Ctx) -> Built {
    let (variants, fixed) = variants_of(&ctx.points, Dim::Backend, &[]).ok_or("no points")?;
    let (backend, p) = variants.first().ok_or("no points")?;
    let pair = vec![("work".to_string(), *p), ("latency".to_string(), *p)];
    let rows = phase_rows(ctx, &pair, |vi, ph| {
        Some(if vi == 0 { ph.work_cpu } else { ph.max_cpu })
    });
    let caption = format!(
        "Work (CPU seconds summed over party instances, solid) against latency (maximum over instances, pale) per phase at \
         n={}, k={}, t={}, backend={backend}; {}{fixed}.",
        p.params.n, p.params.k, p.params.t, ctx.reps
    );
    let legend = vec![
        LegendEntry {
            glyph: Glyph::Swatch(DARK, DARK),
            label: "work (sum)".into(),
        },
        LegendEntry {
            glyph: Glyph::Swatch(style::tint(DARK, style::variant_amount(1, 2)), DARK),
            label: "latency (max)".into(),
        },
    ];
    let panel = hbar_panel(&rows, "CPU time (s)", None);
    Ok(bars_figure(caption, panel, legend))
}

pub(super) fn fig9(ctx: &Ctx) -> Built {
    compare_fig(
        ctx,
        &ctx.points,
        Dim::Suite,
        &[Dim::RsaBits],
        "Cipher-suite comparison",
        "",
    )
}

/// `" (vss / paper x1.50)"` when both modes are among the `(mode, value)` pairs and paper's
/// value is positive; empty otherwise.
fn vss_over_paper(values: &[(String, f64)]) -> String {
    let get = |mode: &str| values.iter().find(|v| v.0 == mode).map(|v| v.1);
    match (get(Mode::Paper.name()), get(Mode::Vss.name())) {
        (Some(p), Some(v)) if p > 0.0 => format!(" (vss / paper x{:.2})", v / p),
        _ => String::new(),
    }
}

pub(super) fn fig10(ctx: &Ctx) -> Built {
    let (variants, fixed) = variants_of(&ctx.points, Dim::Verify, &[]).ok_or("no points")?;
    if variants.len() < 2 {
        return Err("verify has a single value in the data".into());
    }
    let names: Vec<String> = variants.iter().map(|v| v.0.clone()).collect();
    let compute = hbar_panel(
        &phase_rows(ctx, &variants, |_, ph| Some(ph.work_cpu)),
        "work CPU time (s)",
        None,
    );
    let mut panels = vec![PanelSpec {
        title: Some("(a) compute".into()),
        chart: Chart::Bars(compute),
        legend: variant_legend("verification", &names),
    }];
    let mut bytes_text = String::new();
    if let Some(ms) = slice::choose(&ctx.messages, Dim::Verify, None, &[]).filter(|s| s.xs.len() >= 2) {
        let mnames: Vec<String> = ms.xs.iter().map(|x| x.to_string()).collect();
        let mps: Vec<&MessagePoint> = ms
            .xs
            .iter()
            .filter_map(|x| ms.items.iter().find(|p| p.params.get(Dim::Verify) == *x).copied())
            .collect();
        let mut kinds: Vec<String> = mps.iter().flat_map(|p| p.rows.iter().map(|r| r.kind.clone())).collect();
        kinds.sort_by(|a, b| kind_rank(a).cmp(&kind_rank(b)).then(a.cmp(b)));
        kinds.dedup();
        let rows = Rows {
            categories: kinds.iter().map(|k| (k.clone(), style::kind_colour(k))).collect(),
            variants: mnames.clone(),
            values: kinds
                .iter()
                .map(|k| {
                    mps.iter()
                        .map(|p| {
                            p.rows
                                .iter()
                                .find(|r| &r.kind == k)
                                .and_then(|r| Stat::of(&[r.bytes as f64]))
                        })
                        .collect()
                })
                .collect(),
        };
        let mut panel = hbar_panel(&rows, "bytes per session", None);
        panel.unit = Unit::Si;
        let totals: Vec<(String, f64)> = mnames
            .iter()
            .cloned()
            .zip(mps.iter().map(|p| p.total_bytes() as f64))
            .collect();
        bytes_text = format!(
            "; (b) encoded bytes per message kind, per session {}{}{}",
            totals
                .iter()
                .map(|(n, b)| format!("{n} {}", bytes_si(*b)))
                .collect::<Vec<_>>()
                .join(", "),
            vss_over_paper(&totals),
            fixed_suffix(&ms)
        );
        panels.push(PanelSpec {
            title: Some("(b) bytes".into()),
            chart: Chart::Bars(panel),
            legend: variant_legend("verification", &mnames),
        });
    }
    let size = if panels.len() == 2 { SIZE_TWO } else { SIZE_ONE };
    let work: Vec<(String, f64)> = variants.iter().map(|(n, p)| (n.clone(), p.total_work())).collect();
    let caption = format!(
        "Verification modes ({}, solid to pale, each bar labelled with its mode): (a) per-phase work (CPU seconds), session work {}{}; {}{fixed}{bytes_text}.",
        names.join(", "),
        session_text(&variants),
        vss_over_paper(&work),
        ctx.reps
    );
    Ok(spec(caption, size, panels))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vss_over_paper_needs_both_modes() {
        let v = |pairs: &[(&str, f64)]| pairs.iter().map(|(n, x)| (n.to_string(), *x)).collect::<Vec<_>>();
        assert_eq!(
            vss_over_paper(&v(&[("batch", 1.0), ("vss", 3.0), ("paper", 2.0)])),
            " (vss / paper x1.50)"
        );
        assert_eq!(vss_over_paper(&v(&[("batch", 1.0), ("vss", 3.0)])), "");
        assert_eq!(vss_over_paper(&v(&[("paper", 0.0), ("vss", 3.0)])), "");
        assert_eq!(bytes_si(534.0), "534 B");
        assert_eq!(bytes_si(12_345.0), "12.3 kB");
    }
}
