//! What parties report besides messages: [`Detection`]s (something a party noticed and what it
//! did about it) and [`Event`]s (detections, the Cloud's selection, the Edge's agreement and
//! outcome, or a failure that ends the session), and the [`Outcome`] the Edge gives.
//!
//! Detections name the party that noticed (`by`) and the *authenticated* sender whose message
//! was at fault (`subject`), never a sender a message merely claims.

use std::collections::BTreeMap;
use std::fmt;

use num_bigint::BigUint;

use crate::check::Check;
use crate::error::RolesError;

/// Something a party tells the driver.
#[derive(Debug)]
pub enum Event {
    /// A party noticed something and acted on it.
    Detection(Detection),
    /// The Cloud closed the selection: index -> VID, and valid candidates left out (capacity).
    Selected {
        /// Index -> VID.
        selected: BTreeMap<u16, u32>,
        /// Valid candidates that were not selected.
        not_selected: Vec<u32>,
    },
    /// `vss`: the Edge decided the agreed set; these DPs are excluded, and why.
    Agreed {
        /// Excluded DPs and why.
        excluded: BTreeMap<u32, String>,
    },
    /// The Edge reconstructed the aggregate: the session's result.
    Outcome(Outcome),
    /// A party cannot go on: the session ends without a result.
    Failed(RolesError),
}

/// What a party did about something it detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// The Cloud refused a candidate's auth request: not selected.
    NotSelected,
    /// A message was ignored: a second copy (a replay), or, in `vss` mode, one a CP could not
    /// use (malformed, for another task or CP).
    Ignored,
    /// A CP rejected a DP's share.
    Rejected,
    /// A DP was left out of the aggregate by every CP.
    Excluded,
    /// The Edge left a CP's result out of the reconstruction.
    Skipped,
    /// A CP took no part in the agreement round (no report reached the Edge).
    Silent,
}

impl Action {
    /// The name in logs.
    pub fn name(self) -> &'static str {
        match self {
            Action::NotSelected => "not_selected",
            Action::Ignored => "ignored",
            Action::Rejected => "rejected",
            Action::Excluded => "excluded",
            Action::Skipped => "skipped",
            Action::Silent => "silent",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something a party detected, and what it did about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The party that detected it (`Cloud`, `CP(i=2)`, `Edge`).
    pub by: String,
    /// The party at fault, or whose message was at fault (`CP(VID=3)`, `DP7`, `CP(i=2)`).
    pub subject: String,
    /// What was done.
    pub action: Action,
    /// Why.
    pub reason: String,
}

impl Detection {
    /// A detection of an error's cause: its message without a leading `subject: `.
    pub fn of_error(by: impl Into<String>, subject: impl Into<String>, action: Action, e: &RolesError) -> Self {
        let subject = subject.into();
        let reason = match e {
            RolesError::ResultRejected { reason, .. } => reason.clone(),
            RolesError::Duplicate { kind, .. } => format!("a second {kind} message"),
            _ => {
                let text = e.to_string();
                text.strip_prefix(&format!("{subject}: "))
                    .map(str::to_string)
                    .unwrap_or(text)
            }
        };
        Detection::new(by, subject, action, reason)
    }

    /// A detection.
    pub fn new(by: impl Into<String>, subject: impl Into<String>, action: Action, reason: impl Into<String>) -> Self {
        Detection {
            by: by.into(),
            subject: subject.into(),
            action,
            reason: reason.into(),
        }
    }
}

impl Action {
    /// The verb in sentences: "`by` `verb` `subject`: reason".
    pub fn verb(self) -> &'static str {
        match self {
            Action::NotSelected => "refused",
            Action::Ignored => "ignored a message from",
            Action::Rejected => "rejected",
            Action::Excluded => "excluded",
            Action::Skipped => "skipped",
            Action::Silent => "heard nothing from",
        }
    }
}

impl fmt::Display for Detection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}: {}",
            self.by,
            self.action.verb(),
            self.subject,
            self.reason
        )
    }
}

/// The reconstructed aggregate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Sum of the aggregated DPs' values.
    pub sum: BigUint,
    /// Number of DPs aggregated (all n, or the agreed set in `vss` mode).
    pub n: usize,
    /// How far the results were checked.
    pub check: Check,
    /// Vector sessions: the aggregate, the sum of the DPs' encoded inputs in F64 (`sum` is 0);
    /// [`crate::func`] decodes it into the function's result.
    pub vector: Option<Vec<dsmpc_core::field64::F64>>,
}

impl Outcome {
    /// The average `sum / n`, exactly, as a decimal with `places` digits (rounded half up).
    pub fn average(&self, places: u32) -> String {
        exact_average(&self.sum, self.n as u64, places)
    }
}

/// `sum / n` as a decimal string with `places` digits after the point, rounded half up.
pub fn exact_average(sum: &BigUint, n: u64, places: u32) -> String {
    if n == 0 {
        return "NaN".into();
    }
    let scale = BigUint::from(10u32).pow(places);
    let n = BigUint::from(n);
    let scaled = (sum * &scale * 2u32 + &n) / (n * 2u32);
    let (int, frac) = (&scaled / &scale, &scaled % &scale);
    if places == 0 {
        int.to_string()
    } else {
        format!("{int}.{frac:0width$}", width = places as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_are_exact_and_rounded_half_up() {
        assert_eq!(exact_average(&BigUint::from(10u32), 4, 2), "2.50");
        assert_eq!(exact_average(&BigUint::from(2u32), 3, 3), "0.667");
        assert_eq!(exact_average(&BigUint::from(1u32), 3, 0), "0");
        assert_eq!(exact_average(&BigUint::from(5u32), 2, 0), "3");
        assert_eq!(exact_average(&BigUint::from(0u32), 7, 1), "0.0");
    }
}
