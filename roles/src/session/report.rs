//! What a session that gave an outcome reports ([`SessionReport`]), and [`report`], which
//! builds it from the outcome and what the network recorded. Every network's report is this
//! one.

use std::collections::BTreeMap;

use num_bigint::BigUint;

use crate::error::Result;
use crate::event::Detection;
use crate::metrics::{MessageStats, PhaseStats};
use crate::net::memory::Record;
use crate::parties::Outcome;
use crate::values;
use crate::wire::MessageKind;

/// What a successful run reports.
#[derive(Clone, Debug)]
pub struct SessionReport {
    /// The reconstructed aggregate.
    pub outcome: Outcome,
    /// The plaintext sum of the values aggregated (all n, or the agreed set in `vss` mode),
    /// for comparison.
    pub expected_sum: BigUint,
    /// The plaintext sum of all n values.
    pub plaintext_sum_all: BigUint,
    /// DPs excluded from the aggregate (`vss`), and why.
    pub excluded: BTreeMap<u32, String>,
    /// Everything the parties detected, in order.
    pub detections: Vec<Detection>,
    /// Selected CPs: index -> VID.
    pub selected: BTreeMap<u16, u32>,
    /// Valid candidates that were not selected (capacity exhausted).
    pub not_selected: Vec<u32>,
    /// Every phase, in protocol order.
    pub phases: Vec<PhaseStats>,
    /// Bytes per message kind.
    pub messages: BTreeMap<MessageKind, MessageStats>,
    /// SHA-256 over every message's bytes in the order sent.
    pub transcript_sha256: [u8; 32],
    /// Set-up seconds (keys, tables): not a protocol phase.
    pub setup_s: f64,
    /// Whether the PVSS group is the weak 1024-bit one.
    pub weak_group: bool,
    /// Latencies, on networks with time (`sim`, `process`).
    pub timing: Option<crate::net::Timing>,
}

impl SessionReport {
    /// Whether the reconstructed sum equals the plaintext sum over the DPs aggregated.
    pub fn matches(&self) -> bool {
        self.outcome.sum == self.expected_sum
    }

    /// Number of DPs aggregated.
    pub fn aggregated(&self) -> usize {
        self.outcome.n
    }
}

/// The report of a session that gave an outcome.
pub fn report(
    outcome: Outcome,
    record: Record,
    values: &[BigUint],
    setup_s: f64,
    weak_group: bool,
) -> Result<SessionReport> {
    let expected_sum = values
        .iter()
        .enumerate()
        .filter(|(i, _)| !record.excluded.contains_key(&(*i as u32 + 1)))
        .fold(BigUint::default(), |acc, (_, v)| acc + v);
    Ok(SessionReport {
        outcome,
        expected_sum,
        plaintext_sum_all: values::sum(values),
        excluded: record.excluded,
        detections: record.detections,
        selected: record.selected,
        not_selected: record.not_selected,
        phases: record.meter.summary(),
        messages: record.messages,
        transcript_sha256: record.transcript_sha256,
        setup_s,
        weak_group,
        timing: record.timing,
    })
}
