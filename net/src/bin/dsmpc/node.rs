//! `dsmpc deploy init` and `dsmpc node`: write a deployment; run one host of it and print or
//! write its report.

use std::process::ExitCode;

use dsmpc_net::deploy::{self, Deployment, Layout};
use dsmpc_net::node::report as node_report;
use dsmpc_net::node::{self, NodeOptions};
use dsmpc_roles::{RolesError, SessionConfig, func, values};

use crate::args::{DeployArgs, NodeArgs};

pub(crate) fn deploy_init(a: DeployArgs) -> Result<ExitCode, RolesError> {
    let cfg = a.session.config()?;
    cfg.validate()?;
    for addr in &a.addrs {
        if addr.parse::<std::net::SocketAddr>().is_ok()
            || (addr.contains(':') && addr.parse::<std::net::IpAddr>().is_err())
        {
            return Err(RolesError::Config(format!(
                "--addr {addr}: give an address without a port (ports are PORT + i: use --base-port PORT)"
            )));
        }
    }
    // Checked (count, range; line and column) before anything is written.
    let (vals, rows) = match &a.values {
        Some(p) if cfg.is_vector() => (None, Some(func::read_rows(p, cfg.n, &cfg.func_spec())?)),
        Some(p) => (Some(values::read(p, cfg.n, cfg.value_bits)?), None),
        None => (None, None),
    };
    let layout = Layout {
        dps_per_host: a.dps_per_host,
        addrs: a.addrs.clone(),
        base_port: a.base_port,
        ports: Vec::new(),
    };
    let timeouts = a.session.timeouts.unwrap_or_default();
    let d = deploy::init_with_inputs(&a.dir, &cfg, timeouts, &layout, vals.as_deref(), rows.as_deref())?;
    print!("{}", deploy::describe(&d, &a.dir));
    Ok(ExitCode::SUCCESS)
}

/// `--report FILE` checked before the session: a writable regular file or a new one in an
/// existing, writable directory (a report that cannot be written would otherwise fail only
/// after the session).
fn check_report_target(p: &std::path::Path) -> Result<(), RolesError> {
    let bad = |why: String| RolesError::Config(format!("--report {}: {why}", p.display()));
    if let Ok(m) = std::fs::metadata(p) {
        if !m.is_file() {
            return Err(bad("exists and is not a regular file".into()));
        }
        return std::fs::OpenOptions::new()
            .append(true)
            .open(p)
            .map(drop)
            .map_err(|e| bad(format!("cannot be written: {e}")));
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if !parent.is_dir() {
        return Err(bad(format!(
            "the directory {} does not exist: make it first",
            parent.display()
        )));
    }
    let probe = tempfile::Builder::new().prefix(".dsmpc-report-").tempfile_in(parent);
    probe
        .map(drop)
        .map_err(|e| bad(format!("cannot write into {}: {e}", parent.display())))
}

pub(crate) fn node(a: NodeArgs) -> Result<ExitCode, RolesError> {
    let started = std::time::Instant::now();
    let max_wall = std::time::Duration::from_secs(a.max_wall);
    node_watchdog(max_wall);
    if let Some(p) = &a.report {
        check_report_target(p)?;
    }
    let d = Deployment::load(&a.deployment)?;
    let host = d.host(&a.host)?.clone();
    // This host's own keys (hosts/NAME/) and everyone's public keys (roster.toml); nothing else.
    let hosted = deploy::hosted_with_faults(&a.deployment, &d, &host, &a.inject)?;
    let opts = NodeOptions {
        dir: a.deployment.clone(),
        host: a.host.clone(),
        control: a.control,
        connect_timeout: std::time::Duration::from_secs(a.connect_timeout),
        max_wall: max_wall.saturating_sub(started.elapsed()),
        trace: a.trace,
        link: a.link.as_deref().map(dsmpc_net::link::profile).transpose()?,
        listen_fd: a.listen_fd,
    };
    let r = node::run_node(&opts, &d, hosted.digest, hosted.parties, hosted.setup_s)?;
    let json = serde_json::to_string(&r).map_err(|e| RolesError::Config(e.to_string()))?;
    if let Some(p) = &a.report {
        std::fs::write(p, &json).map_err(|e| RolesError::Config(format!("cannot write {}: {e}", p.display())))?;
    }
    let text = if a.control {
        format!("report {json}\n")
    } else {
        node_summary(&r, &d.config()?)?
    };
    // A closed stdout (the reader went away) is no reason to panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
    Ok(match (&r.failed, r.signal) {
        (_, Some(2)) => ExitCode::from(130),
        (_, Some(15)) => ExitCode::from(143),
        (Some(f), _) => {
            eprintln!("error: {f}");
            ExitCode::from(1)
        }
        (None, _) => ExitCode::SUCCESS,
    })
}

/// End the process 3 s after `max_wall` whatever it is doing (a hard bound: set-up, a stuck
/// flush or a slow peer cannot stretch it).
fn node_watchdog(max_wall: std::time::Duration) {
    let Some(bound) = max_wall.checked_add(std::time::Duration::from_secs(3)) else {
        return;
    };
    std::thread::spawn(move || {
        std::thread::sleep(bound);
        eprintln!(
            "error: --max-wall {} s reached and the host did not stop: exiting",
            max_wall.as_secs()
        );
        std::process::exit(1);
    });
}

/// What `dsmpc node` prints without `--control`: how the session ended, what was detected and
/// refused (every peer's text escaped), and the result only where this host's Edge gave it.
fn node_summary(r: &node_report::NodeReport, cfg: &SessionConfig) -> Result<String, RolesError> {
    use std::fmt::Write as _;
    let esc = dsmpc_net::frame::escaped;
    let mut s = String::new();
    let _ = writeln!(s, "host {}: {}", r.host, r.ended);
    for d in node_report::detections(r) {
        let _ = writeln!(s, "  detected: {}", esc(&d.to_string()));
    }
    for x in &r.refused {
        let _ = writeln!(s, "  refused {}: {}", esc(&x.peer), esc(&x.reason));
    }
    for (peer, n) in &r.refused_more {
        let _ = writeln!(s, "  refused {}: {n} more (counted, not kept)", esc(peer));
    }
    for x in &r.unreachable {
        let _ = writeln!(s, "  unreachable {}: {}", esc(&x.peer), esc(&x.reason));
    }
    match node_report::outcome(r) {
        // No host knows the DPs' values but their own hosts: compare with the sum of the
        // hosts/dps-*/values files where the deployment was made.
        Some(o) if o.vector.is_none() => {
            let _ = writeln!(s, "  sum = {}  average = {}  ({})", o.sum, o.average(6), o.check);
        }
        Some(o) => {
            let agg = o.vector.as_deref().unwrap_or_default();
            let _ = writeln!(s, "  {} over {} DPs ({}):", cfg.func, o.n, o.check);
            match func::decode(&cfg.func_spec(), o.n, agg) {
                Ok(r) => r.to_string().lines().for_each(|l| {
                    let _ = writeln!(s, "    {l}");
                }),
                Err(e) => {
                    let _ = writeln!(s, "    cannot be read as {}: {e}", cfg.func);
                }
            }
        }
        None => {}
    }
    let _ = writeln!(
        s,
        "  cpu {:.3} s, wall {:.3} s, TLS bytes out {} in {}, connections out {} in {}",
        r.process_cpu_s, r.wall_s, r.tls_bytes_out, r.tls_bytes_in, r.connections_out, r.connections_in
    );
    Ok(s)
}
