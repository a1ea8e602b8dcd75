//! The trend across commits of `cargo xtask history`: xtask measures each revision and lists
//! them in `revisions.csv`; this module reads that list and each measured revision's folder,
//! and gives per phase the instructions (callgrind, first run) and the CPU time (median,
//! minimum and maximum over the time runs of `work_cpu_s` summed over the points) per revision.
//! [`crate::figures::render_history`] draws them; [`History::to_csv`] writes `history.csv`.
//!
//! `revisions.csv` columns (read by header name): `order`, `sha`, `date`, `subject`, `status`
//! (`measured` or `skipped`), `dir` (the revision's cache folder, holding `time-I/` sweep
//! folders and `icount-J/icount.csv`), `time_runs`, `icount_runs`, `note`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::ab::{numbered, read_icount};
use dsmpc_reports::data::{phase_rank, read_phases};
use dsmpc_reports::stats::Stat;
use dsmpc_reports::{Error, Result};
use dsmpc_schema::{RevisionRow, RevisionStatus};

/// One line of `revisions.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    /// Position in the history (1 = oldest asked for).
    pub order: u32,
    /// Full commit sha.
    pub sha: String,
    /// Commit date (YYYY-MM-DD).
    pub date: String,
    /// Commit subject.
    pub subject: String,
    /// Measured (false: skipped, see `note`).
    pub measured: bool,
    /// The revision's cache folder.
    pub dir: PathBuf,
    /// Time runs xtask made (0: none).
    pub time_runs: u32,
    /// Callgrind runs xtask made (0: none).
    pub icount_runs: u32,
    /// Why it was skipped, or what it lacks.
    pub note: String,
}

impl Revision {
    /// The first 10 hex digits of the sha.
    pub fn short(&self) -> &str {
        &self.sha[..10.min(self.sha.len())]
    }
}

/// One phase at one revision.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendPoint {
    /// Index into [`History::revisions`].
    pub revision: usize,
    /// Instructions of the phase (first callgrind run).
    pub instructions: Option<u64>,
    /// Work CPU seconds of the phase, summed over the grid's points, over the time runs.
    pub cpu_s: Option<Stat>,
}

/// One phase across the revisions.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseTrend {
    /// Phase name.
    pub phase: String,
    /// One point per measured revision that has the phase, in history order.
    pub points: Vec<TrendPoint>,
}

/// The whole history: the revisions as listed, and the trends per phase in protocol order.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// Every revision listed, skipped ones included.
    pub revisions: Vec<Revision>,
    /// Per phase.
    pub phases: Vec<PhaseTrend>,
}

/// Reads `revisions.csv` ([`RevisionRow`]).
pub fn read_revisions(path: &Path) -> Result<Vec<Revision>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let rows = RevisionRow::read_all(&text).map_err(|e| Error::Csv {
        path: path.to_path_buf(),
        line: e.line,
        message: e.message,
    })?;
    let mut out = vec![];
    for (i, row) in rows.into_iter().enumerate() {
        if row.sha.is_empty() {
            return Err(Error::invalid(path, format!("line {}: `sha` is empty", i + 2)));
        }
        out.push(Revision {
            order: row.order,
            sha: row.sha,
            date: row.date,
            subject: row.subject,
            measured: row.status == RevisionStatus::Measured,
            dir: PathBuf::from(row.dir),
            time_runs: row.time_runs,
            icount_runs: row.icount_runs,
            note: row.note,
        });
    }
    Ok(out)
}

/// Work CPU seconds per phase of one sweep folder, summed over its points (first repetition
/// of each point: history grids have one).
fn cpu_per_phase(sweep: &Path) -> Result<BTreeMap<String, f64>> {
    let mut out = BTreeMap::new();
    for row in read_phases(&sweep.join("phases.csv"))? {
        if row.rep == 0 {
            *out.entry(row.phase).or_insert(0.0) += row.work_cpu_s;
        }
    }
    Ok(out)
}

impl History {
    /// Reads `revisions.csv` and the measurements of every measured revision.
    pub fn load(revisions_csv: &Path) -> Result<History> {
        let revisions = read_revisions(revisions_csv)?;
        let mut per_phase: BTreeMap<String, Vec<TrendPoint>> = BTreeMap::new();
        for (ri, rev) in revisions.iter().enumerate() {
            if !rev.measured {
                continue;
            }
            let mut icount: BTreeMap<String, u64> = BTreeMap::new();
            if rev.icount_runs > 0 {
                let runs = numbered(&rev.dir, "icount-")?;
                let first = runs.first().ok_or_else(|| {
                    Error::invalid(
                        revisions_csv,
                        format!(
                            "revision {} lists {} callgrind run(s) but {} has no icount-N folder",
                            rev.short(),
                            rev.icount_runs,
                            rev.dir.display()
                        ),
                    )
                })?;
                icount = read_icount(&first.join("icount.csv"))?;
            }
            let mut cpu: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            if rev.time_runs > 0 {
                let runs = numbered(&rev.dir, "time-")?;
                if runs.is_empty() {
                    return Err(Error::invalid(
                        revisions_csv,
                        format!(
                            "revision {} lists {} time run(s) but {} has no time-N folder",
                            rev.short(),
                            rev.time_runs,
                            rev.dir.display()
                        ),
                    ));
                }
                for run in runs.iter().take(rev.time_runs as usize) {
                    for (phase, s) in cpu_per_phase(run)? {
                        cpu.entry(phase).or_default().push(s);
                    }
                }
            }
            let phases: BTreeSet<&String> = icount.keys().chain(cpu.keys()).collect();
            for phase in phases {
                per_phase.entry(phase.clone()).or_default().push(TrendPoint {
                    revision: ri,
                    instructions: icount.get(phase).copied(),
                    cpu_s: cpu.get(phase).and_then(|v| Stat::of(v)),
                });
            }
        }
        let mut phases: Vec<PhaseTrend> = per_phase
            .into_iter()
            .map(|(phase, points)| PhaseTrend { phase, points })
            .collect();
        phases.sort_by(|a, b| {
            phase_rank(&a.phase)
                .cmp(&phase_rank(&b.phase))
                .then(a.phase.cmp(&b.phase))
        });
        Ok(History { revisions, phases })
    }

    /// The measured revisions.
    pub fn measured(&self) -> impl Iterator<Item = &Revision> {
        self.revisions.iter().filter(|r| r.measured)
    }

    /// `history.csv`: one row per (revision, phase) measured, in history order:
    /// `order,sha,date,phase,instructions,cpu_s,cpu_s_min,cpu_s_max,time_runs` (empty cells
    /// where a measure is missing).
    pub fn to_csv(&self) -> String {
        let mut rows: Vec<(usize, usize, String)> = vec![];
        for (pi, t) in self.phases.iter().enumerate() {
            for p in &t.points {
                let r = &self.revisions[p.revision];
                let f = |v: Option<f64>| v.map_or_else(String::new, |x| format!("{x}"));
                rows.push((
                    p.revision,
                    pi,
                    format!(
                        "{},{},{},{},{},{},{},{},{}\n",
                        r.order,
                        r.sha,
                        r.date,
                        t.phase,
                        p.instructions.map_or_else(String::new, |x| x.to_string()),
                        f(p.cpu_s.map(|s| s.median)),
                        f(p.cpu_s.map(|s| s.min)),
                        f(p.cpu_s.map(|s| s.max)),
                        p.cpu_s.map_or(0, |s| s.count),
                    ),
                ));
            }
        }
        rows.sort_by_key(|r| (r.0, r.1));
        let mut s = String::from("order,sha,date,phase,instructions,cpu_s,cpu_s_min,cpu_s_max,time_runs\n");
        for (_, _, row) in rows {
            s += &row;
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHASES_HEADER: &str = "point,rep,backend,suite,provider,verify,n,m,k,t,rsa_bits,group_bits,value_bits,seed,phase,instances,work_cpu_s,work_wall_s,max_cpu_s,max_wall_s,bound_s,overhead,modexp_var,modexp_fixed,modexp_secret,multiexp_term,jacobi,enc,dec,sign,sig_verify,jobs,crate_version,git_rev,host_cpu,cores\n";

    fn phases_row(point: &str, verify: &str, phase: &str, cpu: f64) -> String {
        format!(
            "{point},0,gmp,rsa,rustcrypto,{verify},20,5,5,3,2048,2048,64,1,{phase},1,{cpu},{cpu},{cpu},{cpu},0.1,,0,0,0,0,0,0,0,0,0,1,0.1.0,abc,cpu,2\n"
        )
    }

    fn write_run(dir: &Path, cpu: f64) {
        std::fs::create_dir_all(dir).unwrap();
        let text = String::from(PHASES_HEADER)
            + &phases_row("p1", "paper", "cp_auth_request", cpu)
            + &phases_row("p2", "batch", "cp_auth_request", 2.0 * cpu)
            + &phases_row("p1", "paper", "edge_reconstruct", 1.0);
        std::fs::write(dir.join("phases.csv"), text).unwrap();
    }

    #[test]
    fn trends_sum_points_and_take_the_median_of_runs() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        let b = tmp.path().join("b");
        write_run(&a.join("time-1"), 1.0);
        write_run(&a.join("time-2"), 3.0);
        write_run(&a.join("time-3"), 2.0);
        std::fs::create_dir_all(a.join("icount-1")).unwrap();
        std::fs::write(
            a.join("icount-1/icount.csv"),
            "phase,dumps,instructions\ncp_auth_request,4,1000\nedge_reconstruct,1,50\n",
        )
        .unwrap();
        write_run(&b.join("time-1"), 10.0);
        let list = tmp.path().join("revisions.csv");
        std::fs::write(
            &list,
            format!(
                "order,sha,date,subject,status,dir,time_runs,icount_runs,note\n\
                 1,0000000000aaaa,2026-11-24,first,skipped,,0,0,lacks the regression grid\n\
                 2,1111111111bbbb,2026-11-25,\"second, with a comma\",measured,{},3,1,\n\
                 3,2222222222cccc,2026-11-26,third,measured,{},1,0,no instruction counts\n",
                a.display(),
                b.display()
            ),
        )
        .unwrap();
        let h = History::load(&list).unwrap();
        assert_eq!(h.revisions.len(), 3);
        assert_eq!(h.measured().count(), 2);
        assert_eq!(h.revisions[1].subject, "second, with a comma");
        let names: Vec<&str> = h.phases.iter().map(|p| p.phase.as_str()).collect();
        assert_eq!(names, ["cp_auth_request", "edge_reconstruct"]);
        let auth = &h.phases[0].points;
        assert_eq!(auth.len(), 2);
        assert_eq!(auth[0].revision, 1);
        assert_eq!(auth[0].instructions, Some(1000));
        // per run: cpu + 2 cpu = 3, 9, 6 -> median 6, min 3, max 9
        let s = auth[0].cpu_s.unwrap();
        assert_eq!((s.median, s.min, s.max, s.count), (6.0, 3.0, 9.0, 3));
        assert_eq!(auth[1].instructions, None);
        assert_eq!(auth[1].cpu_s.unwrap().median, 30.0);
        let csv = h.to_csv();
        assert!(csv.starts_with("order,sha,date,phase,instructions,cpu_s"));
        assert!(
            csv.contains("2,1111111111bbbb,2026-11-25,cp_auth_request,1000,6,3,9,3\n"),
            "{csv}"
        );
        assert!(
            csv.contains("3,2222222222cccc,2026-11-26,cp_auth_request,,30,30,30,1\n"),
            "{csv}"
        );
    }

    #[test]
    fn a_listed_run_that_is_missing_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let list = tmp.path().join("revisions.csv");
        std::fs::write(
            &list,
            format!(
                "order,sha,date,subject,status,dir,time_runs,icount_runs,note\n1,abc,2026-11-24,x,measured,{},2,0,\n",
                tmp.path().join("nothing").display()
            ),
        )
        .unwrap();
        let e = History::load(&list).unwrap_err().to_string();
        assert!(e.contains("no time-N folder"), "{e}");
        std::fs::write(&list, "order,sha\n1,abc\n").unwrap();
        assert!(History::load(&list).unwrap_err().to_string().contains("date"));
        std::fs::write(
            &list,
            "order,sha,date,subject,status,dir,time_runs,icount_runs,note\n1,abc,d,s,maybe,,0,0,\n",
        )
        .unwrap();
        assert!(History::load(&list).unwrap_err().to_string().contains("status"));
    }
}
