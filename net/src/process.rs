//! `dsmpc run --net process`: a whole session on this machine, every host an OS process
//! (`dsmpc node --control`) talking mutual TLS 1.3 over 127.0.0.1.
//!
//! The controller writes a deployment into a temporary directory ([`crate::deploy::init`]: free
//! ports, a fresh CA, every party's keys in its host's directory, from the seed if the run has
//! one and from the OS otherwise), starts one process per host (the Cloud, the Edge and each candidate CP
//! alone, DPs `dps_per_host` to a process), waits until every one listens (`ready`), says `go`
//! to all, and collects each one's [`NodeReport`] (one JSON line on its stdout) when it ends.
//! The hosts end on their own when the Edge has the outcome (or a party fails); a host that
//! has not ended 10 s after the others is told to stop (stdin closed), and killed 5 s later.
//! Every child is killed and reaped when the controller returns, whatever happened
//! (`Children`). SIGINT and SIGTERM stop the controller within 200 ms: it kills its children,
//! removes the deployment directory (it holds every private key) and, in `netns`, every
//! namespace and link, and `dsmpc run` exits 130 or 143 ([`caught_signal`]). A child dies with
//! the thread that started it (`PR_SET_PDEATHSIG`), so a controller killed with SIGKILL leaves
//! no host running; what it could not remove (its deployment directory
//! `dsmpc-deploy-PID-*` in the temporary directory, and in `netns` its namespaces) is named by
//! its pid and removed by the next run that finds that pid dead ([`reap_deployments`]).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::deploy::{self, Deployment, Layout};
use crate::node::report::{self as node_report, Named, NodeReport};
use dsmpc_core::field64::F64;
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::metrics::{MessageStats, Sample};
use dsmpc_roles::net::memory::Record;
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::session::{self, SessionConfig, SessionReport};
use dsmpc_roles::wire::MessageKind;

mod lifetime;
use lifetime::{DEPLOY_PREFIX, catch_signals};
pub use lifetime::{caught_signal, die_with_parent, reap_deployments};
pub(crate) use lifetime::{interrupted, pid_alive};

/// How to run a session as processes.
#[derive(Clone, Debug)]
pub struct ProcessOptions {
    /// The `dsmpc` executable to start hosts with.
    pub exe: PathBuf,
    /// DPs per process.
    pub dps_per_host: usize,
    /// The parties' deadlines.
    pub timeouts: Timeouts,
    /// Give up after this long (every host).
    pub max_wall: Duration,
    /// Keep the deployment directory here instead of a temporary one.
    pub keep_dir: Option<PathBuf>,
    /// The DPs' values (`--values FILE`), written into the DP hosts' directories; `None`: the
    /// deployment draws them (from the seed, as `--net memory` does, or from the OS).
    pub values: Option<Vec<num_bigint::BigUint>>,
    /// A vector session's input rows (`--values FILE`), one per DP, written into the DP hosts'
    /// directories; `None`: drawn as `values`.
    pub rows: Option<Vec<dsmpc_roles::func::InputRow>>,
}

impl ProcessOptions {
    /// Defaults: this executable, 50 DPs per process, the default deadlines, 30 minutes.
    pub fn new(exe: PathBuf) -> Self {
        ProcessOptions {
            exe,
            dps_per_host: 50,
            timeouts: Timeouts::default(),
            max_wall: Duration::from_secs(1800),
            keep_dir: None,
            values: None,
            rows: None,
        }
    }
}

/// The `dsmpc` executable for programs other than `dsmpc` itself (the sweep, tests): `$DSMPC_BIN`
/// if set, else `dsmpc` beside the running executable or one folder up (cargo puts test binaries
/// in `target/PROFILE/deps/`, the binaries in `target/PROFILE/`). The error says how to build it.
pub fn find_dsmpc() -> Result<PathBuf> {
    if let Some(p) = std::env::var_os("DSMPC_BIN") {
        let p = PathBuf::from(p);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(RolesError::Config(format!("DSMPC_BIN={}: no such file", p.display())))
        };
    }
    let me =
        std::env::current_exe().map_err(|e| RolesError::Config(format!("cannot find the running executable: {e}")))?;
    let name = format!("dsmpc{}", std::env::consts::EXE_SUFFIX);
    let dirs: Vec<&Path> = me.ancestors().skip(1).take(2).collect();
    dirs.iter().map(|d| d.join(&name)).find(|p| p.is_file()).ok_or_else(|| {
        RolesError::Config(format!(
            "no {name} beside {} (nor one folder up): build it with the same profile and features, \
                 e.g. `cargo build --release -p dsmpc-net --bin dsmpc`, or set DSMPC_BIN",
            me.display()
        ))
    })
}

/// What the network measured, over all hosts.
#[derive(Clone, Debug, Default)]
pub struct NetStats {
    /// Hosts (processes).
    pub hosts: usize,
    /// Announcement to outcome, seconds.
    pub e2e_s: f64,
    /// Per message kind: first sent to last received, seconds.
    pub rounds: BTreeMap<MessageKind, f64>,
    /// Bytes on TCP (TLS records and handshakes), summed over hosts' sending side.
    pub tls_bytes: u64,
    /// Protocol bytes (encoded messages).
    pub protocol_bytes: u64,
    /// TCP connections.
    pub connections: u64,
    /// CPU seconds of every process (TLS and I/O included).
    pub process_cpu_s: f64,
    /// CPU seconds of the parties' handling only.
    pub party_cpu_s: f64,
    /// Per host: (name, process CPU s, wall s).
    pub per_host: Vec<(String, f64, f64)>,
    /// `netns`: bytes the hosts' interfaces sent (Ethernet frames: IP, TCP, TLS, protocol).
    pub interface_bytes: Option<u64>,
    /// `netns`: how latency was applied (`netem` or `transport`).
    pub latency_by: Option<String>,
}

/// A session run as processes: the report (if there was an outcome), what each host said.
pub struct ProcessRun {
    /// The session report, as `--net memory` gives it.
    pub report: Result<SessionReport>,
    /// Network measurements.
    pub stats: NetStats,
    /// Every host's report.
    pub hosts: Vec<NodeReport>,
}

/// Children that are killed and reaped however the controller leaves.
struct Children(Vec<(String, Child)>);

impl Drop for Children {
    fn drop(&mut self) {
        for (_, c) in &mut self.0 {
            if matches!(c.try_wait(), Ok(None)) {
                let _ = c.kill();
            }
            let _ = c.wait();
        }
    }
}

/// The started hosts, their stdins, and their stdout lines (host index, line).
type Spawned = (Children, Vec<Option<ChildStdin>>, mpsc::Receiver<(usize, String)>);

/// Start the hosts of `d` in `dir` as `dsmpc node --control` processes; every host's stdin and a
/// channel of its stdout lines.
/// Every host gets the faults (`--inject`); each plays those of its own parties.
fn spawn(
    exe: &Path,
    dir: &Path,
    d: &Deployment,
    (max_wall, faults): (Duration, &[Fault]),
    env: &dyn Env,
) -> Result<Spawned> {
    let (tx, rx) = mpsc::channel();
    let mut children = Children(Vec::new());
    let mut stdins = Vec::new();
    for (i, h) in d.hosts.iter().enumerate() {
        let mut cmd = env.command(i, exe);
        die_with_parent(&mut cmd);
        let mut c = cmd
            .args(["node", "--control", "--deployment"])
            .arg(dir)
            .args(["--host", &h.name, "--max-wall", &max_wall.as_secs().to_string()])
            .args(env.node_args(i))
            .args(faults.iter().flat_map(|f| ["--inject".to_string(), f.to_string()]))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| RolesError::Config(format!("cannot start {} for host {}: {e}", exe.display(), h.name)))?;
        stdins.push(c.stdin.take());
        if let Some(out) = c.stdout.take() {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if tx.send((i, line)).is_err() {
                        break;
                    }
                }
                let _ = tx.send((i, "exit".into()));
            });
        }
        children.0.push((h.name.clone(), c));
    }
    Ok((children, stdins, rx))
}

/// Where the hosts run: how they are addressed and started, what is measured around them.
pub(crate) trait Env {
    /// Addresses for `hosts` hosts.
    fn layout(&mut self, hosts: usize, dps_per_host: usize) -> Result<Layout>;
    /// Set up what the hosts need once the deployment is known.
    fn prepare(&mut self, _d: &Deployment) -> Result<()> {
        Ok(())
    }
    /// The command that runs `exe` as host `i`.
    fn command(&self, _i: usize, exe: &Path) -> Command {
        Command::new(exe)
    }
    /// More arguments for `dsmpc node` as host `i`.
    fn node_args(&self, _i: usize) -> Vec<String> {
        Vec::new()
    }
    /// Every host has been started.
    fn started(&mut self) {}
    /// Add what the environment measured.
    fn measure(&mut self, _stats: &mut NetStats) {}
}

/// Every host on 127.0.0.1, on a port this controller binds and hands to the host as its
/// file descriptor [`LISTEN_FD`] (`dsmpc node --listen-fd`). A port chosen free and bound only
/// later by the host could be taken meanwhile (by another session, or as the local port of some
/// connection): a test run in CI lost a session to "Address already in use" that way.
#[derive(Default)]
struct Loopback {
    listeners: Vec<std::net::TcpListener>,
}

/// The descriptor a `--net process` host finds its listening socket on.
pub const LISTEN_FD: i32 = 3;

/// Makes the child of `cmd` inherit `listener` as descriptor [`LISTEN_FD`] (for `dsmpc node
/// --listen-fd 3`), so that the port stays bound from the moment it was chosen.
pub fn pass_listener(cmd: &mut Command, listener: &std::net::TcpListener) {
    use std::os::fd::AsRawFd;
    use std::os::unix::process::CommandExt;
    let fd = listener.as_raw_fd();
    // SAFETY: between fork and exec only async-signal-safe calls (dup2, fcntl). The copy on
    // LISTEN_FD has close-on-exec cleared, so the child inherits it; every other socket of this
    // process is close-on-exec, as std opens them.
    unsafe {
        cmd.pre_exec(move || {
            let r = if fd == LISTEN_FD {
                libc::fcntl(fd, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, LISTEN_FD)
            };
            if r == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

impl Env for Loopback {
    fn layout(&mut self, hosts: usize, dps_per_host: usize) -> Result<Layout> {
        let mut ports = Vec::with_capacity(hosts);
        for _ in 0..hosts {
            let l = std::net::TcpListener::bind("127.0.0.1:0")
                .map_err(|e| RolesError::Config(format!("cannot listen on a free port of 127.0.0.1: {e}")))?;
            ports.push(l.local_addr().map_err(|e| RolesError::Config(e.to_string()))?.port());
            self.listeners.push(l);
        }
        Ok(Layout {
            dps_per_host,
            addrs: vec!["127.0.0.1".into()],
            base_port: 0,
            ports,
        })
    }

    fn command(&self, i: usize, exe: &Path) -> Command {
        let mut c = Command::new(exe);
        if let Some(l) = self.listeners.get(i) {
            pass_listener(&mut c, l);
        }
        c
    }

    fn started(&mut self) {
        // The hosts hold their copies; a host that dies must leave its port closed (a peer
        // dialling it is refused at once), not queued on a copy kept here.
        self.listeners.clear();
    }

    fn node_args(&self, i: usize) -> Vec<String> {
        if i < self.listeners.len() {
            vec!["--listen-fd".into(), LISTEN_FD.to_string()]
        } else {
            Vec::new()
        }
    }
}

/// Run `cfg` as processes on 127.0.0.1.
pub fn run(cfg: &SessionConfig, opts: &ProcessOptions) -> Result<ProcessRun> {
    run_in(cfg, opts, &mut Loopback::default())
}

/// Run `cfg` as processes in `env`. After SIGINT or SIGTERM, whatever failed on the way out (a
/// host that got the signal too and exited, a command cut short) is reported as the
/// interruption.
pub(crate) fn run_in(cfg: &SessionConfig, opts: &ProcessOptions, env: &mut dyn Env) -> Result<ProcessRun> {
    catch_signals();
    let run = run_hosts(cfg, opts, env);
    if run.is_err() {
        interrupted()?;
    }
    run
}

fn run_hosts(cfg: &SessionConfig, opts: &ProcessOptions, env: &mut dyn Env) -> Result<ProcessRun> {
    cfg.validate()?;
    if let Some(f) = cfg.faults.iter().find(|f| !deploy::acts_at_a_party(f)) {
        return Err(RolesError::Config(format!(
            "--inject {f}: {} attacks the network between parties, which is mutual TLS between processes \
             here; it runs with --net memory or --net sim:PROFILE (faults of a party's own, such as \
             bad-share, drop-cp or vector-length, run on every network)",
            f.kind()
        )));
    }
    let tmp;
    let dir = match &opts.keep_dir {
        Some(d) => d.clone(),
        None => {
            reap_deployments(&std::env::temp_dir());
            tmp = tempfile::Builder::new()
                .prefix(&format!("{DEPLOY_PREFIX}{}-", std::process::id()))
                .tempdir()
                .map_err(|e| RolesError::Config(format!("cannot make a temporary directory: {e}")))?;
            tmp.path().to_path_buf()
        }
    };
    let hosts = 2 + cfg.m + cfg.n.div_ceil(opts.dps_per_host.max(1));
    let layout = env.layout(hosts, opts.dps_per_host)?;
    let (values, rows) = (opts.values.as_deref(), opts.rows.as_deref());
    let d = deploy::init_with_inputs(&dir, cfg, opts.timeouts, &layout, values, rows)?;
    env.prepare(&d)?;
    // The deployment took the values given or made them (from the seed, as `--net memory`
    // does, or from the OS) and wrote them into the DP hosts' directories, where this launcher
    // reads them back.
    let values = deploy::values(&dir, &d)?;
    let inputs = deploy::inputs(&dir, &d)?;
    let (mut children, mut stdins, rx) = spawn(&opts.exe, &dir, &d, (opts.max_wall, &cfg.faults), env)?;
    env.started();
    wait_ready(&rx, &d, opts.max_wall)?;
    for s in stdins.iter_mut().flatten() {
        let _ = writeln!(s, "go");
        let _ = s.flush();
    }
    let reports = collect_reports(&rx, &mut stdins, &d)?;
    drop(stdins);
    for (_, c) in &mut children.0 {
        if matches!(c.try_wait(), Ok(None)) {
            let _ = c.kill();
        }
    }
    drop(children);
    let hosts: Vec<NodeReport> = reports
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| NodeReport {
                host: d.hosts[i].name.clone(),
                failed: Some("no report (the process died or was killed)".into()),
                ..NodeReport::default()
            })
        })
        .collect();
    let weak = cfg.group.schnorr_bits().is_some_and(|b| b < 2048);
    let mut run = merge(hosts, (&values, inputs.as_deref()), weak);
    env.measure(&mut run.stats);
    Ok(run)
}

/// Collect the hosts' reports until every host has exited; stop stragglers (close their stdin)
/// once the others are done. A report that does not read (an unknown name: another dsmpc) is
/// refused: that host's report says so.
fn collect_reports(
    rx: &mpsc::Receiver<(usize, String)>,
    stdins: &mut [Option<ChildStdin>],
    d: &Deployment,
) -> Result<Vec<Option<NodeReport>>> {
    let n = d.hosts.len();
    let mut reports: Vec<Option<NodeReport>> = vec![None; n];
    let mut exited = vec![false; n];
    let mut first_done: Option<Instant> = None;
    let mut told_to_stop = false;
    while exited.iter().any(|e| !e) {
        interrupted()?;
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok((i, line)) => {
                if let Some(json) = line.strip_prefix("report ") {
                    reports[i] = Some(serde_json::from_str(json).unwrap_or_else(|e| NodeReport {
                        host: d.hosts[i].name.clone(),
                        failed: Some(format!("its report does not read: {e}")),
                        ..NodeReport::default()
                    }));
                    first_done.get_or_insert_with(Instant::now);
                } else if line == "exit" {
                    exited[i] = true;
                    first_done.get_or_insert_with(Instant::now);
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if let Some(t) = first_done {
            if !told_to_stop && t.elapsed() > Duration::from_secs(10) {
                stdins.iter_mut().for_each(|s| drop(s.take()));
                told_to_stop = true;
            }
            if t.elapsed() > Duration::from_secs(15) {
                break;
            }
        }
    }
    Ok(reports)
}

/// Wait until every host of `d` says it listens (`ready`), at most `max_wall`.
fn wait_ready(rx: &mpsc::Receiver<(usize, String)>, d: &Deployment, max_wall: Duration) -> Result<()> {
    let mut ready = vec![false; d.hosts.len()];
    let setup_deadline = Instant::now() + max_wall;
    while ready.iter().any(|r| !r) {
        interrupted()?;
        let left = setup_deadline.saturating_duration_since(Instant::now());
        let (i, line) = match rx.recv_timeout(left.min(Duration::from_millis(200))) {
            Ok(x) => x,
            Err(mpsc::RecvTimeoutError::Timeout) if !left.is_zero() => continue,
            Err(_) => return Err(RolesError::Stalled("hosts did not all start listening in time".into())),
        };
        if line.starts_with("ready ") {
            ready[i] = true;
        } else if line == "exit" {
            // No result (exit 1): the controller wrote the deployment, so this is no bad input.
            return Err(RolesError::Stalled(format!(
                "host {} exited before it was ready (see its error above)",
                d.hosts[i].name
            )));
        }
    }
    Ok(())
}

/// The message lines of a networked run's log, from what every host sent: (src, dst, kind,
/// bytes, payload bytes), named as `--net memory` names them: a selected CP by its index
/// (`CP(i=k)`) once the Cloud has selected it, that is in every message but the task
/// announcement, the authentication requests and `index_assign` (logged to `CP(VID=v)`, as
/// the reference does: the CP learns its index from it).
pub fn log_lines(hosts: &[NodeReport]) -> Vec<(String, String, MessageKind, u64, u64)> {
    let mut index: BTreeMap<String, String> = BTreeMap::new();
    for h in hosts {
        for (i, vid) in &h.selected {
            index.insert(
                dsmpc_roles::parties::candidate_name(*vid),
                dsmpc_roles::parties::cp_name(*i),
            );
        }
    }
    let mut lines = Vec::new();
    for h in hosts {
        for (src, dst, kind, bytes, payload) in &h.sent {
            let k = kind.0;
            let before_selection = matches!(
                k,
                MessageKind::TaskAnnounce | MessageKind::AuthRequest | MessageKind::IndexAssign
            );
            let name = |p: &String| match index.get(p) {
                Some(i) if !before_selection => i.clone(),
                _ => p.clone(),
            };
            lines.push((name(src), name(dst), k, *bytes, *payload));
        }
    }
    lines
}

/// Merge the hosts' reports into a session report and network measurements; the plaintext is
/// the DPs' `values` (scalar) or encoded `inputs` (a vector session).
pub fn merge(
    hosts: Vec<NodeReport>,
    (values, inputs): (&[num_bigint::BigUint], Option<&[Vec<F64>]>),
    weak_group: bool,
) -> ProcessRun {
    let mut record = Record::default();
    let mut stats = NetStats {
        hosts: hosts.len(),
        ..NetStats::default()
    };
    let mut outcome = None;
    let mut failure: Option<String> = None;
    let mut first_sent: BTreeMap<Named<MessageKind>, u64> = BTreeMap::new();
    let mut last_recv: BTreeMap<Named<MessageKind>, u64> = BTreeMap::new();
    let (mut announce, mut end) = (None, None);
    let mut setup_s: f64 = 0.0;
    for h in &hosts {
        add_host(&mut record, &mut stats, h);
        for (k, t) in &h.first_sent_us {
            let e = first_sent.entry(*k).or_insert(*t);
            *e = (*e).min(*t);
        }
        for (k, t) in &h.last_recv_us {
            let e = last_recv.entry(*k).or_insert(*t);
            *e = (*e).max(*t);
        }
        announce = announce.or(h.announce_us);
        if h.outcome.is_some() {
            outcome = node_report::outcome(h);
            end = h.end_us;
        }
        if let Some(f) = &h.failed
            && h.outcome.is_none()
        {
            let named = format!("{}: {f}", h.host);
            if h.end_us.is_some() {
                end = end.or(h.end_us);
                failure = Some(named);
            } else {
                failure.get_or_insert(named);
            }
        }
        setup_s = setup_s.max(h.setup_s);
    }
    if let (Some(a), Some(e)) = (announce, end) {
        stats.e2e_s = e.saturating_sub(a) as f64 * 1e-6;
    }
    for (k, t0) in &first_sent {
        if let Some(t1) = last_recv.get(k) {
            stats.rounds.insert(k.0, t1.saturating_sub(*t0) as f64 * 1e-6);
        }
    }
    record.timing = Some(dsmpc_roles::net::Timing {
        e2e_s: stats.e2e_s,
        rounds: stats.rounds.clone(),
        sim_tls: None,
    });
    let report = match outcome {
        Some(o) => session::report(o, record, values, inputs, setup_s, weak_group),
        None => Err(RolesError::Stalled(
            failure.unwrap_or_else(|| "no host reported an outcome".into()),
        )),
    };
    ProcessRun { report, stats, hosts }
}

/// Add one host's detections, selection, exclusions, messages and phases to `record`, and its
/// bytes, connections and CPU to `stats`.
fn add_host(record: &mut Record, stats: &mut NetStats, h: &NodeReport) {
    record.detections.extend(node_report::detections(h));
    if !h.selected.is_empty() {
        record.selected = h.selected.iter().copied().collect();
        record.not_selected = h.not_selected.clone();
    }
    if !h.excluded.is_empty() {
        record.excluded = h.excluded.iter().cloned().collect();
    }
    for (kind, m) in &h.messages {
        let s: &mut MessageStats = record.messages.entry(kind.0).or_default();
        s.count += m[0];
        s.bytes += m[1];
        s.payload_bytes += m[2];
        s.max_bytes = s.max_bytes.max(m[3]);
        s.max_payload_bytes = s.max_payload_bytes.max(m[4]);
        stats.protocol_bytes += m[1];
    }
    for (phase, inst, cpu, wall, ops) in &h.samples {
        let mut s = Sample {
            cpu: *cpu,
            wall: *wall,
            ..Sample::default()
        };
        for (dst, src) in s.ops.0.iter_mut().zip(ops) {
            *dst = *src;
        }
        record.meter.add(phase.0, *inst, s);
    }
    stats.tls_bytes += h.tls_bytes_out;
    stats.connections += h.connections_out;
    stats.process_cpu_s += h.process_cpu_s;
    stats.party_cpu_s += h.party_cpu_s.values().sum::<f64>();
    stats.per_host.push((h.host.clone(), h.process_cpu_s, h.wall_s));
}
