//! Aggregation and fitting: summaries over repetitions match a by-hand computation on the
//! fixture, and slope fits recover a known exponent from noisy synthetic data.

mod common;

use dsmpc_reports::Dataset;
use dsmpc_reports::stats::{Stat, geometric_mean, loglog_fit, median, pooled_loglog_fit};

#[test]
fn median_min_max_over_repetitions() {
    let ds = Dataset::load(&common::sweep()).unwrap();
    let points = ds.points();
    let p = points
        .iter()
        .find(|p| p.point == "n40-m5-k5-t3-rsa2048-g2048-num-batch-rsa")
        .unwrap();
    let mut raw: Vec<f64> = ds
        .phases
        .iter()
        .filter(|r| r.point == p.point && r.phase == "share_encrypt_pvss_attach")
        .map(|r| r.work_cpu_s)
        .collect();
    raw.sort_by(f64::total_cmp);
    assert_eq!(raw.len(), 3);
    let s = p.phase("share_encrypt_pvss_attach").unwrap().work_cpu;
    assert_eq!((s.min, s.median, s.max, s.count), (raw[0], raw[1], raw[2], 3));
    assert!(s.spread() > 0.0 && s.spread() < 0.3);
    assert!((p.total_work() - p.phases.iter().map(|x| x.work_cpu.median).sum::<f64>()).abs() < 1e-12);
}

#[test]
fn stat_basics() {
    assert_eq!(median(&[5.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(Stat::of(&[2.0]).unwrap().spread(), 0.0);
    assert!((geometric_mean(&[1.0, 4.0]).unwrap() - 2.0).abs() < 1e-12);
    assert!(geometric_mean(&[1.0, 0.0]).is_none());
}

#[test]
fn loglog_slope_recovers_exponent() {
    let mut rng = common::Rng::new(11);
    let pts: Vec<(f64, f64)> = [10.0, 20.0, 40.0, 80.0, 160.0, 320.0]
        .iter()
        .map(|n: &f64| (*n, 0.003 * n.powf(1.5) * (1.0 + 0.02 * rng.normal())))
        .collect();
    let f = loglog_fit(&pts).unwrap();
    assert!((f.slope - 1.5).abs() < 0.03, "slope {}", f.slope);
    assert!(f.r2 > 0.99);

    // two groups with very different constants share the exponent
    let g1: Vec<(f64, f64)> = [10.0, 20.0, 40.0]
        .iter()
        .map(|n: &f64| (*n, 0.5 * n.powf(1.02)))
        .collect();
    let g2: Vec<(f64, f64)> = [10.0, 40.0, 100.0]
        .iter()
        .map(|n: &f64| (*n, 90.0 * n.powf(1.02)))
        .collect();
    let f = pooled_loglog_fit(&[g1.clone(), g2]).unwrap();
    assert!((f.slope - 1.02).abs() < 1e-9);
    // a naive fit over both groups would be badly off
    let all: Vec<(f64, f64)> = g1.into_iter().chain([(100.0, 1.0)]).collect();
    assert!((loglog_fit(&all).unwrap().slope - 1.02).abs() > 0.2);
    assert!(loglog_fit(&[(10.0, 1.0), (10.0, 2.0)]).is_none());
}
