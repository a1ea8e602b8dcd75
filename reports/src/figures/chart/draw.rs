//! Drawing a [`FigureSpec`] on a plotters backend: panels (lines with min-max bars, grouped
//! and stacked bars, scatter), their axes, and the legend in its own column.

use super::*;

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

/// The min-max whisker `(lo, hi)` of a bar whose centre on the category axis is `mid`.
fn draw_whisker<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    horizontal: bool,
    mid: f64,
    (lo, hi): (f64, f64),
) -> DrawResult {
    let ws = ShapeStyle::from(&DARK).stroke_width(1);
    let pt = |v: f64| if horizontal { (v, mid) } else { (mid, v) };
    chart
        .draw_series(std::iter::once(PathElement::new(vec![pt(lo), pt(hi)], ws)))
        .map_err(de)?;
    let cap: Vec<(i32, i32)> = if horizontal {
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
    Ok(())
}

/// A bar's label just beyond its end `end`; `mid` is its centre on the category axis.
fn draw_bar_label<DB: DrawingBackend>(
    chart: &mut Chart2d<'_, DB>,
    horizontal: bool,
    (mid, end): (f64, f64),
    label: &str,
) -> DrawResult {
    let (at, offset, pos) = if horizontal {
        ((end, mid), (4, 0), Pos::new(HPos::Left, VPos::Center))
    } else {
        ((mid, end), (0, -3), Pos::new(HPos::Center, VPos::Bottom))
    };
    let font = (FONT, BAR_LABEL_SIZE).into_font().color(&DARK).pos(pos);
    chart
        .draw_series(std::iter::once(
            EmptyElement::at(at) + Text::new(label.to_string(), offset, font),
        ))
        .map_err(de)?;
    Ok(())
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
        if let Some(w) = bar.whisker.filter(|(lo, hi)| hi > lo) {
            draw_whisker(chart, b.horizontal, (c0 + c1) / 2.0, w)?;
        }
        if let Some(label) = &bar.label {
            let end = bar.whisker.map_or(to, |(_, hi)| hi.max(to));
            draw_bar_label(chart, b.horizontal, ((c0 + c1) / 2.0, end), label)?;
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
