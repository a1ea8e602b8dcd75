//! Fault injection for tests and demonstrations (`dsmpc run --inject KIND`), and the record of
//! what the parties detected.
//!
//! A [`Fault`] makes one party misbehave, or an adversary tamper with the network, in one
//! well-defined way. CPs are named by VID (`cp=I` is the candidate with VID I; with every
//! candidate valid and m = k, VID I gets index i = I). The kinds:
//!
//! | syntax | what happens |
//! |---|---|
//! | `bad-share:dp=D,cp=I` | DP D sends CP I a share off its polynomial (`y + 1`), with the attachment or commitments of the true one |
//! | `inconsistent-dealing:dp=D` | DP D gives the upper half of the CPs shares of a second polynomial with the same constant term |
//! | `bad-result:cp=I` | CP I uploads `sum + 1` |
//! | `drop-cp:cp=I` | CP I goes silent after selection: processes nothing, reports nothing, uploads nothing |
//! | `drop-dp:dp=D,reach=R` | DP D's share packets reach only the CPs with index 1..=R |
//! | `replay:cp=I` | an adversary replays CP I's auth request to the Cloud, the first share packet to CP I, and CP I's upload to the Edge |
//! | `bad-signature:cp=I` | CP I's auth request carries a corrupted signature |
//!
//! What the parties notice is reported as [`Detection`]s, in the session report, the log and
//! the CLI output.

use std::fmt;
use std::str::FromStr;

/// One injected fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// DP `dp` sends the CP with VID `cp` a wrong share.
    BadShare {
        /// The DP.
        dp: u32,
        /// The CP's VID.
        cp: u32,
    },
    /// DP `dp` deals shares that do not lie on one polynomial.
    InconsistentDealing {
        /// The DP.
        dp: u32,
    },
    /// The CP with VID `cp` uploads a wrong sum-share.
    BadResult {
        /// The CP's VID.
        cp: u32,
    },
    /// The CP with VID `cp` drops out after selection.
    DropCp {
        /// The CP's VID.
        cp: u32,
    },
    /// DP `dp` reaches only the CPs with index `1..=reach`.
    DropDp {
        /// The DP.
        dp: u32,
        /// How many CPs it reaches.
        reach: u16,
    },
    /// Messages to and from the CP with VID `cp` are replayed.
    Replay {
        /// The CP's VID.
        cp: u32,
    },
    /// The CP with VID `cp` signs its auth request wrongly.
    BadSignature {
        /// The CP's VID.
        cp: u32,
    },
}

/// The syntax of every kind, for help texts and errors.
pub const SYNTAX: &str = "bad-share:dp=D,cp=I, inconsistent-dealing:dp=D, bad-result:cp=I, drop-cp:cp=I, \
drop-dp:dp=D,reach=R, replay:cp=I, bad-signature:cp=I";

impl Fault {
    /// The kind's name, as on the command line.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::BadShare { .. } => "bad-share",
            Fault::InconsistentDealing { .. } => "inconsistent-dealing",
            Fault::BadResult { .. } => "bad-result",
            Fault::DropCp { .. } => "drop-cp",
            Fault::DropDp { .. } => "drop-dp",
            Fault::Replay { .. } => "replay",
            Fault::BadSignature { .. } => "bad-signature",
        }
    }

    /// The DP it concerns, if any.
    pub fn dp(&self) -> Option<u32> {
        match *self {
            Fault::BadShare { dp, .. } | Fault::InconsistentDealing { dp } | Fault::DropDp { dp, .. } => Some(dp),
            _ => None,
        }
    }

    /// The CP (VID) it concerns, if any.
    pub fn cp(&self) -> Option<u32> {
        match *self {
            Fault::BadShare { cp, .. }
            | Fault::BadResult { cp }
            | Fault::DropCp { cp }
            | Fault::Replay { cp }
            | Fault::BadSignature { cp } => Some(cp),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Fault::BadShare { dp, cp } => write!(f, "bad-share:dp={dp},cp={cp}"),
            Fault::InconsistentDealing { dp } => write!(f, "inconsistent-dealing:dp={dp}"),
            Fault::BadResult { cp } => write!(f, "bad-result:cp={cp}"),
            Fault::DropCp { cp } => write!(f, "drop-cp:cp={cp}"),
            Fault::DropDp { dp, reach } => write!(f, "drop-dp:dp={dp},reach={reach}"),
            Fault::Replay { cp } => write!(f, "replay:cp={cp}"),
            Fault::BadSignature { cp } => write!(f, "bad-signature:cp={cp}"),
        }
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (kind, args) = s.split_once(':').unwrap_or((s, ""));
        let mut dp = None;
        let mut cp = None;
        let mut reach = None;
        for part in args.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{s:?}: {part:?} is not key=value"))?;
            let slot = match key.trim() {
                "dp" => &mut dp,
                "cp" => &mut cp,
                "reach" => &mut reach,
                other => return Err(format!("{s:?}: unknown parameter {other:?} (expected dp, cp or reach)")),
            };
            if slot.is_some() {
                return Err(format!("{s:?}: {key} given twice"));
            }
            let v: u32 = value
                .trim()
                .parse()
                .map_err(|_| format!("{s:?}: {key}={value:?} is not a non-negative integer"))?;
            *slot = Some(v);
        }
        let need = |v: Option<u32>, key: &str| v.ok_or_else(|| format!("{s:?}: {kind} needs {key}=..."));
        let fault = match kind.trim() {
            "bad-share" => Fault::BadShare {
                dp: need(dp, "dp")?,
                cp: need(cp, "cp")?,
            },
            "inconsistent-dealing" => Fault::InconsistentDealing { dp: need(dp, "dp")? },
            "bad-result" => Fault::BadResult { cp: need(cp, "cp")? },
            "drop-cp" => Fault::DropCp { cp: need(cp, "cp")? },
            "drop-dp" => {
                let r = need(reach, "reach")?;
                Fault::DropDp {
                    dp: need(dp, "dp")?,
                    reach: u16::try_from(r).map_err(|_| format!("{s:?}: reach={r} is too large"))?,
                }
            }
            "replay" => Fault::Replay { cp: need(cp, "cp")? },
            "bad-signature" => Fault::BadSignature { cp: need(cp, "cp")? },
            other => return Err(format!("unknown fault kind {other:?}: expected one of {SYNTAX}")),
        };
        // Parameters the kind does not take are a mistake, not something to ignore.
        let used = (
            fault.dp().is_some(),
            fault.cp().is_some(),
            matches!(fault, Fault::DropDp { .. }),
        );
        for (given, takes, key) in [(dp, used.0, "dp"), (cp, used.1, "cp"), (reach, used.2, "reach")] {
            if given.is_some() && !takes {
                return Err(format!("{s:?}: {} does not take {key}=", fault.kind()));
            }
        }
        if fault.dp() == Some(0) || fault.cp() == Some(0) {
            return Err(format!("{s:?}: DPs and CPs are numbered from 1"));
        }
        Ok(fault)
    }
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
    pub fn of_error(by: impl Into<String>, subject: impl Into<String>, action: Action, e: &crate::RolesError) -> Self {
        let subject = subject.into();
        let reason = match e {
            crate::RolesError::ResultRejected { reason, .. } => reason.clone(),
            crate::RolesError::Duplicate { kind, .. } => format!("a second {kind} message"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips() {
        for s in [
            "bad-share:dp=3,cp=2",
            "inconsistent-dealing:dp=1",
            "bad-result:cp=4",
            "drop-cp:cp=5",
            "drop-dp:dp=2,reach=0",
            "replay:cp=1",
            "bad-signature:cp=3",
        ] {
            let f: Fault = s.parse().unwrap();
            assert_eq!(f.to_string(), s);
        }
        assert_eq!(
            " bad-share : cp = 2 , dp = 3 ".parse::<Fault>(),
            Ok(Fault::BadShare { dp: 3, cp: 2 })
        );
    }

    #[test]
    fn bad_syntax_says_what_is_wrong() {
        let err = |s: &str| s.parse::<Fault>().unwrap_err();
        assert!(err("bad-shares:dp=1,cp=1").contains("unknown fault kind"));
        assert!(err("bad-share:dp=1").contains("needs cp="));
        assert!(err("drop-dp:dp=1").contains("needs reach="));
        assert!(err("bad-result:cp=x").contains("not a non-negative integer"));
        assert!(err("bad-result:cp=1,cp=2").contains("given twice"));
        assert!(err("bad-result:cp=1,dp=2").contains("does not take dp="));
        assert!(err("drop-cp:cp=1,reach=2").contains("does not take reach="));
        assert!(err("replay:cp=0").contains("numbered from 1"));
        assert!(err("replay:who=1").contains("unknown parameter"));
        assert!(err("replay:cp").contains("not key=value"));
        assert!(err("drop-dp:dp=1,reach=70000").contains("too large"));
    }
}
