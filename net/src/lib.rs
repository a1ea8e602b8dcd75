//! Networks and deployment for the D-SMPC parties of `dsmpc-roles`, and the `dsmpc` binary.
//!
//! A session's configuration and parties come from `dsmpc-roles`; this crate decides where they
//! run ([`NetSpec`]): [`sim`] drives them in this process with simulated time over emulated
//! links ([`link`], with TLS costs from [`overhead`]); [`node`] runs one host of a
//! [`deploy`]ment as a process over mutual TLS ([`tls`], [`frame`]); [`process`] runs a whole
//! session as such processes on this machine, and [`netns`] each in its own network namespace.
//! [`run`] ([`dispatch`]) runs one session on the network a [`NetSpec`] names.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod deploy;
pub mod dispatch;
pub mod frame;
pub mod link;
pub mod netns;
pub mod node;
pub mod overhead;
pub mod process;
pub mod sim;
pub mod tls;

use dsmpc_roles::error::{Result, RolesError};

pub use dispatch::{NetRun, RunOptions, run};

/// Which network a session runs on, as `dsmpc run --net` and the sweep's `net` axis name it:
/// `memory`, `sim:PROFILE`, `process` or `netns:PROFILE` (profiles from `net/profiles.toml`).
/// Parsing checks the name and the profile, nothing else: whether namespaces can be made here
/// is [`netns::available`]'s business, when a run starts.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum NetSpec {
    /// All parties in this process ([`dsmpc_roles::net::memory`]).
    #[default]
    Memory,
    /// Simulated time over the links of a profile ([`sim`]).
    Sim(String),
    /// Every host an OS process, mutual TLS over 127.0.0.1 ([`process`]).
    Process,
    /// As `process`, each host in its own network namespace ([`netns`], as root).
    Netns(String),
}

impl NetSpec {
    /// The kind without the profile: `memory`, `sim`, `process`, `netns`.
    pub fn kind(&self) -> &'static str {
        match self {
            NetSpec::Memory => "memory",
            NetSpec::Sim(_) => "sim",
            NetSpec::Process => "process",
            NetSpec::Netns(_) => "netns",
        }
    }

    /// The link profile, for `sim` and `netns`.
    pub fn profile(&self) -> Option<&str> {
        match self {
            NetSpec::Sim(p) | NetSpec::Netns(p) => Some(p),
            NetSpec::Memory | NetSpec::Process => None,
        }
    }

    /// Whether sessions run as `dsmpc node` processes (`process`, `netns`).
    pub fn uses_processes(&self) -> bool {
        matches!(self, NetSpec::Process | NetSpec::Netns(_))
    }

    /// Every valid name: `memory`, `process`, and `sim:` and `netns:` with each shipped profile.
    pub fn valid_names() -> Vec<String> {
        let profiles: Vec<String> = link::profiles().map(|m| m.into_keys().collect()).unwrap_or_default();
        let mut v = vec!["memory".to_string(), "process".to_string()];
        v.extend(profiles.iter().map(|p| format!("sim:{p}")));
        v.extend(profiles.iter().map(|p| format!("netns:{p}")));
        v
    }
}

impl std::fmt::Display for NetSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.profile() {
            Some(p) => write!(f, "{}:{p}", self.kind()),
            None => f.write_str(self.kind()),
        }
    }
}

impl std::str::FromStr for NetSpec {
    type Err = RolesError;
    /// `memory`, `sim:PROFILE`, `process` or `netns:PROFILE`; an error lists the valid names.
    fn from_str(s: &str) -> Result<NetSpec> {
        let known = |p: &str| link::profiles().is_ok_and(|m| m.contains_key(p));
        let t = s.trim();
        let spec = match t {
            "memory" => Some(NetSpec::Memory),
            "process" => Some(NetSpec::Process),
            _ => match (t.strip_prefix("sim:"), t.strip_prefix("netns:")) {
                (Some(p), _) if known(p) => Some(NetSpec::Sim(p.to_string())),
                (_, Some(p)) if known(p) => Some(NetSpec::Netns(p.to_string())),
                _ => None,
            },
        };
        spec.ok_or_else(|| {
            let why = match t.strip_prefix("sim:").or_else(|| t.strip_prefix("netns:")) {
                Some(p) => format!("unknown link profile {p:?}"),
                None => "choose memory, sim:PROFILE, process or netns:PROFILE".to_string(),
            };
            RolesError::Config(format!(
                "unknown network {s:?}: {why} (valid: {})",
                NetSpec::valid_names().join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::NetSpec;

    #[test]
    fn net_names_parse_print_and_refuse_unknown_ones() {
        for s in ["memory", "process", "sim:lan", "netns:lte"] {
            let n: NetSpec = s.parse().unwrap();
            assert_eq!(n.to_string(), s);
        }
        assert_eq!("sim:wan".parse::<NetSpec>().unwrap().profile(), Some("wan"));
        let e = "sim:moon".parse::<NetSpec>().unwrap_err().to_string();
        assert!(
            e.contains("unknown link profile \"moon\"") && e.contains("sim:lan"),
            "{e}"
        );
        let e = "tcp".parse::<NetSpec>().unwrap_err().to_string();
        assert!(e.contains("netns:PROFILE") && e.contains("netns:dsrc"), "{e}");
    }
}
