//! `cargo xtask sweep --slurm`: a sweep as a Slurm job array, one task per shard
//! (`dsmpc-sweep --shard auto/N`), plus a merge job that runs when every task succeeded
//! (`afterok`) and joins the shards, draws the figures and writes the report.
//!
//! The binaries are built once here, on the submitting machine, and the job scripts call them
//! by absolute path: the cluster needs the sweep folder and the build on a file system that
//! every node sees, and nodes that can run what this machine built (same OS and libc; the
//! system libgmp when built with GMP). The scripts are written to `DIR/slurm/` and kept, so a
//! failed task can be resubmitted alone (`sbatch --array=I DIR/slurm/shards.sbatch`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::TaskError;
use crate::args;

/// The Slurm options of `cargo xtask sweep`, shown by `--help` and `cargo xtask help`.
pub const HELP: &str = "\
Slurm (cargo xtask sweep --slurm [OPTIONS] [SWEEP OPTIONS]):
  --slurm                 run the sweep as a Slurm job array, one task per shard, and a merge job
                          that depends on it (afterok); submits both with sbatch and prints the job
                          ids and where the results will appear. Needs a file system shared by the
                          nodes for the sweep folder (--out DIR) and for this checkout's build
                          (the binaries are built once, here); scripts go to DIR/slurm/
  --shards N              number of shards (array tasks) [default: 8, at most the number of points]
  --partition P           submit to partition P (sbatch --partition)
  --max-parallel K        run at most K array tasks at once (--array=1-N%K)
  --time T                time limit of each task and of the merge job (sbatch --time, e.g. 2:00:00)
  --cpus-per-task C       cores per task; each shard runs C points at once (--jobs C) [default: 1]
  --sbatch-arg ARG        one more sbatch option for both jobs, e.g. --sbatch-arg=--account=proj
                          (repeatable)
  --print-only            write and print the scripts and the sbatch commands; submit nothing
";

#[derive(Debug, Default)]
struct SlurmOptions {
    shards: Option<usize>,
    partition: Option<String>,
    max_parallel: Option<usize>,
    time: Option<String>,
    cpus_per_task: Option<usize>,
    sbatch_args: Vec<String>,
    print_only: bool,
}

fn usage(msg: String) -> TaskError {
    TaskError::usage(format!("{msg}\n\n{HELP}"))
}

/// The options of `--slurm` that take a value (`--out`, `--resume` and `--jobs` are the sweep's,
/// read here to place and size the jobs).
const VALUED: [&str; 10] = [
    "--shards",
    "--partition",
    "--max-parallel",
    "--time",
    "--cpus-per-task",
    "--sbatch-arg",
    "--out",
    "--resume",
    "--jobs",
    "-j",
];

/// Split the command line into the Slurm options (with the sweep's `--out`, `--resume` and
/// `--jobs`) and the rest of the sweep's own.
fn parse(args: &[String]) -> Result<(SlurmOptions, Placement, Vec<String>), TaskError> {
    let a = args::split(args, &VALUED, &["--slurm", "--print-only"]).map_err(usage)?;
    if args::given(&a.rest, "--shard") {
        return Err(usage(
            "--shard cannot be combined with --slurm: the job array runs every shard (use --shards N)".into(),
        ));
    }
    if args::given(&a.rest, "--dry-run") {
        return Err(usage(
            "--dry-run cannot be combined with --slurm: use --print-only to see the jobs".into(),
        ));
    }
    let count = |flag: &str| -> Result<Option<usize>, TaskError> {
        a.value(flag)
            .map(|v| {
                v.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| usage(format!("{flag} {v:?}: give a whole number, at least 1")))
            })
            .transpose()
    };
    if let Some(t) = a.value("--time")
        && !t.chars().all(|c| c.is_ascii_digit() || c == ':' || c == '-')
    {
        return Err(usage(format!(
            "--time {t:?}: give a Slurm time limit such as 30, 2:00:00 or 1-12:00:00"
        )));
    }
    let o = SlurmOptions {
        shards: count("--shards")?,
        partition: a.value("--partition").map(str::to_string),
        max_parallel: count("--max-parallel")?,
        time: a.value("--time").map(str::to_string),
        cpus_per_task: count("--cpus-per-task")?,
        sbatch_args: a.values("--sbatch-arg").to_vec(),
        print_only: a.has("--print-only"),
    };
    let place = Placement {
        out: a.value("--out").map(str::to_string),
        resume: a.value("--resume").map(str::to_string),
        jobs: a.value("--jobs").or(a.value("-j")).map(str::to_string),
    };
    Ok((o, place, a.rest))
}

/// The sweep's own options that place and size the jobs.
#[derive(Debug, Default)]
struct Placement {
    /// `--out DIR`: a new sweep.
    out: Option<String>,
    /// `--resume DIR`: resubmit one.
    resume: Option<String>,
    /// `--jobs N` / `-j N`: cores per task unless `--cpus-per-task` is given.
    jobs: Option<String>,
}

/// Single-quote a word for bash.
fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,%+@".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn absolute(p: &Path) -> Result<PathBuf, TaskError> {
    let cwd = std::env::current_dir().map_err(|e| TaskError::run(format!("no current directory: {e}")))?;
    Ok(if p.is_absolute() { p.to_path_buf() } else { cwd.join(p) })
}

fn utc_stamp() -> String {
    Command::new("date")
        .args(["-u", "+%Y%m%d-%H%M%S"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| {
            let s = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            format!("t{s}")
        })
}

/// The revision being built, as `dsmpc-bench` records it (short hash, `-dirty` with changes).
fn git_rev() -> String {
    let out = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match out(&["rev-parse", "--short", "HEAD"]) {
        Some(rev) => {
            let dirty = out(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
            if dirty { format!("{rev}-dirty") } else { rev }
        }
        None => "unknown".into(),
    }
}

fn sbatch_header(lines: &mut Vec<String>, o: &SlurmOptions) {
    if let Some(p) = &o.partition {
        lines.push(format!("#SBATCH --partition={}", quote(p)));
    }
    if let Some(t) = &o.time {
        lines.push(format!("#SBATCH --time={t}"));
    }
    for a in &o.sbatch_args {
        lines.push(format!("#SBATCH {}", quote(a)));
    }
}

/// Whether `args` ask for a Slurm sweep (`--slurm`, and not `--help`).
pub fn wanted(args: &[String]) -> bool {
    let help = args.iter().any(|a| a == "--help" || a == "-h");
    args.iter().any(|a| a == "--slurm") && !help
}

/// `cargo xtask sweep --slurm ...`: build, check the grid, write the two job scripts, submit
/// them (or print them with `--print-only`).
pub fn sweep(args: &[String]) -> Result<(), TaskError> {
    let (o, place, rest) = parse(args)?;
    let Placement {
        out: given_out,
        resume: given_resume,
        jobs,
    } = place;
    if given_out.is_some() && given_resume.is_some() {
        return Err(usage(
            "give --out DIR (a new sweep) or --resume DIR (resubmit one), not both".into(),
        ));
    }
    let cpus = cpus_per_task(o.cpus_per_task, jobs)?;
    let bin_dir = build_binaries()?;
    let bin = |name: &str| bin_dir.join(name);
    let points = count_points(&bin("dsmpc-sweep"), &rest)?;
    let shards = o.shards.unwrap_or(8).min(points).max(1);
    if o.shards.is_some_and(|n| n > points) {
        eprintln!(
            "note: {points} points, so {shards} shards instead of {}",
            o.shards.unwrap_or(0)
        );
    }
    let dir = sweep_dir(given_out.as_deref(), given_resume.as_deref())?;
    let sdir = dir.join("slurm");
    std::fs::create_dir_all(&sdir).map_err(|e| TaskError::run(format!("cannot create {}: {e}", sdir.display())))?;
    let root = absolute(Path::new("."))?;
    let jobs = Jobs {
        o: &o,
        root: root.canonicalize().unwrap_or(root),
        bin_dir: &bin_dir,
        dir: &dir,
        sdir: &sdir,
        shards,
        cpus,
    };
    let shards_script = sdir.join("shards.sbatch");
    let merge_script = sdir.join("merge.sbatch");
    for (path, lines) in [
        (&shards_script, jobs.shards_script(&rest)),
        (&merge_script, jobs.merge_script()),
    ] {
        std::fs::write(path, lines.join("\n") + "\n")
            .map_err(|e| TaskError::run(format!("cannot write {}: {e}", path.display())))?;
    }
    eprintln!(
        "sweep: {points} points in {shards} shards (array {}, {cpus} core(s) per task) into {}",
        jobs.array(),
        dir.display()
    );
    if o.print_only {
        print_jobs(&shards_script, &merge_script);
        return Ok(());
    }
    submit_jobs(&shards_script, &merge_script, shards, &dir, &sdir)
}

/// Cores per task: `--cpus-per-task`, else the sweep's `--jobs`, else 1.
fn cpus_per_task(given: Option<usize>, jobs: Option<String>) -> Result<usize, TaskError> {
    Ok(match (given, jobs) {
        (Some(c), _) => c,
        (None, Some(j)) => j
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| usage(format!("--jobs {j:?}: give a whole number, at least 1")))?,
        (None, None) => 1,
    })
}

/// Builds the release binaries the jobs run, once, here; their folder (absolute).
fn build_binaries() -> Result<PathBuf, TaskError> {
    let gmp = crate::tasks::gmp_or_warn();
    let mut build = Command::new("cargo");
    build.args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "dsmpc-bench",
        "-p",
        "dsmpc-reports",
        "-p",
        "dsmpc-net",
        "--bins",
    ]);
    if gmp {
        build.args(["--features", "dsmpc-bench/gmp"]);
    }
    crate::tasks::run(&mut build).map_err(TaskError::run)?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let bin_dir = absolute(&target.join("release"))?;
    for b in ["dsmpc-sweep", "dsmpc-merge", "dsmpc-reports"] {
        if !bin_dir.join(b).exists() {
            return Err(TaskError::run(format!(
                "the build did not produce {} (is CARGO_TARGET_DIR the target folder cargo used?)",
                bin_dir.join(b).display()
            )));
        }
    }
    Ok(bin_dir)
}

/// Checks the grid `sweep_args` describe and counts its points (`dsmpc-sweep --dry-run`), before
/// anything is submitted.
fn count_points(sweep_bin: &Path, sweep_args: &[String]) -> Result<usize, TaskError> {
    let dry = Command::new(sweep_bin)
        .args(sweep_args)
        .arg("--dry-run")
        .output()
        .map_err(|e| TaskError::run(format!("cannot run {}: {e}", sweep_bin.display())))?;
    if !dry.status.success() {
        return Err(TaskError::usage(format!(
            "the sweep options were refused: {}",
            String::from_utf8_lossy(&dry.stderr).trim()
        )));
    }
    let stdout = String::from_utf8_lossy(&dry.stdout);
    stdout
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| TaskError::run(format!("cannot read the number of points from: {stdout}")))
}

/// The sweep folder (absolute): `--out` or `--resume`, else `results/slurm-<UTC time>`. A new
/// sweep's folder must be empty but for the scripts of an earlier `--print-only`.
fn sweep_dir(given_out: Option<&str>, given_resume: Option<&str>) -> Result<PathBuf, TaskError> {
    let dir = match given_out.or(given_resume) {
        Some(d) => absolute(Path::new(d))?,
        None => absolute(&Path::new("results").join(format!("slurm-{}", utc_stamp())))?,
    };
    if given_resume.is_none() {
        let busy = std::fs::read_dir(&dir).is_ok_and(|r| r.flatten().any(|e| e.file_name() != "slurm"));
        if busy {
            return Err(TaskError::usage(format!(
                "{} is not empty: to resubmit that sweep's unfinished shards use --resume {}, or choose another --out",
                dir.display(),
                dir.display()
            )));
        }
    }
    Ok(dir)
}

/// What the two job scripts are written from.
struct Jobs<'a> {
    o: &'a SlurmOptions,
    /// The checkout the jobs run in.
    root: PathBuf,
    bin_dir: &'a Path,
    dir: &'a Path,
    /// `DIR/slurm/`: the scripts and the jobs' output.
    sdir: &'a Path,
    shards: usize,
    cpus: usize,
}

impl Jobs<'_> {
    fn q(p: &Path) -> String {
        quote(&p.display().to_string())
    }

    /// `--array=` of the shards' job.
    fn array(&self) -> String {
        match self.o.max_parallel {
            Some(k) => format!("1-{}%{k}", self.shards),
            None => format!("1-{}", self.shards),
        }
    }

    /// The array job: task I runs shard I of N (continuing it if it was started before).
    fn shards_script(&self, sweep_args: &[String]) -> Vec<String> {
        let q = Self::q;
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        // The revision the binaries were built from, recorded by every shard even if the checkout
        // moves on while the jobs wait.
        let rev = git_rev();
        let sweep_cmd: Vec<String> = std::iter::once(q(&self.bin_dir.join("dsmpc-sweep")))
            .chain(sweep_args.iter().map(|a| quote(a)))
            .chain([
                "--resume".into(),
                q(self.dir),
                "--shard".into(),
                format!("auto/{}", self.shards),
                "--jobs".into(),
                self.cpus.to_string(),
                "--no-progress".into(),
            ])
            .collect();
        let mut s = vec![
            "#!/bin/bash".to_string(),
            "#SBATCH --job-name=dsmpc-sweep".into(),
            format!("#SBATCH --array={}", self.array()),
            "#SBATCH --ntasks=1".into(),
            format!("#SBATCH --cpus-per-task={}", self.cpus),
            format!("#SBATCH --output={}", q(&self.sdir.join("shard-%a.out"))),
        ];
        sbatch_header(&mut s, self.o);
        s.extend([
            format!(
                "# Written by `cargo xtask sweep --slurm` on {} at {}: task I runs shard I of {} of the",
                host.trim(),
                utc_stamp(),
                self.shards
            ),
            "# sweep into DIR/shard-I-of-N/ (continuing it if it was started before). Resubmit one failed".into(),
            "# task with: sbatch --array=I <this file>".into(),
            "set -euo pipefail".into(),
            format!("cd {}", q(&self.root)),
            format!("export DSMPC_GIT_REV={}", quote(&rev)),
            format!("exec {}", sweep_cmd.join(" ")),
        ]);
        s
    }

    /// The merge job, run after every task of the array succeeded.
    fn merge_script(&self) -> Vec<String> {
        let q = Self::q;
        let mut m = vec![
            "#!/bin/bash".to_string(),
            "#SBATCH --job-name=dsmpc-merge".into(),
            "#SBATCH --ntasks=1".into(),
            "#SBATCH --cpus-per-task=1".into(),
            format!("#SBATCH --output={}", q(&self.sdir.join("merge.out"))),
        ];
        sbatch_header(&mut m, self.o);
        m.extend([
            "# Runs after every task of the shards' array succeeded: checks and joins the shards, then".into(),
            "# draws the figures and writes report.md (what `cargo xtask merge DIR` does).".into(),
            "set -euo pipefail".into(),
            format!("cd {}", q(&self.root)),
            format!("{} {}", q(&self.bin_dir.join("dsmpc-merge")), q(self.dir)),
            format!(
                "{} report --from {}",
                q(&self.bin_dir.join("dsmpc-reports")),
                q(self.dir)
            ),
        ]);
        m
    }
}

/// `--print-only`: the scripts and the commands that would submit them.
fn print_jobs(shards_script: &Path, merge_script: &Path) {
    let q = |p: &Path| quote(&p.display().to_string());
    for path in [shards_script, merge_script] {
        println!("### {}", path.display());
        print!("{}", std::fs::read_to_string(path).unwrap_or_default());
    }
    let first = format!("sbatch --parsable {}", q(shards_script));
    let second = format!(
        "sbatch --parsable --dependency=afterok:$ARRAY_JOB --kill-on-invalid-dep=yes {}",
        q(merge_script)
    );
    println!("### submit with:\nARRAY_JOB=$({first} | cut -d';' -f1)\n{second}");
}

/// One `sbatch --parsable ...`: the job id.
fn sbatch(args: &[String]) -> Result<String, TaskError> {
    eprintln!("+ sbatch {}", args.join(" "));
    let out = Command::new("sbatch").args(args).output().map_err(|e| {
        TaskError::run(format!(
            "cannot run sbatch ({e}): is this a Slurm submit host? (--print-only writes the scripts without submitting)"
        ))
    })?;
    if !out.status.success() {
        return Err(TaskError::run(format!(
            "sbatch failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let id = String::from_utf8_lossy(&out.stdout);
    let id = id.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        return Err(TaskError::run(format!("sbatch printed no job id: {:?}", id)));
    }
    Ok(id)
}

/// Submits the array job, then the merge job depending on it, and says where to look.
fn submit_jobs(
    shards_script: &Path,
    merge_script: &Path,
    shards: usize,
    dir: &Path,
    sdir: &Path,
) -> Result<(), TaskError> {
    let array_job = sbatch(&["--parsable".into(), shards_script.display().to_string()])?;
    let merge_job = sbatch(&[
        "--parsable".into(),
        format!("--dependency=afterok:{array_job}"),
        "--kill-on-invalid-dep=yes".into(),
        merge_script.display().to_string(),
    ])?;
    println!("array job {array_job} ({shards} tasks, one per shard)");
    println!("merge job {merge_job} (runs when all tasks succeeded)");
    println!("results:   {}/ (report.md, figures/, the merged CSVs)", dir.display());
    println!("logs:      {}/ (shard-I.out, merge.out)", sdir.display());
    println!("watch:     squeue -j {array_job},{merge_job}");
    println!(
        "if a task fails, the merge job is cancelled: resubmit it with `sbatch --array=I {}`, then run `cargo xtask merge {}`",
        shards_script.display(),
        dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_split_from_the_sweeps() {
        let (o, _, rest) = parse(&strings(&[
            "--slurm",
            "--preset",
            "paper",
            "--shards=16",
            "--partition",
            "long",
            "--max-parallel",
            "4",
            "--time",
            "2:00:00",
            "--sbatch-arg=--account=x",
            "--print-only",
            "--reps",
            "2",
        ]))
        .unwrap();
        assert_eq!(rest, strings(&["--preset", "paper", "--reps", "2"]));
        assert_eq!(o.shards, Some(16));
        assert_eq!(o.partition.as_deref(), Some("long"));
        assert_eq!(o.max_parallel, Some(4));
        assert_eq!(o.time.as_deref(), Some("2:00:00"));
        assert_eq!(o.sbatch_args, strings(&["--account=x"]));
        assert!(o.print_only);
        for bad in [
            &["--slurm", "--shards", "0"][..],
            &["--slurm", "--max-parallel", "many"],
            &["--slurm", "--time", "2 hours"],
            &["--slurm", "--partition"],
            &["--slurm", "--shard", "1/2"],
            &["--slurm", "--dry-run"],
        ] {
            let e = parse(&strings(bad)).unwrap_err();
            assert_eq!(e.code, 2, "{bad:?}");
        }
    }

    #[test]
    fn words_are_quoted_for_bash() {
        assert_eq!(quote("--dps=10,20"), "--dps=10,20");
        assert_eq!(quote("/a b/c"), "'/a b/c'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
