//! What a session that gave an outcome reports ([`SessionReport`]), and [`report`], which
//! builds it from the outcome and what the network recorded. Every network's report is this
//! one.

use std::collections::BTreeMap;

use dsmpc_core::field64::F64;
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
    /// Vector sessions: the plaintext sum of the aggregated DPs' encoded inputs, in F64, for
    /// comparison with the outcome's aggregate.
    pub expected_vector: Option<Vec<F64>>,
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
        self.outcome.sum == self.expected_sum && self.outcome.vector == self.expected_vector
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
    inputs: Option<&[Vec<F64>]>,
    setup_s: f64,
    weak_group: bool,
) -> Result<SessionReport> {
    let expected_sum = values
        .iter()
        .enumerate()
        .filter(|(i, _)| !record.excluded.contains_key(&(*i as u32 + 1)))
        .fold(BigUint::default(), |acc, (_, v)| acc + v);
    let expected_vector = inputs.map(|all| {
        let mut acc = vec![F64::ZERO; all.first().map_or(0, Vec::len)];
        for (i, v) in all.iter().enumerate() {
            if !record.excluded.contains_key(&(i as u32 + 1)) {
                dsmpc_core::vshare::add_assign(&mut acc, v);
            }
        }
        acc
    });
    Ok(SessionReport {
        outcome,
        expected_sum,
        plaintext_sum_all: values::sum(values),
        expected_vector,
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
