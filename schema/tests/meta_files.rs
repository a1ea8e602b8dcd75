//! The committed `meta.json` files (the regression record and the reports' test fixtures, written
//! by older versions of the sweep or by hand) read as [`Meta`], and the record, written by the
//! sweep, is written back byte for byte.

use std::path::Path;

use dsmpc_schema::Meta;

fn read(rel: &str) -> (String, Meta) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let meta = Meta::from_json(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (text, meta)
}

#[test]
fn the_regression_record_reads_and_writes_back_unchanged() {
    let (text, m) = read("reports/baselines/current/meta.json");
    assert_eq!(m.grid.name.as_deref(), Some("regress"));
    assert!(m.shard.is_none() && m.merged.is_none());
    assert!(!m.point_wall_s.is_empty());
    assert_eq!(m.to_json(), text.trim_end());
}

#[test]
fn the_fixtures_free_form_grids_read() {
    for rel in [
        "reports/tests/fixtures/sweep/meta.json",
        "reports/tests/fixtures/sweep_axes/meta.json",
    ] {
        let (_, m) = read(rel);
        assert!(m.host.is_none() && m.reps.is_none(), "{rel}");
        assert!(m.grid.name.is_none() && !m.grid.other.is_empty(), "{rel}");
        assert!(m.calibration_s > 0.0, "{rel}");
    }
}
