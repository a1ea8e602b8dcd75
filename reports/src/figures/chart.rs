//! Chart primitives on top of plotters: an [`Axis`] type (linear, logarithmic or
//! categorical, with our own tick positions and labels), line panels with min-max error bars,
//! grouped and stacked bar panels, and a legend drawn in its own column beside the plot so
//! that it never hides data. A [`FigureSpec`] is pure data; [`draw_figure`] draws it on any
//! plotters backend (SVG and PNG use the same code).

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

type DrawResult = Result<(), String>;

fn de<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Draws `fig` on `root` (already sized to `fig.size`).
pub fn draw_figure<DB: DrawingBackend>(fig: &FigureSpec, root: &DrawingArea<DB, Shift>) -> DrawResult {
    style::register_font()?;
    root.fill(&WHITE).map_err(de)?;
    let areas = root.split_evenly((fig.panels.len().max(1), 1));
    for (panel, area) in fig.panels.iter().zip(areas.iter()) {
        draw_panel(panel, area)?;
    }
    root.present().map_err(de)
}

fn text_width<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, text: &str, size: u32) -> u32 {
    let font = TextStyle::from((FONT, size).into_font());
    area.estimate_text_size(text, &font)
        .map(|(w, _)| w)
        .unwrap_or(text.len() as u32 * size * 6 / 10)
}

fn draw_panel<DB: DrawingBackend>(panel: &PanelSpec, area: &DrawingArea<DB, Shift>) -> DrawResult {
    let (w, _) = area.dim_in_pixel();
    let (plot, legend) = if panel.legend.is_empty() {
        (area.clone(), None)
    } else {
        let (p, l) = area.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
        (p, Some(l))
    };
    let top = if panel.title.is_some() { 6 } else { 14 };
    let (x_axis, y_axis) = match &panel.chart {
        Chart::Lines(l) => line_axes(l),
        Chart::Bars(b) => bar_axes(b),
        Chart::Scatter(sc) => scatter_axes(sc),
    };
    let y_tick_w = y_axis
        .labels()
        .iter()
        .map(|s| text_width(&plot, s, TICK_SIZE))
        .max()
        .unwrap_or(20);
    let mut builder = ChartBuilder::on(&plot);
    builder
        .margin_top(top)
        .margin_right(14)
        .margin_left(4)
        .margin_bottom(4)
        .x_label_area_size(TICK_SIZE + DESC_SIZE + 18)
        .y_label_area_size(y_tick_w + DESC_SIZE + 16);
    if let Some(t) = &panel.title {
        builder.caption(t, (FONT, TITLE_SIZE));
    }
    let mut chart = builder.build_cartesian_2d(x_axis.clone(), y_axis.clone()).map_err(de)?;
    let (x_desc, y_desc, cat_x, cat_y) = match &panel.chart {
        Chart::Lines(l) => (l.x_label.clone(), l.y_label.clone(), false, false),
        Chart::Scatter(sc) => (sc.x_label.clone(), sc.y_label.clone(), false, false),
        Chart::Bars(b) if b.horizontal => (b.value_label.clone(), b.category_label.clone(), false, true),
        Chart::Bars(b) => (b.category_label.clone(), b.value_label.clone(), true, false),
    };
    let grid = RGBColor(225, 225, 225);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, TICK_SIZE))
        .axis_desc_style((FONT, DESC_SIZE))
        .bold_line_style(grid)
        .light_line_style(WHITE)
        .axis_style(DARK)
        .x_labels(x_axis.ticks.len() + 1)
        .y_labels(y_axis.ticks.len() + 1);
    if cat_x {
        mesh.disable_x_mesh();
    }
    if cat_y {
        mesh.disable_y_mesh();
    }
    mesh.draw().map_err(de)?;
    match &panel.chart {
        Chart::Lines(l) => draw_lines(&mut chart, l)?,
        Chart::Scatter(sc) => draw_scatter(&mut chart, sc, &x_axis)?,
        Chart::Bars(b) => draw_bars(&mut chart, b, if b.horizontal { &x_axis } else { &y_axis })?,
    }
    if let Some(legend) = legend {
        draw_legend(&legend, &panel.legend, top + if panel.title.is_some() { 22 } else { 0 })?;
    }
    Ok(())
}

fn line_axes(l: &LinePanel) -> (Axis, Axis) {
    let xs: Vec<f64> = l.lines.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect();
    let ys: Vec<f64> = l
        .lines
        .iter()
        .flat_map(|s| s.points.iter().flat_map(|p| [p.1.min, p.1.max]))
        .collect();
    let x = match &l.x_categories {
        Some(labels) => Axis::categories(labels, false),
        None => Axis::values(&xs, Unit::Si, false, true),
    };
    (x, Axis::values(&ys, l.y_unit, l.y_zero, false))
}

/// One scale for both axes, covering the points and the band around them.
fn scatter_axes(sc: &ScatterPanel) -> (Axis, Axis) {
    let vs: Vec<f64> = sc
        .points
        .iter()
        .flat_map(|p| [p.x, p.y, p.x * (1.0 + sc.band), p.x * (1.0 - sc.band)])
        .filter(|v| *v > 0.0)
        .collect();
    let a = Axis::values(&vs, Unit::Plain, false, false);
    (a.clone(), a)
}

fn draw_scatter<DB: DrawingBackend>(chart: &mut Chart2d<'_, DB>, sc: &ScatterPanel, axis: &Axis) -> DrawResult {
    let (lo, hi) = (axis.lo.max(f64::MIN_POSITIVE), axis.hi);
    let (a, b) = ((1.0 - sc.band).max(1e-3), 1.0 + sc.band);
    // The band a x <= y <= b x, clipped to the square [lo, hi]^2 (the axis spans at least b / a,
    // since it covers every point's band).
    let clamp = |v: f64| v.clamp(lo, hi);
    let band = vec![
        (clamp(lo / a), lo),
        (hi, clamp(a * hi)),
        (hi, hi),
        (clamp(hi / b), hi),
        (lo, clamp(b * lo)),
        (lo, lo),
    ];
    chart
        .draw_series(std::iter::once(Polygon::new(band, RGBColor(232, 232, 232).filled())))
        .map_err(de)?;
    let st = ShapeStyle::from(&DARK).stroke_width(1);
    chart
        .draw_series(std::iter::once(DashedPathElement::new(
            vec![(lo, lo), (hi, hi)],
            6,
            4,
            st,
        )))
        .map_err(de)?;
    for p in &sc.points {
        draw_marker(chart, p.style, (p.x, p.y), p.colour)?;
    }
    Ok(())
}

fn bar_axes(b: &BarPanel) -> (Axis, Axis) {
    let cat = Axis::categories(&b.categories, b.horizontal);
    let value = match b.fixed_range {
        Some((lo, hi)) => Axis::fixed(lo, hi, b.unit),
        None => {
            let mut vs: Vec<f64> = b
                .bars
                .iter()
                .flat_map(|r| [Some(r.to), r.whisker.map(|w| w.0), r.whisker.map(|w| w.1)])
                .flatten()
                .collect();
            vs.extend(b.reference);
            // Room past the longest bar for the bar labels.
            if b.bars.iter().any(|r| r.label.is_some())
                && let Some(max) = vs.iter().copied().filter(|v| v.is_finite()).reduce(f64::max)
            {
                vs.push(max * 1.22);
            }
            Axis::values(&vs, b.unit, true, false)
        }
    };
    if b.horizontal { (value, cat) } else { (cat, value) }
}

type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<Axis, Axis>>;

fn draw_lines<DB: DrawingBackend>(chart: &mut Chart2d<'_, DB>, l: &LinePanel) -> DrawResult {
    for s in &l.lines {
        let pts: Vec<(f64, f64)> = s.points.iter().map(|(x, st)| (*x, st.median)).collect();
        let st = ShapeStyle::from(&s.colour).stroke_width(2);
        match s.style % STYLES {
            0 => chart
                .draw_series(std::iter::once(PathElement::new(pts.clone(), st)))
                .map(|_| ()),
            1 => chart
                .draw_series(std::iter::once(DashedPathElement::new(pts.clone(), 7, 4, st)))
                .map(|_| ()),
            2 => chart
                .draw_series(std::iter::once(DashedPathElement::new(pts.clone(), 2, 3, st)))
                .map(|_| ()),
            _ => chart
                .draw_series(std::iter::once(DashedPathElement::new(pts.clone(), 12, 3, st)))
                .map(|_| ()),
        }
        .map_err(de)?;
        let thin = ShapeStyle::from(&s.colour).stroke_width(1);
        for (x, stat) in &s.points {
            if stat.max > stat.min {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(*x, stat.min), (*x, stat.max)],
                        thin,
                    )))
                    .map_err(de)?;
                for y in [stat.min, stat.max] {
                    chart
                        .draw_series(std::iter::once(
                            EmptyElement::at((*x, y)) + PathElement::new(vec![(-3, 0), (3, 0)], thin),
                        ))
                        .map_err(de)?;
                }
            }
        }
        for p in &pts {
            draw_marker(chart, s.style, *p, s.colour)?;
        }
    }
    Ok(())
}

fn draw_marker<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    style: usize,
    p: (f64, f64),
    c: RGBColor,
) -> DrawResult {
    let fill = c.filled();
    match style % STYLES {
        0 => chart.draw_series(std::iter::once(Circle::new(p, 4, fill))).map(|_| ()),
        1 => chart
            .draw_series(std::iter::once(TriangleMarker::new(p, 5, fill)))
            .map(|_| ()),
        2 => chart
            .draw_series(std::iter::once(
                EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], fill),
            ))
            .map(|_| ()),
        _ => chart
            .draw_series(std::iter::once(
                EmptyElement::at(p) + Polygon::new(vec![(0, -5), (5, 0), (0, 5), (-5, 0)], fill),
            ))
            .map(|_| ()),
    }
    .map_err(de)
}

fn draw_bars<DB: DrawingBackend>(chart: &mut Chart2d<'_, DB>, b: &BarPanel, value_axis: &Axis) -> DrawResult {
    let ncat = b.categories.len();
    let slots = b.slots.max(1);
    let group = if slots == 1 { 0.62 } else { 0.84 };
    let width = group / slots as f64;
    for bar in &b.bars {
        // Position of the category's centre on the category axis.
        let centre = if b.horizontal {
            (ncat - 1 - bar.cat) as f64
        } else {
            bar.cat as f64
        };
        // Slot 0 comes first: leftmost (vertical) or topmost (horizontal).
        let start = if b.horizontal {
            centre + group / 2.0 - bar.slot as f64 * width
        } else {
            centre - group / 2.0 + bar.slot as f64 * width
        };
        let (c0, c1) = if b.horizontal {
            (start - width * 0.92, start)
        } else {
            (start, start + width * 0.92)
        };
        let from = bar.from.unwrap_or_else(|| value_axis.base());
        let to = if value_axis.is_log() {
            bar.to.max(value_axis.base())
        } else {
            bar.to
        };
        let rect = |a: f64, bb: f64, v0: f64, v1: f64| {
            if b.horizontal {
                [(v0, a), (v1, bb)]
            } else {
                [(a, v0), (bb, v1)]
            }
        };
        chart
            .draw_series(std::iter::once(Rectangle::new(
                rect(c0, c1, from, to),
                bar.fill.filled(),
            )))
            .map_err(de)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                rect(c0, c1, from, to),
                ShapeStyle::from(&bar.outline).stroke_width(1),
            )))
            .map_err(de)?;
        if let Some((lo, hi)) = bar.whisker.filter(|(lo, hi)| hi > lo) {
            let mid = (c0 + c1) / 2.0;
            let ws = ShapeStyle::from(&DARK).stroke_width(1);
            let pt = |v: f64| if b.horizontal { (v, mid) } else { (mid, v) };
            chart
                .draw_series(std::iter::once(PathElement::new(vec![pt(lo), pt(hi)], ws)))
                .map_err(de)?;
            let cap: Vec<(i32, i32)> = if b.horizontal {
                vec![(0, -3), (0, 3)]
            } else {
                vec![(-3, 0), (3, 0)]
            };
            for v in [lo, hi] {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(pt(v)) + PathElement::new(cap.clone(), ws),
                    ))
                    .map_err(de)?;
            }
        }
        if let Some(label) = &bar.label {
            let end = bar.whisker.map_or(to, |(_, hi)| hi.max(to));
            let mid = (c0 + c1) / 2.0;
            let (at, offset, pos) = if b.horizontal {
                ((end, mid), (4, 0), Pos::new(HPos::Left, VPos::Center))
            } else {
                ((mid, end), (0, -3), Pos::new(HPos::Center, VPos::Bottom))
            };
            let font = (FONT, BAR_LABEL_SIZE).into_font().color(&DARK).pos(pos);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at(at) + Text::new(label.clone(), offset, font),
                ))
                .map_err(de)?;
        }
    }
    if let Some(r) = b.reference {
        let (a, z) = (-0.5, ncat as f64 - 0.5);
        let pts = if b.horizontal {
            vec![(r, a), (r, z)]
        } else {
            vec![(a, r), (z, r)]
        };
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                pts,
                6,
                4,
                ShapeStyle::from(&DARK).stroke_width(1),
            )))
            .map_err(de)?;
    }
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, entries: &[LegendEntry], top: i32) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let avail = h.saturating_sub(top as u32 + 8) as i32;
    let row = (avail / entries.len().max(1) as i32).clamp(12, 19);
    let size = if row < 16 { LEGEND_SIZE - 1 } else { LEGEND_SIZE };
    let font = (FONT, size).into_font().color(&BLACK);
    let heading = (FONT, size).into_font().color(&DARK);
    let max_text = w as i32 - 40;
    for (i, e) in entries.iter().enumerate() {
        let y = top + row * i as i32 + row / 2;
        let label = fit_label(
            area,
            &e.label,
            size,
            if matches!(e.glyph, Glyph::Heading) {
                max_text + 32
            } else {
                max_text
            },
        );
        match &e.glyph {
            Glyph::Heading => {
                area.draw(&Text::new(
                    label,
                    (4, y),
                    heading.pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(de)?;
                continue;
            }
            Glyph::Line(c, s) => {
                let st = ShapeStyle::from(c).stroke_width(2);
                let pts = vec![(6, y), (32, y)];
                match s % STYLES {
                    0 => area.draw(&PathElement::new(pts, st)),
                    1 => area.draw(&DashedPathElement::new(pts, 7, 4, st)),
                    2 => area.draw(&DashedPathElement::new(pts, 2, 3, st)),
                    _ => area.draw(&DashedPathElement::new(pts, 12, 3, st)),
                }
                .map_err(de)?;
                let f = c.filled();
                match s % STYLES {
                    0 => area.draw(&Circle::new((19, y), 4, f)),
                    1 => area.draw(&TriangleMarker::new((19, y), 5, f)),
                    2 => area.draw(&Rectangle::new([(15, y - 4), (23, y + 4)], f)),
                    _ => area.draw(&Polygon::new(vec![(19, y - 5), (24, y), (19, y + 5), (14, y)], f)),
                }
                .map_err(de)?;
            }
            Glyph::Swatch(fill, outline) => {
                let r = [(10, y - 6), (30, y + 6)];
                area.draw(&Rectangle::new(r, fill.filled())).map_err(de)?;
                area.draw(&Rectangle::new(r, ShapeStyle::from(outline).stroke_width(1)))
                    .map_err(de)?;
            }
        }
        area.draw(&Text::new(label, (38, y), font.pos(Pos::new(HPos::Left, VPos::Center))))
            .map_err(de)?;
    }
    Ok(())
}

/// Shortens `label` with an ellipsis until it fits `max` pixels.
fn fit_label<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, label: &str, size: u32, max: i32) -> String {
    let mut s: Vec<char> = label.chars().collect();
    while s.len() > 3 && text_width(area, &s.iter().collect::<String>(), size) as i32 > max {
        s.pop();
        if s.last() == Some(&'…') {
            s.pop();
        }
        s.pop();
        s.push('…');
    }
    s.into_iter().collect()
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
