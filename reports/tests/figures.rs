//! Rendering: every figure is drawn from the synthetic fixtures as SVG and PNG with the
//! expected axis labels; figures whose axis does not vary are skipped with a reason, and
//! stale files of skipped figures are removed.

mod common;

use dsmpc_reports::Dataset;
use dsmpc_reports::figures::{self, render_dataset};

/// Expected text in each figure's SVG (axis titles with units, legend entries).
fn expected(id: &str) -> &'static [&'static str] {
    match id {
        "fig1" => &["work CPU time (s)", "data providers n", "cp_decrypt_verify"],
        "fig2" => &["work CPU time (s)", "selected computing parties k"],
        "fig3" => &[
            "work CPU time (s)",
            "RSA modulus (bits)",
            "group modulus p (bits)",
            "3072",
        ],
        "fig4" => &["bytes per session", "data providers n", "share_packet", "sent by DP"],
        "fig5" => &["share of session work (%)", "data providers n", "edge_reconstruct"],
        "fig6" => &["work CPU time (s)", "backend", "gmp", "num"],
        "fig7" => &["overhead: measured / cost-model bound", "party_auth_verify"],
        "fig8" => &["CPU time (s)", "work (sum)", "latency (max)"],
        "fig9" => &["work CPU time (s)", "cipher suite", "p256"],
        "fig10" => &[
            "work CPU time (s)",
            "bytes per session",
            "verification",
            "paper",
            "vss",
            "commitments",
            "dp_report",
            "agreed_set",
            "dp_set_agreement",
        ],
        _ => &[],
    }
}

fn check_rendered(fixture: &std::path::Path, rendered: &[&str], skipped: &[&str]) -> tempfile::TempDir {
    let ds = Dataset::load(fixture).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = render_dataset(&ds, out.path()).unwrap();
    let ids: Vec<&str> = outcome.rendered.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, rendered);
    let sk: Vec<&str> = outcome.skipped.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(sk, skipped);
    for r in &outcome.rendered {
        let svg = std::fs::read_to_string(&r.svg).unwrap();
        let png = std::fs::read(&r.png).unwrap();
        assert!(svg.len() > 4000, "{} SVG too small: {} bytes", r.id, svg.len());
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(png.len() > 10_000, "{} PNG too small: {} bytes", r.id, png.len());
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // 640 px wide
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 640);
        for text in expected(&r.id) {
            assert!(svg.contains(text), "{}: SVG lacks {text:?}", r.id);
        }
        assert!(!r.caption.is_empty() && r.caption.ends_with('.'));
    }
    for s in &outcome.skipped {
        assert!(!s.reason.is_empty());
    }
    out
}

#[test]
fn factorial_fixture_figures() {
    let out = check_rendered(
        &common::sweep(),
        &["fig1", "fig2", "fig4", "fig5", "fig6", "fig7", "fig8"],
        &["fig3", "fig9", "fig10", "fig11"],
    );
    // one line style per threshold, named in the legend
    let fig1 = std::fs::read_to_string(out.path().join("fig1.svg")).unwrap();
    assert!(fig1.contains("t = 2") && fig1.contains("t = 3"));
}

#[test]
fn axes_fixture_figures() {
    let _out = check_rendered(
        &common::sweep_axes(),
        &["fig1", "fig3", "fig4", "fig5", "fig7", "fig8", "fig9", "fig10"],
        &["fig2", "fig6", "fig11"],
    );
}

#[test]
fn render_all_writes_into_figures_and_removes_stale_files() {
    let dir = common::copy_fixture(&common::sweep());
    let figs = dir.path().join("figures");
    std::fs::create_dir_all(&figs).unwrap();
    std::fs::write(figs.join("fig9.png"), b"stale").unwrap();
    let files = figures::render_all(dir.path()).unwrap();
    assert_eq!(files.len(), 14);
    assert!(files.iter().all(|f| f.starts_with(&figs) && f.is_file()));
    assert!(!figs.join("fig9.png").exists());
}

#[test]
fn single_n_skips_the_n_figures() {
    let dir = common::copy_fixture(&common::sweep());
    for f in ["phases.csv", "messages.csv"] {
        common::edit_lines(dir.path(), f, |n, l| {
            (n == 1 || l.starts_with("n10-")).then(|| l.to_string())
        });
    }
    let ds = Dataset::load(dir.path()).unwrap();
    let plans = figures::describe(&ds);
    let skipped = |id: &str| plans.iter().find(|p| p.id == id).unwrap().caption.clone().unwrap_err();
    assert!(skipped("fig1").contains("`n`") || skipped("fig1").contains("n has a single value"));
    assert!(skipped("fig4").contains("n has a single value"));
    // the breakdown still draws (one bar per t)
    assert!(plans.iter().find(|p| p.id == "fig5").unwrap().caption.is_ok());
}
