//! The simulated-time network (`--net sim:PROFILE`): every party in this process, one event at a
//! time, on a virtual clock.
//!
//! Each party is its own machine with one CPU: an event (the start, a message, a deadline) is
//! handled when it is due and the party is free, and the party's clock then advances by the
//! thread CPU time the handling measurably took. What it sent leaves when the handling ends and
//! crosses an emulated link ([`crate::link::Emulator`]: the sender's interface queue, bandwidth,
//! latency, jitter from the seed). Deadlines are the parties' own, on the virtual clock. Messages
//! are counted, logged and hashed as in the memory network, and the network adversary routes
//! them the same way (a delayed message arrives one round deadline later).
//!
//! The result is the end-to-end latency (announcement to outcome) and per-round latencies the
//! session would have on the profile's links with this machine's CPU speed per party.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use dsmpc_core::rng::DsmpcRng;

use crate::link::{Emulator, Profile};
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::log::EventSink;
use dsmpc_roles::metrics::thread_cpu_seconds;
use dsmpc_roles::net::memory::{Books, BoxedParty, Record, Recorder};
use dsmpc_roles::net::{Adversary, Timing, Wire};
use dsmpc_roles::parties::{Outcome, PartyId, Time, Timeouts};
use dsmpc_roles::wire::{Message, MessageKind};

/// What a simulation needs.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The profile's name.
    pub name: String,
    /// The links.
    pub profile: Profile,
    /// The parties' deadlines.
    pub timeouts: Timeouts,
    /// Where the parties run: `None`, each party on a machine of its own with one CPU; or
    /// grouped into hosts on one machine, as `--net process` and `netns` run them.
    pub placement: Option<Placement>,
}

/// Parties grouped into hosts that share one machine's cores, as the `process` and `netns`
/// networks lay a session out on this machine: the Cloud, the Edge and each candidate CP a host
/// of its own, the DPs `dps_per_host` to a host (DP d on host `(d - 1) / dps_per_host`).
///
/// A host handles one event at a time (its parties' handling is serial, as in `dsmpc node`),
/// and at most `cores` handlings run at once: an event waits until its host is free, then
/// takes the core that is free first (first come, first served). The hosts' messages leave by
/// the host's interface (one queue per host, as one veth per namespace).
///
/// With `tls`, the hosts also pay what `dsmpc node` pays for mutual TLS: the first message from
/// one host to another opens a connection (a TCP round trip, then the TLS 1.3 handshake's round
/// trip and both sides' handshake CPU, the dialler's in the sending handling, the listener's in
/// its host's next one) and every message between hosts costs its sender and its receiver half
/// of the measured transport CPU of a message of its size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// DPs per host (at least 1).
    pub dps_per_host: usize,
    /// Cores the hosts share (at least 1).
    pub cores: usize,
    /// What TLS costs on this machine ([`crate::overhead::measure`]); `None`: nothing.
    pub tls: Option<crate::overhead::TlsCost>,
}

impl Placement {
    /// Hosts of `dps_per_host` DPs sharing `cores` cores, charged the TLS costs measured on this
    /// machine now ([`crate::overhead::measure`], medians of 5): what `dsmpc run --sim-cores`
    /// and the sweep's `sim:` points use.
    pub fn measured(dps_per_host: usize, cores: usize) -> Result<Placement> {
        Ok(Placement {
            dps_per_host: dps_per_host.max(1),
            cores: cores.max(1),
            tls: Some(crate::overhead::measure(5)?),
        })
    }

    /// This machine's cores (`--sim-cores here`).
    pub fn cores_here() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    /// The host of party `p`: a key equal for the parties of one host.
    fn host(&self, p: PartyId) -> (u8, u32) {
        match p {
            PartyId::Cloud => (0, 0),
            PartyId::Edge => (1, 0),
            PartyId::Cp(v) => (2, v),
            PartyId::Dp(d) => (3, d.saturating_sub(1) / self.dps_per_host.max(1) as u32),
            PartyId::Outsider(o) => (4, o),
        }
    }
}

impl SimConfig {
    /// The shipped profile `name`.
    pub fn named(name: &str, timeouts: Timeouts) -> Result<SimConfig> {
        Ok(SimConfig {
            name: name.to_string(),
            profile: crate::link::profile(name)?,
            timeouts,
            placement: None,
        })
    }

    /// The same, the parties placed as `placement` says.
    pub fn placed(mut self, placement: Placement) -> SimConfig {
        self.placement = Some(placement);
        self
    }
}

/// What happens at a virtual time.
enum Ev {
    Start,
    Deliver(Wire),
    Timeout,
}

/// The simulated-time network.
pub struct SimNetwork<'a> {
    parties: Vec<BoxedParty<'a>>,
    slot: HashMap<PartyId, usize>,
    adversary: Box<dyn Adversary + 'a>,
    links: Emulator<DsmpcRng>,
    delay_s: f64,
    /// Events by (time in ns, sequence): the party slot and what happens.
    queue: BinaryHeap<Reverse<(u64, u64, usize)>>,
    events: HashMap<u64, Ev>,
    seq: u64,
    /// The host of each party (its own index without a placement).
    host: Vec<usize>,
    /// The party whose interface each host's messages leave by.
    iface: Vec<PartyId>,
    /// When each host is free, seconds.
    busy: Vec<f64>,
    /// With a placement: when each shared core is free, seconds.
    cores: Option<Vec<f64>>,
    /// With a placement's TLS costs: the costs, when each (dialler, listener) host pair's
    /// connection carries data, and the listener CPU each host owes its next handling.
    tls: Option<crate::overhead::TlsCost>,
    conn_ready: HashMap<(usize, usize), f64>,
    owed: Vec<f64>,
    /// TLS CPU charged so far: handshakes, records.
    charged: (f64, f64),
    /// The deadline each party has an event queued for.
    armed: Vec<Option<Time>>,
    start_ms: Time,
    books: Books<'a>,
    first_sent: BTreeMap<MessageKind, f64>,
    last_arrival: BTreeMap<MessageKind, f64>,
    announced: Option<f64>,
    ended: Option<f64>,
}

fn ns(t: f64) -> u64 {
    (t * 1e9).round().max(0.0) as u64
}

impl<'a> SimNetwork<'a> {
    /// A simulation of `parties` with `adversary` in the middle, links as `cfg` says, jitter
    /// from `rng`, log events to `sink`.
    pub fn new(
        parties: Vec<BoxedParty<'a>>,
        adversary: Box<dyn Adversary + 'a>,
        cfg: &SimConfig,
        rng: DsmpcRng,
        sink: Option<&'a mut dyn EventSink>,
    ) -> Self {
        let slot = parties.iter().enumerate().map(|(i, p)| (p.id(), i)).collect();
        let n = parties.len();
        let mut host = Vec::with_capacity(n);
        let mut iface = Vec::new();
        let mut hosts = HashMap::new();
        for p in &parties {
            let key = cfg.placement.map_or((5, host.len() as u32), |pl| pl.host(p.id()));
            let next = hosts.len();
            let h = *hosts.entry(key).or_insert(next);
            if h == iface.len() {
                iface.push(p.id());
            }
            host.push(h);
        }
        let hosts = iface.len();
        SimNetwork {
            parties,
            slot,
            adversary,
            links: Emulator::new(cfg.profile.clone(), rng),
            delay_s: cfg.timeouts.round_ms as f64 * 1e-3,
            queue: BinaryHeap::new(),
            events: HashMap::new(),
            seq: 0,
            busy: vec![0.0; hosts],
            host,
            iface,
            cores: cfg.placement.map(|pl| vec![0.0; pl.cores.max(1)]),
            tls: cfg.placement.and_then(|pl| pl.tls),
            conn_ready: HashMap::new(),
            charged: (0.0, 0.0),
            owed: vec![0.0; hosts],
            armed: vec![None; n],
            start_ms: 0,
            books: Books::new(sink),
            first_sent: BTreeMap::new(),
            last_arrival: BTreeMap::new(),
            announced: None,
            ended: None,
        }
    }

    fn push(&mut self, at: f64, slot: usize, ev: Ev) {
        self.seq += 1;
        self.queue.push(Reverse((ns(at), self.seq, slot)));
        self.events.insert(self.seq, ev);
    }

    /// Run from protocol time `start` until the outcome or a failure.
    pub fn run(mut self, start: Time) -> (Result<Outcome>, Record) {
        self.start_ms = start;
        for s in 0..self.parties.len() {
            self.push(0.0, s, Ev::Start);
        }
        let end = loop {
            if let Some(end) = self.books.end.take() {
                break end;
            }
            let Some(Reverse((at, seq, s))) = self.queue.pop() else {
                break Err(RolesError::Stalled(
                    "nothing in flight and no party waiting for a deadline, but no outcome".into(),
                ));
            };
            let Some(ev) = self.events.remove(&seq) else { continue };
            let due = at as f64 * 1e-9;
            let h = self.host[s];
            if self.cores.is_some() && ns(self.busy[h]) > at {
                // Its host is busy: the event waits in line for it.
                let free = self.busy[h];
                self.push(free, s, ev);
                continue;
            }
            self.handle(s, due, ev);
        };
        let mut timing = Timing {
            e2e_s: self.ended.unwrap_or(0.0) - self.announced.unwrap_or(0.0),
            rounds: BTreeMap::new(),
            sim_tls: self.tls.map(|_| dsmpc_roles::net::SimTls {
                hosts: self.busy.len() as u64,
                connections: self.conn_ready.len() as u64,
                handshake_cpu_s: self.charged.0,
                record_cpu_s: self.charged.1,
            }),
        };
        for (k, t0) in &self.first_sent {
            if let Some(t1) = self.last_arrival.get(k) {
                timing.rounds.insert(*k, t1 - t0);
            }
        }
        let (end, mut record) = self.books.close(end);
        record.timing = Some(timing);
        (end, record)
    }

    /// Party `s` takes `ev`, due at `due`, when its host (and with a placement, a core) is free.
    fn handle(&mut self, s: usize, due: f64, ev: Ev) {
        let h = self.host[s];
        let core = self.cores.as_ref().map(|c| {
            let (i, free) = c
                .iter()
                .enumerate()
                .fold((0, f64::INFINITY), |b, (i, &f)| if f < b.1 { (i, f) } else { b });
            (i, free)
        });
        let begin = due.max(self.busy[h]).max(core.map_or(0.0, |c| c.1));
        let now = self.start_ms + (begin * 1e3) as Time;
        let mut rec = Recorder::default();
        let mut extra = std::mem::take(&mut self.owed[h]);
        let party = &mut self.parties[s];
        let cpu0 = thread_cpu_seconds();
        match ev {
            Ev::Start => party.start(now, &mut rec),
            Ev::Deliver(w) => {
                // The receiving end's half of the transport's cost (none between parties
                // of one host: the node hands those over in memory).
                if self.slot.get(&w.from).is_none_or(|&f| self.host[f] != h) {
                    let x = self.tls.map_or(0.0, |c| c.message_s(w.bytes.len()) / 2.0);
                    extra += x;
                    self.charged.1 += x;
                }
                if let Ok(m) = Message::decode(&w.bytes) {
                    let e = self.last_arrival.entry(m.kind()).or_insert(due);
                    *e = e.max(due);
                }
                party.handle_input(now, w.from, &w.bytes, &mut rec);
            }
            Ev::Timeout => {
                self.armed[s] = None;
                if party.poll_timeout().is_some_and(|t| t <= now) {
                    party.handle_timeout(now, &mut rec);
                }
            }
        }
        rec.close();
        let cpu = thread_cpu_seconds() - cpu0;
        for (phase, instance, sample) in rec.samples {
            self.books.record.meter.add(phase, instance, sample);
        }
        let from = self.parties[s].id();
        let mut sent = Vec::new();
        while let Some(t) = self.parties[s].poll_transmit() {
            sent.push(Wire {
                from,
                to: t.to,
                bytes: t.bytes,
            });
        }
        let dials = self.sender_tls(h, &sent, &mut extra);
        let done = begin + cpu + extra;
        self.busy[h] = done;
        if let (Some(cores), Some((i, _))) = (self.cores.as_mut(), core) {
            cores[i] = done;
        }
        self.connections_ready(h, dials, done);
        while let Some(e) = self.parties[s].poll_event() {
            self.books.event(e);
        }
        if self.books.end.is_some() {
            self.ended.get_or_insert(done);
        }
        for w in sent {
            let at = match self.slot.get(&w.to) {
                Some(&t) => self.conn_ready.get(&(h, self.host[t])).map_or(done, |&r| r.max(done)),
                None => done,
            };
            self.send(w, at);
        }
        if let Some(t) = self.parties[s].poll_timeout()
            && self.armed[s] != Some(t)
        {
            self.armed[s] = Some(t);
            let at = (t.saturating_sub(self.start_ms)) as f64 * 1e-3;
            self.push(at.max(done), s, Ev::Timeout);
        }
    }

    /// The connections host `h` dials once it is done at `done`: ready after TCP's round trip
    /// and TLS 1.3's (the listener's first flight after its CPU), the listener owing its side.
    fn connections_ready(&mut self, h: usize, dials: Vec<usize>, done: f64) {
        let Some(c) = self.tls else { return };
        for to in dials {
            let (a, b) = (self.iface[h], self.iface[to]);
            let rtt = 2.0 * self.links.base_latency(a, b);
            self.conn_ready.insert((h, to), done + 2.0 * rtt + c.handshake_server_s);
            self.owed[to] += c.handshake_server_s;
            self.charged.0 += c.handshake_server_s;
        }
    }

    /// What TLS costs host `h` for sending `sent` (added to `extra`): records, and the
    /// dialler's side of each new connection; the hosts it dials.
    fn sender_tls(&mut self, h: usize, sent: &[Wire], extra: &mut f64) -> Vec<usize> {
        let mut dials = Vec::new();
        let Some(c) = self.tls else {
            return dials;
        };
        for w in sent {
            let Some(to) = self.slot.get(&w.to).map(|&t| self.host[t]) else {
                continue;
            };
            if to == h {
                continue;
            }
            *extra += c.message_s(w.bytes.len()) / 2.0;
            self.charged.1 += c.message_s(w.bytes.len()) / 2.0;
            if !self.conn_ready.contains_key(&(h, to)) && !dials.contains(&to) {
                *extra += c.handshake_client_s;
                self.charged.0 += c.handshake_client_s;
                dials.push(to);
            }
        }
        dials
    }

    /// A message leaves its sender at `at`: routed by the adversary, accounted, put on its link.
    fn send(&mut self, w: Wire, at: f64) {
        let (route, kind) = self.books.route(&mut *self.adversary, &w);
        if let Some(kind) = kind {
            if kind == MessageKind::TaskAnnounce && w.from == PartyId::Cloud {
                self.announced.get_or_insert(at);
            }
            self.first_sent.entry(kind).or_insert(at);
        }
        let mut out: Vec<(Wire, f64)> = route.before.into_iter().map(|b| (b, 0.0)).collect();
        if !route.drop {
            let extra = if route.delay { self.delay_s } else { 0.0 };
            for _ in 0..=route.replays {
                out.push((w.clone(), extra));
            }
        }
        for (w, extra) in out {
            // Messages to nobody in this network (an unknown host) are lost.
            let Some(&slot) = self.slot.get(&w.to) else { continue };
            let iface = self.slot.get(&w.from).map_or(w.from, |&s| self.iface[self.host[s]]);
            let arrive = self.links.arrival_via(iface, w.from, w.to, w.bytes.len(), at) + extra;
            self.push(arrive, slot, Ev::Deliver(w));
        }
    }
}

impl dsmpc_roles::net::InProcess for SimConfig {
    fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    fn drive<'a>(
        &self,
        parties: Vec<BoxedParty<'a>>,
        adversary: Box<dyn Adversary + 'a>,
        with: dsmpc_roles::net::Drive<'a>,
    ) -> Result<(Result<Outcome>, Record)> {
        let links = with.src.stream("links")?;
        Ok(SimNetwork::new(parties, adversary, self, links, with.sink).run(with.start))
    }
}
