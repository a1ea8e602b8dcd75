//! The session driver: one whole D-SMPC run in one process, over an in-memory transport that
//! counts the bytes of every message, with every phase measured per party instance.
//!
//! Order of events: set-up (keys from the cache, PVSS keys, group tables: not a phase), then
//! Algorithm 1 (announce; each candidate's request, the Cloud's check and answer, the index
//! decryption), the roster, then Algorithm 2 streamed DP by DP: each DP's packets go straight
//! to the CPs, so memory stays bounded by one DP's packets plus each CP's pending batch, never
//! n x k packets. Finally each CP uploads and the Edge reconstructs from the first t results
//! (checking any further ones against them).
//!
//! In `vss` mode each DP's commitments go to the Edge, which relays them to every CP ahead of
//! the DP's shares; after the shares comes the agreement round (each CP's report to the Edge,
//! the excluded DPs back), then the uploads, each checked by the Edge.
//!
//! Faults ([`crate::faults`]) are injected here, where the parties and the network meet. What
//! the parties detect is collected in [`SessionReport::detections`] and sent to the log as it
//! happens, so a run that aborts still says why. The Cloud's refusal of a candidate is not an
//! abort: the run goes on with the candidates it selected.
//!
//! [`run`] is the single place where the runtime backend and suite become types.

use std::collections::{BTreeMap, HashSet};
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
use crate::faults::{Action, Detection, Fault};
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

/// One DP's number, its packets `(index, bytes)`, its commitments (`vss`) and the
/// measurement of its phase.
type DpOutput = (u32, Vec<(u16, Vec<u8>)>, Option<Vec<u8>>, Sample);

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

    fn has(&self, f: impl Fn(&Fault) -> bool) -> bool {
        self.faults.iter().any(f)
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

struct Transport<'a> {
    sink: Option<&'a mut dyn EventSink>,
    stats: BTreeMap<MessageKind, MessageStats>,
    transcript: Sha256,
    detections: Vec<Detection>,
}

impl Transport<'_> {
    fn detect(&mut self, d: Detection) {
        if let Some(sink) = self.sink.as_deref_mut() {
            sink.detection(&d);
        }
        self.detections.push(d);
    }

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
    let plaintext_sum_all = values::sum(&values);
    let vss_mode = cfg.verify == VerifyMode::Vss;

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
        if cfg.verify.uses_pvss() && cfg.verify != VerifyMode::Paper {
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
        detections: Vec::new(),
    };
    let mut meter = Meter::new();

    // Algorithm 1. The Cloud's refusal of a request leaves that candidate unselected.
    let announce = cloud.announce();
    for cp in &cps {
        net.send("Cloud", &candidate_name(cp.vid()), &announce);
    }
    let mut requests = Vec::with_capacity(cps.len());
    for (j, cp) in cps.iter_mut().enumerate() {
        let now = clock.now();
        let mut req = meter.measure(Phase::CpAuthRequest, j as u32, || cp.auth_request(&announce, now))?;
        let vid = cp.vid();
        if cfg.has(|f| *f == Fault::BadSignature { cp: vid }) {
            req = corrupt_signature(&req);
        }
        net.send(&candidate_name(vid), "Cloud", &req);
        requests.push(req);
    }
    let mut not_selected = Vec::new();
    for (j, req) in requests.iter().enumerate() {
        let vid = cps[j].vid();
        let from = candidate_name(vid);
        let now = clock.now();
        match meter.measure(Phase::PartyAuthVerify, j as u32, || cloud.handle_auth(&from, req, now)) {
            Ok(answer) => {
                net.send("Cloud", &from, &answer);
                let cp = &mut cps[j];
                let index = meter.measure(Phase::CpIndexDecrypt, j as u32, || cp.receive_index(&answer))?;
                if index.is_none() {
                    not_selected.push(vid);
                }
            }
            Err(e) => net.detect(Detection::of_error("Cloud", &from, Action::NotSelected, &e)),
        }
        if cfg.has(|f| *f == Fault::Replay { cp: vid }) {
            net.send(&from, "Cloud", req);
            match meter.measure(Phase::PartyAuthVerify, j as u32, || cloud.handle_auth(&from, req, now)) {
                Err(e) => net.detect(Detection::of_error("Cloud", &from, Action::Ignored, &e)),
                Ok(_) => {
                    return Err(RolesError::Config(format!(
                        "the Cloud accepted a replayed auth request of {from}"
                    )));
                }
            }
        }
    }
    net.phase_done(&meter, Phase::CpAuthRequest);
    net.phase_done(&meter, Phase::PartyAuthVerify);
    net.phase_done(&meter, Phase::CpIndexDecrypt);
    let selected = cloud.selected().clone();
    let roster = cloud.roster(cfg.t)?;
    let mut selected_cps: Vec<ComputingParty<B, S>> = cps.into_iter().filter(|c| c.index().is_some()).collect();
    selected_cps.sort_by_key(|c| c.index());

    // Faults by CP index, now that indices are known.
    let index_of = |vid: u32| selected.iter().find(|(_, v)| **v == vid).map(|(i, _)| *i);
    let cp_indices = |pick: &dyn Fn(&Fault) -> Option<u32>| -> HashSet<u16> {
        cfg.faults.iter().filter_map(pick).filter_map(index_of).collect()
    };
    let dropped = cp_indices(&|f| match *f {
        Fault::DropCp { cp } => Some(cp),
        _ => None,
    });
    let replayed = cp_indices(&|f| match *f {
        Fault::Replay { cp } => Some(cp),
        _ => None,
    });
    for cp in selected_cps.iter_mut() {
        let vid = cp.vid();
        if cfg.has(|f| *f == Fault::BadResult { cp: vid }) {
            cp.inject_bad_result();
        }
    }
    let bad_shares: Vec<(u32, u16)> = cfg
        .faults
        .iter()
        .filter_map(|f| match *f {
            Fault::BadShare { dp, cp } => Some((dp, index_of(cp)?)),
            _ => None,
        })
        .collect();
    let reach_of = |d: u32| {
        cfg.faults.iter().find_map(|f| match *f {
            Fault::DropDp { dp, reach } if dp == d => Some(reach),
            _ => None,
        })
    };

    let mut edge = Edge::<B, S>::new(
        suite.clone(),
        group.clone(),
        edge_sk,
        *cloud.task(),
        cfg.t,
        cfg.n,
        cfg.verify,
        src.stream("edge")?,
    );
    let indices: Vec<u16> = selected_cps.iter().filter_map(|c| c.index()).collect();

    // Algorithm 2, streamed in chunks of DPs: the chunk's DPs share (in parallel when
    // threads > 1), their messages are sent in DP order, then every CP takes its messages from
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
    let mut replay_pending: HashSet<u16> = replayed.clone();
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
            for (_, index) in bad_shares.iter().filter(|(dp, _)| *dp == d) {
                dp.inject_bad_share(*index);
            }
            if cfg.has(|f| *f == Fault::InconsistentDealing { dp: d }) {
                dp.inject_inconsistent_dealing();
            }
            let (packets, s) = metrics::sample(Phase::ShareEncryptPvssAttach, || {
                dp.receive_roster(&roster)?;
                dp.share_packets()
            });
            Ok((d, packets?, dp.take_commitments(), s))
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
            let (d, packets, commitments, s) = item?;
            meter.add(Phase::ShareEncryptPvssAttach, d, s);
            let name = dp_name(d);
            net.send("Cloud", &name, &roster);
            if let Some(c) = commitments {
                net.send(&name, "Edge", &c);
                match meter.measure(Phase::DpSetAgreement, 0, || edge.receive_commitments(&name, &c)) {
                    Ok(()) => {
                        for (pos, index) in indices.iter().enumerate() {
                            net.send("Edge", &cp_name(*index), &c);
                            if !dropped.contains(index) {
                                inboxes[pos].push(c.clone());
                            }
                        }
                    }
                    Err(e) => net.detect(Detection::of_error("Edge", &name, action_for(&e, Action::Rejected), &e)),
                }
            }
            let reach = reach_of(d);
            for (index, bytes) in packets {
                if reach.is_some_and(|r| index > r) {
                    continue;
                }
                let pos = index as usize - 1;
                net.send(&name, &cp_name(index), &bytes);
                if replay_pending.remove(&index) {
                    net.send(&name, &cp_name(index), &bytes);
                    if !dropped.contains(&index) {
                        inboxes[pos].push(bytes.clone());
                    }
                }
                if !dropped.contains(&index) {
                    inboxes[pos].push(bytes);
                }
            }
        }
        // In the paper's modes the first error aborts the run; in `vss` mode a CP drops a
        // message it cannot use (DP faults are already rejections, not errors) and goes on.
        let receive = |(cp, inbox): (&mut ComputingParty<B, S>, Vec<Vec<u8>>)| -> (u32, Vec<RolesError>, Sample) {
            let index = u32::from(cp.index().unwrap_or(0));
            let (errors, s) = metrics::sample(Phase::CpDecryptPvssVerifyLocalCompute, || {
                let mut errors = Vec::new();
                for b in &inbox {
                    let res = if b.get(1) == Some(&MessageKind::Commitments.tag()) {
                        cp.receive_commitments(b)
                    } else {
                        cp.receive_share(b)
                    };
                    if let Err(e) = res {
                        errors.push(e);
                        if !vss_mode {
                            break;
                        }
                    }
                }
                errors
            });
            (index, errors, s)
        };
        let live = |(cp, _): &(&mut ComputingParty<B, S>, Vec<Vec<u8>>)| !dropped.contains(&cp.index().unwrap_or(0));
        let mut received = Vec::new();
        in_pool(&mut || {
            received = if pool.is_some() {
                selected_cps
                    .par_iter_mut()
                    .zip(inboxes.par_drain(..))
                    .filter(live)
                    .map(receive)
                    .collect()
            } else {
                selected_cps
                    .iter_mut()
                    .zip(inboxes.drain(..))
                    .filter(live)
                    .map(receive)
                    .collect()
            };
        });
        for (index, errors, s) in received {
            meter.add(Phase::CpDecryptPvssVerifyLocalCompute, index, s);
            for e in errors {
                if !vss_mode {
                    return Err(e);
                }
                let by = cp_name(index as u16);
                net.detect(Detection::of_error(
                    by,
                    sender_of(&e),
                    action_for(&e, Action::Ignored),
                    &e,
                ));
            }
        }
        for cp in selected_cps.iter_mut() {
            for d in cp.take_detections() {
                net.detect(d);
            }
        }
    }
    let live: Vec<u16> = indices.iter().copied().filter(|i| !dropped.contains(i)).collect();
    for cp in selected_cps
        .iter_mut()
        .filter(|c| live.contains(&c.index().unwrap_or(0)))
    {
        let index = u32::from(cp.index().unwrap_or(0));
        meter.measure(Phase::CpDecryptPvssVerifyLocalCompute, index, || cp.flush())?;
    }
    net.phase_done(&meter, Phase::ShareEncryptPvssAttach);
    net.phase_done(&meter, Phase::CpDecryptPvssVerifyLocalCompute);

    // `vss`: the agreement round through the Edge.
    let mut excluded = BTreeMap::new();
    let mut uploading: Vec<u16> = live.clone();
    if vss_mode {
        let mut reports = Vec::new();
        for cp in selected_cps
            .iter_mut()
            .filter(|c| live.contains(&c.index().unwrap_or(0)))
        {
            let index = cp.index().unwrap_or(0);
            let r = meter.measure(Phase::DpSetAgreement, u32::from(index), || cp.dp_report())?;
            net.send(&cp_name(index), "Edge", &r);
            reports.push((index, r));
        }
        for (index, r) in &reports {
            if let Err(e) = meter.measure(Phase::DpSetAgreement, 0, || edge.receive_report(&cp_name(*index), r)) {
                net.detect(Detection::of_error("Edge", cp_name(*index), Action::Skipped, &e));
            }
        }
        let agreement = meter.measure(Phase::DpSetAgreement, 0, || edge.agree());
        for index in indices.iter().filter(|i| !reports.iter().any(|(r, _)| r == *i)) {
            net.detect(Detection::new(
                "Edge",
                cp_name(*index),
                Action::Silent,
                "no report reached the Edge: left out of the aggregation",
            ));
        }
        let agreement = agreement?;
        for (d, why) in &agreement.excluded {
            net.detect(Detection::new("Edge", dp_name(*d), Action::Excluded, why.clone()));
        }
        for cp in selected_cps.iter_mut() {
            let index = cp.index().unwrap_or(0);
            if agreement.reporting.contains(&index) {
                net.send("Edge", &cp_name(index), &agreement.message);
                meter.measure(Phase::DpSetAgreement, u32::from(index), || {
                    cp.receive_agreed(&agreement.message)
                })?;
            }
        }
        net.phase_done(&meter, Phase::DpSetAgreement);
        uploading = agreement.reporting;
        excluded = agreement.excluded;
    } else {
        for index in indices.iter().filter(|i| dropped.contains(i)) {
            net.detect(Detection::new(
                "Edge",
                cp_name(*index),
                Action::Silent,
                "no result arrived",
            ));
        }
    }

    // Upload and reconstruction.
    let mut uploads = Vec::with_capacity(uploading.len());
    for cp in selected_cps.iter_mut() {
        let index = cp.index().unwrap_or(0);
        if !uploading.contains(&index) {
            continue;
        }
        let up = meter.measure(Phase::CpResultEncrypt, u32::from(index), || cp.result_upload())?;
        net.send(&cp_name(index), "Edge", &up);
        if replayed.contains(&index) {
            net.send(&cp_name(index), "Edge", &up);
            uploads.push((index, up.clone()));
        }
        uploads.push((index, up));
    }
    net.phase_done(&meter, Phase::CpResultEncrypt);
    let mut refused = Vec::new();
    let outcome = meter.measure(Phase::EdgeReconstruct, 0, || -> Result<Outcome> {
        for (index, up) in &uploads {
            if let Err(e) = edge.receive_result(&cp_name(*index), up) {
                refused.push((*index, e));
            }
        }
        edge.reconstruct()
    });
    for (index, e) in refused {
        net.detect(Detection::of_error(
            "Edge",
            cp_name(index),
            action_for(&e, Action::Skipped),
            &e,
        ));
    }
    let outcome = outcome?;
    net.phase_done(&meter, Phase::EdgeReconstruct);

    let expected_sum = values
        .iter()
        .enumerate()
        .filter(|(i, _)| !excluded.contains_key(&(*i as u32 + 1)))
        .fold(BigUint::default(), |acc, (_, v)| acc + v);
    Ok(SessionReport {
        outcome,
        expected_sum,
        plaintext_sum_all,
        excluded,
        detections: net.detections,
        selected,
        not_selected,
        phases: meter.summary(),
        messages: net.stats,
        transcript_sha256: net.transcript.finalize().into(),
        setup_s,
        weak_group: group.is_weak(),
    })
}

/// What is done about an error: a duplicate is ignored (a replay), anything else `otherwise`.
fn action_for(e: &RolesError, otherwise: Action) -> Action {
    if matches!(e, RolesError::Duplicate { .. }) {
        Action::Ignored
    } else {
        otherwise
    }
}

/// The sender an error names, if it names one.
fn sender_of(e: &RolesError) -> String {
    match e {
        RolesError::Malformed { from, .. }
        | RolesError::WrongTask { from, .. }
        | RolesError::Duplicate { from, .. } => from.clone(),
        RolesError::ShareUndecryptable { dp, .. } | RolesError::ShareOutOfRange { dp, .. } => dp_name(*dp),
        _ => "an unknown sender".into(),
    }
}

/// An auth request with one bit of its signature flipped (fault injection).
fn corrupt_signature(req: &[u8]) -> Vec<u8> {
    match Message::decode(req) {
        Ok(Message::AuthRequest(mut m)) => {
            if let Some(b) = m.sig.first_mut() {
                *b ^= 0x01;
            }
            Message::AuthRequest(m).encode()
        }
        _ => req.to_vec(),
    }
}
