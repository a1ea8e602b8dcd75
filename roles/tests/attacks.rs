//! The network attacks that once gave wrong "verified" sums or cost honest parties their place,
//! end to end in every mode: a dealing in an honest DP's name, garbage and misattributed
//! packets to a CP (including DP numbers out of range), garbage uploads naming a CP before its
//! own, and all of them at once with replays of every message kind. Each must be refused with
//! the culprit named (the sender the network authenticated), nothing excluded, and the right
//! result, using every honest CP's contribution.

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::event::Action;
use dsmpc_roles::parties::Check;
use dsmpc_roles::session::SessionReport;
use dsmpc_roles::{SessionConfig, session};
use num_bigint::BigUint;

const N: usize = 5;
const K: usize = 4;

fn cfg(verify: VerifyMode, faults: &[&str], seed: Option<u64>) -> SessionConfig {
    SessionConfig {
        n: N,
        m: K,
        capacity: K,
        t: 3,
        rsa_bits: 1024,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend: BackendKind::Num,
        verify,
        seed,
        value_bits: 16,
        faults: faults.iter().map(|f| f.parse().unwrap()).collect(),
        ..SessionConfig::default()
    }
}

/// DP d holds 1000 + d.
fn values() -> Vec<BigUint> {
    (1..=N as u32).map(|d| BigUint::from(1000 + d)).collect()
}

/// Run, and check the result is the sum over all DPs, nothing excluded, and every CP's result
/// used (cross-checked by all k, or verified).
fn all_counted(verify: VerifyMode, faults: &[&str], seed: Option<u64>) -> SessionReport {
    let r = session::run(&cfg(verify, faults, seed), Some(&values()), None)
        .unwrap_or_else(|e| panic!("{verify} {faults:?}: {e}"));
    let total: u32 = (1..=N as u32).map(|d| 1000 + d).sum();
    assert_eq!(r.outcome.sum, BigUint::from(total), "{verify} {faults:?}");
    assert_eq!(r.outcome.n, N, "{verify} {faults:?}");
    assert!(r.excluded.is_empty(), "{verify} {faults:?}: {:?}", r.excluded);
    let want = if verify == VerifyMode::Vss {
        Check::Verified
    } else {
        Check::CrossChecked(K)
    };
    assert_eq!(r.outcome.check, want, "{verify} {faults:?}");
    for d in &r.detections {
        assert!(
            d.action == Action::Ignored,
            "{verify} {faults:?}: only ignored messages, not {d}"
        );
    }
    r
}

fn said(r: &SessionReport, by: &str, subject: &str, text: &str) -> bool {
    r.detections
        .iter()
        .any(|d| d.by == by && d.subject == subject && d.reason.contains(text))
}

#[test]
fn a_dealing_in_an_honest_dps_name_is_refused_and_the_impostor_named() {
    for verify in VerifyMode::ALL {
        // DP3 deals in DP2's name, ahead of DP2, a different value to every CP and the Edge.
        let r = all_counted(verify, &["impersonate:dp=2"], Some(4));
        for i in 1..=K {
            assert!(
                said(&r, &format!("CP(i={i})"), "DP3", "claims to be from DP2"),
                "{verify}: {:#?}",
                r.detections
            );
        }
        if verify == VerifyMode::Vss {
            assert!(said(&r, "Edge", "DP3", "claim to be from DP2"), "{verify}");
        }
        assert!(
            r.detections.iter().all(|d| d.subject != "DP2"),
            "{verify}: nothing held against the honest DP2"
        );
    }
}

#[test]
fn garbage_and_out_of_range_packets_cost_a_cp_nothing() {
    for verify in VerifyMode::ALL {
        let r = all_counted(verify, &["garbage:cp=2"], Some(5));
        let at_cp2: Vec<_> = r.detections.iter().filter(|d| d.by == "CP(i=2)").collect();
        assert!(at_cp2.len() >= 9, "{verify}: {at_cp2:#?}");
        assert!(said(&r, "CP(i=2)", "Outsider1", "malformed"), "{verify}");
        assert!(said(&r, "CP(i=2)", "DP2", "claims to be from DP1"), "{verify}");
        assert!(
            said(&r, "CP(i=2)", "DP2", &format!("claims to be from DP{}", N + 7)),
            "{verify}: a DP number out of range takes no slot"
        );
        assert!(
            said(&r, "CP(i=2)", "DP2", "agreed_set message not expected"),
            "{verify}"
        );
    }
}

#[test]
fn garbage_uploads_before_the_real_one_do_not_take_its_place() {
    for verify in VerifyMode::ALL {
        let r = all_counted(verify, &["garbage-upload:cp=3"], Some(6));
        assert!(said(&r, "Edge", "Outsider1", "not expected"), "{verify}");
        assert!(said(&r, "Edge", "CP(i=1)", "claims to be from CP(i=3)"), "{verify}");
    }
}

#[test]
fn every_network_attack_at_once_with_and_without_a_seed() {
    let all = [
        "impersonate:dp=1",
        "impersonate:dp=5",
        "garbage:cp=1",
        "garbage:cp=4",
        "garbage-upload:cp=2",
        "garbage-upload:cp=4",
        "replay:cp=1",
        "replay:cp=3",
    ];
    for verify in VerifyMode::ALL {
        for seed in [Some(7), None] {
            let r = all_counted(verify, &all, seed);
            assert!(r.detections.len() > 40, "{verify}: {}", r.detections.len());
        }
    }
}

#[test]
fn the_same_attacks_give_the_same_transcript_on_one_and_two_threads() {
    let faults = ["impersonate:dp=2", "garbage:cp=1", "garbage-upload:cp=3", "replay:cp=2"];
    for verify in [VerifyMode::Batch, VerifyMode::Vss] {
        let one = session::run(&cfg(verify, &faults, Some(8)), Some(&values()), None).unwrap();
        let two = session::run(
            &SessionConfig {
                threads: 2,
                ..cfg(verify, &faults, Some(8))
            },
            Some(&values()),
            None,
        )
        .unwrap();
        assert_eq!(one.transcript_sha256, two.transcript_sha256, "{verify}");
        assert_eq!(one.detections, two.detections, "{verify}");
    }
}
