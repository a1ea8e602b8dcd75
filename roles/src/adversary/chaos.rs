//! A random network adversary ([`Chaos`]): with a given probability per message it drops,
//! delays or replays it, or sends a mangled copy, a copy from an identity it controls, or
//! random bytes; its [`ChaosLog`] says what it did, for checking afterwards.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use dsmpc_core::rng::DsmpcRng;
use rand_core::Rng;

use crate::net::{Adversary, Route, Wire};
use crate::parties::PartyId;
use crate::wire::{Message, MessageKind};

/// What [`Chaos`] did, for checking afterwards.
#[derive(Clone, Debug, Default)]
pub struct ChaosLog {
    /// Messages acted on.
    pub actions: usize,
    /// Messages dropped, by kind.
    pub dropped: Vec<MessageKind>,
    /// DPs whose roster, share packet or commitments (direct or relayed) were dropped: the only
    /// honest DPs the network may get excluded.
    pub lost_dps: BTreeSet<u32>,
}

/// A network adversary that, with probability `rate` per message, drops, delays or replays it,
/// sends a mangled copy or a copy of it from an identity it controls, or sends random bytes.
pub struct Chaos {
    rate: f64,
    controls: Vec<PartyId>,
    rng: DsmpcRng,
    log: Arc<Mutex<ChaosLog>>,
}

impl Chaos {
    /// Chaos at `rate` (0..=1) sending from `controls` (at least one identity: an outsider is
    /// added), with its own randomness; the log to inspect afterwards.
    pub fn new(rate: f64, mut controls: Vec<PartyId>, rng: DsmpcRng) -> (Self, Arc<Mutex<ChaosLog>>) {
        controls.push(PartyId::Outsider(1));
        let log = Arc::new(Mutex::new(ChaosLog::default()));
        (
            Chaos {
                rate,
                controls,
                rng,
                log: log.clone(),
            },
            log,
        )
    }

    fn lost_dp(w: &Wire, m: &Message) -> Option<u32> {
        match (m, w.to) {
            (Message::Roster(_), PartyId::Dp(d)) => Some(d),
            (Message::SharePacket(p), _) => Some(p.dp),
            (Message::Commitments(c), _) => Some(c.dp),
            _ => None,
        }
    }
}

impl Adversary for Chaos {
    fn route(&mut self, w: &Wire) -> Route {
        let mut route = Route::default();
        if (self.rng.next_u64() as f64 / u64::MAX as f64) >= self.rate {
            return route;
        }
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        log.actions += 1;
        let from = self.controls[(self.rng.next_u32() as usize) % self.controls.len()];
        match self.rng.next_u32() % 6 {
            0 => {
                route.drop = true;
                if let Ok(m) = Message::decode(&w.bytes) {
                    log.dropped.push(m.kind());
                    if let Some(d) = Self::lost_dp(w, &m) {
                        log.lost_dps.insert(d);
                    }
                }
            }
            1 => route.delay = true,
            2 => route.replays = 1,
            3 => {
                let mut b = w.bytes.to_vec();
                let i = (self.rng.next_u32() as usize) % b.len().max(1);
                if let Some(x) = b.get_mut(i) {
                    *x ^= 1 << (self.rng.next_u32() % 8);
                }
                route.before.push(Wire {
                    from,
                    to: w.to,
                    bytes: b.into(),
                });
            }
            4 => route.before.push(Wire {
                from,
                to: w.to,
                bytes: w.bytes.clone(),
            }),
            _ => {
                let mut b = vec![0u8; 1 + (self.rng.next_u32() % 200) as usize];
                self.rng.fill_bytes(&mut b);
                route.before.push(Wire {
                    from,
                    to: w.to,
                    bytes: b.into(),
                });
            }
        }
        route
    }
}
