//! The `vss` verification mode (Pedersen VSS, beyond the paper) in small synthetic sweeps
//! written here as CSV with exact values: the report's "Overhead of vss over paper" section
//! computes the right ratios (one matched point, a geometric mean over several, vss cheaper
//! or dearer than paper), shows what only one mode has in absolute terms, and is absent
//! without matched `paper` and `vss` points; the figures draw the vss-only phase and message
//! kinds; the cost of the DPs' commitment signatures (`dp_sign`, `dp_sig_verify`) is priced
//! from `units.csv` and shown as a share of the vss work, and data without those columns
//! still load.

use std::fmt::Write as _;
use std::path::Path;

use dsmpc_reports::figures::render_dataset;
use dsmpc_reports::{Dataset, report};

/// Op columns before `dp_sign` and `dp_sig_verify`, each written as 1.
const OPS: usize = 9;

/// One synthetic point: verification mode, n, t, the median work per phase (each phase gets
/// three repetitions at 0.95x, 1x and 1.05x, so the median is exact) and bytes per kind.
struct Point {
    verify: &'static str,
    n: u64,
    t: u64,
    phases: Vec<(&'static str, f64)>,
    kinds: Vec<(&'static str, u64)>,
    /// `(phase, dp_sign, dp_sig_verify)`; other phases count 0 of each.
    dp_ops: Vec<(&'static str, u64, u64)>,
}

fn route(kind: &str) -> (&'static str, &'static str, bool) {
    match kind {
        "share_packet" => ("DP", "CP", true),
        "commitments" => ("DP", "Edge+CP", false),
        "dp_report" => ("CP", "Edge", false),
        "agreed_set" => ("Edge", "CP", false),
        "result_upload" => ("CP", "Edge", true),
        other => panic!("no route for {other}"),
    }
}

/// Unit costs of the DP signatures in the synthetic `units.csv`: 1500 µs and 750 µs.
const DP_SIGN_UNIT: f64 = 0.0015;
const DP_VERIFY_UNIT: f64 = 0.00075;

/// Writes `phases.csv`, `messages.csv`, `units.csv` and `meta.json` for `points` into `dir`
/// (gmp backend, rsa suite, k = m = 3, 2048-bit sizes, seed 7), with the `dp_sign` and
/// `dp_sig_verify` columns and unit costs.
fn write_sweep(dir: &Path, points: &[Point]) {
    write_sweep_schema(dir, points, true)
}

/// As [`write_sweep`]; `dp_columns: false` writes the schema of sweeps from before the DP
/// signatures were counted (no `dp_sign`, `dp_sig_verify` columns or unit costs).
fn write_sweep_schema(dir: &Path, points: &[Point], dp_columns: bool) {
    let params = |p: &Point| format!("gmp,rsa,{},{},3,3,{},2048,2048,32,7", p.verify, p.n, p.t);
    let id = |p: &Point| format!("n{}-m3-k3-t{}-rsa2048-g2048-gmp-{}", p.n, p.t, p.verify);
    let mut phases = format!(
        "point,rep,backend,suite,verify,n,m,k,t,rsa_bits,group_bits,value_bits,seed,phase,instances,work_cpu_s,\
         work_wall_s,max_cpu_s,max_wall_s,bound_s,overhead,modexp_var,modexp_fixed,modexp_secret,multiexp_term,\
         jacobi,enc,dec,sign,sig_verify,{}jobs,crate_version,git_rev,host_cpu,cores\n",
        if dp_columns { "dp_sign,dp_sig_verify," } else { "" }
    );
    let mut messages = String::from(
        "point,backend,suite,verify,n,m,k,t,rsa_bits,group_bits,value_bits,seed,kind,src_role,dst_role,count,bytes,\
         payload_bytes,ref_compatible\n",
    );
    for p in points {
        // repetitions out of order, so that the median is not simply the first or the last
        for (rep, jitter) in [(0, 1.05), (1, 0.95), (2, 1.0)] {
            for (phase, work) in &p.phases {
                let w = work * jitter;
                let mut ops = ["1"; OPS].join(",");
                if dp_columns {
                    let (sign, verify) = p.dp_ops.iter().find(|d| d.0 == *phase).map_or((0, 0), |d| (d.1, d.2));
                    let _ = write!(ops, ",{sign},{verify}");
                }
                let _ = writeln!(
                    phases,
                    "{},{rep},{},{phase},3,{w},{w},{},{},{},{},{ops},1,0.1.0,abc123,\"Test CPU, 1 core\",1",
                    id(p),
                    params(p),
                    w / 3.0,
                    w / 3.0,
                    w * 0.8,
                    1.25
                );
            }
        }
        for (kind, bytes) in &p.kinds {
            let (src, dst, reference) = route(kind);
            let _ = writeln!(
                messages,
                "{},{},{kind},{src},{dst},3,{bytes},{},{reference}",
                id(p),
                params(p),
                bytes / 2
            );
        }
    }
    std::fs::write(dir.join("phases.csv"), phases).unwrap();
    std::fs::write(dir.join("messages.csv"), messages).unwrap();
    let mut units = String::from("backend,suite,rsa_bits,group_bits,op,unit_s\ngmp,rsa,2048,2048,dec,0.0012\n");
    if dp_columns {
        let _ = writeln!(units, "gmp,rsa,2048,2048,dp_sign,{DP_SIGN_UNIT}");
        let _ = writeln!(units, "gmp,rsa,2048,2048,dp_sig_verify,{DP_VERIFY_UNIT}");
    }
    std::fs::write(dir.join("units.csv"), units).unwrap();
    std::fs::write(
        dir.join("meta.json"),
        r#"{"git_rev": "abc123", "crate_version": "0.1.0", "host_cpu": "Test CPU, 1 core", "cores": 1,
            "command_line": "test", "started": "2026-01-01T00:00:00Z", "finished": null, "seed": 7,
            "preset": "vss-test", "jobs": 1, "calibration_s": 0.01, "grid": {}, "notes": []}"#,
    )
    .unwrap();
}

const SHARE: &str = "share_encrypt_pvss_attach";
const DECRYPT: &str = "cp_decrypt_pvss_verify_local_compute";
const AGREE: &str = "dp_set_agreement";
const EDGE: &str = "edge_reconstruct";

/// paper: 2.0 s of work, 1200 bytes.
fn paper(n: u64) -> Point {
    Point {
        verify: "paper",
        n,
        t: 2,
        phases: vec![("cp_auth_request", 0.1), (SHARE, 0.4), (DECRYPT, 1.0), (EDGE, 0.5)],
        kinds: vec![("share_packet", 1000), ("result_upload", 200)],
        dp_ops: vec![],
    }
}

/// vss at exactly 1.5x the paper point's work (3.0 s) and bytes (1800).
fn vss(n: u64) -> Point {
    Point {
        verify: "vss",
        n,
        t: 2,
        phases: vec![
            ("cp_auth_request", 0.1),
            (SHARE, 0.6),
            (DECRYPT, 2.0),
            (AGREE, 0.2),
            (EDGE, 0.1),
        ],
        kinds: vec![
            ("share_packet", 1000),
            ("commitments", 500),
            ("dp_report", 60),
            ("agreed_set", 40),
            ("result_upload", 200),
        ],
        dp_ops: vec![],
    }
}

/// [`vss`] with the DP signatures counted as the protocol does: one `dp_sign` per DP while
/// dealing, and n k `dp_sig_verify` at the CPs plus n at the Edge's agreement, n (k + 1) in all.
fn vss_signed(n: u64) -> Point {
    Point {
        dp_ops: vec![(SHARE, n, 0), (DECRYPT, 0, 3 * n), (AGREE, 0, n)],
        ..vss(n)
    }
}

/// A batch point: present in the data, never part of the vss/paper comparison.
fn batch(n: u64) -> Point {
    Point {
        verify: "batch",
        phases: vec![("cp_auth_request", 0.1), (SHARE, 0.4), (DECRYPT, 0.3), (EDGE, 0.5)],
        ..paper(n)
    }
}

/// The report's overhead section (from its heading to the next `## `), or `None`.
fn overhead_section(md: &str) -> Option<&str> {
    let start = md.find("## Overhead of vss over paper")?;
    let rest = &md[start + 3..];
    Some(&md[start..start + 3 + rest.find("\n## ").unwrap_or(rest.len())])
}

fn report_of(points: &[Point]) -> String {
    let dir = tempfile::tempdir().unwrap();
    write_sweep(dir.path(), points);
    report::render(&Dataset::load(dir.path()).unwrap())
}

#[test]
fn overhead_section_one_matched_point() {
    let md = report_of(&[batch(20), paper(20), vss(20)]);
    let s = overhead_section(&md).unwrap_or_else(|| panic!("no overhead section:\n{md}"));
    // placed after the findings, before the figures
    assert!(md.find("## Findings") < md.find("## Overhead") && md.find("## Overhead") < md.find("## Figures"));
    assert!(s.contains("at 1 parameter point"), "{s}");
    // the point is named, and the session ratios of work and bytes are 1.5
    assert!(
        s.contains(
            "| backend=gmp, suite=rsa, provider=rustcrypto, n=20, k=3, m=3, t=2, rsa_bits=2048, group_bits=2048, value_bits=32 \
             | 2.000 | 3.000 | 1.50x | 1.2 kB | 1.8 kB | 1.50x |"
        ),
        "{s}"
    );
    // per phase: ratios where both modes have the phase, absolute seconds where only vss has it
    for row in [
        "| **whole session** | 2.000 | 3.000 | 1.50x |",
        "| `cp_auth_request` | 0.1000 | 0.1000 | 1.00x |",
        "| `share_encrypt_pvss_attach` | 0.4000 | 0.6000 | 1.50x |",
        "| `cp_decrypt_pvss_verify_local_compute` | 1.000 | 2.000 | 2.00x |",
        "| `dp_set_agreement` | - | 0.2000 | only in vss |",
        "| `edge_reconstruct` | 0.5000 | 0.1000 | 0.20x |",
    ] {
        assert!(s.contains(row), "missing {row:?} in\n{s}");
    }
    // phases in protocol order: the vss-only phase between the CP decryption and the Edge
    assert!(
        s.find("`cp_decrypt_pvss") < s.find("`dp_set_agreement`") && s.find("`dp_set_agreement`") < s.find("`edge_")
    );
    // where the added second goes
    assert!(
        s.contains(
            "`vss` adds 1.000 s of work per session; most of it in `cp_decrypt_pvss_verify_local_compute` \
             (+1.000 s, 100% of the added work)."
        ),
        "{s}"
    );
    // bytes per kind: ratios, and absolute bytes for the kinds only vss sends
    for row in [
        "| **whole session** | 1200 | 1800 | 1.50x |",
        "| `share_packet` | 1000 | 1000 | 1.00x |",
        "| `commitments` | - | 500 | only in vss |",
        "| `dp_report` | - | 60 | only in vss |",
        "| `agreed_set` | - | 40 | only in vss |",
        "| `result_upload` | 200 | 200 | 1.00x |",
    ] {
        assert!(s.contains(row), "missing {row:?} in\n{s}");
    }
    assert!(s.find("`commitments`") < s.find("`dp_report`") && s.find("`agreed_set`") < s.find("`result_upload`"));
    // batch never enters the comparison
    assert!(!s.contains("batch"), "{s}");
}

#[test]
fn overhead_section_several_points_geometric_mean_and_range() {
    // n=10: vss 1.25x paper; n=40: vss 1.80x; geometric mean exactly 1.5.
    let scaled = |mut p: Point, f: f64| {
        p.phases.iter_mut().for_each(|ph| ph.1 *= f);
        p
    };
    let mut v10 = vss(10);
    v10.phases = vec![
        ("cp_auth_request", 0.1),
        (SHARE, 0.4),
        (DECRYPT, 1.3),
        (AGREE, 0.2),
        (EDGE, 0.5),
    ];
    let mut v40 = vss(40);
    v40.phases = vec![
        ("cp_auth_request", 0.2),
        (SHARE, 0.8),
        (DECRYPT, 4.0),
        (AGREE, 1.2),
        (EDGE, 1.0),
    ];
    // an unmatched vss point (t differs) is left out
    let mut lone = vss(20);
    lone.t = 3;
    let md = report_of(&[paper(10), v10, scaled(paper(40), 2.0), v40, lone]);
    let s = overhead_section(&md).unwrap_or_else(|| panic!("no overhead section:\n{md}"));
    assert!(s.contains("at 2 parameter points"), "{s}");
    assert!(
        s.contains("(all at backend=gmp, suite=rsa, provider=rustcrypto, k=3, m=3, t=2, rsa_bits=2048, group_bits=2048, value_bits=32)"),
        "{s}"
    );
    // one row per matched point, named by what differs between them
    assert!(s.contains("| n=10 | 2.000 | 2.500 | 1.25x |"), "{s}");
    assert!(s.contains("| n=40 | 4.000 | 7.200 | 1.80x |"), "{s}");
    assert!(!s.contains("t=3"), "the unmatched vss point must not appear:\n{s}");
    // summarised: geometric mean (range), values as median [min-max] over points
    assert!(
        s.contains("| **whole session** | 3.000 [2.000–4.000] | 4.850 [2.500–7.200] | 1.50x (1.25–1.80x) |"),
        "{s}"
    );
    assert!(
        s.contains("| `dp_set_agreement` | - | 0.7000 [0.2000–1.200] | only in vss |"),
        "{s}"
    );
    assert!(
        s.contains("| `cp_auth_request` | 0.1500 [0.1000–0.2000] | 0.1500 [0.1000–0.2000] | 1.00x (1.00–1.00x) |"),
        "{s}"
    );
    // bytes are the same at both n here: 1.5x at each point
    assert!(
        s.contains("| **whole session** | 1200 | 1800 | 1.50x (1.50–1.50x) |"),
        "{s}"
    );
    assert!(s.contains("median over points"), "{s}");
}

#[test]
fn overhead_section_when_vss_is_cheaper() {
    // vss verifies shares more cheaply than paper's PVSS checks: 1.5 s against 2.0 s
    let mut cheap = vss(20);
    cheap.phases[2] = (DECRYPT, 0.5);
    let md = report_of(&[paper(20), cheap]);
    let s = overhead_section(&md).unwrap_or_else(|| panic!("no overhead section:\n{md}"));
    assert!(s.contains("| **whole session** | 2.000 | 1.500 | 0.75x |"), "{s}");
    assert!(
        s.contains("| `cp_decrypt_pvss_verify_local_compute` | 1.000 | 0.5000 | 0.50x |"),
        "{s}"
    );
    assert!(
        s.contains(
            "`vss` needs 0.5000 s less work per session than `paper`; the largest saving is in \
             `cp_decrypt_pvss_verify_local_compute` (0.5000 s less)."
        ),
        "{s}"
    );
    assert!(!s.contains("adds"), "{s}");
}

#[test]
fn no_overhead_section_without_matched_vss_and_paper() {
    // paper and batch only
    let md = report_of(&[paper(20), batch(20)]);
    assert!(md.contains("## Findings") && !md.contains("## Overhead"), "{md}");
    // vss and batch, no paper
    let md = report_of(&[batch(20), vss(20)]);
    assert!(!md.contains("## Overhead"), "{md}");
    // paper and vss, but at different n: nothing matched
    let md = report_of(&[paper(10), vss(20)]);
    assert!(!md.contains("## Overhead"), "{md}");
    // data from before vss existed
    let ds = Dataset::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sweep")).unwrap();
    assert!(!report::render(&ds).contains("## Overhead"));
}

#[test]
fn figures_draw_the_vss_phase_and_kinds() {
    let dir = tempfile::tempdir().unwrap();
    write_sweep(dir.path(), &[batch(20), paper(20), vss(20)]);
    let ds = Dataset::load(dir.path()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = render_dataset(&ds, out.path()).unwrap();
    let fig = |id: &str| {
        outcome
            .rendered
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id} not drawn"))
    };
    let fig10 = fig("fig10");
    let svg = std::fs::read_to_string(&fig10.svg).unwrap();
    for text in [
        "dp_set_agreement",
        "commitments",
        "dp_report",
        "agreed_set",
        "paper",
        "vss",
        "batch",
    ] {
        assert!(svg.contains(text), "fig10 lacks {text:?}");
    }
    assert!(std::fs::metadata(&fig10.png).unwrap().len() > 10_000);
    // the caption compares vss with paper, in work and in bytes
    assert!(
        fig10.caption.contains("vss 3 s, paper 2 s (vss / paper x1.50)"),
        "{}",
        fig10.caption
    );
    assert!(
        fig10.caption.contains("vss 1.8 kB, paper 1.2 kB (vss / paper x1.50)"),
        "{}",
        fig10.caption
    );
    // figures drawn from the batch point do not list the vss-only phase
    let fig8 = std::fs::read_to_string(&fig("fig8").svg).unwrap();
    assert!(fig8.contains("edge_reconstruct") && !fig8.contains("dp_set_agreement"));
}

#[test]
fn dp_signature_cost_one_matched_point() {
    // n = 20, k = 3: 20 dp_sign at 1500 µs = 0.03 s; 60 + 20 = 80 dp_sig_verify at 750 µs =
    // 0.06 s; 0.09 s in all, 3.0% of the vss point's 3.0 s of work.
    let md = report_of(&[paper(20), vss_signed(20)]);
    let s = overhead_section(&md).unwrap_or_else(|| panic!("no overhead section:\n{md}"));
    assert!(
        s.contains("DP commitment signatures (ECDSA P-256 whatever the suite; `vss` only)"),
        "{s}"
    );
    assert!(
        s.contains(
            "| backend=gmp, suite=rsa, provider=rustcrypto, n=20, k=3, m=3, t=2, rsa_bits=2048, group_bits=2048, value_bits=32 \
             | 20 | 1500 | 0.03000 | 80 | 750.0 | 0.06000 | 0.09000 | 3.0% |"
        ),
        "{s}"
    );
    assert!(
        s.contains(
            "At the unit costs calibrated in this run they cost 0.09000 s of CPU per session, 3.0% of the `vss` work."
        ),
        "{s}"
    );
    // after the work per phase, before the bytes; the existing content is still there
    let at = |t: &str| s.find(t).unwrap_or_else(|| panic!("no {t:?} in\n{s}"));
    assert!(
        at("Work per phase") < at("DP commitment signatures") && at("DP commitment signatures") < at("Encoded bytes")
    );
    assert!(s.contains("| **whole session** | 2.000 | 3.000 | 1.50x |"), "{s}");
}

#[test]
fn dp_signature_cost_several_points() {
    // n = 10: 0.015 + 0.03 = 0.045 s of 3.0 s (1.5%); n = 20: 0.09 s (3.0%);
    // n = 40: 0.06 + 0.12 = 0.18 s of 3.0 s (6.0%)
    let md = report_of(&[
        paper(10),
        vss_signed(10),
        paper(20),
        vss_signed(20),
        paper(40),
        vss_signed(40),
    ]);
    let s = overhead_section(&md).unwrap_or_else(|| panic!("no overhead section:\n{md}"));
    assert!(
        s.contains("| n=10 | 10 | 1500 | 0.01500 | 40 | 750.0 | 0.03000 | 0.04500 | 1.5% |"),
        "{s}"
    );
    assert!(
        s.contains("| n=20 | 20 | 1500 | 0.03000 | 80 | 750.0 | 0.06000 | 0.09000 | 3.0% |"),
        "{s}"
    );
    assert!(
        s.contains("| n=40 | 40 | 1500 | 0.06000 | 160 | 750.0 | 0.1200 | 0.1800 | 6.0% |"),
        "{s}"
    );
    assert!(
        s.contains(
            "they cost 0.09000 s [0.04500–0.1800] of CPU per session (median [min–max] over points), \
             3.0% [1.5%–6.0%] of the `vss` work."
        ),
        "{s}"
    );
}

#[test]
fn dp_signature_cost_without_the_columns() {
    // a sweep written before dp_sign and dp_sig_verify: loads, counts read as 0, and the
    // section says so instead of pricing anything
    let dir = tempfile::tempdir().unwrap();
    write_sweep_schema(dir.path(), &[paper(20), vss_signed(20)], false);
    let ds = Dataset::load(dir.path()).unwrap();
    let points = ds.points();
    let v = points.iter().find(|p| p.params.verify == "vss").unwrap();
    assert_eq!((v.op_total("dp_sign"), v.op_total("dp_sig_verify")), (0, 0));
    let md = report::render(&ds);
    let s = overhead_section(&md).unwrap_or_else(|| panic!("no overhead section:\n{md}"));
    assert!(s.contains("The data count no `dp_sign` or `dp_sig_verify`"), "{s}");
    assert!(!s.contains("share of vss work"), "{s}");
    // counted but not priced: units.csv without their unit costs
    let dir = tempfile::tempdir().unwrap();
    write_sweep(dir.path(), &[paper(20), vss_signed(20)]);
    common_units_without_dp(dir.path());
    let s = report::render(&Dataset::load(dir.path()).unwrap());
    assert!(s.contains("| 20 | - | - | 80 | - | - | - | - |"), "{s}");
    assert!(s.contains("counted but not priced"), "{s}");
}

/// Drops the `dp_sign` and `dp_sig_verify` rows of `units.csv`.
fn common_units_without_dp(dir: &Path) {
    let path = dir.join("units.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: Vec<&str> = text.lines().filter(|l| !l.contains(",dp_")).collect();
    std::fs::write(&path, kept.join("\n") + "\n").unwrap();
}
