//! The host's parties: a message delivered to its party, handled with its phases measured;
//! what the party sends accounted, logged and queued for the host it goes to; its deadlines.

use super::connect::Link;
use super::report::Named;
use super::*;

impl Node {
    pub(super) fn fire_timeouts(&mut self) {
        let now = Clock::System.now_ms();
        for s in 0..self.parties.len() {
            if self.parties[s].poll_timeout().is_some_and(|t| t <= now) {
                self.handle(s, |p, now, rec| p.handle_timeout(now, rec));
            }
        }
    }

    pub(super) fn deliver(&mut self, host: String, from: PartyId, to: PartyId, bytes: &[u8]) {
        let Some(&s) = self.slot.get(&to) else {
            let why = format!("sent a message for {to}, who is not on {}", self.me.name);
            return self.refused(
                Refusal {
                    peer: host,
                    reason: why,
                },
                true,
            );
        };
        if let Ok(m) = Message::decode(bytes) {
            self.report.last_recv_us.insert(Named(m.kind()), unix_us());
            if self.opts.trace {
                say_err(&format!("{}: recv {} from {from}", self.me.name, m.kind().name()));
            }
        }
        self.handle(s, |p, now, rec| p.handle_input(now, from, bytes, rec));
    }

    /// Let party `s` do `f`, then deliver what it sent to parties on this host, and so on.
    pub(super) fn handle(&mut self, s: usize, f: impl FnOnce(&mut BoxedParty<'static>, u64, &mut Recorder)) {
        let mut local = VecDeque::new();
        self.handle_one(s, f, &mut local);
        while let Some((r, from, bytes)) = local.pop_front() {
            self.handle_one(
                r,
                |p: &mut BoxedParty<'static>, now, rec: &mut Recorder| p.handle_input(now, from, &bytes, rec),
                &mut local,
            );
        }
    }

    /// Let party `s` do `f`, measured, then send what it sent and take in its events.
    pub(super) fn handle_one(
        &mut self,
        s: usize,
        f: impl FnOnce(&mut BoxedParty<'static>, u64, &mut Recorder),
        local: &mut VecDeque<(usize, PartyId, Arc<[u8]>)>,
    ) {
        let mut rec = Recorder::default();
        let cpu0 = thread_cpu_seconds();
        let now = Clock::System.now_ms();
        f(&mut self.parties[s], now, &mut rec);
        rec.close();
        let id = self.parties[s].id();
        *self.report.party_cpu_s.entry(id.to_string()).or_default() += thread_cpu_seconds() - cpu0;
        for (phase, inst, sample) in rec.samples {
            self.report
                .samples
                .push((Named(phase), inst, sample.cpu, sample.wall, sample.ops.0.to_vec()));
        }
        while let Some(t) = self.parties[s].poll_transmit() {
            self.account(id, t.to, &t.bytes);
            if let Some(&r) = self.slot.get(&t.to) {
                local.push_back((r, id, t.bytes));
            } else {
                self.send(id, t.to, &t.bytes);
            }
        }
        while let Some(e) = self.parties[s].poll_event() {
            self.event(id, e);
        }
    }

    pub(super) fn account(&mut self, from: PartyId, to: PartyId, bytes: &[u8]) {
        let Ok(m) = Message::decode(bytes) else { return };
        let kind = m.kind();
        let (name, payload) = (Named(kind), m.payload_len() as u64);
        (self.report.sent).push((from.to_string(), to.to_string(), name, bytes.len() as u64, payload));
        if kind == MessageKind::TaskAnnounce && from == PartyId::Cloud {
            self.report.announce_us.get_or_insert_with(unix_us);
        }
        let e = self.report.messages.entry(Named(kind)).or_default();
        let (len, payload) = (bytes.len() as u64, m.payload_len() as u64);
        e[0] += 1;
        e[1] += len;
        e[2] += payload;
        e[3] = e[3].max(len);
        e[4] = e[4].max(payload);
        self.report.first_sent_us.entry(Named(kind)).or_insert_with(unix_us);
    }

    pub(super) fn event(&mut self, party: PartyId, e: Event) {
        match e {
            Event::Detection(d) => {
                self.report
                    .detections
                    .push((d.by, d.subject, Named(d.action), d.reason));
            }
            Event::Selected { selected, not_selected } => {
                self.report.selected = selected.into_iter().collect();
                self.report.not_selected = not_selected;
            }
            Event::Agreed { excluded } => self.report.excluded = excluded.into_iter().collect(),
            Event::Outcome(o) => {
                // Only the Edge's own party gives an outcome; it is the one result printed.
                if party == PartyId::Edge {
                    self.report.end_us = Some(unix_us());
                    self.report.outcome = Some((o.sum.to_string(), o.n, check_name(o.check)));
                    self.report.vector = o.vector.map(|v| v.iter().map(|x| x.value()).collect());
                    self.end.get_or_insert(End::Result);
                }
            }
            Event::Failed(e) => {
                self.report.end_us = Some(unix_us());
                self.report.failed = Some(e.to_string());
                self.abort_here(Reason::PartyFailed {
                    party: party.to_string(),
                    error: e.to_string(),
                });
            }
        }
    }

    /// Queue a message for the host of `to` (dialling it the first time).
    pub(super) fn send(&mut self, from: PartyId, to: PartyId, bytes: &[u8]) {
        let Some(host) = self.d.host_of(to).map(|h| h.name.clone()) else {
            return;
        };
        let frame = Frame::Msg {
            from,
            to,
            bytes: bytes.to_vec(),
        }
        .encode();
        let new = !self.writers.contains_key(&host);
        let delay = self.links.as_mut().map_or(0.0, |l| {
            // A new connection's first data leaves after TCP's and TLS 1.3's round trips,
            // which the emulated link would have delayed too (no netem: the handshake packets
            // themselves cross the bridge at once).
            let setup = if new {
                2.0 * (l.base_latency(from, to) + l.base_latency(to, from))
            } else {
                0.0
            };
            setup + l.latency(from, to)
        });
        let due = tokio::time::Instant::now() + Duration::from_secs_f64(delay);
        let w = self.writer(&host);
        let _ = w.send((due, frame));
    }

    pub(super) fn writer(&mut self, host: &str) -> mpsc::UnboundedSender<Queued> {
        if let Some(w) = self.writers.get(host) {
            return w.clone();
        }
        let (wtx, wrx) = mpsc::unbounded_channel();
        let addr = self.d.host(host).map(|h| h.addr.clone()).unwrap_or_default();
        self.report.connections_out += 1;
        let link = Link {
            tls: self.tls.clone(),
            me: self.me.name.clone(),
            digest: self.digest,
            to: host.to_string(),
            addr,
            tx: self.tx.clone(),
            counters: (self.in_bytes.clone(), self.out_bytes.clone()),
            connect_timeout: self.opts.connect_timeout,
        };
        self.writer_tasks.push(tokio::spawn(link.write_loop(wrx)));
        self.writers.insert(host.to_string(), wtx.clone());
        wtx
    }
}
