//! Networks drive parties: they deliver `(now, authenticated sender, bytes)` to each party,
//! collect what it sends, and fire its deadlines. The network, not the message, says who sent
//! what: a party learns the sender as a [`PartyId`] from the network.
//!
//! [`sim`] is the in-process network with simulated time over emulated links ([`link`]);
//! [`tls`] runs one host of a [`deploy`]ment as a process over mutual TLS, and [`process`] a
//! whole session as such processes on this machine.
//!
//! [`memory`] is the in-process network: deterministic for a seed, parallel across parties
//! (rayon), counting, logging and hashing every message once, with an [`Adversary`] deciding
//! the fate of each message in transit. Later networks (simulated time, TLS between processes)
//! drive the same parties.

pub mod deploy;
pub mod link;
pub mod memory;
pub mod netns;
pub mod overhead;
pub mod process;
pub mod sim;
pub mod tls;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::parties::PartyId;
use crate::wire::MessageKind;

/// How long a session took on a network that has time (simulated or measured).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timing {
    /// From the Cloud's announcement to the Edge's outcome, seconds.
    pub e2e_s: f64,
    /// Per message kind: from its first send to its last arrival, seconds.
    pub rounds: BTreeMap<MessageKind, f64>,
}

/// One message in transit: who sent it (as the network authenticated it), to whom, what.
#[derive(Clone, Debug)]
pub struct Wire {
    /// The authenticated sender.
    pub from: PartyId,
    /// The recipient.
    pub to: PartyId,
    /// The encoded message.
    pub bytes: Arc<[u8]>,
}

/// What the network does with one message, as an adversary decided.
#[derive(Debug, Default)]
pub struct Route {
    /// Messages the adversary sends (from identities it controls) just before this one.
    pub before: Vec<Wire>,
    /// Lose the message.
    pub drop: bool,
    /// Hold the message until nothing else is in flight, then deliver it.
    pub delay: bool,
    /// Deliver it again this many times right after (the same sender, as a transport would).
    pub replays: u32,
}

/// The network part of an adversary: sees every message in transit and decides its [`Route`].
pub trait Adversary: Send {
    /// Decide what happens to `msg`.
    fn route(&mut self, msg: &Wire) -> Route;
}

/// A network without an adversary: every message delivered once, in order.
#[derive(Debug, Default)]
pub struct Honest;

impl Adversary for Honest {
    fn route(&mut self, _msg: &Wire) -> Route {
        Route::default()
    }
}

/// Several adversaries at once: messages injected by all, dropped or delayed if any says so,
/// replayed as often as they say in total.
pub struct Stack<'a>(pub Vec<Box<dyn Adversary + 'a>>);

impl Adversary for Stack<'_> {
    fn route(&mut self, msg: &Wire) -> Route {
        let mut all = Route::default();
        for a in &mut self.0 {
            let r = a.route(msg);
            all.before.extend(r.before);
            all.drop |= r.drop;
            all.delay |= r.delay;
            all.replays += r.replays;
        }
        all
    }
}
