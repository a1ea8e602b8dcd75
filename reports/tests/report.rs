//! The Markdown report: sections present, environment from meta.json, figures embedded,
//! and findings that follow the data (changing the data changes the text).

mod common;

use dsmpc_reports::{figures, report};

fn write(dir: &std::path::Path) -> String {
    figures::render_all(dir).unwrap();
    let path = report::write_report(dir).unwrap();
    assert_eq!(path, dir.join("report.md"));
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn report_sections_and_findings() {
    let dir = common::copy_fixture(&common::sweep());
    let md = write(dir.path());
    for s in [
        "## Parameters and environment",
        "## Findings",
        "## Figures",
        "## Per-phase medians",
        "## Bytes per message kind",
        "## Unit costs",
    ] {
        assert!(md.contains(s), "missing section {s}");
    }
    // batch only: no vss overhead section
    assert!(!md.contains("## Overhead of vss"));
    assert!(
        md.contains("Synthetic CPU, 2 cores @ 2.0GHz") && md.contains("0123abcd") && md.contains("`cargo xtask sweep")
    );
    assert!(md.contains("- n: 10, 20, 40") && md.contains("- backend: gmp, num"));
    assert!(
        md.contains("**Dominant phase:** `cp_decrypt_pvss_verify_local_compute`"),
        "{md}"
    );
    assert!(md.contains("`share_encrypt_pvss_attach`: ~ n^1.00"), "{md}");
    assert!(md.contains("**Backend speedup** gmp over num"));
    assert!(md.contains("**Worst overhead over the cost-model bound:** `cp_result_encrypt`"));
    assert!(md.contains("![") && md.contains("](figures/fig1.png)") && md.contains("*Figure 1.*"));
    assert!(md.contains("Figure 3 skipped:"));
    // one table row per point and phase
    assert_eq!(
        md.lines()
            .filter(|l| l.starts_with("| n") && l.contains("-batch-rsa | ") && l.contains(" | cp_"))
            .count(),
        24 * 4
    );
}

#[test]
fn findings_follow_the_data() {
    let dir = common::copy_fixture(&common::sweep());
    // make share_encrypt_pvss_attach quadratic in n and dominant
    common::edit_lines(dir.path(), "phases.csv", |i, l| {
        if i == 1 || !l.contains(",share_encrypt_pvss_attach,") {
            return Some(l.to_string());
        }
        let f: Vec<&str> = l.split(',').collect();
        let n: f64 = f[5].parse().unwrap();
        let w: f64 = f[15].parse().unwrap();
        Some(common::set_field(l, 15, &format!("{:.6}", w * n)))
    });
    let md = write(dir.path());
    assert!(md.contains("`share_encrypt_pvss_attach`: ~ n^2.00"), "{md}");
    assert!(md.contains("**Dominant phase:** `share_encrypt_pvss_attach`"), "{md}");
}

#[test]
fn report_without_rendered_figures_says_so() {
    let dir = common::copy_fixture(&common::sweep_axes());
    report::write_report(dir.path()).unwrap();
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("not rendered yet") && md.contains("dsmpc-reports figures --from"));
    assert!(md.contains("**weak**"), "1024-bit sizes must be marked weak");
    assert!(md.contains("**Session work by verification mode**, relative to `paper`"));
    // the fixture's vss point has a paper twin: the overhead section names it
    assert!(md.contains("## Overhead of vss over paper") && md.contains("| `dp_set_agreement` | - |"));
    assert!(md.contains("| `commitments` | - | 41920 | only in vss |"), "{md}");
    assert!(md.contains("skipped invalid point"));
}
