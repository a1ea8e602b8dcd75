//! Networks drive parties: they deliver `(now, authenticated sender, bytes)` to each party,
//! collect what it sends, and fire its deadlines. The network, not the message, says who sent
//! what: a party learns the sender as a [`PartyId`] from the network.
//!
//! [`memory`] is the in-process network: deterministic for a seed, parallel across parties
//! (rayon), counting, logging and hashing every message once, with an [`Adversary`] deciding
//! the fate of each message in transit. The other networks (simulated time, TLS between
//! processes, network namespaces) are in the networks crate (`dsmpc-net`) and drive the same
//! parties: in-process ones through [`InProcess`], with this module's [`Record`].

pub mod memory;

use std::collections::BTreeMap;
use std::sync::Arc;

use dsmpc_core::rng::RngSource;

use crate::error::Result;
use crate::log::EventSink;
use crate::parties::{Outcome, PartyId, Time, Timeouts};
use crate::wire::MessageKind;
use memory::{BoxedParty, MemoryNetwork, Record};

/// An in-process network that runs a whole session's parties to the end: [`InMemory`] here,
/// simulated time in the networks crate. [`crate::session::run_on`] builds the parties, then
/// hands them to [`InProcess::drive`].
pub trait InProcess {
    /// The parties' deadlines on this network.
    fn timeouts(&self) -> Timeouts;

    /// Run `parties` with `adversary` in the middle until the outcome or a failure; what was
    /// recorded either way. An error: the network could not start.
    fn drive<'a>(
        &self,
        parties: Vec<BoxedParty<'a>>,
        adversary: Box<dyn Adversary + 'a>,
        with: Drive<'a>,
    ) -> Result<(Result<Outcome>, Record)>;
}

/// What a session gives the network that drives it.
pub struct Drive<'a> {
    /// Threads for the parties' handlers (the in-memory network).
    pub threads: usize,
    /// The session's randomness (a network draws its own stream from it).
    pub src: RngSource,
    /// Where log events go.
    pub sink: Option<&'a mut dyn EventSink>,
    /// The protocol time the session starts at.
    pub start: Time,
}

/// The in-memory network ([`memory::MemoryNetwork`]) with these deadlines.
#[derive(Clone, Copy, Debug, Default)]
pub struct InMemory(pub Timeouts);

impl InProcess for InMemory {
    fn timeouts(&self) -> Timeouts {
        self.0
    }

    fn drive<'a>(
        &self,
        parties: Vec<BoxedParty<'a>>,
        adversary: Box<dyn Adversary + 'a>,
        with: Drive<'a>,
    ) -> Result<(Result<Outcome>, Record)> {
        Ok(MemoryNetwork::new(parties, adversary, with.threads, with.sink)?.run(with.start))
    }
}

/// How long a session took on a network that has time (simulated or measured).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timing {
    /// From the Cloud's announcement to the Edge's outcome, seconds.
    pub e2e_s: f64,
    /// Per message kind: from its first send to its last arrival, seconds.
    pub rounds: BTreeMap<MessageKind, f64>,
    /// `sim` with a placement's TLS costs: what it charged, as [`SimTls`].
    pub sim_tls: Option<SimTls>,
}

/// What the simulated network charged for TLS between hosts (`dsmpc_net::sim::Placement` with costs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SimTls {
    /// Hosts the parties were placed on.
    pub hosts: u64,
    /// Connections opened (one per dialling host and listening host).
    pub connections: u64,
    /// Handshake CPU charged, both sides, seconds.
    pub handshake_cpu_s: f64,
    /// Record CPU charged (messages between hosts, both ends), seconds.
    pub record_cpu_s: f64,
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
