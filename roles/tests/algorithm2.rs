//! Algorithm 2 and reconstruction error paths, one test each: a tampered share ciphertext, a
//! PVSS failure (wrong E, C or r) in every verification mode, a share value not below q,
//! fewer than t results at the Edge, and malformed or truncated messages of every kind at
//! the party that receives them.

mod common;

use common::{NOW, world};
use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::pvss::{PvssFailure, VerifyMode};
use dsmpc_core::rng;
use dsmpc_roles::RolesError;
use dsmpc_roles::parties::{DataProvider, Edge};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::suite::rsa::RsaSuite;
use dsmpc_roles::wire::{Message, MessageKind, SharePacket, labels};
use num_bigint::BigUint;

type B = Num;

/// DP packets as `(CP index, bytes)`.
type Packets = Vec<(u16, Vec<u8>)>;

/// A world with 3 selected CPs, t = 2, and DP1's packets (index, bytes).
fn setup(mode: VerifyMode) -> (common::World<B>, Vec<u8>, Packets) {
    let mut w = world::<B>(3, 3, mode);
    w.select_all();
    let roster = w.cloud.roster(2).unwrap();
    let mut dp = DataProvider::<B, RsaSuite>::new(
        w.suite,
        w.group.clone(),
        1,
        BigUint::from(42u32),
        mode,
        rng::seeded(7, "dp/1"),
    );
    dp.receive_roster(&roster).unwrap();
    let packets = dp.share_packets().unwrap();
    (w, roster, packets)
}

/// The world's Edge for t = 2 and one DP.
fn edge(w: &common::World<B>) -> Edge<B, RsaSuite> {
    w.edge(2, 1, VerifyMode::Batch)
}

fn edit(bytes: &[u8], f: impl FnOnce(&mut SharePacket)) -> Vec<u8> {
    let Message::SharePacket(mut p) = Message::decode(bytes).unwrap() else {
        panic!("not a share packet")
    };
    f(&mut p);
    Message::SharePacket(p).encode()
}

fn deliver(w: &mut common::World<B>, bytes: &[u8]) -> Result<(), RolesError> {
    w.cps[0].receive_share(bytes)?;
    w.cps[0].flush()
}

#[test]
fn honest_share_is_accepted_in_every_mode() {
    for mode in VerifyMode::PVSS {
        let (mut w, _, packets) = setup(mode);
        deliver(&mut w, &packets[0].1).unwrap();
        assert_eq!(w.cps[0].accepted(), 1, "{mode}");
    }
}

#[test]
fn tampered_share_ciphertext_is_rejected() {
    let (mut w, _, packets) = setup(VerifyMode::Batch);
    let bad = edit(&packets[0].1, |p| p.eshare[5] ^= 1);
    let err = deliver(&mut w, &bad).unwrap_err();
    assert!(matches!(err, RolesError::ShareUndecryptable { dp: 1, cp: 1 }), "{err}");
    // A share re-labelled as coming from another DP does not decrypt either (label binding).
    let moved = edit(&packets[0].1, |p| p.dp = 2);
    let err = deliver(&mut w, &moved).unwrap_err();
    assert!(matches!(err, RolesError::ShareUndecryptable { dp: 2, cp: 1 }), "{err}");
}

#[test]
fn pvss_failures_are_rejected_in_every_mode() {
    for mode in VerifyMode::PVSS {
        let (w0, _, packets) = setup(mode);
        let group = w0.group.clone();
        drop(w0);
        let other = {
            let Message::SharePacket(p) = Message::decode(&packets[1].1).unwrap() else {
                panic!()
            };
            p
        };
        let cases: Vec<(&str, Vec<u8>, PvssFailure)> = vec![
            (
                "wrong E",
                edit(&packets[0].1, |p| p.e = other.e.clone()),
                PvssFailure::WrongE,
            ),
            (
                "wrong C",
                edit(&packets[0].1, |p| p.c = other.c.clone()),
                PvssFailure::WrongC,
            ),
            (
                "wrong r",
                edit(&packets[0].1, |p| p.r = other.r.clone()),
                PvssFailure::WrongC,
            ),
            (
                "E not in the group",
                edit(&packets[0].1, |p| {
                    p.e = group.element_to_bytes(&<B as Backend>::sub(group.p(), &B::from_be_bytes(&p.e)))
                }),
                PvssFailure::MalformedE,
            ),
        ];
        for (what, bytes, want) in cases {
            let (mut w, _, _) = setup(mode);
            let err = deliver(&mut w, &bytes).unwrap_err();
            assert!(
                matches!(err, RolesError::PvssRejected { dp: 1, cp: 1, reason } if reason == want),
                "{what} in {mode}: {err}"
            );
            assert_eq!(w.cps[0].accepted(), 0, "{what} in {mode}: nothing added to the sum");
        }
    }
}

#[test]
fn share_not_below_q_is_rejected() {
    let (mut w, _, packets) = setup(VerifyMode::Fast);
    let task = *w.cloud.task();
    let enc_pk = w.cps[0].enc_pk();
    let q_bytes = w.group.zq().to_bytes(&B::sub(w.group.q(), &B::from_u64(0)));
    // q itself, 32 bytes, encrypted properly for DP1 -> CP(i=1).
    let ct = w
        .suite
        .encrypt(&enc_pk, &labels::share(&task, 1, 1), &q_bytes, &mut rng::seeded(1, "x"))
        .unwrap();
    let bad = edit(&packets[0].1, |p| p.eshare = ct);
    let err = deliver(&mut w, &bad).unwrap_err();
    assert!(matches!(err, RolesError::ShareOutOfRange { dp: 1, cp: 1 }), "{err}");
}

#[test]
fn fewer_than_t_results_at_the_edge() {
    let (mut w, _, packets) = setup(VerifyMode::Batch);
    for (i, bytes) in &packets {
        w.cps[*i as usize - 1].receive_share(bytes).unwrap();
    }
    let up = w.cps[0].result_upload().unwrap();
    let mut edge = edge(&w);
    edge.receive_result("CP(i=1)", &up).unwrap();
    let err = edge.reconstruct().unwrap_err();
    assert!(matches!(err, RolesError::NotEnoughResults { got: 1, need: 2 }), "{err}");
    let up2 = w.cps[1].result_upload().unwrap();
    edge.receive_result("CP(i=2)", &up2).unwrap();
    assert_eq!(edge.reconstruct().unwrap().sum, BigUint::from(42u32));
}

#[test]
fn tampered_result_is_rejected() {
    let (mut w, _, _) = setup(VerifyMode::Batch);
    let up = w.cps[0].result_upload().unwrap();
    let Message::ResultUpload(mut m) = Message::decode(&up).unwrap() else {
        panic!()
    };
    m.ct[3] ^= 1;
    let mut edge = edge(&w);
    let err = edge
        .receive_result("CP(i=1)", &Message::ResultUpload(m).encode())
        .unwrap_err();
    assert!(matches!(err, RolesError::ResultUndecryptable { cp: 1 }), "{err}");
}

fn assert_malformed(res: Result<impl std::fmt::Debug, RolesError>, kind: MessageKind, what: &str) {
    match res {
        Err(RolesError::Malformed { kind: k, .. }) => assert_eq!(k, kind, "{what}"),
        other => panic!("{what}: expected a malformed {kind} error, got {other:?}"),
    }
}

#[test]
fn truncated_and_padded_messages_of_every_kind_are_rejected() {
    let (mut w, roster, packets) = setup(VerifyMode::Batch);
    let announce = w.cloud.announce();
    let mut fresh = common::world::<B>(1, 1, VerifyMode::Batch);
    let req = fresh.cps[0].auth_request(&fresh.cloud.announce(), NOW).unwrap();
    let answer = fresh.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap();
    let up = w.cps[0].result_upload().unwrap();
    let mut edge = edge(&w);
    let mut dp = DataProvider::<B, RsaSuite>::new(
        w.suite,
        w.group.clone(),
        9,
        BigUint::from(1u32),
        VerifyMode::Batch,
        rng::seeded(1, "dp"),
    );

    let variants = |b: &[u8]| -> Vec<(String, Vec<u8>)> {
        let mut v = vec![
            ("empty".to_string(), Vec::new()),
            ("header only".to_string(), b[..2].to_vec()),
            ("truncated by one".to_string(), b[..b.len() - 1].to_vec()),
            ("half".to_string(), b[..b.len() / 2].to_vec()),
        ];
        let mut padded = b.to_vec();
        padded.push(0);
        v.push(("trailing byte".to_string(), padded));
        let mut wrong_version = b.to_vec();
        wrong_version[0] = 9;
        v.push(("wrong version".to_string(), wrong_version));
        v
    };
    for (what, bytes) in variants(&announce) {
        assert_malformed(fresh.cps[0].auth_request(&bytes, NOW), MessageKind::TaskAnnounce, &what);
    }
    for (what, bytes) in variants(&req) {
        assert_malformed(
            w.cloud.handle_auth("CP(VID=1)", &bytes, NOW),
            MessageKind::AuthRequest,
            &what,
        );
    }
    for (what, bytes) in variants(&answer) {
        assert_malformed(fresh.cps[0].receive_index(&bytes), MessageKind::IndexAssign, &what);
    }
    for (what, bytes) in variants(&roster) {
        assert_malformed(dp.receive_roster(&bytes), MessageKind::Roster, &what);
    }
    for (what, bytes) in variants(&packets[0].1) {
        assert_malformed(w.cps[0].receive_share(&bytes), MessageKind::SharePacket, &what);
    }
    for (what, bytes) in variants(&up) {
        assert_malformed(edge.receive_result("CP(i=1)", &bytes), MessageKind::ResultUpload, &what);
    }
    // A message of the wrong kind is malformed for its receiver too.
    assert_malformed(
        w.cps[0].receive_share(&roster),
        MessageKind::SharePacket,
        "roster sent as a share",
    );
    // A share whose E has the wrong length.
    let short_e = edit(&packets[0].1, |p| {
        p.e.pop();
    });
    assert_malformed(w.cps[0].receive_share(&short_e), MessageKind::SharePacket, "short E");
}
