//! Tests that could not run here, counted. Such tests (network namespaces without root or
//! iproute2, callgrind without valgrind) pass without running; each appends `TEST<tab>REASON` to
//! the file `DSMPC_SKIP_LOG` names (`net/tests/common/skip.rs`). `cargo xtask test` sets the
//! variable, and afterwards prints `skipped: N` with every name and reason, and fails when one
//! was skipped under `CI=true` (CI runs as root with valgrind and iproute2: nothing may skip).

use std::path::{Path, PathBuf};

/// The environment variable the tests read.
pub const SKIP_LOG: &str = "DSMPC_SKIP_LOG";

/// One skipped test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip {
    /// The test's path, e.g. `net_netns::netns_n20_...`.
    pub test: String,
    /// Why it could not run.
    pub reason: String,
}

/// A fresh log file for one test run (an absolute path, removed by [`read`]).
pub fn fresh_log() -> Result<PathBuf, String> {
    let path = std::env::temp_dir().join(format!("dsmpc-skips-{}.log", std::process::id()));
    std::fs::write(&path, "").map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    Ok(path)
}

/// The skips recorded in `path`; the file is removed afterwards.
pub fn read(path: &Path) -> Result<Vec<Skip>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let _ = std::fs::remove_file(path);
    Ok(parse(&text))
}

/// The lines `TEST<tab>REASON` of a log, each skip once, in the order first recorded.
pub fn parse(log: &str) -> Vec<Skip> {
    let mut skips: Vec<Skip> = Vec::new();
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        let (test, reason) = line.split_once('\t').unwrap_or((line, "(no reason given)"));
        let skip = Skip {
            test: test.trim().to_string(),
            reason: reason.trim().to_string(),
        };
        if !skips.contains(&skip) {
            skips.push(skip);
        }
    }
    skips
}

/// `skipped: N`, then one line per skipped test with its reason.
pub fn summary(skips: &[Skip]) -> String {
    let mut out = format!("skipped: {}", skips.len());
    for s in skips {
        out.push_str(&format!("\n  {}: {}", s.test, s.reason));
    }
    out
}

/// Whether the run passes given its skips: any skip fails it when `ci` (the value of `CI`) is
/// `true`.
pub fn check(skips: &[Skip], ci: Option<&str>) -> Result<(), String> {
    if skips.is_empty() || ci.map(str::trim) != Some("true") {
        return Ok(());
    }
    Err(format!(
        "{} test(s) could not run, and CI=true: CI runs as root with valgrind and iproute2, where \
         every test must run (install what the reasons above name, or unset CI to accept the skips)",
        skips.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "net_netns::a\tnetwork namespaces cannot be made here: need root\n\
                       icount::b\tvalgrind is not installed\n\
                       net_netns::a\tnetwork namespaces cannot be made here: need root\n\
                       \n\
                       odd line without a tab\n";

    #[test]
    fn a_log_is_parsed_once_per_skip_in_order() {
        let skips = parse(LOG);
        let tests: Vec<&str> = skips.iter().map(|s| s.test.as_str()).collect();
        assert_eq!(tests, ["net_netns::a", "icount::b", "odd line without a tab"]);
        assert_eq!(skips[1].reason, "valgrind is not installed");
        assert_eq!(skips[2].reason, "(no reason given)");
    }

    #[test]
    fn the_summary_counts_and_names_every_skip() {
        assert_eq!(summary(&[]), "skipped: 0");
        let text = summary(&parse(LOG));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "skipped: 3");
        assert_eq!(lines[2], "  icount::b: valgrind is not installed");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn only_ci_fails_on_skips() {
        let skips = parse(LOG);
        assert!(check(&skips, None).is_ok());
        assert!(check(&skips, Some("false")).is_ok());
        assert!(check(&[], Some("true")).is_ok());
        let e = check(&skips, Some("true")).unwrap_err();
        assert!(e.starts_with("3 test(s) could not run"), "{e}");
    }

    #[test]
    fn a_recorded_log_is_read_and_removed() {
        let path = fresh_log().unwrap();
        std::fs::write(&path, "t::x\twhy\n").unwrap();
        assert_eq!(
            read(&path).unwrap(),
            [Skip {
                test: "t::x".into(),
                reason: "why".into()
            }]
        );
        assert!(!path.exists());
        assert!(read(&path).is_err());
    }
}
