//! `dsmpc`: run one D-SMPC session, or print the shipped group parameters.
//!
//! `dsmpc run` prints the plaintext and reconstructed sum and average, the per-phase table and
//! the bytes per message kind, writes the JSON Lines log if asked, and exits 0 only when the
//! reconstruction matches. `dsmpc params` prints p, q, g, h of a group. Exit codes: 0 success,
//! 1 the run failed or the result did not match (a protocol outcome such as too few CPs
//! selected, whatever caused it), 2 bad command line or input (sizes beyond the limits, a bad
//! values file, a log target that is not a new or writable regular file: all checked before
//! the run, leaving nothing written).
//!
//! `--inject KIND` (repeatable) makes parties misbehave (see `dsmpc_roles::adversary`); the output
//! then lists what was detected and which DPs were excluded, and the exit code is 0 exactly
//! when the result equals the plaintext sum over the DPs aggregated.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use dsmpc_core::backend::{Backend, BackendKind, Num};
use dsmpc_core::group::{SUPPORTED_BITS, SchnorrGroup, params::GroupParams};
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::event::Detection;
use dsmpc_roles::log::{EventSink, JsonlLog};
use dsmpc_roles::metrics::PhaseStats;
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
}

#[derive(Args)]
struct RunArgs {
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
    /// Inject a fault (repeatable), for tests and demonstrations. Corrupt parties:
    /// bad-share:dp=D,cp=I, inconsistent-dealing:dp=D, bad-result:cp=I, drop-cp:cp=I,
    /// drop-dp:dp=D,reach=R, bad-signature:cp=I. Network attacks: replay:cp=I (every message to
    /// and from CP I twice), impersonate:dp=D (another DP deals in D's name),
    /// garbage:cp=I (malformed and misattributed messages to CP I), garbage-upload:cp=I
    /// (garbage uploads in CP I's name). CPs are named by VID; with m = k and no refused
    /// candidate, VID I has index i = I.
    #[arg(long = "inject", value_name = "KIND")]
    inject: Vec<Fault>,
    /// Seed for reproducible runs (keys, values, protocol randomness and a fixed protocol
    /// clock); without it everything comes from the operating system.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// File with the DPs' values, one non-negative integer per line (N of them; blank lines and
    /// `#` comments ignored; lines of at most 1,024 bytes). Without it values are drawn at
    /// random.
    #[arg(long, value_name = "FILE")]
    values: Option<PathBuf>,
    /// Bits of each value: values must be below 2^V.
    #[arg(long, value_name = "V", default_value_t = 32)]
    value_bits: u32,
    /// Write the JSON Lines protocol log here (reference format), through FILE.partial beside
    /// it; only a successful run leaves FILE, a failed one leaves FILE.failed. FILE must be new
    /// or a writable regular file in an existing directory (checked before the run; exit 2).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Cloud's freshness window for auth-request timestamps, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    freshness: u64,
    /// Threads for the parties of this session: the parties that have messages to handle run
    /// in parallel. Per-party CPU times and the transcript are the same; only the wall time
    /// shrinks. At most 1,024.
    #[arg(long, value_name = "N", default_value_t = 1)]
    threads: usize,
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
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}

fn run(a: RunArgs) -> Result<ExitCode, RolesError> {
    let backend = a.backend.unwrap_or(if BackendKind::Gmp.is_available() {
        BackendKind::Gmp
    } else {
        BackendKind::Num
    });
    let cfg = SessionConfig {
        n: a.dps,
        m: a.cps,
        capacity: a.capacity.unwrap_or(a.cps),
        t: a.threshold,
        suite: a.suite,
        provider: a.provider,
        rsa_bits: a.rsa_bits,
        group_bits: a.group_bits,
        backend,
        verify: a.verify,
        seed: a.seed,
        value_bits: a.value_bits,
        freshness_s: a.freshness,
        threads: a.threads,
        faults: a.inject.clone(),
    };
    cfg.validate()?;
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
    let outcome = session::run(&cfg, vals.as_deref(), Some(&mut sink));
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
    let digest: String = report.transcript_sha256.iter().map(|b| format!("{b:02x}")).collect();
    println!("  transcript sha256 {digest}");
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
