//! The fuzz targets' functions on stable: an honest session played through the `parties`
//! script reaches the right sum (so the seed corpus is a real run), and every committed corpus
//! file (seeds and the inputs of every crash found, `corpus/TARGET/crash-*`) goes through its
//! target without a panic. With `DSMPC_WRITE_CORPUS=1` the seed corpus is written afresh.

use std::path::{Path, PathBuf};

use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::event::Event;

fn corpus(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(target)
}

#[test]
fn an_honest_transcript_replays_to_the_right_sum_in_every_mode() {
    for mode in VerifyMode::ALL {
        let (script, messages) = dsmpc_fuzz::transcript(mode);
        let events = dsmpc_fuzz::play(&script);
        let outcome = events.iter().find_map(|e| match e {
            Event::Outcome(o) => Some(o),
            _ => None,
        });
        let outcome = outcome.unwrap_or_else(|| panic!("{mode}: no outcome in {events:?}"));
        assert_eq!(outcome.sum, 42u32.into(), "{mode}");
        // Every kind the mode uses is in the transcript.
        let kinds = if mode == VerifyMode::Vss { 9 } else { 6 };
        let mut seen: Vec<_> = messages
            .iter()
            .map(|m| dsmpc_roles::wire::Message::decode(m).unwrap().kind())
            .collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), kinds, "{mode}: {seen:?}");
        if std::env::var_os("DSMPC_WRITE_CORPUS").is_some() {
            write(&corpus("parties").join(format!("honest-{mode}")), &script);
            for (i, m) in messages.iter().enumerate() {
                write(&corpus("wire").join(format!("{mode}-{i:02}")), m);
            }
        }
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn every_committed_corpus_file_goes_through_its_target() {
    let targets: [(&str, fn(&[u8])); 7] = [
        ("frames", dsmpc_fuzz::frames),
        ("wire", dsmpc_fuzz::wire),
        ("parties", dsmpc_fuzz::parties),
        ("values", dsmpc_fuzz::values),
        ("grid", dsmpc_fuzz::grid),
        ("reports", dsmpc_fuzz::reports),
        ("deployment", dsmpc_fuzz::deployment),
    ];
    for (target, run) in targets {
        let mut files: Vec<PathBuf> = std::fs::read_dir(corpus(target))
            .unwrap_or_else(|e| panic!("corpus/{target}: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "corpus/{target} is empty");
        for f in files {
            let data = std::fs::read(&f).unwrap();
            run(&data);
        }
    }
}
