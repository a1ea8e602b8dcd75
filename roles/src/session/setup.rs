//! Set-up (not a phase): [`with_types`], the crate's one place where the runtime suite,
//! provider and backend become types; the group shared by every session of a process and
//! [`Precompute`], the one rule for which fixed-base tables a mode builds; and the DPs' values.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use dsmpc_core::backend::Backend;
use dsmpc_core::dispatch_backend;
use dsmpc_core::group::{AnyGroup, GroupKind};
use dsmpc_core::pvss::{CpKeyPair, VerifyMode};
use dsmpc_core::rng::RngSource;
use num_bigint::BigUint;

use super::SessionConfig;
use crate::error::{Result, RolesError};
use crate::suite::{CipherSuite, Provider, SuiteKind, awslc, rustcrypto};
use crate::values;

/// Work to do with the backend and suite types a configuration names (see [`with_types`]).
pub trait WithTypes {
    /// What the work gives.
    type Output;
    /// Do it with backend `B` and suite `S` (whose provider is `S::PROVIDER`).
    fn run<B: Backend, S: CipherSuite>(self, suite: S) -> Result<Self::Output>;
}

/// The crate's one place where the runtime backend, suite and provider of `cfg` become types.
pub fn with_types<W: WithTypes>(cfg: &SessionConfig, work: W) -> Result<W::Output> {
    match (cfg.suite, cfg.provider) {
        (SuiteKind::Rsa, Provider::RustCrypto) => {
            let suite = rustcrypto::RsaSuite::new(cfg.rsa_bits)?;
            dispatch_backend!(cfg.effective_backend(), B => work.run::<B, _>(suite))?
        }
        (SuiteKind::Rsa, Provider::AwsLc) => {
            let suite = awslc::RsaSuite::new(cfg.rsa_bits)?;
            dispatch_backend!(cfg.effective_backend(), B => work.run::<B, _>(suite))?
        }
        (SuiteKind::P256, Provider::RustCrypto) => {
            dispatch_backend!(cfg.effective_backend(), B => work.run::<B, _>(rustcrypto::P256Suite))?
        }
        (SuiteKind::P256, Provider::AwsLc) => {
            dispatch_backend!(cfg.effective_backend(), B => work.run::<B, _>(awslc::P256Suite))?
        }
        (SuiteKind::X25519, Provider::RustCrypto) => {
            dispatch_backend!(cfg.effective_backend(), B => work.run::<B, _>(rustcrypto::X25519Suite))?
        }
        (SuiteKind::X25519, Provider::AwsLc) => {
            dispatch_backend!(cfg.effective_backend(), B => work.run::<B, _>(awslc::X25519Suite))?
        }
    }
}

/// The set-up every process that runs parties does first, a whole session or a node: the
/// provider warmed up and the shared group with the fixed-base tables the mode uses.
pub fn provider_and_group<B: Backend, S: CipherSuite>(cfg: &SessionConfig) -> Result<Arc<AnyGroup<B>>> {
    if S::PROVIDER == Provider::AwsLc {
        awslc::warm_up();
    }
    let group = shared_group::<B>(cfg.group)?;
    Precompute::for_mode(cfg.verify).group(&group);
    Ok(group)
}

/// Which fixed-base tables a verification mode builds at set-up, the one rule for the whole
/// session in one process and for a node: the generators' tables in every mode but `paper`
/// (whose check is the paper's, without tables), and each CP's own PVSS public key's table
/// where the mode uses PVSS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Precompute {
    /// Build the tables of the generators g and h.
    pub generators: bool,
    /// Build a CP's table of its own PVSS public key.
    pub cp_key: bool,
}

impl Precompute {
    /// The tables `mode` builds.
    pub fn for_mode(mode: VerifyMode) -> Self {
        let tables = mode != VerifyMode::Paper;
        Precompute {
            generators: tables,
            cp_key: tables && mode.uses_pvss(),
        }
    }

    /// Build the generators' tables of `group`, if the mode uses them.
    pub fn group<B: Backend>(self, group: &AnyGroup<B>) {
        if self.generators
            && let Some(group) = group.schnorr()
        {
            group.g_table();
            group.h_table();
        }
    }

    /// Build the table of a CP's own PVSS public key, if the mode uses it.
    pub fn cp_key<B: Backend>(self, keys: &CpKeyPair<B>, group: &AnyGroup<B>) {
        if self.cp_key {
            keys.pk_table(group);
        }
    }
}

/// The standard group of `bits` for backend `B`, one per process: sessions share it and its
/// fixed-base tables, which are built once (set-up, not a phase).
fn shared_group<B: Backend>(kind: GroupKind) -> Result<Arc<AnyGroup<B>>> {
    type Cache = Mutex<HashMap<(TypeId, GroupKind), Arc<dyn Any + Send + Sync>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (TypeId::of::<B>(), kind);
    let mut cache = CACHE
        .get_or_init(Cache::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(g) = cache.get(&key).and_then(|g| g.clone().downcast::<AnyGroup<B>>().ok()) {
        return Ok(g);
    }
    let g = Arc::new(AnyGroup::<B>::new(kind)?);
    cache.insert(key, g.clone());
    Ok(g)
}

/// A vector session's input rows ([`SessionConfig::is_vector`]): given (one per DP) or drawn
/// from the run's randomness (stream `inputs`); `None` for a scalar session. Each row's range is
/// the function's to check ([`crate::func::FuncSpec::encode`]).
pub fn rows_for(
    cfg: &SessionConfig,
    rows: Option<&[crate::func::InputRow]>,
    src: RngSource,
) -> Result<Option<Vec<crate::func::InputRow>>> {
    if !cfg.is_vector() {
        return Ok(None);
    }
    let spec = cfg.func_spec();
    Ok(Some(match rows {
        Some(rows) if rows.len() != cfg.n => {
            return Err(RolesError::Config(format!(
                "{} input rows for {} DPs: give one line per DP",
                rows.len(),
                cfg.n
            )));
        }
        Some(rows) => rows.to_vec(),
        None => {
            let mut rng = src.stream("inputs")?;
            (0..cfg.n).map(|_| spec.random_row(&mut rng)).collect()
        }
    }))
}

/// A vector session's inputs ([`SessionConfig::is_vector`]), each DP's row ([`rows_for`])
/// encoded for the function (its range checked); `None` for a scalar session.
pub fn inputs_for(
    cfg: &SessionConfig,
    rows: Option<&[crate::func::InputRow]>,
    src: RngSource,
) -> Result<Option<Vec<Vec<dsmpc_core::field64::F64>>>> {
    let spec = cfg.func_spec();
    rows_for(cfg, rows, src)?
        .map(|rows| rows.iter().map(|r| spec.encode(r)).collect::<Result<Vec<_>>>())
        .transpose()
}

/// The DPs' values: given (checked against n and the value bits) or drawn.
pub fn values_for(cfg: &SessionConfig, values: Option<&[BigUint]>, src: RngSource) -> Result<Vec<BigUint>> {
    if cfg.is_vector() {
        // The inputs are vectors ([`inputs_for`]); the scalar values are zero and unused.
        return Ok(vec![BigUint::default(); cfg.n]);
    }
    let Some(v) = values else {
        return Ok(values::random(cfg.n, cfg.value_bits, &mut src.stream("values")?));
    };
    if v.len() != cfg.n {
        return Err(RolesError::Config(format!("{} values for {} DPs", v.len(), cfg.n)));
    }
    let max = values::max_value(cfg.value_bits);
    if let Some(bad) = v.iter().find(|x| **x > max) {
        return Err(RolesError::Config(format!(
            "value {bad} does not fit in {} bits",
            cfg.value_bits
        )));
    }
    Ok(v.to_vec())
}
