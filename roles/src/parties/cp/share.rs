//! A CP's part in Algorithm 2, step 3 for one DP's share packet: who may send it, to which
//! index, once; then (scalar sessions) the share decrypted, its length checked before any
//! decryption, and handed with its attachment to the mode's acceptor. Vector shares go on to
//! [`super::vector`].

use dsmpc_core::backend::Backend;
use dsmpc_core::group::PrimeOrderGroup;
use dsmpc_core::pvss::Attachment;

use super::super::{PartyId, Probe, Time, cp_name, dp_name};
use super::ComputingParty;
use crate::check::{Dealt, Received, Verdict};
use crate::error::RolesError;
use crate::suite::CipherSuite;
use crate::wire::{Rejection, SharePacket, labels};

impl<B: Backend, S: CipherSuite> ComputingParty<B, S> {
    /// Algorithm 2, step 3: one DP's share packet, every check before anything is recorded.
    pub(super) fn share(&mut self, d: u32, m: SharePacket, now: Time, probe: &mut dyn Probe) {
        let from = PartyId::Dp(d);
        if m.dp != d {
            return self.ignore(from, format!("share packet claims to be from {}", dp_name(m.dp)));
        }
        if d == 0 || d > self.dps {
            return self.ignore(from, format!("{} is not a DP of this task", dp_name(d)));
        }
        if m.index != self.index {
            return self.ignore(from, format!("share packet addressed to {}", cp_name(m.index)));
        }
        if self.shares.contains(&d) {
            return self.ignore(from, "a second share packet; only the first counts");
        }
        self.shares.insert(d);
        let task = self.task.unwrap_or_default();
        if self.vector.is_some() {
            return self.share_vector(d, m, now, probe);
        }
        let sl = self.group.zq().element_len();
        let el = self.group.element_len();
        let n = self.check.share_scalars();
        // The number of blocks is checked against what the plaintext needs before any
        // decryption: a ciphertext of hundreds of valid blocks costs nothing.
        let plain = (m.eshare.len() == self.suite.ciphertext_len(n * sl))
            .then(|| {
                self.suite.decrypt(
                    &self.keys.enc,
                    &labels::share(&task, d, self.index),
                    &m.eshare,
                    &mut self.rng,
                )
            })
            .flatten()
            .map(zeroize::Zeroizing::new);
        let Some(plain) = plain else {
            return self.decide(vec![(d, Verdict::Rejected(Rejection::Undecryptable))], now, probe);
        };
        let zq = self.group.zq();
        let scalars: Option<Dealt<B>> = (plain.len() == n * sl)
            .then(|| plain.chunks(sl).map(|c| zq.from_bytes(c, "share").ok()).collect())
            .flatten()
            .map(Dealt);
        drop(plain);
        let attached = !(m.e.is_empty() && m.c.is_empty() && m.r.is_empty());
        let att = if attached && m.e.len() == el && m.c.len() == el && m.r.len() == sl {
            Some(Attachment::new(
                self.group.parse_or_identity(&m.e),
                self.group.parse_or_identity(&m.c),
                B::from_be_bytes(&m.r),
            ))
        } else {
            None
        };
        let verdicts = match scalars {
            Some(s) if attached == att.is_some() => {
                let share = Received { dp: d, scalars: s, att };
                self.accept(|a, ctx, rng| a.share(ctx, share, rng))
            }
            _ if self.agreement.is_some() => vec![(d, Verdict::Rejected(Rejection::Malformed))],
            _ => {
                return self.fail(RolesError::Malformed {
                    kind: crate::wire::MessageKind::SharePacket,
                    from: dp_name(d),
                    reason: format!("the share must be {n} scalar(s) below q, E and C {el} bytes and r {sl} bytes"),
                });
            }
        };
        self.decide(verdicts, now, probe);
    }
}
