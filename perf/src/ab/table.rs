//! How an A/B judgement is written: the table (`Display`) and `verdicts.csv`.

use std::fmt;

use dsmpc_reports::format::{opt, opt_giga};

use super::AbJudgement;
use crate::verdict::Verdict;

impl AbJudgement {
    /// The table of phases: instructions and CPU time, each with its verdict.
    fn write_phases(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hw = self.phases.iter().map(|p| p.phase.len()).max().unwrap_or(5).max(5);
        writeln!(
            f,
            "{:<hw$}  {:>10} {:>10} {:>7} {:>8} | {:>9} {:>9} {:>6} {:>15} {:>7}",
            "phase",
            "Ir base",
            "Ir cand",
            "ratio",
            "verdict",
            "cpu base",
            "cpu cand",
            "ratio",
            "95% interval",
            "verdict"
        )?;
        for p in &self.phases {
            let interval = p
                .time
                .interval
                .map_or_else(|| "-".to_string(), |(lo, hi)| format!("[{lo:.3}, {hi:.3}]"));
            writeln!(
                f,
                "{:<hw$}  {:>10} {:>10} {:>7} {:>8} | {:>9} {:>9} {:>6} {:>15} {:>7}",
                p.phase,
                opt_giga(p.icount.base),
                opt_giga(p.icount.cand),
                opt(p.icount.ratio, 4),
                p.icount.verdict,
                opt(p.time.base, 4),
                opt(p.time.cand, 4),
                opt(p.time.ratio, 3),
                interval,
                p.time.verdict
            )?;
        }
        Ok(())
    }

    /// The verdicts as CSV (`phase,measure,base,cand,ratio,lo,hi,verdict`), for scripts.
    pub fn to_csv(&self) -> String {
        let f = |v: Option<f64>| v.map_or_else(String::new, |x| format!("{x}"));
        let mut s = String::from("phase,measure,base,cand,ratio,lo,hi,verdict\n");
        for p in &self.phases {
            s += &format!(
                "{},instructions,{},{},{},,,{}\n",
                p.phase,
                p.icount.base.map_or_else(String::new, |x| x.to_string()),
                p.icount.cand.map_or_else(String::new, |x| x.to_string()),
                f(p.icount.ratio),
                p.icount.verdict.label()
            );
            s += &format!(
                "{},cpu_time,{},{},{},{},{},{}\n",
                p.phase,
                f(p.time.base),
                f(p.time.cand),
                f(p.time.ratio),
                f(p.time.interval.map(|i| i.0)),
                f(p.time.interval.map(|i| i.1)),
                p.time.verdict.label()
            );
        }
        s
    }
}

impl fmt::Display for AbJudgement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_phases(f)?;
        writeln!(f)?;
        match (self.icount_threshold, self.icount_spread) {
            (Some(t), Some(s)) => writeln!(
                f,
                "instructions: callgrind, per phase; threshold {:.2}% (spread between repeated counts of one binary {:.5}%)",
                100.0 * t,
                100.0 * s
            )?,
            _ => writeln!(f, "instructions: not compared (see notes)")?,
        }
        writeln!(
            f,
            "cpu time: work_cpu_s (s, median per pair of the phase's judged rows summed); ratio = median over {} pairs x points of cand/base; SLOWER when ratio > {:.3} and interval low end > {:.3}",
            self.pairs,
            1.0 + self.options.time_threshold,
            1.0 + self.options.time_threshold / 2.0
        )?;
        if self.exact_changes.is_empty() {
            writeln!(f, "exact: op counts and bytes of base and candidate identical")?;
        } else {
            writeln!(f, "exact: changed between base and candidate:")?;
            for c in &self.exact_changes {
                writeln!(f, "  {c}")?;
            }
        }
        for n in &self.notes {
            writeln!(f, "note: {n}")?;
        }
        let regs = self.regressions();
        let accepted: Vec<&str> = self
            .phases
            .iter()
            .filter(|p| p.icount.verdict == Verdict::Accepted)
            .map(|p| p.phase.as_str())
            .collect();
        if regs.is_empty() && accepted.is_empty() {
            write!(f, "PASS: no phase slower")
        } else if regs.is_empty() {
            write!(
                f,
                "PASS: no phase slower; reviewed instruction/time trade-off accepted for: {}",
                accepted.join(", ")
            )
        } else {
            write!(f, "FAIL: slower: {}", regs.join(", "))
        }
    }
}
