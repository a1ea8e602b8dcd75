//! A data provider: reads the roster, Shamir-shares its value with threshold t at the selected
//! CPs' indices, and sends each CP its share encrypted under that CP's key (label bound to the
//! task, the DP and the index) with the PVSS attachment `(E, C, r)` of Eq. (3) (Algorithm 2,
//! steps 1-2). The polynomial is wiped when sharing is done, the value when the DP is dropped.

use std::sync::Arc;

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{self, VerifyMode};
use dsmpc_core::rng::DsmpcRng;
use dsmpc_core::shamir::Polynomial;
use num_bigint::BigUint;

use super::{decode, malformed};
use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;
use crate::wire::{Message, MessageKind, SharePacket, TaskId, labels};

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
            rng,
        }
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
    pub fn share_packets(&mut self) -> Result<Vec<(u16, Vec<u8>)>> {
        let task = self
            .task
            .ok_or_else(|| RolesError::Config(format!("DP{} has no roster", self.d)))?;
        let zq = self.group.zq();
        let mut bytes = self.value.to_bytes_be();
        let secret = B::from_be_bytes(&bytes);
        zeroize::Zeroize::zeroize(&mut bytes);
        let mut secret = secret;
        let poly = Polynomial::random(zq, &secret, self.t, &mut self.rng);
        B::wipe(&mut secret);
        let poly = poly?;
        let mut out = Vec::with_capacity(self.roster.len());
        for cp in &self.roster {
            let y = poly.eval(zq, u64::from(cp.index));
            let plain = zq.to_bytes(&y);
            let eshare = self.suite.encrypt(
                &cp.enc_pk,
                &labels::share(&task, self.d, cp.index),
                &plain,
                &mut self.rng,
            )?;
            let att = match self.mode {
                VerifyMode::Paper => pvss::attach_paper(&self.group, &cp.pvss_pk, &y, &mut self.rng),
                VerifyMode::Fast | VerifyMode::Batch => pvss::attach_fast(&self.group, &cp.pvss_pk, &y, &mut self.rng),
            };
            let msg = SharePacket {
                task,
                dp: self.d,
                index: cp.index,
                eshare,
                e: self.group.element_to_bytes(&att.e),
                c: self.group.element_to_bytes(&att.c),
                r: zq.to_bytes(&att.r),
            };
            out.push((cp.index, Message::SharePacket(msg).encode()));
        }
        Ok(out)
    }
}
