//! A data provider: reads the roster, Shamir-shares its value with threshold t at the selected
//! CPs' indices, and sends each CP its share encrypted under that CP's key (label bound to the
//! task, the DP and the index) with the PVSS attachment `(E, C, r)` of Eq. (3) (Algorithm 2,
//! steps 1-2). The polynomial is wiped when sharing is done, the value when the DP is dropped.
//!
//! In `vss` mode the DP instead deals with Pedersen commitments ([`dsmpc_core::vss`]): it
//! sends each CP the pair `(f(i), b(i))` encrypted, without attachment, and one
//! [`Commitments`] message for the Edge to relay to every CP.
//!
//! For fault injection a DP can be told to cheat ([`DataProvider::inject_bad_share`],
//! [`DataProvider::inject_inconsistent_dealing`]); the attachment or commitments it sends are
//! then those of the honest share, as a cheater's would be.

use std::sync::Arc;

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, VerifyMode};
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::Polynomial;
use dsmpc_core::vss;
use num_bigint::BigUint;

use super::{decode, malformed};
use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;
use crate::wire::{Commitments, Message, MessageKind, SharePacket, TaskId, labels};

struct RosterCp<B: Backend, S: CipherSuite> {
    index: u16,
    enc_pk: S::EncPublic,
    pvss_pk: B::Int,
}

/// A data provider holding one value.
pub struct DataProvider<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<SchnorrGroup<B>>,
    d: u32,
    value: BigUint,
    mode: VerifyMode,
    task: Option<TaskId>,
    t: usize,
    roster: Vec<RosterCp<B, S>>,
    commitments: Option<Vec<u8>>,
    bad_share_for: Vec<u16>,
    inconsistent: bool,
    rng: DsmpcRng,
}

impl<B: Backend, S: CipherSuite> Drop for DataProvider<B, S> {
    fn drop(&mut self) {
        Num::wipe(&mut self.value);
    }
}

impl<B: Backend, S: CipherSuite> DataProvider<B, S> {
    /// DP number `d` (1-based) with its value; `mode` picks the paper-literal or the table
    /// attachment (identical output).
    pub fn new(suite: S, group: Arc<SchnorrGroup<B>>, d: u32, value: BigUint, mode: VerifyMode, rng: DsmpcRng) -> Self {
        DataProvider {
            suite,
            group,
            d,
            value,
            mode,
            task: None,
            t: 0,
            roster: Vec::new(),
            commitments: None,
            bad_share_for: Vec::new(),
            inconsistent: false,
            rng,
        }
    }

    /// Fault injection: send the CP with this index `y + 1` instead of its share.
    pub fn inject_bad_share(&mut self, index: u16) {
        self.bad_share_for.push(index);
    }

    /// Fault injection: give the upper half of the roster (by position, at least one CP)
    /// shares of a second polynomial with the same constant term.
    pub fn inject_inconsistent_dealing(&mut self) {
        self.inconsistent = true;
    }

    /// `vss` mode: the encoded commitments of the last dealing, for the Edge (taken once).
    pub fn take_commitments(&mut self) -> Option<Vec<u8>> {
        self.commitments.take()
    }

    /// Read the roster from the Cloud: t and each selected CP's keys.
    pub fn receive_roster(&mut self, bytes: &[u8]) -> Result<()> {
        let Message::Roster(r) = decode(bytes, MessageKind::Roster, "Cloud")? else {
            return Err(malformed(MessageKind::Roster, "Cloud", "not a roster"));
        };
        let bad = |why: String| malformed(MessageKind::Roster, "Cloud", why);
        let t = r.t as usize;
        if t < 2 || t > r.entries.len() {
            return Err(RolesError::BadThreshold {
                t,
                selected: r.entries.len(),
            });
        }
        let mut roster = Vec::with_capacity(r.entries.len());
        for e in &r.entries {
            if e.index == 0 || roster.iter().any(|c: &RosterCp<B, S>| c.index == e.index) {
                return Err(bad(format!("index {} is zero or repeated", e.index)));
            }
            let enc_pk = self
                .suite
                .decode_enc_public(&e.enc_pk)
                .map_err(|err| bad(format!("CP(i={}): {err}", e.index)))?;
            if e.pvss_pk.len() != self.group.element_len() {
                return Err(bad(format!("CP(i={}): PVSS key of {} bytes", e.index, e.pvss_pk.len())));
            }
            let pvss_pk = self
                .group
                .element_from_bytes(&e.pvss_pk, "PVSS public key")
                .map_err(|err| bad(format!("CP(i={}): {err}", e.index)))?;
            roster.push(RosterCp {
                index: e.index,
                enc_pk,
                pvss_pk,
            });
        }
        self.task = Some(r.task);
        self.t = t;
        self.roster = roster;
        Ok(())
    }

    /// Algorithm 2, steps 1-2: one encoded share packet per roster CP, as `(index, bytes)`.
    /// In `vss` mode the commitments are then ready in [`DataProvider::take_commitments`].
    pub fn share_packets(&mut self) -> Result<Vec<(u16, Vec<u8>)>> {
        let task = self
            .task
            .ok_or_else(|| RolesError::Config(format!("DP{} has no roster", self.d)))?;
        let zq = self.group.zq();
        let mut bytes = self.value.to_bytes_be();
        let mut secret = B::from_be_bytes(&bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        let dealt = if self.mode == VerifyMode::Vss {
            vss::deal(&self.group, &secret, self.t, &mut self.rng).map(|d| (d.f, Some((d.b, d.commitments))))
        } else {
            Polynomial::random(zq, &secret, self.t, &mut self.rng).map(|f| (f, None))
        };
        B::wipe(&mut secret);
        let (poly, blinding) = dealt?;
        // Fault injection: a second polynomial f + delta with delta(0) = 0.
        let delta = if self.inconsistent {
            Some(Polynomial::random(zq, &B::from_u64(0), self.t, &mut self.rng)?)
        } else {
            None
        };
        if let Some((_, commitments)) = &blinding {
            self.commitments = Some(
                Message::Commitments(Commitments {
                    task,
                    dp: self.d,
                    elements: commitments.iter().map(|c| self.group.element_to_bytes(c)).collect(),
                })
                .encode(),
            );
        }
        let cheat_from = self.roster.len() / 2;
        let mut out = Vec::with_capacity(self.roster.len());
        for (pos, cp) in self.roster.iter().enumerate() {
            let x = u64::from(cp.index);
            let honest = poly.eval(zq, x);
            let mut sent = honest.clone();
            if let Some(delta) = delta.as_ref().filter(|_| pos >= cheat_from) {
                sent = zq.add(&sent, &delta.eval(zq, x));
            }
            if self.bad_share_for.contains(&cp.index) {
                sent = zq.add(&sent, &B::from_u64(1));
            }
            let mut plain = zq.to_bytes(&sent);
            if let Some((b, _)) = &blinding {
                plain.extend_from_slice(&zq.to_bytes(&b.eval(zq, x)));
            }
            let eshare = self.suite.encrypt(
                &cp.enc_pk,
                &labels::share(&task, self.d, cp.index),
                &plain,
                &mut self.rng,
            );
            zeroize::Zeroize::zeroize(&mut plain);
            let eshare = eshare?;
            // A cheater attaches what an honest share would carry, except for the
            // inconsistent dealing, whose second polynomial looks honest share by share.
            let attached = if delta.is_some() && !self.bad_share_for.contains(&cp.index) {
                &sent
            } else {
                &honest
            };
            let (e, c, r) = match self.mode {
                VerifyMode::Vss => (Vec::new(), Vec::new(), Vec::new()),
                mode => {
                    let att = if mode == VerifyMode::Paper {
                        pvss::attach_paper(&self.group, &cp.pvss_pk, attached, &mut self.rng)
                    } else {
                        pvss::attach_fast(&self.group, &cp.pvss_pk, attached, &mut self.rng)
                    };
                    (
                        self.group.element_to_bytes(&att.e),
                        self.group.element_to_bytes(&att.c),
                        zq.to_bytes(&att.r),
                    )
                }
            };
            let msg = SharePacket {
                task,
                dp: self.d,
                index: cp.index,
                eshare,
                e,
                c,
                r,
            };
            out.push((cp.index, Message::SharePacket(msg).encode()));
        }
        Ok(out)
    }
}
