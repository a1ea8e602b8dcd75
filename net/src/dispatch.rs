//! One session on the network a [`NetSpec`] names: the one dispatch over the networks, used by
//! the `dsmpc` binary and the sweep alike.
//!
//! `memory` and `sim` drive the parties in this process (through `dsmpc-roles`' in-process
//! network trait); `process` and `netns` start a `dsmpc node` per host ([`process`],
//! [`netns`]) and feed what the hosts sent to the event sink afterwards, so that a log reads
//! the same on every network.

use std::path::PathBuf;

use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::log::EventSink;
use dsmpc_roles::net::{Honest, InMemory};
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::session::{self, SessionConfig, SessionReport};
use num_bigint::BigUint;

use crate::node::report as node_report;
use crate::process::{self, NetStats, ProcessOptions};
use crate::sim::{Placement, SimConfig};
use crate::{NetSpec, netns};

/// How a session runs on its network, beyond its configuration.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The parties' deadlines.
    pub timeouts: Timeouts,
    /// The DPs' values (`None`: drawn from the seed or the OS).
    pub values: Option<Vec<BigUint>>,
    /// A vector session's input rows, one per DP (`None`: drawn).
    pub rows: Option<Vec<dsmpc_roles::func::InputRow>>,
    /// `sim`: the parties laid out as hosts sharing cores ([`SimConfig::placed`]); `None`:
    /// every party on a machine of its own.
    pub placement: Option<Placement>,
    /// `process`, `netns`: DPs per host.
    pub dps_per_host: usize,
    /// `process`, `netns`: the `dsmpc` executable each host runs.
    pub exe: Option<PathBuf>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            timeouts: Timeouts::default(),
            values: None,
            rows: None,
            placement: None,
            dps_per_host: ProcessOptions::new(PathBuf::new()).dps_per_host,
            exe: None,
        }
    }
}

/// What a session on a network gave.
#[derive(Debug)]
pub struct NetRun {
    /// The session's report, or why it gave no outcome.
    pub report: Result<SessionReport>,
    /// `process`, `netns`: what the network of processes measured.
    pub stats: Option<NetStats>,
}

/// Run one session of `cfg` on `spec`. An error: the network could not run the session at all
/// (bad options, no executable, a host that could not start); a session that ran without an
/// outcome is in [`NetRun::report`].
pub fn run(spec: &NetSpec, cfg: &SessionConfig, opts: &RunOptions, sink: Option<&mut dyn EventSink>) -> Result<NetRun> {
    let values = opts.values.as_deref();
    let in_process = |report| Ok(NetRun { report, stats: None });
    match spec {
        NetSpec::Memory => {
            let net = InMemory(opts.timeouts);
            in_process(match &opts.rows {
                Some(rows) => session::run_on_rows(cfg, &net, rows, sink, Box::new(Honest)),
                None => session::run_on(cfg, &net, values, sink, Box::new(Honest)),
            })
        }
        NetSpec::Sim(profile) => {
            let mut sim = SimConfig::named(profile, opts.timeouts)?;
            if let Some(p) = opts.placement {
                sim = sim.placed(p);
            }
            in_process(match &opts.rows {
                Some(rows) => session::run_on_rows(cfg, &sim, rows, sink, Box::new(Honest)),
                None => session::run_on(cfg, &sim, values, sink, Box::new(Honest)),
            })
        }
        NetSpec::Process | NetSpec::Netns(_) => processes(spec, cfg, opts, sink),
    }
}

/// `process` and `netns`: every host a `dsmpc node`; the sink gets what the hosts sent, then
/// the phases and detections (of the report, or of the hosts when there is none).
fn processes(
    spec: &NetSpec,
    cfg: &SessionConfig,
    opts: &RunOptions,
    sink: Option<&mut dyn EventSink>,
) -> Result<NetRun> {
    let exe = opts
        .exe
        .clone()
        .ok_or_else(|| RolesError::Config(format!("--net {spec} needs the dsmpc executable")))?;
    let popts = ProcessOptions {
        dps_per_host: opts.dps_per_host,
        timeouts: opts.timeouts,
        values: opts.values.clone(),
        rows: opts.rows.clone(),
        ..ProcessOptions::new(exe)
    };
    let run = match spec {
        NetSpec::Netns(p) => netns::run(cfg, &popts, p)?,
        _ => process::run(cfg, &popts)?,
    };
    if let Some(sink) = sink {
        // The hosts' clocks, not one clock: times differ from a memory run's, the lines do not.
        for (src, dst, kind, bytes, payload) in process::log_lines(&run.hosts) {
            sink.message(&src, &dst, kind, bytes as usize, payload as usize);
        }
        if let Ok(r) = &run.report {
            r.phases.iter().for_each(|p| sink.phase(p));
            r.detections.iter().for_each(|d| sink.detection(d));
        } else {
            for h in &run.hosts {
                for d in node_report::detections(h) {
                    sink.detection(&d);
                }
            }
        }
    }
    Ok(NetRun {
        report: run.report,
        stats: Some(run.stats),
    })
}
