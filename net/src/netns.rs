//! `dsmpc run --net netns:PROFILE` (as root): every host a process in its own network
//! namespace, joined by a veth pair to one bridge, TLS over real interfaces.
//!
//! Per host: namespace `dsmpc-ID-I`, veth `dID-I` (bridge side) / `dID-Ip` (host side, address
//! 10.77.x.y/16), bridge `dID-br`; ID is the controller's pid and one digit counting its runs
//! (`PID * 10 + run % 10`), unique among the controllers running, and what a controller killed
//! with SIGKILL left is recognised by its pid and removed by the next run ([`reap`]). The
//! host side of each veth pair has its egress shaped by a token bucket (`tc qdisc ... tbf`) at the profile's
//! bandwidth for the host's link (vehicles: vehicle_edge; the Edge: vehicle_edge; the Cloud:
//! edge_cloud). Latency and jitter are applied by the hosts' transport with the link emulator the
//! `sim` network uses (`dsmpc node --link PROFILE`): this kernel has no netem (`sch_netem`), and
//! the run records which applied it ([`crate::process::NetStats::latency_by`]). The transport
//! also holds a new connection's first message for the two round trips of TCP and TLS 1.3
//! set-up, which netem would have imposed on the handshake packets. Interface
//! counters give the bytes on the wire with IP and TCP overhead.
//!
//! Everything made is removed when the run ends, on success, on failure, on SIGINT and on
//! SIGTERM ([`Topology`]'s drop: processes first, then namespaces, veths and the bridge).
//!
//! The kernel keeps one neighbour (ARP) table for all namespaces, bounded by the initial
//! namespace's `net.ipv4.neigh.default.gc_thresh2/3` (by default 512 and 1,024 entries). Hosts
//! that each know every other overflow it beyond about 32 hosts ("neighbor table overflow" in
//! the kernel log; connections then fail with "No route to host" or wait out SYN back-offs:
//! n = 500 at 10 DPs per host took 38 s instead of 5 s, or failed). The run raises the two
//! limits to cover every pair of hosts when they are lower, and puts them back at the end if
//! nobody changed them meanwhile.

use std::path::Path;
use std::process::Command;

use crate::deploy::{Deployment, Layout};
use crate::link::{Class, Profile};
use crate::process::{self, Env, NetStats, ProcessOptions, ProcessRun};
use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::session::SessionConfig;

/// Run `ip`/`tc` with `args` to build the topology; an error names the command. After Ctrl-C no
/// further command starts, and a command that failed because Ctrl-C reached it too is
/// reported as the interruption, not as a configuration error.
fn sh(cmd: &str, args: &[&str]) -> Result<()> {
    process::interrupted()?;
    run_sh(cmd, args).or_else(|e| {
        process::interrupted()?;
        Err(e)
    })
}

/// Run `ip`/`tc` with `args`, whatever happened before (the teardown uses this).
fn run_sh(cmd: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| RolesError::Config(format!("cannot run {cmd}: {e} (netns needs iproute2)")))?;
    if !out.status.success() {
        return Err(RolesError::Config(format!(
            "{cmd} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Whether network namespaces can be made here (root, iproute2, kernel support).
pub fn available() -> std::result::Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err("network namespaces need root".into());
    }
    let probe = format!("dsmpc-probe-{}", std::process::id());
    sh("ip", &["netns", "add", &probe]).map_err(|e| e.to_string())?;
    let _ = run_sh("ip", &["netns", "del", &probe]);
    Ok(())
}

/// The namespaces, links and bridge of one run; removed on drop.
pub struct Topology {
    id: u64,
    name: String,
    profile: Profile,
    hosts: usize,
    made_ns: Vec<String>,
    made_links: Vec<String>,
    bridge: Option<String>,
    /// Kernel limits raised for the run: (file, value before, value set).
    raised: Vec<(String, String, String)>,
}

/// The neighbour-table limits (in the initial namespace, for all namespaces).
const NEIGH_LIMITS: [&str; 2] = [
    "/proc/sys/net/ipv4/neigh/default/gc_thresh2",
    "/proc/sys/net/ipv4/neigh/default/gc_thresh3",
];

impl Topology {
    fn new(name: &str, profile: Profile) -> Topology {
        Topology {
            id: {
                static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                u64::from(std::process::id()) * 10 + run % 10
            },
            name: name.to_string(),
            profile,
            hosts: 0,
            made_ns: Vec::new(),
            made_links: Vec::new(),
            bridge: None,
            raised: Vec::new(),
        }
    }

    /// The namespace of host `i`.
    pub fn ns(&self, i: usize) -> String {
        format!("dsmpc-{}-{i}", self.id)
    }

    fn veth(&self, i: usize) -> (String, String) {
        (format!("d{}-{i}", self.id), format!("d{}-{i}p", self.id))
    }

    fn addr(i: usize) -> String {
        format!("10.77.{}.{}", (i + 1) / 250, (i + 1) % 250 + 1)
    }

    /// Bytes the hosts sent, from the bridge side's receive counters.
    fn sent_bytes(&self) -> Option<u64> {
        let mut total = 0;
        for i in 0..self.hosts {
            let (bridge_side, _) = self.veth(i);
            let f = format!("/sys/class/net/{bridge_side}/statistics/rx_bytes");
            total += std::fs::read_to_string(f).ok()?.trim().parse::<u64>().ok()?;
        }
        Some(total)
    }

    /// The egress bandwidth of host `name`.
    fn rate_mbps(&self, name: &str) -> f64 {
        let class = match name {
            "cloud" => Class::EdgeCloud,
            _ => Class::VehicleEdge,
        };
        self.profile.link(class).bandwidth_mbps
    }
}

impl Topology {
    /// Make room in the neighbour table for `hosts` that may each know all others (and what
    /// else the machine has): raise the limits that leave less than that and half the table
    /// for the rest, remembering them.
    fn raise_neigh_limits(&mut self, hosts: usize) -> Result<()> {
        let need = hosts * hosts + 1024;
        for f in NEIGH_LIMITS {
            let Ok(old) = std::fs::read_to_string(f) else { continue };
            let old = old.trim().to_string();
            // Room for half the table for others (the machine's own, other runs) will do.
            if old.parse::<usize>().is_ok_and(|v| hosts * hosts <= v / 2) {
                continue;
            }
            std::fs::write(f, need.to_string()).map_err(|e| {
                RolesError::Config(format!(
                    "{hosts} namespaces need {need} entries in the kernel's neighbour table but {f} is {old} and cannot be raised: {e}"
                ))
            })?;
            self.raised.push((f.to_string(), old, need.to_string()));
        }
        Ok(())
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        for (f, old, ours) in self.raised.drain(..).rev() {
            if std::fs::read_to_string(&f).is_ok_and(|v| v.trim() == ours) {
                let _ = std::fs::write(&f, old);
            }
        }
        for ns in self.made_ns.drain(..).rev() {
            let _ = run_sh("ip", &["netns", "del", &ns]);
        }
        for l in self.made_links.drain(..).rev() {
            let _ = run_sh("ip", &["link", "del", &l]);
        }
        if let Some(b) = self.bridge.take() {
            let _ = run_sh("ip", &["link", "del", &b]);
        }
    }
}

impl Env for Topology {
    fn layout(&mut self, hosts: usize, dps_per_host: usize) -> Result<Layout> {
        Ok(Layout {
            dps_per_host,
            addrs: (0..hosts).map(Topology::addr).collect(),
            base_port: 7100,
            ports: Vec::new(),
        })
    }

    fn prepare(&mut self, d: &Deployment) -> Result<()> {
        let longest = self.veth(d.hosts.len().saturating_sub(1)).1;
        if longest.len() > MAX_IFNAME {
            return Err(RolesError::Config(format!(
                "{} hosts in namespaces need interface names such as {longest}, longer than the kernel's {MAX_IFNAME} characters: \
                 put more DPs on a host (--dps-per-process)",
                d.hosts.len()
            )));
        }
        self.raise_neigh_limits(d.hosts.len())?;
        let bridge = format!("d{}-br", self.id);
        sh("ip", &["link", "add", &bridge, "type", "bridge"])?;
        self.bridge = Some(bridge.clone());
        sh("ip", &["link", "set", &bridge, "up"])?;
        for (i, h) in d.hosts.iter().enumerate() {
            let ns = self.ns(i);
            sh("ip", &["netns", "add", &ns])?;
            self.made_ns.push(ns.clone());
            let (b, p) = self.veth(i);
            sh("ip", &["link", "add", &b, "type", "veth", "peer", "name", &p])?;
            self.made_links.push(b.clone());
            self.hosts = i + 1;
            sh("ip", &["link", "set", &p, "netns", &ns])?;
            sh("ip", &["link", "set", &b, "master", &bridge])?;
            sh("ip", &["link", "set", &b, "up"])?;
            let inside = |args: &[&str]| {
                let mut all = vec!["netns", "exec", ns.as_str(), "ip"];
                all.extend_from_slice(args);
                sh("ip", &all)
            };
            inside(&["addr", "add", &format!("{}/16", Topology::addr(i)), "dev", &p])?;
            inside(&["link", "set", &p, "up"])?;
            inside(&["link", "set", "lo", "up"])?;
            let rate = format!("{}kbit", (self.rate_mbps(&h.name) * 1000.0).round().max(8.0) as u64);
            sh(
                "ip",
                &[
                    "netns", "exec", &ns, "tc", "qdisc", "add", "dev", &p, "root", "tbf", "rate", &rate, "burst",
                    "64kb", "latency", "1000ms",
                ],
            )?;
        }
        Ok(())
    }

    fn command(&self, i: usize, exe: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.ns(i)]).arg(exe);
        c
    }

    fn node_args(&self, _i: usize) -> Vec<String> {
        vec!["--link".into(), self.name.clone()]
    }

    fn measure(&mut self, stats: &mut NetStats) {
        stats.interface_bytes = self.sent_bytes();
        stats.latency_by =
            Some("transport (no netem in this kernel; connection set-up round trips included); bandwidth: tbf".into());
    }
}

/// The longest interface name the kernel takes (`IFNAMSIZ` - 1).
const MAX_IFNAME: usize = 15;

/// The pid of the controller that made namespace `dsmpc-ID-I` or link `dID-I`, `dID-Ip`,
/// `dID-br` (ID = pid * 10 + run), if `name` is one of those.
pub fn owner(name: &str) -> Option<i32> {
    let (id, rest) = if let Some(r) = name.strip_prefix("dsmpc-") {
        r.split_once('-')?
    } else {
        name.strip_prefix('d')?.split_once('-')?
    };
    let host = rest.strip_suffix('p').unwrap_or(rest);
    let ours = rest == "br" || (!host.is_empty() && host.bytes().all(|b| b.is_ascii_digit()));
    if !ours || id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    i32::try_from(id.parse::<u64>().ok()? / 10).ok()
}

/// Remove the namespaces and links that controllers no longer running left (killed with
/// SIGKILL, which no cleanup survives): those [`owner`] names a dead pid, and on the first
/// call in a process also those of this pid (a former process that had it). Returns what it
/// removed.
pub fn reap() -> Vec<String> {
    static FIRST: std::sync::Once = std::sync::Once::new();
    let mut first = false;
    FIRST.call_once(|| first = true);
    let me = std::process::id() as i32;
    let stale = |name: &str| owner(name).is_some_and(|pid| (first && pid == me) || !process::pid_alive(pid));
    let listed = |args: &[&str]| -> Vec<String> {
        Command::new("ip")
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let mut removed = Vec::new();
    // A namespace's deletion takes the veth end inside it, and with it the pair.
    for l in listed(&["netns", "list"]) {
        let name = l.split_whitespace().next().unwrap_or("");
        if stale(name) && run_sh("ip", &["netns", "del", name]).is_ok() {
            removed.push(name.to_string());
        }
    }
    for l in listed(&["-o", "link"]) {
        let Some(name) = l.split(": ").nth(1).map(|n| n.split('@').next().unwrap_or(n)) else {
            continue;
        };
        if stale(name) && run_sh("ip", &["link", "del", name]).is_ok() {
            removed.push(name.to_string());
        }
    }
    removed
}

/// Run `cfg` with every host in its own namespace, links as profile `name` says.
pub fn run(cfg: &SessionConfig, opts: &ProcessOptions, name: &str) -> Result<ProcessRun> {
    available().map_err(|e| RolesError::Config(format!("--net netns: {e}")))?;
    reap();
    let mut topo = Topology::new(name, crate::link::profile(name)?);
    process::run_in(cfg, opts, &mut topo)
}
