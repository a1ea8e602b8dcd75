//! The figures along the size axes: per-phase work against n (fig1) and against t and k
//! (fig2), stacked phase bars per size (fig3), messages and bytes per kind (fig4) and the
//! cost model's bound against the measured work (fig5).

use super::*;

/// Per-phase work against a numeric dimension `x`, one line style per value of `series`.
fn phase_lines(ctx: &Ctx, x: Dim, series: Option<Dim>, what: &str) -> Built {
    let s = slice::choose(&ctx.points, x, series, &[]).ok_or("no points")?;
    if s.xs.len() < 2 {
        return Err(format!("{} has a single value in the data", x.name()));
    }
    let svals: Vec<Option<DimValue>> = match series {
        Some(d) => thin(
            &slice::values(&s.items.iter().map(|p| (*p).clone()).collect::<Vec<_>>(), d),
            STYLES,
        )
        .into_iter()
        .map(Some)
        .collect(),
        None => vec![None],
    };
    let phases = phases_in(ctx, &s.items);
    let mut lines = vec![];
    for phase in &phases {
        for (si, sv) in svals.iter().enumerate() {
            let mut pts: Vec<(f64, Stat)> = s
                .items
                .iter()
                .filter(|p| {
                    sv.as_ref()
                        .is_none_or(|v| series.map(|d| p.params.get(d)) == Some(v.clone()))
                })
                .filter_map(|p| Some((p.params.get(x).as_f64()?, p.phase(phase)?.work_cpu)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            if !pts.is_empty() {
                lines.push(LineSpec {
                    colour: style::phase_colour(phase),
                    style: si,
                    points: pts,
                });
            }
        }
    }
    let mut legend = phase_legend(&phases);
    if let Some(d) = series.filter(|_| svals.len() > 1) {
        legend.push(LegendEntry {
            glyph: Glyph::Heading,
            label: dim_axis_label(d).to_string(),
        });
        for (i, v) in svals.iter().enumerate() {
            if let Some(v) = v {
                legend.push(LegendEntry {
                    glyph: Glyph::Line(DARK, i),
                    label: format!("{} = {v}", d.name()),
                });
            }
        }
    }
    let series_text = match series {
        Some(d) if svals.len() > 1 => format!(", one line style per {}", dim_axis_label(d)),
        _ => String::new(),
    };
    let caption = format!(
        "Per-phase work (CPU seconds summed over party instances) against {what}{series_text}; {}{}.",
        ctx.reps,
        fixed_suffix(&s)
    );
    let panel = LinePanel {
        x_label: dim_axis_label(x).to_string(),
        y_label: "work CPU time (s)".to_string(),
        y_unit: Unit::Plain,
        lines,
        x_categories: None,
        y_zero: true,
    };
    Ok(spec(
        caption,
        SIZE_ONE,
        vec![PanelSpec {
            title: None,
            chart: Chart::Lines(panel),
            legend,
        }],
    ))
}

pub(super) fn fig1(ctx: &Ctx) -> Built {
    phase_lines(ctx, Dim::N, Some(Dim::T), "the number of data providers n")
}

pub(super) fn fig2(ctx: &Ctx) -> Built {
    phase_lines(ctx, Dim::K, None, "the number of selected computing parties k")
}

/// Grouped vertical bars: one group per value of `x`, one bar per phase; also returns what
/// was held fixed and the phases drawn.
fn phase_groups(ctx: &Ctx, items: &[PointSummary], x: Dim) -> Option<(BarPanel, String, Vec<String>)> {
    let s = slice::choose(items, x, None, &[])?;
    if s.xs.len() < 2 {
        return None;
    }
    let phases = phases_in(ctx, &s.items);
    let mut bars = vec![];
    for (ci, xv) in s.xs.iter().enumerate() {
        let Some(p) = s.items.iter().find(|p| p.params.get(x) == *xv) else {
            continue;
        };
        for (pi, phase) in phases.iter().enumerate() {
            if let Some(ph) = p.phase(phase) {
                let c = style::phase_colour(phase);
                let w = ph.work_cpu;
                bars.push(Bar {
                    cat: ci,
                    slot: pi,
                    from: None,
                    to: w.median,
                    whisker: Some((w.min, w.max)),
                    fill: c,
                    outline: c,
                    label: None,
                });
            }
        }
    }
    let panel = BarPanel {
        horizontal: false,
        // 1024-bit sizes exist only for comparison with the reference prototype: mark them weak.
        categories: s
            .xs
            .iter()
            .map(|v| {
                if v.as_f64() == Some(1024.0) {
                    format!("{v} (weak)")
                } else {
                    v.to_string()
                }
            })
            .collect(),
        category_label: dim_axis_label(x).to_string(),
        value_label: "work CPU time (s)".to_string(),
        unit: Unit::Plain,
        slots: phases.len(),
        bars,
        reference: None,
        fixed_range: None,
    };
    Some((panel, s.fixed_text(), phases))
}

pub(super) fn fig3(ctx: &Ctx) -> Built {
    let rsa_points: Vec<PointSummary> = ctx.points.iter().filter(|p| p.params.rsa_bits > 0).cloned().collect();
    let a = phase_groups(ctx, &rsa_points, Dim::RsaBits);
    // ristretto255 (group_bits 0) has no modulus: fig15 compares it with the Schnorr groups.
    let schnorr_points: Vec<PointSummary> = ctx.points.iter().filter(|p| p.params.group_bits > 0).cloned().collect();
    let b = phase_groups(ctx, &schnorr_points, Dim::GroupBits);
    let two = a.is_some() && b.is_some();
    let mut panels = vec![];
    let mut parts = vec![];
    for (p, title, what) in [
        (a, "(a) RSA modulus", "the RSA modulus size"),
        (b, "(b) group modulus p", "the group modulus size"),
    ] {
        if let Some((panel, fixed, phases)) = p {
            let fixed = if fixed.is_empty() {
                String::new()
            } else {
                format!(" ({fixed})")
            };
            parts.push(format!("{}{what}{fixed}", if two { &title[..4] } else { "" }));
            panels.push(PanelSpec {
                title: two.then(|| title.to_string()),
                chart: Chart::Bars(panel),
                legend: phase_legend(&phases),
            });
        }
    }
    if panels.is_empty() {
        return Err("neither rsa_bits nor group_bits varies in the data".into());
    }
    let caption = format!(
        "Per-phase work (CPU seconds) against {}; {}.",
        parts.join(" and "),
        ctx.reps
    );
    Ok(spec(caption, if two { SIZE_TWO } else { SIZE_ONE }, panels))
}

pub(super) fn fig4(ctx: &Ctx) -> Built {
    let s = slice::choose(&ctx.messages, Dim::N, None, &[]).ok_or("messages.csv has no rows")?;
    if s.xs.len() < 2 {
        return Err("n has a single value in messages.csv".into());
    }
    let (kinds, roles) = kinds_and_roles(&s.items);
    let line = |colour, style, f: &dyn Fn(&MessagePoint) -> Option<u64>| {
        let mut pts: Vec<(f64, Stat)> = s
            .items
            .iter()
            .filter_map(|p| Some((p.params.n as f64, Stat::of(&[f(p)? as f64])?)))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        LineSpec {
            colour,
            style,
            points: pts,
        }
    };
    let by_kind: Vec<LineSpec> = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            line(style::kind_colour(k), i, &|p: &MessagePoint| {
                p.rows.iter().find(|r| &r.kind == k).map(|r| r.bytes)
            })
        })
        .filter(|l| !l.points.is_empty())
        .collect();
    let by_role: Vec<LineSpec> = roles
        .iter()
        .enumerate()
        .map(|(i, role)| {
            line(style::role_colour(role), i, &|p: &MessagePoint| {
                Some(p.rows.iter().filter(|r| &r.src_role == role).map(|r| r.bytes).sum())
            })
        })
        .collect();
    let kind_legend = line_legend(&kinds, style::kind_colour, |k| k.to_string());
    let role_legend = line_legend(&roles, style::role_colour, |r| format!("sent by {r}"));
    let panel = |lines| LinePanel {
        x_label: dim_axis_label(Dim::N).to_string(),
        y_label: "bytes per session".to_string(),
        y_unit: Unit::Si,
        lines,
        x_categories: None,
        y_zero: true,
    };
    let caption = format!(
        "Encoded wire bytes per session against n: (a) per message kind, (b) per sending role{}.",
        fixed_suffix(&s)
    );
    Ok(spec(
        caption,
        SIZE_TWO,
        vec![
            PanelSpec {
                title: Some("(a) by message kind".into()),
                chart: Chart::Lines(panel(by_kind)),
                legend: kind_legend,
            },
            PanelSpec {
                title: Some("(b) by sending role".into()),
                chart: Chart::Lines(panel(by_role)),
                legend: role_legend,
            },
        ],
    ))
}

/// The message kinds (in protocol order) and the sending roles (Cloud first) of `items`.
fn kinds_and_roles(items: &[&MessagePoint]) -> (Vec<String>, Vec<String>) {
    let mut kinds: Vec<String> = items
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| r.kind.clone()))
        .collect();
    kinds.sort_by(|a, b| kind_rank(a).cmp(&kind_rank(b)).then(a.cmp(b)));
    kinds.dedup();
    let mut roles: Vec<String> = items
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| r.src_role.clone()))
        .collect();
    roles.sort_by_key(|r| (ROLES.iter().position(|x| x == r).unwrap_or(ROLES.len()), r.clone()));
    roles.dedup();
    (kinds, roles)
}

/// One legend line per name, in its colour and the dash style of its position.
fn line_legend(names: &[String], colour: fn(&str) -> RGBColor, label: impl Fn(&str) -> String) -> Vec<LegendEntry> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| LegendEntry {
            glyph: Glyph::Line(colour(n), i),
            label: label(n),
        })
        .collect()
}

pub(super) fn fig5(ctx: &Ctx) -> Built {
    let s = slice::choose(&ctx.points, Dim::N, Some(Dim::T), &[]).ok_or("no points")?;
    let mut items: Vec<&PointSummary> = s.items.clone();
    items.sort_by_key(|p| (p.params.n, p.params.t));
    let t_varies = items.iter().any(|p| p.params.t != items[0].params.t);
    let items = thin(&items, 16);
    let phases = phases_in(ctx, &items);
    let categories: Vec<String> = items
        .iter()
        .map(|p| {
            if t_varies {
                format!("{}/{}", p.params.n, p.params.t)
            } else {
                p.params.n.to_string()
            }
        })
        .collect();
    let mut bars = vec![];
    let mut totals = vec![];
    for (ci, p) in items.iter().enumerate() {
        let total = p.total_work();
        totals.push(total);
        if total <= 0.0 {
            continue;
        }
        let mut acc = 0.0;
        for phase in &phases {
            if let Some(ph) = p.phase(phase) {
                let share = 100.0 * ph.work_cpu.median / total;
                let c = style::phase_colour(phase);
                bars.push(Bar {
                    cat: ci,
                    slot: 0,
                    from: Some(acc),
                    to: acc + share,
                    whisker: None,
                    fill: c,
                    outline: c,
                    label: None,
                });
                acc += share;
            }
        }
    }
    let (tmin, tmax) = totals
        .iter()
        .fold((f64::INFINITY, 0f64), |(a, b), t| (a.min(*t), b.max(*t)));
    let panel = BarPanel {
        horizontal: false,
        categories,
        category_label: if t_varies {
            "data providers n / threshold t".into()
        } else {
            "data providers n".into()
        },
        value_label: "share of session work (%)".into(),
        unit: Unit::Percent,
        slots: 1,
        bars,
        reference: None,
        fixed_range: Some((0.0, 100.0)),
    };
    let caption = format!(
        "Breakdown of a session's work (median CPU seconds summed over instances) by phase, one bar per point; \
         session work ranges from {} s to {} s{}.",
        fmt_num(tmin),
        fmt_num(tmax),
        fixed_suffix(&s)
    );
    Ok(bars_figure(caption, panel, phase_legend(&phases)))
}
