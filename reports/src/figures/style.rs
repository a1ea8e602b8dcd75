//! The look shared by every figure: the embedded font (registered once, so text renders
//! without any system font), the fixed phase -> colour map (the same phase has the same
//! colour in every figure), the message-kind and role colours, line styles for series,
//! shades for variants, and sizes that fit one paper column.

use std::sync::OnceLock;

use plotters::style::{FontStyle, RGBColor};

use crate::data::{MESSAGE_KINDS, PHASES};

/// DejaVu Sans, embedded so that figures never depend on system font discovery.
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The font family name every text style uses.
pub const FONT: &str = "sans-serif";

/// Registers the embedded font under [`FONT`] (once per process).
pub fn register_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES)
            .map_err(|_| "the embedded DejaVuSans.ttf could not be parsed".to_string())
    })
    .clone()
}

/// Width and height of a one-panel figure (one paper column at ~150 dpi).
pub const SIZE_ONE: (u32, u32) = (640, 420);
/// Width and height of a two-panel figure.
pub const SIZE_TWO: (u32, u32) = (640, 680);
/// Width of the legend column on the right of each panel.
pub const LEGEND_WIDTH: u32 = 160;

/// Tick-label font size.
pub const TICK_SIZE: u32 = 12;
/// Axis-title font size.
pub const DESC_SIZE: u32 = 13;
/// Legend font size.
pub const LEGEND_SIZE: u32 = 12;
/// Labels drawn beside bars (the variant of each bar in fig10).
pub const BAR_LABEL_SIZE: u32 = 10;
/// Panel-title font size.
pub const TITLE_SIZE: u32 = 13;

const fn hex(c: u32) -> RGBColor {
    RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

/// Colour of anything not in a fixed map.
pub const GREY: RGBColor = hex(0x8c8c8c);
/// Colour of neutral legend glyphs (series styles, variant shades).
pub const DARK: RGBColor = hex(0x404040);

/// Phase colours (Tableau 10), indexed like [`PHASES`].
const PHASE_COLOURS: [RGBColor; 8] = [
    hex(0x4e79a7), // cp_auth_request: blue
    hex(0xf28e2b), // party_auth_verify: orange
    hex(0x76b7b2), // cp_index_decrypt: teal
    hex(0xe15759), // share_encrypt_pvss_attach: red
    hex(0x59a14f), // cp_decrypt_pvss_verify_local_compute: green
    hex(0xedc948), // dp_set_agreement (vss only): yellow
    hex(0xb07aa1), // cp_result_encrypt: purple
    hex(0x9c755f), // edge_reconstruct: brown
];

/// Message-kind colours: the eight of Okabe-Ito, and Tol's wine for the ninth, indexed like
/// [`MESSAGE_KINDS`].
const KIND_COLOURS: [RGBColor; 9] = [
    hex(0xe69f00), // task_announce: orange
    hex(0x56b4e9), // auth_request: sky blue
    hex(0x009e73), // index_assign: bluish green
    hex(0xcc79a7), // roster: reddish purple
    hex(0x0072b2), // share_packet: blue
    hex(0x000000), // commitments (vss only): black
    hex(0xf0e442), // dp_report (vss only): yellow
    hex(0x882255), // agreed_set (vss only): wine
    hex(0xd55e00), // result_upload: vermillion
];

/// The fixed colour of a phase.
pub fn phase_colour(phase: &str) -> RGBColor {
    PHASES
        .iter()
        .position(|p| *p == phase)
        .map_or(GREY, |i| PHASE_COLOURS[i])
}

/// The fixed colour of a message kind.
pub fn kind_colour(kind: &str) -> RGBColor {
    MESSAGE_KINDS
        .iter()
        .position(|p| *p == kind)
        .map_or(GREY, |i| KIND_COLOURS[i])
}

/// The fixed colour of a role (as sender).
pub fn role_colour(role: &str) -> RGBColor {
    match role {
        "Cloud" => hex(0x332288),
        "CP" => hex(0xcc6677),
        "DP" => hex(0x117733),
        "Edge" => hex(0xddaa33),
        _ => GREY,
    }
}

/// A short label for a phase, for legends and category axes (full names are in the report).
pub fn phase_label(phase: &str) -> String {
    match phase {
        "share_encrypt_pvss_attach" => "share_encrypt_pvss".into(),
        "cp_decrypt_pvss_verify_local_compute" => "cp_decrypt_verify".into(),
        other if other.chars().count() > 20 => other.chars().take(19).chain(['…']).collect(),
        other => other.into(),
    }
}

/// `colour` blended towards white: `amount` 1 keeps the colour, 0 gives white.
pub fn tint(colour: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * amount).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// How strongly variant `i` of `count` is tinted: the first is solid, the last pale.
pub fn variant_amount(i: usize, count: usize) -> f64 {
    if count <= 1 {
        1.0
    } else {
        1.0 - 0.7 * i as f64 / (count - 1) as f64
    }
}

/// Number of distinct series line styles (solid, dashed, dotted, long dash) and markers.
pub const STYLES: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_and_kind_has_its_own_colour_and_a_short_label() {
        for (names, colour) in [
            (&PHASES[..], phase_colour as fn(&str) -> RGBColor),
            (&MESSAGE_KINDS[..], kind_colour),
        ] {
            let colours: Vec<RGBColor> = names.iter().map(|n| colour(n)).collect();
            for (i, c) in colours.iter().enumerate() {
                assert_ne!(*c, GREY, "{} has no fixed colour", names[i]);
                assert!(!colours[..i].contains(c), "{} shares a colour", names[i]);
            }
        }
        assert_eq!(phase_colour("dp_set_agreement"), hex(0xedc948));
        assert_eq!(kind_colour("agreed_set"), hex(0x882255));
        assert_eq!(phase_colour("some_future_phase"), GREY);
        for p in PHASES {
            assert!(phase_label(p).chars().count() <= 20, "{p}");
        }
        assert_eq!(phase_label("dp_set_agreement"), "dp_set_agreement");
    }
}
