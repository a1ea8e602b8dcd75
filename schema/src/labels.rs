//! The labels of the callgrind dumps a run writes (valgrind client requests): the contract
//! between the code that dumps (`dsmpc-roles`' phase timers and cost-model calibration,
//! `dsmpc-bench`'s sweep) and the tools that sum the dumps (`cargo xtask regress` / `history`,
//! `dsmpc-perf icount-model`, `net/tests/icount.rs`). One constant per prefix; a label is the
//! prefix followed by its arguments.

/// `dsmpc-phase:<phase>`: the end of a measured stretch of a phase.
pub const PHASE: &str = "dsmpc-phase:";

/// `dsmpc-unit:<op>:<units>`: the end of one calibration loop that performed `units` of `op`.
pub const UNIT: &str = "dsmpc-unit:";

/// `dsmpc-calibration:<key>`: the start of the calibration of `key`.
pub const CALIBRATION: &str = "dsmpc-calibration:";

/// `dsmpc-units:<key>`: a calibration is complete (the unit dumps since the previous marker
/// belong to `key`).
pub const UNITS: &str = "dsmpc-units:";

/// `dsmpc-point:<id> units:<key>`: the start of a point's sessions, priced with the units of
/// `key`.
pub const POINT: &str = "dsmpc-point:";

/// The phase named by a `dsmpc-phase:<phase>` label (`None` for every other label).
pub fn phase_of(label: &str) -> Option<&str> {
    label.strip_prefix(PHASE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_prefix_is_a_prefix_of_another() {
        let all = [PHASE, UNIT, CALIBRATION, UNITS, POINT];
        for a in all {
            for b in all {
                assert!(a == b || !b.starts_with(a), "{a} is a prefix of {b}");
            }
        }
    }

    #[test]
    fn phase_labels_name_their_phase() {
        assert_eq!(phase_of("dsmpc-phase:cp_auth_request"), Some("cp_auth_request"));
        assert_eq!(phase_of("dsmpc-unit:enc:4"), None);
    }
}
