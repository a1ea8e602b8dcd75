//! Keys: where they come from, and the DPs' commitment-signing keys.
//!
//! Keys are not a protocol phase. [`KeyCache`] hands out a party's key pair for a purpose: with a
//! seed, derived from (seed, suite parameters, party, purpose) and cached in memory and on disk
//! (RSA-4096 key generation takes seconds per key); without one, fresh from the operating system
//! and kept only in memory for the run, so that asking twice for one party's key (the Cloud's,
//! which the Edge also holds) gives the same key.
//!
//! [`DpKeys`]: in `vss` mode each DP signs its commitments so that a CP can check what the Edge
//! relays. DP signatures are ECDSA P-256 whatever the suite: a key pair costs one scalar
//! multiplication (n = 10^5 DPs get theirs in seconds, where RSA key generation would take
//! hours), a signature is 64 bytes and a verification costs about two scalar multiplications.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::{self, DsmpcRng, RngSource};
use p256::ecdsa::signature::{RandomizedSigner, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;
use crate::suite::p256::P256Suite;
use crate::wire::{Commitments, TaskId, labels};

/// A DP's commitment-signing key (ECDSA P-256; zeroized on drop).
pub type DpSigningKey = SigningKey;

/// Every DP's commitment-verification key, registered out of band like the CPs' keys.
#[derive(Clone, Debug)]
pub struct DpKeys {
    keys: Vec<VerifyingKey>,
}

impl DpKeys {
    /// Key pairs for DP1..=DPn: from the seed's stream `dpkey/{d}`, or from the OS.
    pub fn generate(n: usize, source: RngSource) -> Result<(Vec<DpSigningKey>, DpKeys)> {
        let mut os = match source {
            RngSource::Os => Some(rng::from_os()?),
            RngSource::Seed(_) => None,
        };
        let mut signing = Vec::with_capacity(n);
        for d in 1..=n {
            let sk = match (&mut os, source) {
                (Some(r), _) => P256Suite.generate_sign(r)?,
                (None, RngSource::Seed(s)) => P256Suite.generate_sign(&mut rng::seeded(s, &format!("dpkey/{d}")))?,
                (None, RngSource::Os) => return Err(RolesError::Suite("no OS randomness".into())),
            };
            signing.push(sk);
        }
        let keys = signing.iter().map(|k| *k.verifying_key()).collect();
        Ok((signing, DpKeys { keys }))
    }

    /// Whether `m` carries a valid signature of the DP it names (counted as `dp_sig_verify`).
    pub fn verify(&self, m: &Commitments) -> bool {
        let Some(key) = (m.dp as usize).checked_sub(1).and_then(|i| self.keys.get(i)) else {
            return false;
        };
        counters::record(Op::DpVerify);
        let statement = labels::commitments(&m.task, m.dp, &m.elements);
        Signature::from_slice(&m.sig).is_ok_and(|sig| key.verify(&statement, &sig).is_ok())
    }
}

/// DP `dp`'s signature over its commitments `elements` for `task` (counted as `dp_sign`).
pub fn sign_commitments(
    key: &DpSigningKey,
    task: &TaskId,
    dp: u32,
    elements: &[Vec<u8>],
    rng: &mut DsmpcRng,
) -> Result<Vec<u8>> {
    counters::record(Op::DpSign);
    let sig: Signature = key
        .try_sign_with_rng(rng, &labels::commitments(task, dp, elements))
        .map_err(|e| RolesError::Suite(format!("ECDSA P-256: {e}")))?;
    Ok(sig.to_bytes().to_vec())
}

/// What a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Encryption / decryption.
    Enc,
    /// Signing / verification.
    Sign,
}

/// Private key bytes drawn from the OS in this run, by (suite id, party, is-encryption key).
type FreshKeys = BTreeMap<(String, String, bool), Zeroizing<Vec<u8>>>;

/// Where keys come from: reproducible from a seed (and cached), or fresh from the OS.
///
/// Cache layout: `$DSMPC_KEY_CACHE` or `$XDG_CACHE_HOME/dsmpc/keys` or `~/.cache/dsmpc/keys`,
/// one file per key named `{suite id}-seed{seed}-{party}-{purpose}.key`, written atomically.
#[derive(Clone, Debug)]
pub struct KeyCache {
    source: RngSource,
    dir: Option<PathBuf>,
    /// Keys drawn from the OS in this run, by (suite, party, purpose).
    fresh: Arc<Mutex<FreshKeys>>,
}

type MemKey = (String, u64, String, bool);

fn memory() -> &'static Mutex<BTreeMap<MemKey, Arc<Vec<u8>>>> {
    static M: OnceLock<Mutex<BTreeMap<MemKey, Arc<Vec<u8>>>>> = OnceLock::new();
    M.get_or_init(|| Mutex::new(BTreeMap::new()))
}

impl KeyCache {
    /// Keys for a run with this randomness source; seeded keys are cached in memory and on
    /// disk (unless `DSMPC_KEY_CACHE=off`).
    pub fn new(source: RngSource) -> Self {
        let dir = match std::env::var("DSMPC_KEY_CACHE") {
            Ok(v) if v == "off" => None,
            Ok(v) if !v.is_empty() => Some(PathBuf::from(v)),
            _ => std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|c| c.join("dsmpc").join("keys")),
        };
        KeyCache {
            source,
            dir,
            fresh: Arc::default(),
        }
    }

    /// A cache that never touches the disk.
    pub fn memory_only(source: RngSource) -> Self {
        KeyCache {
            source,
            dir: None,
            fresh: Arc::default(),
        }
    }

    fn bytes_for(
        &self,
        suite_id: &str,
        party: &str,
        purpose: Purpose,
        generate: impl FnOnce(&mut DsmpcRng) -> Result<Vec<u8>>,
    ) -> Result<Vec<u8>> {
        let seed = match self.source {
            RngSource::Os => {
                let mut fresh = self
                    .fresh
                    .lock()
                    .map_err(|_| RolesError::Suite("key cache poisoned".into()))?;
                let key = (suite_id.to_string(), party.to_string(), purpose == Purpose::Enc);
                if let Some(b) = fresh.get(&key) {
                    return Ok(b.to_vec());
                }
                let b = generate(&mut rng::from_os()?)?;
                fresh.insert(key, Zeroizing::new(b.clone()));
                return Ok(b);
            }
            RngSource::Seed(s) => s,
        };
        let key = (suite_id.to_string(), seed, party.to_string(), purpose == Purpose::Enc);
        if let Some(b) = memory()
            .lock()
            .map_err(|_| RolesError::Suite("key cache poisoned".into()))?
            .get(&key)
        {
            return Ok(b.to_vec());
        }
        let purpose_name = if purpose == Purpose::Enc { "enc" } else { "sign" };
        let file = self
            .dir
            .as_ref()
            .map(|d| d.join(format!("{suite_id}-seed{seed}-{party}-{purpose_name}.key")));
        let bytes = match file.as_ref().and_then(|f| std::fs::read(f).ok()) {
            Some(b) => b,
            None => {
                let mut r = rng::seeded(seed, &format!("key/{suite_id}/{party}/{purpose_name}"));
                let b = generate(&mut r)?;
                if let (Some(dir), Some(f)) = (&self.dir, &file) {
                    // Best effort: a read-only cache directory only costs regeneration time.
                    if std::fs::create_dir_all(dir).is_ok() {
                        let tmp = f.with_extension(format!("tmp{}", std::process::id()));
                        if std::fs::write(&tmp, &b).is_ok() {
                            let _ = std::fs::rename(&tmp, f);
                        }
                    }
                }
                b
            }
        };
        memory()
            .lock()
            .map_err(|_| RolesError::Suite("key cache poisoned".into()))?
            .insert(key, Arc::new(bytes.clone()));
        Ok(bytes)
    }

    /// The encryption key of `party`.
    pub fn enc_key<S: CipherSuite>(&self, suite: &S, party: &str) -> Result<S::EncPrivate> {
        let bytes = self.bytes_for(&suite.id(), party, Purpose::Enc, |r| {
            let sk = suite.generate_enc(r)?;
            suite.enc_private_to_bytes(&sk)
        })?;
        suite.enc_private_from_bytes(&bytes)
    }

    /// The signing key of `party`.
    pub fn sign_key<S: CipherSuite>(&self, suite: &S, party: &str) -> Result<S::SignPrivate> {
        let bytes = self.bytes_for(&suite.id(), party, Purpose::Sign, |r| {
            let sk = suite.generate_sign(r)?;
            suite.sign_private_to_bytes(&sk)
        })?;
        suite.sign_private_from_bytes(&bytes)
    }
}
