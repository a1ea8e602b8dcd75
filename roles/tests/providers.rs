//! The two crypto providers side by side: the same keys for a seed, interoperability in both
//! directions for every suite and key size (what one encrypts with its label the other
//! decrypts; what one signs the other verifies; a wrong label, a tampered byte or another key
//! fails across providers too), the seeded streams that stay aligned, and whole sessions
//! whose byte counts per message kind are the same with either provider.

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_core::rng::{DsmpcRng, RngSource, seeded};
use dsmpc_roles::keys::KeyCache;
use dsmpc_roles::suite::{CipherSuite, Provider, SuiteKind, awslc, rustcrypto};
use dsmpc_roles::wire::MessageKind;
use dsmpc_roles::{SessionConfig, session};
use rand_core::Rng;

/// Every RSA size both providers support (RSA-1024 is rustcrypto only).
const RSA_BOTH: [u32; 3] = [2048, 3072, 4096];

/// Messages of the lengths the protocol sends: an index, a share, a share pair, and one
/// longer than an RSA-2048 OAEP block (two blocks).
const LENGTHS: [usize; 5] = [0, 4, 32, 64, 300];

fn msg(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

/// A's ciphertexts decrypt under B with the same label and not under another; A's
/// signatures verify under B's verification key and fail when tampered with.
fn one_way<A: CipherSuite, B: CipherSuite>(a: &A, b: &B, keys: &KeyCache, what: &str) {
    let (a_sk, b_sk) = (keys.enc_key(a, "p").unwrap(), keys.enc_key(b, "p").unwrap());
    let (a_pk, b_pk) = (a.enc_public(&a_sk), b.enc_public(&b_sk));
    // The same keys: the same public key bytes, and each decodes the other's encoding.
    assert_eq!(a.encode_enc_public(&a_pk), b.encode_enc_public(&b_pk), "{what}");
    let a_pk2 = a.decode_enc_public(&b.encode_enc_public(&b_pk)).unwrap();
    let other = keys.enc_key(b, "someone-else").unwrap();
    let mut r = seeded(5, what);
    for len in LENGTHS {
        let m = msg(len);
        let ct = a.encrypt(&a_pk2, b"dsmpc/test/label", &m, &mut r).unwrap();
        assert_eq!(ct.len(), a.ciphertext_len(len), "{what} {len}");
        assert_eq!(a.ciphertext_len(len), b.ciphertext_len(len), "{what} {len}");
        assert_eq!(
            b.decrypt(&b_sk, b"dsmpc/test/label", &ct, &mut r),
            Some(m.clone()),
            "{what} {len}"
        );
        assert_eq!(
            b.decrypt(&b_sk, b"dsmpc/test/other", &ct, &mut r),
            None,
            "{what} {len}: label"
        );
        assert_eq!(
            b.decrypt(&other, b"dsmpc/test/label", &ct, &mut r),
            None,
            "{what} {len}: key"
        );
        for i in [0, ct.len() / 2, ct.len() - 1] {
            let mut bad = ct.clone();
            bad[i] ^= 0x01;
            assert_eq!(
                b.decrypt(&b_sk, b"dsmpc/test/label", &bad, &mut r),
                None,
                "{what} {len}: byte {i}"
            );
        }
    }
    let a_sig = keys.sign_key(a, "p").unwrap();
    let b_vk = b.sign_public(&keys.sign_key(b, "p").unwrap());
    let other_vk = b.sign_public(&keys.sign_key(b, "someone-else").unwrap());
    for len in [0usize, 32, 1000] {
        let m = msg(len);
        let sig = a.sign(&a_sig, &m, &mut r).unwrap();
        assert_eq!(sig.len(), a.signature_len(), "{what}");
        assert_eq!(a.signature_len(), b.signature_len(), "{what}");
        assert!(b.verify(&b_vk, &m, &sig), "{what} {len}");
        assert!(!b.verify(&other_vk, &m, &sig), "{what} {len}: key");
        let mut bad = sig.clone();
        bad[sig.len() / 3] ^= 0x80;
        assert!(!b.verify(&b_vk, &m, &bad), "{what} {len}: signature");
        assert!(!b.verify(&b_vk, &msg(len + 1), &sig), "{what} {len}: message");
        assert!(!b.verify(&b_vk, &m, &sig[1..]), "{what} {len}: short");
    }
}

fn both_ways<A: CipherSuite, B: CipherSuite>(a: &A, b: &B, what: &str) {
    assert_eq!(A::PROVIDER, Provider::RustCrypto);
    assert_eq!(B::PROVIDER, Provider::AwsLc);
    assert_eq!(A::KIND, B::KIND);
    assert_eq!(a.id(), b.id(), "one key cache id: the same keys");
    let keys = KeyCache::new(RngSource::Seed(14));
    one_way(a, b, &keys, &format!("{what}: rustcrypto -> awslc"));
    one_way(b, a, &keys, &format!("{what}: awslc -> rustcrypto"));
    // Private keys move between providers through their cached bytes.
    let sk = keys.enc_key(b, "p").unwrap();
    let back = a.enc_private_from_bytes(&b.enc_private_to_bytes(&sk).unwrap()).unwrap();
    assert_eq!(
        a.encode_enc_public(&a.enc_public(&back)),
        b.encode_enc_public(&b.enc_public(&sk))
    );
    let ssk = keys.sign_key(a, "p").unwrap();
    let moved = b
        .sign_private_from_bytes(&a.sign_private_to_bytes(&ssk).unwrap())
        .unwrap();
    let sig = b.sign(&moved, b"moved", &mut seeded(1, "m")).unwrap();
    assert!(a.verify(&a.sign_public(&ssk), b"moved", &sig), "{what}");
}

#[test]
fn rsa_interoperates_both_ways_at_every_size() {
    for bits in RSA_BOTH {
        both_ways(
            &rustcrypto::RsaSuite::new(bits).unwrap(),
            &awslc::RsaSuite::new(bits).unwrap(),
            &format!("RSA-{bits}"),
        );
    }
}

#[test]
fn p256_interoperates_both_ways() {
    both_ways(&rustcrypto::P256Suite, &awslc::P256Suite, "P-256");
}

#[test]
fn x25519_interoperates_both_ways() {
    both_ways(&rustcrypto::X25519Suite, &awslc::X25519Suite, "X25519");
}

/// Ed25519 signing is deterministic and draws nothing; X25519 ECIES draws the same bytes with
/// either provider: ciphertexts and signatures are byte-identical, seeded streams aligned.
#[test]
fn x25519_bytes_and_streams_are_the_same_with_either_provider() {
    let keys = KeyCache::memory_only(RngSource::Seed(16));
    let (rc, lc) = (rustcrypto::X25519Suite, awslc::X25519Suite);
    let (rpk, lpk) = (
        rc.enc_public(&keys.enc_key(&rc, "p").unwrap()),
        lc.enc_public(&keys.enc_key(&lc, "p").unwrap()),
    );
    let (mut r1, mut r2) = (seeded(4, "ecies"), seeded(4, "ecies"));
    for len in LENGTHS {
        let a = rc.encrypt(&rpk, b"l", &msg(len), &mut r1).unwrap();
        let b = lc.encrypt(&lpk, b"l", &msg(len), &mut r2).unwrap();
        assert_eq!(a, b, "ECIES bytes, {len}-byte message");
    }
    assert_eq!(r1.next_u64(), r2.next_u64());
    let (rs, ls) = (keys.sign_key(&rc, "p").unwrap(), keys.sign_key(&lc, "p").unwrap());
    assert_eq!(
        rc.encode_sign_public(&rc.sign_public(&rs)),
        lc.encode_sign_public(&lc.sign_public(&ls))
    );
    let (mut r1, mut r2) = (seeded(5, "sig"), seeded(5, "sig"));
    assert_eq!(
        rc.sign(&rs, b"m", &mut r1).unwrap(),
        lc.sign(&ls, b"m", &mut r2).unwrap()
    );
    assert_eq!(r1.next_u64(), seeded(5, "sig").next_u64(), "Ed25519 draws nothing");
}

/// One sender key for a DP's several recipients (P-256 and X25519): with the same rng state
/// both providers draw the same key and write the same bytes; every ciphertext carries the same
/// ephemeral point; each recipient opens its own with either provider and not another's, nor
/// one moved to another label.
fn sender_key_interoperates<A: CipherSuite, B: CipherSuite>(a: &A, b: &B, point_len: usize) {
    let keys = KeyCache::memory_only(RngSource::Seed(17));
    let names = ["cp1", "cp2", "cp3"];
    let a_sks: Vec<_> = names.iter().map(|n| keys.enc_key(a, n).unwrap()).collect();
    let b_sks: Vec<_> = names.iter().map(|n| keys.enc_key(b, n).unwrap()).collect();
    let (mut r1, mut r2) = (seeded(6, "sender"), seeded(6, "sender"));
    let sa = a.sender_key(&mut r1).unwrap().expect("a sender key");
    let sb = b.sender_key(&mut r2).unwrap().expect("a sender key");
    let mut cts = Vec::new();
    for (i, (ka, kb)) in a_sks.iter().zip(&b_sks).enumerate() {
        let label = format!("share/{i}");
        let x = a
            .encrypt_from(Some(&sa), &a.enc_public(ka), label.as_bytes(), b"y", &mut r1)
            .unwrap();
        let y = b
            .encrypt_from(Some(&sb), &b.enc_public(kb), label.as_bytes(), b"y", &mut r2)
            .unwrap();
        assert_eq!(x, y, "{}: the same bytes from either provider", A::KIND);
        cts.push(x);
    }
    assert_eq!(r1.next_u64(), r2.next_u64(), "streams aligned");
    assert!(
        cts.iter().all(|c| c[..point_len] == cts[0][..point_len]),
        "one ephemeral point"
    );
    assert!(cts[0][point_len..] != cts[1][point_len..]);
    for (i, ct) in cts.iter().enumerate() {
        let label = format!("share/{i}");
        assert_eq!(
            a.decrypt(&a_sks[i], label.as_bytes(), ct, &mut r1).as_deref(),
            Some(&b"y"[..])
        );
        assert_eq!(
            b.decrypt(&b_sks[i], label.as_bytes(), ct, &mut r1).as_deref(),
            Some(&b"y"[..])
        );
        assert!(b.decrypt(&b_sks[(i + 1) % 3], label.as_bytes(), ct, &mut r1).is_none());
        assert!(a.decrypt(&a_sks[i], b"share/9", ct, &mut r1).is_none());
    }
}

#[test]
fn p256_and_x25519_sender_keys_interoperate() {
    sender_key_interoperates(&rustcrypto::P256Suite, &awslc::P256Suite, 33);
    sender_key_interoperates(&rustcrypto::X25519Suite, &awslc::X25519Suite, 32);
}

/// A CP's key as the roster relays it: 65 uncompressed bytes with p256, the same from either
/// provider and read by either; the compressed form, another prefix and a point off the curve
/// are refused; the key read back encrypts to its owner.
#[test]
fn p256_roster_keys_are_uncompressed_and_interoperate() {
    let keys = KeyCache::memory_only(RngSource::Seed(18));
    let (rc, lc) = (rustcrypto::P256Suite, awslc::P256Suite);
    let (rsk, lsk) = (keys.enc_key(&rc, "cp").unwrap(), keys.enc_key(&lc, "cp").unwrap());
    let bytes = rc.encode_enc_public_relayed(&rc.enc_public(&rsk));
    assert_eq!(bytes.len(), 65);
    assert_eq!(bytes[0], 0x04);
    assert_eq!(bytes, lc.encode_enc_public_relayed(&lc.enc_public(&lsk)));
    assert_eq!(&bytes[1..33], &rc.encode_enc_public(&rc.enc_public(&rsk))[1..]);
    let mut r = seeded(7, "relayed");
    let from_rc = rc.decode_enc_public_relayed(&bytes).unwrap();
    let from_lc = lc.decode_enc_public_relayed(&bytes).unwrap();
    let ct = lc.encrypt(&from_lc, b"l", b"y", &mut r).unwrap();
    assert_eq!(rc.decrypt(&rsk, b"l", &ct, &mut r).as_deref(), Some(&b"y"[..]));
    let ct = rc.encrypt(&from_rc, b"l", b"y", &mut r).unwrap();
    assert_eq!(lc.decrypt(&lsk, b"l", &ct, &mut r).as_deref(), Some(&b"y"[..]));
    let compressed = rc.encode_enc_public(&rc.enc_public(&rsk));
    let mut prefix = bytes.clone();
    prefix[0] = 0x06;
    let mut off_curve = bytes.clone();
    off_curve[64] ^= 0x01;
    for (what, bad) in [
        ("compressed", &compressed),
        ("prefix", &prefix),
        ("off the curve", &off_curve),
    ] {
        assert!(rc.decode_enc_public_relayed(bad).is_err(), "rustcrypto: {what}");
        assert!(lc.decode_enc_public_relayed(bad).is_err(), "awslc: {what}");
    }
}

#[test]
fn rsa_1024_is_rustcrypto_only_with_a_clear_error() {
    let e = awslc::RsaSuite::new(1024).unwrap_err().to_string();
    assert!(e.contains("awslc provider does not support RSA-1024"), "{e}");
    assert!(rustcrypto::RsaSuite::new(1024).is_ok());
    let cfg = SessionConfig {
        rsa_bits: 1024,
        provider: Provider::AwsLc,
        ..SessionConfig::default()
    };
    assert!(
        cfg.validate()
            .unwrap_err()
            .to_string()
            .contains("--provider rustcrypto")
    );
    assert_eq!("aws-lc-rs".parse::<Provider>(), Ok(Provider::AwsLc));
    assert!("openssl".parse::<Provider>().is_err());
}

/// Where the `rustcrypto` provider's draw is fixed, `awslc` draws as much, so what a party
/// draws next is the same with either provider; ECIES ciphertexts are even byte-identical.
#[test]
fn seeded_streams_stay_aligned_across_providers() {
    fn next_after(f: impl FnOnce(&mut DsmpcRng)) -> u64 {
        let mut r = seeded(3, "align");
        f(&mut r);
        r.next_u64()
    }
    let keys = KeyCache::memory_only(RngSource::Seed(15));
    let (rc, lc) = (rustcrypto::P256Suite, awslc::P256Suite);
    let (rsk, lsk) = (keys.enc_key(&rc, "p").unwrap(), keys.enc_key(&lc, "p").unwrap());
    let (rpk, lpk) = (rc.enc_public(&rsk), lc.enc_public(&lsk));
    let (mut r1, mut r2) = (seeded(4, "ecies"), seeded(4, "ecies"));
    for len in LENGTHS {
        let a = rc.encrypt(&rpk, b"l", &msg(len), &mut r1).unwrap();
        let b = lc.encrypt(&lpk, b"l", &msg(len), &mut r2).unwrap();
        assert_eq!(a, b, "ECIES bytes, {len}-byte message");
    }
    let (rs, ls) = (keys.sign_key(&rc, "p").unwrap(), keys.sign_key(&lc, "p").unwrap());
    assert_eq!(
        next_after(|r| drop(rc.sign(&rs, b"m", r).unwrap())),
        next_after(|r| drop(lc.sign(&ls, b"m", r).unwrap())),
        "ECDSA"
    );
    let (rr, lr) = (
        rustcrypto::RsaSuite::new(2048).unwrap(),
        awslc::RsaSuite::new(2048).unwrap(),
    );
    let keys = KeyCache::new(RngSource::Seed(14));
    let rpk = rr.enc_public(&keys.enc_key(&rr, "p").unwrap());
    let lpk = lr.enc_public(&keys.enc_key(&lr, "p").unwrap());
    for len in [4usize, 300] {
        assert_eq!(
            next_after(|r| drop(rr.encrypt(&rpk, b"l", &msg(len), r).unwrap())),
            next_after(|r| drop(lr.encrypt(&lpk, b"l", &msg(len), r).unwrap())),
            "RSA-OAEP, {len} bytes"
        );
    }
}

fn session_cfg(suite: SuiteKind, provider: Provider, verify: VerifyMode) -> SessionConfig {
    SessionConfig {
        n: 7,
        m: 4,
        capacity: 4,
        t: 3,
        suite,
        provider,
        rsa_bits: if suite == SuiteKind::Rsa { 2048 } else { 0 },
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend: BackendKind::Num,
        verify,
        seed: Some(21),
        ..SessionConfig::default()
    }
}

/// Whole sessions in every mode and suite: the right sum with either provider, the same bytes
/// per message kind, and the same bytes message by message except where `awslc` uses its own
/// randomness (RSA-OAEP ciphertexts, RSA-PSS and ECDSA signatures) and what depends on it
/// (with x25519 there is none: the transcripts are identical).
#[test]
fn sessions_agree_across_providers_on_sums_and_byte_counts() {
    for suite in [SuiteKind::Rsa, SuiteKind::P256, SuiteKind::X25519] {
        for verify in VerifyMode::ALL {
            let run = |p| {
                let c = session_cfg(suite, p, verify);
                let r = session::run(&c, None, None).unwrap_or_else(|e| panic!("{}: {e}", c.point_id()));
                assert!(r.matches(), "{}", c.point_id());
                r
            };
            let (a, b) = (run(Provider::RustCrypto), run(Provider::AwsLc));
            assert_eq!(
                a.outcome.sum, b.outcome.sum,
                "{suite} {verify}: same values for the seed"
            );
            let counts = |r: &session::SessionReport| -> Vec<(MessageKind, u64, u64, u64)> {
                r.messages
                    .iter()
                    .map(|(k, m)| (*k, m.count, m.bytes, m.payload_bytes))
                    .collect()
            };
            assert_eq!(counts(&a), counts(&b), "{suite} {verify}: bytes per kind");
            // Operation counts per phase are the same too (the cost model's input).
            let ops = |r: &session::SessionReport| -> Vec<_> { r.phases.iter().map(|p| (p.phase, p.ops)).collect() };
            assert_eq!(ops(&a), ops(&b), "{suite} {verify}: operations per phase");
            if suite == SuiteKind::X25519 {
                // Nothing random in awslc's x25519: the very same bytes.
                assert_eq!(a.transcript_sha256, b.transcript_sha256, "{suite} {verify}");
                continue;
            }
            // awslc's own randomness: the transcript is not byte-identical...
            assert_ne!(a.transcript_sha256, b.transcript_sha256, "{suite} {verify}");
            // ... and with RSA not even run to run, while rustcrypto's is.
            assert_eq!(run(Provider::RustCrypto).transcript_sha256, a.transcript_sha256);
        }
    }
}
