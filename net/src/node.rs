//! One host of a deployment as a process: its parties driven over mutual TLS ([`crate::tls`]),
//! frames ([`crate::frame`]) and session control checked by role.
//!
//! Every host listens at its address and dials the hosts it sends to (one connection per
//! direction: a dialled connection carries what the dialler sends). Both ends exchange hellos
//! with their deployment digest; a host whose digest differs is refused by name. At start the
//! Edge dials every host and every host dials the Edge, so that each knows at once whether
//! the Edge agrees, and notices when the Edge goes away.
//!
//! Who ends a session (see [`Control`]): the Edge, with `Done` once it has its result or
//! `Abort` when it has none; every other host stops on the Edge's word, or aborts (named) when
//! its link to the Edge drops. A host whose own party fails, or that reaches `--max-wall` or is
//! stopped, tells the Edge; the Edge aborts the session for everyone when the paper's modes
//! say so (any failure aborts) or when the Cloud failed, and in `vss` goes on without a CP or
//! DP host (its agreement round excludes what is silent). A deployment that differs is
//! handled the same way: in the paper's modes the session aborts naming the host, in `vss` the
//! host is refused and left out. Only the Edge prints a result, and only from its own parties.
//!
//! Everything a peer can make this host wait for is bounded: the TLS handshake and hello
//! ([`HELLO_DEADLINE`]), each frame (a minimum rate, [`crate::frame::read_frame`]), connections
//! being set up ([`MAX_PENDING`]); refused frames are counted and at most [`REFUSALS_KEPT`] per
//! peer kept; a connection that keeps sending refused frames is closed
//! ([`MAX_REFUSED_PER_CONNECTION`]); accept errors back off; `max_wall` bounds the whole run.

pub mod report;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dsmpc_core::pvss::VerifyMode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use self::report::{NodeReport, Refusal, check_name};
use crate::deploy::{Deployment, DeploymentDigest, Host, Role};
use crate::frame::{Control, Frame, Reason, escaped, read_frame, write_frame};
use crate::tls::{Counted, DialError, Tls, dial, identify, inherited_listener};
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::event::Event;
use dsmpc_roles::metrics::{process_cpu_seconds, thread_cpu_seconds, unix_us};
use dsmpc_roles::net::memory::{BoxedParty, Recorder};
use dsmpc_roles::parties::{Clock, PartyId};
use dsmpc_roles::wire::{Message, MessageKind};

/// How long a connection may take from accept to a complete hello (TLS handshake included).
pub const HELLO_DEADLINE: Duration = Duration::from_secs(10);

/// Connections being set up (TLS handshake and hello) at once, beyond two per host of the
/// deployment (every host may dial at the same moment); more are closed at accept.
pub const MAX_PENDING: usize = 64;

/// Refusals kept (and printed) per peer; the rest are counted.
pub const REFUSALS_KEPT: usize = 16;

/// Refused frames on one connection before it is closed.
pub const MAX_REFUSED_PER_CONNECTION: usize = 64;

/// How long the writers may take to flush when the session is over.
const FLUSH: Duration = Duration::from_secs(2);

/// How to run a host.
#[derive(Clone, Debug)]
pub struct NodeOptions {
    /// Deployment directory.
    pub dir: PathBuf,
    /// Host name in it.
    pub host: String,
    /// Controlled by a parent: print `ready` when listening, start on a `go` line on stdin, stop
    /// when stdin closes.
    pub control: bool,
    /// How long to keep dialling a host that is not up yet.
    pub connect_timeout: Duration,
    /// Give up after this long (from the call of [`run_node`]).
    pub max_wall: Duration,
    /// Print a line on stderr for every message received (`NAME: recv KIND from PARTY`).
    pub trace: bool,
    /// Emulate this link profile's latency and jitter in the transport (netns; the bandwidth
    /// is shaped by the kernel): every message waits its one-way latency, and a new
    /// connection's first message also the two round trips of TCP and TLS 1.3 set-up.
    pub link: Option<crate::link::Profile>,
    /// Listen on this already bound socket (a file descriptor inherited from the parent,
    /// `run --net process`) instead of binding the host's address.
    pub listen_fd: Option<i32>,
}

/// Run host `opts.host` of the deployment with its `parties` (see [`crate::deploy::hosted()`]),
/// whose deployment digest is `digest`.
pub fn run_node(
    opts: &NodeOptions,
    d: &Deployment,
    digest: DeploymentDigest,
    parties: Vec<BoxedParty<'static>>,
    setup_s: f64,
) -> Result<NodeReport> {
    let started = tokio::time::Instant::now();
    let me = d.host(&opts.host)?.clone();
    let tls = Tls::load(&opts.dir, &me.name)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| RolesError::Config(format!("cannot start the I/O runtime: {e}")))?;
    let node = Node::new(opts.clone(), d.clone(), me, tls, digest, parties)?;
    let mut report = rt.block_on(node.run(started))?;
    report.setup_s = setup_s;
    rt.shutdown_timeout(Duration::from_millis(200));
    Ok(report)
}

/// A frame queued for a host, to be written at (not before) its instant.
type Queued = (tokio::time::Instant, Vec<u8>);

/// What reaches the host's loop.
enum Inbound {
    Msg {
        host: String,
        from: PartyId,
        to: PartyId,
        bytes: Vec<u8>,
    },
    Control {
        host: String,
        control: Control,
    },
    /// A host whose deployment digest differs (seen by either end of a connection).
    Differs {
        host: String,
        theirs: DeploymentDigest,
    },
    /// An authenticated connection from `host` closed.
    Closed {
        host: String,
    },
    Refused(Refusal),
    Unreachable(Refusal),
    Accepted,
}

/// How the session ends here.
#[derive(Clone, Debug)]
enum End {
    /// The Edge (this host) has its result.
    Result,
    /// The Edge said `Done`.
    Done,
    /// No result: why, and who said so (`None`: this host).
    Aborted { by: Option<String>, reason: Reason },
}

struct Node {
    opts: NodeOptions,
    d: Arc<Deployment>,
    me: Host,
    role: Option<Role>,
    tls: Tls,
    digest: DeploymentDigest,
    parties: Vec<BoxedParty<'static>>,
    slot: HashMap<PartyId, usize>,
    writers: HashMap<String, mpsc::UnboundedSender<Queued>>,
    links: Option<crate::link::Emulator<dsmpc_core::rng::DsmpcRng>>,
    writer_tasks: Vec<tokio::task::JoinHandle<()>>,
    tx: mpsc::UnboundedSender<Inbound>,
    rx: mpsc::UnboundedReceiver<Inbound>,
    out_bytes: Arc<AtomicU64>,
    in_bytes: Arc<AtomicU64>,
    report: NodeReport,
    refusals: HashMap<String, usize>,
    end: Option<End>,
}

impl Node {
    fn new(
        opts: NodeOptions,
        d: Deployment,
        me: Host,
        tls: Tls,
        digest: DeploymentDigest,
        parties: Vec<BoxedParty<'static>>,
    ) -> Result<Node> {
        let (tx, rx) = mpsc::unbounded_channel();
        let slot = parties.iter().enumerate().map(|(i, p)| (p.id(), i)).collect();
        // The jitter: from the seed (per host) in a seeded deployment, else from the OS.
        let links = match opts.link.clone() {
            None => None,
            Some(p) => {
                let rng = match d.session.seed {
                    Some(s) => {
                        let seed = s ^ me.name.bytes().fold(0u64, |h, b| h.rotate_left(8) ^ u64::from(b));
                        dsmpc_core::rng::seeded(seed, "links")
                    }
                    None => dsmpc_core::rng::from_os()?,
                };
                Some(crate::link::Emulator::new(p, rng))
            }
        };
        let report = NodeReport {
            host: me.name.clone(),
            ..NodeReport::default()
        };
        Ok(Node {
            opts,
            d: Arc::new(d),
            role: me.role(),
            me,
            tls,
            digest,
            parties,
            slot,
            writers: HashMap::new(),
            links,
            writer_tasks: Vec::new(),
            tx,
            rx,
            out_bytes: Arc::default(),
            in_bytes: Arc::default(),
            report,
            refusals: HashMap::new(),
            end: None,
        })
    }

    fn is_edge(&self) -> bool {
        self.role == Some(Role::Edge)
    }

    fn vss(&self) -> bool {
        self.d.config().is_ok_and(|c| c.verify == VerifyMode::Vss)
    }

    async fn listen(&self) -> Result<TcpListener> {
        if let Some(fd) = self.opts.listen_fd {
            return inherited_listener(fd, &self.me.name);
        }
        let listen = self.me.listen_addr().to_string();
        TcpListener::bind(&listen).await.map_err(|e| {
            RolesError::Config(format!(
                "host {} cannot listen on {listen}: {e}{}",
                self.me.name,
                if e.kind() == io::ErrorKind::AddrInUse {
                    " (another process holds the port: stop it, or change the address in deployment.toml)"
                } else {
                    ""
                }
            ))
        })
    }

    /// `--control`: say `ready`, wait for `go` (or give up at `give_up`), then watch stdin.
    async fn controller(&self, stop: mpsc::UnboundedSender<Reason>, give_up: tokio::time::Instant) -> Result<()> {
        use tokio::io::AsyncBufReadExt;
        say(&format!("ready {}", self.me.name));
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin());
        let mut line = String::new();
        let wait_go = async {
            loop {
                line.clear();
                match lines.read_line(&mut line).await {
                    Ok(0) | Err(_) => return Err(RolesError::Config("controller went away before `go`".into())),
                    Ok(_) if line.trim() == "go" => return Ok(()),
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout_at(give_up, wait_go)
            .await
            .map_err(|_| RolesError::Config("no `go` from the controller within --max-wall".into()))??;
        tokio::spawn(async move {
            let mut rest = Vec::new();
            let _ = lines.read_to_end(&mut rest).await;
            let _ = stop.send(Reason::Stopped {
                how: "the controller closed stdin".into(),
            });
        });
        Ok(())
    }

    async fn run(mut self, started: tokio::time::Instant) -> Result<NodeReport> {
        let give_up = started.checked_add(self.opts.max_wall).unwrap_or_else(far_future);
        let listener = self.listen().await?;
        tokio::spawn(accept_loop(
            listener,
            self.me.name.clone(),
            self.d.clone(),
            self.tls.clone(),
            self.digest,
            self.tx.clone(),
            (self.in_bytes.clone(), self.out_bytes.clone()),
        ));
        let (stop_tx, mut stop_rx) = mpsc::unbounded_channel::<Reason>();
        if self.opts.control {
            self.controller(stop_tx.clone(), give_up).await?;
        }
        spawn_signal_watch(stop_tx.clone());
        let cpu0 = process_cpu_seconds();
        let wall0 = Instant::now();
        self.report.start_us = unix_us();
        self.open_control_links();
        for s in 0..self.parties.len() {
            self.handle(s, |p, now, rec| p.start(now, rec));
        }
        while self.end.is_none() {
            let next = self.parties.iter().filter_map(|p| p.poll_timeout()).min();
            let sleep_for = next.map(|t| Duration::from_millis(t.saturating_sub(Clock::System.now_ms())));
            tokio::select! {
                m = self.rx.recv() => match m {
                    Some(m) => self.inbound(m),
                    None => self.abort_here(Reason::Stopped { how: "inbound channel closed".into() }),
                },
                _ = tokio::time::sleep(sleep_for.unwrap_or(Duration::from_secs(3600))), if sleep_for.is_some() => {
                    self.fire_timeouts();
                }
                why = stop_rx.recv() => {
                    let why = why.unwrap_or(Reason::Stopped { how: "stopped".into() });
                    self.report.signal = match &why {
                        Reason::Stopped { how } if how == SIGINT => Some(2),
                        Reason::Stopped { how } if how == SIGTERM => Some(15),
                        _ => None,
                    };
                    self.abort_here(why);
                }
                _ = tokio::time::sleep_until(give_up) => {
                    self.abort_here(Reason::MaxWall { seconds: self.opts.max_wall.as_secs() });
                }
            }
        }
        self.finish(give_up, cpu0, wall0).await;
        Ok(self.report)
    }

    /// The Edge dials every host and every host the Edge: each learns at once whether the
    /// Edge's deployment agrees, and sees the Edge's link close if it goes away.
    fn open_control_links(&mut self) {
        if self.is_edge() {
            let others: Vec<String> = self.others();
            for h in others {
                self.writer(&h);
            }
        } else if let Some(edge) = self.edge_name() {
            self.writer(&edge);
        }
    }

    fn others(&self) -> Vec<String> {
        self.d
            .hosts
            .iter()
            .filter(|h| h.name != self.me.name)
            .map(|h| h.name.clone())
            .collect()
    }

    fn edge_name(&self) -> Option<String> {
        self.d.host_of(PartyId::Edge).map(|h| h.name.clone())
    }

    fn fire_timeouts(&mut self) {
        let now = Clock::System.now_ms();
        for s in 0..self.parties.len() {
            if self.parties[s].poll_timeout().is_some_and(|t| t <= now) {
                self.handle(s, |p, now, rec| p.handle_timeout(now, rec));
            }
        }
    }

    /// Say how the session ended to whom the rules say, flush, and fill in the report.
    async fn finish(&mut self, give_up: tokio::time::Instant, cpu0: f64, wall0: Instant) {
        let end = self.end.clone().unwrap_or(End::Aborted {
            by: None,
            reason: Reason::Stopped { how: "stopped".into() },
        });
        self.announce(&end);
        self.report.ended = match &end {
            End::Result => "the Edge has its result; the session is over".into(),
            End::Done => "the Edge ended the session with its result".into(),
            End::Aborted { by: None, reason } => format!("aborted here: {reason}"),
            End::Aborted { by: Some(h), reason } => format!("aborted by {}: {reason}", escaped(h)),
        };
        if let End::Aborted { .. } = end {
            self.report.failed.get_or_insert_with(|| self.report.ended.clone());
        }
        self.report.wall_s = wall0.elapsed().as_secs_f64();
        // Let the writers flush what is queued, then close; within the flush time and max wall.
        self.writers.clear();
        let until = (tokio::time::Instant::now() + FLUSH).min(give_up.max(tokio::time::Instant::now()));
        for t in &mut self.writer_tasks {
            if tokio::time::timeout_at(until, &mut *t).await.is_err() {
                t.abort();
            }
        }
        // Take in what arrived meanwhile (refusals, unreachable hosts).
        while let Ok(m) = self.rx.try_recv() {
            match m {
                Inbound::Refused(r) => self.refused(r, false),
                Inbound::Unreachable(r) => self.report.unreachable.push(r),
                _ => {}
            }
        }
        self.report.process_cpu_s = process_cpu_seconds() - cpu0;
        self.report.tls_bytes_out = self.out_bytes.load(Ordering::Relaxed);
        self.report.tls_bytes_in = self.in_bytes.load(Ordering::Relaxed);
    }

    /// Tell the other hosts how the session ended: the Edge tells everyone; any other host
    /// tells the Edge why it stopped, unless the Edge said so.
    fn announce(&mut self, end: &End) {
        let (control, to) = match end {
            End::Done => return,
            End::Aborted { by: Some(h), .. } if Some(h) == self.edge_name().as_ref() => return,
            End::Result => (Control::Done, self.others()),
            End::Aborted { by, reason } => {
                let reason = match by {
                    Some(h) => Reason::Relayed {
                        host: h.clone(),
                        reason: Box::new(reason.clone()),
                    },
                    None => reason.clone(),
                };
                let control = Control::Abort {
                    reason: reason.bounded(),
                };
                let to = if self.is_edge() {
                    self.others()
                } else {
                    self.edge_name().into_iter().collect()
                };
                (control, to)
            }
        };
        let frame = Frame::Control(control).encode();
        let now = tokio::time::Instant::now();
        for h in to {
            let _ = self.writer(&h).send((now, frame.clone()));
        }
    }

    /// This host ends the session without a result.
    fn abort_here(&mut self, reason: Reason) {
        self.end.get_or_insert(End::Aborted { by: None, reason });
    }

    fn inbound(&mut self, m: Inbound) {
        match m {
            Inbound::Msg { host, from, to, bytes } => self.deliver(host, from, to, &bytes),
            Inbound::Control { host, control } => self.control(host, control),
            Inbound::Differs { host, theirs } => {
                let why = format!(
                    "its deployment digest {} differs from this host's {}: it holds another deployment.toml \
                     or roster.toml (copy the same files to every host); refused",
                    theirs.short(),
                    self.digest.short()
                );
                self.refused(
                    Refusal {
                        peer: host.clone(),
                        reason: why,
                    },
                    true,
                );
                self.host_failed(host.clone(), Reason::DeploymentDiffers { host });
            }
            Inbound::Closed { host } => {
                let needed = (!self.is_edge() && Some(&host) == self.edge_name().as_ref())
                    || (self.is_edge() && self.d.host(&host).ok().and_then(Host::role) == Some(Role::Cloud));
                if needed && self.end.is_none() {
                    self.abort_here(Reason::LinkLost { host });
                }
            }
            Inbound::Refused(r) => self.refused(r, true),
            Inbound::Unreachable(r) => {
                say_err(&format!("{}: {}", self.me.name, r.reason));
                let host = r.peer.clone();
                self.report.unreachable.push(r);
                if Some(&host) == self.edge_name().as_ref() || self.is_edge() {
                    self.host_failed(host.clone(), Reason::LinkLost { host });
                }
            }
            Inbound::Accepted => self.report.connections_in += 1,
        }
    }

    /// Something went wrong with `host` (its deployment differs, it is unreachable): the Edge
    /// applies the mode's rule, any other host tells the Edge (or aborts if it is the Edge).
    /// A Cloud that is lost or differs aborts the session in every mode; a CP or DP host whose
    /// deployment differs aborts it in the paper's modes; a CP or DP host that is unreachable
    /// is a silent party, left to the protocol's deadlines (skipped, or excluded in `vss`).
    fn host_failed(&mut self, host: String, reason: Reason) {
        let differs = matches!(reason, Reason::DeploymentDiffers { .. });
        if self.is_edge() {
            let is_cloud = self.d.host(&host).ok().and_then(Host::role) == Some(Role::Cloud);
            if is_cloud || (differs && !self.vss()) {
                self.abort_here(reason);
            }
        } else if Some(&host) == self.edge_name().as_ref() {
            self.abort_here(reason);
        } else if differs && let Some(edge) = self.edge_name() {
            let frame = Frame::Control(Control::Abort { reason }).encode();
            let _ = self.writer(&edge).send((tokio::time::Instant::now(), frame));
        }
    }

    /// Session control from `host`, checked by its role.
    fn control(&mut self, host: String, control: Control) {
        let from_edge = Some(&host) == self.edge_name().as_ref();
        let role = self.d.host(&host).ok().and_then(Host::role);
        match control {
            Control::Done if from_edge && !self.is_edge() => {
                self.end.get_or_insert(End::Done);
            }
            Control::Abort { reason } if from_edge && !self.is_edge() => {
                self.end.get_or_insert(End::Aborted { by: Some(host), reason });
            }
            Control::Abort { reason } if self.is_edge() => {
                if role == Some(Role::Cloud) || !self.vss() {
                    self.end.get_or_insert(End::Aborted { by: Some(host), reason });
                } else {
                    let why = format!(
                        "reported {reason}; vss goes on without it (its agreement round excludes what is silent)"
                    );
                    self.refused(
                        Refusal {
                            peer: host,
                            reason: why,
                        },
                        true,
                    );
                }
            }
            c => {
                let what = if matches!(c, Control::Done) { "end" } else { "abort" };
                let why = format!("tried to {what} the session; only the Edge may (refused)");
                self.refused(
                    Refusal {
                        peer: host,
                        reason: why,
                    },
                    true,
                );
            }
        }
    }

    /// Keep (and print) a refusal, at most [`REFUSALS_KEPT`] per peer; count the rest.
    fn refused(&mut self, r: Refusal, print: bool) {
        let n = self.refusals.entry(r.peer.clone()).or_default();
        *n += 1;
        if *n > REFUSALS_KEPT {
            *self.report.refused_more.entry(r.peer).or_default() += 1;
            return;
        }
        if print {
            say_err(&format!("{}: refused {}: {}", self.me.name, escaped(&r.peer), r.reason));
        }
        if *n == REFUSALS_KEPT && print {
            say_err(&format!(
                "{}: further refusals of {} are counted, not printed",
                self.me.name,
                escaped(&r.peer)
            ));
        }
        self.report.refused.push(r);
    }

    fn deliver(&mut self, host: String, from: PartyId, to: PartyId, bytes: &[u8]) {
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
            self.report.last_recv_us.insert(m.kind().name().to_string(), unix_us());
            if self.opts.trace {
                say_err(&format!("{}: recv {} from {from}", self.me.name, m.kind().name()));
            }
        }
        self.handle(s, |p, now, rec| p.handle_input(now, from, bytes, rec));
    }

    /// Let party `s` do `f`, then deliver what it sent to parties on this host, and so on.
    fn handle(&mut self, s: usize, f: impl FnOnce(&mut BoxedParty<'static>, u64, &mut Recorder)) {
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
    fn handle_one(
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
            self.report.samples.push((
                phase.name().to_string(),
                inst,
                sample.cpu,
                sample.wall,
                sample.ops.0.to_vec(),
            ));
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

    fn account(&mut self, from: PartyId, to: PartyId, bytes: &[u8]) {
        let Ok(m) = Message::decode(bytes) else { return };
        let kind = m.kind();
        let (name, payload) = (kind.name().to_string(), m.payload_len() as u64);
        (self.report.sent).push((from.to_string(), to.to_string(), name, bytes.len() as u64, payload));
        if kind == MessageKind::TaskAnnounce && from == PartyId::Cloud {
            self.report.announce_us.get_or_insert_with(unix_us);
        }
        let e = self.report.messages.entry(kind.name().to_string()).or_default();
        let (len, payload) = (bytes.len() as u64, m.payload_len() as u64);
        e[0] += 1;
        e[1] += len;
        e[2] += payload;
        e[3] = e[3].max(len);
        e[4] = e[4].max(payload);
        self.report
            .first_sent_us
            .entry(kind.name().to_string())
            .or_insert_with(unix_us);
    }

    fn event(&mut self, party: PartyId, e: Event) {
        match e {
            Event::Detection(d) => {
                self.report
                    .detections
                    .push((d.by, d.subject, d.action.name().to_string(), d.reason));
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
    fn send(&mut self, from: PartyId, to: PartyId, bytes: &[u8]) {
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

    fn writer(&mut self, host: &str) -> mpsc::UnboundedSender<Queued> {
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

const SIGINT: &str = "SIGINT";
const SIGTERM: &str = "SIGTERM";

/// SIGINT and SIGTERM stop the host (it tells the Edge, flushes and exits).
fn spawn_signal_watch(stop: mpsc::UnboundedSender<Reason>) {
    use tokio::signal::unix::{SignalKind, signal};
    for (kind, name) in [(SignalKind::interrupt(), SIGINT), (SignalKind::terminate(), SIGTERM)] {
        let stop = stop.clone();
        if let Ok(mut s) = signal(kind) {
            tokio::spawn(async move {
                if s.recv().await.is_some() {
                    let _ = stop.send(Reason::Stopped { how: name.into() });
                }
            });
        }
    }
}

/// A line on stdout; a closed stdout is not an error worth a panic.
fn say(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// A line on stderr, likewise.
fn say_err(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn far_future() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(86400 * 365 * 30)
}

/// One dialled connection: what this host sends to `to`.
struct Link {
    tls: Tls,
    me: String,
    digest: DeploymentDigest,
    to: String,
    addr: String,
    tx: mpsc::UnboundedSender<Inbound>,
    counters: (Arc<AtomicU64>, Arc<AtomicU64>),
    connect_timeout: Duration,
}

impl Link {
    /// Dial (retrying until `connect_timeout`), exchange hellos, and write every frame queued.
    async fn write_loop(self, mut rx: mpsc::UnboundedReceiver<Queued>) {
        let t0 = Instant::now();
        let mut stream = loop {
            match dial(
                &self.tls,
                &self.me,
                &self.to,
                &self.addr,
                self.counters.clone(),
                self.digest,
            )
            .await
            {
                Ok(s) => break s,
                Err(DialError::Unreachable(_)) if t0.elapsed() < self.connect_timeout => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(DialError::Differs(theirs)) => {
                    let _ = self.tx.send(Inbound::Differs {
                        host: self.to.clone(),
                        theirs,
                    });
                    return drain(rx).await;
                }
                Err(DialError::Unreachable(e) | DialError::Refused(e)) => {
                    let _ = self.tx.send(Inbound::Unreachable(Refusal {
                        peer: self.to.clone(),
                        reason: e,
                    }));
                    return drain(rx).await;
                }
            }
        };
        while let Some((due, frame)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if let Err(e) = write_frame(&mut stream, &frame).await {
                let _ = self.tx.send(Inbound::Unreachable(Refusal {
                    peer: self.to.clone(),
                    reason: format!("connection to {} at {} lost: {e}", self.to, self.addr),
                }));
                return drain(rx).await;
            }
        }
        let _ = stream.flush().await;
        let _ = stream.shutdown().await;
    }
}

/// Lose what is queued for a host that cannot be written to: to its parties it is silent.
async fn drain(mut rx: mpsc::UnboundedReceiver<Queued>) {
    while rx.recv().await.is_some() {}
}

async fn accept_loop(
    listener: TcpListener,
    me: String,
    d: Arc<Deployment>,
    tls: Tls,
    digest: DeploymentDigest,
    tx: mpsc::UnboundedSender<Inbound>,
    counters: (Arc<AtomicU64>, Arc<AtomicU64>),
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
    let limit = MAX_PENDING + 2 * d.hosts.len();
    let pending = Arc::new(tokio::sync::Semaphore::new(limit));
    let mut backoff = Duration::from_millis(10);
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(x) => {
                backoff = Duration::from_millis(10);
                x
            }
            Err(e) => {
                // Out of descriptors, for one: wait rather than spin.
                let _ = tx.send(Inbound::Refused(Refusal {
                    peer: "(accept)".into(),
                    reason: format!(
                        "cannot accept a connection: {e}; retrying in {} ms",
                        backoff.as_millis()
                    ),
                }));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let Ok(permit) = pending.clone().try_acquire_owned() else {
            let _ = tx.send(Inbound::Refused(Refusal {
                peer: peer.to_string(),
                reason: format!("more than {limit} connections being set up at once; closed"),
            }));
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let conn = Accepted {
            acceptor: acceptor.clone(),
            me: me.clone(),
            d: d.clone(),
            digest,
            tx: tx.clone(),
            peer: peer.to_string(),
        };
        let counted = Counted::new(tcp, counters.0.clone(), counters.1.clone());
        tokio::spawn(conn.serve(counted, permit));
    }
}

/// One accepted connection: what a peer sends this host.
struct Accepted {
    acceptor: tokio_rustls::TlsAcceptor,
    me: String,
    d: Arc<Deployment>,
    digest: DeploymentDigest,
    tx: mpsc::UnboundedSender<Inbound>,
    peer: String,
}

type ServerStream = tokio_rustls::server::TlsStream<Counted<tokio::net::TcpStream>>;

impl Accepted {
    fn refuse(&self, peer: &str, reason: String) {
        let _ = self.tx.send(Inbound::Refused(Refusal {
            peer: peer.to_string(),
            reason,
        }));
    }

    /// TLS handshake and hellos within [`HELLO_DEADLINE`]: the authenticated host name.
    async fn handshake(&self, tcp: Counted<tokio::net::TcpStream>) -> Option<(ServerStream, String)> {
        let shake = async {
            let mut s = self
                .acceptor
                .accept(tcp)
                .await
                .map_err(|e| (self.peer.clone(), format!("TLS handshake failed: {e}")))?;
            let cert = s.get_ref().1.peer_certificates().and_then(|c| c.first().cloned());
            let Some(host) = cert.as_ref().and_then(|c| identify(&self.d, c)) else {
                return Err((
                    self.peer.clone(),
                    "its certificate (from this deployment's CA) names no host of this deployment".into(),
                ));
            };
            let theirs = match read_frame(&mut s).await {
                Ok(Some(Frame::Hello { name, digest })) if name == host => digest,
                Ok(Some(Frame::Hello { name, .. })) => {
                    let why = format!("claims to be {:?} but its certificate is for {host:?}", escaped(&name));
                    return Err((host, why));
                }
                Ok(other) => return Err((host, format!("no hello frame: {}", describe(other.as_ref())))),
                Err(e) => return Err((host, format!("no hello: {e}"))),
            };
            // The reply: our own hello, so that the dialler checks our digest too.
            let hello = Frame::Hello {
                name: self.me.clone(),
                digest: self.digest,
            };
            write_frame(&mut s, &hello.encode())
                .await
                .map_err(|e| (host.clone(), format!("cannot answer its hello: {e}")))?;
            if theirs != self.digest {
                let _ = self.tx.send(Inbound::Differs { host, theirs });
                return Err((String::new(), String::new()));
            }
            Ok((s, host))
        };
        match tokio::time::timeout(HELLO_DEADLINE, shake).await {
            Ok(Ok(x)) => Some(x),
            Ok(Err((peer, why))) => {
                if !why.is_empty() {
                    self.refuse(&peer, why);
                }
                None
            }
            Err(_) => {
                self.refuse(
                    &self.peer,
                    format!(
                        "no TLS handshake and hello within {} s; closed",
                        HELLO_DEADLINE.as_secs()
                    ),
                );
                None
            }
        }
    }

    async fn serve(self, tcp: Counted<tokio::net::TcpStream>, permit: tokio::sync::OwnedSemaphorePermit) {
        let Some((mut s, host)) = self.handshake(tcp).await else {
            return;
        };
        drop(permit);
        let _ = self.tx.send(Inbound::Accepted);
        let Ok(h) = self.d.host(&host) else { return };
        let mut refused = 0;
        loop {
            let why = match read_frame(&mut s).await {
                Ok(Some(Frame::Msg { from, to, bytes })) if h.hosts(from) => {
                    let _ = self.tx.send(Inbound::Msg {
                        host: host.clone(),
                        from,
                        to,
                        bytes,
                    });
                    continue;
                }
                Ok(Some(Frame::Msg { from, .. })) => {
                    format!("sent a message as {from}, a party {host} does not host; refused")
                }
                Ok(Some(Frame::Control(control))) => {
                    let _ = self.tx.send(Inbound::Control {
                        host: host.clone(),
                        control,
                    });
                    continue;
                }
                Ok(Some(Frame::Hello { .. })) => "a second hello".into(),
                Ok(None) => break,
                Err(e) => {
                    self.refuse(&host, format!("bad frame, connection closed: {e}"));
                    break;
                }
            };
            self.refuse(&host, why);
            refused += 1;
            if refused >= MAX_REFUSED_PER_CONNECTION {
                self.refuse(
                    &host,
                    format!("{MAX_REFUSED_PER_CONNECTION} refused frames on one connection: closed"),
                );
                break;
            }
        }
        let _ = self.tx.send(Inbound::Closed { host });
    }
}

/// A frame named for a refusal (never its contents).
fn describe(f: Option<&Frame>) -> &'static str {
    match f {
        None => "the connection closed",
        Some(Frame::Hello { .. }) => "a hello",
        Some(Frame::Msg { .. }) => "a message",
        Some(Frame::Control(_)) => "session control",
    }
}

/// Counts of refusals per peer, for a summary.
pub fn refusal_counts(r: &NodeReport) -> BTreeMap<String, u64> {
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for x in &r.refused {
        *m.entry(x.peer.clone()).or_default() += 1;
    }
    for (p, n) in &r.refused_more {
        *m.entry(p.clone()).or_default() += n;
    }
    m
}
