//! Algorithm 1 error paths, one test each: unknown VID, VID already selected, a token that
//! does not decrypt or is bound to another task, a bad signature, stale and future timestamps,
//! a replayed nonce, and capacity exhaustion (a "not selected" answer, not an error).

mod common;

use common::{NOW, cp, world};
use dsmpc_core::backend::Num;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::RolesError;
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::wire::{AuthRequest, Message, labels};

type B = Num;

fn request(w: &mut common::World<B>, j: usize, now: u64) -> Vec<u8> {
    let announce = w.cloud.announce();
    w.cps[j].auth_request(&announce, now).unwrap()
}

fn reencode(bytes: &[u8], f: impl FnOnce(&mut AuthRequest)) -> Vec<u8> {
    let Message::AuthRequest(mut r) = Message::decode(bytes).unwrap() else {
        panic!("not a request")
    };
    f(&mut r);
    Message::AuthRequest(r).encode()
}

#[test]
fn honest_candidates_are_selected_in_order() {
    let mut w = world::<B>(3, 3, VerifyMode::Batch);
    assert_eq!(w.select_all(), vec![Some(1), Some(2), Some(3)]);
    assert_eq!(w.cloud.selected().values().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[test]
fn unknown_vid_is_rejected() {
    let mut w = world::<B>(1, 3, VerifyMode::Batch);
    let mut stranger = cp(w.suite, &w.group, &w.keys, 99, VerifyMode::Batch);
    let req = stranger.auth_request(&w.cloud.announce(), NOW).unwrap();
    let err = w.cloud.handle_auth("CP(VID=99)", &req, NOW).unwrap_err();
    assert!(matches!(err, RolesError::UnknownVid { vid: 99, .. }), "{err}");
    assert!(err.to_string().contains("unknown VID 99"));
}

#[test]
fn vid_already_selected_is_rejected() {
    let mut w = world::<B>(1, 3, VerifyMode::Batch);
    let first = request(&mut w, 0, NOW);
    w.cloud.handle_auth("CP(VID=1)", &first, NOW).unwrap();
    let again = request(&mut w, 0, NOW); // fresh nonce, valid signature
    let err = w.cloud.handle_auth("CP(VID=1)", &again, NOW).unwrap_err();
    assert!(matches!(err, RolesError::VidAlreadySelected { vid: 1, .. }), "{err}");
}

#[test]
fn garbage_token_is_rejected() {
    let mut w = world::<B>(1, 3, VerifyMode::Batch);
    let req = reencode(&request(&mut w, 0, NOW), |r| r.token[10] ^= 1);
    let err = w.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap_err();
    assert!(
        matches!(err, RolesError::TokenUndecryptable { ref from } if from == "CP(VID=1)"),
        "{err}"
    );
}

#[test]
fn token_bound_to_another_task_is_rejected() {
    let mut w = world::<B>(1, 3, VerifyMode::Batch);
    let cloud_pk = w
        .suite
        .decode_enc_public(&{
            let Message::TaskAnnounce(a) = Message::decode(&w.cloud.announce()).unwrap() else {
                panic!()
            };
            a.cloud_pk
        })
        .unwrap();
    let other_task = [0xAB; 16];
    let mut r = dsmpc_core::rng::seeded(5, "t");
    let token = w
        .suite
        .encrypt(&cloud_pk, &labels::token(&other_task), &1u32.to_be_bytes(), &mut r)
        .unwrap();
    let req = reencode(&request(&mut w, 0, NOW), |r| r.token = token);
    let err = w.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap_err();
    assert!(matches!(err, RolesError::TokenUndecryptable { .. }), "{err}");
}

#[test]
fn bad_signature_is_rejected() {
    let mut w = world::<B>(1, 3, VerifyMode::Batch);
    let req = reencode(&request(&mut w, 0, NOW), |r| {
        let last = r.sig.len() - 1;
        r.sig[last] ^= 0x80;
    });
    let err = w.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap_err();
    assert!(matches!(err, RolesError::BadSignature { vid: 1, .. }), "{err}");
    // A timestamp changed after signing also breaks the signature.
    let req = reencode(&request(&mut w, 0, NOW), |r| r.ts += 1);
    let err = w.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap_err();
    assert!(matches!(err, RolesError::BadSignature { vid: 1, .. }), "{err}");
}

#[test]
fn stale_and_future_timestamps_are_rejected() {
    let mut w = world::<B>(1, 3, VerifyMode::Batch);
    let old = request(&mut w, 0, NOW - 301);
    let err = w.cloud.handle_auth("CP(VID=1)", &old, NOW).unwrap_err();
    assert!(
        matches!(
            err,
            RolesError::StaleTimestamp {
                skew_s: -301,
                window_s: 300,
                ..
            }
        ),
        "{err}"
    );
    let future = request(&mut w, 0, NOW + 1000);
    let err = w.cloud.handle_auth("CP(VID=1)", &future, NOW).unwrap_err();
    assert!(matches!(err, RolesError::StaleTimestamp { skew_s: 1000, .. }), "{err}");
    // Within the window is fine.
    let ok = request(&mut w, 0, NOW - 299);
    assert!(w.cloud.handle_auth("CP(VID=1)", &ok, NOW).is_ok());
}

#[test]
fn replayed_nonce_is_rejected() {
    let mut w = world::<B>(2, 3, VerifyMode::Batch);
    let req = request(&mut w, 0, NOW);
    w.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap();
    let err = w.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap_err();
    assert!(matches!(err, RolesError::ReplayedNonce { vid: 1, .. }), "{err}");
}

#[test]
fn capacity_exhausted_means_not_selected() {
    let mut w = world::<B>(3, 2, VerifyMode::Batch);
    assert_eq!(w.select_all(), vec![Some(1), Some(2), None]);
    assert_eq!(w.cloud.selected().len(), 2);
}

#[test]
fn request_for_another_task_is_rejected() {
    let mut w = world::<B>(1, 3, VerifyMode::Batch);
    let req = reencode(&request(&mut w, 0, NOW), |r| r.task[0] ^= 1);
    let err = w.cloud.handle_auth("CP(VID=1)", &req, NOW).unwrap_err();
    assert!(matches!(err, RolesError::WrongTask { .. }), "{err}");
}

#[test]
fn threshold_must_fit_the_selected_cps() {
    let mut w = world::<B>(3, 3, VerifyMode::Batch);
    w.select_all();
    assert!(matches!(
        w.cloud.roster(1),
        Err(RolesError::BadThreshold { t: 1, selected: 3 })
    ));
    assert!(matches!(
        w.cloud.roster(4),
        Err(RolesError::BadThreshold { t: 4, selected: 3 })
    ));
    assert!(w.cloud.roster(3).is_ok());
}
