//! What defines a session: [`SessionConfig`] (sizes, threshold, suite, provider, backend,
//! verification mode, seed, faults), its limits and [`SessionConfig::validate`], which refuses a
//! configuration that cannot work before anything is built.

use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng::RngSource;
use num_bigint::BigUint;

use crate::adversary::Fault;
use crate::error::{Result, RolesError};
use crate::func::{Func, FuncSpec};
use crate::suite::{Provider, SuiteKind};
use crate::values;

/// The most DPs a session takes (`--dps`): checked by [`SessionConfig::validate`] before
/// anything is allocated (each DP is a party with its own state and messages in flight).
pub const MAX_DPS: usize = 1_000_000;
/// The most candidate CPs and the largest capacity a session takes (`--cps`, `--capacity`):
/// each candidate needs two key pairs, and a roster of k entries must stay below
/// [`crate::wire::MAX_MESSAGE_LEN`].
pub const MAX_CPS: usize = 1_000;
/// The most threads a session runs its parties on (`--threads`).
pub const MAX_THREADS: usize = 1_024;

/// Everything that defines a run.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionConfig {
    /// Number of data providers n.
    pub n: usize,
    /// Number of candidate CPs m (VIDs 1..=m, all registered).
    pub m: usize,
    /// Cloud capacity k (at most k CPs selected).
    pub capacity: usize,
    /// Threshold t.
    pub t: usize,
    /// Cipher suite.
    pub suite: SuiteKind,
    /// Which implementation of the cipher suite (same wire format and sizes). The default
    /// configuration keeps `rustcrypto`, whose transcript a seed fixes byte for byte (library
    /// users and tests); `dsmpc run` and the sweep presets default to `awslc`.
    pub provider: Provider,
    /// RSA modulus bits.
    pub rsa_bits: u32,
    /// The group of PVSS and VSS (`schnorr-2048`, `ristretto255`, ...).
    pub group: GroupKind,
    /// Big-integer backend.
    pub backend: BackendKind,
    /// Verification mode.
    pub verify: VerifyMode,
    /// Seed for reproducible runs; `None`: OS randomness.
    pub seed: Option<u64>,
    /// Bits of each DP value (of each element of a vector input; with `vector-sum` and
    /// `vector-mean` the sign included).
    pub value_bits: u32,
    /// The function aggregated (`--func`): `sum` (the default: sum and average), `mean`,
    /// `histogram:B`, `meanvar`, `vector-sum`, `vector-mean` ([`crate::func`]).
    pub func: Func,
    /// Elements of each DP's input (`--dim`, 1 by default: the paper's one value).
    pub dim: usize,
    /// Fraction bits of the fixed-point inputs of `vector-sum` and `vector-mean`.
    pub frac_bits: u32,
    /// Cloud's freshness window for auth timestamps, seconds.
    pub freshness_s: u64,
    /// Threads for party instances within this one session (DPs in parallel, then CPs in
    /// parallel, chunk by chunk). Per-instance CPU times are unaffected; only wall time
    /// shrinks. 1 runs everything on the calling thread.
    pub threads: usize,
    /// Faults to inject (tests and demonstrations); empty for an honest run.
    pub faults: Vec<Fault>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            n: 20,
            m: 5,
            capacity: 5,
            t: 3,
            suite: SuiteKind::Rsa,
            provider: Provider::RustCrypto,
            rsa_bits: 2048,
            group: GroupKind::Schnorr(2048),
            backend: BackendKind::Num,
            verify: VerifyMode::Batch,
            seed: Some(1),
            value_bits: 32,
            func: Func::Sum,
            dim: 1,
            frac_bits: 0,
            freshness_s: 300,
            threads: 1,
            faults: Vec::new(),
        }
    }
}

impl SessionConfig {
    /// Where randomness comes from.
    pub fn rng_source(&self) -> RngSource {
        self.seed.map_or(RngSource::Os, RngSource::Seed)
    }

    /// The function, its dimension and bits, as [`crate::func`] takes them.
    pub fn func_spec(&self) -> FuncSpec {
        FuncSpec {
            func: self.func,
            dim: self.dim,
            value_bits: self.value_bits,
            frac_bits: self.frac_bits,
        }
    }

    /// Whether DPs deal vectors in F64 ([`crate::vector`]) rather than one value in Z_q: every
    /// function but `sum` and `mean` of one value (the paper's case, whose bytes stay the
    /// reference's).
    pub fn is_vector(&self) -> bool {
        !(self.dim == 1 && matches!(self.func, Func::Sum | Func::Mean))
    }

    /// Refuse configurations that cannot work, before any work is done: sizes, threshold
    /// against candidates and capacity, value bits, and `n * (2^v - 1) < q`.
    pub fn validate(&self) -> Result<()> {
        let cfg = |s: String| Err(RolesError::Config(s));
        if self.n == 0 {
            return cfg("--dps must be at least 1".into());
        }
        if self.n > MAX_DPS {
            return cfg(format!(
                "--dps {} is too large: at most {MAX_DPS} DPs per session",
                self.n
            ));
        }
        if self.threads == 0 || self.threads > MAX_THREADS {
            return cfg(format!("threads must be between 1 and {MAX_THREADS}"));
        }
        if self.m == 0 || self.capacity == 0 {
            return cfg("--cps and --capacity must be at least 1".into());
        }
        if self.m > MAX_CPS || self.capacity > MAX_CPS {
            return cfg(format!(
                "--cps {} / --capacity {} is too large: at most {MAX_CPS} candidate CPs per session",
                self.m, self.capacity
            ));
        }
        if !(1..=256).contains(&self.value_bits) {
            return cfg(format!("value bits {} must be between 1 and 256", self.value_bits));
        }
        let selectable = self.m.min(self.capacity);
        if self.t < 2 || self.t > selectable {
            return Err(RolesError::BadThreshold {
                t: self.t,
                selected: selectable,
            });
        }
        if self.suite == SuiteKind::Rsa && !crate::suite::rsa::RSA_BITS.contains(&self.rsa_bits) {
            return cfg(format!(
                "unsupported RSA size {}: choose 1024, 2048, 3072 or 4096",
                self.rsa_bits
            ));
        }
        if let Err(why) = self.provider.supports(self.suite, self.rsa_bits) {
            return cfg(why);
        }
        if let Some(bits) = self.group.schnorr_bits()
            && !dsmpc_core::group::SUPPORTED_BITS.contains(&bits)
        {
            return Err(dsmpc_core::CoreError::UnsupportedGroupBits { bits }.into());
        }
        self.backend.ensure_available()?;
        if self.is_vector() {
            return self.validate_vector();
        }
        // n * (2^v - 1) < q: otherwise the sum could wrap around modulo q.
        let q = BigUint::parse_bytes(dsmpc_core::group::params::Q_HEX.as_bytes(), 16).unwrap_or_default();
        if BigUint::from(self.n) * values::max_value(self.value_bits) >= q {
            return Err(RolesError::SumMayOverflow {
                n: self.n,
                value_bits: self.value_bits,
            });
        }
        self.validate_faults()
    }

    /// A vector session: the function's limits in F64, the modes and faults that take vectors.
    fn validate_vector(&self) -> Result<()> {
        let spec = self.func_spec();
        spec.check(self.n)?;
        // A share packet or upload carries 8 bytes per element (32 in `vss`: scalars of Z_q, and
        // one blinding share) and at most a few KiB more.
        let vss = self.verify == VerifyMode::Vss;
        let width = if vss { 32 } else { dsmpc_core::field64::F64::LEN };
        let most = (crate::wire::MAX_VECTOR_MESSAGE_LEN - (64 << 10)) / width - usize::from(vss);
        if spec.elements() > most {
            return Err(RolesError::Config(format!(
                "{} elements per DP need share packets above the {} MiB message limit: at most {most} elements{}",
                spec.elements(),
                crate::wire::MAX_VECTOR_MESSAGE_LEN >> 20,
                if vss { " in vss (32-byte shares)" } else { "" }
            )));
        }
        if let Some(f) = self.faults.iter().find(|f| !f.takes_vectors() && !vss) {
            return Err(RolesError::Config(format!(
                "--inject {f} is not built for vector sessions in the paper's modes (inconsistent-dealing and bad-result act on scalar shares there; --verify vss takes them)"
            )));
        }
        self.validate_faults()
    }

    fn validate_faults(&self) -> Result<()> {
        if !self.is_vector()
            && let Some(f) = self.faults.iter().find(|f| f.vectors_only())
        {
            return Err(RolesError::Config(format!(
                "--inject {f} acts on vector shares: use it with --dim above 1 or a --func other than sum and mean"
            )));
        }
        for f in &self.faults {
            let bad = |why: String| Err(RolesError::Config(format!("--inject {f}: {why}")));
            if let Some(dp) = f.dp()
                && dp as usize > self.n
            {
                return bad(format!("there are only {} DPs", self.n));
            }
            if let Some(cp) = f.cp()
                && cp as usize > self.m
            {
                return bad(format!("there are only {} candidate CPs (VIDs 1..={})", self.m, self.m));
            }
            if let Fault::DropDp { reach, .. } = *f {
                let k = self.m.min(self.capacity);
                if usize::from(reach) >= k {
                    return bad(format!(
                        "reach must be below the {k} selectable CPs, or the DP is not dropped"
                    ));
                }
                if reach == 0 && self.verify != VerifyMode::Vss {
                    return bad(
                        "a DP that reaches no CP never took part, which the paper's protocol cannot see; \
                         use reach >= 1, or --verify vss (where its commitments still reach the Edge)"
                            .into(),
                    );
                }
            }
        }
        Ok(())
    }

    /// The backend that serves this session's scalars: the configured one for a Schnorr group;
    /// num for ristretto255, whose scalar arithmetic is small beside its curve operations and
    /// whose `backend` column reads `n/a` ([`SessionConfig::backend_label`]).
    pub fn effective_backend(&self) -> BackendKind {
        if self.group.uses_backend() {
            self.backend
        } else {
            BackendKind::Num
        }
    }

    /// The backend as CSV and reports show it: its name, or `n/a` where it does not apply.
    pub fn backend_label(&self) -> String {
        if self.group.uses_backend() {
            self.backend.to_string()
        } else {
            "n/a".to_string()
        }
    }

    /// Short id of the parameter point, e.g. `n20-m5-k5-t3-rsa2048-g2048-num-batch` (with
    /// `-awslc` appended for that provider).
    pub fn point_id(&self) -> String {
        let suite = match self.suite {
            SuiteKind::Rsa => format!("rsa{}", self.rsa_bits),
            SuiteKind::P256 => "p256".to_string(),
            SuiteKind::X25519 => "x25519".to_string(),
        };
        let provider = match self.provider {
            Provider::RustCrypto => String::new(),
            p => format!("-{p}"),
        };
        let group = match self.group {
            GroupKind::Schnorr(bits) => format!("g{bits}-{}", self.backend),
            GroupKind::Ristretto255 => "ristretto255".to_string(),
        };
        let func = match (self.func, self.dim) {
            (Func::Sum, 1) => String::new(),
            (f, 1) => format!("-{}", f.to_string().replace(':', "")),
            (f, d) => format!("-{}-d{d}", f.to_string().replace(':', "")),
        };
        format!(
            "n{}-m{}-k{}-t{}-{suite}-{group}-{}{provider}{func}",
            self.n, self.m, self.capacity, self.t, self.verify
        )
    }
}
