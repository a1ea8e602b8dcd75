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
//!
//! Parts: this module holds the host's state and its event loop (`run`: listen, dial the
//! control links, deliver what arrives, fire deadlines, finish); `connect` the dialled links and
//! the listener; `control` how a session ends and what a failed host or a signal does;
//! `parties` the host's parties (delivery, accounting, sending); [`report`] what the host
//! reports.

mod connect;
mod control;
mod parties;
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

use self::connect::accept_loop;
use self::control::{SIGINT, SIGTERM, spawn_signal_watch};
use self::report::{NodeReport, Refusal, check_name};
use crate::deploy::{Deployment, DeploymentDigest, Host, Role};
use crate::frame::{Control, Frame, Reason, escaped, read_frame, write_frame};
pub use crate::tls::HELLO_DEADLINE;
use crate::tls::{Counted, DialError, Tls, dial, identify, inherited_listener};
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::event::Event;
use dsmpc_roles::metrics::{process_cpu_seconds, thread_cpu_seconds, unix_us};
use dsmpc_roles::net::memory::{BoxedParty, Recorder};
use dsmpc_roles::parties::{Clock, PartyId};
use dsmpc_roles::wire::{Message, MessageKind};

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
            // A lost link is the mode's business only where host_failed says so (this host's
            // link to the Edge, the Edge's to the Cloud).
            Inbound::Closed { host } => self.host_failed(host.clone(), Reason::LinkLost { host }),
            Inbound::Refused(r) => self.refused(r, true),
            Inbound::Unreachable(r) => {
                say_err(&format!("{}: {}", self.me.name, r.reason));
                let host = r.peer.clone();
                self.report.unreachable.push(r);
                self.host_failed(host.clone(), Reason::LinkLost { host });
            }
            Inbound::Accepted => self.report.connections_in += 1,
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
