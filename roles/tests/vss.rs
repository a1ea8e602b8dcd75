//! `vss` mode at the level of single parties, one test per error path: a CP's four reasons to
//! reject a DP, the Edge's checks of commitments, reports and uploads, the agreement decision,
//! and RSA-1024 carrying the 64-byte share pair in two OAEP blocks.

mod common;

use common::world;
use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng;
use dsmpc_roles::RolesError;
use dsmpc_roles::parties::{DataProvider, Edge};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::suite::rsa::RsaSuite;
use dsmpc_roles::wire::{Commitments, DpReport, Message, MessageKind, Rejection, SharePacket, labels};
use num_bigint::BigUint;

type B = Num;

const T: usize = 2;

struct Dealt {
    commitments: Vec<u8>,
    packets: Vec<(u16, Vec<u8>)>,
}

/// A world of 3 selected CPs in vss mode, t = 2.
fn selected() -> (common::World<B>, Vec<u8>) {
    let mut w = world::<B>(3, 3, VerifyMode::Vss);
    w.select_all();
    let roster = w.cloud.roster(T).unwrap();
    (w, roster)
}

fn deal(
    w: &common::World<B>,
    roster: &[u8],
    d: u32,
    value: u32,
    cheat: impl FnOnce(&mut DataProvider<B, RsaSuite>),
) -> Dealt {
    let mut dp = DataProvider::<B, RsaSuite>::new(
        w.suite,
        w.group.clone(),
        d,
        BigUint::from(value),
        VerifyMode::Vss,
        rng::seeded(7, &format!("dp/{d}")),
    );
    cheat(&mut dp);
    dp.receive_roster(roster).unwrap();
    let packets = dp.share_packets().unwrap();
    Dealt {
        commitments: dp.take_commitments().expect("vss dealing has commitments"),
        packets,
    }
}

fn edge(w: &common::World<B>, n: usize) -> Edge<B, RsaSuite> {
    w.edge(T, n, VerifyMode::Vss)
}

fn edit_share(bytes: &[u8], f: impl FnOnce(&mut SharePacket)) -> Vec<u8> {
    let Message::SharePacket(mut p) = Message::decode(bytes).unwrap() else {
        panic!("not a share packet")
    };
    f(&mut p);
    Message::SharePacket(p).encode()
}

fn edit_commitments(bytes: &[u8], f: impl FnOnce(&mut Commitments)) -> Vec<u8> {
    let Message::Commitments(mut c) = Message::decode(bytes).unwrap() else {
        panic!("not commitments")
    };
    f(&mut c);
    Message::Commitments(c).encode()
}

#[test]
fn rsa_1024_carries_the_share_pair_in_two_blocks_that_cannot_be_reordered() {
    let (w, roster) = selected();
    let d = deal(&w, &roster, 1, 42, |_| {});
    let Message::SharePacket(p) = Message::decode(&d.packets[0].1).unwrap() else {
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
    let label = labels::share(w.cloud.task(), 1, 1);
    let mut r = rng::seeded(3, "dec");
    assert_eq!(w.suite.decrypt(&sk, &label, &p.eshare, &mut r).unwrap().len(), 64);
    let mut swapped = p.eshare[128..].to_vec();
    swapped.extend_from_slice(&p.eshare[..128]);
    assert!(w.suite.decrypt(&sk, &label, &swapped, &mut r).is_none());
    assert!(w.suite.decrypt(&sk, &label, &p.eshare[..200], &mut r).is_none());
}

#[test]
fn a_cp_rejects_for_each_reason_and_reports_it() {
    let (mut w, roster) = selected();
    let honest = deal(&w, &roster, 1, 10, |_| {});
    let cheat = deal(&w, &roster, 2, 20, |dp| dp.inject_bad_share(1));
    let tampered = deal(&w, &roster, 3, 30, |_| {});
    let missing = deal(&w, &roster, 4, 40, |_| {});
    let with_att = deal(&w, &roster, 5, 50, |_| {});
    let cp = &mut w.cps[0];
    for d in [&honest, &cheat, &tampered, &with_att] {
        cp.receive_commitments(&d.commitments).unwrap();
    }
    cp.receive_share(&honest.packets[0].1).unwrap();
    cp.receive_share(&cheat.packets[0].1).unwrap();
    cp.receive_share(&edit_share(&tampered.packets[0].1, |p| p.eshare[7] ^= 1))
        .unwrap();
    cp.receive_share(&missing.packets[0].1).unwrap();
    cp.receive_share(&edit_share(&with_att.packets[0].1, |p| p.r = vec![1; 32]))
        .unwrap();
    assert_eq!(cp.accepted(), 1);
    let want = [
        (2, Rejection::Mismatch),
        (3, Rejection::Undecryptable),
        (4, Rejection::NoCommitments),
        (5, Rejection::Malformed),
    ];
    assert_eq!(cp.rejected().iter().map(|(d, r)| (*d, *r)).collect::<Vec<_>>(), want);
    assert_eq!(cp.take_detections().len(), 4);
    let Message::DpReport(r) = Message::decode(&cp.dp_report().unwrap()).unwrap() else {
        panic!()
    };
    assert_eq!(r.accepted, vec![(1, 1)]);
    assert_eq!(r.rejected, want.to_vec());
    // Nothing can be uploaded before the agreement.
    assert!(matches!(cp.result_upload(), Err(RolesError::Config(m)) if m.contains("agreement")));
}

#[test]
fn the_edge_relays_only_well_formed_commitments() {
    let (w, roster) = selected();
    let d = deal(&w, &roster, 1, 10, |_| {});
    let mut e = edge(&w, 3);
    let bad = |e: &mut Edge<B, RsaSuite>, bytes: Vec<u8>, want: &str| {
        let err = e.receive_commitments("DP1", &bytes).unwrap_err();
        assert!(err.to_string().contains(want), "{err}");
    };
    bad(
        &mut e,
        edit_commitments(&d.commitments, |c| c.dp = 4),
        "no DP4 in this task",
    );
    bad(
        &mut e,
        edit_commitments(&d.commitments, |c| c.task = [0; 16]),
        "for another task",
    );
    let minus = |c: &mut Commitments| {
        let x = B::from_be_bytes(&c.elements[1]);
        c.elements[1] = w.group.element_to_bytes(&B::sub(w.group.p(), &x));
    };
    // One element short, or an element that is not in the group (Jacobi symbol -1).
    bad(
        &mut e,
        edit_commitments(&d.commitments, |c| {
            c.dp = 2;
            c.elements.pop();
        }),
        "1 commitments, need t = 2 group elements",
    );
    bad(
        &mut e,
        edit_commitments(&d.commitments, |c| {
            c.dp = 3;
            minus(c)
        }),
        "2 commitments, need t = 2 group elements",
    );
    e.receive_commitments("DP1", &d.commitments).unwrap();
    let err = e.receive_commitments("DP1", &d.commitments).unwrap_err();
    assert!(
        matches!(
            err,
            RolesError::Duplicate {
                kind: MessageKind::Commitments,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn the_agreement_excludes_with_reasons_and_aborts_when_too_little_is_left() {
    let (w, _) = selected();
    let task = *w.cloud.task();
    let report = |index: u16, accepted: Vec<(u32, u32)>, rejected: Vec<(u32, Rejection)>| {
        Message::DpReport(DpReport {
            task,
            index,
            accepted,
            rejected,
        })
        .encode()
    };
    let (_, roster) = selected();
    let mut e = edge(&w, 4);
    for d in 1..=3 {
        let dealt = deal(&w, &roster, d, 10 * d, |_| {});
        e.receive_commitments(&format!("DP{d}"), &dealt.commitments).unwrap();
    }
    // Only one report so far: fewer than t = 2 CPs.
    e.receive_report("CP(i=1)", &report(1, vec![(1, 4)], vec![])).unwrap();
    assert!(matches!(e.agree(), Err(RolesError::TooFewCps { active: 1, need: 2 })));
    let err = e
        .receive_report("CP(i=1)", &report(1, vec![(1, 4)], vec![]))
        .unwrap_err();
    assert!(matches!(err, RolesError::Duplicate { .. }), "{err}");
    let err = e
        .receive_report("CP(i=3)", &report(3, vec![(1, 5)], vec![]))
        .unwrap_err();
    assert!(err.to_string().contains("outside 1..=4"), "{err}");
    e.receive_report(
        "CP(i=2)",
        &report(2, vec![(1, 1), (4, 4)], vec![(2, Rejection::Mismatch)]),
    )
    .unwrap();
    let a = e.agree().unwrap();
    assert_eq!(a.reporting, vec![1, 2]);
    assert_eq!(a.agreed, 1, "only DP1 is accepted by both and has commitments");
    assert_eq!(a.excluded.keys().copied().collect::<Vec<_>>(), vec![2, 3, 4]);
    assert!(a.excluded[&2].contains("rejected by CP(i=2): its share pair does not match"));
    assert!(a.excluded[&3].contains("did not reach CP(i=2)"));
    assert!(a.excluded[&4].contains("commitments did not reach the Edge"));
    let Message::AgreedSet(s) = Message::decode(&a.message).unwrap() else {
        panic!()
    };
    assert_eq!(s.excluded, vec![2, 3, 4]);
    // A CP that did not report has its upload refused.
    let up = Message::ResultUpload(dsmpc_roles::wire::ResultUpload {
        task,
        index: 3,
        ct: vec![0; 128],
    })
    .encode();
    let err = e.receive_result("CP(i=3)", &up).unwrap_err();
    assert!(matches!(err, RolesError::ResultRejected { cp: 3, .. }), "{err}");
}

#[test]
fn verified_aggregation_end_to_end_at_party_level() {
    let (mut w, roster) = selected();
    let dealt: Vec<Dealt> = (1..=3).map(|d| deal(&w, &roster, d, 100 * d, |_| {})).collect();
    let mut e = edge(&w, 3);
    for (d, x) in dealt.iter().enumerate() {
        e.receive_commitments(&format!("DP{}", d + 1), &x.commitments).unwrap();
    }
    w.cps[1].inject_bad_result();
    let mut uploads = Vec::new();
    for (i, cp) in w.cps.iter_mut().enumerate() {
        for x in &dealt {
            cp.receive_commitments(&x.commitments).unwrap();
            cp.receive_share(&x.packets[i].1).unwrap();
        }
        e.receive_report(&cp.name(), &cp.dp_report().unwrap()).unwrap();
    }
    let a = e.agree().unwrap();
    assert!(a.excluded.is_empty());
    for cp in w.cps.iter_mut() {
        cp.receive_agreed(&a.message).unwrap();
        uploads.push((cp.name(), cp.result_upload().unwrap()));
    }
    e.receive_result(&uploads[0].0, &uploads[0].1).unwrap();
    let err = e.receive_result(&uploads[1].0, &uploads[1].1).unwrap_err();
    assert!(matches!(err, RolesError::ResultRejected { cp: 2, .. }), "{err}");
    assert!(matches!(
        e.reconstruct(),
        Err(RolesError::NotEnoughResults { got: 1, need: 2 })
    ));
    e.receive_result(&uploads[2].0, &uploads[2].1).unwrap();
    let out = e.reconstruct().unwrap();
    assert_eq!(out.sum, BigUint::from(600u32));
    assert_eq!(out.n, 3);
}
