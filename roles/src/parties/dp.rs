//! A data provider as a state machine: it waits for the roster from the Cloud, Shamir-shares
//! its value with threshold t at the selected CPs' indices, and sends each CP (addressed by its
//! VID) its share encrypted under that CP's key (label bound to the task, the DP and the index)
//! with the mode's attachment (Algorithm 2, steps 1-2). In `vss` mode it also signs its
//! commitments (ECDSA P-256, or Ed25519 with the x25519 suite; bound to the task) and sends
//! them to the Edge for relaying.
//!
//! Only a roster from the Cloud is taken, once; anything else is ignored and reported.
//! Secrets are wiped on every path, success or error: the polynomials when sharing is done (see
//! [`crate::check::Dealing`]), each share's scalars and plaintext as soon as it is encrypted,
//! the value when the DP is dropped (`tests/wipe.rs` checks that no freed memory holds them).

use std::sync::Arc;

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::field64::F64;
use dsmpc_core::group::{AnyElement, AnyGroup, PrimeOrderGroup};
use dsmpc_core::pvss::{self, Attachment};
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::vshare::{self, VShare};
use dsmpc_core::vvss::VssShare;
use num_bigint::BigUint;
use zeroize::Zeroizing;

use super::{Outbox, Party, PartyId, Probe, Time, decode_for, dp_name, unexpected};
use crate::check::{Attaching, ShareTo, Verification};
use crate::error::{Result, RolesError};
use crate::event::{Action, Event};
use crate::keys::{self, DpSigningKey};
use crate::metrics::Phase;
use crate::suite::CipherSuite;
use crate::vector::{self, Body};
use crate::wire::{Commitments, Message, Roster, SharePacket, TaskId, labels};

/// A data provider holding one value.
pub struct DataProvider<B: Backend, S: CipherSuite> {
    suite: S,
    group: Arc<AnyGroup<B>>,
    check: Arc<dyn Verification<B>>,
    d: u32,
    value: BigUint,
    /// A vector input (encoded for the session's function), dealt instead of `value`.
    vector: Option<zeroize::Zeroizing<Vec<F64>>>,
    sign_key: Option<DpSigningKey>,
    dealt: bool,
    rng: DsmpcRng,
    out: Outbox,
}

impl<B: Backend, S: CipherSuite> Drop for DataProvider<B, S> {
    fn drop(&mut self) {
        Num::wipe(&mut self.value);
    }
}

struct RosterCp<B: Backend, S: CipherSuite> {
    index: u16,
    vid: u32,
    enc_pk: S::EncPublic,
    pvss_pk: AnyElement<B>,
}

/// A packet on its way out: its CP, the encrypted share and the attachment.
type Outgoing<'a, B, S> = (&'a RosterCp<B, S>, Vec<u8>, Option<Attachment<B>>);

impl<B: Backend, S: CipherSuite> DataProvider<B, S> {
    /// DP number `d` (1-based) with its value, dealing as `check` says; `sign_key` signs the
    /// commitments in `vss` mode (unused otherwise).
    pub fn new(
        suite: S,
        group: Arc<AnyGroup<B>>,
        check: Arc<dyn Verification<B>>,
        d: u32,
        value: BigUint,
        sign_key: Option<DpSigningKey>,
        rng: DsmpcRng,
    ) -> Self {
        DataProvider {
            suite,
            group,
            check,
            d,
            value,
            vector: None,
            sign_key,
            dealt: false,
            rng,
            out: Outbox::default(),
        }
    }

    /// Deal the vector `input` (the function's encoding of this DP's input) instead of the
    /// value: shares in F64, one suite encryption per CP (see [`crate::vector`]).
    pub fn with_vector(mut self, input: Vec<F64>) -> Self {
        self.vector = Some(zeroize::Zeroizing::new(input));
        self
    }

    /// Check the roster: t and every entry's keys.
    fn read_roster(&self, r: &Roster) -> std::result::Result<Vec<RosterCp<B, S>>, String> {
        let t = r.t as usize;
        if t < 2 || t > r.entries.len() {
            return Err(format!("threshold {t} with {} CPs", r.entries.len()));
        }
        let mut roster: Vec<RosterCp<B, S>> = Vec::with_capacity(r.entries.len());
        for e in &r.entries {
            if e.index == 0 || roster.iter().any(|c| c.index == e.index || c.vid == e.vid) {
                return Err(format!("index {} or VID {} is zero or repeated", e.index, e.vid));
            }
            let enc_pk = self
                .suite
                .decode_enc_public_relayed(&e.enc_pk)
                .map_err(|err| format!("CP(i={}): {err}", e.index))?;
            if e.pvss_pk.len() != self.group.element_len() {
                return Err(format!("CP(i={}): PVSS key of {} bytes", e.index, e.pvss_pk.len()));
            }
            let pvss_pk = self
                .group
                .decode_element(&e.pvss_pk, "PVSS public key")
                .map_err(|err| format!("CP(i={}): {err}", e.index))?;
            roster.push(RosterCp {
                index: e.index,
                vid: e.vid,
                enc_pk,
                pvss_pk,
            });
        }
        Ok(roster)
    }

    /// Algorithm 2, steps 1-2: deal, then one share packet per roster CP (and the signed
    /// commitments for the Edge in `vss` mode).
    fn share(&mut self, r: &Roster, roster: &[RosterCp<B, S>]) -> Result<()> {
        let task = r.task;
        let bytes = Zeroizing::new(Num::to_be_bytes(&self.value));
        let mut secret = B::from_be_bytes(&bytes);
        drop(bytes);
        let dealing = self.check.deal(&self.group, &secret, r.t as usize, &mut self.rng);
        B::wipe(&mut secret);
        let dealing = dealing?;
        let zq = self.group.zq();
        let mut packets = Vec::with_capacity(roster.len());
        // One sender key for all this DP's shares where the suite has one (x25519, p256).
        let sender = self.suite.sender_key(&mut self.rng)?;
        for (pos, cp) in roster.iter().enumerate() {
            let to = ShareTo {
                index: cp.index,
                vid: cp.vid,
                pos: (pos, roster.len()),
            };
            let scalars = self.check.scalars(&self.group, &dealing, &to);
            // The share plaintext, built in place and wiped (each scalar's encoding too).
            let mut plain = Zeroizing::new(Vec::with_capacity(scalars.0.len() * zq.element_len()));
            for x in &scalars.0 {
                plain.extend_from_slice(&Zeroizing::new(zq.to_bytes(x)));
            }
            let label = labels::share(&task, self.d, cp.index);
            let eshare = match &sender {
                Some(s) => self
                    .suite
                    .encrypt_from(Some(s), &cp.enc_pk, &label, &plain, &mut self.rng)?,
                None => self.suite.encrypt(&cp.enc_pk, &label, &plain, &mut self.rng)?,
            };
            let share = Attaching {
                group: &self.group,
                to: &to,
                pk: &cp.pvss_pk,
                y: &scalars.0[0],
            };
            let att = self.check.attach(&share, &mut self.rng);
            packets.push((cp, eshare, att));
        }
        if let Some(c) = &dealing.commitments {
            self.send_commitments(task, c)?;
        }
        self.send_packets(task, packets);
        Ok(())
    }

    /// `vss`: the signed commitments, for the Edge to relay.
    fn send_commitments(&mut self, task: TaskId, c: &[AnyElement<B>]) -> Result<()> {
        let elements: Vec<Vec<u8>> = c.iter().map(|x| self.group.encode_element(x)).collect();
        let key = self
            .sign_key
            .as_ref()
            .ok_or_else(|| RolesError::Config(format!("{} has no signing key for its commitments", dp_name(self.d))))?;
        let sig = keys::sign_commitments(key, &task, self.d, &elements, &mut self.rng)?;
        let m = Commitments {
            task,
            dp: self.d,
            elements,
            sig,
        };
        self.out.send(PartyId::Edge, Message::Commitments(m).encode());
        Ok(())
    }

    /// Algorithm 2, steps 1-2 for a vector: deal it in F64 (the first t-1 CPs get seeds),
    /// seal each CP's share, attach the PVSS proof on the share's random linear combination.
    /// In `vss` the vector is dealt in Z_q with commitments instead ([`Self::share_vss_vector`]).
    fn share_vector(&mut self, r: &Roster, roster: &[RosterCp<B, S>]) -> Result<()> {
        if self.check.commits() {
            return self.share_vss_vector(r, roster);
        }
        let task = r.task;
        let input = self.vector.take().unwrap_or_default();
        let points: Vec<u64> = roster.iter().map(|c| u64::from(c.index)).collect();
        let context = vector::seed_context(&task, self.d);
        let shares = vshare::deal(&input, &points, r.t as usize, &context, &mut self.rng)?;
        let sender = self.suite.sender_key(&mut self.rng)?;
        let mut packets = Vec::with_capacity(roster.len());
        for ((pos, cp), share) in roster.iter().enumerate().zip(&shares) {
            let to = ShareTo {
                index: cp.index,
                vid: cp.vid,
                pos: (pos, roster.len()),
            };
            let label = labels::share(&task, self.d, cp.index);
            let eshare = vector::seal(&self.suite, sender.as_ref(), &cp.enc_pk, &label, share, &mut self.rng)?;
            let z = match share {
                VShare::Seed(seed) => {
                    let v = vshare::expand(seed, &context, u64::from(cp.index), input.len());
                    vector::combination(&label, &eshare, &v)
                }
                VShare::Explicit(v) => vector::combination(&label, &eshare, v),
            };
            let mut y = B::from_u64(z.value());
            let share = Attaching {
                group: &self.group,
                to: &to,
                pk: &cp.pvss_pk,
                y: &y,
            };
            let att = self.check.attach(&share, &mut self.rng);
            B::wipe(&mut y);
            packets.push((cp, eshare, att));
        }
        self.send_packets(task, packets);
        Ok(())
    }

    /// `vss` on vectors ([`dsmpc_core::vvss`]): deal in Z_q (seeds for the first t-1 CPs),
    /// commit to the coefficients, seal each CP's share; no attachment.
    fn share_vss_vector(&mut self, r: &Roster, roster: &[RosterCp<B, S>]) -> Result<()> {
        let task = r.task;
        let input = self.vector.take().unwrap_or_default();
        let to: Vec<ShareTo> = roster
            .iter()
            .enumerate()
            .map(|(pos, cp)| ShareTo {
                index: cp.index,
                vid: cp.vid,
                pos: (pos, roster.len()),
            })
            .collect();
        let context = vector::seed_context(&task, self.d);
        let dealing = self
            .check
            .deal_vector(&self.group, &input, &to, r.t as usize, &context, &mut self.rng)?;
        let sender = self.suite.sender_key(&mut self.rng)?;
        let mut packets = Vec::with_capacity(roster.len());
        for (cp, share) in roster.iter().zip(&dealing.shares) {
            let label = labels::share(&task, self.d, cp.index);
            let body = match share {
                VssShare::Seed(seed) => Body::Seed(seed),
                VssShare::Explicit(bytes) => Body::Bytes(bytes),
            };
            let eshare = vector::seal_body(&self.suite, sender.as_ref(), &cp.enc_pk, &label, body, &mut self.rng)?;
            packets.push((cp, eshare, None));
        }
        self.send_commitments(task, &dealing.commitments)?;
        self.send_packets(task, packets);
        Ok(())
    }

    /// Send every CP its packet: E and C of all attachments encoded together (one inversion
    /// for all on a curve).
    fn send_packets(&mut self, task: TaskId, packets: Vec<Outgoing<'_, B, S>>) {
        let zq = self.group.zq();
        let atts: Vec<&Attachment<B>> = packets.iter().filter_map(|(_, _, a)| a.as_ref()).collect();
        let mut encoded = pvss::encode_attachments(&*self.group, &atts).into_iter();
        for (cp, eshare, att) in packets {
            let ([e, c], r) = match att.zip(encoded.next()) {
                Some((a, ec)) => (ec, zq.to_bytes(&a.r)),
                None => Default::default(),
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
            self.out.send(PartyId::Cp(cp.vid), Message::SharePacket(msg).encode());
        }
    }
}

impl<B: Backend, S: CipherSuite> Party for DataProvider<B, S> {
    fn id(&self) -> PartyId {
        PartyId::Dp(self.d)
    }

    fn handle_input(&mut self, _now: Time, from: PartyId, bytes: &[u8], probe: &mut dyn Probe) {
        probe.enter(Phase::ShareEncryptPvssAttach, self.d);
        let name = dp_name(self.d);
        let roster = match decode_for(bytes, None) {
            Ok(Message::Roster(r)) if from == PartyId::Cloud => r,
            Ok(m) => {
                return self
                    .out
                    .detect(name, from.to_string(), Action::Ignored, unexpected(m.kind(), from));
            }
            Err(why) => return self.out.detect(name, from.to_string(), Action::Ignored, why),
        };
        if self.dealt {
            return self.out.detect(
                name,
                from.to_string(),
                Action::Ignored,
                "a second roster; only the first counts",
            );
        }
        let checked = match self.read_roster(&roster) {
            Ok(c) => c,
            Err(why) => {
                return self
                    .out
                    .detect(name, "Cloud", Action::Ignored, format!("bad roster: {why}"));
            }
        };
        self.dealt = true;
        let dealt = match self.vector {
            Some(_) => self.share_vector(&roster, &checked),
            None => self.share(&roster, &checked),
        };
        if let Err(e) = dealt {
            self.out.event(Event::Failed(e));
        }
    }

    fn handle_timeout(&mut self, _now: Time, _probe: &mut dyn Probe) {}

    fn poll_timeout(&self) -> Option<Time> {
        None
    }

    fn outbox(&mut self) -> &mut Outbox {
        &mut self.out
    }
}
