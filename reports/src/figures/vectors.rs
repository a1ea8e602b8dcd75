//! The figure of vector inputs (fig16), drawn when the sweep has more than one `dim`: (a) each
//! phase's work per element of a DP's input against d, (b) the bytes per DP against d beside
//! the plain size of one DP's input (its field elements x 8 bytes). One line style per n.

use super::*;

/// Bytes of one field element of a vector input (F64).
const ELEMENT_BYTES: f64 = 8.0;

pub(super) fn fig16(ctx: &Ctx) -> Built {
    if slice::values(&ctx.points, Dim::Dim).len() < 2 {
        return Err("dim has a single value in the data".into());
    }
    let s = slice::choose(&ctx.points, Dim::Dim, Some(Dim::N), &[]).ok_or("no points")?;
    if s.xs.len() < 2 {
        return Err("dim has a single value in the chosen slice".into());
    }
    let owned: Vec<PointSummary> = s.items.iter().map(|p| (*p).clone()).collect();
    let ns = thin(&slice::values(&owned, Dim::N), STYLES);
    let phases = phases_in(ctx, &s.items);
    let per_element = |p: &PointSummary| (p.params.n.max(1) * p.params.elements().max(1)) as f64;
    let mut work = vec![];
    for phase in &phases {
        for (si, nv) in ns.iter().enumerate() {
            let mut pts: Vec<(f64, Stat)> = s
                .items
                .iter()
                .filter(|p| p.params.get(Dim::N) == *nv)
                .filter_map(|p| {
                    let w = p.phase(phase)?.work_cpu;
                    let e = per_element(p) / 1e6;
                    Some((p.params.dim as f64, scale(w, 1.0 / e)))
                })
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            if !pts.is_empty() {
                work.push(LineSpec {
                    colour: style::phase_colour(phase),
                    style: si,
                    points: pts,
                });
            }
        }
    }
    let mut work_legend = phase_legend(&phases);
    n_legend(&mut work_legend, &ns);
    let (bytes, bytes_legend, msg_fixed) = bytes_lines(ctx, &s.fixed, &ns)?;
    let caption = format!(
        "Vector inputs against the elements per DP input d: (a) per-phase work per element of the DPs' inputs \
         (CPU microseconds summed over party instances, divided by n x elements), (b) bytes per DP (sent by \
         one DP, and all messages of a session over n) beside the plain size of one DP's input (elements x 8 bytes); \
         one line style per n; {}{}{}.",
        ctx.reps,
        fixed_suffix(&s),
        msg_fixed
    );
    let panel = |lines, y_label: &str, y_unit| LinePanel {
        x_label: dim_axis_label(Dim::Dim).to_string(),
        y_label: y_label.to_string(),
        y_unit,
        lines,
        x_categories: None,
        y_zero: false,
    };
    Ok(spec(
        caption,
        SIZE_TWO,
        vec![
            PanelSpec {
                title: Some("(a) work per element".into()),
                chart: Chart::Lines(panel(work, "work CPU per element (us)", Unit::Plain)),
                legend: work_legend,
            },
            PanelSpec {
                title: Some("(b) bytes per DP".into()),
                chart: Chart::Lines(panel(bytes, "bytes per DP", Unit::Si)),
                legend: bytes_legend,
            },
        ],
    ))
}

/// `w` with its median, min and max multiplied by `f`.
fn scale(w: Stat, f: f64) -> Stat {
    Stat {
        median: w.median * f,
        min: w.min * f,
        max: w.max * f,
        ..w
    }
}

/// The legend's line styles, one per n (when there are several).
fn n_legend(legend: &mut Vec<LegendEntry>, ns: &[DimValue]) {
    if ns.len() < 2 {
        return;
    }
    legend.push(LegendEntry {
        glyph: Glyph::Heading,
        label: dim_axis_label(Dim::N).to_string(),
    });
    for (i, v) in ns.iter().enumerate() {
        legend.push(LegendEntry {
            glyph: Glyph::Line(DARK, i),
            label: format!("n = {v}"),
        });
    }
}

/// Panel (b): bytes sent by one DP, all bytes of a session over n, and the plain size, against
/// d, from `messages.csv` (the points of the same fixed values as panel (a)); the legend; and
/// what was held fixed there if panel (a)'s slice does not apply.
fn bytes_lines(
    ctx: &Ctx,
    fixed: &[(Dim, DimValue)],
    ns: &[DimValue],
) -> std::result::Result<(Vec<LineSpec>, Vec<LegendEntry>, String), String> {
    let same: Vec<MessagePoint> = ctx
        .messages
        .iter()
        .filter(|m| fixed.iter().all(|(d, v)| m.params.get(*d) == *v))
        .cloned()
        .collect();
    let (items, note) = if slice::values(&same, Dim::Dim).len() >= 2 {
        (same, String::new())
    } else {
        let s = slice::choose(&ctx.messages, Dim::Dim, Some(Dim::N), &[]).ok_or("messages.csv has no rows")?;
        let note = format!("; (b) at {}", s.fixed_text());
        (s.items.into_iter().cloned().collect(), note)
    };
    let sent = style::role_colour("DP");
    let all = style::role_colour("Cloud");
    let mut lines = vec![];
    for (si, nv) in ns.iter().enumerate() {
        let at_n: Vec<&MessagePoint> = items.iter().filter(|m| m.params.get(Dim::N) == *nv).collect();
        let line = |colour, f: &dyn Fn(&MessagePoint) -> f64| {
            let mut pts: Vec<(f64, Stat)> = at_n
                .iter()
                .filter_map(|m| Some((m.params.dim as f64, Stat::of(&[f(m)])?)))
                .collect();
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            LineSpec {
                colour,
                style: si,
                points: pts,
            }
        };
        let n = |m: &MessagePoint| m.params.n.max(1) as f64;
        lines.push(line(sent, &|m| {
            m.rows
                .iter()
                .filter(|r| r.src_role == "DP")
                .map(|r| r.bytes)
                .sum::<u64>() as f64
                / n(m)
        }));
        lines.push(line(all, &|m| m.total_bytes() as f64 / n(m)));
        if si == 0 {
            // The plain size does not depend on n: one line.
            lines.push(line(DARK, &|m| m.params.elements() as f64 * ELEMENT_BYTES));
        }
    }
    lines.retain(|l| !l.points.is_empty());
    if lines.is_empty() {
        return Err("messages.csv has no rows at these points".into());
    }
    let mut legend = vec![
        LegendEntry {
            glyph: Glyph::Line(sent, 0),
            label: "sent by one DP".into(),
        },
        LegendEntry {
            glyph: Glyph::Line(all, 0),
            label: "session bytes / n".into(),
        },
        LegendEntry {
            glyph: Glyph::Line(DARK, 0),
            label: "plain: elements x 8 B".into(),
        },
    ];
    n_legend(&mut legend, ns);
    Ok((lines, legend, note))
}
