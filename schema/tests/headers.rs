//! The column lists of `dsmpc-schema` are the headers its row types serialise to (with the
//! csv crate, as bench writes them): a field added to a row without its column in the list,
//! or the other way round, fails here.

use dsmpc_schema::{
    MESSAGE_COLUMNS, MessageRow, OP_COLUMNS, PARAM_COLUMNS, PHASE_COLUMNS, PhaseRow, SESSION_COLUMNS, SessionRow,
    UNIT_COLUMNS, UnitRow,
};
use serde::Serialize;
use std::collections::BTreeSet;

fn header<T: Serialize + Default>() -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(T::default()).unwrap();
    let bytes = w.into_inner().unwrap();
    csv::Reader::from_reader(bytes.as_slice())
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect()
}

fn set<'a>(parts: &[&[&'a str]]) -> BTreeSet<&'a str> {
    parts.iter().flat_map(|p| p.iter().copied()).collect()
}

#[test]
fn phase_row_header_is_the_listed_columns() {
    let h = header::<PhaseRow>();
    let got: BTreeSet<&str> = h.iter().map(String::as_str).collect();
    assert_eq!(got.len(), h.len(), "duplicate column in {h:?}");
    assert_eq!(got, set(&[&PHASE_COLUMNS, &PARAM_COLUMNS, &OP_COLUMNS]));
    // The op counts are written in OP_COLUMNS order.
    let ops: Vec<&str> = h
        .iter()
        .map(String::as_str)
        .filter(|c| OP_COLUMNS.contains(c))
        .collect();
    assert_eq!(ops, OP_COLUMNS);
}

#[test]
fn message_row_header_is_the_listed_columns() {
    let h = header::<MessageRow>();
    let got: BTreeSet<&str> = h.iter().map(String::as_str).collect();
    assert_eq!(got.len(), h.len());
    assert_eq!(got, set(&[&MESSAGE_COLUMNS, &PARAM_COLUMNS]));
}

#[test]
fn unit_row_header_is_the_listed_columns_in_order() {
    assert_eq!(header::<UnitRow>(), UNIT_COLUMNS);
}

#[test]
fn session_row_header_is_the_listed_columns() {
    let h = header::<SessionRow>();
    let got: BTreeSet<&str> = h.iter().map(String::as_str).collect();
    assert_eq!(got.len(), h.len(), "duplicate column in {h:?}");
    assert_eq!(got, set(&[&SESSION_COLUMNS, &PARAM_COLUMNS]));
}

/// The first line of a committed file of the regression record (written by an earlier sweep).
fn committed_header(file: &str) -> Vec<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reports/baselines/current")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .next()
        .unwrap_or("")
        .split(',')
        .map(str::to_string)
        .collect()
}

/// The columns added since the committed record was saved (`dim` and `func`, which a record
/// without them reads as 1 and `sum`), in the order they are written: right after `value_bits`.
const NEWER: [&str; 2] = ["dim", "func"];

/// `header` without the [`NEWER`] columns, after checking that they follow `value_bits`.
fn without_newer(header: Vec<String>) -> Vec<String> {
    let at = header.iter().position(|c| c == "value_bits").expect("value_bits");
    assert_eq!(header[at + 1..at + 1 + NEWER.len()], NEWER, "{header:?}");
    header.into_iter().filter(|c| !NEWER.contains(&c.as_str())).collect()
}

#[test]
fn rows_with_one_params_write_the_columns_in_the_committed_order() {
    // The record may predate the newer columns (then they are its only difference) or have them.
    let committed = |file| without_newer_if_present(committed_header(file));
    let phases = committed("phases.csv");
    assert_eq!(without_newer_ops(without_newer(header::<PhaseRow>()), &phases), phases);
    assert_eq!(without_newer(header::<MessageRow>()), committed("messages.csv"));
    // sessions.csv: `profile` right after `net`, then the other parameters.
    let expected: Vec<&str> = ["point", "rep", "net", "profile"]
        .into_iter()
        .chain(PARAM_COLUMNS[1..].iter().copied())
        .chain(SESSION_COLUMNS[3..].iter().copied())
        .collect();
    assert_eq!(header::<SessionRow>(), expected);
}

/// The per-element op columns of vector sessions, added after the committed record was saved
/// (a record without them reads them as 0), written right after `pk_decode`.
const NEWER_OPS: [&str; 8] = [
    "f64_draw",
    "f64_madd",
    "aead_byte",
    "msm_ct_term",
    "msm_var_term",
    "zq_draw",
    "zq_mul",
    "zq_add",
];

/// `header` without the [`NEWER_OPS`] columns if `committed` lacks them, after checking that
/// they follow `pk_decode`.
fn without_newer_ops(header: Vec<String>, committed: &[String]) -> Vec<String> {
    let at = header.iter().position(|c| c == "pk_decode").expect("pk_decode");
    assert_eq!(header[at + 1..at + 1 + NEWER_OPS.len()], NEWER_OPS, "{header:?}");
    if committed.iter().any(|c| c == NEWER_OPS[0]) {
        return header;
    }
    header
        .into_iter()
        .filter(|c| !NEWER_OPS.contains(&c.as_str()))
        .collect()
}

/// [`without_newer`] for a header that may not have the [`NEWER`] columns yet.
fn without_newer_if_present(header: Vec<String>) -> Vec<String> {
    if header.iter().any(|c| NEWER.contains(&c.as_str())) {
        without_newer(header)
    } else {
        header
    }
}
