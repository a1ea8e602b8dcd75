//! The paper figures. Each `figN` function turns a [`Dataset`] into a `chart::FigureSpec`
//! (or a reason to skip it when the data does not vary along the figure's axis); the
//! renderer then writes every spec as SVG and PNG into `DIR/figures/`. Figures show the
//! median over repetitions with min-max error bars; every phase keeps its colour from the
//! fixed map in `style`. See the crate README for the list of figures.

pub mod chart;
mod compare;
pub(crate) mod net;
mod scaling;
pub mod style;
mod vectors;

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
    /// `fig1` ... `fig16`.
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
    /// `fig1` ... `fig16`.
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
    /// `fig1` ... `fig16`.
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
    let figs: [Builder; 16] = [
        ("fig1", scaling::fig1),
        ("fig2", scaling::fig2),
        ("fig3", scaling::fig3),
        ("fig4", scaling::fig4),
        ("fig5", scaling::fig5),
        ("fig6", compare::fig6),
        ("fig7", compare::fig7),
        ("fig8", compare::fig8),
        ("fig9", compare::fig9),
        ("fig10", compare::fig10),
        ("fig11", compare::fig11),
        ("fig12", net::fig12),
        ("fig13", net::fig13),
        ("fig14", net::fig14),
        ("fig15", compare::fig15),
        ("fig16", vectors::fig16),
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
        Dim::Group => "group",
        Dim::ValueBits => "value size (bits)",
        Dim::Dim => "elements per DP input d",
        Dim::Func => "function",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thin_keeps_ends() {
        assert_eq!(thin(&[1, 2, 3, 4, 5, 6, 7], 4), vec![1, 3, 5, 7]);
        assert_eq!(thin(&[1, 2], 4), vec![1, 2]);
    }
}
