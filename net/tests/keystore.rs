//! The key store: private key files of mode 0600 in a directory of mode 0700, each bound to
//! what it is for and checked on load; a file swapped for another key's (the Cloud's for a
//! CP's, one CP's signing key for another's), corrupt or empty is named in a warning and
//! regenerated, so the run gets the right key; runs with OS randomness never read or write the
//! store. And the same through `dsmpc run`: a swapped key file is reported and the run still
//! uses the right keys.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::cli::{small_run, tmp};
use dsmpc_core::rng::RngSource;
use dsmpc_roles::keys::KeyCache;
use dsmpc_roles::suite::CipherSuite;
use dsmpc_roles::suite::rustcrypto::RsaSuite;

fn suite() -> RsaSuite {
    RsaSuite::new(1024).unwrap()
}

/// The public encoding of `party`'s key from `store`.
fn public(store: &KeyCache, party: &str, sign: bool) -> Vec<u8> {
    let s = suite();
    if sign {
        s.encode_sign_public(&s.sign_public(&store.sign_key(&s, party).unwrap()))
    } else {
        s.encode_enc_public(&s.enc_public(&store.enc_key(&s, party).unwrap()))
    }
}

fn file(dir: &Path, seed: u64, party: &str, purpose: &str) -> PathBuf {
    dir.join(format!("rsa1024-any-seed{seed}-{party}-{purpose}.v1.key"))
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

/// A directory of mode 0700, as the store makes its own.
fn private_dir(p: &Path) {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(p)
        .unwrap();
}

/// A store directory or key file another user may read is not trusted when loading: the key is
/// made again from the seed, with a warning that names the directory or file and the `chmod`
/// that fixes it, and the store narrowed to 0700 / 0600 by writing it back.
#[test]
fn an_open_store_directory_or_key_file_is_not_trusted_on_load() {
    let seed = 505;
    let dir = tmp("keystore", "open").join("keys");
    let want = public(&KeyCache::at(&dir, RngSource::Seed(seed)), "cloud", false);
    let f = file(&dir, seed, "cloud", "enc");
    for (target, m, fix) in [(&dir, 0o755, "chmod 700"), (&f, 0o644, "chmod 600")] {
        std::fs::set_permissions(target, std::fs::Permissions::from_mode(m)).unwrap();
        // A process that never loaded this store (nothing cached in memory): another directory
        // holding the same files.
        let copy = dir.with_file_name(format!("keys-{m:o}"));
        let _ = std::fs::remove_dir_all(&copy);
        std::fs::create_dir_all(&copy).unwrap();
        std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(mode(&dir))).unwrap();
        let cf = copy.join(f.file_name().unwrap());
        std::fs::copy(&f, &cf).unwrap();
        let store = KeyCache::at(&copy, RngSource::Seed(seed));
        assert_eq!(public(&store, "cloud", false), want);
        let w = store.warnings();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains(fix) && w[0].contains("regenerating"), "{w:?}");
        assert_eq!((mode(&copy), mode(&cf)), (0o700, 0o600), "the store was not narrowed");
        std::fs::set_permissions(
            target,
            std::fs::Permissions::from_mode(if m == 0o755 { 0o700 } else { 0o600 }),
        )
        .unwrap();
    }
}

#[test]
fn key_files_are_private_and_say_what_they_are_for() {
    let dir = tmp("keystore", "perm").join("keys");
    let store = KeyCache::at(&dir, RngSource::Seed(501));
    public(&store, "cloud", false);
    public(&store, "vid1", true);
    assert_eq!(mode(&dir), 0o700);
    for (party, purpose) in [("cloud", "enc"), ("vid1", "sign")] {
        let f = file(&dir, 501, party, purpose);
        assert_eq!(mode(&f), 0o600, "{}", f.display());
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        for field in [
            "dsmpc-key-store 1\n",
            "seed: 501\n",
            "suite: rsa1024\n",
            "provider: any\n",
            "bits: 1024\n",
            &format!("party: {party}\n"),
            &format!("purpose: {purpose}\n"),
            "public-sha256: ",
        ] {
            assert!(text.contains(field), "{}: no {field:?}", f.display());
        }
    }
    assert!(store.warnings().is_empty(), "{:?}", store.warnings());
    // A store directory that exists with looser permissions is narrowed.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    public(&KeyCache::at(&dir, RngSource::Seed(502)), "cloud", false);
    assert_eq!(mode(&dir), 0o700);
}

#[test]
fn swapped_corrupt_or_empty_files_are_named_and_regenerated() {
    let seed = 503;
    let base = tmp("keystore", "swap");
    let good = base.join("good");
    let store = KeyCache::at(&good, RngSource::Seed(seed));
    let want_cloud = public(&store, "cloud", false);
    let want_vid1 = public(&store, "vid1", true);
    public(&store, "vid1", false);
    public(&store, "vid2", true);
    type Damage = fn(&Path);
    let cases: [(&str, &str, bool, Damage); 4] = [
        ("cloud-swapped", "cloud", false, |d| {
            std::fs::copy(file(d, 503, "vid1", "enc"), file(d, 503, "cloud", "enc")).unwrap();
        }),
        ("sign-swapped", "vid1", true, |d| {
            std::fs::copy(file(d, 503, "vid2", "sign"), file(d, 503, "vid1", "sign")).unwrap();
        }),
        ("corrupt", "cloud", false, |d| {
            let f = file(d, 503, "cloud", "enc");
            let mut b = std::fs::read(&f).unwrap();
            let n = b.len();
            for x in &mut b[n - 200..n - 100] {
                *x ^= 0x5a;
            }
            std::fs::write(&f, b).unwrap();
        }),
        ("empty", "cloud", false, |d| {
            std::fs::write(file(d, 503, "cloud", "enc"), b"").unwrap();
        }),
    ];
    for (name, party, sign, damage) in cases {
        // A copy of the good store (a directory of its own: nothing cached in memory for it).
        let dir = base.join(name);
        private_dir(&dir);
        for e in std::fs::read_dir(&good).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        damage(&dir);
        let store = KeyCache::at(&dir, RngSource::Seed(seed));
        let got = public(&store, party, sign);
        let want = if sign { &want_vid1 } else { &want_cloud };
        assert_eq!(&got, want, "{name}: the right key, regenerated from the seed");
        let warnings = store.warnings();
        let f = file(&dir, seed, party, if sign { "sign" } else { "enc" });
        assert_eq!(warnings.len(), 1, "{name}: {warnings:?}");
        assert!(
            warnings[0].contains(&f.display().to_string()) && warnings[0].contains("regenerating"),
            "{name}: {warnings:?}"
        );
        // The file was rewritten: a later run loads it without a warning.
        let fresh_dir = base.join(format!("{name}-reread"));
        private_dir(&fresh_dir);
        std::fs::copy(&f, fresh_dir.join(f.file_name().unwrap())).unwrap();
        let reread = KeyCache::at(&fresh_dir, RngSource::Seed(seed));
        assert_eq!(&public(&reread, party, sign), want, "{name}");
        assert!(reread.warnings().is_empty(), "{name}: {:?}", reread.warnings());
    }
}

#[test]
fn a_key_stored_for_another_provider_is_not_taken() {
    let dir = tmp("keystore", "provider").join("keys");
    let store = KeyCache::at(&dir, RngSource::Seed(504));
    let want = public(&store, "cloud", false);
    let src = file(&dir, 504, "cloud", "enc");
    let other = dir.join("rsa1024-awslc-seed504-cloud-enc.v1.key");
    std::fs::copy(&src, &other).unwrap();
    let store = KeyCache::at(&dir, RngSource::Seed(504)).for_provider("awslc");
    assert_eq!(public(&store, "cloud", false), want);
    let w = store.warnings();
    assert!(w.len() == 1 && w[0].contains("provider any, not awslc"), "{w:?}");
}

#[test]
fn os_randomness_never_reads_or_writes_the_store() {
    let dir = tmp("keystore", "os").join("keys");
    let store = KeyCache::at(&dir, RngSource::Os);
    let a = public(&store, "cloud", false);
    assert_eq!(public(&store, "cloud", false), a, "the same key for the whole run");
    public(&store, "vid1", true);
    assert!(!dir.exists(), "nothing written");
    // A file that would match is not read either.
    let seeded = KeyCache::at(&dir, RngSource::Seed(505));
    public(&seeded, "cloud", false);
    let other = KeyCache::at(&dir, RngSource::Os);
    assert_ne!(public(&other, "cloud", false), public(&seeded, "cloud", false));
}

#[test]
fn dsmpc_reports_a_swapped_key_file_and_uses_the_right_key() {
    let dir = tmp("keystore", "cli").join("keys");
    let run = || {
        small_run(3, 3, 2)
            .args(["--seed", "506"])
            .env("DSMPC_KEY_CACHE", &dir)
            .output()
            .unwrap()
    };
    let first = run();
    assert_eq!(first.status.code(), Some(0));
    let digest = |o: &std::process::Output| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .find(|l| l.contains("transcript sha256"))
            .map(str::to_string)
    };
    std::fs::copy(file(&dir, 506, "vid1", "enc"), file(&dir, 506, "cloud", "enc")).unwrap();
    let second = run();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(0), "{err}");
    assert!(
        err.contains("rsa1024-any-seed506-cloud-enc.v1.key") && err.contains("regenerating"),
        "{err}"
    );
    assert_eq!(digest(&first), digest(&second), "the same keys, so the same transcript");
}
