//! How a comparison is written: the table (`Display`) and its one-line summary.

use std::fmt;

use dsmpc_reports::format::opt;

use super::{Comparison, MessageComparison, PhaseRowComparison};
use crate::verdict::Verdict;

impl Comparison {
    /// The one-line summary printed under the table.
    pub fn summary(&self) -> String {
        let judged = self
            .rows
            .iter()
            .filter(|r| matches!(r.verdict, Verdict::Ok | Verdict::Slower | Verdict::Faster))
            .count();
        let slower_phases: Vec<String> = self
            .phases
            .iter()
            .filter(|p| p.verdict == Verdict::Slower)
            .map(|p| {
                format!(
                    "{} x{:.3} > {:.3}",
                    p.phase,
                    p.ratio.unwrap_or(f64::NAN),
                    1.0 + p.threshold
                )
            })
            .collect();
        let slower_rows = self.rows.iter().filter(|r| r.verdict == Verdict::Slower).count();
        let faster = self.phases.iter().filter(|p| p.verdict == Verdict::Faster).count();
        let new = self.rows.iter().filter(|r| r.verdict == Verdict::New).count()
            + self.messages.iter().filter(|m| m.verdict == Verdict::New).count();
        let mut parts = vec![
            format!(
                "{} phase rows and {} message rows compared",
                self.rows.len(),
                self.messages.len()
            ),
            format!("{} exact mismatches", self.exact_mismatches()),
            format!(
                "{} missing{}",
                self.missing(),
                if self.options.allow_missing { " (allowed)" } else { "" }
            ),
        ];
        if new > 0 {
            parts.push(format!("{new} new"));
        }
        if self.options.check_time {
            parts.push(format!("{judged} timings judged"));
            if let Some(d) = &self.drift {
                parts.push(format!("whole run x{:.3} ({})", d.ratio, d.verdict));
            }
            if slower_phases.is_empty() {
                parts.push("no phase slower".into());
            } else {
                parts.push(format!("slower phases: {}", slower_phases.join(", ")));
            }
            parts.push(format!("{slower_rows} slower rows"));
            if faster > 0 {
                parts.push(format!("{faster} phases faster (consider a new baseline)"));
            }
        } else {
            parts.push("times not compared (--no-time)".into());
        }
        format!("{}: {}", if self.passed() { "PASS" } else { "FAIL" }, parts.join("; "))
    }

    fn write_rows(&self, f: &mut fmt::Formatter<'_>, hw: usize) -> fmt::Result {
        let pw = self.rows.iter().map(|r| r.point.len()).max().unwrap_or(5).max(5);
        writeln!(f)?;
        writeln!(
            f,
            "{:<pw$}  {:<hw$}  {:>12}  {:>12}  {:>7}  {:>7}  verdict",
            "point", "phase", "baseline", "now", "ratio", "limit"
        )?;
        for r in &self.rows {
            writeln!(
                f,
                "{:<pw$}  {:<hw$}  {:>12}  {:>12}  {:>7}  {:>7}  {}",
                r.point,
                r.phase,
                opt(r.baseline, 4),
                opt(r.current, 4),
                opt(r.ratio, 3),
                opt(r.threshold.map(|t| 1.0 + t), 3),
                r.verdict
            )?;
        }
        Ok(())
    }

    fn write_phases(&self, f: &mut fmt::Formatter<'_>, hw: usize) -> fmt::Result {
        writeln!(f)?;
        writeln!(
            f,
            "{:<hw$}  {:>6}  {:>7}  {:>7}  {:>7}  {:>7}  verdict",
            "phase", "judged", "ratio", "vs rest", "noise", "limit"
        )?;
        for p in &self.phases {
            writeln!(
                f,
                "{:<hw$}  {:>6}  {:>7}  {:>7}  {:>6.1}%  {:>7.3}  {}",
                p.phase,
                p.judged,
                opt(p.ratio, 3),
                opt(p.relative, 3),
                100.0 * p.noise,
                1.0 + p.threshold,
                p.verdict
            )?;
        }
        if let Some(d) = &self.drift {
            writeln!(
                f,
                "{:<hw$}  {:>6}  {:>7.3}  {:>7}  {:>6.1}%  {:>7.3}  {}",
                "(whole run)",
                d.judged,
                d.ratio,
                "-",
                100.0 * d.noise,
                1.0 + d.threshold,
                d.verdict
            )?;
        }
        Ok(())
    }

    fn write_differences(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bad_msgs: Vec<&MessageComparison> = self.messages.iter().filter(|m| m.verdict != Verdict::Ok).collect();
        writeln!(f)?;
        if bad_msgs.is_empty() {
            writeln!(
                f,
                "messages: all {} (point, kind) rows identical in count, bytes and payload_bytes",
                self.messages.len()
            )?;
        } else {
            writeln!(f, "messages:")?;
            for m in bad_msgs {
                writeln!(
                    f,
                    "  {} {} {}: {}",
                    m.verdict,
                    m.point,
                    m.kind,
                    m.differences.join("; ")
                )?;
            }
        }
        let diffs: Vec<&PhaseRowComparison> = self.rows.iter().filter(|r| !r.differences.is_empty()).collect();
        if !diffs.is_empty() {
            writeln!(f, "differences:")?;
            for r in diffs {
                writeln!(
                    f,
                    "  {} {} {}: {}",
                    r.verdict,
                    r.point,
                    r.phase,
                    r.differences.join("; ")
                )?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "baseline: {} (calibration {:.6} s)",
            self.baseline_dir.display(),
            self.baseline_calibration
        )?;
        writeln!(
            f,
            "current:  {} (calibration {:.6} s)",
            self.current_dir.display(),
            self.current_calibration
        )?;
        writeln!(
            f,
            "times: median work CPU seconds / calibration_s of the same run (calibration units)"
        )?;
        let hw = self.rows.iter().map(|r| r.phase.len()).max().unwrap_or(5).max(5);
        self.write_rows(f, hw)?;
        if self.options.check_time && !self.phases.is_empty() {
            self.write_phases(f, hw)?;
        }
        self.write_differences(f)?;
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        write!(f, "{}", self.summary())
    }
}
