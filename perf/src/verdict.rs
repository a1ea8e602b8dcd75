//! The one verdict type of performance judgement, shared by the comparison against a baseline
//! ([`crate::regress`]) and the A/B judgement ([`crate::ab`]). Each judgement uses the variants
//! that fit it: the comparison has rows that can be missing, new or differ exactly; the A/B
//! judgement has reviewed trade-offs ([`Verdict::Accepted`]).

use std::fmt;

/// The verdict on one row, one phase or one measure of a phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Within the threshold.
    Ok,
    /// Slower / more instructions than the threshold allows (fails).
    Slower,
    /// Faster / fewer instructions beyond the threshold (does not fail; consider a new
    /// baseline).
    Faster,
    /// Too small to judge; reported only.
    Noise,
    /// Not judged: times not compared (`--no-time`), absent on one side, or not measured by the
    /// base.
    NotJudged,
    /// Counts or bytes differ (fails).
    ExactMismatch,
    /// Present in the baseline, absent now (fails unless allowed).
    Missing,
    /// Absent from the baseline, present now (does not fail).
    New,
    /// More instructions, within a reviewed [`crate::ab::Acceptance`], while the CPU time was
    /// measured lower (does not fail).
    Accepted,
}

impl Verdict {
    /// The word printed in the tables and in `verdicts.csv`.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Slower => "SLOWER",
            Verdict::Faster => "faster",
            Verdict::Noise => "noise",
            Verdict::NotJudged => "-",
            Verdict::ExactMismatch => "EXACT-MISMATCH",
            Verdict::Missing => "MISSING",
            Verdict::New => "new",
            Verdict::Accepted => "accepted",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::Verdict;

    #[test]
    fn labels_pad_to_a_width() {
        assert_eq!(format!("{:<8}|", Verdict::Slower), "SLOWER  |");
        assert_eq!(format!("{}", Verdict::NotJudged), "-");
        assert_eq!(Verdict::ExactMismatch.to_string(), "EXACT-MISMATCH");
    }
}
