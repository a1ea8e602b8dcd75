//! A deployment's public roster, `DIR/roster.toml`: every party's public protocol keys, written
//! by `dsmpc deploy init` and read by every host.
//!
//! It holds the Cloud's encryption key, each candidate CP's encryption, verification and PVSS
//! keys (the Cloud registers them), and in `vss` each DP's commitment-verification key (the
//! CPs and the Edge check the DPs' signatures with them). Keys are hex of the same encodings
//! the wire and the key files' fingerprints use. Nothing in it is secret: it is copied to
//! every host with `deployment.toml` and `ca.pem`. A host checks its own private keys against
//! it before it starts ([`super::hosted()`]).
//!
//! [`Roster::parse`] is a pure function from bytes; it checks the layout against the
//! deployment (one entry per candidate CP in VID order, one key per DP exactly when `vss`
//! uses them) and that every key is hex; the keys themselves are decoded by the host that uses
//! them, which names this file when one does not decode.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Deployment;
use dsmpc_roles::error::{Result, RolesError};

/// The roster file's format version.
pub const ROSTER_FORMAT: u32 = 1;

/// The largest roster accepted (a million DPs' keys fit).
pub const MAX_ROSTER: usize = 256 << 20;

/// One candidate CP's public keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CpPublic {
    /// Encryption key (the suite's wire encoding).
    pub enc: Vec<u8>,
    /// Verification key (the suite's encoding).
    pub sign: Vec<u8>,
    /// PVSS public key `g^sk` (a group element, fixed length).
    pub pvss: Vec<u8>,
}

/// Every party's public protocol keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roster {
    /// The suite id the keys are for (`rsa2048`, `p256`).
    pub suite: String,
    /// PVSS group bits.
    pub group_bits: u32,
    /// The seed the keys were derived from, if the deployment is seeded.
    pub seed: Option<u64>,
    /// The Cloud's encryption key.
    pub cloud_enc: Vec<u8>,
    /// Candidate CPs' keys, VID 1 first.
    pub cps: Vec<CpPublic>,
    /// `vss`: DPs' commitment-verification keys (compressed P-256 points), DP1 first; empty
    /// otherwise.
    pub dp_sign: Vec<Vec<u8>>,
}

/// The file as written: keys in hex.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    format: u32,
    suite: String,
    group_bits: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    cloud_enc: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dp_sign: Vec<String>,
    cps: Vec<CpFile>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CpFile {
    vid: u32,
    enc: String,
    sign: String,
    pvss: String,
}

/// Lower-case hex.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of hex (either case); `None` for odd length or a non-hex digit.
pub(crate) fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect()
}

impl Roster {
    /// `DIR/roster.toml`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("roster.toml")
    }

    /// The file's text.
    pub fn to_toml(&self) -> Result<String> {
        let file = RosterFile {
            format: ROSTER_FORMAT,
            suite: self.suite.clone(),
            group_bits: self.group_bits,
            seed: self.seed,
            cloud_enc: to_hex(&self.cloud_enc),
            dp_sign: self.dp_sign.iter().map(|k| to_hex(k)).collect(),
            cps: self
                .cps
                .iter()
                .zip(1u32..)
                .map(|(c, vid)| CpFile {
                    vid,
                    enc: to_hex(&c.enc),
                    sign: to_hex(&c.sign),
                    pvss: to_hex(&c.pvss),
                })
                .collect(),
        };
        let body = toml::to_string(&file).map_err(|e| RolesError::Config(format!("roster.toml: {e}")))?;
        Ok(format!(
            "# dsmpc deployment roster (dsmpc deploy init): every party's PUBLIC protocol keys.\n\
             # Copy it to every host with deployment.toml and ca.pem. Private keys are in hosts/NAME/ only.\n{body}"
        ))
    }

    /// Parse and check a roster for deployment `d`.
    pub fn parse(bytes: &[u8], d: &Deployment) -> Result<Roster> {
        Roster::parse_named(bytes, d, "roster.toml")
    }

    /// [`Roster::parse`], errors starting with `name`.
    fn parse_named(bytes: &[u8], d: &Deployment, name: &str) -> Result<Roster> {
        let bad = |s: String| RolesError::Config(format!("{name}: {s}"));
        if bytes.len() > MAX_ROSTER {
            return Err(bad(format!("larger than {MAX_ROSTER} bytes")));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8".into()))?;
        let f: RosterFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if f.format != ROSTER_FORMAT {
            return Err(bad(format!(
                "format {} (this dsmpc reads format {ROSTER_FORMAT}): run `dsmpc deploy init` again",
                f.format
            )));
        }
        let p = &d.session;
        if f.group_bits != p.group_bits || f.seed != p.seed {
            return Err(bad(format!(
                "made for group bits {} and seed {:?}, but deployment.toml says {} and {:?}: \
                 the roster is from another deployment",
                f.group_bits, f.seed, p.group_bits, p.seed
            )));
        }
        let key = |what: String, hex: &str| {
            from_hex(hex)
                .filter(|b| !b.is_empty())
                .ok_or_else(|| bad(format!("{what}: not a hex key")))
        };
        if f.cps.len() != p.cps || f.cps.iter().zip(1u32..).any(|(c, v)| c.vid != v) {
            return Err(bad(format!(
                "{} CP entries, but the deployment has candidate CPs with VIDs 1..={} (in order)",
                f.cps.len(),
                p.cps
            )));
        }
        let want_dps = if super::signs_commitments(d.config()?.verify) {
            p.dps
        } else {
            0
        };
        if f.dp_sign.len() != want_dps {
            return Err(bad(format!(
                "{} DP keys, but this deployment ({} DPs, verify {}) has {want_dps}",
                f.dp_sign.len(),
                p.dps,
                p.verify
            )));
        }
        let mut cps = Vec::with_capacity(f.cps.len());
        for c in &f.cps {
            cps.push(CpPublic {
                enc: key(format!("CP {} enc", c.vid), &c.enc)?,
                sign: key(format!("CP {} sign", c.vid), &c.sign)?,
                pvss: key(format!("CP {} pvss", c.vid), &c.pvss)?,
            });
        }
        let dp_sign = f
            .dp_sign
            .iter()
            .zip(1u32..)
            .map(|(k, dp)| key(format!("DP {dp} sign"), k))
            .collect::<Result<_>>()?;
        Ok(Roster {
            cloud_enc: key("cloud enc".into(), &f.cloud_enc)?,
            suite: f.suite,
            group_bits: f.group_bits,
            seed: f.seed,
            cps,
            dp_sign,
        })
    }

    /// Read `DIR/roster.toml` for deployment `d`; errors name the file.
    pub fn load(dir: &Path, d: &Deployment) -> Result<Roster> {
        let f = Roster::path(dir);
        if !f.exists() {
            return Err(RolesError::Config(format!(
                "cannot read {}: no such file (every host needs the roster.toml that `dsmpc deploy init` wrote beside \
                 deployment.toml; a deployment made before per-party keys has none: make it again)",
                f.display()
            )));
        }
        let bytes = dsmpc_roles::files::read_limited(&f, "roster", dsmpc_roles::files::MAX_ROSTER)?;
        Roster::parse_named(&bytes, d, &f.display().to_string())
    }

    /// CP `vid`'s keys.
    pub fn cp(&self, vid: u32) -> Option<&CpPublic> {
        (vid as usize).checked_sub(1).and_then(|i| self.cps.get(i))
    }

    /// DP `d`'s verification key (`vss`).
    pub fn dp(&self, d: u32) -> Option<&[u8]> {
        (d as usize)
            .checked_sub(1)
            .and_then(|i| self.dp_sign.get(i))
            .map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        let b = vec![0u8, 1, 0xab, 0xff];
        assert_eq!(to_hex(&b), "0001abff");
        assert_eq!(from_hex("0001ABff"), Some(b));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(from_hex("+1"), None);
    }
}
