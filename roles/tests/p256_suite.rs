//! The P-256 suite from outside the crate: ECIES round trips and sizes, every way a ciphertext
//! can be wrong (label, each byte of each region, truncation, extension, key, bad points),
//! ECDSA signatures and their failures, public-key decoding, key bytes and the key cache,
//! and reproducibility under a seeded rng.

use dsmpc_core::rng::{DsmpcRng, RngSource, seeded};
use dsmpc_roles::RolesError;
use dsmpc_roles::keys::KeyCache;
use dsmpc_roles::suite::rustcrypto::{P256EncPrivate, P256Suite};
use dsmpc_roles::suite::{CipherSuite, SuiteKind};
use dsmpc_roles::wire::{TaskId, labels};
use p256::PublicKey;
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::elliptic_curve::sec1::ToSec1Point;

const SUITE: P256Suite = P256Suite;
const TASK: TaskId = [7u8; 16];

/// The group order n of P-256, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa,
    0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

fn enc_keys(seed: u64) -> (P256EncPrivate, PublicKey) {
    let sk = SUITE.generate_enc(&mut seeded(seed, "enc")).unwrap();
    let pk = SUITE.enc_public(&sk);
    (sk, pk)
}

fn sign_keys(seed: u64) -> (SigningKey, VerifyingKey) {
    let sk = SUITE.generate_sign(&mut seeded(seed, "sign")).unwrap();
    let pk = SUITE.sign_public(&sk);
    (sk, pk)
}

fn rng() -> DsmpcRng {
    seeded(99, "test")
}

/// `n - x` for a 32-byte big-endian `x < n`.
fn order_minus(x: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = ORDER[i] as i16 - x[i] as i16 - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    assert_eq!(borrow, 0);
    out
}

#[test]
fn identity_of_the_suite() {
    assert_eq!(SUITE.id(), "p256");
    assert_eq!(SUITE.bits(), 256);
    assert_eq!(P256Suite::KIND, SuiteKind::P256);
    assert_eq!(SUITE.signature_len(), 64);
    assert_eq!(SUITE.ciphertext_len(0), 61);
}

#[test]
fn round_trip_with_protocol_labels() {
    let (sk, pk) = enc_keys(1);
    let mut r = rng();
    for (label, msg) in [
        (labels::token(&TASK), 5u32.to_be_bytes().to_vec()),
        (labels::index(&TASK, 5), 3u16.to_be_bytes().to_vec()),
        (labels::share(&TASK, 4, 2), vec![0xab; 32]),
        (labels::result(&TASK, 2), vec![0x01; 32]),
    ] {
        let ct = SUITE.encrypt(&pk, &label, &msg, &mut r).unwrap();
        assert_eq!(SUITE.decrypt(&sk, &label, &ct, &mut r), Some(msg));
    }
}

#[test]
fn ciphertext_lengths_match_the_reference() {
    let (sk, pk) = enc_keys(2);
    let mut r = rng();
    for (len, want) in [(4usize, 65usize), (2, 63), (32, 93)] {
        assert_eq!(SUITE.ciphertext_len(len), want);
        let msg = vec![0x5a; len];
        let ct = SUITE.encrypt(&pk, b"l", &msg, &mut r).unwrap();
        assert_eq!(ct.len(), want, "plaintext of {len} bytes");
        assert!(
            matches!(ct[0], 0x02 | 0x03),
            "ciphertext starts with a compressed point"
        );
        assert_ne!(&ct[45..45 + len], &msg[..], "the body is encrypted");
        assert_eq!(SUITE.decrypt(&sk, b"l", &ct, &mut r), Some(msg));
    }
}

#[test]
fn ciphertext_moved_to_another_context_fails() {
    let (sk, pk) = enc_keys(3);
    let mut r = rng();
    let label = labels::share(&TASK, 4, 2);
    let ct = SUITE.encrypt(&pk, &label, &[9u8; 32], &mut r).unwrap();
    assert!(SUITE.decrypt(&sk, &label, &ct, &mut r).is_some());
    let other_task = [8u8; 16];
    for wrong in [
        labels::share(&other_task, 4, 2),
        labels::share(&TASK, 5, 2),
        labels::share(&TASK, 4, 3),
        labels::result(&TASK, 2),
        Vec::new(),
        label[..label.len() - 1].to_vec(),
    ] {
        assert_eq!(SUITE.decrypt(&sk, &wrong, &ct, &mut r), None, "label {wrong:?}");
    }
}

#[test]
fn every_tampered_byte_fails() {
    let (sk, pk) = enc_keys(4);
    let mut r = rng();
    let msg = [0x11u8; 4];
    let ct = SUITE.encrypt(&pk, b"label", &msg, &mut r).unwrap();
    assert_eq!(ct.len(), 65);
    // Regions: point 0..33, nonce 33..45, body 45..49, tag 49..65; flip each bit pattern in each byte.
    for i in 0..ct.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bad = ct.clone();
            bad[i] ^= flip;
            assert_eq!(
                SUITE.decrypt(&sk, b"label", &bad, &mut r),
                None,
                "byte {i} ^ {flip:#04x}"
            );
        }
    }
    // The untouched ciphertext still decrypts (the loop did not pass by accident).
    assert_eq!(SUITE.decrypt(&sk, b"label", &ct, &mut r), Some(msg.to_vec()));
}

#[test]
fn truncated_extended_and_garbage_ciphertexts_fail() {
    let (sk, pk) = enc_keys(5);
    let mut r = rng();
    let ct = SUITE.encrypt(&pk, b"l", &[1, 2], &mut r).unwrap();
    for n in 0..ct.len() {
        assert_eq!(SUITE.decrypt(&sk, b"l", &ct[..n], &mut r), None, "first {n} bytes");
        assert_eq!(
            SUITE.decrypt(&sk, b"l", &ct[ct.len() - n..], &mut r),
            None,
            "last {n} bytes"
        );
    }
    let mut longer = ct.clone();
    longer.push(0);
    assert_eq!(SUITE.decrypt(&sk, b"l", &longer, &mut r), None);
    for garbage in [vec![0u8; 61], vec![0xff; 61], vec![0x02; 100], vec![0x04; 130]] {
        assert_eq!(SUITE.decrypt(&sk, b"l", &garbage, &mut r), None);
    }
}

#[test]
fn ephemeral_point_must_be_a_valid_compressed_point() {
    let (sk, pk) = enc_keys(6);
    let mut r = rng();
    let ct = SUITE.encrypt(&pk, b"l", &[3u8; 4], &mut r).unwrap();
    // Another valid point in place of the ephemeral key: decodes, but the tag fails.
    let mut swapped = ct.clone();
    swapped[..33].copy_from_slice(&SUITE.encode_enc_public(&pk));
    assert_eq!(SUITE.decrypt(&sk, b"l", &swapped, &mut r), None);
    // An x-coordinate of 0xff..ff is not below the field prime p.
    let mut over = ct.clone();
    over[1..33].fill(0xff);
    assert_eq!(SUITE.decrypt(&sk, b"l", &over, &mut r), None);
    for prefix in [0x00u8, 0x01, 0x04, 0x05, 0x06, 0x07] {
        let mut bad = ct.clone();
        bad[0] = prefix;
        assert_eq!(SUITE.decrypt(&sk, b"l", &bad, &mut r), None, "prefix {prefix:#04x}");
    }
}

#[test]
fn wrong_key_fails() {
    let (_, pk) = enc_keys(7);
    let (other_sk, _) = enc_keys(8);
    let mut r = rng();
    let ct = SUITE.encrypt(&pk, b"l", b"secret", &mut r).unwrap();
    assert_eq!(SUITE.decrypt(&other_sk, b"l", &ct, &mut r), None);
}

#[test]
fn seeded_rng_gives_deterministic_ciphertexts() {
    let (_, pk) = enc_keys(9);
    let a = SUITE.encrypt(&pk, b"l", b"msg", &mut seeded(1, "x")).unwrap();
    let b = SUITE.encrypt(&pk, b"l", b"msg", &mut seeded(1, "x")).unwrap();
    let c = SUITE.encrypt(&pk, b"l", b"msg", &mut seeded(2, "x")).unwrap();
    assert_eq!(a, b);
    assert_ne!(a[..33], c[..33], "fresh ephemeral point per rng stream");
    assert_ne!(a[33..45], c[33..45], "fresh nonce per rng stream");
    // One stream: two encryptions of the same message differ.
    let mut r = seeded(1, "x");
    let d = SUITE.encrypt(&pk, b"l", b"msg", &mut r).unwrap();
    let e = SUITE.encrypt(&pk, b"l", b"msg", &mut r).unwrap();
    assert_eq!(d, a);
    assert_ne!(d, e);
    // Keys from the same seed are the same.
    let (sk1, _) = enc_keys(10);
    let (sk2, _) = enc_keys(10);
    assert_eq!(
        SUITE.enc_private_to_bytes(&sk1).unwrap(),
        SUITE.enc_private_to_bytes(&sk2).unwrap()
    );
}

#[test]
fn signatures_verify_and_are_64_bytes() {
    let (sk, pk) = sign_keys(11);
    let mut r = rng();
    let msg = labels::auth_statement(&TASK, 3, &[5u8; 16], 1_749_945_600);
    let sig = SUITE.sign(&sk, &msg, &mut r).unwrap();
    assert_eq!(sig.len(), 64);
    assert!(SUITE.verify(&pk, &msg, &sig));
    // Hedged signing: same seed, same signature; another rng stream, another valid signature.
    assert_eq!(
        SUITE.sign(&sk, &msg, &mut rng()).unwrap(),
        SUITE.sign(&sk, &msg, &mut rng()).unwrap()
    );
    let other = SUITE.sign(&sk, &msg, &mut seeded(1, "y")).unwrap();
    assert_ne!(other, sig);
    assert!(SUITE.verify(&pk, &msg, &other));
    // The signature is over SHA-256 of the message, as r || s.
    let parsed = p256::ecdsa::Signature::from_slice(&sig).unwrap();
    use p256::ecdsa::signature::Verifier;
    assert!(pk.verify(&msg, &parsed).is_ok());
}

#[test]
fn tampered_signatures_messages_and_keys_fail() {
    let (sk, pk) = sign_keys(12);
    let (_, other_pk) = sign_keys(13);
    let mut r = rng();
    let msg = b"task || vid || nonce || ts".to_vec();
    let sig = SUITE.sign(&sk, &msg, &mut r).unwrap();
    assert!(SUITE.verify(&pk, &msg, &sig));
    for i in 0..sig.len() {
        let mut bad = sig.clone();
        bad[i] ^= 0x01;
        assert!(!SUITE.verify(&pk, &msg, &bad), "signature byte {i}");
    }
    for i in 0..msg.len() {
        let mut bad = msg.clone();
        bad[i] ^= 0x20;
        assert!(!SUITE.verify(&pk, &bad, &sig), "message byte {i}");
    }
    assert!(!SUITE.verify(&pk, &msg[1..], &sig));
    assert!(!SUITE.verify(&other_pk, &msg, &sig));
}

#[test]
fn malformed_signatures_are_rejected_without_panicking() {
    let (sk, pk) = sign_keys(14);
    let msg = b"m";
    let sig = SUITE.sign(&sk, msg, &mut rng()).unwrap();
    let mut cases: Vec<Vec<u8>> = vec![Vec::new(), sig[..63].to_vec(), [&sig[..], &[0]].concat(), vec![0u8; 64]];
    // r = 0, s = 0, r = n, s = n, r = s = 0xff..ff (out of range).
    let mut r0 = sig.clone();
    r0[..32].fill(0);
    let mut s0 = sig.clone();
    s0[32..].fill(0);
    let mut rn = sig.clone();
    rn[..32].copy_from_slice(&ORDER);
    let mut sn = sig.clone();
    sn[32..].copy_from_slice(&ORDER);
    cases.extend([r0, s0, rn, sn, vec![0xff; 64]]);
    for c in &cases {
        assert!(!SUITE.verify(&pk, msg, c), "{c:?}");
    }
    assert!(SUITE.verify(&pk, msg, &sig));
}

#[test]
fn high_s_is_accepted_like_the_p256_crate() {
    // Documented behaviour: no low-s rule, so (r, n - s) verifies too.
    let (sk, pk) = sign_keys(15);
    let msg = b"malleable";
    let sig = SUITE.sign(&sk, msg, &mut rng()).unwrap();
    let mut flipped = sig.clone();
    flipped[32..].copy_from_slice(&order_minus(&sig[32..]));
    assert_ne!(flipped, sig);
    assert!(SUITE.verify(&pk, msg, &flipped));
}

#[test]
fn public_keys_encode_to_33_bytes_and_decode_strictly() {
    let (_, pk) = enc_keys(16);
    let bytes = SUITE.encode_enc_public(&pk);
    assert_eq!(bytes.len(), 33);
    assert!(matches!(bytes[0], 0x02 | 0x03));
    assert_eq!(SUITE.decode_enc_public(&bytes).unwrap(), pk);

    let uncompressed = pk.to_sec1_point(false).as_bytes().to_vec();
    assert_eq!(uncompressed.len(), 65);
    let mut flipped_parity = bytes.clone();
    flipped_parity[0] ^= 0x01;
    let mut bad_prefix = bytes.clone();
    bad_prefix[0] = 0x04;
    let mut over = bytes.clone();
    over[1..].fill(0xff);
    let mut malformed: Vec<Vec<u8>> = vec![
        Vec::new(),
        vec![0x00],
        bytes[..32].to_vec(),
        [&bytes[..], &[0]].concat(),
        uncompressed,
        bad_prefix,
        over,
        vec![0u8; 33],
    ];
    // An x with no point on the curve.
    let mut off_curve = None;
    for x in 0u8..=255 {
        let mut c = vec![0x02];
        c.extend_from_slice(&[0u8; 31]);
        c.push(x);
        if PublicKey::from_sec1_bytes(&c).is_err() {
            off_curve = Some(c);
            break;
        }
    }
    malformed.push(off_curve.expect("about half of all x are off the curve"));
    for m in &malformed {
        assert!(matches!(SUITE.decode_enc_public(m), Err(RolesError::Suite(_))), "{m:?}");
    }
    // The other parity is the negated point: valid, but a different key.
    let neg = SUITE.decode_enc_public(&flipped_parity).unwrap();
    assert_ne!(neg, pk);
}

#[test]
fn private_keys_round_trip_through_bytes() {
    let (sk, pk) = enc_keys(17);
    let bytes = SUITE.enc_private_to_bytes(&sk).unwrap();
    assert_eq!(bytes.len(), 32);
    let back = SUITE.enc_private_from_bytes(&bytes).unwrap();
    assert_eq!(SUITE.enc_public(&back), pk);
    let mut r = rng();
    let ct = SUITE.encrypt(&pk, b"l", b"round", &mut r).unwrap();
    assert_eq!(SUITE.decrypt(&back, b"l", &ct, &mut r), Some(b"round".to_vec()));

    let (ssk, spk) = sign_keys(18);
    let sbytes = SUITE.sign_private_to_bytes(&ssk).unwrap();
    assert_eq!(sbytes.len(), 32);
    let sback = SUITE.sign_private_from_bytes(&sbytes).unwrap();
    assert_eq!(SUITE.sign_public(&sback), spk);
    let sig = SUITE.sign(&sback, b"m", &mut r).unwrap();
    assert!(SUITE.verify(&spk, b"m", &sig));

    for bad in [
        vec![],
        vec![0u8; 32],
        ORDER.to_vec(),
        vec![0xff; 32],
        vec![1u8; 31],
        vec![1u8; 33],
    ] {
        assert!(
            matches!(SUITE.enc_private_from_bytes(&bad), Err(RolesError::Suite(_))),
            "{bad:?}"
        );
        assert!(
            matches!(SUITE.sign_private_from_bytes(&bad), Err(RolesError::Suite(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn key_cache_hands_out_p256_keys() {
    let cache = KeyCache::memory_only(RngSource::Seed(42));
    let a = cache.enc_key(&SUITE, "p256-test-party").unwrap();
    let b = cache.enc_key(&SUITE, "p256-test-party").unwrap();
    let c = cache.enc_key(&SUITE, "p256-other-party").unwrap();
    assert_eq!(SUITE.enc_public(&a), SUITE.enc_public(&b));
    assert_ne!(SUITE.enc_public(&a), SUITE.enc_public(&c));
    let s = cache.sign_key(&SUITE, "p256-test-party").unwrap();
    let sig = SUITE.sign(&s, b"m", &mut rng()).unwrap();
    assert!(SUITE.verify(&SUITE.sign_public(&s), b"m", &sig));
}
