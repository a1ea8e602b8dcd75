//! `cargo xtask history`: measure a list or a range of git revisions on this machine in one
//! run and draw how each phase's instructions and CPU time moved across the commits.
//!
//! 1. Revisions: `A..B` is A and every commit after it up to B on the first-parent line
//!    (oldest first); single revisions are taken as given. A revision that lacks the
//!    regression grid (`reports/baselines/grid.toml`, the start of regression tracking) is
//!    skipped with a message.
//! 2. Each revision is built once in a temporary git worktree (`target/` shared, so the
//!    dependencies are built once); its binary and measurements are cached per host and
//!    revision in `target/dsmpc-history/<host>/<sha>/`, and reused while the grid and the
//!    number of runs asked for are the same.
//! 3. Time: `reports/baselines/history.toml` runs `--runs` times per revision, interleaved
//!    across revisions (forward, backward, ...), so that a drift of the machine spreads over
//!    all of them. Instructions: `reports/baselines/history-icount.toml` once under callgrind
//!    (two revisions at a time, one core each), summed per `dsmpc-phase:<phase>` dump as
//!    `cargo xtask regress` does; revisions older than those labels have no counts.
//! 4. `revisions.csv` in the output folder lists every revision and what became of it;
//!    `dsmpc-perf history` reads it and writes `history.csv` and one trend figure per phase.
//!
//! The grids are those of the work tree, so every revision runs the same points. Revisions
//! from before the `provider` axis read the grids without it (they only had RustCrypto, the
//! provider the grids name).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use dsmpc_schema::{REVISIONS_FILE, RevisionRow, RevisionStatus, labels};

use crate::TaskError;
use crate::tasks::gmp_or_warn;
use crate::tools::{self, git, icount_jobs, perf_bin, root, status_of, time_run, valgrind_available};

/// `cargo xtask history --help`.
pub const HELP: &str = "\
cargo xtask history REV..REV | REV [REV ...] [--runs N] [--icount-runs N] [--no-icount] [--no-time]
                                             [--remeasure] [--out DIR]

Measures each revision on this machine in one run and draws a trend figure per phase: instructions
(callgrind) and CPU time (work_cpu_s summed over the points) across the commits.

Revisions:
  A..B          A and every commit after it up to B, on the first-parent line, oldest first (unlike
                `git log A..B`, A is included: HEAD~1..HEAD is two revisions)
  REV ...       the revisions given, in that order (a sha, a tag, a branch, HEAD~3, ...)
A revision without the regression grid (reports/baselines/grid.toml) is skipped with a message, and
so is one that does not build or cannot read the history grid; revisions older than the callgrind
phase labels get CPU time only.

Measured (the work tree's grids, the same for every revision):
  cpu time      reports/baselines/history.toml, --runs runs per revision, interleaved across the
                revisions; the figure shows the median and the min-max of the runs
  instructions  reports/baselines/history-icount.toml under valgrind's callgrind, one thread, seeded
                (deterministic: one run is enough)

Options:
  --runs N            time runs per revision (default 3)
  --icount-runs N     callgrind runs per revision (default 1; 0 = --no-icount)
  --no-icount, --no-time
                      skip a measure
  --remeasure         measure again even where this host has cached measurements
  --out DIR           where revisions.csv, history.csv and figures/ go
                      (default target/dsmpc-history/<host>/trend)

Builds and measurements are cached per host and revision in target/dsmpc-history/<host>/<sha>/.

Exit status: 0 done (skipped revisions are listed, not failures), 1 a step failed, 2 bad input (an
unknown revision, an empty range, an unknown option).
";

/// What `history` was asked to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// Revisions and ranges as given.
    pub revs: Vec<String>,
    /// Time runs per revision.
    pub runs: usize,
    /// Callgrind runs per revision.
    pub icount_runs: usize,
    /// Ignore cached measurements.
    pub remeasure: bool,
    /// Output folder (`None`: the default under the host's cache).
    pub out: Option<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options, TaskError> {
    let mut o = Options {
        revs: vec![],
        runs: 3,
        icount_runs: 1,
        remeasure: false,
        out: None,
    };
    let bad = |m: String| TaskError::usage(format!("{m}\n\n{HELP}"));
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| bad(format!("{name} needs a value")));
        let count = |name: &str, v: String| {
            v.parse::<usize>()
                .map_err(|_| bad(format!("{name}: not a count: {v:?}")))
        };
        match a.as_str() {
            "--runs" => o.runs = count("--runs", value("--runs")?)?,
            "--icount-runs" => o.icount_runs = count("--icount-runs", value("--icount-runs")?)?,
            "--no-icount" => o.icount_runs = 0,
            "--no-time" => o.runs = 0,
            "--remeasure" => o.remeasure = true,
            "--out" => o.out = Some(PathBuf::from(value("--out")?)),
            other if other.starts_with('-') => return Err(bad(format!("unknown option {other:?}"))),
            rev => o.revs.push(rev.to_string()),
        }
    }
    if o.revs.is_empty() {
        return Err(bad("name the revisions (REV..REV or REV REV ...)".into()));
    }
    if o.runs == 0 && o.icount_runs == 0 {
        return Err(bad("--no-time and --no-icount together leave nothing to measure".into()));
    }
    Ok(o)
}

/// One revision to measure.
#[derive(Clone, Debug)]
struct Rev {
    sha: String,
    date: String,
    subject: String,
    /// Why it is not measured (`None`: measured).
    skipped: Option<String>,
    /// Revisions older than the callgrind phase labels: why there are no counts.
    no_icount: Option<String>,
    /// Its cache folder.
    dir: PathBuf,
    bin: Option<PathBuf>,
    time_grid: Option<PathBuf>,
    icount_grid: Option<PathBuf>,
}

impl Rev {
    fn short(&self) -> &str {
        &self.sha[..10.min(self.sha.len())]
    }
}

/// The revisions named by `specs`, oldest first within a range; duplicates dropped.
fn expand(specs: &[String]) -> Result<Vec<String>, TaskError> {
    let dir = root();
    let mut out: Vec<String> = vec![];
    for spec in specs {
        let shas = if let Some((a, b)) = spec.split_once("..") {
            if a.is_empty() || b.is_empty() || b.starts_with('.') {
                return Err(TaskError::usage(format!(
                    "{spec:?}: a range is FROM..TO with both ends named (e.g. HEAD~5..HEAD)"
                )));
            }
            let from = tools::resolve(&dir, a).map_err(|e| TaskError::usage(e.to_string()))?;
            let to = tools::resolve(&dir, b).map_err(|e| TaskError::usage(e.to_string()))?;
            let list = git(
                &dir,
                &["rev-list", "--reverse", "--first-parent", &format!("{from}..{to}")],
            )
            .map_err(TaskError::run)?;
            let mut shas = vec![];
            // FROM itself, when it is on TO's line (it is, unless the range is reversed or
            // FROM is on a side branch).
            if git(&dir, &["merge-base", "--is-ancestor", &from, &to]).is_ok() {
                shas.push(from.clone());
            }
            shas.extend(list.lines().map(str::to_string));
            if shas.len() < 2 && from != to {
                return Err(TaskError::usage(format!(
                    "the range {spec} has no commits after {a} on {b}'s line (reversed ends?)"
                )));
            }
            shas
        } else {
            vec![tools::resolve(&dir, spec).map_err(|e| TaskError::usage(e.to_string()))?]
        };
        for s in shas {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// This machine's name, made safe for a folder name.
pub(crate) fn host_name() -> String {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| {
            Command::new("hostname")
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        })
        .unwrap_or_default();
    let name: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "unknown-host".into()
    } else {
        name
    }
}

/// The first commit that added `path`, as a short sha and subject, for messages.
fn first_commit_with(path: &str) -> String {
    git(&root(), &["log", "--diff-filter=A", "--format=%h", "--", path])
        .ok()
        .and_then(|s| s.lines().last().map(str::to_string))
        .unwrap_or_else(|| "a later commit".into())
}

/// Write the grid `text` into `dir/name` in the form revision `bin` reads: as is, or without its
/// `provider` line (revisions before the provider axis ran RustCrypto only). `None` when neither
/// form is read.
fn grid_for(bin: &Path, text: &str, dir: &Path, name: &str) -> Result<Option<PathBuf>, String> {
    let path = dir.join(name);
    let without_provider: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("provider"))
        .map(|l| format!("{l}\n"))
        .collect();
    for form in [text.to_string(), without_provider] {
        std::fs::write(&path, &form).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let ok = Command::new(bin)
            .arg("--grid")
            .arg(&path)
            .arg("--dry-run")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Ok(Some(path));
        }
    }
    let _ = std::fs::remove_file(&path);
    Ok(None)
}

/// The grid text with the backend this machine can run (`gmp` needs the system GMP).
fn grid_text(path: &Path, gmp: bool) -> Result<String, TaskError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| TaskError::run(format!("cannot read {}: {e}", path.display())))?;
    Ok(if gmp {
        text
    } else {
        text.replace("backend = [\"gmp\"]", "backend = [\"num\"]")
    })
}

/// What a cached measurement was made with: reused only when this is equal.
fn settings(grid: &Path, runs: usize) -> String {
    format!("runs = {runs}\n{}", std::fs::read_to_string(grid).unwrap_or_default())
}

fn cached(marker: &Path, want: &str, remeasure: bool) -> bool {
    !remeasure && std::fs::read_to_string(marker).is_ok_and(|s| s == want)
}

fn write_marker(marker: &Path, text: &str) -> Result<(), TaskError> {
    std::fs::write(marker, text).map_err(|e| TaskError::run(format!("cannot write {}: {e}", marker.display())))
}

/// The work tree's grids, as every revision runs them.
struct Grids {
    time: String,
    icount: String,
}

/// Look revision `sha` up, build it and find the grid forms it reads; a revision that cannot
/// be measured comes back with `skipped` set.
fn prepare(sha: &str, cache: &Path, grids: &Grids, grid_start: &str, gmp: bool) -> Result<Rev, TaskError> {
    let info = git(&root(), &["show", "-s", "--format=%cs%x09%s", sha]).map_err(TaskError::run)?;
    let (date, subject) = info.split_once('\t').unwrap_or((&info, ""));
    let mut rev = Rev {
        sha: sha.to_string(),
        date: date.to_string(),
        subject: subject.to_string(),
        skipped: None,
        no_icount: None,
        dir: cache.join(sha),
        bin: None,
        time_grid: None,
        icount_grid: None,
    };
    if git(
        &root(),
        &["cat-file", "-e", &format!("{sha}:reports/baselines/grid.toml")],
    )
    .is_err()
    {
        rev.skipped = Some(format!(
            "lacks the regression grid (reports/baselines/grid.toml, first in {grid_start})"
        ));
        eprintln!(
            "history: {} {}: skipped: {}",
            rev.short(),
            rev.subject,
            rev.skipped.as_deref().unwrap_or("")
        );
        return Ok(rev);
    }
    if git(&root(), &["grep", "-q", labels::PHASE, sha, "--", "roles/src"]).is_err() {
        rev.no_icount = Some(format!(
            "older than the callgrind phase labels ({}<phase>)",
            labels::PHASE
        ));
    }
    eprintln!("history: {} {}: building", rev.short(), rev.subject);
    let src = root().join("target/dsmpc-history/src").join(sha);
    match tools::build_revision_in(sha, &rev.dir, &src, gmp) {
        Ok(bin) => rev.bin = Some(bin),
        Err(e) => {
            rev.skipped = Some(format!("does not build here: {e}"));
            eprintln!("history: {}: skipped: {e}", rev.short());
            return Ok(rev);
        }
    }
    let bin = rev.bin.clone().unwrap_or_default();
    rev.time_grid = grid_for(&bin, &grids.time, &rev.dir, "history.toml").map_err(TaskError::run)?;
    rev.icount_grid = grid_for(&bin, &grids.icount, &rev.dir, "history-icount.toml").map_err(TaskError::run)?;
    if rev.time_grid.is_none() && rev.icount_grid.is_none() {
        rev.skipped = Some("its dsmpc-sweep reads neither history grid".into());
        eprintln!(
            "history: {}: skipped: {}",
            rev.short(),
            rev.skipped.as_deref().unwrap_or("")
        );
    }
    Ok(rev)
}

/// Instructions: two revisions at a time (one core each), except where cached.
fn measure_instructions(revs: &[Rev], opts: &Options) -> Result<(), TaskError> {
    let todo: Vec<&Rev> = revs
        .iter()
        .filter(|r| r.skipped.is_none() && r.no_icount.is_none())
        .filter(|r| {
            r.icount_grid.as_ref().is_some_and(|g| {
                !cached(
                    &r.dir.join("icount.done"),
                    &settings(g, opts.icount_runs),
                    opts.remeasure,
                )
            })
        })
        .collect();
    for i in 1..=opts.icount_runs {
        for pair in todo.chunks(2) {
            let jobs: Vec<(&Path, &Path, PathBuf)> = pair
                .iter()
                .filter_map(|r| {
                    Some((
                        r.bin.as_deref()?,
                        r.icount_grid.as_deref()?,
                        r.dir.join(format!("icount-{i}")),
                    ))
                })
                .collect();
            eprintln!(
                "history: callgrind run {i}/{} of {}",
                opts.icount_runs,
                pair.iter().map(|r| r.short()).collect::<Vec<_>>().join(", ")
            );
            icount_jobs(&jobs).map_err(TaskError::run)?;
        }
    }
    for r in todo {
        if let Some(g) = &r.icount_grid {
            write_marker(&r.dir.join("icount.done"), &settings(g, opts.icount_runs))?;
        }
    }
    Ok(())
}

/// CPU time: interleaved across revisions (forward, backward, ...), except where cached.
fn measure_time(revs: &[Rev], opts: &Options) -> Result<(), TaskError> {
    let todo: Vec<&Rev> = revs
        .iter()
        .filter(|r| r.skipped.is_none())
        .filter(|r| {
            r.time_grid
                .as_ref()
                .is_some_and(|g| !cached(&r.dir.join("time.done"), &settings(g, opts.runs), opts.remeasure))
        })
        .collect();
    for i in 1..=opts.runs {
        let order: Vec<&&Rev> = if i % 2 == 1 {
            todo.iter().collect()
        } else {
            todo.iter().rev().collect()
        };
        for r in order {
            if let (Some(bin), Some(grid)) = (&r.bin, &r.time_grid) {
                eprintln!("history: time run {i}/{} of {}", opts.runs, r.short());
                time_run(bin, grid, &r.dir.join(format!("time-{i}"))).map_err(TaskError::run)?;
            }
        }
    }
    for r in todo {
        if let Some(g) = &r.time_grid {
            write_marker(&r.dir.join("time.done"), &settings(g, opts.runs))?;
        }
    }
    Ok(())
}

/// The line of `revisions.csv` for revision number `order` (1 = oldest).
fn revision_row(order: usize, r: &Rev, opts: &Options, with_valgrind: bool) -> RevisionRow {
    let measured = r.skipped.is_none();
    let time_runs = if measured && r.time_grid.is_some() {
        opts.runs
    } else {
        0
    };
    let icount_runs = if measured && with_valgrind && r.no_icount.is_none() && r.icount_grid.is_some() {
        opts.icount_runs
    } else {
        0
    };
    let mut notes: BTreeSet<String> = BTreeSet::new();
    notes.extend(r.skipped.clone());
    if measured {
        notes.extend(r.no_icount.clone().map(|n| format!("no instruction counts: {n}")));
        if r.time_grid.is_none() {
            notes.insert("no CPU time: cannot read the history grid".into());
        }
        if r.icount_grid.is_none() && r.no_icount.is_none() {
            notes.insert("no instruction counts: cannot read the history-icount grid".into());
        }
    }
    RevisionRow {
        order: u32::try_from(order).unwrap_or(u32::MAX),
        sha: r.sha.clone(),
        date: r.date.clone(),
        subject: r.subject.clone(),
        status: if measured {
            RevisionStatus::Measured
        } else {
            RevisionStatus::Skipped
        },
        dir: r.dir.to_string_lossy().into_owned(),
        time_runs: u32::try_from(time_runs).unwrap_or(u32::MAX),
        icount_runs: u32::try_from(icount_runs).unwrap_or(u32::MAX),
        note: notes.into_iter().collect::<Vec<_>>().join("; "),
    }
}

/// Write the list for `dsmpc-perf history` into `out/revisions.csv`.
fn write_revisions(revs: &[Rev], opts: &Options, with_valgrind: bool, out: &Path) -> Result<PathBuf, TaskError> {
    std::fs::create_dir_all(out).map_err(|e| TaskError::run(format!("cannot create {}: {e}", out.display())))?;
    let rows: Vec<RevisionRow> = revs
        .iter()
        .enumerate()
        .map(|(i, r)| revision_row(i + 1, r, opts, with_valgrind))
        .collect();
    let list = out.join(REVISIONS_FILE);
    let text =
        RevisionRow::write_all(&rows).map_err(|e| TaskError::run(format!("cannot write {}: {e}", list.display())))?;
    std::fs::write(&list, text).map_err(|e| TaskError::run(format!("cannot write {}: {e}", list.display())))?;
    eprintln!("history: wrote {}", list.display());
    Ok(list)
}

/// `cargo xtask history`.
pub fn history(args: &[String]) -> Result<(), TaskError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let opts = parse(args)?;
    let shas = expand(&opts.revs)?;
    let host = host_name();
    let cache = root().join("target/dsmpc-history").join(&host);
    let out = opts.out.clone().unwrap_or_else(|| cache.join("trend"));
    let out = if out.is_absolute() { out } else { root().join(out) };
    let gmp = gmp_or_warn();
    let grids = Grids {
        time: grid_text(&root().join("reports/baselines/history.toml"), gmp)?,
        icount: grid_text(&root().join("reports/baselines/history-icount.toml"), gmp)?,
    };
    let with_valgrind = opts.icount_runs > 0 && valgrind_available();
    if opts.icount_runs > 0 && !with_valgrind {
        eprintln!("history: valgrind is not installed: instruction counts skipped (apt-get install valgrind)");
    }
    eprintln!(
        "history: {} revision(s) on host {host}, cache {}",
        shas.len(),
        cache.display()
    );
    let grid_start = first_commit_with("reports/baselines/grid.toml");
    let revs = shas
        .iter()
        .map(|sha| prepare(sha, &cache, &grids, &grid_start, gmp))
        .collect::<Result<Vec<Rev>, TaskError>>()?;
    if with_valgrind {
        measure_instructions(&revs, &opts)?;
    }
    if opts.runs > 0 {
        measure_time(&revs, &opts)?;
    }
    let list = write_revisions(&revs, &opts, with_valgrind, &out)?;
    let list_s = list.to_string_lossy().into_owned();
    let out_s = out.to_string_lossy().into_owned();
    status_of(
        &mut perf_bin(&["history", "--revisions", &list_s, "--out", &out_s]),
        "dsmpc-perf history",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_parse_and_refuse() {
        let o = parse(&args(&["HEAD~1..HEAD", "--runs", "2", "--no-icount"])).unwrap();
        assert_eq!(o.revs, vec!["HEAD~1..HEAD".to_string()]);
        assert_eq!((o.runs, o.icount_runs), (2, 0));
        assert_eq!(parse(&args(&[])).unwrap_err().code, 2);
        assert_eq!(parse(&args(&["HEAD", "--runs", "x"])).unwrap_err().code, 2);
        assert_eq!(parse(&args(&["HEAD", "--bogus"])).unwrap_err().code, 2);
        assert_eq!(parse(&args(&["HEAD", "--no-time", "--no-icount"])).unwrap_err().code, 2);
    }

    #[test]
    fn revision_rows_say_what_was_measured() {
        let opts = parse(&args(&["HEAD", "--runs", "2"])).unwrap();
        let mut r = Rev {
            sha: "abc".into(),
            date: "2026-12-01".into(),
            subject: "x, y".into(),
            skipped: None,
            no_icount: Some("older".into()),
            dir: PathBuf::from("/c/abc"),
            bin: None,
            time_grid: Some(PathBuf::from("g")),
            icount_grid: Some(PathBuf::from("i")),
        };
        let row = revision_row(3, &r, &opts, true);
        assert_eq!(
            (row.order, row.status, row.time_runs, row.icount_runs),
            (3, RevisionStatus::Measured, 2, 0)
        );
        assert_eq!(row.note, "no instruction counts: older");
        r.skipped = Some("does not build here".into());
        let row = revision_row(1, &r, &opts, true);
        assert_eq!(
            (row.status, row.time_runs, row.icount_runs),
            (RevisionStatus::Skipped, 0, 0)
        );
        assert_eq!(row.note, "does not build here");
    }

    /// A stand-in `dsmpc-sweep` (a shell script) that accepts `--grid FILE --dry-run` only when
    /// FILE has no line starting with `reject`.
    #[cfg(unix)]
    fn fake_sweep(dir: &Path, reject: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let bin = dir.join(format!("fake-sweep-{reject}"));
        std::fs::write(&bin, format!("#!/bin/sh\n! grep -q '^{reject}' \"$2\"\n")).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    }

    #[cfg(unix)]
    #[test]
    fn grids_fall_back_to_the_form_without_provider() {
        let dir = std::env::temp_dir().join(format!("xtask-history-grid-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "name = \"h\"\nprovider = [\"rustcrypto\"]\nbackend = [\"gmp\"]\n";
        // A binary that knows the provider axis reads the grid as is.
        let new = fake_sweep(&dir, "nothing");
        let g = grid_for(&new, text, &dir, "a.toml").unwrap().unwrap();
        assert_eq!(std::fs::read_to_string(g).unwrap(), text);
        // One from before the axis gets it without the provider line.
        let old = fake_sweep(&dir, "provider");
        let g = grid_for(&old, text, &dir, "b.toml").unwrap().unwrap();
        assert_eq!(
            std::fs::read_to_string(g).unwrap(),
            "name = \"h\"\nbackend = [\"gmp\"]\n"
        );
        // One that reads neither form: no grid, and no file left behind.
        let none = fake_sweep(&dir, "name");
        assert!(grid_for(&none, text, &dir, "c.toml").unwrap().is_none());
        assert!(!dir.join("c.toml").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn host_name_is_a_folder_name() {
        let h = host_name();
        assert!(!h.is_empty());
        assert!(!h.contains('/') && h != "." && h != "..");
    }
}
