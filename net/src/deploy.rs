//! Deployment directories: what `dsmpc deploy init` writes and `dsmpc node` reads.
//!
//! ```text
//! DIR/deployment.toml       parameters, deadlines, every host's name, address and parties   (public)
//! DIR/ca.pem                the deployment's CA certificate (its private key is not kept)    (public)
//! DIR/roster.toml           every party's public protocol keys (roster::Roster)              (public)
//! DIR/hosts/NAME/           NAME's own files (mode 0700; each private file 0600):
//!     cert.pem, key.pem     its TLS certificate (subject alternative name: NAME) and key
//!     *.key, values         its parties' protocol keys and its DPs' values (see `secrets`)
//! ```
//!
//! A *host* is one process: `cloud`, `edge`, `cp-V` (the candidate CP with VID V) or `dps-G`
//! (a fleet of DPs, numbers `dps = [first, last]`, behind one link). Its certificate names it,
//! and the network takes that name, checked by TLS, as who sent what: a host may send as the
//! parties it hosts and as nobody else ([`Host::hosts`]). A machine that runs host NAME gets
//! the three public files and `hosts/NAME/`, and nothing else.
//!
//! [`init`] makes every party's protocol keys and the DPs' values once and writes each private
//! key only into its host's directory (`generate`); [`hosted()`] builds a host's parties from its
//! own directory and the roster and never derives a key. Without `--seed` keys and values come
//! from the operating system. With a seed they are derived from it exactly as a seeded
//! in-process session derives them (reproducible research runs): **a seeded deployment's keys
//! are derivable by anyone who has its seed**, which `deployment.toml` records; such a
//! deployment is for experiments only.
//!
//! [`Deployment::parse`] is a pure function from bytes (fuzzable); [`init`] writes a directory.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use dsmpc_core::pvss::VerifyMode;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};

use dsmpc_roles::error::{Result, RolesError};
use dsmpc_roles::parties::{PartyId, Timeouts};
use dsmpc_roles::session::SessionConfig;

mod digest;
mod generate;
mod hosted;
mod inputs;
mod params;
mod pki;
pub mod roster;
mod secrets;

pub use digest::{DeploymentDigest, digest, encode as digest_encoding};
pub use hosted::{Hosted, acts_at_a_party, hosted, hosted_with_faults};
pub use inputs::inputs;
pub use params::{Params, TimeoutsMs};
pub use pki::Pki;
use pki::tls_err;
pub use roster::Roster;

/// The largest deployment file accepted.
pub const MAX_FILE: usize = 4 << 20;

/// One host of a deployment.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// `cloud`, `edge`, `cp-V` or `dps-G`.
    pub name: String,
    /// Where the others reach it, `host:port`.
    pub addr: String,
    /// Where it listens, if not `addr` (for example `0.0.0.0:7000` behind NAT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    /// `dps-G` only: the first and last DP number it hosts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dps: Option<[u32; 2]>,
}

impl Host {
    /// Whether this host may send as (and receives for) `p`.
    pub fn hosts(&self, p: PartyId) -> bool {
        match (p, self.role()) {
            (PartyId::Cloud, Some(Role::Cloud)) | (PartyId::Edge, Some(Role::Edge)) => true,
            (PartyId::Cp(v), Some(Role::Cp(w))) => v == w,
            (PartyId::Dp(d), Some(Role::Dps(a, b))) => (a..=b).contains(&d),
            _ => false,
        }
    }

    /// What the name says this host is.
    pub fn role(&self) -> Option<Role> {
        match self.name.as_str() {
            "cloud" => Some(Role::Cloud),
            "edge" => Some(Role::Edge),
            n => {
                if let Some(v) = n.strip_prefix("cp-") {
                    // One spelling per VID (no sign, no leading zero): `cp-1` and `cp-01`
                    // would otherwise be two hosts for one CP.
                    let canonical = v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0');
                    v.parse().ok().filter(|v| canonical && *v > 0).map(Role::Cp)
                } else if let Some(g) = n.strip_prefix("dps-") {
                    // The name is a directory and a certificate name: one path component.
                    let safe = !g.is_empty()
                        && g.len() <= 60
                        && g.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
                    self.dps.filter(|_| safe).map(|[a, b]| Role::Dps(a, b))
                } else {
                    None
                }
            }
        }
    }

    /// The address to listen on.
    pub fn listen_addr(&self) -> &str {
        self.listen.as_deref().unwrap_or(&self.addr)
    }
}

/// What a host is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The Cloud.
    Cloud,
    /// The Edge.
    Edge,
    /// Candidate CP with this VID.
    Cp(u32),
    /// DPs first..=last.
    Dps(u32, u32),
}

/// A deployment file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// Parameters.
    pub session: Params,
    /// Deadlines.
    pub timeouts: TimeoutsMs,
    /// Every host.
    pub hosts: Vec<Host>,
}

/// A file's `group` and `group_bits` must name the same group (`dsmpc deploy init` writes both).
fn same_group_bits(cfg: &SessionConfig, group_bits: u32) -> std::result::Result<(), String> {
    if cfg.group.group_bits() == group_bits {
        return Ok(());
    }
    Err(format!(
        "group {} has group_bits = {}, but the file says {group_bits}: write both as `dsmpc deploy init` does",
        cfg.group,
        cfg.group.group_bits()
    ))
}

impl Deployment {
    /// Parse and check a deployment file: every field, every party hosted exactly once, names
    /// unique and well formed, the parameters a valid session.
    pub fn parse(bytes: &[u8]) -> Result<Deployment> {
        let bad = |s: String| RolesError::Config(format!("deployment.toml: {s}"));
        if bytes.len() > MAX_FILE {
            return Err(bad(format!("larger than {MAX_FILE} bytes")));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8".into()))?;
        let d: Deployment = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let cfg = d.config()?;
        cfg.validate().map_err(|e| bad(e.to_string()))?;
        same_group_bits(&cfg, d.session.group_bits).map_err(bad)?;
        let mut names = BTreeSet::new();
        let mut cps = BTreeSet::new();
        let mut dps: Vec<(u32, u32, &str)> = Vec::new();
        let (mut cloud, mut edge) = (0, 0);
        for h in &d.hosts {
            if !names.insert(h.name.as_str()) {
                return Err(bad(format!("host {:?} appears twice", h.name)));
            }
            if h.addr
                .rsplit_once(':')
                .and_then(|(_, p)| p.parse::<u16>().ok())
                .is_none()
            {
                return Err(bad(format!("host {}: address {:?} is not host:port", h.name, h.addr)));
            }
            if h.dps.is_some() && !h.name.starts_with("dps-") {
                return Err(bad(format!("host {}: only dps-G hosts have `dps`", h.name)));
            }
            match h.role() {
                Some(Role::Cloud) => cloud += 1,
                Some(Role::Edge) => edge += 1,
                Some(Role::Cp(v)) => {
                    if v as usize > cfg.m {
                        return Err(bad(format!(
                            "host {}: VID {v} but only {} candidate CPs",
                            h.name, cfg.m
                        )));
                    }
                    cps.insert(v);
                }
                Some(Role::Dps(a, b)) => {
                    if a == 0 || a > b || b as usize > cfg.n {
                        return Err(bad(format!(
                            "host {}: dps = [{a}, {b}] not within 1..={}",
                            h.name, cfg.n
                        )));
                    }
                    dps.push((a, b, h.name.as_str()));
                }
                None => {
                    return Err(bad(format!(
                        "host name {:?}: use cloud, edge, cp-V (V = 1, 2, ... without leading zeros) or dps-G (G: letters, digits, - or _; with dps = [first, last])",
                        h.name
                    )));
                }
            }
        }
        if cloud != 1 || edge != 1 {
            return Err(bad("exactly one cloud and one edge host are needed".into()));
        }
        if cps.len() != cfg.m {
            let missing: Vec<u32> = (1..=cfg.m as u32).filter(|v| !cps.contains(v)).collect();
            return Err(bad(format!("no host for candidate CPs {missing:?}")));
        }
        dps.sort();
        let mut next = 1u32;
        for (a, b, name) in &dps {
            if *a != next {
                return Err(bad(format!(
                    "DPs from {next} are not hosted where {name} starts at {a} (ranges must cover 1..={} once)",
                    cfg.n
                )));
            }
            next = b + 1;
        }
        if next as usize != cfg.n + 1 {
            return Err(bad(format!("DPs {next}..={} have no host", cfg.n)));
        }
        Ok(d)
    }

    /// The session configuration (its parameters were parsed when the file was read; an
    /// error is kept for callers that check it).
    pub fn config(&self) -> Result<SessionConfig> {
        let p = &self.session;
        Ok(SessionConfig {
            n: p.dps,
            m: p.cps,
            capacity: p.capacity,
            t: p.threshold,
            suite: p.suite,
            provider: p.provider,
            rsa_bits: p.rsa_bits,
            group: p.group(),
            backend: p.backend,
            verify: p.verify,
            seed: p.seed,
            value_bits: p.value_bits,
            func: p.func,
            dim: p.dim,
            frac_bits: p.frac_bits,
            freshness_s: p.freshness_s,
            threads: 1,
            faults: Vec::new(),
        })
    }

    /// The deadlines.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            selection_ms: self.timeouts.selection_ms,
            shares_ms: self.timeouts.shares_ms,
            round_ms: self.timeouts.round_ms,
        }
    }

    /// The host named `name`.
    pub fn host(&self, name: &str) -> Result<&Host> {
        self.hosts.iter().find(|h| h.name == name).ok_or_else(|| {
            let all: Vec<&str> = self.hosts.iter().map(|h| h.name.as_str()).collect();
            RolesError::Config(format!(
                "no host {name:?} in this deployment (hosts: {})",
                all.join(", ")
            ))
        })
    }

    /// The host of party `p`.
    pub fn host_of(&self, p: PartyId) -> Option<&Host> {
        self.hosts.iter().find(|h| h.hosts(p))
    }

    /// The file's text.
    pub fn to_toml(&self) -> Result<String> {
        let body = toml::to_string(self).map_err(|e| RolesError::Config(format!("deployment.toml: {e}")))?;
        let keys = match self.session.seed {
            Some(s) => format!(
                "# SEEDED (seed {s}): every party's protocol keys and the DPs' values derive from the seed, so\n\
                 # anyone who has this file can derive every private key. For reproducible experiments only.\n"
            ),
            None => "# Protocol keys and values were drawn from the operating system; each host's private ones\n\
                     # are only in hosts/NAME/. Copy this file, roster.toml and ca.pem to every host.\n"
                .to_string(),
        };
        Ok(format!(
            "# dsmpc deployment (dsmpc deploy init). Addresses may be edited (certificates name hosts,\n\
             # not addresses); anything else: run init again.\n{keys}{body}"
        ))
    }

    /// Read `DIR/deployment.toml`.
    pub fn load(dir: &Path) -> Result<Deployment> {
        let f = dir.join("deployment.toml");
        if !f.exists() {
            return Err(RolesError::Config(format!(
                "cannot read {}: no such file (make one with `dsmpc deploy init DIR`)",
                f.display()
            )));
        }
        let bytes = dsmpc_roles::files::read_limited(&f, "deployment file", dsmpc_roles::files::MAX_DEPLOYMENT)?;
        Deployment::parse(&bytes)
    }
}

/// How to lay a deployment out.
#[derive(Clone, Debug)]
pub struct Layout {
    /// DPs per `dps-G` host.
    pub dps_per_host: usize,
    /// IP or name every host gets (all on one machine), or one per host in order.
    pub addrs: Vec<String>,
    /// First port; host i listens on `base_port + i` (0: a free port each, chosen now).
    pub base_port: u16,
    /// Host i's port, where given (overrides `base_port`): `--net process` binds every host's
    /// listener itself and hands it to the host, so that no other process can take the port
    /// between the choice and the host's start.
    pub ports: Vec<u16>,
}

/// The hosts of a session `cfg` laid out as `layout` says.
pub fn hosts(cfg: &SessionConfig, layout: &Layout) -> Result<Vec<Host>> {
    let mut names = vec!["cloud".to_string(), "edge".to_string()];
    names.extend((1..=cfg.m).map(|v| format!("cp-{v}")));
    let per = layout.dps_per_host.max(1);
    let groups = cfg.n.div_ceil(per);
    names.extend((1..=groups).map(|g| format!("dps-{g}")));
    let mut out = Vec::new();
    for (i, name) in names.into_iter().enumerate() {
        let ip = match layout.addrs.len() {
            0 => "127.0.0.1".to_string(),
            1 => layout.addrs[0].clone(),
            _ => layout.addrs.get(i).cloned().ok_or_else(|| {
                RolesError::Config(format!(
                    "{} addresses for more hosts; give one, or one per host",
                    layout.addrs.len()
                ))
            })?,
        };
        let port = if let Some(p) = layout.ports.get(i) {
            *p
        } else if layout.base_port == 0 {
            free_port(&ip)?
        } else {
            u16::try_from(u32::from(layout.base_port) + i as u32)
                .map_err(|_| RolesError::Config("ports run past 65535: choose a lower --base-port".into()))?
        };
        let dps = name
            .strip_prefix("dps-")
            .and_then(|g| g.parse::<usize>().ok())
            .map(|g| {
                let first = (g - 1) * per + 1;
                [first as u32, (g * per).min(cfg.n) as u32]
            });
        out.push(Host {
            name,
            addr: format!("{ip}:{port}"),
            listen: None,
            dps,
        });
    }
    Ok(out)
}

/// A port free on `ip` now (the OS picks it).
fn free_port(ip: &str) -> Result<u16> {
    let l = std::net::TcpListener::bind((ip, 0))
        .map_err(|e| RolesError::Config(format!("cannot find a free port on {ip}: {e}")))?;
    Ok(l.local_addr().map_err(|e| RolesError::Config(e.to_string()))?.port())
}

/// Whether the DPs sign their commitments (`vss`), so that the deployment gives each DP a
/// signing key and the roster its verification key.
pub(crate) fn signs_commitments(verify: VerifyMode) -> bool {
    verify == VerifyMode::Vss
}

/// Write a deployment directory: `deployment.toml`, a fresh CA, a certificate and key per host,
/// every party's protocol keys (each private key in its host's directory only, the public ones
/// in `roster.toml`) and each DP host's values; from the OS, or from `cfg.seed` if set.
/// Refuses a directory that already holds a deployment.
pub fn init(dir: &Path, cfg: &SessionConfig, timeouts: Timeouts, layout: &Layout) -> Result<Deployment> {
    init_with_values(dir, cfg, timeouts, layout, None)
}

/// [`init`] with the DPs' values given (`None`: drawn), written into the DP hosts' directories.
pub fn init_with_values(
    dir: &Path,
    cfg: &SessionConfig,
    timeouts: Timeouts,
    layout: &Layout,
    values: Option<&[BigUint]>,
) -> Result<Deployment> {
    init_with_inputs(dir, cfg, timeouts, layout, values, None)
}

/// [`init`] with the DPs' values (a scalar session) or input rows (a vector session, one line
/// of `input_len` values per DP) given; `None`: drawn.
pub fn init_with_inputs(
    dir: &Path,
    cfg: &SessionConfig,
    timeouts: Timeouts,
    layout: &Layout,
    values: Option<&[BigUint]>,
    rows: Option<&[dsmpc_roles::func::InputRow]>,
) -> Result<Deployment> {
    let d = Deployment {
        session: Params {
            dps: cfg.n,
            cps: cfg.m,
            capacity: cfg.capacity,
            threshold: cfg.t,
            suite: cfg.suite,
            provider: cfg.provider,
            rsa_bits: cfg.rsa_bits,
            group_bits: cfg.group.group_bits(),
            group: Some(cfg.group),
            backend: cfg.backend,
            verify: cfg.verify,
            seed: cfg.seed,
            value_bits: cfg.value_bits,
            func: cfg.func,
            dim: cfg.dim,
            frac_bits: cfg.frac_bits,
            freshness_s: cfg.freshness_s,
        },
        timeouts: TimeoutsMs {
            selection_ms: timeouts.selection_ms,
            shares_ms: timeouts.shares_ms,
            round_ms: timeouts.round_ms,
        },
        hosts: hosts(cfg, layout)?,
    };
    let text = d.to_toml()?;
    // What we write must be what we read.
    Deployment::parse(text.as_bytes())?;
    if dir.join("deployment.toml").exists() {
        return Err(RolesError::Config(format!(
            "{} already holds a deployment; choose a new directory",
            dir.display()
        )));
    }
    let io = |what: &Path, e: std::io::Error| RolesError::Config(format!("cannot write {}: {e}", what.display()));
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let pki = Pki::new().map_err(tls_err)?;
    write(&dir.join("ca.pem"), pki.ca_pem().as_bytes(), false)?;
    let hosts = dir.join("hosts");
    std::fs::create_dir_all(&hosts).map_err(|e| io(&hosts, e))?;
    for h in &d.hosts {
        let (cert, key) = pki.issue(&h.name).map_err(tls_err)?;
        let hd = host_dir(dir, &h.name);
        {
            use std::os::unix::fs::DirBuilderExt;
            std::fs::DirBuilder::new()
                .mode(0o700)
                .create(&hd)
                .map_err(|e| io(&hd, e))?;
        }
        write(&hd.join("cert.pem"), cert.as_bytes(), false)?;
        write(&hd.join("key.pem"), key.as_bytes(), true)?;
    }
    let roster = generate::keys_and_values(dir, cfg, &d, values, rows)?;
    write(&Roster::path(dir), roster.to_toml()?.as_bytes(), false)?;
    write(&dir.join("deployment.toml"), text.as_bytes(), false)?;
    Ok(d)
}

/// Every DP's value, read from the DP hosts' directories of deployment `d` in `dir` (the
/// launcher of `run --net process`, which wrote them, compares the outcome with their sum). A
/// vector session's scalar values are zero (its inputs: [`inputs()`]).
pub fn values(dir: &Path, d: &Deployment) -> Result<Vec<BigUint>> {
    if d.config()?.is_vector() {
        return Ok(vec![BigUint::default(); d.session.dps]);
    }
    let files = secrets::HostFiles {
        dir,
        seed: d.session.seed,
    };
    let mut all = Vec::with_capacity(d.session.dps);
    for (a, b, name) in dp_hosts(d) {
        all.extend(files.read_values(name, (b - a + 1) as usize, d.session.value_bits)?);
    }
    Ok(all)
}

/// The DP hosts of `d` as (first DP, last DP, name), in DP order.
fn dp_hosts(d: &Deployment) -> Vec<(u32, u32, &str)> {
    let mut dps: Vec<(u32, u32, &str)> = d
        .hosts
        .iter()
        .filter_map(|h| match h.role() {
            Some(Role::Dps(a, b)) => Some((a, b, h.name.as_str())),
            _ => None,
        })
        .collect();
    dps.sort();
    dps
}

/// The directory of host `name`'s private files (certificate and TLS key, protocol keys, values).
pub fn host_dir(dir: &Path, name: &str) -> PathBuf {
    dir.join("hosts").join(name)
}

/// Write a file; `private`: mode 0600 from the start.
fn write(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    if private {
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .map_err(|e| RolesError::Config(format!("cannot create {}: {e}", path.display())))?;
    f.write_all(bytes)
        .map_err(|e| RolesError::Config(format!("cannot write {}: {e}", path.display())))
}

/// A short summary of a deployment (printed by `deploy init`).
pub fn describe(d: &Deployment, dir: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "deployment in {}: {} hosts", dir.display(), d.hosts.len());
    for h in &d.hosts {
        let what = match h.dps {
            Some([a, b]) => format!("  DP{a}..=DP{b}"),
            None => String::new(),
        };
        let _ = writeln!(s, "  {:<10} {}{what}", h.name, h.addr);
    }
    let _ = writeln!(
        s,
        "copy deployment.toml, roster.toml, ca.pem and hosts/NAME/ (only its own) to the machine of host NAME,\n\
         then start it there with: dsmpc node --deployment {} --host NAME",
        dir.display()
    );
    if let Some(seed) = d.session.seed {
        let _ = writeln!(
            s,
            "SEEDED with {seed}: every key and value derives from the seed; for experiments only"
        );
    }
    s
}
