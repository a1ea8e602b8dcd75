//! The `[session]` and `[timeouts]` tables of `deployment.toml`: the session's parameters,
//! typed (suite, provider, backend and verification mode parsed once, when the file is read),
//! and the parties' deadlines.

use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use serde::{Deserialize, Serialize};

use dsmpc_roles::func::Func;
use dsmpc_roles::suite::{Provider, SuiteKind};

/// The session parameters of a deployment (as in `dsmpc run`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// n.
    pub dps: usize,
    /// m.
    pub cps: usize,
    /// k.
    pub capacity: usize,
    /// t.
    pub threshold: usize,
    /// `rsa` or `p256`.
    #[serde(with = "as_name")]
    pub suite: SuiteKind,
    /// `awslc` or `rustcrypto` (every host uses the same provider).
    #[serde(default = "default_provider", with = "as_name")]
    pub provider: Provider,
    /// RSA bits.
    pub rsa_bits: u32,
    /// The group's `group_bits` column: bits of p of a Schnorr group, 0 for ristretto255.
    /// Files written before `group` existed name their Schnorr group by this alone.
    pub group_bits: u32,
    /// The group (`schnorr-2048`, `ristretto255`, ...); absent in older files, where it is
    /// `schnorr-<group_bits>`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "as_opt_name")]
    pub group: Option<GroupKind>,
    /// `num` or `gmp` (used by the Schnorr groups only).
    #[serde(with = "as_name")]
    pub backend: BackendKind,
    /// `paper`, `fast`, `batch` or `vss`.
    #[serde(with = "as_name")]
    pub verify: VerifyMode,
    /// The seed the protocol keys and values were derived from, and the parties' protocol
    /// randomness comes from (reproducible experiments; anyone with it can derive every key).
    /// Absent: everything from the operating system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Bits of each value.
    pub value_bits: u32,
    /// What the Edge computes (`sum`, `mean`, `histogram:B`, `meanvar`, `vector-sum`,
    /// `vector-mean`); absent (files from before vectors, and scalar sessions): `sum`.
    #[serde(default, skip_serializing_if = "is_sum", with = "as_name")]
    pub func: Func,
    /// Elements of each DP's input; absent: 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub dim: usize,
    /// Fraction bits of `vector-sum` / `vector-mean` inputs; absent: 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub frac_bits: u32,
    /// Cloud's freshness window, seconds.
    pub freshness_s: u64,
}

/// A scalar session's function, not written (its files read as before vectors existed).
fn is_sum(f: &Func) -> bool {
    *f == Func::Sum
}

/// One element per DP (the default `dim`).
fn one() -> usize {
    1
}

fn is_one(d: &usize) -> bool {
    *d == 1
}

fn is_zero(f: &u32) -> bool {
    *f == 0
}

/// Deployments written before providers existed used RustCrypto.
fn default_provider() -> Provider {
    Provider::RustCrypto
}

/// A parameter written by its name and parsed once, when the file is read: a name this dsmpc
/// does not know is an error that lists the choices.
mod as_name {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<T: Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
    where
        T: FromStr<Err: Display>,
        D: Deserializer<'de>,
    {
        String::deserialize(d)?.parse().map_err(de::Error::custom)
    }
}

/// As [`as_name`], for an optional parameter.
mod as_opt_name {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serializer, de};

    pub fn serialize<T: Display, S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr<Err: Display>,
        D: Deserializer<'de>,
    {
        Option::<String>::deserialize(d)?
            .map(|s| s.parse().map_err(de::Error::custom))
            .transpose()
    }
}

impl Params {
    /// The group these parameters name (older files: `schnorr-<group_bits>`).
    pub fn group(&self) -> GroupKind {
        self.group.unwrap_or(GroupKind::from_group_bits(self.group_bits))
    }
}

/// The parties' deadlines, milliseconds.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TimeoutsMs {
    /// See [`dsmpc_roles::parties::Timeouts::selection_ms`].
    pub selection_ms: u64,
    /// See [`dsmpc_roles::parties::Timeouts::shares_ms`].
    pub shares_ms: u64,
    /// See [`dsmpc_roles::parties::Timeouts::round_ms`].
    pub round_ms: u64,
}
