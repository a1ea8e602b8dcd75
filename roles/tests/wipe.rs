//! Secrets of the parties are wiped on every path without copies left behind: a DP's value,
//! polynomial and shares while it deals and when it is dropped; a CP's decrypted shares and
//! its pending batch while it takes packets and when it is dropped, and on the error path (a
//! packet whose check fails ends the session). Checked with an allocator that searches every
//! block freed meanwhile for the secrets' bytes (`core/tests/common/scan_alloc.rs`); the
//! shares are learnt first from an identical DP (same seed) by decrypting its packets.
//!
//! The parties run on the gmp backend where it is compiled (CI builds all features): on num,
//! num-bigint's own arithmetic frees division scratch unwiped (`core/src/backend/num.rs`), so a
//! hit there would say more about how the allocator reused blocks than about the parties, and
//! did (one run in five of `a_cp_leaves_no_copy_of_its_shares_or_pending_batch` under
//! `--all-features` before this was gmp).

#[path = "../../core/tests/common/scan_alloc.rs"]
mod scan_alloc;

mod common;

use common::{Dealt, World, deliver, world};
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng;
use dsmpc_roles::event::Event;
use dsmpc_roles::parties::PartyId;
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::wire::{Message, labels};
use scan_alloc::{ScanAlloc, needles_of, watch};
use zeroize::Zeroizing;

#[global_allocator]
static ALLOC: ScanAlloc = ScanAlloc;

/// The backend the parties run on: gmp where compiled, else num (see above).
#[cfg(feature = "gmp")]
type B = dsmpc_core::backend::Gmp;
#[cfg(not(feature = "gmp"))]
type B = dsmpc_core::backend::Num;

/// A value without zero bytes: its one 64-bit digit is the needle.
const VALUE: u32 = 0xC3A5_96E7;

/// The share plaintext DP `d`'s packet carries to CP `vid` (index `vid`).
fn share_of(w: &World<B>, dealt: &Dealt, d: u32, vid: u32) -> Vec<u8> {
    let Message::SharePacket(p) = Message::decode(dealt.to(vid)).unwrap() else {
        panic!("not a share packet")
    };
    let sk = w.keys.enc_key(&w.suite, &format!("vid{vid}")).unwrap();
    w.suite
        .decrypt(
            &sk,
            &labels::share(&w.task(), d, vid as u16),
            &p.eshare,
            &mut rng::seeded(1, "t"),
        )
        .unwrap()
}

fn setup(mode: VerifyMode, n: u32) -> (World<B>, Vec<Dealt>, Vec<u64>) {
    let mut w = world::<B>(3, 3, 2, n, mode);
    w.select_all();
    let dealt: Vec<Dealt> = (1..=n).map(|d| w.deal(d, VALUE)).collect();
    let mut needles = vec![u64::from(VALUE)];
    for d in 1..=n {
        for vid in 1..=3 {
            // Wiped once its needles are taken: a freed block still holding the share would
            // be handed to a later allocation (a Vec's spare capacity, say) and found when
            // that is freed while armed, a false hit (seen once in ~70 runs).
            let share = Zeroizing::new(share_of(&w, &dealt[d as usize - 1], d, vid));
            needles.extend(needles_of(&share));
        }
    }
    (w, dealt, needles)
}

#[test]
fn a_dp_leaves_no_copy_of_its_value_polynomial_or_shares() {
    for mode in [VerifyMode::Batch, VerifyMode::Vss] {
        let (w, _, needles) = setup(mode, 1);
        // The same DP again (same seed: the same polynomial and shares), boxed so that its
        // own memory is searched when it is dropped.
        let dp = Box::new(w.dp(1, VALUE));
        let (dp, hits) = watch(&needles, || {
            let mut dp = dp;
            let (sent, events) = deliver(dp.as_mut(), PartyId::Cloud, w.roster());
            assert!(events.is_empty() && sent.len() >= 3, "{events:?}");
            dp
        });
        assert_eq!(
            hits,
            0,
            "{mode}: dealing left a copy of the value, a coefficient or a share {:?}",
            scan_alloc::traces()
        );
        let ((), hits) = watch(&needles, || drop(dp));
        assert_eq!(hits, 0, "{mode}: the dropped DP freed its value unwiped");
    }
}

#[test]
fn a_cp_leaves_no_copy_of_its_shares_or_pending_batch() {
    // Batch: two of three DPs' packets wait in the pending batch when the CP is dropped.
    let (mut w, dealt, needles) = setup(VerifyMode::Batch, 3);
    let cp = Box::new(w.cps.remove(0));
    let (cp, hits) = watch(&needles, || {
        let mut cp = cp;
        for (d, dealt) in dealt.iter().enumerate().take(2) {
            let (sent, events) = deliver(cp.as_mut(), PartyId::Dp(d as u32 + 1), dealt.to(1));
            assert!(sent.is_empty() && events.is_empty(), "{events:?}");
        }
        cp
    });
    assert_eq!(hits, 0, "decrypting and holding shares left a copy");
    assert_eq!(cp.accepted(), 0, "the shares are pending, not yet verified");
    let ((), hits) = watch(&needles, || drop(cp));
    assert_eq!(hits, 0, "the dropped CP freed its pending batch unwiped");
}

#[test]
fn a_cp_that_fails_a_check_leaves_no_copy_of_the_share() {
    // Paper mode: a packet whose attachment does not match ends the session at the CP.
    let (mut w, dealt, needles) = setup(VerifyMode::Paper, 1);
    let bad = common::edit_share(dealt[0].to(1), |p| p.r[31] ^= 1);
    let cp = Box::new(w.cps.remove(0));
    let (cp, hits) = watch(&needles, || {
        let mut cp = cp;
        let (_, events) = deliver(cp.as_mut(), PartyId::Dp(1), &bad);
        assert!(events.iter().any(|e| matches!(e, Event::Failed(_))), "{events:?}");
        cp
    });
    assert_eq!(
        hits,
        0,
        "the error path left a copy of the share {:?}",
        scan_alloc::traces()
    );
    let ((), hits) = watch(&needles, || drop(cp));
    assert_eq!(hits, 0);
}
