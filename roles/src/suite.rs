//! Cipher suites: the public-key encryption `Enc` and signature `Sign` of the protocol.
//!
//! A [`CipherSuite`] is a value (it carries its parameters, e.g. the RSA modulus size) with
//! associated key types. Every encryption takes a *label* that binds the ciphertext to its
//! context (task, DP, CP index): a ciphertext moved to another context does not decrypt.
//! Every operation is counted in `dsmpc_core::counters` so phases get a cost model.
//!
//! Keys are not a protocol phase: [`KeyCache`] hands out key pairs keyed by
//! (seed, suite parameters, party, purpose), from memory, then from disk, generating them only
//! once (RSA-4096 key generation takes seconds per key).

pub mod p256;
pub mod rsa;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};

use dsmpc_core::rng::{self, DsmpcRng, RngSource};

use crate::error::{Result, RolesError};

/// Which cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuiteKind {
    /// RSA: OAEP-SHA-256 encryption, PSS-SHA-256 signatures.
    Rsa,
    /// P-256: ECIES (ECDH, SHA-256, AES-256-GCM) and ECDSA-SHA-256, as the reference prototype.
    P256,
}

impl SuiteKind {
    /// The command-line and CSV name.
    pub fn name(self) -> &'static str {
        match self {
            SuiteKind::Rsa => "rsa",
            SuiteKind::P256 => "p256",
        }
    }
}

impl fmt::Display for SuiteKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SuiteKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rsa" => Ok(SuiteKind::Rsa),
            "p256" | "p-256" => Ok(SuiteKind::P256),
            _ => Err(format!("unknown cipher suite {s:?}: choose rsa or p256")),
        }
    }
}

/// Public-key encryption with labels, and signatures.
pub trait CipherSuite: Send + Sync + Clone + fmt::Debug + 'static {
    /// Public encryption key.
    type EncPublic: Clone + Send + Sync + fmt::Debug;
    /// Private decryption key (zeroized on drop by the implementation).
    type EncPrivate: Send + Sync;
    /// Public verification key.
    type SignPublic: Clone + Send + Sync + fmt::Debug;
    /// Private signing key.
    type SignPrivate: Send + Sync;

    /// Which suite.
    const KIND: SuiteKind;

    /// Short id of the suite and its parameters, e.g. `rsa2048` (key cache, CSV).
    fn id(&self) -> String;
    /// The key size parameter written to CSV (RSA modulus bits).
    fn bits(&self) -> u32;

    /// A new encryption key pair.
    fn generate_enc(&self, rng: &mut DsmpcRng) -> Result<Self::EncPrivate>;
    /// A new signing key pair.
    fn generate_sign(&self, rng: &mut DsmpcRng) -> Result<Self::SignPrivate>;
    /// The public half.
    fn enc_public(&self, sk: &Self::EncPrivate) -> Self::EncPublic;
    /// The public half.
    fn sign_public(&self, sk: &Self::SignPrivate) -> Self::SignPublic;

    /// Private key to bytes (for the on-disk key cache).
    fn enc_private_to_bytes(&self, sk: &Self::EncPrivate) -> Result<Vec<u8>>;
    /// Private key from bytes.
    fn enc_private_from_bytes(&self, bytes: &[u8]) -> Result<Self::EncPrivate>;
    /// Private key to bytes.
    fn sign_private_to_bytes(&self, sk: &Self::SignPrivate) -> Result<Vec<u8>>;
    /// Private key from bytes.
    fn sign_private_from_bytes(&self, bytes: &[u8]) -> Result<Self::SignPrivate>;

    /// Wire encoding of a public encryption key.
    fn encode_enc_public(&self, pk: &Self::EncPublic) -> Vec<u8>;
    /// Decode a public encryption key.
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<Self::EncPublic>;

    /// `Enc_pk(msg)` bound to `label`; counted as `enc`.
    fn encrypt(&self, pk: &Self::EncPublic, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>>;
    /// Decrypt; `None` if the ciphertext is not valid under this key and label. Counted as `dec`.
    fn decrypt(&self, sk: &Self::EncPrivate, label: &[u8], ct: &[u8], rng: &mut DsmpcRng) -> Option<Vec<u8>>;
    /// Sign `msg`; counted as `sign`.
    fn sign(&self, sk: &Self::SignPrivate, msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>>;
    /// Verify; counted as `verify`.
    fn verify(&self, pk: &Self::SignPublic, msg: &[u8], sig: &[u8]) -> bool;

    /// Ciphertext length for a plaintext of `len` bytes.
    fn ciphertext_len(&self, len: usize) -> usize;
    /// Signature length.
    fn signature_len(&self) -> usize;
}

/// What a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Encryption / decryption.
    Enc,
    /// Signing / verification.
    Sign,
}

/// Where keys come from: reproducible from a seed (and cached), or fresh from the OS.
///
/// Cache layout: `$DSMPC_KEY_CACHE` or `$XDG_CACHE_HOME/dsmpc/keys` or `~/.cache/dsmpc/keys`,
/// one file per key named `{suite id}-seed{seed}-{party}-{purpose}.key`, written atomically.
#[derive(Clone, Debug)]
pub struct KeyCache {
    source: RngSource,
    dir: Option<PathBuf>,
}

type MemKey = (String, u64, String, bool);

fn memory() -> &'static Mutex<HashMap<MemKey, Arc<Vec<u8>>>> {
    static M: OnceLock<Mutex<HashMap<MemKey, Arc<Vec<u8>>>>> = OnceLock::new();
    M.get_or_init(|| Mutex::new(HashMap::new()))
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
        KeyCache { source, dir }
    }

    /// A cache that never touches the disk.
    pub fn memory_only(source: RngSource) -> Self {
        KeyCache { source, dir: None }
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
                let mut r = rng::from_os()?;
                return generate(&mut r);
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
