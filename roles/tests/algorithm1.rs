//! Algorithm 1 at the level of single parties, one test per path: honest selection and the
//! roster; the Cloud's refusals (unknown VID, VID already selected, a token that does not decrypt
//! or is bound to another task, a bad signature, stale and future timestamps (up to 2^64 - 1,
//! without overflow), a replayed nonce, a request for another task) and capacity exhaustion (a "not selected" answer); a token naming
//! another VID than the vehicle the network authenticated (impersonation); senders that are not
//! vehicles; requests after the selection closed; too few selected for t; and the candidate's
//! side (the announcement and its index only from the Cloud, once). A refused request is an
//! `Event::Detection` and takes no slot and no nonce: the honest request after it still counts.

mod common;

use common::{NOW, WINDOW_S, World, deliver, detections, edit_request, expire, failure, ignored, refused, world};
use dsmpc_core::backend::Num;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng;
use dsmpc_roles::RolesError;
use dsmpc_roles::event::{Action, Detection, Event};
use dsmpc_roles::parties::{Party, PartyId};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::wire::{Message, labels};

type B = Num;

/// The Cloud refused `out` as "not selected", naming `vid`, for a reason containing `why`.
fn not_selected(out: &common::Output, vid: u32, why: &str) {
    let d = refused(out);
    assert_eq!(
        (d.by.as_str(), d.subject.clone(), d.action),
        ("Cloud", format!("CP(VID={vid})"), Action::NotSelected),
        "{d}"
    );
    assert!(d.reason.contains(why), "{d}: want {why:?}");
}

/// The Cloud accepted `out` for `vid` with index `index`: the answer decrypts to it at the CP.
fn selected_as(w: &mut World<B>, out: &common::Output, vid: u32, index: u16) {
    assert!(detections(&out.1).is_empty(), "{:?}", out.1);
    let ans = World::<B>::answer(&out.0, vid);
    let cp = &mut w.cps[vid as usize - 1];
    common::quiet(&deliver(cp, PartyId::Cloud, &ans));
    assert_eq!(cp.index(), Some(index), "VID {vid}");
    assert_eq!(w.cloud.selected().get(&index), Some(&vid));
}

/// The Cloud's public key from its announcement.
fn cloud_pk(w: &World<B>) -> <dsmpc_roles::suite::rustcrypto::RsaSuite as CipherSuite>::EncPublic {
    let Message::TaskAnnounce(a) = common::decode(&w.announce) else {
        panic!("not an announcement")
    };
    w.suite.decode_enc_public(&a.cloud_pk).unwrap()
}

#[test]
fn honest_candidates_are_selected_in_order_and_get_the_roster() {
    let mut w = world::<B>(3, 3, 2, 2, VerifyMode::Batch);
    assert_eq!(w.select_all(), vec![Some(1), Some(2), Some(3)]);
    assert_eq!(w.cloud.selected().values().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
    match &w.selection[..] {
        [Event::Selected { selected, not_selected }] => {
            assert_eq!(selected, w.cloud.selected());
            assert!(not_selected.is_empty());
        }
        other => panic!("{other:?}"),
    }
    // Everyone heard: the roster goes at once to every DP and the Edge.
    assert_eq!(w.roster_to, vec![PartyId::Dp(1), PartyId::Dp(2), PartyId::Edge]);
    let Message::Roster(r) = common::decode(w.roster()) else {
        panic!("not a roster")
    };
    assert_eq!(r.t, 2);
    assert_eq!(r.task, w.task());
    let entries: Vec<(u16, u32)> = r.entries.iter().map(|e| (e.index, e.vid)).collect();
    assert_eq!(entries, vec![(1, 1), (2, 2), (3, 3)]);
    assert_eq!(w.cloud.poll_timeout(), None, "the selection is closed");
}

#[test]
fn unknown_vid_is_not_selected() {
    let mut w = world::<B>(1, 3, 2, 1, VerifyMode::Batch);
    let mut stranger = w.candidate(99, "cp");
    let req = common::request_of(&w.announce, &mut stranger, NOW);
    let out = w.auth(99, &req);
    not_selected(&out, 99, "unknown VID 99");
    assert!(w.cloud.selected().is_empty());
    // It took no slot: the registered vehicle still gets index 1.
    let req = w.request(0, NOW);
    let out = w.auth(1, &req);
    selected_as(&mut w, &out, 1, 1);
}

#[test]
fn a_second_request_of_a_selected_vid_is_ignored() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let first = w.request(0, NOW);
    let out = w.auth(1, &first);
    selected_as(&mut w, &out, 1, 1);
    // The same vehicle again, with a fresh nonce and a valid signature.
    let mut again = w.candidate(1, "again");
    let req = common::request_of(&w.announce, &mut again, NOW);
    assert_ne!(req, first);
    let out = w.auth(1, &req);
    ignored(&out, "Cloud", "CP(VID=1)", "VID 1 is already selected for this task");
    // Nothing changed: the next vehicle gets index 2.
    let req = w.request(1, NOW);
    let out = w.auth(2, &req);
    selected_as(&mut w, &out, 2, 2);
    assert_eq!(w.cloud.selected().len(), 2);
}

#[test]
fn garbage_token_is_not_selected() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let req = edit_request(&w.request(0, NOW), |r| r.token[10] ^= 1);
    let out = w.auth(1, &req);
    not_selected(
        &out,
        1,
        "auth token does not decrypt under the Cloud's key for this task",
    );
    assert!(w.cloud.selected().is_empty());
    let req = w.request(1, NOW);
    let out = w.auth(2, &req);
    selected_as(&mut w, &out, 2, 1);
}

#[test]
fn token_bound_to_another_task_is_not_selected() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let other_task = [0xAB; 16];
    let token = w
        .suite
        .encrypt(
            &cloud_pk(&w),
            &labels::token(&other_task),
            &1u32.to_be_bytes(),
            &mut rng::seeded(5, "t"),
        )
        .unwrap();
    let req = edit_request(&w.request(0, NOW), |r| r.token = token);
    let out = w.auth(1, &req);
    not_selected(&out, 1, "auth token does not decrypt");
    let req = w.request(1, NOW);
    let out = w.auth(2, &req);
    selected_as(&mut w, &out, 2, 1);
}

#[test]
fn bad_signature_is_not_selected() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let honest = w.request(0, NOW);
    let req = edit_request(&honest, |r| {
        let last = r.sig.len() - 1;
        r.sig[last] ^= 0x80;
    });
    not_selected(&w.auth(1, &req), 1, "bad signature on the auth request of VID 1");
    // A timestamp changed after signing also breaks the signature.
    let req = edit_request(&honest, |r| r.ts += 1);
    not_selected(&w.auth(1, &req), 1, "bad signature on the auth request of VID 1");
    // A nonce changed after signing too.
    let req = edit_request(&honest, |r| r.nonce[0] ^= 1);
    not_selected(&w.auth(1, &req), 1, "bad signature on the auth request of VID 1");
    assert!(w.cloud.selected().is_empty());
    let req = w.request(1, NOW);
    let out = w.auth(2, &req);
    selected_as(&mut w, &out, 2, 1);
}

#[test]
fn stale_and_future_timestamps_are_not_selected() {
    let mut w = world::<B>(3, 3, 2, 1, VerifyMode::Batch);
    // The CP stamps its request with the time it got the announcement (seconds).
    let old = w.request(0, NOW - 301_000);
    not_selected(
        &w.auth(1, &old),
        1,
        &format!("is -301 s away from the Cloud's clock (window {WINDOW_S} s)"),
    );
    let mut later = w.candidate(1, "later");
    let future = common::request_of(&w.announce, &mut later, NOW + 1_000_000);
    not_selected(
        &w.auth(1, &future),
        1,
        "is 1000 s away from the Cloud's clock (window 300 s)",
    );
    assert!(w.cloud.selected().is_empty());
    // At the edges of the window is fine.
    let req = w.request(1, NOW - WINDOW_S * 1000);
    let out = w.auth(2, &req);
    selected_as(&mut w, &out, 2, 1);
    let req = w.request(2, NOW + WINDOW_S * 1000);
    let out = w.auth(3, &req);
    selected_as(&mut w, &out, 3, 2);
}

#[test]
fn timestamps_at_and_past_two_to_the_63_are_stale_not_an_overflow() {
    let mut w = world::<B>(3, 3, 2, 1, VerifyMode::Batch);
    let sk = w.keys.sign_key(&w.suite, "vid1").unwrap();
    let task = w.task();
    let honest = w.request(0, NOW);
    for ts in [1u64 << 63, u64::MAX] {
        // Signed properly, so only the freshness check can refuse it.
        let req = edit_request(&honest, |r| {
            r.ts = ts;
            r.sig = w
                .suite
                .sign(
                    &sk,
                    &labels::auth_statement(&task, 1, &r.nonce, ts),
                    &mut rng::seeded(3, "ts"),
                )
                .unwrap();
        });
        // `ts as i64 - now as i64` would overflow; the skew is exact, or i64::MAX past it.
        let skew = (i128::from(ts) - i128::from(NOW / 1000)).min(i128::from(i64::MAX));
        not_selected(
            &w.auth(1, &req),
            1,
            &format!("timestamp {ts} of VID 1 is {skew} s away"),
        );
    }
    assert!(w.cloud.selected().is_empty());
}

#[test]
fn replayed_request_is_ignored() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let req = w.request(0, NOW);
    let out = w.auth(1, &req);
    selected_as(&mut w, &out, 1, 1);
    let out = w.auth(1, &req);
    ignored(
        &out,
        "Cloud",
        "CP(VID=1)",
        "replayed nonce in the auth request of VID 1",
    );
    let req = w.request(1, NOW);
    let out = w.auth(2, &req);
    selected_as(&mut w, &out, 2, 2);
}

#[test]
fn capacity_exhausted_means_not_selected() {
    let mut w = world::<B>(3, 2, 2, 1, VerifyMode::Batch);
    assert_eq!(w.select_all(), vec![Some(1), Some(2), None]);
    assert_eq!(w.cloud.selected().len(), 2);
    match &w.selection[..] {
        [Event::Selected { selected, not_selected }] => {
            assert_eq!(selected.len(), 2);
            assert_eq!(not_selected, &vec![3]);
        }
        other => panic!("{other:?}"),
    }
    let Message::Roster(r) = common::decode(w.roster()) else {
        panic!("not a roster")
    };
    assert_eq!(r.entries.iter().map(|e| e.vid).collect::<Vec<_>>(), vec![1, 2]);
    // The third candidate was answered "not selected" and is done.
    assert_eq!(w.cps[2].poll_timeout(), None);
}

#[test]
fn request_for_another_task_is_ignored() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let honest = w.request(0, NOW);
    let req = edit_request(&honest, |r| r.task[0] ^= 1);
    let out = w.auth(1, &req);
    ignored(&out, "Cloud", "CP(VID=1)", "auth_request message for another task");
    // Nothing recorded: the honest request of the same vehicle is accepted.
    let out = w.auth(1, &honest);
    selected_as(&mut w, &out, 1, 1);
}

#[test]
fn a_token_naming_another_vid_is_impersonation() {
    let mut w = world::<B>(3, 3, 2, 1, VerifyMode::Batch);
    let req1 = w.request(0, NOW);
    // Vehicle 2 sends vehicle 1's request as its own.
    let out = w.auth(2, &req1);
    not_selected(&out, 2, "claims to be CP(VID=1)");
    let want = RolesError::Impersonation {
        from: "CP(VID=2)".into(),
        claimed: "CP(VID=1)".into(),
    };
    let d = refused(&out);
    assert_eq!(
        *d,
        Detection::of_error("Cloud", "CP(VID=2)", Action::NotSelected, &want)
    );
    // Vehicle 1's nonce was not burned and no slot was taken: its request is accepted.
    let out = w.auth(1, &req1);
    selected_as(&mut w, &out, 1, 1);
}

#[test]
fn only_vehicles_talk_to_the_cloud() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let req = w.request(0, NOW);
    for from in [PartyId::Dp(1), PartyId::Edge, PartyId::Outsider(1), PartyId::Cloud] {
        let out = deliver(&mut w.cloud, from, &req);
        ignored(&out, "Cloud", &from.to_string(), "only vehicles talk to the Cloud");
    }
    let out = w.auth(1, &req);
    selected_as(&mut w, &out, 1, 1);
}

#[test]
fn requests_after_the_selection_closed_are_ignored() {
    // Closed because every registered vehicle was heard.
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    w.select_all();
    let mut again = w.candidate(1, "again");
    let req = common::request_of(&w.announce, &mut again, NOW);
    ignored(&w.auth(1, &req), "Cloud", "CP(VID=1)", "the selection is closed");

    // Closed because the deadline passed: VID 3 never asked.
    let mut w = world::<B>(3, 3, 2, 1, VerifyMode::Batch);
    for j in 0..2 {
        let req = w.request(j, NOW);
        let out = w.auth(j as u32 + 1, &req);
        selected_as(&mut w, &out, j as u32 + 1, j as u16 + 1);
    }
    let (sent, events) = expire(&mut w.cloud);
    match &events[..] {
        [Event::Selected { selected, not_selected }] => {
            assert_eq!(selected.len(), 2);
            assert!(not_selected.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let to: Vec<PartyId> = sent.iter().map(|t| t.to).collect();
    assert_eq!(to, vec![PartyId::Dp(1), PartyId::Edge]);
    let req = w.request(2, NOW);
    ignored(&w.auth(3, &req), "Cloud", "CP(VID=3)", "the selection is closed");
}

#[test]
fn too_few_selected_for_t_is_a_failure_and_a_bad_threshold_no_roster() {
    // t = 4 with 3 candidates: the Cloud fails when the selection closes, and sends no roster.
    let mut w = world::<B>(3, 3, 4, 1, VerifyMode::Batch);
    w.select_all();
    assert!(w.roster.is_none());
    assert!(
        matches!(failure(&w.selection), RolesError::TooFewSelected { selected: 3, t: 4 }),
        "{:?}",
        w.selection
    );
    // Capacity below t too.
    let mut w = world::<B>(3, 2, 3, 1, VerifyMode::Batch);
    assert_eq!(w.select_all(), vec![Some(1), Some(2), None]);
    assert!(matches!(
        failure(&w.selection),
        RolesError::TooFewSelected { selected: 2, t: 3 }
    ));
    // t = 1 is no threshold: the DPs and the Edge refuse such a roster.
    let mut w = world::<B>(3, 3, 1, 1, VerifyMode::Batch);
    w.select_all();
    let mut dp = w.dp(1, 42);
    let out = deliver(&mut dp, PartyId::Cloud, w.roster());
    ignored(&out, "DP1", "Cloud", "bad roster: threshold 1 with 3 CPs");
    let mut edge = w.edge();
    let out = deliver(&mut edge, PartyId::Cloud, w.roster());
    ignored(&out, "Edge", "Cloud", "bad roster: t = 1 with 3 CPs");
    // t = 3 fits.
    let mut w = world::<B>(3, 3, 3, 1, VerifyMode::Batch);
    w.select_all();
    let mut dp = w.dp(1, 42);
    let (sent, events) = deliver(&mut dp, PartyId::Cloud, w.roster());
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(sent.len(), 3);
}

#[test]
fn a_candidate_takes_the_announcement_and_its_index_only_from_the_cloud_once() {
    let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
    let announce = w.announce.clone();
    // An announcement from anyone but the Cloud is ignored, and changes nothing.
    let out = deliver(&mut w.cps[0], PartyId::Outsider(1), &announce);
    ignored(
        &out,
        "CP(VID=1)",
        "Outsider1",
        "task_announce message not expected from Outsider1",
    );
    let req1 = w.request(0, NOW);
    let req2 = w.request(1, NOW);
    let (sent1, _) = w.auth(1, &req1);
    let (sent2, _) = w.auth(2, &req2);
    let ans1 = World::<B>::answer(&sent1, 1);
    let ans2 = World::<B>::answer(&sent2, 2);
    // A second announcement is ignored.
    let out = deliver(&mut w.cps[0], PartyId::Cloud, &announce);
    ignored(&out, "CP(VID=1)", "Cloud", "a second task_announce message");
    // Its index from someone else, or another vehicle's index, is not taken.
    let out = deliver(&mut w.cps[0], PartyId::Cp(2), &ans1);
    ignored(
        &out,
        "CP(VID=1)",
        "CP(VID=2)",
        "index_assign message not expected from CP(VID=2)",
    );
    let out = deliver(&mut w.cps[0], PartyId::Cloud, &ans2);
    ignored(
        &out,
        "CP(VID=1)",
        "Cloud",
        "index ciphertext does not decrypt to an index",
    );
    assert_eq!(w.cps[0].index(), None);
    // Its own answer is.
    common::quiet(&deliver(&mut w.cps[0], PartyId::Cloud, &ans1));
    assert_eq!(w.cps[0].index(), Some(1));
    // A second index (another vehicle's, or the same again) is ignored; the index stays.
    for ans in [&ans2, &ans1] {
        let out = deliver(&mut w.cps[0], PartyId::Cloud, ans);
        ignored(
            &out,
            "CP(i=1)",
            "Cloud",
            "a second index_assign message; only the first counts",
        );
        assert_eq!(w.cps[0].index(), Some(1));
    }
    // A "not selected" answer after the index changes nothing either.
    let none = Message::IndexAssign(dsmpc_roles::wire::IndexAssign {
        task: w.task(),
        ct: None,
    })
    .encode();
    let out = deliver(&mut w.cps[0], PartyId::Cloud, &none);
    ignored(&out, "CP(i=1)", "Cloud", "a second index_assign message");
    assert!(w.cps[0].poll_timeout().is_some(), "still waiting for shares");
}

/// Documents the expected behaviour (see the Cloud's module doc: "nothing is recorded for a
/// request that fails"): a request the Cloud refuses does not shut its vehicle out, so the
/// vehicle's valid request afterwards is selected. Each refusal reason in turn.
#[test]
fn a_refused_request_does_not_shut_its_vehicle_out() {
    type Bad = fn(&mut World<B>) -> Vec<u8>;
    let cases: [(&str, Bad); 4] = [
        ("garbage token", |w| {
            edit_request(&w.request(0, NOW), |r| r.token[10] ^= 1)
        }),
        ("bad signature", |w| {
            edit_request(&w.request(0, NOW), |r| {
                r.sig[0] ^= 1;
            })
        }),
        ("stale timestamp", |w| w.request(0, NOW - 301_000)),
        ("future timestamp", |w| w.request(0, NOW + 301_000)),
    ];
    for (what, bad) in cases {
        let mut w = world::<B>(2, 3, 2, 1, VerifyMode::Batch);
        let req = bad(&mut w);
        let d = refused(&w.auth(1, &req)).clone();
        assert_eq!(d.action, Action::NotSelected, "{what}: {d}");
        let mut retry = w.candidate(1, "retry");
        let req = common::request_of(&w.announce, &mut retry, NOW);
        let out = w.auth(1, &req);
        assert!(
            detections(&out.1).is_empty(),
            "{what}: the vehicle's valid request after a refused one is refused: {:?}",
            out.1
        );
        assert_eq!(w.cloud.selected().get(&1), Some(&1), "{what}");
    }
}
