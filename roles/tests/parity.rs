//! Reference parity: with the P-256 suite and the 1024-bit group, the cryptographic payload of
//! every message kind equals what the reference prototype logged
//! (`../shared/reference/d_smpc_protocol_flow.log`: n = 20, m = 5, t = 3), kind by kind.
//!
//! The log sits beside the repository, as on CI. Set `DSMPC_REFERENCE_LOG` to read it from
//! elsewhere; without the file the test is skipped with a note, unless
//! `DSMPC_REQUIRE_REFERENCE=1` (set by `.ci/run`) makes that a failure.

use std::collections::BTreeMap;
use std::path::PathBuf;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::suite::SuiteKind;
use dsmpc_roles::wire::MessageKind;
use dsmpc_roles::{SessionConfig, session};
use serde_json::Value;

fn reference_log() -> Option<String> {
    let path = std::env::var_os("DSMPC_REFERENCE_LOG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/d_smpc_protocol_flow.log")
        });
    match std::fs::read_to_string(&path) {
        Ok(t) => Some(t),
        Err(e) => {
            assert!(
                std::env::var("DSMPC_REQUIRE_REFERENCE").as_deref() != Ok("1"),
                "reference log {} is required but unreadable: {e}",
                path.display()
            );
            eprintln!(
                "note: reference log {} not found ({e}); parity test skipped",
                path.display()
            );
            None
        }
    }
}

/// Classify the reference's message lines by kind: (kind -> set of byte counts, count).
fn reference_kinds(text: &str) -> BTreeMap<MessageKind, (Vec<u64>, usize)> {
    let mut out: BTreeMap<MessageKind, (Vec<u64>, usize)> = BTreeMap::new();
    let mut announced = std::collections::BTreeSet::new();
    for line in text.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if v.get("phase").is_some() {
            continue;
        }
        let (src, dst) = (v["src"].as_str().unwrap_or(""), v["dst"].as_str().unwrap_or(""));
        let bytes = v["bytes"].as_u64().unwrap_or(0);
        let kind = if src == "Cloud" && dst.starts_with("CP(VID=") {
            // The first message to each candidate is the announcement, the second its index.
            if announced.insert(dst.to_string()) {
                MessageKind::TaskAnnounce
            } else {
                MessageKind::IndexAssign
            }
        } else if src.starts_with("CP(VID=") && dst == "Cloud" {
            MessageKind::AuthRequest
        } else if src.starts_with("DP") && dst.starts_with("CP(i=") {
            MessageKind::SharePacket
        } else if src.starts_with("CP(i=") && dst == "Edge" {
            MessageKind::ResultUpload
        } else {
            panic!("unclassified reference line {line}");
        };
        let e = out.entry(kind).or_default();
        if !e.0.contains(&bytes) {
            e.0.push(bytes);
        }
        e.1 += 1;
    }
    out
}

#[test]
fn p256_payloads_match_the_reference_kind_by_kind() {
    let Some(text) = reference_log() else { return };
    let reference = reference_kinds(&text);
    assert_eq!(
        reference.len(),
        5,
        "the reference has five kinds of message: {reference:?}"
    );
    let backend = *BackendKind::available().last().unwrap();
    let cfg = SessionConfig {
        n: 20,
        m: 5,
        capacity: 5,
        t: 3,
        suite: SuiteKind::P256,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend,
        verify: VerifyMode::Paper,
        seed: Some(20251218),
        ..SessionConfig::default()
    };
    let r = session::run(&cfg, None, None).unwrap();
    assert!(r.matches());
    for (kind, (sizes, count)) in &reference {
        assert_eq!(sizes.len(), 1, "{kind}: the reference logs one size per kind");
        let ours = &r.messages[kind];
        assert_eq!(
            ours.max_payload_bytes, sizes[0],
            "{kind}: payload bytes differ from the reference"
        );
        assert_eq!(
            ours.payload_bytes,
            ours.max_payload_bytes * ours.count,
            "{kind}: every message the same size"
        );
        // The reference uploaded only t results and sent no roster; everything else matches in count too.
        if *kind != MessageKind::ResultUpload {
            assert_eq!(ours.count as usize, *count, "{kind}: message count");
        }
    }
    assert!(!MessageKind::Roster.reference_counted());
}
