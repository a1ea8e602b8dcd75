//! Chart primitives on top of plotters: an [`Axis`] type (linear, logarithmic or
//! categorical, with our own tick positions and labels), line panels with min-max error bars,
//! grouped and stacked bar panels, and a legend drawn in its own column beside the plot so
//! that it never hides data. A [`FigureSpec`] is pure data; [`draw_figure`] draws it on any
//! plotters backend (SVG and PNG use the same code).

mod draw;

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    self, BAR_LABEL_SIZE, DARK, DESC_SIZE, FONT, LEGEND_SIZE, LEGEND_WIDTH, STYLES, TICK_SIZE, TITLE_SIZE,
};
use crate::format::{fmt_num, fmt_si};
use crate::stats::Stat;

pub use self::draw::draw_figure;

/// How tick labels are written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unit {
    /// Seconds or any plain quantity: compact decimal.
    Plain,
    /// Counts and bytes: SI suffixes (k, M, G).
    Si,
    /// Percent: integer.
    Percent,
}

/// One axis: a value range, linear or logarithmic, or categories at 0, 1, 2, ...
#[derive(Clone, Debug)]
pub struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    unit: Unit,
    /// For a categorical axis: the label at tick position i.
    categories: Option<Vec<String>>,
}

/// Nice linear ticks covering [lo, hi].
fn linear_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        return vec![lo];
    }
    let raw = (hi - lo) / target as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).ceil() as i64;
    let end = (hi / step + 1e-9).floor() as i64;
    (start..=end).map(|i| i as f64 * step).collect()
}

/// Decade ticks (plus 2x and 5x when there are few decades) covering [lo, hi].
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let e0 = lo.log10().ceil() as i32;
    let e1 = hi.log10().floor() as i32;
    let decades: Vec<f64> = (e0..=e1).map(|e| 10f64.powi(e)).collect();
    if decades.len() >= 3 {
        let step = decades.len().div_ceil(7);
        return decades.into_iter().step_by(step).collect();
    }
    let mut v = vec![];
    for e in (e0 - 1)..=(e1 + 1) {
        for m in [1.0, 2.0, 5.0] {
            let x = m * 10f64.powi(e);
            if x >= lo * 0.999 && x <= hi * 1.001 {
                v.push(x);
            }
        }
    }
    v
}

impl Axis {
    /// An axis for `data`: logarithmic when positive data spans at least 10x, linear
    /// otherwise (starting at 0 when `zero` is set). With `at_data`, ticks sit on the data
    /// values themselves (for parameter axes such as n).
    pub fn values(data: &[f64], unit: Unit, zero: bool, at_data: bool) -> Axis {
        let finite: Vec<f64> = data.iter().copied().filter(|v| v.is_finite()).collect();
        let (mut min, mut max) = finite
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
        if finite.is_empty() {
            (min, max) = (0.0, 1.0);
        }
        let log = min > 0.0 && max / min >= 10.0;
        let mut distinct = finite.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        if log {
            let (lo, hi) = if at_data {
                (min / 1.25, max * 1.25)
            } else {
                (min / 1.6, max * 1.6)
            };
            let ticks = if at_data && distinct.len() <= 10 {
                distinct
            } else {
                log_ticks(lo, hi)
            };
            return Axis {
                lo,
                hi,
                log,
                ticks,
                unit,
                categories: None,
            };
        }
        let (lo, hi) = if at_data {
            let pad = if max > min {
                (max - min) * 0.06
            } else {
                max.abs().max(1.0) * 0.1
            };
            (min - pad, max + pad)
        } else {
            let lo = if zero {
                0.0_f64.min(min)
            } else {
                min - (max - min) * 0.05
            };
            let hi = if max > lo { max + (max - lo) * 0.06 } else { lo + 1.0 };
            (lo, hi)
        };
        let ticks = if at_data && distinct.len() <= 10 {
            distinct
        } else {
            linear_ticks(lo, hi, 6)
        };
        Axis {
            lo,
            hi,
            log,
            ticks,
            unit,
            categories: None,
        }
    }

    /// A linear axis over a fixed range.
    pub fn fixed(lo: f64, hi: f64, unit: Unit) -> Axis {
        Axis {
            lo,
            hi,
            log: false,
            ticks: linear_ticks(lo, hi, 5),
            unit,
            categories: None,
        }
    }

    /// Categories at positions 0..n. With `top_down`, category 0 is drawn at the highest
    /// position (for a vertical category axis read from the top).
    pub fn categories(labels: &[String], top_down: bool) -> Axis {
        let n = labels.len().max(1);
        let mut labels = labels.to_vec();
        if top_down {
            labels.reverse();
        }
        Axis {
            lo: -0.5,
            hi: n as f64 - 0.5,
            log: false,
            ticks: (0..labels.len()).map(|i| i as f64).collect(),
            unit: Unit::Plain,
            categories: Some(labels),
        }
    }

    /// Lowest value on the axis (where bars start).
    pub fn base(&self) -> f64 {
        if self.log {
            self.lo
        } else {
            self.lo.max(0.0).min(self.hi)
        }
    }

    /// Whether the axis is logarithmic.
    pub fn is_log(&self) -> bool {
        self.log
    }

    /// The text of every tick label.
    fn labels(&self) -> Vec<String> {
        self.ticks.iter().map(|t| self.format_ext(t)).collect()
    }
}

impl Ranged for Axis {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let f = if self.log {
            let v = value.max(self.lo * 1e-3);
            (v.ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (value - self.lo) / (self.hi - self.lo)
        };
        let f = if f.is_finite() { f.clamp(-4.0, 5.0) } else { 0.0 };
        limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Axis {
    fn format_ext(&self, value: &f64) -> String {
        if let Some(c) = &self.categories {
            let i = value.round();
            return if i >= 0.0 && (i as usize) < c.len() {
                c[i as usize].clone()
            } else {
                String::new()
            };
        }
        match self.unit {
            Unit::Plain => fmt_num(*value),
            Unit::Si => fmt_si(*value),
            Unit::Percent => format!("{value:.0}"),
        }
    }
}

/// One line of a line panel.
#[derive(Clone, Debug)]
pub struct LineSpec {
    /// Colour (phase, kind or role colour).
    pub colour: RGBColor,
    /// Line style and marker index, 0..[`STYLES`].
    pub style: usize,
    /// (x, median/min/max of y), sorted by x.
    pub points: Vec<(f64, Stat)>,
}

/// A line chart: y (with min-max error bars) against a numeric x.
#[derive(Clone, Debug)]
pub struct LinePanel {
    /// x axis title, with unit.
    pub x_label: String,
    /// y axis title, with unit.
    pub y_label: String,
    /// How y ticks are written.
    pub y_unit: Unit,
    /// The lines.
    pub lines: Vec<LineSpec>,
    /// Categorical x: the label of x = 0, 1, 2, ... (e.g. commits); `None`: numeric x.
    pub x_categories: Option<Vec<String>>,
    /// Whether a linear y axis starts at 0 (false: fitted to the data, to show small changes).
    pub y_zero: bool,
}

/// One bar of a bar panel.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Category index (0 = first label).
    pub cat: usize,
    /// Slot inside the category (0..slots).
    pub slot: usize,
    /// Where the bar starts; `None` for the axis base.
    pub from: Option<f64>,
    /// Where the bar ends.
    pub to: f64,
    /// Whisker (min, max) drawn along the value axis, if any.
    pub whisker: Option<(f64, f64)>,
    /// Fill colour.
    pub fill: RGBColor,
    /// Outline colour.
    pub outline: RGBColor,
    /// A short text drawn just past the end of the bar (e.g. the variant it shows).
    pub label: Option<String>,
}

/// A bar chart: grouped (several slots per category) or stacked (bars with explicit starts).
#[derive(Clone, Debug)]
pub struct BarPanel {
    /// Horizontal bars (categories on the y axis, listed from the top).
    pub horizontal: bool,
    /// Category labels.
    pub categories: Vec<String>,
    /// Title of the category axis (may be empty).
    pub category_label: String,
    /// Title of the value axis, with unit.
    pub value_label: String,
    /// How value ticks are written.
    pub unit: Unit,
    /// Slots per category.
    pub slots: usize,
    /// The bars.
    pub bars: Vec<Bar>,
    /// A dashed reference line at this value (e.g. overhead 1).
    pub reference: Option<f64>,
    /// A fixed value range instead of one fitted to the data.
    pub fixed_range: Option<(f64, f64)>,
}

/// One point of a scatter panel.
#[derive(Clone, Debug)]
pub struct ScatterPoint {
    /// x value.
    pub x: f64,
    /// y value.
    pub y: f64,
    /// Colour.
    pub colour: RGBColor,
    /// Marker index, 0..[`STYLES`].
    pub style: usize,
}

/// A scatter of y against x on one common scale, with the line y = x and a band of
/// `band` (relative, e.g. 0.15) around it: for comparing two estimates of one quantity.
#[derive(Clone, Debug)]
pub struct ScatterPanel {
    /// x axis title, with unit.
    pub x_label: String,
    /// y axis title, with unit.
    pub y_label: String,
    /// The points.
    pub points: Vec<ScatterPoint>,
    /// Half-width of the band around y = x, relative.
    pub band: f64,
}

/// What a panel draws.
#[derive(Clone, Debug)]
pub enum Chart {
    /// Lines.
    Lines(LinePanel),
    /// Bars.
    Bars(BarPanel),
    /// Points against the diagonal.
    Scatter(ScatterPanel),
}

/// The glyph in front of a legend label.
#[derive(Clone, Debug)]
pub enum Glyph {
    /// A line segment with the style's marker.
    Line(RGBColor, usize),
    /// A filled box.
    Swatch(RGBColor, RGBColor),
    /// No glyph: a heading.
    Heading,
}

/// One legend entry.
#[derive(Clone, Debug)]
pub struct LegendEntry {
    /// The glyph.
    pub glyph: Glyph,
    /// The label.
    pub label: String,
}

/// A panel: a chart with an optional title and its legend column.
#[derive(Clone, Debug)]
pub struct PanelSpec {
    /// Title above the chart, e.g. "(a) by message kind".
    pub title: Option<String>,
    /// The chart.
    pub chart: Chart,
    /// Legend entries (drawn in a column to the right).
    pub legend: Vec<LegendEntry>,
}

/// A whole figure: panels stacked vertically.
#[derive(Clone, Debug)]
pub struct FigureSpec {
    /// `fig1` ... `fig10`.
    pub id: String,
    /// One-line caption (used by the report).
    pub caption: String,
    /// Pixel size.
    pub size: (u32, u32),
    /// Panels, top to bottom.
    pub panels: Vec<PanelSpec>,
}

impl FigureSpec {
    /// True when no panel has a positive value to draw (e.g. every time is 0).
    pub fn is_empty(&self) -> bool {
        self.panels.iter().all(|p| match &p.chart {
            Chart::Lines(l) => l.lines.iter().all(|s| s.points.iter().all(|(_, st)| st.max <= 0.0)),
            Chart::Bars(b) => b.bars.iter().all(|r| r.to - r.from.unwrap_or(0.0) <= 0.0),
            Chart::Scatter(sc) => sc.points.iter().all(|p| p.x <= 0.0 && p.y <= 0.0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_only_for_wide_ranges() {
        assert!(!Axis::values(&[10.0, 20.0, 40.0], Unit::Si, false, true).is_log());
        assert!(Axis::values(&[0.001, 0.5], Unit::Plain, true, false).is_log());
        let t = log_ticks(0.0005, 2.0);
        assert!(t.contains(&0.001) && t.contains(&1.0));
    }
}
