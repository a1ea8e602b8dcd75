//! The deployment digest: what every host of a deployment must agree on, as one SHA-256.
//!
//! A host computes it from its own `deployment.toml` and `roster.toml`, sends it in its hello
//! on every connection and compares the peer's; a peer whose digest differs is refused by name
//! (see `net::tls`). It covers the *typed* protocol fields, not the files' bytes: comments,
//! key order, spelling (`RSA` or `rsa`) and addresses may differ between hosts (hosts can be
//! moved by editing addresses), while any parameter, deadline, role, DP range or public key
//! that differs makes the digest differ.
//!
//! The encoding is canonical: a domain tag and version, then each field in a fixed order,
//! integers as 8-byte big-endian, strings and byte strings with an 8-byte length prefix,
//! options and lists with a presence byte or count. Later parameters (group, dimension,
//! function, validation) go into [`encode`] and nowhere else.

use sha2::{Digest as _, Sha256};

use super::{Deployment, Role, Roster};
use dsmpc_roles::error::Result;

/// Domain separation and format version of the encoding.
const TAG: &[u8] = b"dsmpc deployment digest v1";

/// A deployment digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DeploymentDigest(pub [u8; 32]);

impl DeploymentDigest {
    /// The first 8 bytes in hex, to name a digest in messages.
    pub fn short(&self) -> String {
        super::roster::to_hex(&self.0[..8])
    }
}

impl std::fmt::Debug for DeploymentDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeploymentDigest({})", self.short())
    }
}

impl std::fmt::Display for DeploymentDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&super::roster::to_hex(&self.0))
    }
}

/// A canonical writer.
struct Canon(Vec<u8>);

impl Canon {
    fn u64(&mut self, x: u64) -> &mut Self {
        self.0.extend_from_slice(&x.to_be_bytes());
        self
    }
    fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.u64(b.len() as u64);
        self.0.extend_from_slice(b);
        self
    }
    fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }
    fn opt(&mut self, x: Option<u64>) -> &mut Self {
        match x {
            None => self.0.push(0),
            Some(v) => {
                self.0.push(1);
                self.u64(v);
            }
        }
        self
    }
}

/// The canonical encoding of what the hosts of `d` with roster `r` must agree on.
pub fn encode(d: &Deployment, r: &Roster) -> Result<Vec<u8>> {
    let cfg = d.config()?;
    let mut c = Canon(Vec::new());
    c.bytes(TAG);
    // Parameters, typed (parsed, so that spellings do not matter).
    c.u64(cfg.n as u64)
        .u64(cfg.m as u64)
        .u64(cfg.capacity as u64)
        .u64(cfg.t as u64)
        .str(cfg.suite.name())
        .str(cfg.provider.name())
        .u64(u64::from(cfg.rsa_bits))
        .str(&cfg.group.name())
        .str(&cfg.backend_label())
        .str(cfg.verify.name())
        .opt(cfg.seed)
        .u64(u64::from(cfg.value_bits))
        .u64(cfg.freshness_s);
    // What the DPs' inputs are and what the Edge computes: hosts that would deal or read
    // vectors of another shape or function refuse each other.
    c.str(&cfg.func.to_string())
        .u64(cfg.dim as u64)
        .u64(u64::from(cfg.frac_bits));
    let t = d.timeouts();
    c.u64(t.selection_ms).u64(t.shares_ms).u64(t.round_ms);
    // Roles and DP ranges, by host name (not addresses), in name order.
    let mut hosts: Vec<_> = d.hosts.iter().collect();
    hosts.sort_by(|a, b| a.name.cmp(&b.name));
    c.u64(hosts.len() as u64);
    for h in hosts {
        c.str(&h.name);
        match h.role() {
            Some(Role::Cloud) => c.u64(0),
            Some(Role::Edge) => c.u64(1),
            Some(Role::Cp(v)) => c.u64(2).u64(u64::from(v)),
            Some(Role::Dps(a, b)) => c.u64(3).u64(u64::from(a)).u64(u64::from(b)),
            None => c.u64(4),
        };
    }
    // The roster: every public key.
    c.str(&r.suite)
        .u64(u64::from(r.group_bits))
        .opt(r.seed)
        .bytes(&r.cloud_enc);
    c.u64(r.cps.len() as u64);
    for cp in &r.cps {
        c.bytes(&cp.enc).bytes(&cp.sign).bytes(&cp.pvss);
    }
    c.u64(r.dp_sign.len() as u64);
    for k in &r.dp_sign {
        c.bytes(k);
    }
    Ok(c.0)
}

/// The digest of deployment `d` with roster `r`.
pub fn digest(d: &Deployment, r: &Roster) -> Result<DeploymentDigest> {
    Ok(DeploymentDigest(Sha256::digest(encode(d, r)?).into()))
}
