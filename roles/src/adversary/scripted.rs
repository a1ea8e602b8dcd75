//! The network adversary the faults describe ([`Scripted`]): it replays every message to and
//! from a CP, sends a complete dealing in another DP's name ahead of that DP's own, and sends
//! garbage to a CP or garbage uploads to the Edge, from the identities it controls.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dsmpc_core::rng::DsmpcRng;
use rand_core::Rng;

use super::Fault;
use crate::net::memory::BoxedParty;
use crate::net::{Adversary, Route, Wire};
use crate::parties::PartyId;
use crate::wire::{Message, ResultUpload, SharePacket, TaskId};

/// The identity a dealing in DP `dp`'s name comes from: another DP, or an outsider when there
/// is no other DP.
pub fn impostor_of(dp: u32, dps: u32) -> PartyId {
    if dps > 1 {
        PartyId::Dp(dp % dps + 1)
    } else {
        PartyId::Outsider(1)
    }
}

/// The network adversary the faults describe: replays, impersonated dealings and garbage.
pub struct Scripted<'a> {
    replay: BTreeSet<u32>,
    garbage: BTreeSet<u32>,
    garbage_upload: BTreeSet<u32>,
    /// Impersonated DP -> (identity it comes from, an honest DP dealing another value as it).
    impostors: BTreeMap<u32, (PartyId, BoxedParty<'a>)>,
    dps: u32,
    task: Option<TaskId>,
    index_of: BTreeMap<u32, u16>,
    rng: DsmpcRng,
}

impl<'a> Scripted<'a> {
    /// The adversary for `faults` in a task with `dps` DPs; `impostors` are the dealers that
    /// impersonate (DP number, dealer), built by the session from honest DP code.
    pub fn new(faults: &[Fault], dps: u32, impostors: Vec<(u32, BoxedParty<'a>)>, rng: DsmpcRng) -> Self {
        let pick = |f: fn(&Fault) -> Option<u32>| faults.iter().filter_map(f).collect::<BTreeSet<u32>>();
        Scripted {
            replay: pick(|f| match *f {
                Fault::Replay { cp } => Some(cp),
                _ => None,
            }),
            garbage: pick(|f| match *f {
                Fault::Garbage { cp } => Some(cp),
                _ => None,
            }),
            garbage_upload: pick(|f| match *f {
                Fault::GarbageUpload { cp } => Some(cp),
                _ => None,
            }),
            impostors: impostors
                .into_iter()
                .map(|(d, p)| (d, (impostor_of(d, dps), p)))
                .collect(),
            dps,
            task: None,
            index_of: BTreeMap::new(),
            rng,
        }
    }

    /// Garbage for the CP `to` in place of (and claiming the sender of) share packet `m`.
    fn garbage_for(&mut self, to: PartyId, bytes: &[u8], m: &SharePacket) -> Vec<Wire> {
        let out = PartyId::Outsider(1);
        let dp = impostor_of(m.dp, self.dps);
        let mut noise = vec![0u8; 64];
        self.rng.fill_bytes(&mut noise);
        let forged = |dp_claimed: u32| {
            let mut f = m.clone();
            f.dp = dp_claimed;
            Message::SharePacket(f).encode()
        };
        let commitments = Message::Commitments(crate::wire::Commitments {
            task: m.task,
            dp: 1,
            elements: vec![noise.clone()],
            sig: noise.clone(),
        })
        .encode();
        let agreed = Message::AgreedSet(crate::wire::AgreedSet {
            task: m.task,
            excluded: vec![1],
        })
        .encode();
        let index = Message::IndexAssign(crate::wire::IndexAssign {
            task: m.task,
            ct: Some(noise.clone()),
        })
        .encode();
        let truncated = bytes[..bytes.len() / 2].to_vec();
        [
            (out, noise.clone()),
            (out, bytes.to_vec()),
            (dp, bytes.to_vec()),
            (out, forged(self.dps + 7)),
            (dp, forged(self.dps + 7)),
            (dp, truncated),
            (out, commitments),
            (dp, agreed),
            (out, index),
        ]
        .into_iter()
        .map(|(from, b)| Wire {
            from,
            to,
            bytes: b.into(),
        })
        .collect()
    }

    /// Garbage uploads naming CP `vid`'s index, for the Edge.
    fn garbage_uploads(&mut self, vid: u32, task: TaskId) -> Vec<Wire> {
        let Some(&index) = self.index_of.get(&vid) else {
            return Vec::new();
        };
        let other = self.index_of.keys().copied().find(|v| *v != vid);
        let mut ct = vec![0u8; 256];
        self.rng.fill_bytes(&mut ct);
        let up: Arc<[u8]> = Message::ResultUpload(ResultUpload { task, index, ct }).encode().into();
        std::iter::once(PartyId::Outsider(1))
            .chain(other.map(PartyId::Cp))
            .map(|from| Wire {
                from,
                to: PartyId::Edge,
                bytes: up.clone(),
            })
            .collect()
    }
}

impl Adversary for Scripted<'_> {
    fn route(&mut self, w: &Wire) -> Route {
        let mut route = Route::default();
        // Nothing scripted (the honest run): no message needs decoding here.
        if self.replay.is_empty()
            && self.garbage.is_empty()
            && self.garbage_upload.is_empty()
            && self.impostors.is_empty()
        {
            return route;
        }
        let msg = Message::decode(&w.bytes);
        if let Ok(Message::Roster(r)) = &msg {
            self.task = Some(r.task);
            self.index_of = r.entries.iter().map(|e| (e.vid, e.index)).collect();
        }
        // A dealing in DP D's name, sent as D gets the roster (so it arrives first).
        if let (PartyId::Dp(d), Ok(Message::Roster(_))) = (w.to, &msg)
            && let Some((from, mut dealer)) = self.impostors.remove(&d)
        {
            dealer.handle_input(0, PartyId::Cloud, &w.bytes, &mut crate::parties::NoProbe);
            while let Some(t) = dealer.poll_transmit() {
                route.before.push(Wire {
                    from,
                    to: t.to,
                    bytes: t.bytes,
                });
            }
        }
        if let (PartyId::Cp(vid), Ok(Message::SharePacket(m))) = (w.to, &msg)
            && self.garbage.remove(&vid)
        {
            route.before.extend(self.garbage_for(w.to, &w.bytes, m));
        }
        if let (PartyId::Cp(vid), Ok(Message::ResultUpload(m))) = (w.from, &msg)
            && self.garbage_upload.remove(&vid)
        {
            route.before.extend(self.garbage_uploads(vid, m.task));
        }
        let touches = |id: PartyId| matches!(id, PartyId::Cp(v) if self.replay.contains(&v));
        if touches(w.from) || touches(w.to) {
            route.replays = 1;
        }
        route
    }
}
