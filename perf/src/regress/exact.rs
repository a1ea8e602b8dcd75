//! The exact part of the comparison: op counts and instances per (point, phase, repetition),
//! and message count, bytes and payload bytes per (point, kind), must be identical.

use std::collections::{BTreeMap, BTreeSet};

use dsmpc_reports::data::{MessageRow, OP_COLUMNS, PhaseRow, kind_rank};

use super::MessageComparison;
use crate::verdict::Verdict;

/// (point, phase).
pub(super) type PhaseKey = (String, String);

/// The rows of each (point, phase), by repetition.
pub(super) fn group_phases(rows: &[PhaseRow]) -> BTreeMap<PhaseKey, Vec<&PhaseRow>> {
    let mut m: BTreeMap<PhaseKey, Vec<&PhaseRow>> = BTreeMap::new();
    for r in rows {
        m.entry((r.point.clone(), r.phase.clone())).or_default().push(r);
    }
    for v in m.values_mut() {
        v.sort_by_key(|r| r.rep);
    }
    m
}

/// What differs between the common repetitions of one (point, phase).
pub(super) fn exact_phase_diffs(b: &[&PhaseRow], c: &[&PhaseRow]) -> Vec<String> {
    let mut out = vec![];
    let cmap: BTreeMap<u32, &PhaseRow> = c.iter().map(|r| (r.rep, *r)).collect();
    for br in b {
        let Some(cr) = cmap.get(&br.rep) else { continue };
        if br.instances != cr.instances {
            out.push(format!(
                "rep {}: instances {} -> {}",
                br.rep, br.instances, cr.instances
            ));
        }
        for (i, col) in OP_COLUMNS.iter().enumerate() {
            if br.ops[i] != cr.ops[i] {
                out.push(format!("rep {}: {col} {} -> {}", br.rep, br.ops[i], cr.ops[i]));
            }
        }
    }
    out
}

/// What differs between the rows of one (point, kind).
fn exact_message_diffs(b: &MessageRow, c: &MessageRow) -> Vec<String> {
    let mut out = vec![];
    for (name, x, y) in [
        ("count", b.count, c.count),
        ("bytes", b.bytes, c.bytes),
        ("payload_bytes", b.payload_bytes, c.payload_bytes),
    ] {
        if x != y {
            out.push(format!("{name} {x} -> {y}"));
        }
    }
    out
}

/// Every (point, kind) of either side, per point in protocol order.
pub(super) fn compare_messages(b: &[MessageRow], c: &[MessageRow]) -> Vec<MessageComparison> {
    let bm: BTreeMap<(&str, &str), &MessageRow> = b.iter().map(|r| ((r.point.as_str(), r.kind.as_str()), r)).collect();
    let cm: BTreeMap<(&str, &str), &MessageRow> = c.iter().map(|r| ((r.point.as_str(), r.kind.as_str()), r)).collect();
    // per point, kinds in protocol order (unknown kinds last)
    let keys: BTreeSet<(&str, usize, &str)> = bm
        .keys()
        .chain(cm.keys())
        .map(|(point, kind)| (*point, kind_rank(kind), *kind))
        .collect();
    keys.into_iter()
        .map(|(point, _, kind)| {
            let (verdict, differences) = match (bm.get(&(point, kind)), cm.get(&(point, kind))) {
                (Some(x), Some(y)) => {
                    let d = exact_message_diffs(x, y);
                    (
                        if d.is_empty() {
                            Verdict::Ok
                        } else {
                            Verdict::ExactMismatch
                        },
                        d,
                    )
                }
                (Some(_), None) => (Verdict::Missing, vec!["absent from the current run".into()]),
                _ => (Verdict::New, vec!["absent from the baseline".into()]),
            };
            MessageComparison {
                point: point.into(),
                kind: kind.into(),
                verdict,
                differences,
            }
        })
        .collect()
}
