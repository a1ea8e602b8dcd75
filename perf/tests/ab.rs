//! The A/B judgement (`dsmpc_perf::ab`) on synthetic A/B folders built from the fixture
//! sweep: a candidate whose one phase is 20% slower (time) or 3% more instructions is flagged on
//! that phase only; an unchanged candidate with noisy times passes; a base without per-phase
//! counts is reported as not comparable.

use std::path::Path;

use dsmpc_perf::Verdict;
use dsmpc_perf::ab::{AbOptions, judge};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../reports/tests/fixtures/sweep");

/// Copy the fixture into `to`, multiplying `work_cpu_s` by a deterministic noise factor in
/// [1 - noise, 1 + noise] and, for `phase`, by `factor`.
fn write_run(to: &Path, seed: u64, noise: f64, phase: &str, factor: f64) {
    std::fs::create_dir_all(to).unwrap();
    for f in ["messages.csv", "meta.json", "units.csv"] {
        std::fs::copy(Path::new(FIXTURE).join(f), to.join(f)).unwrap();
    }
    let mut r = csv::Reader::from_path(Path::new(FIXTURE).join("phases.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    let col = headers.iter().position(|h| h == "work_cpu_s").unwrap();
    let pcol = headers.iter().position(|h| h == "phase").unwrap();
    let mut w = csv::Writer::from_path(to.join("phases.csv")).unwrap();
    w.write_record(&headers).unwrap();
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for rec in r.records() {
        let rec = rec.unwrap();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let u = (state % 10_000) as f64 / 10_000.0;
        let mut v: f64 = rec[col].parse().unwrap();
        v *= 1.0 + noise * (2.0 * u - 1.0);
        if &rec[pcol] == phase {
            v *= factor;
        }
        let row: Vec<String> = rec
            .iter()
            .enumerate()
            .map(|(i, c)| if i == col { format!("{v:.6}") } else { c.to_string() })
            .collect();
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
}

fn write_icount(to: &Path, phases: &[(&str, u64)]) {
    std::fs::create_dir_all(to).unwrap();
    let mut s = String::from("phase,dumps,instructions\n");
    for (p, ir) in phases {
        s += &format!("{p},3,{ir}\n");
    }
    std::fs::write(to.join("icount.csv"), s).unwrap();
}

const IC: [(&str, u64); 3] = [
    ("share_encrypt_pvss_attach", 200_000_000),
    ("cp_decrypt_pvss_verify_local_compute", 900_000_000),
    ("edge_reconstruct", 90_000_000),
];

fn ab_folder(dir: &Path, slow_phase: &str, time_factor: f64, ir_factor: f64, base_counts: bool) {
    for i in 1..=5u64 {
        write_run(&dir.join(format!("base/time-{i}")), 2 * i, 0.05, "", 1.0);
        write_run(
            &dir.join(format!("cand/time-{i}")),
            2 * i + 1,
            0.05,
            slow_phase,
            time_factor,
        );
    }
    for j in 1..=2 {
        if base_counts {
            write_icount(&dir.join(format!("base/icount-{j}")), &IC);
        } else {
            write_icount(&dir.join(format!("base/icount-{j}")), &[]);
        }
        let cand: Vec<(&str, u64)> = IC
            .iter()
            .map(|(p, ir)| {
                let f = if *p == slow_phase { ir_factor } else { 1.0 };
                (*p, (*ir as f64 * f) as u64)
            })
            .collect();
        write_icount(&dir.join(format!("cand/icount-{j}")), &cand);
    }
}

fn slower(dir: &Path) -> Vec<String> {
    judge(dir, &AbOptions::default()).unwrap().regressions()
}

#[test]
fn unchanged_noisy_candidate_passes() {
    let tmp = tempfile::tempdir().unwrap();
    ab_folder(tmp.path(), "", 1.0, 1.0, true);
    let j = judge(tmp.path(), &AbOptions::default()).unwrap();
    assert!(j.passed(), "{j}");
    assert_eq!(j.icount_threshold, Some(0.01));
    assert!(j.exact_changes.is_empty());
}

#[test]
fn a_20_percent_slower_phase_is_flagged_alone() {
    let tmp = tempfile::tempdir().unwrap();
    ab_folder(tmp.path(), "share_encrypt_pvss_attach", 1.20, 1.0, true);
    assert_eq!(
        slower(tmp.path()),
        vec!["share_encrypt_pvss_attach (cpu time)".to_string()]
    );
}

#[test]
fn three_percent_more_instructions_are_flagged_alone() {
    let tmp = tempfile::tempdir().unwrap();
    ab_folder(tmp.path(), "edge_reconstruct", 1.0, 1.03, true);
    assert_eq!(slower(tmp.path()), vec!["edge_reconstruct (instructions)".to_string()]);
}

#[test]
fn a_base_without_phase_counts_is_not_compared_on_instructions() {
    let tmp = tempfile::tempdir().unwrap();
    ab_folder(tmp.path(), "edge_reconstruct", 1.0, 1.5, false);
    let j = judge(tmp.path(), &AbOptions::default()).unwrap();
    assert!(j.passed(), "{j}");
    assert!(j.phases.iter().all(|p| p.icount.verdict == Verdict::NotJudged));
    assert!(
        j.notes
            .iter()
            .any(|n| n.contains("predates per-phase instruction counts")),
        "{:?}",
        j.notes
    );
}
