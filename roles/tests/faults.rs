//! Every injected fault kind end to end, in the paper's mode (where the run must abort cleanly
//! or detect the fault) and in `vss` mode (where it must be detected, the culprit excluded or
//! skipped, and the sum right over the agreed DPs while at least t honest CPs remain); plus the
//! aborts `vss` gives when too little is left, and the refusal of impossible faults.

use std::collections::BTreeSet;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::{PvssFailure, VerifyMode};
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::event::{Action, Detection};
use dsmpc_roles::parties::Check;
use dsmpc_roles::session::SessionReport;
use dsmpc_roles::{RolesError, SessionConfig, session};
use num_bigint::BigUint;

const N: usize = 6;

fn cfg(verify: VerifyMode, k: usize, t: usize, faults: &[&str]) -> SessionConfig {
    SessionConfig {
        n: N,
        m: k,
        capacity: k,
        t,
        rsa_bits: 1024,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend: BackendKind::Num,
        verify,
        seed: Some(21),
        value_bits: 16,
        faults: faults.iter().map(|f| f.parse().unwrap()).collect(),
        ..SessionConfig::default()
    }
}

/// DP d holds 100 d.
fn values() -> Vec<BigUint> {
    (1..=N as u32).map(|d| BigUint::from(100 * d)).collect()
}

fn sum_without(excluded: &[u32]) -> BigUint {
    BigUint::from(
        (1..=N as u32)
            .filter(|d| !excluded.contains(d))
            .map(|d| 100 * d)
            .sum::<u32>(),
    )
}

fn run(c: &SessionConfig) -> Result<SessionReport, RolesError> {
    session::run(c, Some(&values()), None)
}

fn ok(c: &SessionConfig) -> SessionReport {
    let r = run(c).unwrap_or_else(|e| panic!("{:?}: {e}", c.faults));
    assert!(r.matches(), "{:?}: {} != {}", c.faults, r.outcome.sum, r.expected_sum);
    r
}

fn excluded(r: &SessionReport) -> Vec<u32> {
    r.excluded.keys().copied().collect()
}

fn find<'a>(r: &'a SessionReport, by: &str, action: Action, subject: &str) -> &'a Detection {
    r.detections
        .iter()
        .find(|d| d.by == by && d.action == action && d.subject == subject)
        .unwrap_or_else(|| panic!("no `{by} {action} {subject}` in {:#?}", r.detections))
}

// --- bad-share ---

#[test]
fn vss_bad_share_is_rejected_by_its_cp_and_the_dp_excluded_by_all() {
    let r = ok(&cfg(VerifyMode::Vss, 5, 3, &["bad-share:dp=2,cp=4"]));
    assert_eq!(excluded(&r), vec![2]);
    assert_eq!(r.outcome.sum, sum_without(&[2]));
    assert_eq!(r.aggregated(), N - 1);
    assert!(
        find(&r, "CP(i=4)", Action::Rejected, "DP2")
            .reason
            .contains("does not match")
    );
    assert!(r.excluded[&2].contains("rejected by CP(i=4)"), "{}", r.excluded[&2]);
    assert_eq!(
        r.detections.len(),
        2,
        "only CP 4 noticed, and the Edge excluded: {:#?}",
        r.detections
    );
}

#[test]
fn paper_bad_share_aborts_naming_dp_and_cp() {
    for verify in VerifyMode::PVSS {
        let err = run(&cfg(verify, 5, 3, &["bad-share:dp=2,cp=4"])).unwrap_err();
        assert!(
            matches!(
                err,
                RolesError::PvssRejected {
                    dp: 2,
                    cp: 4,
                    reason: PvssFailure::WrongE
                }
            ),
            "{verify}: {err}"
        );
    }
}

// --- inconsistent-dealing ---

#[test]
fn vss_inconsistent_dealing_is_caught_by_the_cps_it_cheats() {
    let r = ok(&cfg(VerifyMode::Vss, 5, 3, &["inconsistent-dealing:dp=5"]));
    assert_eq!(excluded(&r), vec![5]);
    assert_eq!(r.outcome.sum, sum_without(&[5]));
    // The upper half of the roster (positions 2..5: CPs 3, 4, 5) got the second polynomial.
    let rejecting: BTreeSet<&str> = r
        .detections
        .iter()
        .filter(|d| d.action == Action::Rejected)
        .map(|d| d.by.as_str())
        .collect();
    assert_eq!(rejecting, BTreeSet::from(["CP(i=3)", "CP(i=4)", "CP(i=5)"]));
}

#[test]
fn paper_inconsistent_dealing_is_detected_when_more_than_t_results_arrive() {
    let err = run(&cfg(VerifyMode::Paper, 5, 3, &["inconsistent-dealing:dp=5"])).unwrap_err();
    assert!(
        matches!(err, RolesError::ResultsInconsistent { results: 5, t: 3 }),
        "{err}"
    );
}

// --- bad-result ---

#[test]
fn vss_bad_results_are_skipped_up_to_k_minus_t() {
    let r = ok(&cfg(VerifyMode::Vss, 5, 3, &["bad-result:cp=1", "bad-result:cp=3"]));
    assert_eq!(r.outcome.sum, sum_without(&[]));
    assert_eq!(r.outcome.check, Check::Verified);
    for cp in ["CP(i=1)", "CP(i=3)"] {
        assert!(
            find(&r, "Edge", Action::Skipped, cp)
                .reason
                .contains("combined commitments")
        );
    }
    // One more and fewer than t valid results remain: a clean abort.
    let err = run(&cfg(
        VerifyMode::Vss,
        5,
        3,
        &["bad-result:cp=1", "bad-result:cp=3", "bad-result:cp=5"],
    ))
    .unwrap_err();
    assert!(matches!(err, RolesError::NotEnoughResults { got: 2, need: 3 }), "{err}");
}

#[test]
fn paper_bad_result_is_detected_with_more_than_t_and_flagged_unchecked_with_t() {
    let err = run(&cfg(VerifyMode::Batch, 5, 3, &["bad-result:cp=2"])).unwrap_err();
    assert!(matches!(err, RolesError::ResultsInconsistent { .. }), "{err}");
    // k = t: the paper's protocol has nothing to check against. The number is wrong, and the
    // outcome says it could not be checked.
    let r = run(&cfg(VerifyMode::Paper, 3, 3, &["bad-result:cp=2"])).unwrap();
    assert_eq!(r.outcome.check, Check::Unchecked);
    assert!(!r.matches());
}

// --- drop-cp ---

#[test]
fn vss_dropped_cps_are_noticed_and_the_rest_reconstruct() {
    let r = ok(&cfg(VerifyMode::Vss, 5, 3, &["drop-cp:cp=2", "drop-cp:cp=5"]));
    assert_eq!(r.outcome.sum, sum_without(&[]));
    assert!(
        excluded(&r).is_empty(),
        "a silent CP does not exclude DPs: {:?}",
        r.excluded
    );
    for i in [2, 5] {
        let d = find(&r, "Edge", Action::Silent, &format!("CP(i={i})"));
        // The lost CP named by the VID its vehicle holds, not only by index.
        let vid = r.selected[&i];
        assert!(d.reason.contains(&format!("the CP with VID {vid} ")), "{d}");
    }
    let err = run(&cfg(
        VerifyMode::Vss,
        5,
        3,
        &["drop-cp:cp=1", "drop-cp:cp=2", "drop-cp:cp=5"],
    ))
    .unwrap_err();
    assert!(matches!(err, RolesError::TooFewCps { active: 2, need: 3 }), "{err}");
}

#[test]
fn paper_dropped_cp_leaves_a_correct_result_or_a_clean_abort() {
    let r = ok(&cfg(VerifyMode::Paper, 5, 3, &["drop-cp:cp=4"]));
    assert_eq!(r.outcome.check, Check::CrossChecked(4));
    let d = find(&r, "Edge", Action::Silent, "CP(i=4)");
    assert!(
        d.reason.ends_with(&format!("from the CP with VID {}", r.selected[&4])),
        "{d}"
    );
    let err = run(&cfg(VerifyMode::Paper, 3, 3, &["drop-cp:cp=1"])).unwrap_err();
    assert!(matches!(err, RolesError::NotEnoughResults { got: 2, need: 3 }), "{err}");
}

// --- drop-dp ---

#[test]
fn vss_dp_that_misses_cps_is_excluded_by_all() {
    let r = ok(&cfg(
        VerifyMode::Vss,
        5,
        3,
        &["drop-dp:dp=3,reach=2", "drop-dp:dp=6,reach=0"],
    ));
    assert_eq!(excluded(&r), vec![3, 6]);
    assert_eq!(r.outcome.sum, sum_without(&[3, 6]));
    assert_eq!(
        r.outcome.average(1),
        format!("{:.1}", (100 + 200 + 400 + 500) as f64 / 4.0)
    );
    assert!(
        r.excluded[&3].contains("did not reach CP(i=3), CP(i=4), CP(i=5)"),
        "{}",
        r.excluded[&3]
    );
}

#[test]
fn paper_dp_that_misses_cps_is_a_clean_abort_naming_it() {
    let err = run(&cfg(VerifyMode::Fast, 4, 2, &["drop-dp:dp=1,reach=3"])).unwrap_err();
    match err {
        RolesError::MissingShares { cp: 4, ref dps } if dps == &[1] => {}
        e => panic!("{e}"),
    }
}

// --- replay ---

#[test]
fn replays_of_every_kind_are_ignored_in_every_mode() {
    for verify in VerifyMode::ALL {
        let vss = verify == VerifyMode::Vss;
        let r = ok(&cfg(verify, 4, 3, &["replay:cp=2"]));
        assert_eq!(r.outcome.sum, sum_without(&[]), "{verify}: counted once");
        assert!(r.excluded.is_empty(), "{verify}");
        assert!(
            r.detections.iter().all(|d| d.action == Action::Ignored),
            "{verify}: {:#?}",
            r.detections
        );
        // Every message to and from CP 2 came twice; each second copy was ignored where it
        // arrived, naming the sender the network authenticated.
        let reason = |by: &str, subject: &str| find(&r, by, Action::Ignored, subject).reason.clone();
        assert!(
            reason("CP(VID=2)", "Cloud").contains("second task_announce"),
            "{verify}"
        );
        assert!(reason("Cloud", "CP(VID=2)").contains("replayed nonce"), "{verify}");
        assert!(reason("CP(i=2)", "Cloud").contains("second index_assign"), "{verify}");
        for d in 1..=N {
            assert!(
                reason("CP(i=2)", &format!("DP{d}")).contains("second share packet"),
                "{verify}"
            );
        }
        let said = |by: &str, subject: &str, text: &str| {
            r.detections
                .iter()
                .any(|d| d.by == by && d.subject == subject && d.reason.contains(text))
        };
        assert!(said("Edge", "CP(i=2)", "second upload"), "{verify}");
        let per_kind = if vss {
            // the commitments of each DP relayed twice, the report, and the agreed set
            assert!(said("Edge", "CP(i=2)", "second report"), "{verify}");
            assert!(said("CP(i=2)", "Edge", "second agreed_set"), "{verify}");
            for d in 1..=N {
                assert!(
                    said("CP(i=2)", "Edge", &format!("second commitments of DP{d}")),
                    "{verify}"
                );
            }
            N + 2
        } else {
            0
        };
        assert_eq!(r.detections.len(), 4 + N + per_kind, "{verify}: {:#?}", r.detections);
    }
}

// --- bad-signature ---

#[test]
fn a_candidate_with_a_bad_signature_is_refused_and_the_run_goes_on() {
    for verify in [VerifyMode::Paper, VerifyMode::Vss] {
        let r = ok(&cfg(verify, 4, 3, &["bad-signature:cp=1"]));
        assert!(
            find(&r, "Cloud", Action::NotSelected, "CP(VID=1)")
                .reason
                .contains("bad signature"),
            "{verify}"
        );
        assert_eq!(r.selected.values().copied().collect::<Vec<_>>(), vec![2, 3, 4]);
    }
    // A spare candidate takes the place.
    let c = SessionConfig {
        m: 5,
        capacity: 4,
        ..cfg(VerifyMode::Vss, 4, 3, &["bad-signature:cp=1"])
    };
    let r = ok(&c);
    assert_eq!(r.selected.values().copied().collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    // Too few left for t: a clean abort.
    let err = run(&cfg(VerifyMode::Vss, 3, 3, &["bad-signature:cp=3"])).unwrap_err();
    assert!(matches!(err, RolesError::TooFewSelected { t: 3, selected: 2 }), "{err}");
}

// --- combinations and aborts ---

#[test]
fn vss_survives_every_kind_at_once_with_t_honest_cps() {
    let r = ok(&cfg(
        VerifyMode::Vss,
        6,
        3,
        &[
            "bad-share:dp=1,cp=2",
            "inconsistent-dealing:dp=2",
            "drop-dp:dp=3,reach=1",
            "bad-result:cp=1",
            "drop-cp:cp=6",
            "replay:cp=3",
            "bad-signature:cp=5",
        ],
    ));
    assert_eq!(excluded(&r), vec![1, 2, 3]);
    assert_eq!(r.outcome.sum, sum_without(&[1, 2, 3]));
}

#[test]
fn vss_with_every_dp_excluded_aborts_without_a_number() {
    let faults: Vec<String> = (1..=N).map(|d| format!("drop-dp:dp={d},reach=1")).collect();
    let faults: Vec<&str> = faults.iter().map(String::as_str).collect();
    let err = run(&cfg(VerifyMode::Vss, 3, 2, &faults)).unwrap_err();
    assert!(matches!(err, RolesError::NoAgreedDps { n: N }), "{err}");
}

#[test]
fn impossible_faults_are_refused_before_the_run() {
    let refused = |verify, faults: &[&str], want: &str| {
        let err = cfg(verify, 4, 3, faults).validate().unwrap_err();
        assert!(matches!(err, RolesError::Config(_)), "{err}");
        assert!(err.to_string().contains(want), "{err}");
    };
    refused(VerifyMode::Vss, &["bad-share:dp=7,cp=1"], "only 6 DPs");
    refused(VerifyMode::Vss, &["drop-cp:cp=5"], "only 4 candidate CPs");
    refused(VerifyMode::Vss, &["drop-dp:dp=1,reach=4"], "reach must be below");
    refused(VerifyMode::Paper, &["drop-dp:dp=1,reach=0"], "never took part");
    assert!(cfg(VerifyMode::Vss, 4, 3, &["drop-dp:dp=1,reach=0"]).validate().is_ok());
    assert!(matches!(
        "drop-dp:dp=1".parse::<Fault>(),
        Err(e) if e.contains("needs reach=")
    ));
}

#[test]
fn vss_with_faults_is_the_same_on_one_thread_or_several() {
    // 70 DPs: two chunks, so faults land on both sides of a chunk boundary.
    let base = SessionConfig {
        n: 70,
        ..cfg(
            VerifyMode::Vss,
            4,
            2,
            &[
                "bad-share:dp=60,cp=2",
                "drop-dp:dp=66,reach=1",
                "replay:cp=3",
                "bad-result:cp=4",
            ],
        )
    };
    let threaded = SessionConfig {
        threads: 2,
        ..base.clone()
    };
    let (a, b) = (
        session::run(&base, None, None).unwrap(),
        session::run(&threaded, None, None).unwrap(),
    );
    assert!(a.matches() && b.matches());
    assert_eq!(excluded(&a), vec![60, 66]);
    assert_eq!(
        a.transcript_sha256, b.transcript_sha256,
        "thread count changed the transcript"
    );
    assert_eq!(a.detections, b.detections);
    assert_eq!(a.excluded, b.excluded);
}
