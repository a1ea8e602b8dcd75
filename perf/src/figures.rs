//! The trend figures of `cargo xtask history`: one figure per phase, `history-<phase>.svg`
//! and `.png`, with (a) the instructions counted under callgrind, as the change in percent from
//! the first commit that has them (its count in the legend), and (b) the work CPU time
//! (median, min-max over the time runs) at each measured commit, oldest on the left. The y
//! axes are fitted to the data rather than started at 0, so that a step of a few percent is
//! visible; read the tick values.

use std::path::{Path, PathBuf};

use dsmpc_reports::figures::chart::{Chart, FigureSpec, Glyph, LegendEntry, LinePanel, LineSpec, PanelSpec, Unit};
use dsmpc_reports::figures::style::{self, SIZE_TWO};
use dsmpc_reports::figures::{write_png, write_svg};
use dsmpc_reports::format::fmt_si;
use dsmpc_reports::stats::Stat;

use crate::history::{History, PhaseTrend};
use dsmpc_reports::{Error, Result};

/// At most this many commit labels on the x axis; the others are left blank.
const MAX_LABELS: usize = 16;

fn commit_labels(history: &History, measured: &[usize]) -> Vec<String> {
    let step = measured.len().div_ceil(MAX_LABELS).max(1);
    measured
        .iter()
        .enumerate()
        .map(|(i, ri)| {
            if i % step == 0 || i + 1 == measured.len() {
                history.revisions[*ri].sha[..7.min(history.revisions[*ri].sha.len())].to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

fn panel(
    title: &str,
    y_label: &str,
    unit: Unit,
    labels: &[String],
    points: Vec<(f64, Stat)>,
    legend: &str,
    colour: plotters::style::RGBColor,
) -> PanelSpec {
    let flat = points
        .iter()
        .all(|(_, s)| s.min == points[0].1.min && s.max == points[0].1.max);
    PanelSpec {
        title: Some(title.to_string()),
        chart: Chart::Lines(LinePanel {
            x_label: "commit (oldest left)".into(),
            y_label: y_label.into(),
            y_unit: unit,
            lines: vec![LineSpec {
                colour,
                style: 0,
                points,
            }],
            x_categories: Some(labels.to_vec()),
            y_zero: flat,
        }),
        legend: vec![LegendEntry {
            glyph: Glyph::Line(colour, 0),
            label: legend.into(),
        }],
    }
}

fn phase_figure(history: &History, trend: &PhaseTrend, measured: &[usize]) -> Option<FigureSpec> {
    let labels = commit_labels(history, measured);
    let x_of = |ri: usize| measured.iter().position(|m| *m == ri).map(|i| i as f64);
    let colour = style::phase_colour(&trend.phase);
    // Instructions as the change from the first commit that has them: counts differ by a
    // fraction of a percent between commits, which SI ticks (589M, 589M, ...) cannot show.
    let counted: Vec<(usize, f64)> = trend
        .points
        .iter()
        .filter_map(|p| Some((p.revision, p.instructions? as f64)))
        .collect();
    let base = counted.iter().find(|(_, v)| *v > 0.0).copied();
    let instructions: Vec<(f64, Stat)> = match base {
        Some((_, b)) => counted
            .iter()
            .filter_map(|(ri, v)| Some((x_of(*ri)?, Stat::of(&[100.0 * (v / b - 1.0)])?)))
            .collect(),
        None => vec![],
    };
    let cpu: Vec<(f64, Stat)> = trend
        .points
        .iter()
        .filter_map(|p| Some((x_of(p.revision)?, p.cpu_s?)))
        .collect();
    let mut panels = vec![];
    if let (false, Some((bi, b))) = (instructions.is_empty(), base) {
        let short = history.revisions[bi].short();
        panels.push(panel(
            "(a) instructions (callgrind, history-icount grid)",
            &format!("instructions vs {} (%)", &short[..7.min(short.len())]),
            Unit::Plain,
            &labels,
            instructions,
            &format!("{} = 0%", fmt_si(b)),
            colour,
        ));
    }
    if !cpu.is_empty() {
        panels.push(panel(
            if panels.is_empty() {
                "(a) work CPU time (history grid)"
            } else {
                "(b) work CPU time (history grid)"
            },
            "work CPU time (s)",
            Unit::Plain,
            &labels,
            cpu,
            "median, min-max",
            colour,
        ));
    }
    if panels.is_empty() {
        return None;
    }
    let first = &history.revisions[measured[0]];
    let last = &history.revisions[measured[measured.len() - 1]];
    Some(FigureSpec {
        id: format!("history-{}", trend.phase),
        caption: format!(
            "Phase {} across {} measured commits ({} {} to {} {}): instructions and work CPU time summed over the grid's points.",
            style::phase_label(&trend.phase),
            measured.len(),
            first.short(),
            first.date,
            last.short(),
            last.date
        ),
        size: (SIZE_TWO.0.max(160 + 40 * measured.len() as u32).min(2400), SIZE_TWO.1),
        panels,
    })
}

/// Draws one trend figure per phase of `history` into `out_dir` (created if needed), as SVG
/// and PNG; returns the files written. Phases measured at no revision get no figure.
pub fn render_history(history: &History, out_dir: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
    let measured: Vec<usize> = history
        .revisions
        .iter()
        .enumerate()
        .filter(|(_, r)| r.measured)
        .map(|(i, _)| i)
        .collect();
    let mut written = vec![];
    if measured.is_empty() {
        return Ok(written);
    }
    for trend in &history.phases {
        if let Some(spec) = phase_figure(history, trend, &measured) {
            let svg = out_dir.join(format!("{}.svg", spec.id));
            let png = out_dir.join(format!("{}.png", spec.id));
            write_svg(&spec, &svg)?;
            write_png(&spec, &png)?;
            written.extend([svg, png]);
        }
    }
    Ok(written)
}
