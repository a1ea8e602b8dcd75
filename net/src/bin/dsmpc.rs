//! `dsmpc`: run one D-SMPC session, or print the shipped group parameters.
//!
//! `dsmpc run` prints the plaintext and reconstructed sum and average, the per-phase table and
//! the bytes per message kind, writes the JSON Lines log if asked, and exits 0 only when the
//! reconstruction matches. `dsmpc params` prints p, q, g, h of a group. Exit codes: 0 success,
//! 1 the run failed or the result did not match (a protocol outcome such as too few CPs
//! selected, whatever caused it), 2 bad command line or input (sizes beyond the limits, a bad
//! values file, a log target that is not a new or writable regular file: all checked before
//! the run, leaving nothing written), 130 / 143 a run stopped by SIGINT / SIGTERM (its hosts,
//! namespaces and deployment removed). A closed standard output or error ends any command
//! with exit 1, never a panic.
//!
//! `--inject KIND` (repeatable) makes parties misbehave (see `dsmpc_roles::adversary`); the output
//! then lists what was detected and which DPs were excluded, and the exit code is 0 exactly
//! when the result equals the plaintext sum over the DPs aggregated.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Standard output that ends the process quietly when it cannot be written (a closed pipe: the
/// reader, or the controller of a host, went away) instead of panicking as `println!` does.
/// Exit 1: nobody got the result.
fn out(args: std::fmt::Arguments<'_>) {
    let mut o = std::io::stdout().lock();
    if o.write_fmt(args).and_then(|()| o.flush()).is_err() {
        std::process::exit(1);
    }
}

/// Standard error, likewise: a host whose controller closed its stderr ends quietly.
fn err_out(args: std::fmt::Arguments<'_>) {
    let mut e = std::io::stderr().lock();
    if e.write_fmt(args).is_err() {
        std::process::exit(1);
    }
}

// Every `println!`, `print!` and `eprintln!` of this file goes through `out` / `err_out` (these
// definitions shadow the standard macros here).
macro_rules! println {
    () => { out(format_args!("\n")) };
    ($($t:tt)*) => { out(format_args!("{}\n", format_args!($($t)*))) };
}
macro_rules! print {
    ($($t:tt)*) => { out(format_args!($($t)*)) };
}
macro_rules! eprintln {
    ($($t:tt)*) => { err_out(format_args!("{}\n", format_args!($($t)*))) };
}

use clap::{Args, Parser, Subcommand};
use dsmpc_core::backend::{Backend, BackendKind, Num};
use dsmpc_core::group::{SUPPORTED_BITS, SchnorrGroup, params::GroupParams};
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::NetSpec;
use dsmpc_net::deploy::{self, Deployment, Layout};
use dsmpc_net::node::report as node_report;
use dsmpc_net::node::{self, NodeOptions};
use dsmpc_net::process::{NetStats, ProcessOptions};
use dsmpc_net::sim::{Placement, SimConfig};
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::event::Detection;
use dsmpc_roles::log::{EventSink, JsonlLog};
use dsmpc_roles::metrics::PhaseStats;
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::parties::exact_average;
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::wire::MessageKind;
use dsmpc_roles::{RolesError, SessionConfig, session, values};

#[derive(Parser)]
#[command(
    name = "dsmpc",
    version,
    about = "D-SMPC: dynamic secure multi-party computation for edge aggregation"
)]
#[command(
    long_about = "D-SMPC: a Cloud selects computing parties (CPs) from candidate vehicles (Algorithm 1); \
data providers (DPs) Shamir-share their values to the CPs, encrypted and with a PVSS attachment \
(Algorithm 2); the CPs sum locally and the Edge reconstructs sum and average from any t results."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one whole session in this process and check the result against the plaintext.
    Run(RunArgs),
    /// Print the parameters (p, q, g, h) of a shipped Schnorr group.
    Params(ParamsArgs),
    /// Make a deployment directory: parameters, every host's address, a CA and a certificate
    /// per host, every party's protocol keys (each host's private keys in its own directory,
    /// the public ones in roster.toml) and the DPs' values (`deploy init DIR ...`).
    #[command(subcommand)]
    Deploy(DeployCommand),
    /// Run one host of a deployment (its parties) over TCP with mutual TLS 1.3.
    Node(NodeArgs),
}

#[derive(Subcommand)]
enum DeployCommand {
    /// Write a new deployment into DIR (which must not hold one). Keys and values come from the
    /// operating system; with --seed they derive from the seed instead (reproducible, for
    /// experiments only: anyone with the seed can derive every key).
    Init(DeployArgs),
}

#[derive(Args)]
struct DeployArgs {
    /// The directory to write.
    dir: PathBuf,
    #[command(flatten)]
    session: SessionArgs,
    /// DPs per `dps-G` host (a fleet behind one link).
    #[arg(long, value_name = "N", default_value_t = 50)]
    dps_per_host: usize,
    /// Address of every host (one for all, or one per host in the order cloud, edge, cp-1..,
    /// dps-1..); edit deployment.toml afterwards to move hosts.
    #[arg(long = "addr", value_name = "IP", default_value = "127.0.0.1")]
    addrs: Vec<String>,
    /// Port of the first host; host i listens on PORT + i.
    #[arg(long, value_name = "PORT", default_value_t = 7100)]
    base_port: u16,
    /// File with the DPs' values, one non-negative integer per line (N of them, each below
    /// 2^V; blank lines and `#` comments ignored), written into the DP hosts' directories.
    /// Without it values are drawn (from --seed, or from the OS).
    #[arg(long, value_name = "FILE")]
    values: Option<PathBuf>,
}

#[derive(Args)]
struct NodeArgs {
    /// The deployment directory (from `dsmpc deploy init`).
    #[arg(long, value_name = "DIR")]
    deployment: PathBuf,
    /// Which host of it to run: cloud, edge, cp-V or dps-G.
    #[arg(long, value_name = "NAME")]
    host: String,
    /// Controlled by a parent (`run --net process`): print `ready`, start on a `go` line, stop
    /// when stdin closes, print the report as one JSON line.
    #[arg(long)]
    control: bool,
    /// Write the host's report (JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Seconds to keep dialling a host that is not up yet.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    connect_timeout: u64,
    /// The most this process may run, set-up included: at the bound the host aborts (tells the
    /// Edge, or as the Edge every host), flushes for at most 2 s and exits 1; a watchdog ends
    /// the process 3 s after the bound whatever it is doing.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    max_wall: u64,
    /// Print a line on stderr for every message received: `NAME: recv KIND from PARTY`.
    #[arg(long)]
    trace: bool,
    /// Delay every message by this link profile's latency and jitter (net/profiles.toml)
    /// before it is written (used by --net netns, where the kernel has no netem).
    #[arg(long, value_name = "PROFILE")]
    link: Option<String>,
    /// Listen on the bound socket inherited as file descriptor FD (passed by `run --net
    /// process`, so that no other process can take the port before the host starts) instead
    /// of binding the host's address in deployment.toml.
    #[arg(long, value_name = "FD")]
    listen_fd: Option<i32>,
}

#[derive(Args)]
struct SessionArgs {
    /// Number of data providers n (at most 1,000,000).
    #[arg(long = "dps", value_name = "N", default_value_t = 20)]
    dps: usize,
    /// Number of candidate computing parties m (VIDs 1..=m; at most 1,000).
    #[arg(long = "cps", value_name = "M", default_value_t = 5)]
    cps: usize,
    /// Cloud capacity k: at most this many CPs are selected [default: M].
    #[arg(long, value_name = "K")]
    capacity: Option<usize>,
    /// Threshold t: any t CP results reconstruct (2 <= t <= selected CPs).
    #[arg(long, short = 't', value_name = "T", default_value_t = 3)]
    threshold: usize,
    /// RSA modulus bits for encryption and signatures: 1024 (weak), 2048, 3072 or 4096.
    #[arg(long, value_name = "B", default_value_t = 2048)]
    rsa_bits: u32,
    /// PVSS group bits |p|: 1024 (weak), 2048, 3072 or 4096.
    #[arg(long, value_name = "L", default_value_t = 2048)]
    group_bits: u32,
    /// Big-integer backend: num (pure Rust) or gmp [default: gmp if compiled in, else num].
    #[arg(long, value_name = "num|gmp")]
    backend: Option<BackendKind>,
    /// Cipher suite: rsa (OAEP/PSS, --rsa-bits) or p256 (ECIES + ECDSA, as the reference
    /// prototype).
    #[arg(long, value_name = "rsa|p256", default_value = "rsa")]
    suite: SuiteKind,
    /// Crypto provider of the cipher suite: awslc (aws-lc-rs) or rustcrypto (pure Rust: the
    /// `rsa` crate, `p256`, `aes-gcm`). Same wire format and sizes; RSA-1024 is rustcrypto
    /// only. With a seed, keys are the same with either provider; RSA-OAEP ciphertexts and
    /// RSA-PSS / ECDSA signatures made by awslc use its own randomness (not the seed).
    #[arg(long, value_name = "awslc|rustcrypto", default_value = "awslc")]
    provider: Provider,
    /// How shares are verified: paper (Eq. 4 literally), fast (equivalent, tables), batch
    /// (random linear combination, falls back to per-packet checks), or vss (beyond the paper:
    /// Pedersen commitments checked by every CP and the Edge, agreement on the DPs, verified
    /// aggregation, cheaters named and excluded).
    #[arg(long, value_name = "paper|fast|batch|vss", default_value = "batch")]
    verify: VerifyMode,
    /// Seed for reproducible runs (keys, values, protocol randomness and a fixed protocol
    /// clock); without it everything comes from the operating system.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Bits of each value: values must be below 2^V.
    #[arg(long, value_name = "V", default_value_t = 32)]
    value_bits: u32,
    /// Cloud's freshness window for auth-request timestamps, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    freshness: u64,
    /// The parties' deadlines: selection=MS,shares=MS,round=MS (any of them; defaults
    /// 30000, 120000, 30000). A party that says nothing by its deadline is silent.
    #[arg(long, value_name = "LIST")]
    timeouts: Option<Timeouts>,
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    session: SessionArgs,
    /// Inject a fault (repeatable), for tests and demonstrations. Corrupt parties:
    /// bad-share:dp=D,cp=I, inconsistent-dealing:dp=D, bad-result:cp=I, drop-cp:cp=I,
    /// drop-dp:dp=D,reach=R, bad-signature:cp=I. Network attacks: replay:cp=I (every message to
    /// and from CP I twice), impersonate:dp=D (another DP deals in D's name),
    /// garbage:cp=I (malformed and misattributed messages to CP I), garbage-upload:cp=I
    /// (garbage uploads in CP I's name). CPs are named by VID; with m = k and no refused
    /// candidate, VID I has index i = I.
    #[arg(long = "inject", value_name = "KIND")]
    inject: Vec<Fault>,
    /// File with the DPs' values, one non-negative integer per line (N of them; blank lines and
    /// `#` comments ignored; lines of at most 1,024 bytes). Without it values are drawn at
    /// random.
    #[arg(long, value_name = "FILE")]
    values: Option<PathBuf>,
    /// Write the JSON Lines protocol log here (reference format), through FILE.partial beside
    /// it; only a successful run leaves FILE, a failed one leaves FILE.failed. FILE must be new
    /// or a writable regular file in an existing directory (checked before the run; exit 2).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Threads for the parties of this session: the parties that have messages to handle run
    /// in parallel. Per-party CPU times and the transcript are the same; only the wall time
    /// shrinks. At most 1,024.
    #[arg(long, value_name = "N", default_value_t = 1)]
    threads: usize,
    /// The network: memory (all parties in this process), sim:PROFILE (in this process on a
    /// virtual clock over emulated links: lan, wan, lte, dsrc from net/profiles.toml; each
    /// handling advances its party's clock by its CPU time), or process (every host an OS
    /// process, mutual TLS 1.3 over 127.0.0.1; the Cloud, the Edge and each CP alone, DPs
    /// --dps-per-process to a process), or netns:PROFILE (as root: as process, each host in its
    /// own network namespace on a bridge, bandwidth shaped by tbf, latency applied by the
    /// transport; everything made is removed at the end).
    #[arg(
        long,
        value_name = "memory|sim:PROFILE|process|netns:PROFILE",
        default_value = "memory"
    )]
    net: String,
    /// DPs per process with --net process and netns (and per simulated host with --sim-cores).
    #[arg(long, value_name = "N", default_value_t = 50)]
    dps_per_process: usize,
    /// With --net sim:PROFILE: simulate the hosts as --net process lays them out (the Cloud, the
    /// Edge and each CP alone, DPs --dps-per-process to a host) sharing N cores of one machine,
    /// as process and netns run on this machine (`here`: this machine's cores), and charge the
    /// mutual TLS handshakes and records (their CPU measured here at start-up, two RTTs per
    /// new connection). Without it every party has a machine with one CPU of its own and
    /// messages travel without TLS.
    #[arg(long, value_name = "N|here")]
    sim_cores: Option<String>,
}

#[derive(Args)]
struct ParamsArgs {
    /// Group size: 1024 (weak), 2048, 3072 or 4096.
    #[arg(long, value_name = "L", default_value_t = 2048)]
    group_bits: u32,
    /// Print JSON ({"bits", "p", "q", "r", "g", "h", ...} as hex strings).
    #[arg(long)]
    json: bool,
    /// Also re-check primality and orders (a few seconds at 4096 bits with num).
    #[arg(long)]
    validate: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run(a),
        Command::Params(a) => params(a),
        Command::Deploy(DeployCommand::Init(a)) => deploy_init(a),
        Command::Node(a) => node(a),
    };
    // A run stopped by SIGINT or SIGTERM (it removed what it made) exits 128 + the signal.
    if let Some(sig) = dsmpc_net::process::caught_signal() {
        if let Err(e) = &result {
            eprintln!("error: {e}");
        }
        return ExitCode::from(128 + sig as u8);
    }
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}

impl SessionArgs {
    /// The session these flags describe.
    fn config(&self) -> SessionConfig {
        let backend = self.backend.unwrap_or(if BackendKind::Gmp.is_available() {
            BackendKind::Gmp
        } else {
            BackendKind::Num
        });
        SessionConfig {
            n: self.dps,
            m: self.cps,
            capacity: self.capacity.unwrap_or(self.cps),
            t: self.threshold,
            suite: self.suite,
            provider: self.provider,
            rsa_bits: self.rsa_bits,
            group_bits: self.group_bits,
            backend,
            verify: self.verify,
            seed: self.seed,
            value_bits: self.value_bits,
            freshness_s: self.freshness,
            threads: 1,
            faults: Vec::new(),
        }
    }
}

fn run(a: RunArgs) -> Result<ExitCode, RolesError> {
    let cfg = SessionConfig {
        threads: a.threads,
        faults: a.inject.clone(),
        ..a.session.config()
    };
    cfg.validate()?;
    let timeouts = a.session.timeouts.unwrap_or_default();
    let spec: NetSpec = a.net.parse()?;
    let netns = match &spec {
        NetSpec::Netns(p) => Some(p.clone()),
        _ => None,
    };
    let process = spec.uses_processes();
    let sim = match &spec {
        NetSpec::Sim(p) => {
            let mut sim = SimConfig::named(p, timeouts)?;
            if let Some(c) = &a.sim_cores {
                sim = sim.placed(Placement::measured(a.dps_per_process, sim_cores(c)?)?);
            }
            Some(sim)
        }
        _ => None,
    };
    let memory = dsmpc_roles::net::InMemory(timeouts);
    let net: &dyn dsmpc_roles::net::InProcess = match &sim {
        Some(s) => s,
        None => &memory,
    };
    if a.sim_cores.is_some() && !a.net.starts_with("sim:") {
        return Err(RolesError::Config(format!(
            "--sim-cores works with --net sim:PROFILE only, not --net {}",
            a.net
        )));
    }
    let vals = match &a.values {
        Some(p) => Some(values::read(p, cfg.n, cfg.value_bits)?),
        None => None,
    };
    // The log target is checked (and its `.partial` created) before any work.
    let log = match &a.log {
        Some(p) => Some(JsonlLog::create(p)?),
        None => None,
    };
    let weak = |bits: u32| if bits < 2048 { " (WEAK: comparison only)" } else { "" };
    println!(
        "D-SMPC run: n={} DPs, m={} candidate CPs, capacity k={}, t={}",
        cfg.n, cfg.m, cfg.capacity, cfg.t
    );
    let suite = match cfg.suite {
        SuiteKind::Rsa => format!("RSA-{}{} (OAEP/PSS, SHA-256)", cfg.rsa_bits, weak(cfg.rsa_bits)),
        SuiteKind::P256 => "P-256 (ECIES with AES-256-GCM, ECDSA)".to_string(),
    };
    println!(
        "  suite {suite} by {}, PVSS group {}-bit{}, backend {}{}, verify {}, {}",
        cfg.provider,
        cfg.group_bits,
        weak(cfg.group_bits),
        cfg.backend,
        if cfg.backend == BackendKind::Num {
            " (no constant-time exponentiation)"
        } else {
            ""
        },
        cfg.verify,
        match cfg.seed {
            Some(s) => format!("seed {s}"),
            None => "randomness from the OS".into(),
        }
    );
    if cfg.seed.is_none() {
        eprintln!(
            "generating {} key pairs (pass --seed to reuse cached keys)...",
            1 + 2 * cfg.m
        );
    }
    if !cfg.faults.is_empty() {
        let list: Vec<String> = cfg.faults.iter().map(Fault::to_string).collect();
        println!("  injected faults: {}", list.join(" "));
        let blind = cfg.faults.iter().any(|f| {
            matches!(
                f,
                Fault::InconsistentDealing { .. } | Fault::DropDp { .. } | Fault::BadResult { .. }
            )
        });
        if cfg.verify != VerifyMode::Vss && blind && cfg.m.min(cfg.capacity) <= cfg.t {
            println!(
                "  note: with k = t the paper's protocol cannot notice these faults (no result to cross-check); \
                 the comparison with the plaintext below is the only check (--verify vss detects them)"
            );
        }
    }
    let mut sink = Sink {
        log,
        detections: Vec::new(),
    };
    let mut net_stats = None;
    let outcome = if process {
        let exe = std::env::current_exe()
            .map_err(|e| RolesError::Config(format!("cannot find the dsmpc executable: {e}")))?;
        let opts = ProcessOptions {
            dps_per_host: a.dps_per_process,
            timeouts,
            values: vals.clone(),
            ..ProcessOptions::new(exe)
        };
        let run = match &netns {
            Some(p) => dsmpc_net::netns::run(&cfg, &opts, p)?,
            None => dsmpc_net::process::run(&cfg, &opts)?,
        };
        net_stats = Some(run.stats);
        // The log, from what every host sent (the hosts' clocks, not one clock: times differ
        // from a memory run's, the lines do not).
        for (src, dst, kind, bytes, payload) in dsmpc_net::process::log_lines(&run.hosts) {
            sink.message(&src, &dst, kind, bytes as usize, payload as usize);
        }
        if let Ok(r) = &run.report {
            for p in &r.phases {
                sink.phase(p);
            }
            for d in &r.detections {
                sink.detection(d);
            }
        } else {
            for h in &run.hosts {
                for d in node_report::detections(h).unwrap_or_default() {
                    sink.detection(&d);
                }
            }
        }
        run.report
    } else {
        session::run_on(
            &cfg,
            net,
            vals.as_deref(),
            Some(&mut sink),
            Box::new(dsmpc_roles::net::Honest),
        )
    };
    let report = match outcome {
        Ok(r) => r,
        Err(e) => {
            print_detections(&sink.detections);
            if let Some(l) = sink.log {
                let failed = l.fail(&e.to_string());
                eprintln!("log of the failed run: {}", failed.display());
            }
            return Err(e);
        }
    };
    let log = sink.log;
    let sel: Vec<String> = report.selected.iter().map(|(i, v)| format!("i={i}:VID={v}")).collect();
    println!("  selected CPs: {}", sel.join(" "));
    if !report.not_selected.is_empty() {
        println!("  valid but not selected (capacity): VIDs {:?}", report.not_selected);
    }
    print_detections(&report.detections);
    if !report.excluded.is_empty() {
        let list: Vec<String> = report.excluded.keys().map(|d| format!("DP{d}")).collect();
        println!(
            "  excluded DPs ({}): {}; aggregated {} of {}",
            report.excluded.len(),
            list.join(" "),
            report.aggregated(),
            cfg.n
        );
    }
    println!();
    let n = report.aggregated() as u64;
    if !report.excluded.is_empty() {
        println!("  plaintext, all {} DPs: sum = {}", cfg.n, report.plaintext_sum_all);
    }
    println!(
        "  plaintext      sum = {:<22} average = {}{}",
        report.expected_sum,
        exact_average(&report.expected_sum, n, 6),
        if report.excluded.is_empty() {
            ""
        } else {
            "  (agreed DPs)"
        }
    );
    println!(
        "  reconstructed  sum = {:<22} average = {}",
        report.outcome.sum,
        report.outcome.average(6)
    );
    println!("  check: {}", report.outcome.check);
    println!(
        "  {}",
        if report.matches() {
            "MATCH"
        } else {
            "MISMATCH: the reconstruction differs from the plaintext"
        }
    );
    println!();
    println!(
        "  {:<38} {:>6} {:>12} {:>12} {:>12}  ops",
        "phase", "inst", "work cpu s", "max inst s", "work wall s"
    );
    for p in &report.phases {
        println!(
            "  {:<38} {:>6} {:>12.6} {:>12.6} {:>12.6}  {}",
            p.phase.name(),
            p.instances,
            p.work_cpu_s,
            p.max_cpu_s,
            p.work_wall_s,
            p.ops
        );
    }
    println!("  (set-up, not a phase: {:.3} s)", report.setup_s);
    println!();
    println!(
        "  {:<14} {:>8} {:>12} {:>14} {:>10} {:>12}",
        "message", "count", "bytes", "payload bytes", "each", "each payload"
    );
    for (kind, m) in &report.messages {
        println!(
            "  {:<14} {:>8} {:>12} {:>14} {:>10} {:>12}{}",
            kind.name(),
            m.count,
            m.bytes,
            m.payload_bytes,
            m.max_bytes,
            m.max_payload_bytes,
            if kind.reference_counted() {
                ""
            } else {
                "  (not counted by the reference)"
            }
        );
    }
    if let Some(st) = &net_stats {
        print_net_stats(st);
    } else {
        if let (Some(t), Some(s)) = (&report.timing, &sim) {
            println!();
            let placed = s.placement.map_or("every party on a machine of its own".to_string(), |p| {
                let tls = p.tls.map_or(String::new(), |c| {
                    format!(
                        ";\n  transport CPU as measured here: connection {:.2} ms dialler + {:.2} ms listener, message {:.1} us + {:.2} ns/byte",
                        c.handshake_client_s * 1e3,
                        c.handshake_server_s * 1e3,
                        c.per_message_s * 1e6,
                        c.per_byte_s * 1e9
                    )
                });
                format!(
                    "hosts as --net process lays them out ({} DPs to a host) sharing {} cores{tls}",
                    p.dps_per_host, p.cores
                )
            });
            println!("  simulated on link profile {}, {placed}", s.name);
            println!("  end-to-end (announcement to result) {:.3} s", t.e2e_s);
            for (kind, x) in &t.rounds {
                println!("  round {:<14} first sent to last received {:.3} s", kind.name(), x);
            }
        }
        let digest: String = report.transcript_sha256.iter().map(|b| format!("{b:02x}")).collect();
        println!("  transcript sha256 {digest}");
    }
    if let Some(l) = log {
        let path = if report.matches() {
            l.finish()?
        } else {
            l.fail("reconstruction mismatch")
        };
        println!("  log: {}", path.display());
    }
    Ok(if report.matches() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Passes events to the log, keeping the detections to print even if the run aborts.
struct Sink {
    log: Option<JsonlLog>,
    detections: Vec<Detection>,
}

impl EventSink for Sink {
    fn message(&mut self, src: &str, dst: &str, kind: MessageKind, bytes: usize, payload_bytes: usize) {
        if let Some(l) = self.log.as_mut() {
            l.message(src, dst, kind, bytes, payload_bytes);
        }
    }
    fn phase(&mut self, stats: &PhaseStats) {
        if let Some(l) = self.log.as_mut() {
            l.phase(stats);
        }
    }
    fn detection(&mut self, d: &Detection) {
        if let Some(l) = self.log.as_mut() {
            l.detection(d);
        }
        self.detections.push(d.clone());
    }
}

/// `--sim-cores`: a count from 1 to 1,024, or `here`.
fn sim_cores(s: &str) -> Result<usize, RolesError> {
    if s == "here" {
        return Ok(Placement::cores_here());
    }
    match s.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(RolesError::Config(format!(
            "--sim-cores {s:?}: give a number of cores from 1 to 1024, or `here` for this machine's"
        ))),
    }
}

fn print_net_stats(st: &NetStats) {
    println!();
    println!(
        "  network: {} processes, {} TLS connections; end-to-end (announcement to result) {:.3} s",
        st.hosts, st.connections, st.e2e_s
    );
    println!(
        "  bytes: protocol {}, on TCP (TLS records and handshakes) {} ({:+.1}%)",
        st.protocol_bytes,
        st.tls_bytes,
        if st.protocol_bytes > 0 {
            100.0 * (st.tls_bytes as f64 / st.protocol_bytes as f64 - 1.0)
        } else {
            0.0
        }
    );
    println!(
        "  cpu: parties {:.3} s, processes {:.3} s (TLS, framing and I/O included)",
        st.party_cpu_s, st.process_cpu_s
    );
    for (kind, s) in &st.rounds {
        println!("  round {:<14} first sent to last received {:.3} s", kind.name(), s);
    }
    if let Some(b) = st.interface_bytes {
        println!(
            "  bytes sent on the hosts' interfaces (Ethernet, IP, TCP, TLS): {b}; latency applied by {}",
            st.latency_by.as_deref().unwrap_or("?")
        );
    }
    for (h, cpu, wall) in &st.per_host {
        println!("  host {h:<10} cpu {cpu:.3} s  wall {wall:.3} s");
    }
}

fn deploy_init(a: DeployArgs) -> Result<ExitCode, RolesError> {
    let cfg = a.session.config();
    cfg.validate()?;
    for addr in &a.addrs {
        if addr.parse::<std::net::SocketAddr>().is_ok()
            || (addr.contains(':') && addr.parse::<std::net::IpAddr>().is_err())
        {
            return Err(RolesError::Config(format!(
                "--addr {addr}: give an address without a port (ports are PORT + i: use --base-port PORT)"
            )));
        }
    }
    // Checked (count, range) before anything is written.
    let vals = match &a.values {
        Some(p) => Some(values::read(p, cfg.n, cfg.value_bits)?),
        None => None,
    };
    let layout = Layout {
        dps_per_host: a.dps_per_host,
        addrs: a.addrs.clone(),
        base_port: a.base_port,
        ports: Vec::new(),
    };
    let d = deploy::init_with_values(
        &a.dir,
        &cfg,
        a.session.timeouts.unwrap_or_default(),
        &layout,
        vals.as_deref(),
    )?;
    print!("{}", deploy::describe(&d, &a.dir));
    Ok(ExitCode::SUCCESS)
}

/// `--report FILE` checked before the session: a writable regular file or a new one in an
/// existing, writable directory (a report that cannot be written would otherwise fail only
/// after the session).
fn check_report_target(p: &std::path::Path) -> Result<(), RolesError> {
    let bad = |why: String| RolesError::Config(format!("--report {}: {why}", p.display()));
    if let Ok(m) = std::fs::metadata(p) {
        if !m.is_file() {
            return Err(bad("exists and is not a regular file".into()));
        }
        return std::fs::OpenOptions::new()
            .append(true)
            .open(p)
            .map(drop)
            .map_err(|e| bad(format!("cannot be written: {e}")));
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !parent.is_dir() {
        return Err(bad(format!(
            "the directory {} does not exist: make it first",
            parent.display()
        )));
    }
    let probe = tempfile::Builder::new().prefix(".dsmpc-report-").tempfile_in(parent);
    probe
        .map(drop)
        .map_err(|e| bad(format!("cannot write into {}: {e}", parent.display())))
}

fn node(a: NodeArgs) -> Result<ExitCode, RolesError> {
    let started = std::time::Instant::now();
    let max_wall = std::time::Duration::from_secs(a.max_wall);
    node_watchdog(max_wall);
    if let Some(p) = &a.report {
        check_report_target(p)?;
    }
    let d = Deployment::load(&a.deployment)?;
    let host = d.host(&a.host)?.clone();
    // This host's own keys (hosts/NAME/) and everyone's public keys (roster.toml); nothing else.
    let hosted = deploy::hosted(&a.deployment, &d, &host)?;
    let opts = NodeOptions {
        dir: a.deployment.clone(),
        host: a.host.clone(),
        control: a.control,
        connect_timeout: std::time::Duration::from_secs(a.connect_timeout),
        max_wall: max_wall.saturating_sub(started.elapsed()),
        trace: a.trace,
        link: a.link.as_deref().map(dsmpc_net::link::profile).transpose()?,
        listen_fd: a.listen_fd,
    };
    let r = node::run_node(&opts, &d, hosted.digest, hosted.parties, hosted.setup_s)?;
    let json = serde_json::to_string(&r).map_err(|e| RolesError::Config(e.to_string()))?;
    if let Some(p) = &a.report {
        std::fs::write(p, &json).map_err(|e| RolesError::Config(format!("cannot write {}: {e}", p.display())))?;
    }
    let text = if a.control {
        format!("report {json}\n")
    } else {
        node_summary(&r)?
    };
    // A closed stdout (the reader went away) is no reason to panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    Ok(match (&r.failed, r.signal) {
        (_, Some(2)) => ExitCode::from(130),
        (_, Some(15)) => ExitCode::from(143),
        (Some(f), _) => {
            eprintln!("error: {f}");
            ExitCode::from(1)
        }
        (None, _) => ExitCode::SUCCESS,
    })
}

/// End the process 3 s after `max_wall` whatever it is doing (a hard bound: set-up, a stuck
/// flush or a slow peer cannot stretch it).
fn node_watchdog(max_wall: std::time::Duration) {
    let Some(bound) = max_wall.checked_add(std::time::Duration::from_secs(3)) else {
        return;
    };
    std::thread::spawn(move || {
        std::thread::sleep(bound);
        eprintln!(
            "error: --max-wall {} s reached and the host did not stop: exiting",
            max_wall.as_secs()
        );
        std::process::exit(1);
    });
}

/// What `dsmpc node` prints without `--control`: how the session ended, what was detected and
/// refused (every peer's text escaped), and the result only where this host's Edge gave it.
fn node_summary(r: &node_report::NodeReport) -> Result<String, RolesError> {
    use std::fmt::Write as _;
    let esc = dsmpc_net::frame::escaped;
    let mut s = String::new();
    let _ = writeln!(s, "host {}: {}", r.host, r.ended);
    for d in node_report::detections(r).map_err(RolesError::Config)? {
        let _ = writeln!(s, "  detected: {}", esc(&d.to_string()));
    }
    for x in &r.refused {
        let _ = writeln!(s, "  refused {}: {}", esc(&x.peer), esc(&x.reason));
    }
    for (peer, n) in &r.refused_more {
        let _ = writeln!(s, "  refused {}: {n} more (counted, not kept)", esc(peer));
    }
    for x in &r.unreachable {
        let _ = writeln!(s, "  unreachable {}: {}", esc(&x.peer), esc(&x.reason));
    }
    if let Some(o) = node_report::outcome(r) {
        // No host knows the DPs' values but their own hosts: compare with the sum of the
        // hosts/dps-*/values files where the deployment was made.
        let _ = writeln!(s, "  sum = {}  average = {}  ({})", o.sum, o.average(6), o.check);
    }
    let _ = writeln!(
        s,
        "  cpu {:.3} s, wall {:.3} s, TLS bytes out {} in {}, connections out {} in {}",
        r.process_cpu_s, r.wall_s, r.tls_bytes_out, r.tls_bytes_in, r.connections_out, r.connections_in
    );
    Ok(s)
}

fn print_detections(detections: &[Detection]) {
    if detections.is_empty() {
        return;
    }
    println!("  detected ({}):", detections.len());
    for d in detections {
        println!("    {d}");
    }
}

fn params(a: ParamsArgs) -> Result<ExitCode, RolesError> {
    let p = GroupParams::get(a.group_bits)?;
    let g = SchnorrGroup::<Num>::standard(a.group_bits)?;
    if a.validate {
        g.validate()?;
    }
    let hex = |x: &<Num as Backend>::Int| Num::to_hex(x);
    if a.json {
        let v = serde_json::json!({
            "bits": p.bits,
            "weak": p.is_weak(),
            "seed": dsmpc_core::group::derive::SEED,
            "p": hex(g.p()), "q": hex(g.q()), "r": hex(g.r()), "g": hex(g.g()), "h": hex(g.h()),
            "r_steps": p.r_steps, "g_ctr": p.g_ctr, "h_ctr": p.h_ctr,
            "validated": a.validate,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!(
            "Schnorr group, |p| = {} bits{}",
            p.bits,
            if p.is_weak() { " (WEAK: comparison only)" } else { "" }
        );
        println!(
            "p = 2qr + 1, derived from the seed {:?} (see dsmpc_core::group::derive)",
            dsmpc_core::group::derive::SEED
        );
        for (name, x) in [("p", g.p()), ("q", g.q()), ("r", g.r()), ("g", g.g()), ("h", g.h())] {
            println!("{name} = {}", hex(x));
        }
        if a.validate {
            println!("validated: p, q, r prime; p = 2qr + 1; g^q = h^q = 1; g, h != 1; g != h");
        }
        println!("supported sizes: {SUPPORTED_BITS:?}");
    }
    Ok(ExitCode::SUCCESS)
}
