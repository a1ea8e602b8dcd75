//! `revisions.csv`: the list of revisions `cargo xtask history` measured (or skipped), oldest
//! first, read by `dsmpc-perf history`. Columns are read by header name.

use serde::{Deserialize, Serialize};

use crate::table::{CsvError, read_rows, write_rows};

/// File name.
pub const REVISIONS_FILE: &str = "revisions.csv";

/// The header of `revisions.csv`, in the order it is written.
pub const REVISION_COLUMNS: [&str; 9] = [
    "order",
    "sha",
    "date",
    "subject",
    "status",
    "dir",
    "time_runs",
    "icount_runs",
    "note",
];

/// Whether a revision was measured (`measured` or `skipped` in the file; anything else is
/// refused with a message naming the column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RevisionStatus {
    /// Measured (some measures may still be missing, see the note).
    Measured,
    /// Not measured (see the note).
    Skipped,
}

impl<'de> Deserialize<'de> for RevisionStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "measured" => Ok(RevisionStatus::Measured),
            "skipped" => Ok(RevisionStatus::Skipped),
            other => Err(serde::de::Error::custom(format!(
                "`status` must be `measured` or `skipped`, got {other:?}"
            ))),
        }
    }
}

/// One line of `revisions.csv`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionRow {
    /// Position in the history (1 = oldest asked for).
    pub order: u32,
    /// Full commit sha.
    pub sha: String,
    /// Commit date (YYYY-MM-DD).
    pub date: String,
    /// Commit subject.
    pub subject: String,
    /// Measured or skipped.
    pub status: RevisionStatus,
    /// The revision's cache folder (holding `time-I/` sweep folders and `icount-J/icount.csv`).
    pub dir: String,
    /// Time runs made (0: none).
    pub time_runs: u32,
    /// Callgrind runs made (0: none).
    pub icount_runs: u32,
    /// Why it was skipped, or what it lacks.
    pub note: String,
}

impl RevisionRow {
    /// Reads `revisions.csv`.
    pub fn read_all(text: &str) -> Result<Vec<RevisionRow>, CsvError> {
        read_rows(text)
    }

    /// Writes `revisions.csv` (the header alone when there are no rows).
    pub fn write_all(rows: &[RevisionRow]) -> Result<String, CsvError> {
        write_rows(&REVISION_COLUMNS, rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(subject: &str, status: RevisionStatus) -> RevisionRow {
        RevisionRow {
            order: 1,
            sha: "8545e8b".into(),
            date: "2026-12-01".into(),
            subject: subject.into(),
            status,
            dir: "/tmp/h, x".into(),
            time_runs: 3,
            icount_runs: 0,
            note: String::new(),
        }
    }

    #[test]
    fn quotes_what_needs_it_and_reads_it_back() {
        let rows = vec![
            row("core: a, b and \"c\"", RevisionStatus::Measured),
            row("plain", RevisionStatus::Skipped),
        ];
        let text = RevisionRow::write_all(&rows).unwrap();
        assert_eq!(
            text,
            "order,sha,date,subject,status,dir,time_runs,icount_runs,note\n\
             1,8545e8b,2026-12-01,\"core: a, b and \"\"c\"\"\",measured,\"/tmp/h, x\",3,0,\n\
             1,8545e8b,2026-12-01,plain,skipped,\"/tmp/h, x\",3,0,\n"
        );
        assert_eq!(RevisionRow::read_all(&text).unwrap(), rows);
    }

    #[test]
    fn old_files_read_by_header_name_and_bad_status_is_refused() {
        // Columns in another order, as a reader by name allows.
        let text = "sha,order,date,subject,status,dir,time_runs,icount_runs,note\n\
                    abc,2,2026-11-30,s,skipped,d,0,0,no grid\n";
        let rows = RevisionRow::read_all(text).unwrap();
        assert_eq!(rows[0].order, 2);
        assert_eq!(rows[0].status, RevisionStatus::Skipped);
        let bad = "order,sha,date,subject,status,dir,time_runs,icount_runs,note\n\
                   1,abc,d,s,maybe,d,0,0,\n";
        let e = RevisionRow::read_all(bad).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("`status`") && e.message.contains("maybe"), "{e}");
    }
}
