//! The paper figures. Each `figN` function turns a [`Dataset`] into a `chart::FigureSpec`
//! (or a reason to skip it when the data does not vary along the figure's axis); the
//! renderer then writes every spec as SVG and PNG into `DIR/figures/`. Figures show the
//! median over repetitions with min-max error bars; every phase keeps its colour from the
//! fixed map in `style`. See the crate README for the list of figures.

pub mod chart;
pub(crate) mod net;
pub mod style;

use std::path::{Path, PathBuf};

use plotters::prelude::*;

use self::chart::{Bar, BarPanel, Chart, FigureSpec, Glyph, LegendEntry, LinePanel, LineSpec, PanelSpec, Unit};
use self::style::{DARK, SIZE_ONE, SIZE_TWO, STYLES};
use crate::data::{Dataset, Dim, DimValue, MessagePoint, PointSummary, ROLES, SessionPoint, kind_rank};
use crate::error::{Error, Result};
use crate::format::{bytes_si, fmt_num};
use crate::mode::Mode;
use crate::slice::{self, Slice};
use crate::stats::Stat;

/// A figure that was drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderedFigure {
    /// `fig1` ... `fig14`.
    pub id: String,
    /// One-line caption.
    pub caption: String,
    /// The SVG file.
    pub svg: PathBuf,
    /// The PNG file.
    pub png: PathBuf,
}

/// A figure that was not drawn, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct SkippedFigure {
    /// `fig1` ... `fig14`.
    pub id: String,
    /// Why the data does not support it.
    pub reason: String,
}

/// What [`render_dataset`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FigureOutcome {
    /// Figures written, in order.
    pub rendered: Vec<RenderedFigure>,
    /// Figures skipped, in order.
    pub skipped: Vec<SkippedFigure>,
}

/// A figure as planned from the data, without drawing it.
#[derive(Clone, Debug, PartialEq)]
pub struct FigurePlan {
    /// `fig1` ... `fig14`.
    pub id: String,
    /// `Ok(caption)` or `Err(reason it is skipped)`.
    pub caption: std::result::Result<String, String>,
}

/// Plans every figure: its caption, or why it is skipped. Used by the report.
pub fn describe(ds: &Dataset) -> Vec<FigurePlan> {
    build_all(ds)
        .into_iter()
        .map(|(id, spec)| FigurePlan {
            id,
            caption: spec.map(|s| s.caption),
        })
        .collect()
}

/// Reads the sweep folder `dir` and writes every figure as SVG and PNG into
/// `dir/figures/`; prints a note on standard error for each skipped figure. Returns the
/// files written.
pub fn render_all(dir: &Path) -> Result<Vec<PathBuf>> {
    let ds = Dataset::load(dir)?;
    let out = render_dataset(&ds, &dir.join("figures"))?;
    for s in &out.skipped {
        eprintln!("note: {} skipped: {}", s.id, s.reason);
    }
    Ok(out
        .rendered
        .iter()
        .flat_map(|r| [r.svg.clone(), r.png.clone()])
        .collect())
}

/// Draws every figure of `ds` into `out_dir` (created if needed). Stale files of skipped
/// figures are removed so that a folder never mixes figures from different data.
pub fn render_dataset(ds: &Dataset, out_dir: &Path) -> Result<FigureOutcome> {
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let mut outcome = FigureOutcome::default();
    for (id, spec) in build_all(ds) {
        let svg = out_dir.join(format!("{id}.svg"));
        let png = out_dir.join(format!("{id}.png"));
        match spec {
            Ok(spec) => {
                write_svg(&spec, &svg)?;
                write_png(&spec, &png)?;
                outcome.rendered.push(RenderedFigure {
                    id,
                    caption: spec.caption,
                    svg,
                    png,
                });
            }
            Err(reason) => {
                for f in [&svg, &png] {
                    match std::fs::remove_file(f) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(f, e)),
                        _ => {}
                    }
                }
                outcome.skipped.push(SkippedFigure { id, reason });
            }
        }
    }
    Ok(outcome)
}

fn plot_err(spec: &FigureSpec, message: String) -> Error {
    Error::Plot {
        figure: spec.id.clone(),
        message,
    }
}

/// Draws `spec` as SVG into `path`.
pub fn write_svg(spec: &FigureSpec, path: &Path) -> Result<()> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, spec.size).into_drawing_area();
        chart::draw_figure(spec, &root).map_err(|m| plot_err(spec, m))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

/// Draws `spec` as PNG into `path`.
pub fn write_png(spec: &FigureSpec, path: &Path) -> Result<()> {
    let root = BitMapBackend::new(path, spec.size).into_drawing_area();
    chart::draw_figure(spec, &root).map_err(|m| plot_err(spec, format!("{m} (writing {})", path.display())))
}

// ---------------------------------------------------------------------------------------
// Building the figure specs
// ---------------------------------------------------------------------------------------

type Built = std::result::Result<FigureSpec, String>;

/// A figure id and the function that builds it.
type Builder = (&'static str, fn(&Ctx) -> Built);

struct Ctx {
    points: Vec<PointSummary>,
    messages: Vec<MessagePoint>,
    sessions: Vec<SessionPoint>,
    phases: Vec<String>,
    reps: String,
}

fn build_all(ds: &Dataset) -> Vec<(String, Built)> {
    let points = ds.points();
    let (rmin, rmax) = points
        .iter()
        .fold((usize::MAX, 0), |(a, b), p| (a.min(p.reps), b.max(p.reps)));
    let reps = match (rmin, rmax) {
        (usize::MAX, _) => "no repetitions".to_string(),
        (1, 1) => "single repetition".to_string(),
        (a, b) if a == b => format!("median of {a} repetitions, bars min-max"),
        (a, b) => format!("median of {a}-{b} repetitions, bars min-max"),
    };
    let ctx = Ctx {
        points,
        messages: ds.message_points(),
        sessions: ds.session_points(),
        phases: ds.phase_names(),
        reps,
    };
    let figs: [Builder; 14] = [
        ("fig1", fig1),
        ("fig2", fig2),
        ("fig3", fig3),
        ("fig4", fig4),
        ("fig5", fig5),
        ("fig6", fig6),
        ("fig7", fig7),
        ("fig8", fig8),
        ("fig9", fig9),
        ("fig10", fig10),
        ("fig11", fig11),
        ("fig12", net::fig12),
        ("fig13", net::fig13),
        ("fig14", net::fig14),
    ];
    figs.iter()
        .map(|(id, f)| {
            let from_sessions = matches!(*id, "fig12" | "fig13" | "fig14");
            let built = if ctx.points.is_empty() && *id != "fig4" && !from_sessions {
                Err("phases.csv has no rows".to_string())
            } else {
                f(&ctx).and_then(|mut s| {
                    s.id = id.to_string();
                    if s.is_empty() {
                        Err("every value to draw is zero".to_string())
                    } else {
                        Ok(s)
                    }
                })
            };
            (id.to_string(), built)
        })
        .collect()
}

fn fixed_suffix<T>(s: &Slice<'_, T>) -> String {
    let f = s.fixed_text();
    if f.is_empty() { String::new() } else { format!(" ({f})") }
}

fn spec(caption: String, size: (u32, u32), panels: Vec<PanelSpec>) -> FigureSpec {
    FigureSpec {
        id: String::new(),
        caption,
        size,
        panels,
    }
}

/// A one-panel, one-column figure of horizontal bars.
fn bars_figure(caption: String, panel: BarPanel, legend: Vec<LegendEntry>) -> FigureSpec {
    spec(
        caption,
        SIZE_ONE,
        vec![PanelSpec {
            title: None,
            chart: Chart::Bars(panel),
            legend,
        }],
    )
}

fn phase_legend(phases: &[String]) -> Vec<LegendEntry> {
    phases
        .iter()
        .map(|p| {
            let c = style::phase_colour(p);
            LegendEntry {
                glyph: Glyph::Swatch(c, c),
                label: style::phase_label(p),
            }
        })
        .collect()
}

/// The phases that at least one of `items` has, in protocol order: a figure lists only what
/// it draws (`dp_set_agreement`, say, only when a `vss` point is among them).
fn phases_in(ctx: &Ctx, items: &[&PointSummary]) -> Vec<String> {
    ctx.phases
        .iter()
        .filter(|ph| items.iter().any(|p| p.phase(ph).is_some()))
        .cloned()
        .collect()
}

fn variant_legend(title: &str, names: &[String]) -> Vec<LegendEntry> {
    let mut v = vec![LegendEntry {
        glyph: Glyph::Heading,
        label: title.to_string(),
    }];
    for (i, n) in names.iter().enumerate() {
        let fill = style::tint(DARK, style::variant_amount(i, names.len()));
        v.push(LegendEntry {
            glyph: Glyph::Swatch(fill, DARK),
            label: n.clone(),
        });
    }
    v
}

fn dim_axis_label(d: Dim) -> &'static str {
    match d {
        Dim::N => "data providers n",
        Dim::K => "selected computing parties k",
        Dim::M => "candidate computing parties m",
        Dim::T => "threshold t",
        Dim::RsaBits => "RSA modulus (bits)",
        Dim::GroupBits => "group modulus p (bits)",
        Dim::ValueBits => "value size (bits)",
        Dim::Backend => "backend",
        Dim::Verify => "verification mode",
        Dim::Suite => "cipher suite",
        Dim::Provider => "crypto provider",
        Dim::Net => "network",
    }
}

/// Keeps at most `max` values, evenly spread and always including the ends.
fn thin<T: Clone>(v: &[T], max: usize) -> Vec<T> {
    if v.len() <= max || max < 2 {
        return v.to_vec();
    }
    (0..max).map(|i| v[i * (v.len() - 1) / (max - 1)].clone()).collect()
}

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

fn fig1(ctx: &Ctx) -> Built {
    phase_lines(ctx, Dim::N, Some(Dim::T), "the number of data providers n")
}

fn fig2(ctx: &Ctx) -> Built {
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

fn fig3(ctx: &Ctx) -> Built {
    let rsa_points: Vec<PointSummary> = ctx.points.iter().filter(|p| p.params.rsa_bits > 0).cloned().collect();
    let a = phase_groups(ctx, &rsa_points, Dim::RsaBits);
    let b = phase_groups(ctx, &ctx.points, Dim::GroupBits);
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

fn fig4(ctx: &Ctx) -> Built {
    let s = slice::choose(&ctx.messages, Dim::N, None, &[]).ok_or("messages.csv has no rows")?;
    if s.xs.len() < 2 {
        return Err("n has a single value in messages.csv".into());
    }
    let mut kinds: Vec<String> = s
        .items
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| r.kind.clone()))
        .collect();
    kinds.sort_by(|a, b| kind_rank(a).cmp(&kind_rank(b)).then(a.cmp(b)));
    kinds.dedup();
    let mut roles: Vec<String> = s
        .items
        .iter()
        .flat_map(|p| p.rows.iter().map(|r| r.src_role.clone()))
        .collect();
    roles.sort_by_key(|r| (ROLES.iter().position(|x| x == r).unwrap_or(ROLES.len()), r.clone()));
    roles.dedup();
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
    let kind_legend = kinds
        .iter()
        .enumerate()
        .map(|(i, k)| LegendEntry {
            glyph: Glyph::Line(style::kind_colour(k), i),
            label: k.clone(),
        })
        .collect();
    let role_legend = roles
        .iter()
        .enumerate()
        .map(|(i, r)| LegendEntry {
            glyph: Glyph::Line(style::role_colour(r), i),
            label: format!("sent by {r}"),
        })
        .collect();
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

fn fig5(ctx: &Ctx) -> Built {
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

/// One point per value of `d` (the best slice), labelled by value.
fn variants_of<'a>(ctx: &'a Ctx, d: Dim, free: &[Dim]) -> Option<(Vec<(String, &'a PointSummary)>, String)> {
    let s = slice::choose(&ctx.points, d, None, free)?;
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

fn compare_fig(ctx: &Ctx, d: Dim, free: &[Dim], what: &str) -> Built {
    let (variants, fixed) = variants_of(ctx, d, free).ok_or("no points")?;
    if variants.len() < 2 {
        return Err(format!("{} has a single value in the data", d.name()));
    }
    let rows = phase_rows(ctx, &variants, |_, ph| Some(ph.work_cpu));
    let names: Vec<String> = variants.iter().map(|v| v.0.clone()).collect();
    let caption = format!(
        "{what}: per-phase work (CPU seconds), solid to pale = {}; session work {}; {}{fixed}.",
        names.join(", "),
        session_text(&variants),
        ctx.reps
    );
    let panel = hbar_panel(&rows, "work CPU time (s)", None);
    Ok(bars_figure(caption, panel, variant_legend(dim_axis_label(d), &names)))
}

fn fig6(ctx: &Ctx) -> Built {
    compare_fig(ctx, Dim::Backend, &[], "Backend comparison")
}

/// Provider comparison (figure 11): per-phase work with `awslc` and `rustcrypto` at the same
/// point, like the backend comparison.
fn fig11(ctx: &Ctx) -> Built {
    compare_fig(ctx, Dim::Provider, &[], "Crypto provider comparison")
}

fn fig7(ctx: &Ctx) -> Built {
    let (variants, fixed) = variants_of(ctx, Dim::Backend, &[]).ok_or("no points")?;
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
        "Measured work over the cost-model lower bound per phase{point} (dashed line: overhead 1); {}{fixed}.",
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

fn fig8(ctx: &Ctx) -> Built {
    let (variants, fixed) = variants_of(ctx, Dim::Backend, &[]).ok_or("no points")?;
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

fn fig9(ctx: &Ctx) -> Built {
    compare_fig(ctx, Dim::Suite, &[Dim::RsaBits], "Cipher-suite comparison")
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

fn fig10(ctx: &Ctx) -> Built {
    let (variants, fixed) = variants_of(ctx, Dim::Verify, &[]).ok_or("no points")?;
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
    fn thin_keeps_ends() {
        assert_eq!(thin(&[1, 2, 3, 4, 5, 6, 7], 4), vec![1, 3, 5, 7]);
        assert_eq!(thin(&[1, 2], 4), vec![1, 2]);
    }

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
