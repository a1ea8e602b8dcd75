//! `vss` mode at the level of single parties, one test per path: RSA-1024 carrying the 64-byte
//! share pair in two OAEP blocks; a CP's four reasons to reject a DP and its report; the CP's
//! checks of relayed commitments (a DP signature that does not verify, an unknown DP, a second
//! copy, not from the Edge); the Edge's checks of commitments (from the DP they name, a DP of the
//! task, for this task, signed, t group elements, once); the agreement round (reports from the
//! CP holding the index they name, once, naming DPs of the task; exclusions with reasons; an
//! abort when fewer than t CPs report); the agreed set at the CP (from the Edge, once); and
//! verified aggregation end to end, with a CP whose upload does not match the commitments.

mod common;

use std::sync::Arc;

use common::{
    Dealt, World, decode, deliver, detections, edit_commitments, expire, failure, ignored, only_to, pump, quiet,
    refused, world,
};
use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::PrimeOrderGroup;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng;
use dsmpc_roles::RolesError;
use dsmpc_roles::adversary::{Fault, corrupt_check, corrupt_dealing};
use dsmpc_roles::event::{Action, Event};
use dsmpc_roles::parties::{Check, Party, PartyId, Transmit};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::wire::{AgreedSet, DpReport, Message, MessageKind, Rejection, ResultUpload, labels};
use num_bigint::BigUint;

type B = Num;

/// 3 selected CPs (VID i has index i) in vss mode, t = 2, `n` DPs.
fn selected(n: u32) -> World<B> {
    let mut w = world::<B>(3, 3, 2, n, VerifyMode::Vss);
    assert_eq!(w.select_all(), vec![Some(1), Some(2), Some(3)]);
    w
}

/// A report of CP `index`.
fn report(w: &World<B>, index: u16, accepted: Vec<(u32, u32)>, rejected: Vec<(u32, Rejection)>) -> Vec<u8> {
    Message::DpReport(DpReport {
        task: w.task(),
        index,
        accepted,
        rejected,
    })
    .encode()
}

/// The `Agreed` event among `events`.
fn agreed(events: &[Event]) -> &std::collections::BTreeMap<u32, String> {
    events
        .iter()
        .find_map(|e| match e {
            Event::Agreed { excluded } => Some(excluded),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no agreement in {events:?}"))
}

/// The subjects of the detections with `action` among `events`.
fn subjects(events: &[Event], action: Action) -> Vec<String> {
    detections(events)
        .iter()
        .filter(|d| d.action == action)
        .map(|d| d.subject.clone())
        .collect()
}

#[test]
fn rsa_1024_carries_the_share_pair_in_two_blocks_that_cannot_be_reordered() {
    let w = selected(1);
    let d = w.deal(1, 42);
    let Message::SharePacket(p) = decode(d.to(1)) else {
        panic!()
    };
    assert_eq!(p.eshare.len(), 256, "two 128-byte blocks");
    assert!(
        p.e.is_empty() && p.c.is_empty() && p.r.is_empty(),
        "no PVSS attachment in vss"
    );
    assert_eq!(w.suite.ciphertext_len(64), 256);
    assert_eq!(w.suite.ciphertext_len(62), 128);
    let sk = w.keys.enc_key(&w.suite, "vid1").unwrap();
    let label = labels::share(&w.task(), 1, 1);
    let mut r = rng::seeded(3, "dec");
    assert_eq!(w.suite.decrypt(&sk, &label, &p.eshare, &mut r).unwrap().len(), 64);
    let mut swapped = p.eshare[128..].to_vec();
    swapped.extend_from_slice(&p.eshare[..128]);
    assert!(w.suite.decrypt(&sk, &label, &swapped, &mut r).is_none());
    assert!(w.suite.decrypt(&sk, &label, &p.eshare[..200], &mut r).is_none());
    // The commitments go to the Edge, signed by the DP: t elements of the group's size.
    let Message::Commitments(c) = decode(d.commitments()) else {
        panic!()
    };
    assert_eq!((c.dp, c.elements.len()), (1, 2));
    assert!(c.elements.iter().all(|e| e.len() == w.group.element_len()));
    assert!(w.dp_keys.as_ref().unwrap().verify(&c));
}

#[test]
fn a_cp_rejects_for_each_reason_and_reports_it() {
    let mut w = selected(5);
    let honest = w.deal(1, 10);
    let bad_share = corrupt_dealing(&[Fault::BadShare { dp: 2, cp: 1 }], 2, w.check.clone());
    let cheat = w.deal_with(2, 20, bad_share);
    let tampered = w.deal(3, 30);
    let missing = w.deal(4, 40);
    let with_att = w.deal(5, 50);
    let cp = &mut w.cps[0];
    for d in [&honest, &cheat, &tampered, &with_att] {
        quiet(&deliver(cp, PartyId::Edge, d.commitments()));
    }
    let mut events = Vec::new();
    let packets = [
        (1, honest.to(1).to_vec()),
        (2, cheat.to(1).to_vec()),
        (3, common::edit_share(tampered.to(1), |p| p.eshare[7] ^= 1)),
        (4, missing.to(1).to_vec()),
        (5, common::edit_share(with_att.to(1), |p| p.r = vec![1; 32])),
    ];
    for (d, bytes) in packets {
        let (sent, evs) = deliver(cp, PartyId::Dp(d), &bytes);
        assert!(sent.is_empty(), "nothing sent before every DP is decided");
        events.extend(evs);
    }
    assert_eq!(cp.accepted(), 1);
    // DP4's commitments never come: decided at the deadline.
    let (sent, evs) = expire(cp);
    events.extend(evs);
    let want = [
        (2, Rejection::Mismatch),
        (3, Rejection::Undecryptable),
        (4, Rejection::NoCommitments),
        (5, Rejection::Malformed),
    ];
    assert_eq!(cp.rejected().iter().map(|(d, r)| (*d, *r)).collect::<Vec<_>>(), want);
    let mut got: Vec<(String, String)> = detections(&events)
        .iter()
        .map(|d| {
            assert_eq!((d.by.as_str(), d.action), ("CP(i=1)", Action::Rejected), "{d}");
            (d.subject.clone(), d.reason.clone())
        })
        .collect();
    got.sort();
    let want_detections: Vec<(String, String)> = want.iter().map(|(d, r)| (format!("DP{d}"), r.to_string())).collect();
    assert_eq!(got, want_detections);
    assert_eq!(events.len(), 4, "{events:?}");
    // The report, and nothing uploaded before the agreement.
    let bytes = only_to(&sent, PartyId::Edge, MessageKind::DpReport);
    assert_eq!(sent.len(), 1);
    let Message::DpReport(r) = decode(&bytes) else { panic!() };
    assert_eq!(r.index, 1);
    assert_eq!(r.accepted, vec![(1, 1)]);
    assert_eq!(r.rejected, want.to_vec());
    assert!(cp.poll_timeout().is_some(), "waiting for the agreed set");
}

#[test]
fn a_cp_ignores_relayed_commitments_without_a_valid_signature_of_a_dp_of_the_task() {
    let mut w = selected(2);
    let d1 = w.deal(1, 10);
    let d2 = w.deal(2, 20);
    let outsider = w.deal(3, 30);
    let cp = &mut w.cps[0];
    let by = "CP(i=1)";
    let cases = [
        (
            "bad signature",
            edit_commitments(d1.commitments(), |c| c.sig[5] ^= 1),
            "commitments of DP1 without a valid signature of that DP",
        ),
        (
            "other elements under DP1's signature",
            edit_commitments(d1.commitments(), |c| c.elements.swap(0, 1)),
            "commitments of DP1 without a valid signature of that DP",
        ),
        (
            "DP1's commitments relabelled as DP2's",
            edit_commitments(d1.commitments(), |c| c.dp = 2),
            "commitments of DP2 without a valid signature of that DP",
        ),
        (
            "DP2's key signing in DP1's name",
            edit_commitments(d2.commitments(), |c| c.dp = 1),
            "commitments of DP1 without a valid signature of that DP",
        ),
        (
            "a DP outside the task",
            outsider.commitments().to_vec(),
            "commitments of DP3, not a DP of this task",
        ),
        (
            "DP0",
            edit_commitments(d1.commitments(), |c| c.dp = 0),
            "commitments of DP0, not a DP of this task",
        ),
    ];
    for (what, bytes, why) in cases {
        let out = deliver(cp, PartyId::Edge, &bytes);
        assert!(refused(&out).reason.starts_with(why), "{what}");
        ignored(&out, by, "Edge", why);
    }
    // Commitments come from the Edge, not from the DP directly.
    let out = deliver(cp, PartyId::Dp(1), d1.commitments());
    ignored(&out, by, "DP1", "commitments message not expected from DP1");
    // Nothing was taken: DP1's genuine commitments and share are accepted, once.
    quiet(&deliver(cp, PartyId::Edge, d1.commitments()));
    quiet(&deliver(cp, PartyId::Dp(1), d1.to(1)));
    assert_eq!(cp.accepted(), 1);
    let out = deliver(cp, PartyId::Edge, d1.commitments());
    ignored(&out, by, "Edge", "second commitments of DP1; only the first count");
    // DP2's share first, then its commitments: the report follows.
    quiet(&deliver(cp, PartyId::Dp(2), d2.to(1)));
    let (sent, events) = deliver(cp, PartyId::Edge, d2.commitments());
    assert!(events.is_empty(), "{events:?}");
    let Message::DpReport(r) = decode(&only_to(&sent, PartyId::Edge, MessageKind::DpReport)) else {
        panic!()
    };
    assert_eq!((r.accepted, r.rejected), (vec![(1, 2)], vec![]));
}

#[test]
fn the_edge_relays_only_well_formed_signed_commitments_from_the_dp_they_name() {
    let w = selected(3);
    let d: Vec<Dealt> = (1..=3).map(|d| w.deal(d, 10 * d)).collect();
    let mut e = w.edge_with_roster();
    // Ignored, taking no slot: another DP's commitments, a DP outside the task, another task,
    // from a CP.
    ignored(
        &deliver(&mut e, PartyId::Dp(2), d[0].commitments()),
        "Edge",
        "DP2",
        "commitments claim to be from DP1",
    );
    let outsider = w.deal(4, 40);
    ignored(
        &deliver(&mut e, PartyId::Dp(4), outsider.commitments()),
        "Edge",
        "DP4",
        "not a DP of this task",
    );
    let other_task = edit_commitments(d[0].commitments(), |c| c.task = [0; 16]);
    ignored(
        &deliver(&mut e, PartyId::Dp(1), &other_task),
        "Edge",
        "DP1",
        "commitments message for another task",
    );
    ignored(
        &deliver(&mut e, PartyId::Cp(1), d[0].commitments()),
        "Edge",
        "CP(i=1)",
        "commitments message",
    );
    // DP1's own are relayed unchanged to every selected CP, once.
    let (sent, events) = deliver(&mut e, PartyId::Dp(1), d[0].commitments());
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(
        sent.iter().map(|t| t.to).collect::<Vec<_>>(),
        vec![PartyId::Cp(1), PartyId::Cp(2), PartyId::Cp(3)]
    );
    assert!(sent.iter().all(|t| *t.bytes == *d[0].commitments()));
    ignored(
        &deliver(&mut e, PartyId::Dp(1), d[0].commitments()),
        "Edge",
        "DP1",
        "second commitments; only the first count",
    );
    // Signed by their DP but malformed, or not signed: rejected (the DP is at fault), not relayed.
    let el = w.group.element_len();
    let short = edit_commitments(d[1].commitments(), |c| {
        c.elements.pop();
        w.resign(2, c);
    });
    let not_in_group = edit_commitments(d[2].commitments(), |c| {
        let x = B::from_be_bytes(&c.elements[1]);
        c.elements[1] = w
            .group
            .schnorr()
            .unwrap()
            .element_to_bytes(&B::sub(w.group.schnorr().unwrap().p(), &x));
        w.resign(3, c);
    });
    for (dp, bytes, why) in [
        (
            2,
            short,
            format!("commitments: 1 commitments, need t = 2 group elements of {el} bytes"),
        ),
        (
            3,
            not_in_group,
            format!("commitments: 2 commitments, need t = 2 group elements of {el} bytes"),
        ),
    ] {
        let out = deliver(&mut e, PartyId::Dp(dp), &bytes);
        let det = refused(&out);
        assert_eq!(
            (det.by.as_str(), det.subject.clone(), det.action, det.reason.clone()),
            ("Edge", format!("DP{dp}"), Action::Rejected, why)
        );
        // Only the first copy counts, even when it was bad.
        ignored(
            &deliver(&mut e, PartyId::Dp(dp), d[dp as usize - 1].commitments()),
            "Edge",
            &format!("DP{dp}"),
            "second commitments",
        );
    }
    // Every CP accepted every DP: the agreement excludes the two with bad commitments.
    quiet(&deliver(&mut e, PartyId::Cp(1), &report(&w, 1, vec![(1, 3)], vec![])));
    quiet(&deliver(&mut e, PartyId::Cp(2), &report(&w, 2, vec![(1, 3)], vec![])));
    let (sent, events) = deliver(&mut e, PartyId::Cp(3), &report(&w, 3, vec![(1, 3)], vec![]));
    let excluded = agreed(&events);
    assert_eq!(excluded.keys().copied().collect::<Vec<_>>(), vec![2, 3]);
    assert!(excluded[&2].starts_with("its commitments are malformed (1 commitments"));
    assert_eq!(sent.len(), 3);

    // A bad signature from the DP itself.
    let mut e = w.edge_with_roster();
    let forged = edit_commitments(d[0].commitments(), |c| c.sig[0] ^= 1);
    let det = refused(&deliver(&mut e, PartyId::Dp(1), &forged)).clone();
    assert_eq!(
        (det.subject.as_str(), det.action, det.reason.as_str()),
        (
            "DP1",
            Action::Rejected,
            "commitments: the signature does not verify under the DP's key"
        )
    );
}

#[test]
fn the_agreement_excludes_with_reasons_and_aborts_when_too_little_is_left() {
    let w = selected(4);
    let commit = |e: &mut dyn Party| {
        for d in 1..=3 {
            let dealt = w.deal(d, 10 * d);
            let (sent, _) = deliver(e, PartyId::Dp(d), dealt.commitments());
            assert_eq!(sent.len(), 3, "relayed");
        }
    };
    // Only one report by the deadline: fewer than t = 2 CPs.
    let mut e = w.edge_with_roster();
    commit(&mut e);
    quiet(&deliver(&mut e, PartyId::Cp(1), &report(&w, 1, vec![(1, 4)], vec![])));
    let (sent, events) = expire(&mut e);
    assert!(sent.is_empty());
    assert_eq!(subjects(&events, Action::Silent), vec!["CP(i=2)", "CP(i=3)"]);
    assert!(
        matches!(failure(&events), RolesError::TooFewCps { active: 1, need: 2 }),
        "{events:?}"
    );

    let mut e = w.edge_with_roster();
    commit(&mut e);
    let r1 = report(&w, 1, vec![(1, 4)], vec![]);
    quiet(&deliver(&mut e, PartyId::Cp(1), &r1));
    ignored(
        &deliver(&mut e, PartyId::Cp(1), &r1),
        "Edge",
        "CP(i=1)",
        "a second report; only the first counts",
    );
    ignored(
        &deliver(&mut e, PartyId::Cp(3), &report(&w, 3, vec![(1, 5)], vec![])),
        "Edge",
        "CP(i=3)",
        "report names a DP outside 1..=4",
    );
    ignored(
        &deliver(&mut e, PartyId::Cp(3), &report(&w, 3, vec![(0, 2)], vec![])),
        "Edge",
        "CP(i=3)",
        "report names a DP outside 1..=4",
    );
    // A report claiming another CP's index, from a selected CP or from a vehicle that was not.
    let r2 = report(&w, 2, vec![(1, 1), (4, 4)], vec![(2, Rejection::Mismatch)]);
    ignored(
        &deliver(&mut e, PartyId::Cp(3), &r2),
        "Edge",
        "CP(i=3)",
        "report claims to be from CP(i=2)",
    );
    ignored(
        &deliver(&mut e, PartyId::Cp(7), &r2),
        "Edge",
        "CP(VID=7)",
        "report claims to be from CP(i=2)",
    );
    ignored(
        &deliver(&mut e, PartyId::Dp(1), &r2),
        "Edge",
        "DP1",
        "dp_report message not expected from DP1",
    );
    // The real one counts.
    quiet(&deliver(&mut e, PartyId::Cp(2), &r2));
    let (sent, events) = expire(&mut e);
    assert_eq!(subjects(&events, Action::Silent), vec!["CP(i=3)"]);
    assert_eq!(subjects(&events, Action::Excluded), vec!["DP2", "DP3", "DP4"]);
    let excluded = agreed(&events);
    assert_eq!(excluded.keys().copied().collect::<Vec<_>>(), vec![2, 3, 4]);
    assert!(excluded[&2].contains("rejected by CP(i=2): its share pair does not match"));
    assert!(excluded[&3].contains("did not reach CP(i=2)"));
    assert!(excluded[&4].contains("commitments did not reach the Edge"));
    // The agreed set goes to the CPs that reported.
    assert_eq!(
        sent.iter().map(|t| t.to).collect::<Vec<_>>(),
        vec![PartyId::Cp(1), PartyId::Cp(2)]
    );
    let Message::AgreedSet(s) = decode(&sent[0].bytes) else {
        panic!()
    };
    assert_eq!(s.excluded, vec![2, 3, 4]);
    // A CP that did not report has its upload refused, and its late report is not taken.
    let up = Message::ResultUpload(ResultUpload {
        task: w.task(),
        index: 3,
        ct: vec![0; 128],
    })
    .encode();
    let det = refused(&deliver(&mut e, PartyId::Cp(3), &up)).clone();
    assert_eq!(
        (det.subject.as_str(), det.action, det.reason.as_str()),
        ("CP(i=3)", Action::Skipped, "it took no part in the agreement round")
    );
    ignored(
        &deliver(&mut e, PartyId::Cp(3), &report(&w, 3, vec![(1, 4)], vec![])),
        "Edge",
        "CP(i=3)",
        "dp_report message",
    );
}

#[test]
fn a_cp_takes_one_agreed_set_and_only_from_the_edge() {
    let mut w = selected(2);
    let dealt: Vec<Dealt> = (1..=2).map(|d| w.deal(d, 10 * d)).collect();
    let task = w.task();
    let cp = &mut w.cps[0];
    for (d, x) in dealt.iter().enumerate() {
        quiet(&deliver(cp, PartyId::Edge, x.commitments()));
        let (sent, _) = deliver(cp, PartyId::Dp(d as u32 + 1), x.to(1));
        if d == 1 {
            only_to(&sent, PartyId::Edge, MessageKind::DpReport);
        }
    }
    let set = |excluded: Vec<u32>| Message::AgreedSet(AgreedSet { task, excluded }).encode();
    for from in [PartyId::Dp(1), PartyId::Cp(2), PartyId::Cloud, PartyId::Outsider(1)] {
        let out = deliver(cp, from, &set(vec![1]));
        ignored(
            &out,
            "CP(i=1)",
            &from.to_string(),
            &format!("agreed_set message not expected from {from}"),
        );
    }
    let (sent, events) = deliver(cp, PartyId::Edge, &set(vec![]));
    assert!(events.is_empty(), "{events:?}");
    only_to(&sent, PartyId::Edge, MessageKind::ResultUpload);
    let out = deliver(cp, PartyId::Edge, &set(vec![2]));
    ignored(
        &out,
        "CP(i=1)",
        "Edge",
        "a second agreed_set message; only the first counts",
    );
    assert_eq!(cp.poll_timeout(), None);
}

/// Run a session of 3 DPs (DP d holds 100 d) through the parties by hand, with CP(VID=2)
/// uploading `sum + 1` and the messages `keep` refuses dropped; every party's events, then the
/// Edge's at its deadline.
fn aggregate(keep: impl FnMut(PartyId, &Transmit) -> bool) -> Vec<Event> {
    let mut w = world::<B>(3, 3, 2, 3, VerifyMode::Vss);
    w.cps[1] = w.candidate_with(
        2,
        "cp",
        corrupt_check(&[Fault::BadResult { cp: 2 }], 2, w.check.clone()),
    );
    w.select_all();
    let roster: Arc<[u8]> = Arc::from(w.roster());
    let first: Vec<Transmit> = w
        .roster_to
        .iter()
        .map(|to| Transmit {
            to: *to,
            bytes: roster.clone(),
        })
        .collect();
    let mut edge = w.edge();
    let mut dps: Vec<_> = (1..=3).map(|d| w.dp(d, 100 * d)).collect();
    let mut parties: Vec<&mut dyn Party> = vec![&mut edge];
    for cp in w.cps.iter_mut() {
        parties.push(cp);
    }
    for dp in dps.iter_mut() {
        parties.push(dp);
    }
    let (events, left) = pump(&mut parties, PartyId::Cloud, first, keep);
    assert!(left.is_empty(), "{left:?}");
    let mut events: Vec<Event> = events
        .into_iter()
        .map(|(who, e)| {
            assert!(!matches!(e, Event::Failed(_)), "{who}: {e:?}");
            e
        })
        .collect();
    events.extend(expire(&mut edge).1);
    events
}

#[test]
fn verified_aggregation_end_to_end_at_party_level() {
    let events = aggregate(|_, _| true);
    assert!(agreed(&events).is_empty(), "no DP excluded");
    let skipped: Vec<_> = detections(&events)
        .into_iter()
        .filter(|d| d.action == Action::Skipped)
        .collect();
    assert_eq!(skipped.len(), 1, "{events:?}");
    assert_eq!(skipped[0].subject, "CP(i=2)");
    assert!(
        skipped[0]
            .reason
            .contains("does not match the agreed DPs' combined commitments")
    );
    let o = events
        .iter()
        .find_map(|e| match e {
            Event::Outcome(o) => Some(o),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{events:?}"));
    assert_eq!(
        (o.sum.clone(), o.n, o.check),
        (BigUint::from(600u32), 3, Check::Verified)
    );

    // Without CP(i=3)'s upload only one verified result is left: no result.
    let events = aggregate(|from, t| !(from == PartyId::Cp(3) && decode(&t.bytes).kind() == MessageKind::ResultUpload));
    assert!(
        matches!(failure(&events), RolesError::NotEnoughResults { got: 1, need: 2 }),
        "{events:?}"
    );
    assert!(!events.iter().any(|e| matches!(e, Event::Outcome(_))));
}
