//! The four roles of D-SMPC as sans-IO state machines.
//!
//! A party is handed `(now, authenticated sender, bytes)` ([`Party::handle_input`]) or a
//! timeout ([`Party::handle_timeout`]), and yields messages to send ([`Party::poll_transmit`]),
//! events ([`Party::poll_event`]: detections, the selection, the outcome, a failure) and its next
//! deadline ([`Party::poll_timeout`]). No party calls another, reads a clock or knows who drives
//! it: the networks of [`crate::net`] do (the model is quinn-proto's `Connection`).
//!
//! - [`Cloud`]: announces the task, selects CPs (Algorithm 1), sends the roster to DPs and Edge.
//! - [`ComputingParty`]: asks to be selected, checks and sums DPs' shares, uploads its sum-share.
//! - [`DataProvider`]: shares its value to the CPs in the roster (Algorithm 2).
//! - [`Edge`]: relays and checks (`vss`), reconstructs sum and average from any t results.
//!
//! The agreement round of `vss` is its own part (`agreement`), held by the CP and the Edge only
//! when the mode has one, so that neither branches on the mode.
//!
//! **Who sent a message is the network's word** ([`PartyId`]), never the message's. Every party
//! checks the sender a message claims (a DP number, a CP index, a VID) against the authenticated
//! one, and checks everything else, *before* it records anything: a slot, a nonce, a DP number,
//! a report or an agreed set is claimed only by a message that passed. A message that fails is
//! reported as a [`Detection`] and changes nothing; a duplicate is ignored.
//!
//! Work is attributed to measured phases through a [`Probe`] the driver passes in: a party says
//! which phase (and instance) the work that follows belongs to.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::sync::Arc;

use crate::event::{Action, Detection, Event};
use crate::metrics::Phase;
use crate::wire::{Message, MessageKind, TaskId};

mod agreement;
mod cloud;
mod cp;
mod dp;
mod edge;

pub use crate::check::Check;
pub use crate::event::{Outcome, exact_average};
pub use cloud::{Cloud, Registration};
pub use cp::{ComputingParty, CpKeys};
pub use dp::DataProvider;
pub use edge::Edge;

/// Protocol time: milliseconds since the Unix epoch (virtual in the in-memory network).
pub type Time = u64;

/// How long a party waits for each step before it goes on without what did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Cloud: from the announcement until the selection closes.
    pub selection_ms: u64,
    /// CP and Edge: from selection (roster) until every DP's share (and commitments) are due.
    pub shares_ms: u64,
    /// Edge and CP: for each later round (reports, agreed set, uploads).
    pub round_ms: u64,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            selection_ms: 30_000,
            shares_ms: 120_000,
            round_ms: 30_000,
        }
    }
}

impl std::str::FromStr for Timeouts {
    type Err = String;
    /// `selection=MS,shares=MS,round=MS`, any subset (the rest default); a value may end in
    /// `ms` or `s`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let mut t = Timeouts::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("timeouts: {part:?} is not NAME=MS (names: selection, shares, round)"))?;
            let v = v.trim();
            let ms = if let Some(x) = v.strip_suffix("ms") {
                x.trim().parse::<u64>().ok()
            } else if let Some(x) = v.strip_suffix('s') {
                x.trim().parse::<u64>().ok().and_then(|x| x.checked_mul(1000))
            } else {
                v.parse::<u64>().ok()
            }
            .filter(|ms| *ms > 0)
            .ok_or_else(|| format!("timeouts: {k}={v}: a positive number of milliseconds (or 5s) is needed"))?;
            match k.trim() {
                "selection" => t.selection_ms = ms,
                "shares" => t.shares_ms = ms,
                "round" => t.round_ms = ms,
                other => {
                    return Err(format!(
                        "timeouts: unknown deadline {other:?} (selection, shares, round)"
                    ));
                }
            }
        }
        Ok(t)
    }
}

/// A party's identity on the network: what the network authenticated, not what a message says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PartyId {
    /// The Cloud.
    Cloud,
    /// The Edge.
    Edge,
    /// A vehicle (candidate CP) by VID.
    Cp(u32),
    /// A data provider by number (1-based).
    Dp(u32),
    /// A host the network authenticated that has no role in this task (for example an
    /// adversary's own machine).
    Outsider(u32),
}

impl fmt::Display for PartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartyId::Cloud => f.write_str("Cloud"),
            PartyId::Edge => f.write_str("Edge"),
            PartyId::Cp(vid) => write!(f, "CP(VID={vid})"),
            PartyId::Dp(d) => write!(f, "DP{d}"),
            PartyId::Outsider(h) => write!(f, "Outsider{h}"),
        }
    }
}

/// One message to send.
#[derive(Clone, Debug)]
pub struct Transmit {
    /// The recipient.
    pub to: PartyId,
    /// The encoded message (shared when one message goes to many).
    pub bytes: Arc<[u8]>,
}

/// Tells the driver which phase the work that follows belongs to, and for which instance of
/// the party (VID, DP number, or 0); the driver measures CPU, wall time and operations.
pub trait Probe {
    /// The work from here on belongs to `phase` at `instance`.
    fn enter(&mut self, phase: Phase, instance: u32);
}

/// A probe that measures nothing (tests that drive parties by hand).
pub struct NoProbe;

impl Probe for NoProbe {
    fn enter(&mut self, _phase: Phase, _instance: u32) {}
}

/// A protocol party driven by a network.
pub trait Party: Send {
    /// Who this party is on the network.
    fn id(&self) -> PartyId;
    /// The session starts (the Cloud announces; others wait).
    fn start(&mut self, _now: Time, _probe: &mut dyn Probe) {}
    /// A message arrived from the authenticated sender `from`.
    fn handle_input(&mut self, now: Time, from: PartyId, bytes: &[u8], probe: &mut dyn Probe);
    /// The deadline from [`Party::poll_timeout`] has passed.
    fn handle_timeout(&mut self, now: Time, probe: &mut dyn Probe);
    /// The next deadline, if the party is waiting for one.
    fn poll_timeout(&self) -> Option<Time>;
    /// The queue of what the party produced.
    fn outbox(&mut self) -> &mut Outbox;
    /// The next message to send.
    fn poll_transmit(&mut self) -> Option<Transmit> {
        self.outbox().transmits.pop_front()
    }
    /// The next event.
    fn poll_event(&mut self) -> Option<Event> {
        self.outbox().events.pop_front()
    }
}

/// Whether `deadline` has passed at `now`; if so it is cleared (it fires once).
pub(crate) fn passed(deadline: &mut Option<Time>, now: Time) -> bool {
    deadline.take_if(|d| now >= *d).is_some()
}

/// What a party has produced and not yet handed over.
#[derive(Debug, Default)]
pub struct Outbox {
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

impl Outbox {
    /// Queue `bytes` for `to`.
    pub fn send(&mut self, to: PartyId, bytes: impl Into<Arc<[u8]>>) {
        self.transmits.push_back(Transmit {
            to,
            bytes: bytes.into(),
        });
    }
    /// Queue an event.
    pub fn event(&mut self, e: Event) {
        self.events.push_back(e);
    }
    /// Queue a detection.
    pub fn detect(
        &mut self,
        by: impl Into<String>,
        subject: impl Into<String>,
        action: Action,
        why: impl Into<String>,
    ) {
        self.events
            .push_back(Event::Detection(Detection::new(by, subject, action, why)));
    }
    /// Whether anything is queued.
    pub fn is_empty(&self) -> bool {
        self.transmits.is_empty() && self.events.is_empty()
    }
}

/// Messages that arrived before their recipient could use them (a share before the CP knows
/// its index, commitments before the Edge has the roster), held and handed back later. Bounded
/// per authenticated sender, so nobody can fill it with someone else's slots.
#[derive(Debug, Default)]
pub struct Parked {
    held: VecDeque<(PartyId, Vec<u8>)>,
    per_sender: BTreeMap<PartyId, usize>,
}

impl Parked {
    /// Hold `bytes` from `from` unless `from` already has `cap` messages held; `false` when full.
    pub fn park(&mut self, from: PartyId, bytes: &[u8], cap: usize) -> bool {
        let n = self.per_sender.entry(from).or_default();
        if *n >= cap {
            return false;
        }
        *n += 1;
        self.held.push_back((from, bytes.to_vec()));
        true
    }
    /// Everything held, in arrival order.
    pub fn take(&mut self) -> Vec<(PartyId, Vec<u8>)> {
        self.per_sender.clear();
        self.held.drain(..).collect()
    }
}

/// The protocol clock's starting point. Seeded runs use a fixed logical time so that the same
/// seed gives the same transcript; other runs use the system clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The system clock.
    System,
    /// A fixed time, Unix seconds.
    Fixed(u64),
}

impl Clock {
    /// The logical time used by seeded runs: 2025-06-15T00:00:00Z.
    pub const SEEDED: Clock = Clock::Fixed(1_749_945_600);

    /// Now, in milliseconds since the Unix epoch.
    pub fn now_ms(self) -> Time {
        match self {
            Clock::System => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            Clock::Fixed(t) => t.saturating_mul(1000),
        }
    }
}

/// Log name of a candidate CP before selection.
pub fn candidate_name(vid: u32) -> String {
    format!("CP(VID={vid})")
}

/// Log name of a selected CP.
pub fn cp_name(index: u16) -> String {
    format!("CP(i={index})")
}

/// Log name of a DP.
pub fn dp_name(d: u32) -> String {
    format!("DP{d}")
}

/// Why an input was not used: the text of an `ignored` detection.
pub(crate) type Refusal = String;

/// Decode `bytes` as one of the kinds a party expects, for `task` if it knows it.
pub(crate) fn decode_for(bytes: &[u8], task: Option<&TaskId>) -> Result<Message, Refusal> {
    let m = Message::decode(bytes).map_err(|e| format!("malformed message: {}", e.0))?;
    if let Some(task) = task
        && m.task() != task
    {
        return Err(format!("{} message for another task", m.kind()));
    }
    Ok(m)
}

/// A refusal for a message of a kind this party does not take from this sender.
pub(crate) fn unexpected(kind: MessageKind, from: PartyId) -> Refusal {
    format!("{kind} message not expected from {from}")
}
