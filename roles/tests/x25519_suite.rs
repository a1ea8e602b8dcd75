//! The x25519 suite with both providers: sizes, the documented KDF and layout, labels,
//! counters, key bytes, the refusal of an all-zero X25519 shared secret (RFC 7748 low-order
//! points), and the strict Ed25519 rule's edge cases (non-canonical `S`, non-canonical and
//! small-order `A`, small-order `R`), on which both providers give the same answer.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use dsmpc_core::counters::{Op, OpCounts};
use dsmpc_core::rng::{RngSource, seeded};
use dsmpc_roles::keys::KeyCache;
use dsmpc_roles::suite::x25519::{parse_verifying_key, signature_precheck};
use dsmpc_roles::suite::{CipherSuite, SuiteKind, awslc, rustcrypto};
use sha2::{Digest, Sha256, Sha512};

/// Low-order X25519 u-coordinates (RFC 7748 §6.1 refers to them; the list is the one of
/// Bernstein's "Curve25519 small-subgroup" page, also in Wycheproof's `x25519` vectors).
const LOW_ORDER: [[u8; 32]; 3] = [
    [0; 32],
    {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    },
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09,
        0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00,
    ],
];

#[test]
fn identity_and_sizes() {
    assert_eq!("x25519".parse::<SuiteKind>(), Ok(SuiteKind::X25519));
    assert_eq!(SuiteKind::X25519.name(), "x25519");
    for (ct4, ct32, sig) in [
        (
            rustcrypto::X25519Suite.ciphertext_len(4),
            rustcrypto::X25519Suite.ciphertext_len(32),
            rustcrypto::X25519Suite.signature_len(),
        ),
        (
            awslc::X25519Suite.ciphertext_len(4),
            awslc::X25519Suite.ciphertext_len(32),
            awslc::X25519Suite.signature_len(),
        ),
    ] {
        assert_eq!((ct4, ct32, sig), (64, 92, 64));
    }
    assert_eq!(rustcrypto::X25519Suite.id(), awslc::X25519Suite.id());
}

/// Decrypt by hand from the documented layout and KDF (HKDF-SHA256, salt, info `E || Q`).
fn kdf_is_as_documented_with<S: CipherSuite>(s: &S) {
    let sk = s.generate_enc(&mut seeded(2, "enc")).unwrap();
    let q: [u8; 32] = s.encode_enc_public(&s.enc_public(&sk)).try_into().unwrap();
    let d: [u8; 32] = s.enc_private_to_bytes(&sk).unwrap().try_into().unwrap();
    let ct = s
        .encrypt(&s.enc_public(&sk), b"aad", b"documented", &mut seeded(2, "r"))
        .unwrap();
    let e: [u8; 32] = ct[..32].try_into().unwrap();
    let z = x25519_dalek::x25519(d, e);
    let mut key = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(b"dsmpc/v1/ecies-x25519"), &z)
        .expand(&[&e[..], &q[..]].concat(), &mut key)
        .unwrap();
    let nonce: [u8; 12] = ct[32..44].try_into().unwrap();
    let pt = Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &ct[44..],
                aad: b"aad",
            },
        )
        .unwrap();
    assert_eq!(pt, b"documented");
    // The ephemeral key is X25519(e, 9) of the first 32 bytes drawn.
    let mut r = seeded(2, "r");
    let mut drawn = [0u8; 32];
    rand_core::Rng::fill_bytes(&mut r, &mut drawn);
    assert_eq!(x25519_dalek::x25519(drawn, x25519_dalek::X25519_BASEPOINT_BYTES), e);
}

#[test]
fn kdf_and_layout_are_as_documented() {
    kdf_is_as_documented_with(&rustcrypto::X25519Suite);
    kdf_is_as_documented_with(&awslc::X25519Suite);
}

fn labels_tampering_and_counters_with<S: CipherSuite>(s: &S) {
    let keys = KeyCache::memory_only(RngSource::Seed(3));
    let sk = keys.enc_key(s, "cp1").unwrap();
    let pk = s.decode_enc_public(&s.encode_enc_public(&s.enc_public(&sk))).unwrap();
    let ssk = keys.sign_key(s, "cloud").unwrap();
    let spk = s
        .decode_sign_public(&s.encode_sign_public(&s.sign_public(&ssk)))
        .unwrap();
    let mut r = seeded(3, "r");
    let ((), counted) = OpCounts::measure(|| {
        let pk = s.decode_enc_public(&s.encode_enc_public(&pk)).unwrap();
        let ct = s.encrypt(&pk, b"task/dp1/cp2", b"share", &mut r).unwrap();
        assert_eq!(
            s.decrypt(&sk, b"task/dp1/cp2", &ct, &mut r).as_deref(),
            Some(&b"share"[..])
        );
        assert_eq!(s.decrypt(&sk, b"task/dp1/cp3", &ct, &mut r), None);
        for i in 0..ct.len() {
            let mut bad = ct.clone();
            bad[i] ^= 0x04;
            assert_eq!(s.decrypt(&sk, b"task/dp1/cp2", &bad, &mut r), None, "byte {i}");
        }
        assert_eq!(s.decrypt(&sk, b"task/dp1/cp2", &ct[..ct.len() - 1], &mut r), None);
        assert_eq!(s.decrypt(&sk, b"task/dp1/cp2", &ct[..59], &mut r), None);
        let sig = s.sign(&ssk, b"m", &mut r).unwrap();
        assert!(s.verify(&spk, b"m", &sig));
        assert!(!s.verify(&spk, b"n", &sig));
        assert!(!s.verify(&spk, b"m", &sig[..63]));
    });
    let ct_len = 5 + 60;
    let mut want = OpCounts::default();
    want.set(Op::KeyDecode, 1);
    want.set(Op::Encrypt, 1);
    want.set(Op::Decrypt, 2 + ct_len as u64 + 2);
    want.set(Op::Sign, 1);
    want.set(Op::Verify, 3);
    assert_eq!(counted, want);
}

#[test]
fn labels_tampering_and_counters() {
    labels_tampering_and_counters_with(&rustcrypto::X25519Suite);
    labels_tampering_and_counters_with(&awslc::X25519Suite);
}

fn private_keys_with<S: CipherSuite>(s: &S)
where
    S::EncPrivate: std::fmt::Debug,
    S::SignPrivate: std::fmt::Debug,
{
    for len in [0usize, 31, 33, 64] {
        assert!(s.enc_private_from_bytes(&vec![7u8; len]).is_err(), "{len}");
        assert!(s.sign_private_from_bytes(&vec![7u8; len]).is_err(), "{len}");
        assert!(s.decode_enc_public(&vec![7u8; len]).is_err(), "{len}");
        assert!(s.decode_sign_public(&vec![7u8; len]).is_err(), "{len}");
    }
    let sk = s.enc_private_from_bytes(&[0xff; 32]).unwrap();
    assert_eq!(
        s.enc_private_to_bytes(&sk).unwrap(),
        [0xff; 32],
        "stored as drawn, unclamped"
    );
    let ssk = s.sign_private_from_bytes(&[0x42; 32]).unwrap();
    assert_eq!(s.sign_private_to_bytes(&ssk).unwrap(), [0x42; 32]);
    let shown = format!("{sk:?} {ssk:?}");
    assert!(!shown.contains(&format!("{:?}", [0xffu8; 8].as_slice())), "{shown}");
}

#[test]
fn private_and_public_key_bytes() {
    private_keys_with(&rustcrypto::X25519Suite);
    private_keys_with(&awslc::X25519Suite);
}

/// A ciphertext with a low-order ephemeral key and the key an all-zero secret would give.
fn low_order_ciphertext(e: &[u8; 32], q: &[u8]) -> Vec<u8> {
    let mut key = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(b"dsmpc/v1/ecies-x25519"), &[0u8; 32])
        .expand(&[&e[..], q].concat(), &mut key)
        .unwrap();
    let sealed = Aes256Gcm::new_from_slice(&key)
        .unwrap()
        .encrypt(&Nonce::from([1u8; 12]), Payload { msg: b"x", aad: b"l" })
        .unwrap();
    [&e[..], &[1u8; 12][..], &sealed[..]].concat()
}

fn refuses_zero_shared_secret_with<S: CipherSuite>(s: &S) {
    let sk = s.generate_enc(&mut seeded(4, "enc")).unwrap();
    let q = s.encode_enc_public(&s.enc_public(&sk));
    for u in LOW_ORDER {
        let pk = s.decode_enc_public(&u).unwrap();
        let e = s.encrypt(&pk, b"l", b"x", &mut seeded(4, "r")).unwrap_err().to_string();
        assert!(e.contains("all-zero shared secret"), "{e}");
        assert_eq!(
            s.decrypt(&sk, b"l", &low_order_ciphertext(&u, &q), &mut seeded(4, "r")),
            None
        );
    }
}

#[test]
fn an_all_zero_shared_secret_is_refused() {
    refuses_zero_shared_secret_with(&rustcrypto::X25519Suite);
    refuses_zero_shared_secret_with(&awslc::X25519Suite);
}

/// The Ed25519 secret scalar `a` of a seed (RFC 8032 §5.1.5) and the public key.
fn expanded(seed: &[u8; 32]) -> (Scalar, [u8; 32]) {
    let h = Sha512::digest(seed);
    let mut a: [u8; 32] = h[..32].try_into().unwrap();
    a[0] &= 248;
    a[31] &= 127;
    a[31] |= 64;
    let a = Scalar::from_bytes_mod_order(a);
    (a, EdwardsPoint::mul_base(&a).compress().to_bytes())
}

/// `k = SHA-512(R || A || M) mod l`.
fn challenge(r: &[u8; 32], a: &[u8; 32], m: &[u8]) -> Scalar {
    let h: [u8; 64] = Sha512::new()
        .chain_update(r)
        .chain_update(a)
        .chain_update(m)
        .finalize()
        .into();
    Scalar::from_bytes_mod_order_wide(&h)
}

/// `x + l` as 32 little-endian bytes (fits: `x < l < 2^253`).
fn plus_order(s: &[u8]) -> [u8; 32] {
    // l = 2^252 + 27742317777372353535851937790883648493, little-endian.
    let mut l = [0u8; 32];
    l[..16].copy_from_slice(&[
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    ]);
    l[31] = 0x10;
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(s[i]) + u16::from(l[i]) + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    out
}

fn verifies<S: CipherSuite>(s: &S, key: &[u8; 32], m: &[u8], sig: &[u8]) -> bool {
    s.decode_sign_public(key).is_ok_and(|pk| s.verify(&pk, m, sig))
}

#[test]
fn strict_ed25519_edge_cases_with_both_providers() {
    let (rc, lc) = (rustcrypto::X25519Suite, awslc::X25519Suite);
    let seed = [0x11u8; 32];
    let (a, pk) = expanded(&seed);
    let ssk = rc.sign_private_from_bytes(&seed).unwrap();
    assert_eq!(rc.encode_sign_public(&rc.sign_public(&ssk)), pk);
    let sig = rc.sign(&ssk, b"m", &mut seeded(1, "s")).unwrap();
    // Both providers' answer, which must be the same.
    let check = |key: &[u8; 32], m: &[u8], sig: &[u8]| {
        let (x, y) = (verifies(&rc, key, m, sig), verifies(&lc, key, m, sig));
        assert_eq!(x, y, "the providers disagree");
        x
    };
    assert!(check(&pk, b"m", &sig));
    // Non-canonical S: S + l satisfies the equation but is refused.
    let mut high = sig.clone();
    high[32..].copy_from_slice(&plus_order(&sig[32..]));
    assert!(!signature_precheck(&high));
    assert!(!check(&pk, b"m", &high));
    // Small-order R with the cofactorless equation satisfied: R = identity, S = k·a.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let s = challenge(&identity, &pk, b"m") * a;
    let forged = [&identity[..], &s.to_bytes()[..]].concat();
    assert!(!signature_precheck(&forged));
    assert!(!check(&pk, b"m", &forged));
    // ... which AWS-LC alone would accept: the shared pre-check is what refuses it there.
    let raw = aws_lc_rs::signature::UnparsedPublicKey::new(&aws_lc_rs::signature::ED25519, pk);
    assert!(
        raw.verify(b"m", &forged).is_ok(),
        "AWS-LC's own rule accepts a small-order R"
    );
    // Small-order public keys (the identity, with R = identity and S = 0 valid for every
    // message under the cofactorless equation) are refused at decoding.
    let zero_sig = [&identity[..], &[0u8; 32][..]].concat();
    assert!(!check(&identity, b"anything", &zero_sig));
    assert!(parse_verifying_key(&identity).is_none());
    // Non-canonical encodings of a large-order A (y + p for a small y) are refused.
    let mut found = 0;
    for y in 2u8..19 {
        let mut enc = [0xffu8; 32];
        enc[0] = 0xed + y;
        enc[31] = 0x7f;
        if CompressedEdwardsY(enc)
            .decompress()
            .is_some_and(|p| !p.is_small_order())
        {
            found += 1;
            assert!(parse_verifying_key(&enc).is_none());
            assert!(rc.decode_sign_public(&enc).is_err() && lc.decode_sign_public(&enc).is_err());
        }
    }
    assert!(
        found > 0,
        "a non-canonical encoding of a large-order point exists for some y < 19"
    );
    // Wrong lengths and garbage.
    for bad in [
        &sig[..0],
        &sig[..63],
        &[sig.clone(), vec![0]].concat()[..],
        &[0xff; 64][..],
    ] {
        assert!(!check(&pk, b"m", bad));
    }
}

/// One sender key for several recipients (a DP's shares): every ciphertext carries the same
/// ephemeral `E`, each recipient decrypts its own with either provider and not another's, a
/// ciphertext moved to another label does not open, and each counts as one `enc`.
#[test]
fn one_sender_key_serves_several_recipients_with_either_provider() {
    let mut r = seeded(5, "sender");
    let rc = rustcrypto::X25519Suite;
    let lc = awslc::X25519Suite;
    let keys: Vec<_> = (0..3).map(|_| rc.generate_enc(&mut r).unwrap()).collect();
    let lc_keys: Vec<_> = keys
        .iter()
        .map(|k| lc.enc_private_from_bytes(&rc.enc_private_to_bytes(k).unwrap()).unwrap())
        .collect();
    for provider in ["rustcrypto", "awslc"] {
        let (cts, counts) = OpCounts::measure(|| {
            (0..3)
                .map(|i| {
                    let label = format!("share/{i}");
                    if provider == "rustcrypto" {
                        let s = rc.sender_key(&mut r).unwrap().unwrap();
                        let pk = rc.enc_public(&keys[i]);
                        rc.encrypt_from(Some(&s), &pk, label.as_bytes(), b"y", &mut r).unwrap()
                    } else {
                        let s = lc.sender_key(&mut r).unwrap().unwrap();
                        let pk = lc.enc_public(&lc_keys[i]);
                        lc.encrypt_from(Some(&s), &pk, label.as_bytes(), b"y", &mut r).unwrap()
                    }
                })
                .collect::<Vec<_>>()
        });
        assert_eq!(counts.get(Op::Encrypt), 3, "{provider}");
        for (i, ct) in cts.iter().enumerate() {
            let label = format!("share/{i}");
            assert_eq!(
                rc.decrypt(&keys[i], label.as_bytes(), ct, &mut r).as_deref(),
                Some(&b"y"[..]),
                "{provider}"
            );
            assert_eq!(
                lc.decrypt(&lc_keys[i], label.as_bytes(), ct, &mut r).as_deref(),
                Some(&b"y"[..]),
                "{provider}"
            );
            assert!(
                rc.decrypt(&keys[(i + 1) % 3], label.as_bytes(), ct, &mut r).is_none(),
                "{provider}"
            );
            assert!(lc.decrypt(&lc_keys[i], b"share/9", ct, &mut r).is_none(), "{provider}");
        }
    }
    // One sender key, three recipients: the same E in every ciphertext, distinct bodies.
    let s = lc.sender_key(&mut r).unwrap().unwrap();
    let cts: Vec<Vec<u8>> = lc_keys
        .iter()
        .map(|k| {
            lc.encrypt_from(Some(&s), &lc.enc_public(k), b"l", b"same", &mut r)
                .unwrap()
        })
        .collect();
    assert!(cts.iter().all(|c| c[..32] == cts[0][..32]));
    assert!(cts[0][32..] != cts[1][32..]);
    for (k, ct) in keys.iter().zip(&cts) {
        assert_eq!(rc.decrypt(k, b"l", ct, &mut r).as_deref(), Some(&b"same"[..]));
    }
    // Without a sender key (the default of the other suites), a fresh E per ciphertext.
    let a = rc
        .encrypt_from(None, &rc.enc_public(&keys[0]), b"l", b"x", &mut r)
        .unwrap();
    let b = rc
        .encrypt_from(None, &rc.enc_public(&keys[0]), b"l", b"x", &mut r)
        .unwrap();
    assert_ne!(a[..32], b[..32]);
}
