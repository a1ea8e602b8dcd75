//! `dsmpc-ct-probe`: one secret-dependent group operation, alone, for callgrind to count.
//!
//! The constant-time evidence of `perf/tests/constant_time.rs` runs this binary under
//! `valgrind --tool=callgrind --toggle-collect=dsmpc_ct_probe_measured` once per secret and
//! compares the instruction counts: a constant-time path counts the same for every secret.
//!
//! Everything that is not the operation happens outside the measured function
//! ([`dsmpc_ct_probe_measured`], `#[inline(never)]` and unmangled so callgrind finds it by
//! name): parsing, the group and its fixed-base tables, the public key and its table, and one
//! warm-up run of the same operation on another secret (so lazily built tables and per-thread
//! Montgomery contexts exist before the measurement). The result is printed (the element's
//! encoding in hex) after the measurement.
//!
//! ```text
//! dsmpc-ct-probe [--group schnorr-1024] [--backend num|gmp] OP SECRET
//! ```

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use dsmpc_core::backend::{Backend, BackendKind};
use dsmpc_core::dispatch_backend;
use dsmpc_core::field::Zq;
use dsmpc_core::group::{GroupKind, PrimeOrderGroup, Ristretto255, Scalar, SchnorrGroup};

/// One secret-dependent group operation inside `dsmpc_ct_probe_measured`, for callgrind's
/// `--toggle-collect=dsmpc_ct_probe_measured` to count alone.
///
/// Set-up (the group, its tables, a public key and its table) and one warm-up run on another
/// secret happen before the measured call; the result's encoding is printed in hex after it.
///
/// SECRET is one of: zero, one, two, q-1, ones (bits(q)-1 one bits), alternating (0x55.. over
/// bits(q)-1 bits), low-hw (three bits set, the top one at bits(q)-2), high-hw (ones with three
/// bits cleared), small (0xffff), random:SEED (uniform mod q from a seed), hex:HEX (below q).
#[derive(Parser, Debug)]
#[command(name = "dsmpc-ct-probe", version, about, long_about)]
struct Cli {
    /// The group: schnorr-1024, schnorr-2048, schnorr-3072, schnorr-4096 or ristretto255.
    #[arg(long, default_value = "schnorr-1024")]
    group: String,
    /// The big-integer backend of the scalars (num, gmp).
    #[arg(long, default_value = "num")]
    backend: String,
    /// The operation to measure.
    #[arg(value_enum)]
    op: Op,
    /// The secret scalar (see above).
    secret: String,
}

/// The measured operations; `vartime_*` are the variable-time controls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
enum Op {
    /// `k * g` from g's fixed-base table (constant-time lookups).
    MulG,
    /// `k * h` from h's fixed-base table (constant-time lookups).
    MulH,
    /// `k * pk` from a public key's fixed-base table (constant-time lookups).
    MulTable,
    /// `k * g + k * h` (a Pedersen commitment, both scalars the secret).
    Commit,
    /// `k * pk` on the variable-base secret path (`pow_mod_secret` in a Schnorr group,
    /// curve25519-dalek's constant-time multiplication on ristretto255).
    MulSecret,
    /// Control: `k * h` from h's table on the variable-time path (public scalars only; on
    /// ristretto255 the same constant-time table as `mul_h`).
    VartimeMulH,
    /// Control: `k * pk` on the variable-time variable-base path (public scalars only).
    VartimeMul,
}

/// The one function callgrind counts (`--toggle-collect=dsmpc_ct_probe_measured`): it runs `f`,
/// the measured operation, and nothing else.
#[inline(never)]
#[unsafe(no_mangle)]
fn dsmpc_ct_probe_measured(f: &mut dyn FnMut()) {
    f();
}

/// The named secrets, each computed from q by [`named`].
const NAMED: [&str; 9] = [
    "zero",
    "one",
    "two",
    "q-1",
    "ones",
    "alternating",
    "low-hw",
    "high-hw",
    "small",
];

/// The scalar a name of [`NAMED`] stands for (not reduced: every one is below q).
fn named<B: Backend>(q: &B::Int, name: &str) -> B::Int {
    let top = B::bits(q) - 1;
    let pow2 = |k: u64| B::pow_mod(&B::from_u64(2), &B::from_u64(k), &B::add(q, q));
    let ones = B::sub(&pow2(top), &B::from_u64(1));
    let bits = |ks: &[u64]| ks.iter().fold(B::from_u64(0), |acc, &k| B::add(&acc, &pow2(k)));
    match name {
        "one" => B::from_u64(1),
        "two" => B::from_u64(2),
        "q-1" => B::sub(q, &B::from_u64(1)),
        "ones" => ones,
        "alternating" => bits(&(0..top).step_by(2).collect::<Vec<_>>()),
        "low-hw" => bits(&[top - 1, 100, 0]),
        "high-hw" => B::sub(&ones, &bits(&[top - 2, 77, 3])),
        "small" => B::from_u64(0xffff),
        _ => B::from_u64(0),
    }
}

/// Every named secret and the one a `random:SEED` or `hex:HEX` argument gives (`random:0` for a
/// named one), with the index of the one SECRET names. All are made whichever is asked for,
/// and none is copied afterwards, so the heap is in the same state when the measured operation
/// starts (its allocations would otherwise take different paths through malloc).
fn secrets<B: Backend>(zq: &Zq<B>, arg: &str) -> Result<(Vec<B::Int>, usize), String> {
    let extra = if let Some(seed) = arg.strip_prefix("random:") {
        let seed = seed.parse::<u64>().map_err(|e| format!("random:SEED: {e}"))?;
        zq.random(&mut dsmpc_core::rng::seeded(seed, "dsmpc-ct-probe"))
    } else if let Some(hex) = arg.strip_prefix("hex:") {
        B::from_hex(hex).map_err(|e| format!("hex:HEX: {e}"))?
    } else {
        zq.random(&mut dsmpc_core::rng::seeded(0, "dsmpc-ct-probe"))
    };
    let at = match NAMED.iter().position(|n| *n == arg) {
        Some(at) => at,
        None if arg.starts_with("random:") || arg.starts_with("hex:") => NAMED.len(),
        None => return Err(format!("unknown secret {arg:?} (see --help)")),
    };
    let mut all = Vec::with_capacity(NAMED.len() + 1);
    for x in NAMED.iter().map(|n| named::<B>(zq.modulus(), n)).chain([extra]) {
        all.push(zq.check(x, "secret").map_err(|e| e.to_string())?);
    }
    Ok((all, at))
}

/// Set up, warm up, measure `op` on `secret` once, and print the result.
fn probe<G: PrimeOrderGroup>(group: &G, op: Op, secret_name: &str) -> Result<(), String> {
    let zq = group.zq();
    let (all, at) = secrets::<G::Backend>(zq, secret_name)?;
    let k = &all[at];
    let warm = zq.random(&mut dsmpc_core::rng::seeded(1, "dsmpc-ct-probe"));
    let pk = group.mul_secret_uncounted(group.g(), &zq.random(&mut dsmpc_core::rng::seeded(2, "dsmpc-ct-probe")));
    let table = group.table(&pk);
    let run = |k: &Scalar<G>| -> G::Element {
        match op {
            Op::MulG => group.mul_g(k),
            Op::MulH => group.mul_h(k),
            Op::MulTable => group.mul_table(&table, k),
            Op::Commit => group.commit(k, k),
            Op::MulSecret => group.mul_secret(&pk, k),
            Op::VartimeMulH => group.vartime_mul_h(k),
            Op::VartimeMul => group.vartime_mul(&pk, k),
        }
    };
    drop(std::hint::black_box(run(&warm)));
    let mut out = None;
    dsmpc_ct_probe_measured(&mut || out = Some(run(std::hint::black_box(k))));
    let out = out.ok_or("the measured operation did not run")?;
    let hex: String = group.encode_element(&out).iter().map(|b| format!("{b:02x}")).collect();
    println!("{hex}");
    Ok(())
}

/// Dispatch the group and the backend named on the command line.
fn run(cli: &Cli) -> Result<(), String> {
    let kind: BackendKind = cli.backend.parse().map_err(|e| format!("{e}"))?;
    let group: GroupKind = cli.group.parse()?;
    dispatch_backend!(kind, B => match group {
        GroupKind::Schnorr(bits) => {
            let g = SchnorrGroup::<B>::standard(bits).map_err(|e| e.to_string())?;
            probe(&g, cli.op, &cli.secret)
        }
        GroupKind::Ristretto255 => probe(&Ristretto255::<B>::new(), cli.op, &cli.secret),
    })
    .map_err(|e| e.to_string())?
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dsmpc-ct-probe: {e}");
            ExitCode::from(2)
        }
    }
}
