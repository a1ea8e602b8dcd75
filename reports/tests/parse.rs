//! Reading sweep folders: the fixture parses into the expected rows (including the
//! signature-verification count, in its current `sig_verify` and older second-`verify` forms,
//! and the quoted host name), and every kind of malformed input gives an error that names
//! the file, the line and the column, never a panic. The `dp_sign` and `dp_sig_verify`
//! columns are optional: sweeps written before them (and the committed baseline) read as 0.

mod common;

use dsmpc_reports::Error;
use dsmpc_reports::data::{self, Dataset};

#[test]
fn fixture_loads() {
    let ds = Dataset::load(&common::sweep()).unwrap();
    assert_eq!(ds.phases.len(), 24 * 3 * 7);
    assert_eq!(ds.messages.len(), 24 * 6);
    assert_eq!(ds.units.len(), 18);
    assert_eq!(ds.meta.calibration_s, 0.0125);
    assert_eq!(ds.meta.preset_text(), "fixture");
    let first = &ds.phases[0];
    assert_eq!(first.line, 2);
    assert_eq!(first.params.verify, "batch");
    assert_eq!(first.phase, "party_auth_verify");
    // party_auth_verify verifies one signature per CP
    assert_eq!(first.ops[8], first.params.k);
    assert_eq!(data::OP_COLUMNS[8], "sig_verify");
    assert!(ds.units.iter().any(|u| u.op == "sig_verify"));
    assert_eq!(ds.meta.finished.as_deref(), Some("2025-01-01T10:04:12Z"));
    assert_eq!(first.host_cpu, "Synthetic CPU, 2 cores @ 2.0GHz");
    assert!(ds.messages.iter().any(|m| m.kind == "roster" && !m.ref_compatible));
    let points = ds.points();
    assert_eq!(points.len(), 24);
    assert!(points.iter().all(|p| p.reps == 3 && p.phases.len() == 7));
    // every phase but the vss-only one, in protocol order
    let expected: Vec<&str> = data::PHASES
        .iter()
        .copied()
        .filter(|p| *p != "dp_set_agreement")
        .collect();
    assert_eq!(ds.phase_names(), expected);
}

fn load_err(dir: &std::path::Path) -> Error {
    match Dataset::load(dir) {
        Ok(_) => panic!("malformed input was accepted"),
        Err(e) => e,
    }
}

#[test]
fn bad_number_names_line_and_column() {
    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        Some(if n == 5 {
            common::set_field(l, 15, "abc")
        } else {
            l.into()
        })
    });
    let e = load_err(dir.path());
    match &e {
        Error::Field {
            line,
            column,
            index,
            value,
            ..
        } => {
            assert_eq!(
                (*line, column.as_str(), *index, value.as_str()),
                (5, "work_cpu_s", 16, "abc")
            );
        }
        other => panic!("unexpected error {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.contains("phases.csv:5") && text.contains("`work_cpu_s`") && text.contains("\"abc\""),
        "{text}"
    );
}

#[test]
fn negative_time_and_bad_op_count_are_rejected() {
    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        Some(if n == 3 {
            common::set_field(l, 17, "-0.5")
        } else {
            l.into()
        })
    });
    assert!(load_err(dir.path()).to_string().contains("max_cpu_s"));

    let dir = common::copy_fixture(&common::sweep());
    // field 29 is `sig_verify`
    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        Some(if n == 4 {
            common::set_field(l, 29, "1.5")
        } else {
            l.into()
        })
    });
    let text = load_err(dir.path()).to_string();
    assert!(
        text.contains("phases.csv:4") && text.contains("column 30 `sig_verify`"),
        "{text}"
    );
}

#[test]
fn missing_column_is_named() {
    let dir = common::copy_fixture(&common::sweep());
    // drop bound_s (field 19) everywhere
    common::edit_lines(dir.path(), "phases.csv", |_, l| {
        let mut f: Vec<&str> = l.split(',').collect();
        f.remove(19);
        Some(f.join(","))
    });
    match load_err(dir.path()) {
        Error::MissingColumn { column, path } => {
            assert_eq!(column, "bound_s");
            assert!(path.ends_with("phases.csv"));
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn older_schema_with_two_verify_columns_is_read() {
    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        Some(if n == 1 {
            l.replace(",sig_verify,", ",verify,")
        } else {
            l.into()
        })
    });
    common::edit_lines(dir.path(), "units.csv", |_, l| {
        Some(l.replace(",sig_verify,", ",verify,"))
    });
    let old = Dataset::load(dir.path()).unwrap();
    let new = Dataset::load(&common::sweep()).unwrap();
    assert_eq!(
        old.phases, new.phases,
        "mode from the first `verify`, op count from the second"
    );
    assert_eq!(old.units, new.units);

    // with neither `sig_verify` nor a second `verify`, the column is reported missing
    common::edit_lines(dir.path(), "phases.csv", |_, l| {
        let mut f: Vec<&str> = l.split(',').collect();
        f.remove(29);
        Some(f.join(","))
    });
    match load_err(dir.path()) {
        Error::MissingColumn { column, .. } => assert_eq!(column, "sig_verify"),
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn meta_of_a_running_sweep_is_read() {
    let dir = common::copy_fixture(&common::sweep());
    let meta = std::fs::read_to_string(dir.path().join("meta.json")).unwrap();
    std::fs::write(
        dir.path().join("meta.json"),
        meta.replace("\"2025-01-01T10:04:12Z\"", "null"),
    )
    .unwrap();
    assert_eq!(Dataset::load(dir.path()).unwrap().meta.finished, None);
}

#[test]
fn wrong_field_count_names_line() {
    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "messages.csv", |n, l| {
        Some(if n == 7 {
            l.rsplit_once(',').unwrap().0.to_string()
        } else {
            l.into()
        })
    });
    match load_err(dir.path()) {
        Error::Csv { line, message, .. } => {
            assert_eq!(line, 7);
            assert!(message.contains("18 fields") && message.contains("19"), "{message}");
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn bad_bool_is_named() {
    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "messages.csv", |n, l| {
        Some(if n == 2 {
            common::set_field(l, 18, "yes")
        } else {
            l.into()
        })
    });
    let text = load_err(dir.path()).to_string();
    assert!(
        text.contains("messages.csv:2") && text.contains("ref_compatible") && text.contains("`true` or `false`"),
        "{text}"
    );
}

#[test]
fn duplicates_and_inconsistent_points_are_rejected() {
    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        Some(if n == 3 {
            common::set_field(l, 13, "party_auth_verify")
        } else {
            l.into()
        })
    });
    let text = load_err(dir.path()).to_string();
    assert!(
        text.contains("line 3") && text.contains("duplicate") && text.contains("line 2"),
        "{text}"
    );

    let dir = common::copy_fixture(&common::sweep());
    common::edit_lines(dir.path(), "phases.csv", |n, l| {
        Some(if n == 4 {
            common::set_field(l, 5, "11")
        } else {
            l.into()
        })
    });
    let text = load_err(dir.path()).to_string();
    assert!(
        text.contains("line 4") && text.contains("different parameters"),
        "{text}"
    );
}

#[test]
fn meta_errors() {
    let dir = common::copy_fixture(&common::sweep());
    let meta = std::fs::read_to_string(dir.path().join("meta.json")).unwrap();
    std::fs::write(
        dir.path().join("meta.json"),
        meta.replace("\"calibration_s\"", "\"calibration\""),
    )
    .unwrap();
    let e = load_err(dir.path());
    assert!(matches!(e, Error::Meta { .. }));
    let text = e.to_string();
    assert!(
        text.contains("meta.json") && text.contains("calibration_s") && text.contains("line"),
        "{text}"
    );

    std::fs::write(dir.path().join("meta.json"), meta.replace("0.0125", "0")).unwrap();
    assert!(load_err(dir.path()).to_string().contains("calibration_s"));

    std::fs::write(dir.path().join("meta.json"), "{ not json").unwrap();
    assert!(load_err(dir.path()).to_string().contains("meta.json"));
}

#[test]
fn missing_files_name_the_path() {
    let dir = common::copy_fixture(&common::sweep());
    std::fs::remove_file(dir.path().join("units.csv")).unwrap();
    match load_err(dir.path()) {
        Error::Io { path, .. } => assert!(path.ends_with("units.csv")),
        other => panic!("unexpected error {other:?}"),
    }
    assert!(matches!(load_err(&dir.path().join("nope")), Error::Io { .. }));
}

/// Inserts `dp_sign,dp_sig_verify` after `sig_verify` (field 29) of every line of `phases.csv`,
/// the header's names and `values(line)` elsewhere.
fn add_dp_columns(dir: &std::path::Path, values: impl Fn(usize) -> String) {
    common::edit_lines(dir, "phases.csv", |n, l| {
        let mut f: Vec<String> = l.split(',').map(String::from).collect();
        f.insert(
            30,
            if n == 1 {
                "dp_sign,dp_sig_verify".into()
            } else {
                values(n)
            },
        );
        Some(f.join(","))
    });
}

#[test]
fn dp_signature_columns_are_optional() {
    let i = |c: &str| data::op_index(c).unwrap();
    assert_eq!(
        (data::OP_COLUMNS[i("dp_sign")], data::OP_COLUMNS[i("dp_sig_verify")]),
        ("dp_sign", "dp_sig_verify")
    );
    // without the columns (the fixtures): 0
    let old = Dataset::load(&common::sweep()).unwrap();
    assert!(
        old.phases
            .iter()
            .all(|r| r.ops[i("dp_sign")] == 0 && r.ops[i("dp_sig_verify")] == 0)
    );
    // the committed baseline has them: counted in vss rows only
    let baseline = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("baselines/current");
    let ds = Dataset::load(&baseline).unwrap();
    assert!(
        ds.phases
            .iter()
            .any(|r| r.params.verify == "vss" && r.ops[i("dp_sign")] > 0)
    );
    assert!(
        ds.phases
            .iter()
            .any(|r| r.params.verify == "vss" && r.ops[i("dp_sig_verify")] > 0)
    );
    assert!(
        ds.phases
            .iter()
            .filter(|r| r.params.verify != "vss")
            .all(|r| r.ops[i("dp_sign")] == 0 && r.ops[i("dp_sig_verify")] == 0)
    );

    // with them: read by name, every other column as before
    let dir = common::copy_fixture(&common::sweep());
    add_dp_columns(dir.path(), |n| format!("{},{}", n, 2 * n));
    let new = Dataset::load(dir.path()).unwrap();
    for (a, b) in old.phases.iter().zip(&new.phases) {
        let n = b.line;
        assert_eq!((b.ops[i("dp_sign")], b.ops[i("dp_sig_verify")]), (n, 2 * n));
        assert_eq!(a.ops[..9], b.ops[..9]);
        assert_eq!(
            (&a.point, a.work_cpu_s, &a.host_cpu),
            (&b.point, b.work_cpu_s, &b.host_cpu)
        );
    }
    let points = new.points();
    let p = &points[0];
    let expected: u64 = new
        .phases
        .iter()
        .filter(|r| r.point == p.point && r.rep == 0)
        .map(|r| r.line)
        .sum();
    assert_eq!(p.op_total("dp_sign"), expected);

    // a bad value is named like any other column
    let dir = common::copy_fixture(&common::sweep());
    add_dp_columns(dir.path(), |n| if n == 6 { "x,0".into() } else { "0,0".into() });
    let text = load_err(dir.path()).to_string();
    assert!(
        text.contains("phases.csv:6") && text.contains("column 31 `dp_sign`"),
        "{text}"
    );
}
