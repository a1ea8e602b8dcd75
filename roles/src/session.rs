//! A session in one process: [`run`] validates its configuration ([`config`]), sets it up
//! ([`setup`]: the suite x provider x backend dispatch, the shared group and its tables, the
//! values), builds every party (`world`), drives them on an in-process network
//! ([`InProcess`]: the in-memory one here, simulated time in the networks crate) and reports
//! ([`mod@report`]).
//!
//! Set-up (not a phase): keys (from the seed's cache, or fresh from the OS and kept for this run
//! only), PVSS keys and group tables, DPs' commitment-signing keys in `vss` mode. The parties
//! then run on their own ([`crate::parties`]): the Cloud announces and selects, sends the roster;
//! the DPs deal; the CPs check, (report, ) and upload; the Edge reconstructs. Corrupt parties and
//! the network adversary come from [`crate::adversary`], never from honest code.

pub mod config;
pub mod report;
pub mod setup;
mod world;

use std::time::Instant;

use dsmpc_core::backend::Backend;
use num_bigint::BigUint;

pub use config::{MAX_CPS, MAX_DPS, MAX_THREADS, SessionConfig};
pub use report::{SessionReport, report};
pub use setup::{Precompute, WithTypes, inputs_for, provider_and_group, rows_for, values_for, with_types};

use crate::error::Result;
use crate::log::EventSink;
use crate::net::{Adversary, Drive, Honest, InMemory, InProcess, Stack};
use crate::parties::Clock;
use crate::suite::CipherSuite;

/// Run a session, choosing backend and suite from the configuration. `values` are the DPs'
/// values (`None`: drawn from the seed or the OS); `sink` receives the log events.
pub fn run(cfg: &SessionConfig, values: Option<&[BigUint]>, sink: Option<&mut dyn EventSink>) -> Result<SessionReport> {
    run_against(cfg, values, sink, Box::new(Honest))
}

/// [`run`] with a further network adversary beside the one the faults describe (for example
/// [`crate::adversary::Chaos`]).
pub fn run_against<'a>(
    cfg: &SessionConfig,
    values: Option<&[BigUint]>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
) -> Result<SessionReport> {
    run_on(cfg, &InMemory::default(), values, sink, extra)
}

/// [`run_against`] on the in-process network `net` (memory or simulated time).
pub fn run_on<'a>(
    cfg: &SessionConfig,
    net: &dyn InProcess,
    values: Option<&[BigUint]>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
) -> Result<SessionReport> {
    cfg.validate()?;
    with_types(
        cfg,
        Whole {
            cfg,
            net,
            values,
            rows: None,
            sink,
            extra,
        },
    )
}

/// [`run_on`] for a vector session ([`SessionConfig::is_vector`]) whose DPs' inputs are
/// `rows` (a values file's, [`crate::func::read_rows`]), one per DP; a scalar session takes
/// rows of one value each as its values.
pub fn run_on_rows<'a>(
    cfg: &SessionConfig,
    net: &dyn InProcess,
    rows: &[crate::func::InputRow],
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
) -> Result<SessionReport> {
    cfg.validate()?;
    if !cfg.is_vector() {
        // One value per DP (sum or mean of dimension 1): today's session, bytes and all.
        let values = rows
            .iter()
            .map(|r| match r {
                crate::func::InputRow::Unsigned(v) if v.len() == 1 => Ok(BigUint::from(v[0])),
                _ => Err(crate::error::RolesError::Config(format!(
                    "an input row {r:?} in a session of one value per DP"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        return run_on(cfg, net, Some(&values), sink, extra);
    }
    with_types(
        cfg,
        Whole {
            cfg,
            net,
            values: None,
            rows: Some(rows),
            sink,
            extra,
        },
    )
}

/// A whole session, as [`with_types`] work.
struct Whole<'a, 'c> {
    cfg: &'c SessionConfig,
    net: &'c dyn InProcess,
    values: Option<&'c [BigUint]>,
    rows: Option<&'c [crate::func::InputRow]>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
}

impl WithTypes for Whole<'_, '_> {
    type Output = SessionReport;
    fn run<B: Backend, S: CipherSuite>(self, suite: S) -> Result<SessionReport> {
        let inputs = Inputs {
            values: self.values,
            rows: self.rows,
        };
        run_with::<B, S>(self.cfg, self.net, suite, inputs, self.sink, self.extra)
    }
}

/// What the DPs aggregate, if given: scalar values, or a vector session's rows (`None`: drawn
/// from the seed or the OS).
#[derive(Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// One value per DP (scalar sessions).
    pub values: Option<&'a [BigUint]>,
    /// One input row per DP (vector sessions).
    pub rows: Option<&'a [crate::func::InputRow]>,
}

/// Run a session with a fixed backend and suite.
pub fn run_with<'a, B: Backend, S: CipherSuite>(
    cfg: &SessionConfig,
    net: &dyn InProcess,
    suite: S,
    given: Inputs<'_>,
    sink: Option<&'a mut dyn EventSink>,
    extra: Box<dyn Adversary + 'a>,
) -> Result<SessionReport> {
    cfg.validate()?;
    let src = cfg.rng_source();
    let values = values_for(cfg, given.values, src)?;
    let inputs = inputs_for(cfg, given.rows, src)?;
    let setup0 = Instant::now();
    let world = world::World::<B, S> {
        cfg,
        suite,
        group: provider_and_group::<B, S>(cfg)?,
        src,
        timeouts: net.timeouts(),
    };
    let (parties, scripted) = world.parties(&values, inputs.as_deref())?;
    let setup_s = setup0.elapsed().as_secs_f64();
    let adversary = Box::new(Stack(vec![Box::new(scripted), extra]));
    let clock = if cfg.seed.is_some() {
        Clock::SEEDED
    } else {
        Clock::System
    };
    let drive = Drive {
        threads: cfg.threads,
        src,
        sink,
        start: clock.now_ms(),
    };
    let (outcome, record) = net.drive(parties, adversary, drive)?;
    report(
        outcome?,
        record,
        &values,
        inputs.as_deref(),
        setup_s,
        world.group.schnorr().is_some_and(|g| g.is_weak()),
    )
}

/// The DPs' values of a seeded or OS-random session (as [`run`] draws them).
pub fn values_of(cfg: &SessionConfig) -> Result<Vec<BigUint>> {
    values_for(cfg, None, cfg.rng_source())
}
