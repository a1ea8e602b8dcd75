//! Randomised fault scenarios: whole sessions with random sizes, a random subset of faulty DPs
//! (bad share, inconsistent dealing, dropped) and up to k - t faulty CPs (wrong result,
//! dropped, bad signature), plus random replays.
//!
//! - `vss`, 1,200 scenarios: no run ever outputs a wrong result. With at least t honest CPs
//!   every run succeeds (unless every DP was faulty and excluded, a clean abort); the sum is the
//!   plaintext sum over the agreed DPs; no honest DP is ever excluded.
//! - the paper's modes, 400 scenarios: a run either aborts cleanly or outputs the right sum,
//!   except where the outcome itself says it could not be cross-checked (exactly t results).
//!
//! Each scenario has its own seed (so its own keys and randomness): P-256 keys, which cost
//! nothing to make, held in memory only.

use std::collections::BTreeSet;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng;
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::parties::Check;
use dsmpc_roles::suite::SuiteKind;
use dsmpc_roles::{RolesError, SessionConfig, session};
use num_bigint::BigUint;
use rand_core::Rng;
use rayon::prelude::*;

struct Scenario {
    cfg: SessionConfig,
    values: Vec<BigUint>,
    faulty_dps: BTreeSet<u32>,
}

fn below(r: &mut impl Rng, n: u64) -> u64 {
    r.next_u64() % n
}

fn scenario(i: u64, verify: VerifyMode) -> Scenario {
    let mut r = rng::seeded(i, "fault-scenario");
    let n = 2 + below(&mut r, 5) as usize; // 2..=6
    let k = 2 + below(&mut r, 4) as usize; // 2..=5
    let t = 2 + below(&mut r, (k - 1) as u64) as usize; // 2..=k
    let mut faults = Vec::new();
    let mut faulty_dps = BTreeSet::new();
    for dp in 1..=n as u32 {
        match below(&mut r, 6) {
            0 => faults.push(Fault::BadShare {
                dp,
                cp: 1 + below(&mut r, k as u64) as u32,
            }),
            1 => faults.push(Fault::InconsistentDealing { dp }),
            2 => {
                let lowest = if verify == VerifyMode::Vss { 0 } else { 1 };
                faults.push(Fault::DropDp {
                    dp,
                    reach: (lowest + below(&mut r, (k - lowest as usize) as u64)) as u16,
                })
            }
            _ => continue,
        }
        faulty_dps.insert(dp);
    }
    let mut vids: Vec<u32> = (1..=k as u32).collect();
    let bad_cps = below(&mut r, (k - t + 1) as u64) as usize;
    for _ in 0..bad_cps {
        let cp = vids.swap_remove(below(&mut r, vids.len() as u64) as usize);
        faults.push(match below(&mut r, 3) {
            0 => Fault::BadResult { cp },
            1 => Fault::DropCp { cp },
            _ => Fault::BadSignature { cp },
        });
    }
    if below(&mut r, 4) == 0 {
        faults.push(Fault::Replay {
            cp: 1 + below(&mut r, k as u64) as u32,
        });
    }
    let values = (0..n).map(|_| BigUint::from(below(&mut r, 1 << 20))).collect();
    let cfg = SessionConfig {
        n,
        m: k,
        capacity: k,
        t,
        suite: SuiteKind::P256,
        group_bits: 1024,
        backend: BackendKind::Num,
        verify,
        seed: Some(i),
        value_bits: 20,
        faults,
        ..SessionConfig::default()
    };
    Scenario {
        cfg,
        values,
        faulty_dps,
    }
}

fn keys_in_memory_only() {
    // SAFETY: set before any session runs in this test binary, which has one test thread
    // that reads the variable only after this point.
    unsafe { std::env::set_var("DSMPC_KEY_CACHE", "off") };
}

fn sum_over(s: &Scenario, excluded: &BTreeSet<u32>) -> BigUint {
    s.values
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains(&(*i as u32 + 1)))
        .map(|(_, v)| v.clone())
        .sum()
}

#[test]
fn randomised_faults_never_give_a_wrong_result() {
    keys_in_memory_only();
    const VSS: u64 = 1200;
    const PAPER: u64 = 400;
    let outcomes: Vec<Result<String, String>> = (0..VSS + PAPER)
        .into_par_iter()
        .map(|i| {
            let verify = if i < VSS {
                VerifyMode::Vss
            } else {
                VerifyMode::PVSS[(i % 3) as usize]
            };
            let s = scenario(i, verify);
            let what = format!(
                "scenario {i} ({verify}, n={} k={} t={}, {:?})",
                s.cfg.n, s.cfg.m, s.cfg.t, s.cfg.faults
            );
            let run = session::run(&s.cfg, Some(&s.values), None);
            check(&s, run).map_err(|e| format!("{what}: {e}"))
        })
        .collect();
    let failures: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    assert!(
        failures.is_empty(),
        "{} failures, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    let count = |v: &str| outcomes.iter().filter(|o| o.as_ref().is_ok_and(|s| s == v)).count();
    let vss_ok = count("vss ok") + count("vss ok, excluded");
    assert_eq!(vss_ok + count("vss abort"), VSS as usize);
    // The scenarios really exercise faults: most vss runs succeed despite them, and exclusions
    // happen (checked per run below); the paper's modes abort on a good share of them.
    assert!(vss_ok > 1000, "vss ok {vss_ok}");
    assert!(count("vss ok, excluded") > 300, "{}", count("vss ok, excluded"));
    assert!(count("paper abort") > 100, "paper aborts {}", count("paper abort"));
}

/// What one run must satisfy; `Ok` names the class of outcome.
fn check(s: &Scenario, run: Result<session::SessionReport, RolesError>) -> Result<String, String> {
    let vss = s.cfg.verify == VerifyMode::Vss;
    match run {
        Ok(r) => {
            let excluded: BTreeSet<u32> = r.excluded.keys().copied().collect();
            if !excluded.is_subset(&s.faulty_dps) {
                return Err(format!(
                    "honest DPs excluded: {excluded:?} vs faulty {:?}",
                    s.faulty_dps
                ));
            }
            let right = r.outcome.sum == sum_over(s, &excluded) && r.outcome.n == s.cfg.n - excluded.len();
            if vss {
                if !right || r.outcome.check != Check::Verified {
                    return Err(format!("WRONG RESULT {} ({:?})", r.outcome.sum, r.outcome.check));
                }
                Ok(if excluded.is_empty() {
                    "vss ok"
                } else {
                    "vss ok, excluded"
                }
                .into())
            } else if right {
                Ok("paper ok".into())
            } else if r.outcome.check == Check::Unchecked {
                Ok("paper unchecked".into())
            } else {
                Err(format!(
                    "WRONG RESULT {} presented as {:?}",
                    r.outcome.sum, r.outcome.check
                ))
            }
        }
        Err(e) => {
            let fine = if vss {
                // With at least t honest CPs, only "every DP excluded" may stop a vss run.
                matches!(e, RolesError::NoAgreedDps { .. }) && s.faulty_dps.len() == s.cfg.n
            } else {
                matches!(
                    e,
                    RolesError::PvssRejected { .. } | RolesError::ResultsInconsistent { .. }
                ) && !s.cfg.faults.is_empty()
            };
            if fine {
                Ok(if vss { "vss abort" } else { "paper abort" }.into())
            } else {
                Err(format!("unexpected abort: {e}"))
            }
        }
    }
}
