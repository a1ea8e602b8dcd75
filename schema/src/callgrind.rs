//! The one reader of callgrind dumps (`callgrind.out.<pid>[.<number>]`): the label of the dump
//! (its trigger, e.g. the client request `dsmpc-phase:cp_auth_request`) and the instructions it
//! counts (the first event of its `summary:` line, `Ir` when callgrind runs with its default
//! events). [`phase_sums`] sums the dumps of one run per `dsmpc-phase:` label, as
//! `icount.csv` ([`crate::IcountRow`]) records them.
//!
//! Only the header of a dump is read: callgrind writes `desc: Trigger: ...` and `summary: ...`
//! before the cost lines.

use std::collections::BTreeMap;
use std::fmt;

use crate::labels;

/// The file-name prefix of every callgrind dump.
pub const FILE_PREFIX: &str = "callgrind.out.";

/// The trigger of a dump caused by a client request, before its label.
const CLIENT_REQUEST: &str = "Client Request: ";

/// One dump: its label and its instruction count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dump {
    /// The client-request label (`dsmpc-phase:...`, `dsmpc-unit:...`, ...), or the trigger
    /// itself when no client request caused the dump (`Program termination`).
    pub label: String,
    /// Instructions executed since the previous dump or zeroing.
    pub instructions: u64,
}

/// A text that is not a callgrind dump, or whose summary cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpError(String);

impl fmt::Display for DumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DumpError {}

/// Reads the label and the instruction count of one dump file's text.
pub fn parse_dump(text: &str) -> Result<Dump, DumpError> {
    let mut label = None;
    for line in text.lines() {
        if let Some(trigger) = line.strip_prefix("desc: Trigger: ") {
            label = Some(
                trigger
                    .strip_prefix(CLIENT_REQUEST)
                    .unwrap_or(trigger)
                    .trim()
                    .to_string(),
            );
        } else if let Some(v) = line.strip_prefix("summary:") {
            let instructions = v
                .split_whitespace()
                .next()
                .and_then(|x| x.parse::<u64>().ok())
                .ok_or_else(|| DumpError(format!("unreadable `summary:` line {line:?}")))?;
            return match label {
                Some(label) => Ok(Dump { label, instructions }),
                None => Err(DumpError(
                    "the `summary:` line comes before any `desc: Trigger:` line".into(),
                )),
            };
        }
    }
    Err(DumpError(
        "not a callgrind dump (no `desc: Trigger:` or no `summary:` line)".into(),
    ))
}

/// What a dump's file name says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpFile<'a> {
    /// The process that wrote it.
    pub pid: &'a str,
    /// Its number in the run (`callgrind.out.<pid>.<number>`, in the order the run wrote
    /// them); `None` for the dump at program termination (`callgrind.out.<pid>`).
    pub number: Option<u64>,
}

/// Reads a dump's file name; `None` when the name is not one callgrind gives its dumps.
pub fn dump_file(name: &str) -> Option<DumpFile<'_>> {
    let rest = name.strip_prefix(FILE_PREFIX)?;
    match rest.split_once('.') {
        None => Some(DumpFile {
            pid: rest,
            number: None,
        }),
        Some((pid, number)) => Some(DumpFile {
            pid,
            number: Some(number.parse().ok()?),
        }),
    }
}

/// The dumps of one phase in one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PhaseSum {
    /// How many dumps carry the phase's label.
    pub dumps: u64,
    /// Their instructions, summed.
    pub instructions: u64,
}

/// The dumps labelled `dsmpc-phase:<phase>`, summed per phase (other labels are left out).
pub fn phase_sums<'a>(dumps: impl IntoIterator<Item = &'a Dump>) -> BTreeMap<String, PhaseSum> {
    let mut sums: BTreeMap<String, PhaseSum> = BTreeMap::new();
    for d in dumps {
        if let Some(phase) = labels::phase_of(&d.label) {
            let s = sums.entry(phase.to_string()).or_default();
            s.dumps += 1;
            s.instructions += d.instructions;
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The head of a real dump written by valgrind 3.19 at a client request (trailing blanks
    /// of the `desc:` lines kept).
    const PHASE_DUMP: &str = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 12164\n\
        cmd:  ./t\npart: 1\n\n\ndesc: I1 cache: \ndesc: D1 cache: \ndesc: LL cache: \n\n\
        desc: Timerange: Basic block 0 - 28762\ndesc: Trigger: Client Request: dsmpc-phase:cp_auth_request\n\n\
        positions: line\nevents: Ir\nsummary: 127182\n\n\nob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6\n\
        fl=(113) ./wcsmbs/../sysdeps/x86_64/multiarch/ifunc-memcmp.h\nfn=(388) wmemcmp\n34 5\n+1 2\n";

    /// A real dump whose label holds blanks and commas (a sweep's point marker).
    const POINT_DUMP: &str = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 12164\n\
        cmd:  ./t\npart: 2\n\n\ndesc: I1 cache: \ndesc: D1 cache: \ndesc: LL cache: \n\n\
        desc: Timerange: Basic block 28762 - 28774\n\
        desc: Trigger: Client Request: dsmpc-point:p1, x units:num,paper,aws-lc,2048,2048\n\n\
        positions: line\nevents: Ir\nsummary: 73\n\n\nob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6\n";

    /// The real dump at program termination.
    const END_DUMP: &str = "# callgrind format\nversion: 1\ncreator: callgrind-3.19.0\npid: 12164\n\
        cmd:  ./t\npart: 3\n\n\ndesc: I1 cache: \ndesc: D1 cache: \ndesc: LL cache: \n\n\
        desc: Timerange: Basic block 28774 - 29086\ndesc: Trigger: Program termination\n\n\
        positions: line\nevents: Ir\nsummary: 1259\n\n\nob=(3) /usr/lib/x86_64-linux-gnu/libc.so.6\n";

    fn dump(label: &str, instructions: u64) -> Dump {
        Dump {
            label: label.into(),
            instructions,
        }
    }

    #[test]
    fn reads_label_and_summary_of_real_dumps() {
        assert_eq!(
            parse_dump(PHASE_DUMP).unwrap(),
            dump("dsmpc-phase:cp_auth_request", 127_182)
        );
        assert_eq!(
            parse_dump(POINT_DUMP).unwrap(),
            dump("dsmpc-point:p1, x units:num,paper,aws-lc,2048,2048", 73)
        );
        assert_eq!(parse_dump(END_DUMP).unwrap(), dump("Program termination", 1_259));
    }

    #[test]
    fn refuses_what_is_not_a_dump() {
        assert!(parse_dump("events: Ir\nsummary: 5\n").is_err());
        assert!(parse_dump("desc: Trigger: Client Request: x\n").is_err());
        let e = parse_dump("desc: Trigger: Client Request: x\nsummary: many\n").unwrap_err();
        assert!(e.to_string().contains("summary: many"), "{e}");
        // More than one event: the first is the instruction count.
        assert_eq!(
            parse_dump("desc: Trigger: Client Request: x\nevents: Ir Dr\nsummary: 9 4\n").unwrap(),
            dump("x", 9)
        );
    }

    #[test]
    fn file_names_give_pid_and_number() {
        assert_eq!(
            dump_file("callgrind.out.12164.2"),
            Some(DumpFile {
                pid: "12164",
                number: Some(2)
            })
        );
        assert_eq!(
            dump_file("callgrind.out.12164"),
            Some(DumpFile {
                pid: "12164",
                number: None
            })
        );
        assert_eq!(dump_file("callgrind.out.12164.x"), None);
        assert_eq!(dump_file("valgrind.log"), None);
    }

    #[test]
    fn sums_phase_dumps_only() {
        let dumps: Vec<Dump> = [PHASE_DUMP, POINT_DUMP, PHASE_DUMP, END_DUMP]
            .iter()
            .map(|t| parse_dump(t).unwrap())
            .collect();
        let sums = phase_sums(&dumps);
        assert_eq!(sums.len(), 1);
        assert_eq!(
            sums["cp_auth_request"],
            PhaseSum {
                dumps: 2,
                instructions: 254_364
            }
        );
    }
}
