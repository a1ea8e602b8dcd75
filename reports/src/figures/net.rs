//! The figures of the network axis, from `sessions.csv`: end-to-end latency against n, one
//! line per network (fig12); bytes per session stacked as protocol, TLS and TCP/IP (fig13); and
//! simulated against measured latency for the same point and seed, with y = x and a ±15% band
//! (fig14). Each is skipped, with the reason, when the data lack what it draws.

use plotters::style::RGBColor;

use super::chart::{
    Bar, BarPanel, Chart, Glyph, LegendEntry, LinePanel, LineSpec, PanelSpec, ScatterPanel, ScatterPoint, Unit,
};
use super::style::{self, SIZE_ONE, STYLES};
use super::{Built, Ctx, fixed_suffix, spec};
use crate::data::{Dim, SessionPoint};
use crate::format::fmt_num;
use crate::slice;
use crate::stats::Stat;

/// How far simulated latency may be from measured for the two to be said to agree.
pub(crate) const AGREEMENT: f64 = 0.15;

/// The colour of a network kind: memory grey, sim blue, process vermillion, netns green.
fn net_colour(net: &str) -> RGBColor {
    match net.split(':').next().unwrap_or("") {
        "memory" => style::GREY,
        "sim" => RGBColor(0x00, 0x72, 0xb2),
        "process" => RGBColor(0xd5, 0x5e, 0x00),
        "netns" => RGBColor(0x00, 0x9e, 0x73),
        _ => style::DARK,
    }
}

/// Line style of network `i` among `nets` that share its kind (profiles of one kind differ).
fn net_style(nets: &[String], net: &str) -> usize {
    let kind = net.split(':').next().unwrap_or("");
    nets.iter()
        .filter(|n| n.split(':').next() == Some(kind))
        .position(|n| n == net)
        .unwrap_or(0)
        % STYLES
}

/// The sim network a measured one is compared with: `netns:P` with `sim:P`, `process` (on
/// loopback) with `sim:lan`.
pub(crate) fn sim_partner(net: &str) -> Option<String> {
    match net.split_once(':') {
        Some(("netns", p)) => Some(format!("sim:{p}")),
        _ if net == "process" => Some("sim:lan".to_string()),
        _ => None,
    }
}

/// Pairs (measured point, simulated point) with equal parameters but the network (so the same
/// seed), the simulated one on the measured one's [`sim_partner`].
pub(crate) fn sim_pairs(points: &[SessionPoint]) -> Vec<(&SessionPoint, &SessionPoint)> {
    let mut out = Vec::new();
    for m in points.iter().filter(|p| matches!(p.net_kind(), "process" | "netns")) {
        let Some(partner) = sim_partner(&m.params.net) else {
            continue;
        };
        let twin = points.iter().find(|s| {
            s.params.net == partner && {
                let mut a = s.params.clone();
                a.net = m.params.net.clone();
                a == m.params
            }
        });
        if let Some(s) = twin
            && m.e2e.is_some()
            && s.e2e.is_some()
        {
            out.push((m, s));
        }
    }
    out
}

/// fig12: end-to-end latency against n, one line per network.
pub(super) fn fig12(ctx: &Ctx) -> Built {
    let timed: Vec<SessionPoint> = ctx.sessions.iter().filter(|p| p.e2e.is_some()).cloned().collect();
    if timed.is_empty() {
        return Err("no session with a latency (sessions.csv has only memory points, or none)".into());
    }
    let s = slice::choose(&timed, Dim::N, Some(Dim::Net), &[]).ok_or("no points")?;
    if s.xs.len() < 2 {
        return Err("n has a single value among the sessions with a latency".into());
    }
    let nets: Vec<String> = slice::values(&s.items.iter().map(|p| (*p).clone()).collect::<Vec<_>>(), Dim::Net)
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    let mut lines = Vec::new();
    let mut legend = vec![LegendEntry {
        glyph: Glyph::Heading,
        label: "network".into(),
    }];
    for net in &nets {
        let mut pts: Vec<(f64, Stat)> = s
            .items
            .iter()
            .filter(|p| p.params.net == *net)
            .filter_map(|p| Some((p.params.get(Dim::N).as_f64()?, p.e2e?)))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (colour, st) = (net_colour(net), net_style(&nets, net));
        lines.push(LineSpec {
            colour,
            style: st,
            points: pts,
        });
        legend.push(LegendEntry {
            glyph: Glyph::Line(colour, st),
            label: net.clone(),
        });
    }
    let caption = format!(
        "End-to-end latency (the Cloud's announcement to the Edge's result) against the number of data providers n, \
         one line per network (sim simulated, process and netns measured); {}{}.",
        ctx.reps,
        fixed_suffix(&s)
    );
    Ok(spec(
        caption,
        SIZE_ONE,
        vec![PanelSpec {
            title: None,
            chart: Chart::Lines(LinePanel {
                x_label: "data providers n".into(),
                y_label: "end-to-end latency (s)".into(),
                y_unit: Unit::Plain,
                lines,
                x_categories: None,
                y_zero: true,
            }),
            legend,
        }],
    ))
}

/// fig13: bytes of one session per network, stacked: protocol, TLS (records and handshakes),
/// TCP/IP (frames, from the interface counters).
pub(super) fn fig13(ctx: &Ctx) -> Built {
    if !ctx.sessions.iter().any(|p| p.tls_bytes.is_some()) {
        return Err("no process or netns session (no TLS bytes measured)".into());
    }
    let s = slice::choose(&ctx.sessions, Dim::Net, None, &[]).ok_or("no points")?;
    let layers: [(&str, RGBColor); 3] = [
        ("protocol", RGBColor(0x00, 0x72, 0xb2)),
        ("+ TLS", RGBColor(0xe6, 0x9f, 0x00)),
        ("+ TCP/IP", RGBColor(0x99, 0x99, 0x99)),
    ];
    let mut bars = Vec::new();
    let mut categories = Vec::new();
    let mut any_wire = false;
    for (ci, xv) in s.xs.iter().enumerate() {
        let Some(p) = s.items.iter().find(|p| p.params.get(Dim::Net) == *xv) else {
            continue;
        };
        categories.push(xv.to_string());
        let tls = p.tls_bytes.unwrap_or(p.protocol_bytes).max(p.protocol_bytes);
        // netns counts frames on the interfaces; process has no frames (wire = TLS).
        let wire = p.wire_bytes.unwrap_or(tls).max(tls);
        any_wire |= wire > tls;
        for (li, (from, to)) in [(0.0, p.protocol_bytes), (p.protocol_bytes, tls), (tls, wire)]
            .into_iter()
            .enumerate()
        {
            if to > from {
                bars.push(Bar {
                    cat: ci,
                    slot: 0,
                    from: (li > 0).then_some(from),
                    to,
                    whisker: None,
                    fill: layers[li].1,
                    outline: layers[li].1,
                    label: None,
                });
            }
        }
    }
    let legend = layers
        .iter()
        .take(if any_wire { 3 } else { 2 })
        .map(|(l, c)| LegendEntry {
            glyph: Glyph::Swatch(*c, *c),
            label: (*l).to_string(),
        })
        .collect();
    let caption = format!(
        "Bytes of one session per network, stacked: the protocol's encoded messages, what TLS adds (records and \
         handshakes, on TCP), and what TCP/IP and Ethernet add (netns interface counters){}.",
        fixed_suffix(&s)
    );
    Ok(spec(
        caption,
        SIZE_ONE,
        vec![PanelSpec {
            title: None,
            chart: Chart::Bars(BarPanel {
                horizontal: true,
                categories,
                category_label: String::new(),
                value_label: "bytes per session".into(),
                unit: Unit::Si,
                slots: 1,
                bars,
                reference: None,
                fixed_range: None,
            }),
            legend,
        }],
    ))
}

/// fig14: simulated against measured end-to-end latency, point by point.
pub(super) fn fig14(ctx: &Ctx) -> Built {
    let pairs = sim_pairs(&ctx.sessions);
    if pairs.is_empty() {
        return Err(
            "no measured (process or netns) point with a sim twin (same parameters and seed; netns:P with sim:P, \
             process with sim:lan)"
                .into(),
        );
    }
    let mut nets: Vec<String> = pairs.iter().map(|(m, _)| m.params.net.clone()).collect();
    nets.sort();
    nets.dedup();
    let mut ns: Vec<u64> = pairs.iter().map(|(m, _)| m.params.n).collect();
    ns.sort_unstable();
    ns.dedup();
    let points: Vec<ScatterPoint> = pairs
        .iter()
        .filter_map(|(m, s)| {
            Some(ScatterPoint {
                x: m.e2e?.median,
                y: s.e2e?.median,
                colour: net_colour(&m.params.net),
                style: ns.iter().position(|n| *n == m.params.n).unwrap_or(0) % STYLES,
            })
        })
        .collect();
    let within = points.iter().filter(|p| (p.y / p.x - 1.0).abs() <= AGREEMENT).count();
    let mut legend = vec![LegendEntry {
        glyph: Glyph::Heading,
        label: "measured on".into(),
    }];
    legend.extend(nets.iter().map(|n| LegendEntry {
        glyph: Glyph::Swatch(net_colour(n), net_colour(n)),
        label: n.clone(),
    }));
    if ns.len() > 1 {
        legend.push(LegendEntry {
            glyph: Glyph::Heading,
            label: "marker".into(),
        });
        legend.extend(ns.iter().enumerate().map(|(i, n)| LegendEntry {
            glyph: Glyph::Line(style::DARK, i % STYLES),
            label: format!("n = {n}"),
        }));
    }
    let caption = format!(
        "Simulated against measured end-to-end latency for the same point and seed (medians; netns:P against sim:P, \
         process against sim:lan), with y = x dashed and a ±{}% band: {within} of {} within it.",
        fmt_num(AGREEMENT * 100.0),
        points.len()
    );
    Ok(spec(
        caption,
        SIZE_ONE,
        vec![PanelSpec {
            title: None,
            chart: Chart::Scatter(ScatterPanel {
                x_label: "measured latency (s)".into(),
                y_label: "simulated latency (s)".into(),
                points,
                band: AGREEMENT,
            }),
            legend,
        }],
    ))
}
