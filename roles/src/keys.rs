//! Keys: where they come from, and the DPs' commitment-signing keys.
//!
//! Keys are not a protocol phase. [`KeyCache`] hands out a party's key pair for a purpose: with a
//! seed, derived from (seed, suite parameters, party, purpose) and kept in memory and in the key
//! store on disk (RSA-4096 key generation takes seconds per key), each stored file bound to what
//! it is for and checked on load; without one, fresh from the operating system and kept only in
//! memory for the run, so that asking twice for one party's key (the Cloud's, which the Edge
//! also holds) gives the same key. Keys in memory are wiped when dropped. The store's file
//! format also holds a deployment's per-host keys ([`write_key_file`], [`read_key_file`];
//! `dsmpc_net::deploy`), where a bad file is an error rather than regenerated.
//!
//! [`DpKeys`] ([`dp`]): in `vss` mode each DP signs its commitments so that a CP can check what
//! the Edge relays, with Ed25519 in the x25519 suite and ECDSA P-256 otherwise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use dsmpc_core::rng::{self, DsmpcRng, RngSource};
use zeroize::Zeroizing;

use crate::error::{Result, RolesError};
use crate::suite::CipherSuite;

pub mod dp;

pub use self::dp::{DpKeys, DpScheme, DpSigningKey, sign_commitments};

/// What a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Encryption / decryption.
    Enc,
    /// Signing / verification.
    Sign,
    /// PVSS decryption (a CP's secret exponent in the Schnorr group; the public key `g^sk`).
    Pvss,
}

impl Purpose {
    /// The name in file names and headers.
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Enc => "enc",
            Purpose::Sign => "sign",
            Purpose::Pvss => "pvss",
        }
    }
}

/// The key store's format version (the `dsmpc-key-store` header line and the file names).
pub const STORE_FORMAT: u32 = 1;

/// The provider of provider-neutral key material: keys are derived from the seed and stored
/// as PKCS#8 / SEC1 bytes that every provider imports.
pub const ANY_PROVIDER: &str = "any";

/// What a stored key is for, written in its file's header and checked on load.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Binding {
    /// The seed the key is derived from; `None` (written `none`): drawn from the operating
    /// system (a deployment's keys without `--seed`).
    pub seed: Option<u64>,
    /// The suite id (`rsa2048`, `p256`).
    pub suite: String,
    /// The crypto provider the bytes are for, or [`ANY_PROVIDER`].
    pub provider: String,
    /// The key size parameter of the suite (RSA modulus bits).
    pub bits: u32,
    /// The party (`cloud`, `vid3`).
    pub party: String,
    /// Encryption or signing.
    pub purpose: Purpose,
}

impl Binding {
    fn seed_name(&self) -> String {
        self.seed.map_or_else(|| "none".to_string(), |s| s.to_string())
    }

    fn file_name(&self) -> String {
        format!(
            "{}-{}-seed{}-{}-{}.v{STORE_FORMAT}.key",
            self.suite,
            self.provider,
            self.seed_name(),
            self.party,
            self.purpose.name()
        )
    }

    fn header(&self, fingerprint: &str) -> String {
        format!(
            "dsmpc-key-store {STORE_FORMAT}\nseed: {}\nsuite: {}\nprovider: {}\nbits: {}\nparty: {}\npurpose: {}\npublic-sha256: {fingerprint}\n\n",
            self.seed_name(),
            self.suite,
            self.provider,
            self.bits,
            self.party,
            self.purpose.name()
        )
    }

    /// Split a stored file into its private key bytes, checking the header against this
    /// binding; the fingerprint it records is returned for the caller to check.
    fn open<'a>(&self, file: &'a [u8]) -> std::result::Result<(&'a [u8], String), String> {
        if file.is_empty() {
            return Err("the file is empty".into());
        }
        let split = file
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or("no header (not a dsmpc key store file)")?;
        let header = std::str::from_utf8(&file[..split]).map_err(|_| "the header is not text")?;
        let mut lines = header.lines();
        let magic = format!("dsmpc-key-store {STORE_FORMAT}");
        if lines.next() != Some(magic.as_str()) {
            return Err(format!("not a key store file of format {STORE_FORMAT}"));
        }
        let fields: HashMap<&str, &str> = lines.filter_map(|l| l.split_once(": ")).collect();
        let want = [
            ("seed", self.seed_name()),
            ("suite", self.suite.clone()),
            ("provider", self.provider.clone()),
            ("bits", self.bits.to_string()),
            ("party", self.party.clone()),
            ("purpose", self.purpose.name().to_string()),
        ];
        for (k, v) in want {
            match fields.get(k) {
                Some(got) if *got == v => {}
                Some(got) => return Err(format!("it holds the key of {k} {got}, not {v}")),
                None => return Err(format!("its header has no {k}")),
            }
        }
        let fp = fields
            .get("public-sha256")
            .ok_or("its header has no public-key fingerprint")?;
        Ok((&file[split + 2..], fp.to_string()))
    }

    /// The private key bytes of a stored file, if its header names this binding, the key
    /// parses (`check` gives its public key's encoding) and that public key has the
    /// fingerprint the header records; otherwise why not.
    fn verify(
        &self,
        file: &[u8],
        check: &impl Fn(&[u8]) -> Result<Vec<u8>>,
    ) -> std::result::Result<Zeroizing<Vec<u8>>, String> {
        let (key, fp) = self.open(file)?;
        let public = check(key).map_err(|e| format!("the key does not parse ({e})"))?;
        if fingerprint(&public) != fp {
            return Err("its public key does not match the fingerprint in its header".into());
        }
        Ok(Zeroizing::new(key.to_vec()))
    }
}

/// Write private key file `f` in the key store's format: a header binding it to `binding`
/// with the SHA-256 of `public` (the key's public encoding), then `private`. The directory is
/// created (or narrowed) to mode 0700, the file written with mode 0600 beside its name and
/// renamed into place. A deployment's host directories hold their keys this way.
pub fn write_key_file(f: &Path, binding: &Binding, public: &[u8], private: &[u8]) -> Result<()> {
    let dir = f.parent().unwrap_or(Path::new("."));
    store(dir, f, &binding.header(&fingerprint(public)), private)
        .map_err(|e| RolesError::Config(format!("cannot write key file {}: {e}", f.display())))
}

/// Read private key file `f` written by [`write_key_file`]: the header must name `binding`,
/// the key must parse (`check` returns its public encoding) and match the header's
/// fingerprint. Unlike the key store, which regenerates a bad file from its seed, a bad file
/// here is an error that names it (there is nothing to regenerate it from).
pub fn read_key_file(
    f: &Path,
    binding: &Binding,
    check: impl Fn(&[u8]) -> Result<Vec<u8>>,
) -> Result<Zeroizing<Vec<u8>>> {
    if let Some(dir) = f.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::check_private(dir, "key directory")?;
    }
    crate::files::check_private(f, "key file")?;
    let file = Zeroizing::new(crate::files::read_limited(f, "key file", crate::files::MAX_KEY_FILE)?);
    binding.verify(&file, &check).map_err(|why| {
        RolesError::Config(format!(
            "key file {} is not the {} key of {} ({}, seed {}): {why}",
            f.display(),
            binding.purpose.name(),
            binding.party,
            binding.suite,
            binding.seed_name()
        ))
    })
}

/// SHA-256 of a public key's encoding, in hex.
fn fingerprint(public: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(public)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Private key bytes drawn from the OS in this run, by (suite id, party, is-encryption key).
type FreshKeys = HashMap<(String, String, bool), Zeroizing<Vec<u8>>>;

/// Where keys come from: reproducible from a seed (and stored), or fresh from the OS.
///
/// **The key store** (seeded runs only): `$DSMPC_KEY_CACHE` (`off`: none) or
/// `$XDG_CACHE_HOME/dsmpc/keys` or `~/.cache/dsmpc/keys`, a directory of mode 0700 holding one
/// file of mode 0600 per key, `{suite}-{provider}-seed{seed}-{party}-{purpose}.v1.key`,
/// written beside its name and renamed into place. Each file starts with a text header that
/// binds it to what it is for ([`Binding`]: format version, seed, suite, provider, key size,
/// party, purpose) and the SHA-256 of its public key, then the private key bytes. On load every
/// field is checked, the key parsed and its public key's fingerprint compared; a file that is
/// empty, corrupt, or another key's (a Cloud key swapped with a CP's, one CP's signing key with
/// another's) is named in a warning on stderr ([`KeyCache::warnings`]) and regenerated from the
/// seed. Runs with OS randomness never read or write the store.
///
/// Keys held in memory (the process-wide cache of seeded keys, this run's OS keys, every copy
/// handed out) are [`Zeroizing`]: wiped when dropped.
#[derive(Clone, Debug)]
pub struct KeyCache {
    source: RngSource,
    dir: Option<PathBuf>,
    provider: String,
    /// Keys drawn from the OS in this run, by (suite, party, purpose).
    fresh: Arc<Mutex<FreshKeys>>,
    warnings: Arc<Mutex<Vec<String>>>,
}

type MemKey = (Option<PathBuf>, Binding);
/// Seeded keys already loaded or generated in this process, by store and binding.
type Memory = Mutex<HashMap<MemKey, Arc<Zeroizing<Vec<u8>>>>>;

fn memory() -> &'static Memory {
    static M: OnceLock<Memory> = OnceLock::new();
    M.get_or_init(|| Mutex::new(HashMap::new()))
}

fn poisoned<T>(_: T) -> RolesError {
    RolesError::Suite("key cache poisoned".into())
}

impl KeyCache {
    /// Keys for a run with this randomness source; seeded keys are kept in memory and in the
    /// store (unless `DSMPC_KEY_CACHE=off`).
    pub fn new(source: RngSource) -> Self {
        let dir = match std::env::var("DSMPC_KEY_CACHE") {
            Ok(v) if v == "off" => None,
            Ok(v) if !v.is_empty() => Some(PathBuf::from(v)),
            _ => std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|c| c.join("dsmpc").join("keys")),
        };
        Self::with_dir(source, dir)
    }

    /// Keys stored in `dir` (whatever the environment says).
    pub fn at(dir: impl Into<PathBuf>, source: RngSource) -> Self {
        Self::with_dir(source, Some(dir.into()))
    }

    /// A cache that never touches the disk.
    pub fn memory_only(source: RngSource) -> Self {
        Self::with_dir(source, None)
    }

    fn with_dir(source: RngSource, dir: Option<PathBuf>) -> Self {
        KeyCache {
            source,
            dir,
            provider: ANY_PROVIDER.to_string(),
            fresh: Arc::default(),
            warnings: Arc::default(),
        }
    }

    /// The same store for key bytes meant for one crypto provider (the `provider` field of
    /// each file's binding); [`ANY_PROVIDER`] (the default) for provider-neutral encodings.
    pub fn for_provider(mut self, provider: &str) -> Self {
        self.provider = provider.to_string();
        self
    }

    /// The store's directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The warnings about stored files given so far (each names the file).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().map(|w| w.clone()).unwrap_or_default()
    }

    fn warn(&self, w: String) {
        eprintln!("warning: {w}");
        if let Ok(mut ws) = self.warnings.lock() {
            ws.push(w);
        }
    }

    /// The private key bytes for `binding` (seed ignored for OS keys): from memory, the store,
    /// or `generate`; `check` parses stored bytes and returns the public key's encoding.
    fn bytes_for(
        &self,
        mut binding: Binding,
        generate: impl FnOnce(&mut DsmpcRng) -> Result<Zeroizing<Vec<u8>>>,
        check: impl Fn(&[u8]) -> Result<Vec<u8>>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let seed = match self.source {
            RngSource::Os => {
                let mut fresh = self.fresh.lock().map_err(poisoned)?;
                let key = (
                    binding.suite.clone(),
                    binding.party.clone(),
                    binding.purpose == Purpose::Enc,
                );
                if let Some(b) = fresh.get(&key) {
                    return Ok(b.clone());
                }
                let b = generate(&mut rng::from_os()?)?;
                fresh.insert(key, b.clone());
                return Ok(b);
            }
            RngSource::Seed(s) => s,
        };
        binding.seed = Some(seed);
        let mem_key = (self.dir.clone(), binding.clone());
        if let Some(b) = memory().lock().map_err(poisoned)?.get(&mem_key) {
            return Ok(Zeroizing::new(b.to_vec()));
        }
        let file = self.dir.as_ref().map(|d| d.join(binding.file_name()));
        let stored = file.as_ref().and_then(|f| self.load(f, &binding, &check));
        let bytes = match stored {
            Some(b) => b,
            None => {
                let label = format!("key/{}/{}/{}", binding.suite, binding.party, binding.purpose.name());
                let b = generate(&mut rng::seeded(seed, &label))?;
                if let (Some(dir), Some(f)) = (&self.dir, &file) {
                    let public = check(&b)?;
                    // Best effort: a read-only store only costs regeneration time.
                    if let Err(e) = store(dir, f, &binding.header(&fingerprint(&public)), &b) {
                        self.warn(format!(
                            "key store {}: {e}; the key is kept in memory only",
                            f.display()
                        ));
                    }
                }
                b
            }
        };
        memory()
            .lock()
            .map_err(poisoned)?
            .insert(mem_key, Arc::new(bytes.clone()));
        Ok(bytes)
    }

    /// A stored key, if its file exists and holds what `binding` says; a file that does not is
    /// named in a warning (and then replaced by the caller).
    fn load(
        &self,
        f: &Path,
        binding: &Binding,
        check: &impl Fn(&[u8]) -> Result<Vec<u8>>,
    ) -> Option<Zeroizing<Vec<u8>>> {
        if !f.exists() {
            return None;
        }
        // A store another user could read (or replace keys in) is not used: its keys are made
        // again, and written back once the directory is narrowed to 0700 (`store`).
        let exposed = f
            .parent()
            .map_or(Ok(()), |d| crate::files::check_private(d, "key store directory"))
            .and_then(|()| crate::files::check_private(f, "key store file"));
        let file =
            match exposed.and_then(|()| crate::files::read_limited(f, "key store file", crate::files::MAX_KEY_FILE)) {
                Ok(b) => Zeroizing::new(b),
                Err(e) => {
                    self.warn(format!("{e}; regenerating the key"));
                    return None;
                }
            };
        match binding.verify(&file, check) {
            Ok(k) => Some(k),
            Err(why) => {
                self.warn(format!(
                    "key store file {} is not the {} key of {} for seed {} ({}): {why}; regenerating it",
                    f.display(),
                    binding.purpose.name(),
                    binding.party,
                    binding.seed_name(),
                    binding.suite
                ));
                None
            }
        }
    }

    fn binding<S: CipherSuite>(&self, suite: &S, party: &str, purpose: Purpose) -> Binding {
        Binding {
            seed: None,
            suite: suite.id(),
            provider: self.provider.clone(),
            bits: suite.bits(),
            party: party.to_string(),
            purpose,
        }
    }

    /// The encryption key of `party`.
    pub fn enc_key<S: CipherSuite>(&self, suite: &S, party: &str) -> Result<S::EncPrivate> {
        let bytes = self.bytes_for(
            self.binding(suite, party, Purpose::Enc),
            |r| {
                let sk = suite.generate_enc(r)?;
                suite.enc_private_to_bytes(&sk).map(Zeroizing::new)
            },
            |b| {
                let sk = suite.enc_private_from_bytes(b)?;
                Ok(suite.encode_enc_public(&suite.enc_public(&sk)))
            },
        )?;
        suite.enc_private_from_bytes(&bytes)
    }

    /// The signing key of `party`.
    pub fn sign_key<S: CipherSuite>(&self, suite: &S, party: &str) -> Result<S::SignPrivate> {
        let bytes = self.bytes_for(
            self.binding(suite, party, Purpose::Sign),
            |r| {
                let sk = suite.generate_sign(r)?;
                suite.sign_private_to_bytes(&sk).map(Zeroizing::new)
            },
            |b| {
                let sk = suite.sign_private_from_bytes(b)?;
                Ok(suite.encode_sign_public(&suite.sign_public(&sk)))
            },
        )?;
        suite.sign_private_from_bytes(&bytes)
    }
}

/// Write a key file: the directory created (or narrowed) to mode 0700, the file written with
/// mode 0600 beside its name and renamed into place.
fn store(dir: &Path, f: &Path, header: &str, key: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    let perms = std::fs::metadata(dir)?.permissions();
    if perms.mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    // Beside its name, unique to this process and call (threads may store the same key).
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = f.with_extension(format!("tmp{}-{n}", std::process::id()));
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    let written = out
        .write_all(header.as_bytes())
        .and_then(|()| out.write_all(key))
        .and_then(|()| out.sync_all());
    if let Err(e) = written.and_then(|()| std::fs::rename(&tmp, f)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok(())
}
