//! Reviewed trade-offs: a phase may run more instructions when its CPU time is measured lower
//! (`Regress-Accept: instructions PHASE up to RATIO: REASON`).

use super::PhaseJudgement;
use crate::verdict::Verdict;

/// One reviewed trade-off: phase `phase` may run up to `up_to` times the base's instructions,
/// provided its CPU time is measured lower in the same run.
///
/// Written `instructions PHASE up to RATIO: REASON` (the text of a `Regress-Accept:` trailer);
/// only the instruction measure can be accepted, the ratio must be above 1 and at most 2, and the
/// reason must not be empty.
#[derive(Clone, Debug, PartialEq)]
pub struct Acceptance {
    /// Phase name.
    pub phase: String,
    /// Largest instruction ratio accepted.
    pub up_to: f64,
    /// Why (as written, with where it came from when the caller adds it).
    pub reason: String,
}

impl Acceptance {
    /// Parses `instructions PHASE up to RATIO: REASON`; the error says what is wrong.
    pub fn parse(text: &str) -> std::result::Result<Acceptance, String> {
        let form = "expected `instructions PHASE up to RATIO: REASON`";
        let (head, reason) = text
            .split_once(':')
            .ok_or_else(|| format!("{text:?}: no `: REASON`; {form}"))?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(format!("{text:?}: the reason is empty; {form}"));
        }
        let words: Vec<&str> = head.split_whitespace().collect();
        match words.as_slice() {
            ["instructions", phase, "up", "to", ratio] => {
                let up_to: f64 = ratio
                    .trim_start_matches('x')
                    .parse()
                    .map_err(|_| format!("{text:?}: {ratio:?} is not a ratio; {form}"))?;
                if !(up_to > 1.0 && up_to <= 2.0) {
                    return Err(format!(
                        "{text:?}: the ratio must be above 1 and at most 2, got {up_to}"
                    ));
                }
                Ok(Acceptance {
                    phase: (*phase).to_string(),
                    up_to,
                    reason: reason.to_string(),
                })
            }
            [measure, ..] if *measure != "instructions" => Err(format!(
                "{text:?}: only instruction counts can be accepted (a time regression is a regression), not {measure:?}"
            )),
            _ => Err(format!("{text:?}: {form}")),
        }
    }
}

/// Turns instruction `SLOWER` verdicts covered by an acceptance into `accepted` when the phase's
/// CPU time was measured lower; notes every acceptance and what became of it.
pub(super) fn apply_acceptances(phases: &mut [PhaseJudgement], accept: &[Acceptance], notes: &mut Vec<String>) {
    for a in accept {
        let Some(p) = phases.iter_mut().find(|p| p.phase == a.phase) else {
            notes.push(format!(
                "acceptance for {} ignored: no such phase in this run ({})",
                a.phase, a.reason
            ));
            continue;
        };
        let Some(ratio) = p.icount.ratio else {
            notes.push(format!("acceptance for {}: instructions not compared", a.phase));
            continue;
        };
        if p.icount.verdict != Verdict::Slower {
            notes.push(format!(
                "acceptance for {} not needed: instructions x{ratio:.4} are {}",
                a.phase, p.icount.verdict
            ));
            continue;
        }
        let time = match (p.time.ratio, p.time.interval) {
            (Some(r), Some((lo, hi))) => Some((r, lo, hi)),
            _ => None,
        };
        match time {
            _ if ratio > a.up_to => notes.push(format!(
                "acceptance for {} NOT honoured: instructions x{ratio:.4} exceed its bound x{} ({})",
                a.phase, a.up_to, a.reason
            )),
            None => notes.push(format!(
                "acceptance for {} NOT honoured: its CPU time was not measured in this run (run with time pairs)",
                a.phase
            )),
            Some((r, lo, hi)) if hi >= 1.0 => notes.push(format!(
                "acceptance for {} NOT honoured: CPU time x{r:.3} [{lo:.3}, {hi:.3}] is not measured lower, so \
                 the extra instructions buy nothing on this machine ({})",
                a.phase, a.reason
            )),
            Some((r, lo, hi)) => {
                p.icount.verdict = Verdict::Accepted;
                notes.push(format!(
                    "accepted: {} instructions x{ratio:.4} (bound x{}) for CPU time x{r:.3} [{lo:.3}, {hi:.3}]: {}",
                    a.phase, a.up_to, a.reason
                ));
            }
        }
    }
}
