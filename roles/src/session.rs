//! The session driver: one whole D-SMPC run in one process, over an in-memory transport that
//! counts the bytes of every message, with every phase measured per party instance.
//!
//! Order of events: set-up (keys from the cache, PVSS keys, group tables: not a phase), then
//! Algorithm 1 (announce; each candidate's request, the Cloud's check and answer, the index
//! decryption), the roster, then Algorithm 2 streamed DP by DP: each DP's packets go straight
//! to the CPs, so memory stays bounded by one DP's packets plus each CP's pending batch, never
//! n x k packets. Finally each CP uploads and the Edge reconstructs from the first t results.
//!
//! [`run`] is the single place where the runtime backend and suite become types.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use dsmpc_core::backend::{Backend, BackendKind};
use dsmpc_core::dispatch_backend;
use dsmpc_core::group::SchnorrGroup;
use dsmpc_core::pvss::{CpKeyPair, VerifyMode};
use dsmpc_core::rng::RngSource;
use num_bigint::BigUint;
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::error::{Result, RolesError};
use crate::log::EventSink;
use crate::metrics::{self, MessageStats, Meter, Phase, PhaseStats, Sample};
use crate::parties::{
    Clock, Cloud, ComputingParty, CpKeys, DataProvider, Edge, Outcome, Registration, candidate_name, cp_name, dp_name,
};
use crate::suite::p256::P256Suite;
use crate::suite::rsa::RsaSuite;
use crate::suite::{CipherSuite, KeyCache, SuiteKind};
use crate::values;
use crate::wire::{Message, MessageKind};

/// One DP's number, its packets `(index, bytes)` and the measurement of its phase.
type DpOutput = (u32, Vec<(u16, Vec<u8>)>, Sample);

/// DPs per chunk of Algorithm 2: bounds memory to this many DPs' packets.
pub const DP_CHUNK: usize = 64;

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
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            n: 20,
            m: 5,
            capacity: 5,
            t: 3,
            suite: SuiteKind::Rsa,
            rsa_bits: 2048,
            group_bits: 2048,
            backend: BackendKind::Num,
            verify: VerifyMode::Batch,
            seed: Some(1),
            value_bits: 32,
            freshness_s: 300,
            threads: 1,
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
        if self.n > u32::MAX as usize {
            return cfg("--dps is too large".into());
        }
        if self.threads == 0 {
            return cfg("threads must be at least 1".into());
        }
        if self.m == 0 || self.capacity == 0 {
            return cfg("--cps and --capacity must be at least 1".into());
        }
        if self.m > u16::MAX as usize || self.capacity > u16::MAX as usize {
            return cfg("--cps and --capacity must be at most 65535".into());
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
        Ok(())
    }

    /// Short id of the parameter point, e.g. `n20-m5-k5-t3-rsa2048-g2048-num-batch-rsa`.
    pub fn point_id(&self) -> String {
        let suite = match self.suite {
            SuiteKind::Rsa => format!("rsa{}", self.rsa_bits),
            SuiteKind::P256 => "p256".to_string(),
        };
        format!(
            "n{}-m{}-k{}-t{}-{suite}-g{}-{}-{}",
            self.n, self.m, self.capacity, self.t, self.group_bits, self.backend, self.verify
        )
    }
}

/// What a successful run reports.
#[derive(Clone, Debug)]
pub struct SessionReport {
    /// The reconstructed aggregate.
    pub outcome: Outcome,
    /// The plaintext sum of the values, for comparison.
    pub expected_sum: BigUint,
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
}

impl SessionReport {
    /// Whether the reconstructed sum equals the plaintext sum.
    pub fn matches(&self) -> bool {
        self.outcome.sum == self.expected_sum
    }
}

struct Transport<'a> {
    sink: Option<&'a mut dyn EventSink>,
    stats: BTreeMap<MessageKind, MessageStats>,
    transcript: Sha256,
}

impl Transport<'_> {
    fn send(&mut self, src: &str, dst: &str, bytes: &[u8]) {
        let (kind, payload) = match Message::decode(bytes) {
            Ok(m) => (m.kind(), m.payload_len()),
            // Parties only ever produce well-formed messages.
            Err(_) => return,
        };
        let s = self.stats.entry(kind).or_default();
        s.count += 1;
        s.bytes += bytes.len() as u64;
        s.payload_bytes += payload as u64;
        s.max_bytes = s.max_bytes.max(bytes.len() as u64);
        s.max_payload_bytes = s.max_payload_bytes.max(payload as u64);
        self.transcript.update((bytes.len() as u64).to_be_bytes());
        self.transcript.update(bytes);
        if let Some(sink) = self.sink.as_deref_mut() {
            sink.message(src, dst, kind, bytes.len(), payload);
        }
    }

    fn phase_done(&mut self, meter: &Meter, phase: Phase) {
        if let (Some(sink), Some(stats)) = (self.sink.as_deref_mut(), meter.phase(phase)) {
            sink.phase(&stats);
        }
    }
}

/// Run a session, choosing backend and suite from the configuration. `values` are the DPs'
/// values (`None`: drawn from the seed or the OS); `sink` receives the log events.
pub fn run(cfg: &SessionConfig, values: Option<&[BigUint]>, sink: Option<&mut dyn EventSink>) -> Result<SessionReport> {
    cfg.validate()?;
    match cfg.suite {
        SuiteKind::Rsa => {
            let suite = RsaSuite::new(cfg.rsa_bits)?;
            dispatch_backend!(cfg.backend, B => run_with::<B, RsaSuite>(cfg, suite, values, sink))?
        }
        SuiteKind::P256 => dispatch_backend!(cfg.backend, B => run_with::<B, P256Suite>(cfg, P256Suite, values, sink))?,
    }
}

/// Run a session with a fixed backend and suite.
pub fn run_with<B: Backend, S: CipherSuite>(
    cfg: &SessionConfig,
    suite: S,
    values: Option<&[BigUint]>,
    sink: Option<&mut dyn EventSink>,
) -> Result<SessionReport> {
    cfg.validate()?;
    let src = cfg.rng_source();
    let clock = if cfg.seed.is_some() {
        Clock::SEEDED
    } else {
        Clock::System
    };
    let values: Vec<BigUint> = match values {
        Some(v) => {
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
            v.to_vec()
        }
        None => values::random(cfg.n, cfg.value_bits, &mut src.stream("values")?),
    };
    let expected_sum = values::sum(&values);

    // Set-up: not a protocol phase.
    let setup0 = Instant::now();
    let group = Arc::new(SchnorrGroup::<B>::standard(cfg.group_bits)?);
    if cfg.verify != VerifyMode::Paper {
        group.g_table();
        group.h_table();
    }
    let keys = KeyCache::new(src);
    let mut cloud = Cloud::new(
        suite.clone(),
        keys.enc_key(&suite, "cloud")?,
        cfg.capacity,
        cfg.freshness_s,
        src.stream("cloud")?,
    );
    let edge_sk = keys.enc_key(&suite, "cloud")?;
    let mut cps: Vec<ComputingParty<B, S>> = Vec::with_capacity(cfg.m);
    for vid in 1..=cfg.m as u32 {
        let party = format!("vid{vid}");
        let pvss = CpKeyPair::generate(&group, &mut src.stream(&format!("pvss/{party}"))?);
        if cfg.verify != VerifyMode::Paper {
            pvss.pk_table(&group);
        }
        let cp_keys = CpKeys {
            enc: keys.enc_key(&suite, &party)?,
            sign: keys.sign_key(&suite, &party)?,
            pvss,
        };
        let cp = ComputingParty::new(
            suite.clone(),
            group.clone(),
            vid,
            cp_keys,
            cfg.verify,
            src.stream(&format!("cp/{party}"))?,
        );
        cloud.register(
            vid,
            Registration {
                enc_pk: cp.enc_pk(),
                sign_pk: cp.sign_pk(),
                pvss_pk: cp.pvss_pk_bytes(),
            },
        );
        cps.push(cp);
    }
    let setup_s = setup0.elapsed().as_secs_f64();

    let mut net = Transport {
        sink,
        stats: BTreeMap::new(),
        transcript: Sha256::new(),
    };
    let mut meter = Meter::new();

    // Algorithm 1.
    let announce = cloud.announce();
    for cp in &cps {
        net.send("Cloud", &candidate_name(cp.vid()), &announce);
    }
    let mut requests = Vec::with_capacity(cps.len());
    for (j, cp) in cps.iter_mut().enumerate() {
        let now = clock.now();
        let req = meter.measure(Phase::CpAuthRequest, j as u32, || cp.auth_request(&announce, now))?;
        net.send(&candidate_name(cp.vid()), "Cloud", &req);
        requests.push(req);
    }
    let mut not_selected = Vec::new();
    for (j, req) in requests.iter().enumerate() {
        let from = candidate_name(cps[j].vid());
        let now = clock.now();
        let answer = meter.measure(Phase::PartyAuthVerify, j as u32, || cloud.handle_auth(&from, req, now))?;
        net.send("Cloud", &from, &answer);
        let cp = &mut cps[j];
        let index = meter.measure(Phase::CpIndexDecrypt, j as u32, || cp.receive_index(&answer))?;
        if index.is_none() {
            not_selected.push(cp.vid());
        }
    }
    net.phase_done(&meter, Phase::CpAuthRequest);
    net.phase_done(&meter, Phase::PartyAuthVerify);
    net.phase_done(&meter, Phase::CpIndexDecrypt);
    let selected = cloud.selected().clone();
    let roster = cloud.roster(cfg.t)?;
    let mut selected_cps: Vec<ComputingParty<B, S>> = cps.into_iter().filter(|c| c.index().is_some()).collect();
    selected_cps.sort_by_key(|c| c.index());

    // Algorithm 2, streamed in chunks of DPs: the chunk's DPs share (in parallel when
    // threads > 1), their packets are sent in DP order, then every CP takes its packets from
    // the chunk (CPs in parallel). Each DP and CP has its own randomness stream, so the
    // transcript does not depend on the thread count.
    let pool = if cfg.threads > 1 {
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(cfg.threads)
                .build()
                .map_err(|e| RolesError::Config(format!("cannot start {} threads: {e}", cfg.threads)))?,
        )
    } else {
        None
    };
    let in_pool = |f: &mut (dyn FnMut() + Send)| match &pool {
        Some(p) => p.install(f),
        None => f(),
    };
    for (c, chunk) in values.chunks(DP_CHUNK).enumerate() {
        let first = (c * DP_CHUNK) as u32 + 1;
        let share = |(i, value): (usize, &BigUint)| -> Result<DpOutput> {
            let d = first + i as u32;
            let mut dp = DataProvider::<B, S>::new(
                suite.clone(),
                group.clone(),
                d,
                value.clone(),
                cfg.verify,
                src.stream(&format!("dp/{d}"))?,
            );
            let (packets, s) = metrics::sample(Phase::ShareEncryptPvssAttach, || {
                dp.receive_roster(&roster)?;
                dp.share_packets()
            });
            Ok((d, packets?, s))
        };
        let mut produced = Vec::new();
        in_pool(&mut || {
            produced = if pool.is_some() {
                chunk.par_iter().enumerate().map(share).collect()
            } else {
                chunk.iter().enumerate().map(share).collect()
            };
        });
        let mut inboxes: Vec<Vec<Vec<u8>>> = vec![Vec::new(); selected_cps.len()];
        for item in produced {
            let (d, packets, s) = item?;
            meter.add(Phase::ShareEncryptPvssAttach, d, s);
            let name = dp_name(d);
            net.send("Cloud", &name, &roster);
            for (index, bytes) in packets {
                net.send(&name, &cp_name(index), &bytes);
                inboxes[index as usize - 1].push(bytes);
            }
        }
        let receive = |(cp, inbox): (&mut ComputingParty<B, S>, Vec<Vec<u8>>)| -> (u32, Result<()>, Sample) {
            let index = u32::from(cp.index().unwrap_or(0));
            let (res, s) = metrics::sample(Phase::CpDecryptPvssVerifyLocalCompute, || {
                inbox.iter().try_for_each(|b| cp.receive_share(b))
            });
            (index, res, s)
        };
        let mut received = Vec::new();
        in_pool(&mut || {
            received = if pool.is_some() {
                selected_cps
                    .par_iter_mut()
                    .zip(inboxes.par_drain(..))
                    .map(receive)
                    .collect()
            } else {
                selected_cps.iter_mut().zip(inboxes.drain(..)).map(receive).collect()
            };
        });
        for (index, res, s) in received {
            meter.add(Phase::CpDecryptPvssVerifyLocalCompute, index, s);
            res?;
        }
    }
    for cp in selected_cps.iter_mut() {
        let index = u32::from(cp.index().unwrap_or(0));
        meter.measure(Phase::CpDecryptPvssVerifyLocalCompute, index, || cp.flush())?;
    }
    net.phase_done(&meter, Phase::ShareEncryptPvssAttach);
    net.phase_done(&meter, Phase::CpDecryptPvssVerifyLocalCompute);

    // Upload and reconstruction.
    let mut edge = Edge::<B, S>::new(
        suite.clone(),
        group.clone(),
        edge_sk,
        *cloud.task(),
        cfg.t,
        cfg.n,
        src.stream("edge")?,
    );
    let mut uploads = Vec::with_capacity(selected_cps.len());
    for cp in selected_cps.iter_mut() {
        let index = cp.index().unwrap_or(0);
        let up = meter.measure(Phase::CpResultEncrypt, u32::from(index), || cp.result_upload())?;
        net.send(&cp_name(index), "Edge", &up);
        uploads.push((index, up));
    }
    net.phase_done(&meter, Phase::CpResultEncrypt);
    let outcome = meter.measure(Phase::EdgeReconstruct, 0, || -> Result<Outcome> {
        for (index, up) in &uploads {
            if edge.has_enough() {
                break;
            }
            edge.receive_result(&cp_name(*index), up)?;
        }
        edge.reconstruct()
    })?;
    net.phase_done(&meter, Phase::EdgeReconstruct);

    Ok(SessionReport {
        outcome,
        expected_sum,
        selected,
        not_selected,
        phases: meter.summary(),
        messages: net.stats,
        transcript_sha256: net.transcript.finalize().into(),
        setup_s,
        weak_group: group.is_weak(),
    })
}
