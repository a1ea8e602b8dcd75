//! `dsmpc run`: one whole session on the network `--net` names ([`dsmpc_net::run`]), checked
//! against the plaintext; the log written through [`Sink`], which also keeps the detections to
//! print if the run gives no outcome.

use std::process::ExitCode;

use dsmpc_net::sim::Placement;
use dsmpc_net::{NetSpec, RunOptions};
use dsmpc_roles::event::Detection;
use dsmpc_roles::log::{EventSink, JsonlLog};
use dsmpc_roles::metrics::PhaseStats;
use dsmpc_roles::wire::MessageKind;
use dsmpc_roles::{RolesError, SessionConfig, values};

use crate::args::{RunArgs, sim_cores};
use crate::{logged, print};

pub(crate) fn run(a: RunArgs) -> Result<ExitCode, RolesError> {
    let cfg = SessionConfig {
        threads: a.threads,
        faults: a.inject.clone(),
        ..a.session.config()?
    };
    cfg.validate()?;
    let spec: NetSpec = a.net.parse()?;
    let opts = options(&a, &spec, &cfg)?;
    // The output file is made (empty) before any work, so a bad path costs nothing.
    let output = match &a.output {
        Some(p) => Some((
            p,
            std::fs::File::create(p).map_err(|e| RolesError::Config(format!("--output {}: {e}", p.display())))?,
        )),
        None => None,
    };
    // The log target is checked (and its `.partial` created) before any work.
    let log = match &a.log {
        Some(p) => Some(JsonlLog::create(p)?),
        None => None,
    };
    print::header(&cfg);
    let mut sink = Sink {
        log,
        detections: Vec::new(),
    };
    let run = dsmpc_net::run(&spec, &cfg, &opts, Some(&mut sink))?;
    let report = match run.report {
        Ok(r) => r,
        Err(e) => {
            print::detections(&sink.detections);
            if let Some(l) = sink.log {
                let failed = l.fail(&e.to_string());
                eprintln!("log of the failed run: {}", failed.display());
            }
            return Err(e);
        }
    };
    print::outcome(&cfg, &report);
    if let Some((path, file)) = output {
        print::write_output(&cfg, &report, path, file)?;
    }
    print::tables(&report);
    print::network(&report, &spec, opts.placement, run.stats.as_ref());
    if let Some(mut l) = sink.log {
        l.result(logged::result(&cfg, &report));
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

/// How the session runs on `spec`, from the flags: deadlines, values (read and checked now),
/// the simulated hosts of `--sim-cores`, DPs per process and this executable for the hosts.
fn options(a: &RunArgs, spec: &NetSpec, cfg: &SessionConfig) -> Result<RunOptions, RolesError> {
    let placement = match (spec, &a.sim_cores) {
        (NetSpec::Sim(_), Some(c)) => Some(Placement::measured(a.dps_per_process, sim_cores(c)?)?),
        _ => None,
    };
    if a.sim_cores.is_some() && !a.net.starts_with("sim:") {
        return Err(RolesError::Config(format!(
            "--sim-cores works with --net sim:PROFILE only, not --net {}",
            a.net
        )));
    }
    let (values, rows) = match &a.values {
        Some(p) if cfg.is_vector() => (None, Some(dsmpc_roles::func::read_rows(p, cfg.n, &cfg.func_spec())?)),
        Some(p) => (Some(values::read(p, cfg.n, cfg.value_bits)?), None),
        None => (None, None),
    };
    let exe = if spec.uses_processes() {
        let exe = std::env::current_exe()
            .map_err(|e| RolesError::Config(format!("cannot find the dsmpc executable: {e}")))?;
        Some(exe)
    } else {
        None
    };
    Ok(RunOptions {
        timeouts: a.session.timeouts.unwrap_or_default(),
        values,
        rows,
        placement,
        dps_per_host: a.dps_per_process,
        exe,
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
