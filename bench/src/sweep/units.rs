//! Unit costs of the cost model, per [`UnitKey`]: calibrated once per sweep when a point first
//! needs them (and written to `units.csv`), or read back from `units.csv` when resuming, so that
//! every row of a folder shares them.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use dsmpc_core::counters::Op;
use dsmpc_core::group::GroupKind;
use dsmpc_roles::costmodel::UnitCosts;

use crate::grid::Point;
use crate::rows::UnitRow;

/// Backend, suite, provider, RSA bits, group bits: what unit costs depend on (the group bits
/// name the group: 0 is ristretto255, whose backend is `n/a`; `units.csv` also writes its name).
pub(super) type UnitKey = (String, String, String, u32, u32);

/// The unit-cost key of a point.
pub(super) fn unit_key(p: &Point) -> UnitKey {
    (
        p.backend_label(),
        p.suite.name().into(),
        p.provider.name().into(),
        p.rsa_bits,
        p.group.group_bits(),
    )
}

/// `backend,suite,provider,rsa_bits,group_bits`: a calibration key in the callgrind labels
/// that mark a run for `dsmpc-reports icount-model` (no-ops outside valgrind). With `--jobs 1
/// --session-threads 1`, `dsmpc-calibration:<key>` opens the calibration dumps of `key`,
/// `dsmpc-units:<key>` closes them and `dsmpc-point:<id> units:<key>` opens a point whose phase
/// dumps follow.
pub(super) fn key_label(k: &UnitKey) -> String {
    format!("{},{},{},{},{}", k.0, k.1, k.2, k.3, k.4)
}

/// The `units.csv` rows of `costs` calibrated for `key`.
pub(super) fn unit_rows(key: &UnitKey, costs: &UnitCosts) -> Vec<UnitRow> {
    costs
        .0
        .iter()
        .map(|(op, s)| UnitRow {
            backend: key.0.clone(),
            suite: key.1.clone(),
            provider: key.2.clone(),
            rsa_bits: key.3,
            group_bits: key.4,
            group: GroupKind::from_group_bits(key.4).name(),
            op: op.name().into(),
            unit_s: *s,
        })
        .collect()
}

/// The unit costs in a `units.csv` (none if it does not read).
pub(super) fn read_units(path: &Path) -> HashMap<UnitKey, Arc<UnitCosts>> {
    let mut acc: BTreeMap<UnitKey, UnitCosts> = BTreeMap::new();
    if let Ok(mut r) = csv::Reader::from_path(path) {
        for row in r.deserialize::<UnitRow>().map_while(|x| x.ok()) {
            if let Some(op) = Op::ALL.iter().find(|o| o.name() == row.op) {
                acc.entry((row.backend, row.suite, row.provider, row.rsa_bits, row.group_bits))
                    .or_default()
                    .0
                    .insert(*op, row.unit_s);
            }
        }
    }
    acc.into_iter().map(|(k, v)| (k, Arc::new(v))).collect()
}
