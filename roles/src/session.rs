//! A session: its configuration, its report, and [`run`], which builds the parties, picks the
//! in-memory network and runs it to the end.
//!
//! Set-up (not a phase): keys (from the seed's cache, or fresh from the OS and kept for this run
//! only), PVSS keys and group tables, DPs' commitment-signing keys in `vss` mode. The parties
//! then run on their own ([`crate::parties`]): the Cloud announces and selects, sends the roster;
//! the DPs deal; the CPs check, (report, ) and upload; the Edge reconstructs. Corrupt parties and
//! the network adversary come from [`crate::adversary`], never from honest code.
//!
//! [`with_types`] is the single place where the runtime backend, suite and provider become
//! types.

use std::any::{Any, TypeId};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use dsmpc_core::backend::{Backend, BackendKind};
use dsmpc_core::dispatch_backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{CpKeyPair, VerifyMode};
use dsmpc_core::rng::RngSource;
use num_bigint::BigUint;

use crate::adversary::{self, Fault, Scripted};
use crate::check;
use crate::error::{Result, RolesError};
use crate::event::Detection;
use crate::keys::{DpKeys, DpSigningKey, KeyCache};
use crate::log::EventSink;
use crate::metrics::{MessageStats, PhaseStats};
use crate::net::memory::{BoxedParty, MemoryNetwork, Record};
use crate::net::{Adversary, Honest, Stack};
use crate::parties::{
    Clock, Cloud, ComputingParty, CpKeys, DataProvider, Edge, Outcome, PartyId, Registration, Timeouts,
};
use crate::suite::{CipherSuite, Provider, SuiteKind, awslc, rustcrypto};
use crate::values;
use crate::wire::MessageKind;

/// The in-process network a session runs on ([`run_on`]); the networks between processes are
/// in [`crate::net::process`].
#[derive(Clone, Debug)]
pub enum Net {
    /// The in-memory network, with these deadlines.
    Memory(Timeouts),
    /// Simulated time over emulated links.
    Sim(crate::net::sim::SimConfig),
}

impl Default for Net {
    fn default() -> Self {
        Net::Memory(Timeouts::default())
    }
}

impl Net {
    /// The parties' deadlines.
    pub fn timeouts(&self) -> Timeouts {
        match self {
            Net::Memory(t) => *t,
            Net::Sim(s) => s.timeouts,
        }
    }
}

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
    /// PVSS group bits.
    pub group_bits: u32,
    /// Big-integer backend.
    pub backend: BackendKind,
    /// Verification mode.
    pub verify: VerifyMode,
    /// Seed for reproducible runs; `None`: OS randomness.
    pub seed: Option<u64>,
    /// Bits of each DP value.
    pub value_bits: u32,
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
            group_bits: 2048,
            backend: BackendKind::Num,
            verify: VerifyMode::Batch,
            seed: Some(1),
            value_bits: 32,
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
        if !dsmpc_core::group::SUPPORTED_BITS.contains(&self.group_bits) {
            return Err(dsmpc_core::CoreError::UnsupportedGroupBits { bits: self.group_bits }.into());
        }
        self.backend.ensure_available()?;
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

    fn validate_faults(&self) -> Result<()> {
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

    /// Short id of the parameter point, e.g. `n20-m5-k5-t3-rsa2048-g2048-num-batch` (with
    /// `-awslc` appended for that provider).
    pub fn point_id(&self) -> String {
        let suite = match self.suite {
            SuiteKind::Rsa => format!("rsa{}", self.rsa_bits),
            SuiteKind::P256 => "p256".to_string(),
        };
        let provider = match self.provider {
            Provider::RustCrypto => String::new(),
            p => format!("-{p}"),
        };
        format!(
            "n{}-m{}-k{}-t{}-{suite}-g{}-{}-{}{provider}",
            self.n, self.m, self.capacity, self.t, self.group_bits, self.backend, self.verify
        )
    }
}

/// What a successful run reports.
#[derive(Clone, Debug)]
pub struct SessionReport {
    /// The reconstructed aggregate.
    pub outcome: Outcome,
    /// The plaintext sum of the values aggregated (all n, or the agreed set in `vss` mode),
    /// for comparison.
    pub expected_sum: BigUint,
    /// The plaintext sum of all n values.
    pub plaintext_sum_all: BigUint,
    /// DPs excluded from the aggregate (`vss`), and why.
    pub excluded: BTreeMap<u32, String>,
    /// Everything the parties detected, in order.
    pub detections: Vec<Detection>,
    /// Selected CPs: index -> VID.
    pub selected: BTreeMap<u16, u32>,
    /// Valid candidates that were not selected (capacity exhausted).
    pub not_selected: Vec<u32>,
    /// Every phase, in protocol order.
    pub phases: Vec<PhaseStats>,
    /// Bytes per message kind.
    pub messages: BTreeMap<MessageKind, MessageStats>,
    /// SHA-256 over every message's bytes in the order sent.
    pub transcript_sha256: [u8; 32],
    /// Set-up seconds (keys, tables): not a protocol phase.
    pub setup_s: f64,
    /// Whether the PVSS group is the weak 1024-bit one.
    pub weak_group: bool,
    /// Latencies, on networks with time (`sim`, `process`).
    pub timing: Option<crate::net::Timing>,
}

impl SessionReport {
    /// Whether the reconstructed sum equals the plaintext sum over the DPs aggregated.
    pub fn matches(&self) -> bool {
        self.outcome.sum == self.expected_sum
    }

    /// Number of DPs aggregated.
    pub fn aggregated(&self) -> usize {
        self.outcome.n
    }
}

/// Run a session, choosing backend and suite from the configuration. `values` are the DPs'
/// values (`None`: drawn from the seed or the OS); `sink` receives the log events.
pub fn run(cfg: &SessionConfig, values: Option<&[BigUint]>, sink: Option<&mut dyn EventSink>) -> Result<SessionReport> {
    run_against(cfg, values, sink, Box::new(Honest))
}

/// [`run`] with a further network adversary beside the one the faults describe (for example
/// [`adversary::Chaos`]).
pub fn run_against<'a>(
    cfg: &SessionConfig,
    values: Option<&[BigUint]>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
) -> Result<SessionReport> {
    run_on(cfg, &Net::default(), values, sink, extra)
}

/// [`run_against`] on the in-process network `net` (memory or simulated time).
pub fn run_on<'a>(
    cfg: &SessionConfig,
    net: &Net,
    values: Option<&[BigUint]>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
) -> Result<SessionReport> {
    cfg.validate()?;
    with_types(
        cfg,
        Whole {
            cfg,
            net: net.clone(),
            values,
            sink,
            extra,
        },
    )
}

/// Work to do with the backend and suite types a configuration names (see [`with_types`]).
pub trait WithTypes {
    /// What the work gives.
    type Output;
    /// Do it with backend `B` and suite `S` (whose provider is `S::PROVIDER`).
    fn run<B: Backend, S: CipherSuite>(self, suite: S) -> Result<Self::Output>;
}

/// The crate's one place where the runtime backend, suite and provider of `cfg` become types.
pub fn with_types<W: WithTypes>(cfg: &SessionConfig, work: W) -> Result<W::Output> {
    match (cfg.suite, cfg.provider) {
        (SuiteKind::Rsa, Provider::RustCrypto) => {
            let suite = rustcrypto::RsaSuite::new(cfg.rsa_bits)?;
            dispatch_backend!(cfg.backend, B => work.run::<B, _>(suite))?
        }
        (SuiteKind::Rsa, Provider::AwsLc) => {
            let suite = awslc::RsaSuite::new(cfg.rsa_bits)?;
            dispatch_backend!(cfg.backend, B => work.run::<B, _>(suite))?
        }
        (SuiteKind::P256, Provider::RustCrypto) => {
            dispatch_backend!(cfg.backend, B => work.run::<B, _>(rustcrypto::P256Suite))?
        }
        (SuiteKind::P256, Provider::AwsLc) => dispatch_backend!(cfg.backend, B => work.run::<B, _>(awslc::P256Suite))?,
    }
}

/// A whole session, as [`with_types`] work.
struct Whole<'a, 'c> {
    cfg: &'c SessionConfig,
    net: Net,
    values: Option<&'c [BigUint]>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
}

impl WithTypes for Whole<'_, '_> {
    type Output = SessionReport;
    fn run<B: Backend, S: CipherSuite>(self, suite: S) -> Result<SessionReport> {
        run_with::<B, S>(self.cfg, &self.net, suite, self.values, self.sink, self.extra)
    }
}

/// Run a session with a fixed backend and suite.
pub fn run_with<'a, B: Backend, S: CipherSuite>(
    cfg: &SessionConfig,
    net: &Net,
    suite: S,
    values: Option<&[BigUint]>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
) -> Result<SessionReport> {
    cfg.validate()?;
    let (values, setup0, world) = prepare::<B, S>(cfg, values, suite, net.timeouts(), &keep_all)?;
    let (parties, scripted) = world.parties(&values)?;
    let setup_s = setup0.elapsed().as_secs_f64();
    let adversary = Box::new(Stack(vec![Box::new(scripted), extra]));
    let clock = if cfg.seed.is_some() {
        Clock::SEEDED
    } else {
        Clock::System
    };
    let (outcome, record) = match net {
        Net::Memory(_) => MemoryNetwork::new(parties, adversary, cfg.threads, sink)?.run(clock.now_ms()),
        Net::Sim(sim) => crate::net::sim::SimNetwork::new(parties, adversary, sim, world.src.stream("links")?, sink)
            .run(clock.now_ms()),
    };
    let weak_group = world.group.is_weak();
    report(outcome?, record, &values, setup_s, weak_group)
}

/// The DPs' values of a seeded or OS-random session (as [`run`] draws them).
pub fn values_of(cfg: &SessionConfig) -> Result<Vec<BigUint>> {
    values_for(cfg, None, cfg.rng_source())
}

/// The set-up of a whole session: the DPs' values (given or drawn), the
/// provider warmed up, the shared group with its fixed-base tables, and the [`World`] that
/// builds the parties `keep` selects. Also gives the instant set-up began (after the values).
fn prepare<'c, B: Backend, S: CipherSuite>(
    cfg: &'c SessionConfig,
    values: Option<&[BigUint]>,
    suite: S,
    timeouts: Timeouts,
    keep: &'c (dyn Fn(PartyId) -> bool + Sync),
) -> Result<(Vec<BigUint>, Instant, World<'c, B, S>)> {
    let src = cfg.rng_source();
    let values = values_for(cfg, values, src)?;
    let setup0 = Instant::now();
    let group = provider_and_group::<B, S>(cfg)?;
    let world = World {
        cfg,
        suite,
        group,
        src,
        timeouts,
        keep,
    };
    Ok((values, setup0, world))
}

/// The set-up every process that runs parties does first, a whole session or a node: the
/// provider warmed up and the shared group with the fixed-base tables the mode uses.
pub(crate) fn provider_and_group<B: Backend, S: CipherSuite>(cfg: &SessionConfig) -> Result<Arc<SchnorrGroup<B>>> {
    if S::PROVIDER == Provider::AwsLc {
        awslc::warm_up();
    }
    let group = shared_group::<B>(cfg.group_bits)?;
    if cfg.verify != VerifyMode::Paper {
        group.g_table();
        group.h_table();
    }
    Ok(group)
}

/// The standard group of `bits` for backend `B`, one per process: sessions share it and its
/// fixed-base tables, which are built once (set-up, not a phase).
fn shared_group<B: Backend>(bits: u32) -> Result<Arc<SchnorrGroup<B>>> {
    type Cache = Mutex<HashMap<(TypeId, u32), Arc<dyn Any + Send + Sync>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (TypeId::of::<B>(), bits);
    let mut cache = CACHE
        .get_or_init(Cache::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(g) = cache
        .get(&key)
        .and_then(|g| g.clone().downcast::<SchnorrGroup<B>>().ok())
    {
        return Ok(g);
    }
    let g = Arc::new(SchnorrGroup::<B>::standard(bits)?);
    cache.insert(key, g.clone());
    Ok(g)
}

/// The DPs' values: given (checked against n and the value bits) or drawn.
pub(crate) fn values_for(cfg: &SessionConfig, values: Option<&[BigUint]>, src: RngSource) -> Result<Vec<BigUint>> {
    let Some(v) = values else {
        return Ok(values::random(cfg.n, cfg.value_bits, &mut src.stream("values")?));
    };
    if v.len() != cfg.n {
        return Err(RolesError::Config(format!("{} values for {} DPs", v.len(), cfg.n)));
    }
    let max = values::max_value(cfg.value_bits);
    if let Some(bad) = v.iter().find(|x| **x > max) {
        return Err(RolesError::Config(format!(
            "value {bad} does not fit in {} bits",
            cfg.value_bits
        )));
    }
    Ok(v.to_vec())
}

/// What the parties are built from.
struct World<'c, B: Backend, S: CipherSuite> {
    cfg: &'c SessionConfig,
    suite: S,
    group: Arc<SchnorrGroup<B>>,
    src: RngSource,
    timeouts: Timeouts,
    /// The parties to build (a node builds only those it hosts); the others are left out.
    keep: &'c (dyn Fn(PartyId) -> bool + Sync),
}

/// Keep every party (a whole session in one process).
fn keep_all(_: PartyId) -> bool {
    true
}

impl<B: Backend, S: CipherSuite> World<'_, B, S> {
    /// Every party (Cloud, Edge, candidate CPs, DPs; corrupt where the faults say) and the
    /// network adversary the faults describe.
    fn parties<'a>(&self, values: &[BigUint]) -> Result<(Vec<BoxedParty<'a>>, Scripted<'a>)> {
        let cfg = self.cfg;
        let honest = check::for_mode::<B>(cfg.verify);
        let (dp_signing, dp_keys): (Vec<Option<DpSigningKey>>, _) = if honest.commits() {
            let (s, k) = DpKeys::generate(cfg.n, self.src)?;
            (s.into_iter().map(Some).collect(), Some(Arc::new(k)))
        } else {
            ((0..cfg.n).map(|_| None).collect(), None)
        };
        let keys = KeyCache::new(self.src);
        let t = self.timeouts;
        let mut cloud = Cloud::new(
            self.suite.clone(),
            keys.enc_key(&self.suite, "cloud")?,
            cfg.capacity,
            cfg.t,
            cfg.n as u32,
            cfg.freshness_s,
            t,
            self.src.stream("cloud")?,
        );
        let edge = Edge::<B, S>::new(
            self.suite.clone(),
            self.group.clone(),
            honest.clone(),
            keys.enc_key(&self.suite, "cloud")?,
            cfg.n as u32,
            dp_keys.clone(),
            t,
            self.src.stream("edge")?,
        );
        let mut cps: Vec<BoxedParty<'a>> = Vec::with_capacity(cfg.m);
        for vid in 1..=cfg.m as u32 {
            let cp = self.cp(vid, &keys, &honest, dp_keys.clone())?;
            cloud.register(
                vid,
                Registration {
                    enc_pk: cp.enc_pk(),
                    sign_pk: cp.sign_pk(),
                    pvss_pk: cp.pvss_pk_bytes(),
                },
            );
            if (self.keep)(PartyId::Cp(vid)) {
                cps.push(adversary::corrupt_party(&cfg.faults, Box::new(cp)));
            }
        }
        let mut parties: Vec<BoxedParty<'a>> = Vec::new();
        if (self.keep)(PartyId::Cloud) {
            parties.push(Box::new(cloud));
        }
        if (self.keep)(PartyId::Edge) {
            parties.push(Box::new(edge));
        }
        parties.extend(cps);
        for (i, (value, key)) in values.iter().zip(dp_signing).enumerate() {
            let d = i as u32 + 1;
            if !(self.keep)(PartyId::Dp(d)) {
                continue;
            }
            let dealing = adversary::corrupt_dealing(&cfg.faults, d, honest.clone());
            let dp = DataProvider::new(
                self.suite.clone(),
                self.group.clone(),
                dealing,
                d,
                value.clone(),
                key,
                self.src.stream(&format!("dp/{d}"))?,
            );
            parties.push(adversary::corrupt_party(&cfg.faults, Box::new(dp)));
        }
        Ok((parties, self.scripted(&honest)?))
    }

    /// Candidate CP `vid` with its keys.
    fn cp(
        &self,
        vid: u32,
        keys: &KeyCache,
        honest: &Arc<dyn check::Verification<B>>,
        dp_keys: Option<Arc<DpKeys>>,
    ) -> Result<ComputingParty<B, S>> {
        let party = format!("vid{vid}");
        let pvss = CpKeyPair::generate(self.group.as_ref(), &mut self.src.stream(&format!("pvss/{party}"))?);
        if self.cfg.verify.uses_pvss() && self.cfg.verify != VerifyMode::Paper && (self.keep)(PartyId::Cp(vid)) {
            pvss.pk_table(&self.group);
        }
        let cp_keys = CpKeys {
            enc: keys.enc_key(&self.suite, &party)?,
            sign: keys.sign_key(&self.suite, &party)?,
            pvss,
        };
        Ok(ComputingParty::new(
            self.suite.clone(),
            self.group.clone(),
            adversary::corrupt_check(&self.cfg.faults, vid, honest.clone()),
            vid,
            cp_keys,
            self.cfg.n as u32,
            dp_keys,
            self.timeouts,
            self.src.stream(&format!("cp/{party}"))?,
        ))
    }

    /// The network adversary of the faults, with an honest DP dealing the largest value in the
    /// name of each impersonated DP (under a signing key of its own).
    fn scripted<'a>(&self, honest: &Arc<dyn check::Verification<B>>) -> Result<Scripted<'a>> {
        let cfg = self.cfg;
        let mut impostors: Vec<(u32, BoxedParty<'a>)> = Vec::new();
        for f in &cfg.faults {
            if let Fault::Impersonate { dp } = *f {
                let (mut key, _) = DpKeys::generate(1, self.src)?;
                let dealer = DataProvider::<B, S>::new(
                    self.suite.clone(),
                    self.group.clone(),
                    honest.clone(),
                    dp,
                    values::max_value(cfg.value_bits),
                    key.pop(),
                    self.src.stream(&format!("impostor/{dp}"))?,
                );
                impostors.push((dp, Box::new(dealer)));
            }
        }
        Ok(Scripted::new(
            &cfg.faults,
            cfg.n as u32,
            impostors,
            self.src.stream("adversary")?,
        ))
    }
}

/// The report of a session that gave an outcome.
pub(crate) fn report(
    outcome: Outcome,
    record: Record,
    values: &[BigUint],
    setup_s: f64,
    weak_group: bool,
) -> Result<SessionReport> {
    let expected_sum = values
        .iter()
        .enumerate()
        .filter(|(i, _)| !record.excluded.contains_key(&(*i as u32 + 1)))
        .fold(BigUint::default(), |acc, (_, v)| acc + v);
    Ok(SessionReport {
        outcome,
        expected_sum,
        plaintext_sum_all: values::sum(values),
        excluded: record.excluded,
        detections: record.detections,
        selected: record.selected,
        not_selected: record.not_selected,
        phases: record.meter.summary(),
        messages: record.messages,
        transcript_sha256: record.transcript_sha256,
        setup_s,
        weak_group,
        timing: record.timing,
    })
}
