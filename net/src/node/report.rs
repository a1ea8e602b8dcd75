//! What one host did, as `dsmpc node --report` writes it (one JSON line), and how the launcher
//! reads it back: detections, the outcome, phases.
//!
//! Actions, message kinds and phases are written by their log names ([`Named`]); reading a
//! report refuses a name this dsmpc does not know (a report from another version), rather than
//! skipping it or putting a default in its place.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use dsmpc_core::field64::{F64, P};
use dsmpc_roles::event::{Action, Detection};
use dsmpc_roles::metrics::Phase;
use dsmpc_roles::parties::{Check, Outcome};
use dsmpc_roles::wire::MessageKind;

/// Something a report names by its log name: a detection's [`Action`], a [`MessageKind`], a
/// [`Phase`].
pub trait LogName: Copy + Sized + 'static {
    /// What it is, for an error.
    const WHAT: &'static str;
    /// Every value.
    fn all() -> &'static [Self];
    /// Its log name.
    fn log_name(self) -> &'static str;
}

const ACTIONS: [Action; 6] = [
    Action::NotSelected,
    Action::Ignored,
    Action::Rejected,
    Action::Excluded,
    Action::Skipped,
    Action::Silent,
];

impl LogName for Action {
    const WHAT: &'static str = "action";
    fn all() -> &'static [Self] {
        &ACTIONS
    }
    fn log_name(self) -> &'static str {
        self.name()
    }
}

impl LogName for MessageKind {
    const WHAT: &'static str = "message kind";
    fn all() -> &'static [Self] {
        &MessageKind::ALL
    }
    fn log_name(self) -> &'static str {
        self.name()
    }
}

impl LogName for Phase {
    const WHAT: &'static str = "phase";
    fn all() -> &'static [Self] {
        &Phase::ALL
    }
    fn log_name(self) -> &'static str {
        self.name()
    }
}

/// A value written as its log name, read back only if this dsmpc knows the name. Ordered by
/// name, as the names themselves were, so that a report's maps keep their order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Named<T>(pub T);

impl<T: LogName + Eq> Ord for Named<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.log_name().cmp(other.0.log_name())
    }
}

impl<T: LogName + Eq> PartialOrd for Named<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<T: LogName> PartialEq<str> for Named<T> {
    fn eq(&self, other: &str) -> bool {
        self.0.log_name() == other
    }
}

impl<T: LogName> PartialEq<&str> for Named<T> {
    fn eq(&self, other: &&str) -> bool {
        self.0.log_name() == *other
    }
}

impl<T: LogName> Serialize for Named<T> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0.log_name())
    }
}

impl<'de, T: LogName> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        T::all()
            .iter()
            .find(|t| t.log_name() == name)
            .map(|t| Named(*t))
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "unknown {} {name:?} (run the same dsmpc on every host)",
                    T::WHAT
                ))
            })
    }
}

/// One measured piece of work: phase, instance, cpu s, wall s, operation counts.
pub type SampleRow = (Named<Phase>, u32, f64, f64, Vec<u64>);

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
    /// A vector session's outcome at the Edge: the reconstructed aggregate, each element's
    /// canonical value in GF(2^64 - 2^32 + 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<Vec<u64>>,
    /// The failure, if a hosted party failed, the session was aborted or the host could not run.
    pub failed: Option<String>,
    /// How the session ended, as this host saw it.
    pub ended: String,
    /// The signal that stopped this host (2: SIGINT, 15: SIGTERM), if one did.
    #[serde(default)]
    pub signal: Option<i32>,
    /// Detections of the hosted parties, in order: (by, subject, action, reason).
    pub detections: Vec<(String, String, Named<Action>, String)>,
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
    pub messages: BTreeMap<Named<MessageKind>, [u64; 5]>,
    /// Every message sent by hosted parties, in order: (from, to, kind, bytes, payload bytes),
    /// parties as `Cloud`, `Edge`, `CP(VID=v)`, `DPd` (the controller names selected CPs by
    /// index for the log, as `--net memory` does).
    #[serde(default)]
    pub sent: Vec<(String, String, Named<MessageKind>, u64, u64)>,
    /// Measured work: (phase, instance, cpu s, wall s, operation counts).
    pub samples: Vec<SampleRow>,
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
    pub first_sent_us: BTreeMap<Named<MessageKind>, u64>,
    /// Per message kind: last received here (unix microseconds).
    pub last_recv_us: BTreeMap<Named<MessageKind>, u64>,
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

/// A host's detections as [`Detection`]s (their actions were checked when the report was read).
pub fn detections(r: &NodeReport) -> Vec<Detection> {
    r.detections
        .iter()
        .map(|(by, subject, action, reason)| Detection::new(by, subject, action.0, reason))
        .collect()
}

/// The outcome in a host's report (none if it does not read: a sum that is not a number, an
/// unknown check, a vector element not below p).
pub fn outcome(r: &NodeReport) -> Option<Outcome> {
    let (sum, n, check) = r.outcome.as_ref()?;
    let vector = match &r.vector {
        Some(v) if v.iter().any(|&x| x >= P) => return None,
        Some(v) => Some(v.iter().map(|&x| F64::new(x)).collect()),
        None => None,
    };
    Some(Outcome {
        sum: sum.parse().ok()?,
        n: *n,
        check: check_from_name(check)?,
        vector,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_written_as_log_names_and_unknown_ones_refused() {
        let a: Named<Action> = serde_json::from_str("\"silent\"").unwrap();
        assert_eq!(a.0, Action::Silent);
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"silent\"");
        let e = serde_json::from_str::<Named<Action>>("\"shrugged\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown action \"shrugged\""), "{e}");
        let k = MessageKind::ALL[0];
        let back: Named<MessageKind> = serde_json::from_str(&format!("\"{}\"", k.name())).unwrap();
        assert_eq!(back.0, k);
        assert!(serde_json::from_str::<Named<MessageKind>>("\"postcard\"").is_err());
        assert!(serde_json::from_str::<Named<Phase>>("\"lunch\"").is_err());
        let mut r = NodeReport::default();
        r.detections
            .push(("Edge".into(), "CP(VID=2)".into(), Named(Action::Silent), "x".into()));
        let json = serde_json::to_string(&r).unwrap().replace("\"silent\"", "\"shrugged\"");
        assert!(
            serde_json::from_str::<NodeReport>(&json).is_err(),
            "a report with an unknown action is refused"
        );
    }
}
