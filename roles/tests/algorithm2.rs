//! Algorithm 2 and the reconstruction at the level of single parties, in the paper's modes, one
//! test per path: honest shares summed and reconstructed in every mode; a tampered or relabelled
//! share ciphertext (and one of 511 valid blocks, refused before any decryption), a PVSS failure
//! (wrong E, C or r, E not in the group) in every mode and a share not below q end the session at the CP (`Event::Failed`), as in the paper; a tampered
//! result is skipped by the Edge; fewer than t results; malformed or truncated messages of every
//! kind at the party that receives them. The authenticated sender: a share packet claiming
//! another DP, addressed to another CP, sent twice or from a DP number outside the task; an
//! upload claiming another CP's index or sent twice; a roster from someone but the Cloud, or a
//! second one. Refused messages are ignored detections and change nothing: the honest message
//! after them still counts.

mod common;

use common::{
    Dealt, NOW, World, decode, deliver, detections, edit_share, edit_upload, expire, failure, ignored, only_to, quiet,
    refused, world,
};
use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::PrimeOrderGroup;
use dsmpc_core::pvss::{PvssFailure, VerifyMode};
use dsmpc_core::rng;
use dsmpc_roles::RolesError;
use dsmpc_roles::event::{Action, Event};
use dsmpc_roles::parties::{Check, Party, PartyId};
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::wire::{Message, MessageKind, labels};
use num_bigint::BigUint;

type B = Num;

/// 3 selected CPs (VID i has index i), t = 2, `n` DPs; DP d deals `VALUES[d - 1]`.
fn setup(mode: VerifyMode, n: u32) -> (World<B>, Vec<Dealt>) {
    let mut w = world::<B>(3, 3, 2, n, mode);
    assert_eq!(w.select_all(), vec![Some(1), Some(2), Some(3)]);
    let dealt = (1..=n).map(|d| w.deal(d, VALUES[d as usize - 1])).collect();
    (w, dealt)
}

const VALUES: [u32; 3] = [42, 58, 7];

/// Hand CP `vid` DP d's packet for it, from DP d.
fn share(w: &mut World<B>, dealt: &[Dealt], d: u32, vid: u32) -> common::Output {
    let bytes = dealt[d as usize - 1].to(vid).to_vec();
    deliver(&mut w.cps[vid as usize - 1], PartyId::Dp(d), &bytes)
}

/// Every DP's packet to CP `vid`; the upload it then sends the Edge.
fn all_shares(w: &mut World<B>, dealt: &[Dealt], vid: u32) -> Vec<u8> {
    let n = dealt.len() as u32;
    for d in 1..n {
        quiet(&share(w, dealt, d, vid));
    }
    let (sent, events) = share(w, dealt, n, vid);
    assert!(events.is_empty(), "{events:?}");
    only_to(&sent, PartyId::Edge, MessageKind::ResultUpload)
}

/// The Edge's outcome among `events`.
fn outcome(events: &[Event]) -> &dsmpc_roles::parties::Outcome {
    events
        .iter()
        .find_map(|e| match e {
            Event::Outcome(o) => Some(o),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no outcome in {events:?}"))
}

#[test]
fn honest_shares_are_summed_and_reconstructed_in_every_mode() {
    for mode in VerifyMode::PVSS {
        let (mut w, dealt) = setup(mode, 2);
        let mut edge = w.edge_with_roster();
        let mut last = None;
        for vid in 1..=3 {
            // Nothing is uploaded before every DP's share is in.
            quiet(&share(&mut w, &dealt, 1, vid));
            let (sent, events) = share(&mut w, &dealt, 2, vid);
            assert!(events.is_empty(), "{mode}: {events:?}");
            assert_eq!(w.cps[vid as usize - 1].accepted(), 2, "{mode}");
            let up = only_to(&sent, PartyId::Edge, MessageKind::ResultUpload);
            last = Some(deliver(&mut edge, PartyId::Cp(vid), &up));
        }
        let (_, events) = last.unwrap();
        let o = outcome(&events);
        assert_eq!(o.sum, BigUint::from(100u32), "{mode}");
        assert_eq!((o.n, o.check), (2, Check::CrossChecked(3)), "{mode}");
        assert_eq!(o.average(1), "50.0");
    }
}

#[test]
fn a_share_ciphertext_of_511_valid_blocks_is_refused_before_any_decryption() {
    use dsmpc_core::counters::{Op, snapshot};
    for mode in [VerifyMode::Batch, VerifyMode::Vss] {
        let mut w = world::<B>(3, 3, 2, 2, mode);
        w.select_all();
        let dealt = w.deal(1, 5);
        // Anyone can build it from the roster: 511 OAEP blocks under CP 1's key, each with its
        // right label, so every block would decrypt.
        let pk = w.suite.enc_public(&w.keys.enc_key(&w.suite, "vid1").unwrap());
        let label = labels::share(&w.task(), 1, 1);
        let long = w
            .suite
            .encrypt(&pk, &label, &vec![7u8; 511 * 62], &mut rng::seeded(5, "long"))
            .unwrap();
        assert_eq!(long.len(), 511 * 128);
        let bad = edit_share(dealt.to(1), |p| p.eshare = long);
        let before = snapshot().get(Op::Decrypt);
        let (sent, events) = deliver(&mut w.cps[0], PartyId::Dp(1), &bad);
        assert_eq!(snapshot().get(Op::Decrypt), before, "{mode}: not one block decrypted");
        assert!(sent.is_empty());
        if mode == VerifyMode::Vss {
            let d = detections(&events);
            assert!(
                d.iter().any(|d| d.reason.contains("does not decrypt")),
                "{mode}: {events:?}"
            );
        } else {
            assert!(
                matches!(failure(&events), RolesError::ShareUndecryptable { dp: 1, cp: 1 }),
                "{mode}: {events:?}"
            );
        }
    }
}

#[test]
fn tampered_or_relabelled_share_ciphertext_is_a_failure() {
    let (mut w, dealt) = setup(VerifyMode::Batch, 2);
    let bad = edit_share(dealt[0].to(1), |p| p.eshare[5] ^= 1);
    let (sent, events) = deliver(&mut w.cps[0], PartyId::Dp(1), &bad);
    assert!(sent.is_empty());
    assert!(
        matches!(failure(&events), RolesError::ShareUndecryptable { dp: 1, cp: 1 }),
        "{events:?}"
    );
    // The CP is done: it neither takes more shares nor uploads.
    let out = share(&mut w, &dealt, 2, 1);
    ignored(&out, "CP(i=1)", "DP2", "after this CP was done with the shares");
    assert_eq!(w.cps[0].poll_timeout(), None);
    // DP2 relabelling DP1's share as its own: the label binds DP1, so it does not decrypt.
    let moved = edit_share(dealt[0].to(2), |p| p.dp = 2);
    let (sent, events) = deliver(&mut w.cps[1], PartyId::Dp(2), &moved);
    assert!(sent.is_empty());
    assert!(
        matches!(failure(&events), RolesError::ShareUndecryptable { dp: 2, cp: 2 }),
        "{events:?}"
    );
}

#[test]
fn pvss_failures_are_a_failure_in_every_mode() {
    for mode in VerifyMode::PVSS {
        let (w0, dealt) = setup(mode, 1);
        let group = w0.group.clone();
        let Message::SharePacket(other) = decode(dealt[0].to(2)) else {
            panic!()
        };
        let mine = dealt[0].to(1);
        let cases: Vec<(&str, Vec<u8>, PvssFailure)> = vec![
            (
                "wrong E",
                edit_share(mine, |p| p.e = other.e.clone()),
                PvssFailure::WrongE,
            ),
            (
                "wrong C",
                edit_share(mine, |p| p.c = other.c.clone()),
                PvssFailure::WrongC,
            ),
            (
                "wrong r",
                edit_share(mine, |p| p.r = other.r.clone()),
                PvssFailure::WrongC,
            ),
            (
                "E not in the group",
                edit_share(mine, |p| {
                    p.e = group.schnorr().unwrap().element_to_bytes(&<B as Backend>::sub(
                        group.schnorr().unwrap().p(),
                        &B::from_be_bytes(&p.e),
                    ))
                }),
                PvssFailure::MalformedE,
            ),
        ];
        for (what, bytes, want) in cases {
            let (mut w, _) = setup(mode, 1);
            let (sent, events) = deliver(&mut w.cps[0], PartyId::Dp(1), &bytes);
            assert!(sent.is_empty(), "{what} in {mode}: nothing uploaded");
            assert!(
                matches!(failure(&events), RolesError::PvssRejected { dp: 1, cp: 1, reason } if *reason == want),
                "{what} in {mode}: {events:?}"
            );
            assert_eq!(w.cps[0].accepted(), 0, "{what} in {mode}: nothing added to the sum");
        }
    }
}

#[test]
fn share_not_below_q_is_a_failure() {
    let (mut w, dealt) = setup(VerifyMode::Fast, 1);
    let task = w.task();
    let enc_pk = w.cps[0].enc_pk();
    let q_bytes = w.group.zq().to_bytes(&B::sub(w.group.zq().modulus(), &B::from_u64(0)));
    // q itself, 32 bytes, encrypted properly for DP1 -> CP(i=1).
    let ct = w
        .suite
        .encrypt(&enc_pk, &labels::share(&task, 1, 1), &q_bytes, &mut rng::seeded(1, "x"))
        .unwrap();
    let bad = edit_share(dealt[0].to(1), |p| p.eshare = ct);
    let (sent, events) = deliver(&mut w.cps[0], PartyId::Dp(1), &bad);
    assert!(sent.is_empty());
    match failure(&events) {
        RolesError::Malformed {
            kind: MessageKind::SharePacket,
            from,
            reason,
        } => {
            assert_eq!(from, "DP1");
            assert!(reason.contains("below q"), "{reason}");
        }
        other => panic!("{other}"),
    }
    assert_eq!(w.cps[0].accepted(), 0);
}

#[test]
fn fewer_than_t_results_at_the_edge() {
    let (mut w, dealt) = setup(VerifyMode::Batch, 1);
    let ups: Vec<Vec<u8>> = (1..=3).map(|vid| all_shares(&mut w, &dealt, vid)).collect();
    // One result by the deadline: no outcome.
    let mut edge = w.edge_with_roster();
    quiet(&deliver(&mut edge, PartyId::Cp(1), &ups[0]));
    let (_, events) = expire(&mut edge);
    let silent: Vec<String> = detections(&events)
        .iter()
        .filter(|d| d.action == Action::Silent)
        .map(|d| d.subject.clone())
        .collect();
    assert_eq!(silent, vec!["CP(i=2)", "CP(i=3)"]);
    assert!(
        matches!(failure(&events), RolesError::NotEnoughResults { got: 1, need: 2 }),
        "{events:?}"
    );
    // t results by the deadline: the sum, marked as not cross-checked.
    let mut edge = w.edge_with_roster();
    quiet(&deliver(&mut edge, PartyId::Cp(1), &ups[0]));
    quiet(&deliver(&mut edge, PartyId::Cp(2), &ups[1]));
    let (_, events) = expire(&mut edge);
    let o = outcome(&events);
    assert_eq!(o.sum, BigUint::from(42u32));
    assert_eq!(o.check, Check::Unchecked);
    assert_eq!(detections(&events).len(), 1, "CP(i=3) was silent: {events:?}");
}

#[test]
fn tampered_result_is_skipped_and_the_honest_one_still_counts() {
    let (mut w, dealt) = setup(VerifyMode::Batch, 1);
    let ups: Vec<Vec<u8>> = (1..=3).map(|vid| all_shares(&mut w, &dealt, vid)).collect();
    let mut edge = w.edge_with_roster();
    let bad = edit_upload(&ups[0], |m| m.ct[3] ^= 1);
    let d = refused(&deliver(&mut edge, PartyId::Cp(1), &bad)).clone();
    assert_eq!(
        (d.by.as_str(), d.subject.as_str(), d.action),
        ("Edge", "CP(i=1)", Action::Skipped)
    );
    assert!(d.reason.contains("does not decrypt"), "{d}");
    assert_eq!(edge.results(), 0);
    quiet(&deliver(&mut edge, PartyId::Cp(1), &ups[0]));
    assert_eq!(edge.results(), 1);
    quiet(&deliver(&mut edge, PartyId::Cp(2), &ups[1]));
    let (_, events) = deliver(&mut edge, PartyId::Cp(3), &ups[2]);
    let o = outcome(&events);
    assert_eq!((o.sum.clone(), o.check), (BigUint::from(42u32), Check::CrossChecked(3)));
}

/// Malformed variants of `b`.
fn variants(b: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut padded = b.to_vec();
    padded.push(0);
    let mut wrong_version = b.to_vec();
    wrong_version[0] = 9;
    let mut wrong_kind = b.to_vec();
    wrong_kind[1] = 0x7f;
    vec![
        ("empty", Vec::new()),
        ("header only", b[..2].to_vec()),
        ("truncated by one", b[..b.len() - 1].to_vec()),
        ("half", b[..b.len() / 2].to_vec()),
        ("trailing byte", padded),
        ("wrong version", wrong_version),
        ("unknown kind", wrong_kind),
    ]
}

/// Every variant of `honest` is ignored by `p` (named `by`) as malformed, naming the sender
/// `from` as `subject`; then `honest` itself is taken (`check` says how).
fn malformed_then_honest(
    p: &mut dyn Party,
    (by, subject): (&str, &str),
    from: PartyId,
    honest: &[u8],
    check: impl FnOnce(&common::Output),
) {
    for (what, bytes) in variants(honest) {
        let out = deliver(p, from, &bytes);
        let d = ignored(&out, by, subject, "malformed message");
        assert!(!d.reason.is_empty(), "{what}");
    }
    check(&deliver(p, from, honest));
}

#[test]
fn truncated_and_padded_messages_of_every_kind_are_ignored() {
    // Algorithm 1: announcement at a candidate, request at the Cloud, answer at the candidate.
    let mut a = world::<B>(2, 3, 2, 2, VerifyMode::Batch);
    let announce = a.announce.clone();
    let mut req = Vec::new();
    malformed_then_honest(
        &mut a.cps[0],
        ("CP(VID=1)", "Cloud"),
        PartyId::Cloud,
        &announce,
        |(sent, _)| {
            req = only_to(sent, PartyId::Cloud, MessageKind::AuthRequest);
        },
    );
    let mut ans = Vec::new();
    malformed_then_honest(
        &mut a.cloud,
        ("Cloud", "CP(VID=1)"),
        PartyId::Cp(1),
        &req,
        |(sent, events)| {
            assert!(events.is_empty(), "{events:?}");
            ans = World::<B>::answer(sent, 1);
        },
    );
    malformed_then_honest(&mut a.cps[0], ("CP(VID=1)", "Cloud"), PartyId::Cloud, &ans, quiet);
    assert_eq!(a.cps[0].index(), Some(1));

    // Algorithm 2: roster at a DP, share packet at a CP, upload at the Edge.
    let (mut w, dealt) = setup(VerifyMode::Batch, 2);
    let roster = w.roster().to_vec();
    let mut dp = w.dp(1, 42);
    malformed_then_honest(&mut dp, ("DP1", "Cloud"), PartyId::Cloud, &roster, |(sent, events)| {
        assert!(events.is_empty());
        assert_eq!(sent.len(), 3);
    });
    // A message of the wrong kind is not taken either.
    let out = deliver(&mut w.cps[0], PartyId::Dp(1), &roster);
    ignored(&out, "CP(i=1)", "DP1", "roster message not expected from DP1");
    malformed_then_honest(&mut w.cps[0], ("CP(i=1)", "DP1"), PartyId::Dp(1), dealt[0].to(1), quiet);
    let (sent, _) = share(&mut w, &dealt, 2, 1);
    let up = only_to(&sent, PartyId::Edge, MessageKind::ResultUpload);
    let mut edge = w.edge_with_roster();
    malformed_then_honest(&mut edge, ("Edge", "CP(i=1)"), PartyId::Cp(1), &up, quiet);
    assert_eq!(edge.results(), 1);

    // A share whose E has the wrong length decodes, but is malformed: the session ends.
    let short_e = edit_share(dealt[0].to(2), |p| {
        p.e.pop();
    });
    let (_, events) = deliver(&mut w.cps[1], PartyId::Dp(1), &short_e);
    assert!(
        matches!(
            failure(&events),
            RolesError::Malformed {
                kind: MessageKind::SharePacket,
                ..
            }
        ),
        "{events:?}"
    );
}

#[test]
fn a_share_packet_claiming_another_dp_is_ignored_and_the_real_ones_still_count() {
    for mode in [VerifyMode::Paper, VerifyMode::Batch] {
        let (mut w, dealt) = setup(mode, 2);
        // DP2 sends DP1's packet (which names DP1): the network says it comes from DP2.
        let out = deliver(&mut w.cps[0], PartyId::Dp(2), dealt[0].to(1));
        ignored(&out, "CP(i=1)", "DP2", "share packet claims to be from DP1");
        // DP2 claiming to be DP1 in a packet of its own.
        let forged = edit_share(dealt[1].to(1), |p| p.dp = 1);
        let out = deliver(&mut w.cps[0], PartyId::Dp(2), &forged);
        ignored(&out, "CP(i=1)", "DP2", "share packet claims to be from DP1");
        // Neither DP1's nor DP2's slot was taken.
        let up = all_shares(&mut w, &dealt, 1);
        assert_eq!(w.cps[0].accepted(), 2, "{mode}");
        assert_eq!(decode(&up).kind(), MessageKind::ResultUpload);
    }
}

#[test]
fn a_share_packet_addressed_to_another_cp_is_ignored() {
    let (mut w, dealt) = setup(VerifyMode::Fast, 2);
    let out = deliver(&mut w.cps[0], PartyId::Dp(1), dealt[0].to(2));
    ignored(&out, "CP(i=1)", "DP1", "share packet addressed to CP(i=2)");
    all_shares(&mut w, &dealt, 1);
    assert_eq!(w.cps[0].accepted(), 2);
}

#[test]
fn a_second_share_packet_is_ignored() {
    let (mut w, dealt) = setup(VerifyMode::Paper, 2);
    quiet(&share(&mut w, &dealt, 1, 1));
    let out = share(&mut w, &dealt, 1, 1);
    ignored(&out, "CP(i=1)", "DP1", "a second share packet; only the first counts");
    assert_eq!(w.cps[0].accepted(), 1);
    let (sent, _) = share(&mut w, &dealt, 2, 1);
    only_to(&sent, PartyId::Edge, MessageKind::ResultUpload);
    let out = share(&mut w, &dealt, 2, 1);
    ignored(&out, "CP(i=1)", "DP2", "a second share packet; only the first counts");
}

/// Documents the expected behaviour (cp.rs: "a share packet counts only from the DP the network
/// authenticated as its sender"; parties.rs: "a slot ... is claimed only by a message that
/// passed"): a well-formed share packet from a DP number outside 1..=n (here DP3 of 2, dealt by
/// honest code with a valid attachment) is ignored and takes no slot, so the CP still waits for
/// DP1 and DP2 and uploads the sum of their shares only. (Without the check the CP counts DP3's
/// share, uploads after DP1 alone, ignores DP2, and the Edge reconstructs 1042 instead of 100.)
#[test]
fn a_share_packet_from_a_dp_outside_the_task_takes_no_slot() {
    // `vss` too: there the stray share would be rejected at the deadline and named in the CP's
    // report, which the Edge then ignores ("names a DP outside 1..=n"): the CP is left out.
    for mode in [VerifyMode::Paper, VerifyMode::Fast, VerifyMode::Batch, VerifyMode::Vss] {
        let (mut w, dealt) = setup(mode, 2);
        let outsider = w.deal(3, 1000);
        let (sent, events) = deliver(&mut w.cps[0], PartyId::Dp(3), outsider.to(1));
        assert!(sent.is_empty(), "{mode}");
        match &events[..] {
            [Event::Detection(d)] if d.subject == "DP3" && d.action == Action::Ignored => {}
            other => panic!(
                "{mode}: a share packet from DP3, not a DP of this 2-DP task, must be ignored and take no \
                 slot; got {other:?}"
            ),
        }
        // DP1 alone does not complete the CP's shares; DP2 does.
        if mode == VerifyMode::Vss {
            for x in &dealt {
                quiet(&deliver(&mut w.cps[0], PartyId::Edge, x.commitments()));
            }
        }
        quiet(&share(&mut w, &dealt, 1, 1));
        let (sent, events) = share(&mut w, &dealt, 2, 1);
        assert!(events.is_empty(), "{mode}: {events:?}");
        assert_eq!(w.cps[0].accepted(), 2, "{mode}");
        if mode == VerifyMode::Vss {
            let Message::DpReport(r) = decode(&only_to(&sent, PartyId::Edge, MessageKind::DpReport)) else {
                panic!()
            };
            assert_eq!((r.accepted, r.rejected), (vec![(1, 2)], vec![]), "{mode}");
        } else {
            only_to(&sent, PartyId::Edge, MessageKind::ResultUpload);
        }
    }
}

#[test]
fn an_upload_claiming_another_cps_index_is_ignored_and_the_real_one_still_counts() {
    let (mut w, dealt) = setup(VerifyMode::Batch, 1);
    let ups: Vec<Vec<u8>> = (1..=3).map(|vid| all_shares(&mut w, &dealt, vid)).collect();
    let mut edge = w.edge_with_roster();
    // CP(i=2) sends CP(i=1)'s upload; a vehicle that was not selected does too.
    let out = deliver(&mut edge, PartyId::Cp(2), &ups[0]);
    ignored(&out, "Edge", "CP(i=2)", "upload claims to be from CP(i=1)");
    let out = deliver(&mut edge, PartyId::Cp(9), &ups[0]);
    ignored(&out, "Edge", "CP(VID=9)", "upload claims to be from CP(i=1)");
    let out = deliver(&mut edge, PartyId::Outsider(1), &ups[0]);
    ignored(
        &out,
        "Edge",
        "Outsider1",
        "result_upload message not expected from Outsider1",
    );
    let forged = edit_upload(&ups[1], |m| m.index = 1);
    let out = deliver(&mut edge, PartyId::Cp(2), &forged);
    ignored(&out, "Edge", "CP(i=2)", "upload claims to be from CP(i=1)");
    assert_eq!(edge.results(), 0);
    // The real ones count, once.
    quiet(&deliver(&mut edge, PartyId::Cp(1), &ups[0]));
    quiet(&deliver(&mut edge, PartyId::Cp(2), &ups[1]));
    assert_eq!(edge.results(), 2);
    let out = deliver(&mut edge, PartyId::Cp(1), &ups[0]);
    ignored(&out, "Edge", "CP(i=1)", "a second upload; only the first counts");
    let (_, events) = deliver(&mut edge, PartyId::Cp(3), &ups[2]);
    let o = outcome(&events);
    assert_eq!((o.sum.clone(), o.check), (BigUint::from(42u32), Check::CrossChecked(3)));
}

#[test]
fn a_dp_takes_one_roster_and_only_from_the_cloud() {
    let (w, _) = setup(VerifyMode::Batch, 1);
    let roster = w.roster().to_vec();
    let mut dp = w.dp(1, 42);
    for from in [PartyId::Edge, PartyId::Cp(1), PartyId::Dp(2), PartyId::Outsider(1)] {
        let out = deliver(&mut dp, from, &roster);
        ignored(
            &out,
            "DP1",
            &from.to_string(),
            &format!("roster message not expected from {from}"),
        );
    }
    let (sent, events) = deliver(&mut dp, PartyId::Cloud, &roster);
    assert!(events.is_empty());
    let to: Vec<PartyId> = sent.iter().map(|t| t.to).collect();
    assert_eq!(to, vec![PartyId::Cp(1), PartyId::Cp(2), PartyId::Cp(3)]);
    let out = deliver(&mut dp, PartyId::Cloud, &roster);
    ignored(&out, "DP1", "Cloud", "a second roster; only the first counts");
    // The Edge too takes one roster.
    let mut edge = w.edge_with_roster();
    let out = deliver(&mut edge, PartyId::Cloud, &roster);
    ignored(&out, "Edge", "Cloud", "roster message");
    assert_eq!(
        edge.poll_timeout(),
        Some(NOW + 150_000),
        "the first roster's deadline stands"
    );
}
