//! Cipher suites: the public-key encryption `Enc` and signature `Sign` of the protocol.
//!
//! A [`CipherSuite`] is a value (it carries its parameters, e.g. the RSA modulus size) with
//! associated key types. Every encryption takes a *label* that binds the ciphertext to its
//! context (task, DP, CP index): a ciphertext moved to another context does not decrypt.
//! Every operation is counted in `dsmpc_core::counters` so phases get a cost model.
//!
//! Two providers implement every suite with the same wire format and sizes, and interoperate
//! (each decrypts and verifies what the other made): [`rustcrypto`] (the `rsa` crate, `p256`,
//! x25519-dalek, ed25519-dalek, `aes-gcm`; pure Rust) and [`awslc`] (aws-lc-rs). [`rsa`],
//! [`p256`] and [`x25519`] hold what both share: sizes, layouts, labels, the ECIES key
//! derivation, and for Ed25519 the verification rule. The runtime choice of a [`Provider`]
//! becomes a type once, in [`crate::session::with_types`].
//!
//! Where keys come from (a seed and the key cache, or the OS) is [`crate::keys`]: both
//! providers derive a seed's keys the same way (with RustCrypto's key generation) and the
//! `awslc` provider imports them, so a seed gives the same keys with either provider.

pub mod awslc;
pub mod ecies;
pub mod p256;
pub mod rsa;
pub mod rustcrypto;
pub mod x25519;

use std::fmt;
use std::str::FromStr;

use dsmpc_core::rng::DsmpcRng;

use crate::error::Result;

/// Which cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuiteKind {
    /// RSA: OAEP-SHA-256 encryption, PSS-SHA-256 signatures.
    Rsa,
    /// P-256: ECIES (ECDH, SHA-256, AES-256-GCM) and ECDSA-SHA-256, as the reference prototype.
    P256,
    /// X25519: ECIES (X25519, HKDF-SHA256, AES-256-GCM) and Ed25519 (strict verification).
    X25519,
}

impl SuiteKind {
    /// The command-line and CSV name.
    pub fn name(self) -> &'static str {
        match self {
            SuiteKind::Rsa => "rsa",
            SuiteKind::P256 => "p256",
            SuiteKind::X25519 => "x25519",
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
            "x25519" => Ok(SuiteKind::X25519),
            _ => Err(format!("unknown cipher suite {s:?}: choose rsa, p256 or x25519")),
        }
    }
}

/// Which implementation of the cipher suites.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// Pure Rust: the `rsa` crate, `p256`, `aes-gcm` (RustCrypto).
    RustCrypto,
    /// aws-lc-rs (AWS-LC, a BoringSSL/OpenSSL descendant with assembly for common CPUs).
    #[default]
    AwsLc,
}

impl Provider {
    /// Both providers, in the order figures and tables show them.
    pub const ALL: [Provider; 2] = [Provider::RustCrypto, Provider::AwsLc];

    /// The command-line and CSV name.
    pub fn name(self) -> &'static str {
        match self {
            Provider::RustCrypto => "rustcrypto",
            Provider::AwsLc => "awslc",
        }
    }

    /// Whether this provider supports `suite` with `rsa_bits`-bit RSA moduli; if not, why.
    pub fn supports(self, suite: SuiteKind, rsa_bits: u32) -> std::result::Result<(), String> {
        if self == Provider::AwsLc && suite == SuiteKind::Rsa && rsa_bits < 2048 {
            return Err(format!(
                "the awslc provider does not support RSA-{rsa_bits} (aws-lc accepts 2048- to 8192-bit keys): \
                 use --provider rustcrypto, or --rsa-bits 2048 or more"
            ));
        }
        Ok(())
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rustcrypto" | "rust-crypto" => Ok(Provider::RustCrypto),
            "awslc" | "aws-lc" | "aws-lc-rs" => Ok(Provider::AwsLc),
            _ => Err(format!("unknown provider {s:?}: choose rustcrypto or awslc")),
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
    /// Which provider implements it.
    const PROVIDER: Provider;

    /// Short id of the suite and its parameters, e.g. `rsa2048` (key cache, CSV); the same
    /// for both providers, which share keys.
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

    /// Encoding of a public verification key (the key store's fingerprint of a signing key).
    fn encode_sign_public(&self, pk: &Self::SignPublic) -> Vec<u8>;
    /// Wire encoding of a public encryption key.
    fn encode_enc_public(&self, pk: &Self::EncPublic) -> Vec<u8>;
    /// Decode a public encryption key received in a message, with its validity checks;
    /// counted as one [`Op::KeyDecode`](dsmpc_core::counters::Op::KeyDecode).
    fn decode_enc_public(&self, bytes: &[u8]) -> Result<Self::EncPublic>;
    /// A CP's public encryption key as the Cloud relays it to every DP in the roster: by default
    /// [`Self::encode_enc_public`]'s bytes; p256 sends the uncompressed point (65 bytes), so
    /// that no DP computes a square root to use the key (the Cloud decompresses each CP's key
    /// once, instead of every DP each of them).
    fn encode_enc_public_relayed(&self, pk: &Self::EncPublic) -> Vec<u8> {
        self.encode_enc_public(pk)
    }
    /// Decode a key of the roster ([`Self::encode_enc_public_relayed`]'s bytes) with its
    /// validity checks; counted as one [`Op::KeyDecode`](dsmpc_core::counters::Op::KeyDecode).
    fn decode_enc_public_relayed(&self, bytes: &[u8]) -> Result<Self::EncPublic> {
        self.decode_enc_public(bytes)
    }
    /// Decode a public verification key ([`Self::encode_sign_public`]'s bytes; a deployment's
    /// roster registers the CPs' keys this way).
    fn decode_sign_public(&self, bytes: &[u8]) -> Result<Self::SignPublic>;

    /// `Enc_pk(msg)` bound to `label`; counted as `enc`.
    fn encrypt(&self, pk: &Self::EncPublic, label: &[u8], msg: &[u8], rng: &mut DsmpcRng) -> Result<Vec<u8>>;
    /// Whether the suite draws a sender key for several encryptions to different recipients in
    /// one go (a DP's shares to its CPs): x25519 and p256 draw one ephemeral key per DP instead
    /// of one per ciphertext (the KDF binds each recipient's key, so every ciphertext still has
    /// its own AEAD key). Such a suite implements [`Self::encrypt_with`].
    const SENDER_KEY: bool = false;
    /// The sender key ([`Self::SENDER_KEY`]): an encryption key pair drawn from `rng`; `None`
    /// without touching `rng` where the suite has none.
    fn sender_key(&self, rng: &mut DsmpcRng) -> Result<Option<Self::EncPrivate>> {
        if Self::SENDER_KEY {
            self.generate_enc(rng).map(Some)
        } else {
            Ok(None)
        }
    }
    /// `Enc_pk(msg)` bound to `label`, from `sender` (see [`Self::sender_key`]) if given, else
    /// [`Self::encrypt`]; counted as `enc`.
    fn encrypt_from(
        &self,
        sender: Option<&Self::EncPrivate>,
        pk: &Self::EncPublic,
        label: &[u8],
        msg: &[u8],
        rng: &mut DsmpcRng,
    ) -> Result<Vec<u8>> {
        match sender {
            Some(s) => self.encrypt_with(s, pk, label, msg, rng),
            None => self.encrypt(pk, label, msg, rng),
        }
    }
    /// `Enc_pk(msg)` bound to `label` from the sender key `sender`, whose public key is the
    /// ciphertext's ephemeral point; only the nonce is drawn. Suites without a sender key never
    /// get one ([`Self::sender_key`] gives `None`); by default this is [`Self::encrypt`].
    fn encrypt_with(
        &self,
        _sender: &Self::EncPrivate,
        pk: &Self::EncPublic,
        label: &[u8],
        msg: &[u8],
        rng: &mut DsmpcRng,
    ) -> Result<Vec<u8>> {
        self.encrypt(pk, label, msg, rng)
    }
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
