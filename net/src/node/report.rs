//! What one host did, as `dsmpc node --report` writes it (one JSON line), and how the launcher
//! reads it back: detections, the outcome, phases.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use dsmpc_roles::event::{Action, Detection};
use dsmpc_roles::metrics::Phase;
use dsmpc_roles::parties::{Check, Outcome};

/// Something a host refused: who (the TLS-authenticated host, or an address), and why.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Refusal {
    /// The authenticated host, or the peer address when TLS failed.
    pub peer: String,
    /// Why.
    pub reason: String,
}

/// What one host did: written as one JSON line by `dsmpc node --report`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct NodeReport {
    /// Host name.
    pub host: String,
    /// The outcome, if a hosted party (the Edge) gave it: sum (decimal), DPs aggregated, check.
    pub outcome: Option<(String, usize, String)>,
    /// The failure, if a hosted party failed, the session was aborted or the host could not run.
    pub failed: Option<String>,
    /// How the session ended, as this host saw it.
    pub ended: String,
    /// The signal that stopped this host (2: SIGINT, 15: SIGTERM), if one did.
    #[serde(default)]
    pub signal: Option<i32>,
    /// Detections of the hosted parties, in order: (by, subject, action, reason).
    pub detections: Vec<(String, String, String, String)>,
    /// Refused connections and frames (at most [`super::REFUSALS_KEPT`] per peer).
    pub refused: Vec<Refusal>,
    /// Refusals beyond those kept, counted per peer.
    #[serde(default)]
    pub refused_more: BTreeMap<String, u64>,
    /// Hosts that could not be reached, and why.
    pub unreachable: Vec<Refusal>,
    /// The Cloud's selection (index, VID), if hosted here.
    pub selected: Vec<(u16, u32)>,
    /// Valid candidates not selected.
    pub not_selected: Vec<u32>,
    /// `vss`: excluded DPs and why.
    pub excluded: Vec<(u32, String)>,
    /// Messages sent by hosted parties per kind: count, bytes, payload bytes, max, max payload.
    pub messages: BTreeMap<String, [u64; 5]>,
    /// Every message sent by hosted parties, in order: (from, to, kind, bytes, payload bytes),
    /// parties as `Cloud`, `Edge`, `CP(VID=v)`, `DPd` (the controller names selected CPs by
    /// index for the log, as `--net memory` does).
    #[serde(default)]
    pub sent: Vec<(String, String, String, u64, u64)>,
    /// Measured work: (phase, instance, cpu s, wall s, operation counts).
    pub samples: Vec<(String, u32, f64, f64, Vec<u64>)>,
    /// CPU seconds of each hosted party's handling.
    pub party_cpu_s: BTreeMap<String, f64>,
    /// Set-up seconds (keys, tables).
    pub setup_s: f64,
    /// Process CPU seconds (user + system) over the whole run, TLS included.
    pub process_cpu_s: f64,
    /// Wall seconds from start (`go`) to the end.
    pub wall_s: f64,
    /// Bytes on TCP (TLS records and handshakes) out of and into this host.
    pub tls_bytes_out: u64,
    /// See `tls_bytes_out`.
    pub tls_bytes_in: u64,
    /// Connections dialled and accepted.
    pub connections_out: u64,
    /// See `connections_out`.
    pub connections_in: u64,
    /// Unix microseconds when this host started its parties.
    pub start_us: u64,
    /// Unix microseconds of the announcement (if the Cloud is here).
    pub announce_us: Option<u64>,
    /// Unix microseconds of the outcome or failure (if here).
    pub end_us: Option<u64>,
    /// Per message kind: first sent here (unix microseconds).
    pub first_sent_us: BTreeMap<String, u64>,
    /// Per message kind: last received here (unix microseconds).
    pub last_recv_us: BTreeMap<String, u64>,
}

/// Encode a check for a report.
pub fn check_name(c: Check) -> String {
    match c {
        Check::Verified => "verified".into(),
        Check::CrossChecked(n) => format!("cross-checked:{n}"),
        Check::Unchecked => "unchecked".into(),
    }
}

/// Decode [`check_name`].
pub fn check_from_name(s: &str) -> Option<Check> {
    match s {
        "verified" => Some(Check::Verified),
        "unchecked" => Some(Check::Unchecked),
        _ => s.strip_prefix("cross-checked:")?.parse().ok().map(Check::CrossChecked),
    }
}

/// Turn a host's detections back into [`Detection`]s; an action this dsmpc does not know is
/// an error naming it (a report from another version), never a silent default.
pub fn detections(r: &NodeReport) -> std::result::Result<Vec<Detection>, String> {
    const ACTIONS: [Action; 6] = [
        Action::NotSelected,
        Action::Ignored,
        Action::Rejected,
        Action::Excluded,
        Action::Skipped,
        Action::Silent,
    ];
    r.detections
        .iter()
        .map(|(by, subject, action, reason)| {
            let a = ACTIONS.into_iter().find(|a| a.name() == action).ok_or_else(|| {
                format!(
                    "host {}'s report names an unknown action {action:?} (run the same dsmpc on every host)",
                    r.host
                )
            })?;
            Ok(Detection::new(by, subject, a, reason))
        })
        .collect()
}

/// The outcome in a host's report.
pub fn outcome(r: &NodeReport) -> Option<Outcome> {
    let (sum, n, check) = r.outcome.as_ref()?;
    Some(Outcome {
        sum: sum.parse().ok()?,
        n: *n,
        check: check_from_name(check)?,
    })
}

/// The phase named `name`.
pub fn phase_named(name: &str) -> Option<Phase> {
    Phase::ALL.into_iter().find(|p| p.name() == name)
}
