//! The DPs' commitment-signing keys ([`DpKeys`]): in `vss` mode each DP signs its commitments
//! so that a CP can check what the Edge relays.
//!
//! The scheme follows the suite's curve where that is cheap ([`DpScheme::for_suite`]):
//! Ed25519 with the x25519 suite (strict verification, the rule of
//! [`crate::suite::x25519`]); ECDSA P-256 with the p256 and rsa suites, as before (so their
//! messages keep their bytes: a P-256 signature is 64 bytes, and RSA key generation for every
//! DP would take hours at n = 10^5). Either key pair costs one scalar multiplication, a
//! signature is 64 bytes, and a verification costs about two scalar multiplications. The
//! signatures are made here with RustCrypto's `p256` and ed25519-dalek whatever the provider
//! (Ed25519 signatures are deterministic: the same bytes with aws-lc).

use dsmpc_core::counters::{self, Op};
use dsmpc_core::rng::{self, DsmpcRng, RngSource};
use ed25519_dalek::Signer;
use p256::ecdsa::signature::{RandomizedSigner, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use rand_core::Rng;
use zeroize::Zeroizing;

use crate::error::{Result, RolesError};
use crate::suite::rustcrypto::P256Suite;
use crate::suite::{CipherSuite, SuiteKind};
use crate::wire::{Commitments, TaskId, labels};

/// The signature scheme of the DPs' commitments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DpScheme {
    /// ECDSA P-256 with SHA-256, `r || s` (the p256 and rsa suites).
    EcdsaP256,
    /// Ed25519, strict verification (the x25519 suite).
    Ed25519,
}

impl DpScheme {
    /// The scheme of a session with `suite`.
    pub fn for_suite(suite: SuiteKind) -> Self {
        match suite {
            SuiteKind::X25519 => DpScheme::Ed25519,
            SuiteKind::Rsa | SuiteKind::P256 => DpScheme::EcdsaP256,
        }
    }

    /// A key pair from `rng`.
    fn generate(self, rng: &mut DsmpcRng) -> Result<DpSigningKey> {
        Ok(match self {
            DpScheme::EcdsaP256 => DpSigningKey::P256(P256Suite.generate_sign(rng)?),
            DpScheme::Ed25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                rng.fill_bytes(&mut *seed);
                DpSigningKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
            }
        })
    }
}

/// A DP's commitment-signing key (zeroized on drop).
#[derive(Clone, Debug)]
pub enum DpSigningKey {
    /// ECDSA P-256.
    P256(SigningKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::SigningKey),
}

impl From<SigningKey> for DpSigningKey {
    fn from(k: SigningKey) -> Self {
        DpSigningKey::P256(k)
    }
}

impl DpSigningKey {
    /// The ECDSA P-256 key, if it is one (a deployment's DP key files hold P-256 keys).
    pub fn as_p256(&self) -> Option<&SigningKey> {
        match self {
            DpSigningKey::P256(k) => Some(k),
            DpSigningKey::Ed25519(_) => None,
        }
    }

    fn verifying(&self) -> DpVerifyingKey {
        match self {
            DpSigningKey::P256(k) => DpVerifyingKey::P256(*k.verifying_key()),
            DpSigningKey::Ed25519(k) => DpVerifyingKey::Ed25519(k.verifying_key()),
        }
    }
}

/// A DP's commitment-verification key.
#[derive(Clone, Copy, Debug)]
enum DpVerifyingKey {
    P256(VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl DpVerifyingKey {
    fn verify(&self, statement: &[u8], sig: &[u8]) -> bool {
        match self {
            DpVerifyingKey::P256(k) => Signature::from_slice(sig).is_ok_and(|sig| k.verify(statement, &sig).is_ok()),
            // verify_strict: the x25519 suite's rule (it refuses small-order keys and R).
            DpVerifyingKey::Ed25519(k) => {
                ed25519_dalek::Signature::from_slice(sig).is_ok_and(|sig| k.verify_strict(statement, &sig).is_ok())
            }
        }
    }
}

/// Every DP's commitment-verification key, registered out of band like the CPs' keys.
#[derive(Clone, Debug)]
pub struct DpKeys {
    keys: Vec<DpVerifyingKey>,
}

impl DpKeys {
    /// ECDSA P-256 key pairs for DP1..=DPn: from the seed's stream `dpkey/{d}`, or from the OS.
    pub fn generate(n: usize, source: RngSource) -> Result<(Vec<DpSigningKey>, DpKeys)> {
        Self::generate_for(DpScheme::EcdsaP256, n, source)
    }

    /// Key pairs of `scheme` for DP1..=DPn: from the seed's stream `dpkey/{d}`, or from the OS.
    pub fn generate_for(scheme: DpScheme, n: usize, source: RngSource) -> Result<(Vec<DpSigningKey>, DpKeys)> {
        let mut os = match source {
            RngSource::Os => Some(rng::from_os()?),
            RngSource::Seed(_) => None,
        };
        let mut signing = Vec::with_capacity(n);
        for d in 1..=n {
            let sk = match (&mut os, source) {
                (Some(r), _) => scheme.generate(r)?,
                (None, RngSource::Seed(s)) => scheme.generate(&mut rng::seeded(s, &format!("dpkey/{d}")))?,
                (None, RngSource::Os) => return Err(RolesError::Suite("no OS randomness".into())),
            };
            signing.push(sk);
        }
        let keys = signing.iter().map(DpSigningKey::verifying).collect();
        Ok((signing, DpKeys { keys }))
    }

    /// The ECDSA P-256 verification keys of DP1..=DPn, as registered (a deployment's roster).
    pub fn from_keys(keys: Vec<VerifyingKey>) -> DpKeys {
        DpKeys {
            keys: keys.into_iter().map(DpVerifyingKey::P256).collect(),
        }
    }

    /// Whether `m` carries a valid signature of the DP it names (counted as `dp_sig_verify`).
    pub fn verify(&self, m: &Commitments) -> bool {
        let Some(key) = (m.dp as usize).checked_sub(1).and_then(|i| self.keys.get(i)) else {
            return false;
        };
        counters::record(Op::DpVerify);
        key.verify(&labels::commitments(&m.task, m.dp, &m.elements), &m.sig)
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
    let statement = labels::commitments(task, dp, elements);
    match key {
        DpSigningKey::P256(k) => {
            let sig: Signature = k
                .try_sign_with_rng(rng, &statement)
                .map_err(|e| RolesError::Suite(format!("ECDSA P-256: {e}")))?;
            Ok(sig.to_bytes().to_vec())
        }
        DpSigningKey::Ed25519(k) => Ok(k.sign(&statement).to_bytes().to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(scheme: DpScheme) -> (DpKeys, Commitments) {
        let (signing, keys) = DpKeys::generate_for(scheme, 2, RngSource::Seed(3)).unwrap();
        let (task, elements) = ([7u8; crate::wire::TASK_ID_LEN], vec![vec![1u8; 8], vec![2u8; 8]]);
        let sig = sign_commitments(&signing[1], &task, 2, &elements, &mut rng::seeded(3, "s")).unwrap();
        let m = Commitments {
            task,
            dp: 2,
            elements,
            sig,
        };
        (keys, m)
    }

    #[test]
    fn each_scheme_signs_64_bytes_that_only_the_right_dp_key_verifies() {
        assert_eq!(DpScheme::for_suite(SuiteKind::X25519), DpScheme::Ed25519);
        assert_eq!(DpScheme::for_suite(SuiteKind::P256), DpScheme::EcdsaP256);
        assert_eq!(DpScheme::for_suite(SuiteKind::Rsa), DpScheme::EcdsaP256);
        for scheme in [DpScheme::EcdsaP256, DpScheme::Ed25519] {
            let (keys, m) = signed(scheme);
            assert_eq!(m.sig.len(), 64, "{scheme:?}");
            assert!(keys.verify(&m), "{scheme:?}");
            let mut other_dp = m.clone();
            other_dp.dp = 1;
            assert!(!keys.verify(&other_dp), "{scheme:?}: DP 1's key");
            let mut tampered = m.clone();
            tampered.elements[0][0] ^= 1;
            assert!(!keys.verify(&tampered), "{scheme:?}: elements");
            let mut bad = m.clone();
            bad.sig[10] ^= 1;
            assert!(!keys.verify(&bad), "{scheme:?}: signature");
            let mut unknown = m;
            unknown.dp = 3;
            assert!(!keys.verify(&unknown), "{scheme:?}: no such DP");
        }
    }

    #[test]
    fn ed25519_dp_signatures_are_the_x25519_suites() {
        // The same seed gives the same Ed25519 signature through the suite (either provider).
        let (signing, _) = DpKeys::generate_for(DpScheme::Ed25519, 1, RngSource::Seed(4)).unwrap();
        let DpSigningKey::Ed25519(k) = &signing[0] else {
            panic!("an Ed25519 key");
        };
        let suite = crate::suite::awslc::X25519Suite;
        let sk = suite.sign_private_from_bytes(k.as_bytes()).unwrap();
        let (task, elements) = ([1u8; crate::wire::TASK_ID_LEN], vec![vec![5u8; 4]]);
        let statement = labels::commitments(&task, 1, &elements);
        let ours = sign_commitments(&signing[0], &task, 1, &elements, &mut rng::seeded(1, "x")).unwrap();
        assert_eq!(suite.sign(&sk, &statement, &mut rng::seeded(1, "x")).unwrap(), ours);
    }
}
