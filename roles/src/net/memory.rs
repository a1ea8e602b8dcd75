//! The in-memory network: every party in this process, driven until the Edge gives its
//! outcome or a party fails.
//!
//! Each message a party sends is encoded once (by the party), then here counted per kind,
//! logged, hashed into the transcript, handed to the [`Adversary`] and queued with the
//! generation after the one that caused it. Delivery is depth first: the batch to deliver is
//! the oldest part of the *newest* generation, at most [`BATCH`] messages, so a chunk of DPs'
//! share packets reaches the CPs before the next chunk of DPs is given the roster, and memory
//! stays bounded by one chunk's packets rather than n x k. Within a batch every recipient takes
//! its messages in order, recipients in parallel (rayon); what they send is collected in the
//! order of the batch, so the transcript is the same on any number of threads.
//!
//! Time is virtual: it starts at the session's clock and moves only when nothing is in flight,
//! straight to the earliest deadline, whose parties then handle their timeouts. A silent party
//! costs no real time.

use std::collections::{BTreeMap, HashMap, VecDeque};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::{Adversary, Route, Wire};
use crate::error::{Result, RolesError};
use crate::event::{Detection, Event};
use crate::log::EventSink;
use crate::metrics::{MessageStats, Meter, Phase, Sample, Stopwatch};
use crate::parties::{Outcome, Party, PartyId, Probe, Time, cp_name};
use crate::wire::{Message, MessageKind};

/// Messages delivered in one parallel batch (bounds memory to about this many DPs' packets).
pub const BATCH: usize = 64;

/// A party in the network: any of the four roles, honest or not.
pub type BoxedParty<'a> = Box<dyn Party + 'a>;

/// What a finished session produced besides its outcome.
#[derive(Debug, Default)]
pub struct Record {
    /// Everything the parties detected, in order.
    pub detections: Vec<Detection>,
    /// The Cloud's selection: index -> VID.
    pub selected: BTreeMap<u16, u32>,
    /// Valid candidates left out (capacity).
    pub not_selected: Vec<u32>,
    /// `vss`: excluded DPs and why.
    pub excluded: BTreeMap<u32, String>,
    /// Bytes per message kind.
    pub messages: BTreeMap<MessageKind, MessageStats>,
    /// SHA-256 over every message's length and bytes, in the order sent.
    pub transcript_sha256: [u8; 32],
    /// Measured phases.
    pub meter: Meter,
    /// Latencies, where the network measures or simulates time (not the memory network).
    pub timing: Option<super::Timing>,
}

/// The in-memory network.
pub struct MemoryNetwork<'a> {
    parties: Vec<Option<BoxedParty<'a>>>,
    slot: HashMap<PartyId, usize>,
    adversary: Box<dyn Adversary + 'a>,
    pool: Option<rayon::ThreadPool>,
    queue: BTreeMap<u64, VecDeque<Wire>>,
    delayed: Vec<Wire>,
    now: Time,
    books: Books<'a>,
}

/// What a network records: every message counted, logged and hashed once, every event taken in;
/// shared by the in-process networks.
pub struct Books<'a> {
    sink: Option<&'a mut dyn EventSink>,
    names: HashMap<PartyId, String>,
    transcript: Sha256,
    /// What is recorded so far.
    pub record: Record,
    /// How the session ended, once it has.
    pub end: Option<Result<Outcome>>,
}

impl<'a> Books<'a> {
    /// Books that send log events to `sink`.
    pub fn new(sink: Option<&'a mut dyn EventSink>) -> Self {
        Books {
            sink,
            names: HashMap::new(),
            transcript: Sha256::new(),
            record: Record::default(),
            end: None,
        }
    }

    /// Close the books: phases to the log, the transcript hash; the outcome and the record.
    pub fn close(mut self, end: Result<Outcome>) -> (Result<Outcome>, Record) {
        if let Some(sink) = self.sink.as_deref_mut() {
            for p in self.record.meter.summary() {
                sink.phase(&p);
            }
        }
        self.record.transcript_sha256 = self.transcript.finalize().into();
        (end, self.record)
    }

    /// Take in one event.
    pub fn event(&mut self, e: Event) {
        match e {
            Event::Detection(d) => {
                if let Some(sink) = self.sink.as_deref_mut() {
                    sink.detection(&d);
                }
                self.record.detections.push(d);
            }
            Event::Selected { selected, not_selected } => {
                for (i, vid) in &selected {
                    self.names.insert(PartyId::Cp(*vid), cp_name(*i));
                }
                self.record.selected = selected;
                self.record.not_selected = not_selected;
            }
            Event::Agreed { excluded } => self.record.excluded = excluded,
            Event::Outcome(o) => {
                self.end.get_or_insert(Ok(o));
            }
            Event::Failed(e) => {
                self.end.get_or_insert(Err(e));
            }
        }
    }

    /// One message leaves its sender: `adversary` routes it, and every message that goes on the
    /// wire (what the adversary injects ahead of it; the message and its replays unless it is
    /// dropped) is counted, logged and hashed once. The route (no replays when dropped) and the
    /// message's kind, if it decodes.
    pub fn route(&mut self, adversary: &mut (dyn Adversary + '_), w: &Wire) -> (Route, Option<MessageKind>) {
        let mut route = adversary.route(w);
        if route.drop {
            route.replays = 0;
        }
        for b in &route.before {
            self.account(b, 1);
        }
        let kind = self.account(w, route.replays as usize + 1);
        (route, kind)
    }

    /// Count, log and hash `copies` copies of one message on the wire (decoded once); its kind.
    fn account(&mut self, w: &Wire, copies: usize) -> Option<MessageKind> {
        let decoded = Message::decode(&w.bytes).ok().map(|m| (m.kind(), m.payload_len()));
        for _ in 0..copies {
            self.transcript.update((w.bytes.len() as u64).to_be_bytes());
            self.transcript.update(&w.bytes);
            let Some((kind, payload)) = decoded else { continue };
            let s = self.record.messages.entry(kind).or_default();
            s.count += 1;
            s.bytes += w.bytes.len() as u64;
            s.payload_bytes += payload as u64;
            s.max_bytes = s.max_bytes.max(w.bytes.len() as u64);
            s.max_payload_bytes = s.max_payload_bytes.max(payload as u64);
            if let Some(sink) = self.sink.as_deref_mut() {
                let name = |id: PartyId| self.names.get(&id).cloned().unwrap_or_else(|| id.to_string());
                // As the reference logs it: the CP learns its index from this message.
                let to = if kind == MessageKind::IndexAssign {
                    w.to.to_string()
                } else {
                    name(w.to)
                };
                sink.message(&name(w.from), &to, kind, w.bytes.len(), payload);
            }
        }
        decoded.map(|(kind, _)| kind)
    }
}

/// What a party is asked to do.
enum Job {
    /// Start the session.
    Start,
    /// Take these messages, in order.
    Inputs(Vec<Wire>),
    /// Its deadline passed.
    Timeout,
}

/// What one party did with its part of a batch.
struct Handled<'a> {
    slot: usize,
    party: BoxedParty<'a>,
    sent: Vec<Wire>,
    events: Vec<Event>,
    samples: Vec<(Phase, u32, Sample)>,
}

/// Measures the phases a party enters while it handles its inputs.
#[derive(Default)]
pub struct Recorder {
    open: Option<(Phase, u32, Stopwatch)>,
    /// The phases measured: phase, instance, sample.
    pub samples: Vec<(Phase, u32, Sample)>,
}

impl Recorder {
    /// Close the phase still open.
    pub fn close(&mut self) {
        if let Some((p, i, w)) = self.open.take() {
            self.samples.push((p, i, w.stop(p)));
        }
    }
}

impl Probe for Recorder {
    fn enter(&mut self, phase: Phase, instance: u32) {
        self.close();
        self.open = Some((phase, instance, Stopwatch::start()));
    }
}

/// Drain what a party produced.
fn drain<'a>(slot: usize, mut party: BoxedParty<'a>, mut rec: Recorder) -> Handled<'a> {
    rec.close();
    let from = party.id();
    let mut sent = Vec::new();
    while let Some(t) = party.poll_transmit() {
        sent.push(Wire {
            from,
            to: t.to,
            bytes: t.bytes,
        });
    }
    let mut events = Vec::new();
    while let Some(e) = party.poll_event() {
        events.push(e);
    }
    Handled {
        slot,
        party,
        sent,
        events,
        samples: rec.samples,
    }
}

impl<'a> MemoryNetwork<'a> {
    /// A network of `parties`, with `adversary` in the middle, running party handlers on
    /// `threads` threads and sending log events to `sink`.
    pub fn new(
        parties: Vec<BoxedParty<'a>>,
        adversary: Box<dyn Adversary + 'a>,
        threads: usize,
        sink: Option<&'a mut dyn EventSink>,
    ) -> Result<Self> {
        let pool = if threads > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .map_err(|e| RolesError::Config(format!("cannot start {threads} threads: {e}")))?,
            )
        } else {
            None
        };
        let slot = parties.iter().enumerate().map(|(i, p)| (p.id(), i)).collect();
        Ok(MemoryNetwork {
            parties: parties.into_iter().map(Some).collect(),
            slot,
            adversary,
            pool,
            queue: BTreeMap::new(),
            delayed: Vec::new(),
            now: 0,
            books: Books::new(sink),
        })
    }

    /// Run from `start` until the outcome or a failure; what was recorded either way.
    pub fn run(mut self, start: Time) -> (Result<Outcome>, Record) {
        self.now = start;
        let all = (0..self.parties.len()).map(|s| (s, Job::Start)).collect();
        self.step(all, 0);
        let end = loop {
            if let Some(end) = self.books.end.take() {
                break end;
            }
            if let Some((generation, batch)) = self.next_batch() {
                self.deliver(batch, generation);
            } else if !self.delayed.is_empty() {
                let held = std::mem::take(&mut self.delayed);
                self.queue.entry(0).or_default().extend(held);
            } else if !self.fire_deadlines() {
                break Err(RolesError::Stalled(
                    "nothing in flight and no party waiting for a deadline, but no outcome".into(),
                ));
            }
        };
        self.books.close(end)
    }

    /// The oldest messages of the newest generation, at most [`BATCH`].
    fn next_batch(&mut self) -> Option<(u64, Vec<Wire>)> {
        let (&generation, q) = self.queue.iter_mut().next_back()?;
        let take = q.len().min(BATCH);
        let batch: Vec<Wire> = q.drain(..take).collect();
        if q.is_empty() {
            self.queue.remove(&generation);
        }
        Some((generation, batch))
    }

    /// Deliver a batch: group by recipient (in order of first message), handle in parallel.
    fn deliver(&mut self, batch: Vec<Wire>, generation: u64) {
        let mut jobs: Vec<(usize, Job)> = Vec::new();
        let mut at: HashMap<usize, usize> = HashMap::new();
        for w in batch {
            // Messages to nobody in this network (an unknown host) are lost.
            let Some(&slot) = self.slot.get(&w.to) else { continue };
            let g = *at.entry(slot).or_insert_with(|| {
                jobs.push((slot, Job::Inputs(Vec::new())));
                jobs.len() - 1
            });
            if let Job::Inputs(inbox) = &mut jobs[g].1 {
                inbox.push(w);
            }
        }
        self.step(jobs, generation + 1);
    }

    /// Nothing in flight: move time to the earliest deadline and fire it. `false` if no party
    /// is waiting for one.
    fn fire_deadlines(&mut self) -> bool {
        let due: Vec<(usize, Time)> = self
            .parties
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.as_ref().and_then(|p| p.poll_timeout()).map(|t| (i, t)))
            .collect();
        let Some(next) = due.iter().map(|(_, t)| *t).min() else {
            return false;
        };
        self.now = self.now.max(next);
        let now = self.now;
        let jobs = due
            .iter()
            .filter(|(_, t)| *t <= now)
            .map(|(i, _)| (*i, Job::Timeout))
            .collect();
        self.step(jobs, 0);
        true
    }

    /// Run the jobs (in parallel when there is a pool), then take in what the parties
    /// produced, in job order, queueing their messages at `generation`.
    fn step(&mut self, jobs: Vec<(usize, Job)>, generation: u64) {
        let now = self.now;
        let taken: Vec<(usize, BoxedParty<'a>, Job)> = jobs
            .into_iter()
            .filter_map(|(s, job)| self.parties[s].take().map(|p| (s, p, job)))
            .collect();
        let run = |(slot, mut party, job): (usize, BoxedParty<'a>, Job)| {
            let mut rec = Recorder::default();
            match job {
                Job::Start => party.start(now, &mut rec),
                Job::Inputs(inbox) => {
                    for w in inbox {
                        party.handle_input(now, w.from, &w.bytes, &mut rec);
                    }
                }
                Job::Timeout => party.handle_timeout(now, &mut rec),
            }
            drain(slot, party, rec)
        };
        let handled: Vec<Handled<'a>> = match &self.pool {
            Some(pool) if taken.len() > 1 => pool.install(|| taken.into_par_iter().map(run).collect()),
            _ => taken.into_iter().map(run).collect(),
        };
        for h in handled {
            self.parties[h.slot] = Some(h.party);
            for (phase, instance, s) in h.samples {
                self.books.record.meter.add(phase, instance, s);
            }
            for e in h.events {
                self.books.event(e);
            }
            for w in h.sent {
                self.send(w, generation);
            }
        }
    }

    /// One message leaves its sender: routed and accounted ([`Books::route`]), then queued (or
    /// held, or lost).
    fn send(&mut self, w: Wire, generation: u64) {
        let (route, _) = self.books.route(&mut *self.adversary, &w);
        let q = self.queue.entry(generation).or_default();
        q.extend(route.before);
        if route.drop {
            return;
        }
        if route.delay {
            self.delayed.push(w.clone());
        } else {
            q.push_back(w.clone());
        }
        for _ in 0..route.replays {
            q.push_back(w.clone());
        }
    }
}
