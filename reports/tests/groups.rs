//! The group axis: files written before the `group` column read as `schnorr-<group_bits>`,
//! and a sweep with a ristretto255 point (backend `n/a`, group_bits 0) draws the group
//! comparison (fig15), keeps the `n/a` point out of the backend figures and lists the group
//! and the `n/a` backend in the report.

mod common;

use dsmpc_reports::Dataset;
use dsmpc_reports::figures::render_dataset;
use dsmpc_reports::report;

/// The Schnorr point the ristretto255 twin copies (sweep_axes fixture).
const SCHNORR: &str = "n20-m3-k3-t2-rsa2048-g2048-gmp-batch-rsa";
const RISTRETTO: &str = "n20-m3-k3-t2-rsa2048-ristretto255-batch-rsa";

/// The sweep_axes fixture with a `group` column in every file and a ristretto255 twin of
/// [`SCHNORR`] (same numbers, backend `n/a`, group_bits 0).
fn with_ristretto() -> tempfile::TempDir {
    let dir = common::copy_fixture(&common::sweep_axes());
    for f in ["phases.csv", "messages.csv"] {
        let path = dir.path().join(f);
        let text = std::fs::read_to_string(&path).unwrap();
        let mut out = String::new();
        for (i, line) in text.lines().enumerate() {
            if i == 0 {
                out.push_str(&format!("{line},group\n"));
                continue;
            }
            let bits = if line.contains("-g3072-") { 3072 } else { 2048 };
            out.push_str(&format!("{line},schnorr-{bits}\n"));
            if line.starts_with(&format!("{SCHNORR},")) {
                let twin = line.replacen(SCHNORR, RISTRETTO, 1).replacen(
                    ",gmp,rsa,batch,20,3,3,2,2048,2048,",
                    ",n/a,rsa,batch,20,3,3,2,2048,0,",
                    1,
                );
                out.push_str(&format!("{twin},ristretto255\n"));
            }
        }
        std::fs::write(&path, out).unwrap();
    }
    let path = dir.path().join("units.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(&format!("{line},group\n"));
            continue;
        }
        let bits = line.split(',').nth(3).unwrap();
        out.push_str(&format!("{line},schnorr-{bits}\n"));
        if let Some(rest) = line.strip_prefix("gmp,rsa,2048,2048,") {
            out.push_str(&format!("n/a,rsa,2048,0,{rest},ristretto255\n"));
        }
    }
    std::fs::write(&path, out).unwrap();
    dir
}

#[test]
fn files_without_the_group_column_read_as_schnorr_groups() {
    let ds = Dataset::load(&common::sweep_axes()).unwrap();
    let points = ds.points();
    assert!(!points.is_empty() && !ds.units.is_empty());
    for p in &points {
        assert_eq!(
            p.params.group,
            format!("schnorr-{}", p.params.group_bits),
            "{}",
            p.point
        );
    }
    for u in &ds.units {
        assert_eq!(u.group, format!("schnorr-{}", u.group_bits));
    }
}

#[test]
fn ristretto255_points_draw_the_group_figure_and_report() {
    let dir = with_ristretto();
    let ds = Dataset::load(dir.path()).unwrap();
    let twin = ds.points().into_iter().find(|p| p.point == RISTRETTO).unwrap();
    assert_eq!(
        (
            twin.params.backend.as_str(),
            twin.params.group.as_str(),
            twin.params.group_bits
        ),
        ("n/a", "ristretto255", 0)
    );
    assert!(ds.units.iter().any(|u| u.group == "ristretto255" && u.backend == "n/a"));
    let out = tempfile::tempdir().unwrap();
    let outcome = render_dataset(&ds, out.path()).unwrap();
    let fig15 = outcome.rendered.iter().find(|r| r.id == "fig15").expect("fig15 drawn");
    let svg = std::fs::read_to_string(&fig15.svg).unwrap();
    for text in [
        "work CPU time (s)",
        "group",
        "ristretto255",
        "schnorr-2048",
        "schnorr-3072",
    ] {
        assert!(svg.contains(text), "fig15 lacks {text:?}");
    }
    assert!(
        fig15.caption.contains("Group comparison") && fig15.caption.contains("ristretto255 with backend n/a"),
        "{}",
        fig15.caption
    );
    // One backend besides n/a: nothing to compare backends on.
    assert!(outcome.skipped.iter().any(|s| s.id == "fig6"));
    let md = report::render(&ds);
    assert!(md.contains("- group: schnorr-2048, schnorr-3072, ristretto255"), "{md}");
    assert!(
        md.contains("- backend: gmp, n/a") && md.contains("Backend `n/a`"),
        "{md}"
    );
    assert!(
        md.contains("**Session work by group**, relative to `schnorr-2048`"),
        "{md}"
    );
    assert!(
        md.contains("| backend | suite | provider | rsa_bits | group | group_bits |"),
        "{md}"
    );
    assert!(
        md.contains("| n/a | rsa | rustcrypto | 2048 | ristretto255 | 0 |"),
        "{md}"
    );
    assert!(
        md.contains("- Figure 15 (`figures/fig15.png`, not rendered yet): Group comparison"),
        "{md}"
    );
}

/// With two backends and ristretto255, the backend comparison leaves the `n/a` point out and
/// says so; the group comparison keeps the Schnorr groups on gmp.
#[test]
fn the_backend_figure_leaves_n_a_out() {
    let dir = with_ristretto();
    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        let mut v = vec![l.to_string()];
        if n > 1 && l.starts_with(&format!("{SCHNORR},")) {
            let num = l.replacen("-gmp-", "-num-", 1).replacen(",gmp,rsa,", ",num,rsa,", 1);
            v.push(num);
        }
        Some(v.join("\n"))
    });
    let ds = Dataset::load(dir.path()).unwrap();
    let plans = dsmpc_reports::figures::describe(&ds);
    let caption = |id: &str| plans.iter().find(|p| p.id == id).unwrap().caption.clone();
    let fig6 = caption("fig6").unwrap();
    assert!(
        fig6.contains("gmp, num") && fig6.contains("backend n/a (ristretto255) left out"),
        "{fig6}"
    );
    let fig15 = caption("fig15").unwrap();
    assert!(fig15.contains("the Schnorr groups on backend=gmp"), "{fig15}");
}
