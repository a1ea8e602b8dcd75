//! `icount.csv`: the instructions per phase of one callgrind run, summed from the dumps labelled
//! `dsmpc-phase:<phase>` ([`crate::callgrind::phase_sums`]). Written by `cargo xtask regress` and
//! `history` into each `icount-J/` folder, read by `dsmpc-perf` (A/B judgement, history).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::callgrind::PhaseSum;
use crate::table::{CsvError, read_rows, write_rows};

/// File name.
pub const ICOUNT_FILE: &str = "icount.csv";

/// The header of `icount.csv`.
pub const ICOUNT_COLUMNS: [&str; 3] = ["phase", "dumps", "instructions"];

/// One phase of one callgrind run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcountRow {
    /// Phase name.
    pub phase: String,
    /// How many dumps the phase's instructions were summed from.
    pub dumps: u64,
    /// Instructions, summed over those dumps.
    pub instructions: u64,
}

impl IcountRow {
    /// The rows of a run's phase sums, by phase name.
    pub fn from_sums(sums: &BTreeMap<String, PhaseSum>) -> Vec<IcountRow> {
        sums.iter()
            .map(|(phase, s)| IcountRow {
                phase: phase.clone(),
                dumps: s.dumps,
                instructions: s.instructions,
            })
            .collect()
    }

    /// Reads `icount.csv`; an empty text (a binary without the labels wrote none) has no rows.
    pub fn read_all(text: &str) -> Result<Vec<IcountRow>, CsvError> {
        read_rows(text)
    }

    /// Writes `icount.csv` (the header alone when there are no rows).
    pub fn write_all(rows: &[IcountRow]) -> Result<String, CsvError> {
        write_rows(&ICOUNT_COLUMNS, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_before_and_read_back() {
        let mut sums = BTreeMap::new();
        sums.insert(
            "cp_auth_request".to_string(),
            PhaseSum {
                dumps: 2,
                instructions: 254_364,
            },
        );
        sums.insert(
            "edge_reconstruct".to_string(),
            PhaseSum {
                dumps: 1,
                instructions: 7,
            },
        );
        let rows = IcountRow::from_sums(&sums);
        let text = IcountRow::write_all(&rows).unwrap();
        // The form the hand-made writer used, so that old and new files are one format.
        assert_eq!(
            text,
            "phase,dumps,instructions\ncp_auth_request,2,254364\nedge_reconstruct,1,7\n"
        );
        assert_eq!(IcountRow::read_all(&text).unwrap(), rows);
        assert_eq!(IcountRow::write_all(&[]).unwrap(), "phase,dumps,instructions\n");
    }

    #[test]
    fn empty_files_have_no_rows_and_bad_ones_name_the_line() {
        assert!(IcountRow::read_all("").unwrap().is_empty());
        assert!(IcountRow::read_all("phase,dumps,instructions\n").unwrap().is_empty());
        let e = IcountRow::read_all("phase,dumps,instructions\nx,1,2\ny,1,many\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(IcountRow::read_all("phase,dumps,instructions\nx,1\n").is_err());
    }
}
