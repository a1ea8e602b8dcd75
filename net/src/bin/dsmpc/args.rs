//! The command line: `run`, `params`, `deploy init` and `node`, their flags (clap), and the
//! session configuration the session flags describe.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::sim::Placement;
use dsmpc_roles::adversary::Fault;
use dsmpc_roles::func::Func;
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::{RolesError, SessionConfig};

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
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
pub(crate) enum DeployCommand {
    /// Write a new deployment into DIR (which must not hold one). Keys and values come from the
    /// operating system; with --seed they derive from the seed instead (reproducible, for
    /// experiments only: anyone with the seed can derive every key).
    Init(DeployArgs),
}

#[derive(Args)]
pub(crate) struct DeployArgs {
    /// The directory to write.
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    /// DPs per `dps-G` host (a fleet behind one link).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub(crate) dps_per_host: usize,
    /// Address of every host (one for all, or one per host in the order cloud, edge, cp-1..,
    /// dps-1..); edit deployment.toml afterwards to move hosts.
    #[arg(long = "addr", value_name = "IP", default_value = "127.0.0.1")]
    pub(crate) addrs: Vec<String>,
    /// Port of the first host; host i listens on PORT + i.
    #[arg(long, value_name = "PORT", default_value_t = 7100)]
    pub(crate) base_port: u16,
    /// File with the DPs' values, one line per DP (N lines; blank lines and `#` comments
    /// ignored): one non-negative integer below 2^V, or with --func / --dim D values separated
    /// by commas or blanks (a bucket index for histogram:B, decimals for vector-sum and
    /// vector-mean). Each DP host's lines are written into its directory. Without it values
    /// are drawn (from --seed, or from the OS).
    #[arg(long, value_name = "FILE")]
    pub(crate) values: Option<PathBuf>,
}

#[derive(Args)]
pub(crate) struct NodeArgs {
    /// The deployment directory (from `dsmpc deploy init`).
    #[arg(long, value_name = "DIR")]
    pub(crate) deployment: PathBuf,
    /// Which host of it to run: cloud, edge, cp-V or dps-G.
    #[arg(long, value_name = "NAME")]
    pub(crate) host: String,
    /// Controlled by a parent (`run --net process`): print `ready`, start on a `go` line, stop
    /// when stdin closes, print the report as one JSON line.
    #[arg(long)]
    pub(crate) control: bool,
    /// Write the host's report (JSON) to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) report: Option<PathBuf>,
    /// Seconds to keep dialling a host that is not up yet.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) connect_timeout: u64,
    /// The most this process may run, set-up included: at the bound the host aborts (tells the
    /// Edge, or as the Edge every host), flushes for at most 2 s and exits 1; a watchdog ends
    /// the process 3 s after the bound whatever it is doing.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub(crate) max_wall: u64,
    /// Print a line on stderr for every message received: `NAME: recv KIND from PARTY`.
    #[arg(long)]
    pub(crate) trace: bool,
    /// Delay every message by this link profile's latency and jitter (net/profiles.toml)
    /// before it is written (used by --net netns, where the kernel has no netem).
    #[arg(long, value_name = "PROFILE")]
    pub(crate) link: Option<String>,
    /// Listen on the bound socket inherited as file descriptor FD (passed by `run --net
    /// process`, so that no other process can take the port before the host starts) instead
    /// of binding the host's address in deployment.toml.
    #[arg(long, value_name = "FD")]
    pub(crate) listen_fd: Option<i32>,
    /// Make this host's parties misbehave (repeatable; tests and demonstrations): the faults
    /// of `dsmpc run --inject` that act at a party's own end (bad-share, inconsistent-dealing,
    /// bad-result, drop-cp, drop-dp, bad-signature, vector-length, truncated-aead), each played
    /// by the host of its party. `run --net process --inject` passes them to every host.
    #[arg(long = "inject", value_name = "KIND")]
    pub(crate) inject: Vec<Fault>,
}

#[derive(Args)]
pub(crate) struct SessionArgs {
    /// Number of data providers n (at most 1,000,000).
    #[arg(long = "dps", value_name = "N", default_value_t = 20)]
    pub(crate) dps: usize,
    /// Number of candidate computing parties m (VIDs 1..=m; at most 1,000).
    #[arg(long = "cps", value_name = "M", default_value_t = 5)]
    pub(crate) cps: usize,
    /// Cloud capacity k: at most this many CPs are selected [default: M].
    #[arg(long, value_name = "K")]
    pub(crate) capacity: Option<usize>,
    /// Threshold t: any t CP results reconstruct (2 <= t <= selected CPs).
    #[arg(long, short = 't', value_name = "T", default_value_t = 3)]
    pub(crate) threshold: usize,
    /// RSA modulus bits for encryption and signatures: 1024 (weak), 2048, 3072 or 4096.
    #[arg(long, value_name = "B", default_value_t = 2048)]
    pub(crate) rsa_bits: u32,
    /// The group of PVSS and VSS: schnorr-1024 (weak), schnorr-2048, schnorr-3072,
    /// schnorr-4096 (Schnorr groups over the big-integer backend) or ristretto255 (the
    /// curve group, RFC 9496; the backend does not apply) [default: schnorr-2048].
    #[arg(long, value_name = "GROUP", conflicts_with = "group_bits")]
    pub(crate) group: Option<GroupKind>,
    /// Another spelling of `--group schnorr-L`: the Schnorr group with an L-bit p (1024
    /// (weak), 2048, 3072 or 4096).
    #[arg(long, value_name = "L")]
    pub(crate) group_bits: Option<u32>,
    /// Big-integer backend of the Schnorr groups: num (pure Rust) or gmp [default: gmp if
    /// compiled in, else num]. Not with `--group ristretto255`.
    #[arg(long, value_name = "num|gmp")]
    pub(crate) backend: Option<BackendKind>,
    /// Cipher suite: rsa (OAEP/PSS, --rsa-bits), p256 (ECIES + ECDSA, as the reference
    /// prototype) or x25519 (X25519 ECIES + Ed25519).
    #[arg(long, value_name = "rsa|p256|x25519", default_value = "rsa")]
    pub(crate) suite: SuiteKind,
    /// Crypto provider of the cipher suite: awslc (aws-lc-rs) or rustcrypto (pure Rust: the
    /// `rsa` crate, `p256`, x25519-dalek, ed25519-dalek, `aes-gcm`). Same wire format and
    /// sizes; RSA-1024 is rustcrypto only. With a seed, keys are the same with either
    /// provider; RSA-OAEP ciphertexts and RSA-PSS / ECDSA signatures made by awslc use its own
    /// randomness (not the seed); x25519 gives the same bytes with either.
    #[arg(long, value_name = "awslc|rustcrypto", default_value = "awslc")]
    pub(crate) provider: Provider,
    /// How shares are verified: paper (Eq. 4 literally), fast (equivalent, tables), batch
    /// (random linear combination, falls back to per-packet checks), or vss (beyond the paper:
    /// Pedersen commitments checked by every CP and the Edge, agreement on the DPs, verified
    /// aggregation, cheaters named and excluded).
    #[arg(long, value_name = "paper|fast|batch|vss", default_value = "batch")]
    pub(crate) verify: VerifyMode,
    /// Seed for reproducible runs (keys, values, protocol randomness and a fixed protocol
    /// clock); without it everything comes from the operating system.
    #[arg(long, value_name = "S")]
    pub(crate) seed: Option<u64>,
    /// Bits of each value: values must be below 2^V (each element of a vector input; with
    /// vector-sum and vector-mean, signed fixed-point values scaled by 2^F in [-2^(V-1),
    /// 2^(V-1)), the sign included).
    #[arg(long, value_name = "V", default_value_t = 32)]
    pub(crate) value_bits: u32,
    /// The function the Edge computes: sum (sum and average, the paper's), mean, histogram:B
    /// (each DP gives one bucket of B; --dim is not used), meanvar (mean and variance per
    /// coordinate), vector-sum, vector-mean (signed fixed-point inputs, --frac-bits). Anything
    /// but sum or mean of one value is dealt as vectors in GF(2^64 - 2^32 + 1) (paper, fast and
    /// batch; every network and deployments).
    #[arg(long, value_name = "FUNC", default_value = "sum")]
    pub(crate) func: Func,
    /// Elements of each DP's input (1: one value, the paper's case).
    #[arg(long, value_name = "D", default_value_t = 1)]
    pub(crate) dim: usize,
    /// Fraction bits of vector-sum and vector-mean inputs: a value v is dealt as round(v 2^F).
    #[arg(long, value_name = "F", default_value_t = 0)]
    pub(crate) frac_bits: u32,
    /// Cloud's freshness window for auth-request timestamps, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub(crate) freshness: u64,
    /// The parties' deadlines: selection=MS,shares=MS,round=MS (any of them; defaults
    /// 30000, 120000, 30000). A party that says nothing by its deadline is silent.
    #[arg(long, value_name = "LIST")]
    pub(crate) timeouts: Option<Timeouts>,
}

#[derive(Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    /// Inject a fault (repeatable), for tests and demonstrations. Corrupt parties:
    /// bad-share:dp=D,cp=I, inconsistent-dealing:dp=D, bad-result:cp=I, drop-cp:cp=I,
    /// drop-dp:dp=D,reach=R, bad-signature:cp=I. Network attacks: replay:cp=I (every message to
    /// and from CP I twice), impersonate:dp=D (another DP deals in D's name),
    /// garbage:cp=I (malformed and misattributed messages to CP I), garbage-upload:cp=I
    /// (garbage uploads in CP I's name). CPs are named by VID; with m = k and no refused
    /// candidate, VID I has index i = I.
    #[arg(long = "inject", value_name = "KIND")]
    pub(crate) inject: Vec<Fault>,
    /// File with the DPs' values, one non-negative integer per line (N of them; blank lines and
    /// `#` comments ignored; lines of at most 1,024 bytes). Without it values are drawn at
    /// random.
    #[arg(long, value_name = "FILE")]
    pub(crate) values: Option<PathBuf>,
    /// Write the function's whole result here as CSV (every coordinate or bucket: for long
    /// vectors the terminal shows the first and last few). Checked before the run.
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Write the JSON Lines protocol log here (reference format), through FILE.partial beside
    /// it; only a successful run leaves FILE, a failed one leaves FILE.failed. FILE must be new
    /// or a writable regular file in an existing directory (checked before the run; exit 2).
    #[arg(long, value_name = "FILE")]
    pub(crate) log: Option<PathBuf>,
    /// Threads for the parties of this session: the parties that have messages to handle run
    /// in parallel. Per-party CPU times and the transcript are the same; only the wall time
    /// shrinks. At most 1,024.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(crate) threads: usize,
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
    pub(crate) net: String,
    /// DPs per process with --net process and netns (and per simulated host with --sim-cores).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub(crate) dps_per_process: usize,
    /// With --net sim:PROFILE: simulate the hosts as --net process lays them out (the Cloud, the
    /// Edge and each CP alone, DPs --dps-per-process to a host) sharing N cores of one machine,
    /// as process and netns run on this machine (`here`: this machine's cores), and charge the
    /// mutual TLS handshakes and records (their CPU measured here at start-up, two RTTs per
    /// new connection). Without it every party has a machine with one CPU of its own and
    /// messages travel without TLS.
    #[arg(long, value_name = "N|here")]
    pub(crate) sim_cores: Option<String>,
}

#[derive(Args)]
pub(crate) struct ParamsArgs {
    /// Group size: 1024 (weak), 2048, 3072 or 4096.
    #[arg(long, value_name = "L", default_value_t = 2048)]
    pub(crate) group_bits: u32,
    /// Print JSON ({"bits", "p", "q", "r", "g", "h", ...} as hex strings).
    #[arg(long)]
    pub(crate) json: bool,
    /// Also re-check primality and orders (a few seconds at 4096 bits with num).
    #[arg(long)]
    pub(crate) validate: bool,
}

impl SessionArgs {
    /// The session these flags describe; an error for flags that contradict each other.
    pub(crate) fn config(&self) -> Result<SessionConfig, RolesError> {
        let group = match (self.group, self.group_bits) {
            (Some(g), _) => g,
            (None, Some(bits)) => GroupKind::Schnorr(bits),
            (None, None) => GroupKind::Schnorr(2048),
        };
        if let (GroupKind::Ristretto255, Some(b)) = (group, self.backend) {
            return Err(RolesError::Config(format!(
                "--backend {b} with --group ristretto255: the backend serves the Schnorr groups only; drop --backend"
            )));
        }
        let backend = self.backend.unwrap_or(if BackendKind::Gmp.is_available() {
            BackendKind::Gmp
        } else {
            BackendKind::Num
        });
        Ok(SessionConfig {
            n: self.dps,
            m: self.cps,
            capacity: self.capacity.unwrap_or(self.cps),
            t: self.threshold,
            suite: self.suite,
            provider: self.provider,
            rsa_bits: self.rsa_bits,
            group,
            backend,
            verify: self.verify,
            seed: self.seed,
            value_bits: self.value_bits,
            func: self.func,
            dim: self.dim,
            frac_bits: self.frac_bits,
            freshness_s: self.freshness,
            threads: 1,
            faults: Vec::new(),
        })
    }
}

/// `--sim-cores`: a count from 1 to 1,024, or `here`.
pub(crate) fn sim_cores(s: &str) -> Result<usize, RolesError> {
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
