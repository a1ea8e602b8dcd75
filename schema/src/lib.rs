//! `dsmpc-schema`: what a sweep folder holds, shared by its writer (`dsmpc-bench`) and its
//! reader (`dsmpc-reports`). The row types serialise to the CSV headers listed here, [`Meta`] is
//! `meta.json`; the name lists are the values of the `phase`, `kind`, `src_role` / `dst_role`
//! and `op` columns (and the op-count column names). The crate README follows.
#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod callgrind;
mod icount;
pub mod labels;
mod meta;
mod names;
mod params;
mod revisions;
mod rows;
mod table;

pub use icount::{ICOUNT_COLUMNS, ICOUNT_FILE, IcountRow};
pub use meta::{GridInfo, MergeInfo, Meta, ShardInfo, ShardSummary, json_text};
pub use names::{MESSAGE_KINDS, OP_COLUMNS, OPTIONAL_OP_COLUMNS, PHASES, ROLES, kind_rank, op_index, phase_rank};
pub use params::{Dim, DimValue, PARAM_COLUMNS, Params};
pub use revisions::{REVISION_COLUMNS, REVISIONS_FILE, RevisionRow, RevisionStatus};
pub use rows::{
    Env, MESSAGE_COLUMNS, MessageRow, PHASE_COLUMNS, PhaseRow, SESSION_COLUMNS, SessionRow, UNIT_COLUMNS, UnitRow,
};
pub use table::CsvError;

/// File names of a sweep folder.
pub mod files {
    /// One row per point x repetition x phase ([`crate::PhaseRow`]).
    pub const PHASES: &str = "phases.csv";
    /// One row per point x message kind ([`crate::MessageRow`]).
    pub const MESSAGES: &str = "messages.csv";
    /// One row per point x repetition: latency, bytes and transport CPU of the session on its
    /// network ([`crate::SessionRow`]).
    pub const SESSIONS: &str = "sessions.csv";
    /// Calibrated unit costs ([`crate::UnitRow`]).
    pub const UNITS: &str = "units.csv";
    /// Run facts (grid, seed, host, calibration): [`crate::Meta`].
    pub const META: &str = "meta.json";
}
