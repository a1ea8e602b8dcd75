//! The toolbox of the xtask tasks: git (in the repository or a worktree), building a
//! revision's or the work tree's `dsmpc-sweep`, running a grid with it (timed, or under
//! callgrind for instruction counts), and calling the `dsmpc-perf` binary. `regress`,
//! `history`, `icount-model` and `regress-validate` use it; it uses no task.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use dsmpc_schema::{ICOUNT_FILE, IcountRow, callgrind};

use crate::TaskError;
use crate::tasks::run;

pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

pub(crate) fn root() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The full sha of `rev`, or why it cannot be had.
pub(crate) fn resolve(dir: &Path, rev: &str) -> Result<String, String> {
    git(dir, &["rev-parse", "--verify", "--quiet", &format!("{rev}^{{commit}}")])
        .map_err(|_| format!("revision {rev:?} is not in this clone"))
}

/// Build `dsmpc-sweep` from the source tree `src` (release, `target/` shared) and copy it to
/// `target/regress/builds/<key>/dsmpc-sweep`; with `cache`, an existing copy is reused.
pub(crate) fn build_sweep(src: &Path, key: &str, cache: bool, gmp: bool) -> Result<PathBuf, String> {
    let dir = root().join("target/regress/builds").join(key);
    let bin = dir.join("dsmpc-sweep");
    if cache && bin.exists() {
        eprintln!("regress: using the cached build {}", bin.display());
        return Ok(bin);
    }
    build_sweep_into(src, &dir, gmp)
}

/// Build `dsmpc-sweep` from the source tree `src` (release, `target/` shared) and copy it to
/// `dir/dsmpc-sweep`.
pub(crate) fn build_sweep_into(src: &Path, dir: &Path, gmp: bool) -> Result<PathBuf, String> {
    let bin = dir.join("dsmpc-sweep");
    let mut cmd = Command::new("cargo");
    cmd.current_dir(src)
        .env("CARGO_TARGET_DIR", root().join("target"))
        .args([
            "build",
            "--release",
            "-p",
            "dsmpc-bench",
            "--bin",
            "dsmpc-sweep",
            "--message-format=json-render-diagnostics",
        ]);
    if gmp {
        cmd.args(["--features", "gmp"]);
    }
    eprintln!(
        "+ (in {}) cargo build --release -p dsmpc-bench --bin dsmpc-sweep",
        src.display()
    );
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("building dsmpc-sweep in {} failed", src.display()));
    }
    // The artifact message of the binary names its executable.
    let text = String::from_utf8_lossy(&out.stdout);
    let exe = text
        .lines()
        .filter(|l| l.contains("\"executable\":\"") && l.contains("dsmpc-sweep"))
        .filter_map(|l| {
            let start = l.find("\"executable\":\"")? + "\"executable\":\"".len();
            let end = l[start..].find('"')? + start;
            Some(PathBuf::from(&l[start..end]))
        })
        .next_back()
        .ok_or("cargo did not name the dsmpc-sweep executable")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::copy(&exe, &bin).map_err(|e| format!("cannot copy {} to {}: {e}", exe.display(), bin.display()))?;
    Ok(bin)
}

/// Build revision `sha` in a temporary worktree (cached per revision).
pub(crate) fn build_revision(sha: &str, gmp: bool) -> Result<PathBuf, String> {
    let bins = root().join("target/regress/builds").join(sha);
    let src = root().join("target/regress/src").join(sha);
    build_revision_in(sha, &bins, &src, gmp)
}

/// Build revision `sha` in a temporary git worktree `src` into `bins/dsmpc-sweep`, unless that
/// binary is already there.
pub(crate) fn build_revision_in(sha: &str, bins: &Path, src: &Path, gmp: bool) -> Result<PathBuf, String> {
    let cached = bins.join("dsmpc-sweep");
    if cached.exists() {
        eprintln!(
            "using the cached build of {} ({})",
            &sha[..12.min(sha.len())],
            cached.display()
        );
        return Ok(cached);
    }
    if src.exists() {
        let _ = git(&root(), &["worktree", "remove", "--force", &src.to_string_lossy()]);
        let _ = std::fs::remove_dir_all(src);
    }
    let _ = git(&root(), &["worktree", "prune"]);
    git(
        &root(),
        &["worktree", "add", "--detach", "--force", &src.to_string_lossy(), sha],
    )?;
    let built = build_sweep_into(src, bins, gmp);
    let _ = git(&root(), &["worktree", "remove", "--force", &src.to_string_lossy()]);
    built
}

fn sweep_args(cmd: &mut Command, grid: &Path, out: &Path) {
    cmd.arg("--grid")
        .arg(grid)
        .args([
            "--reps",
            "1",
            "--jobs",
            "1",
            "--quick-calibration",
            "--no-progress",
            "--out",
        ])
        .arg(out)
        .stdout(Stdio::null());
}

/// One interleaved time run of `bin` into `out`.
pub(crate) fn time_run(bin: &Path, grid: &Path, out: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(out);
    let mut cmd = Command::new(bin);
    sweep_args(&mut cmd, grid, out);
    run(&mut cmd)
}

/// Start `bin` on the instruction grid under callgrind, dumps into `out/cg/`.
pub(crate) fn start_icount(bin: &Path, grid: &Path, out: &Path) -> Result<Child, String> {
    let _ = std::fs::remove_dir_all(out);
    let cg = out.join("cg");
    std::fs::create_dir_all(&cg).map_err(|e| format!("cannot create {}: {e}", cg.display()))?;
    let mut cmd = Command::new("valgrind");
    cmd.args(["--tool=callgrind", "--dump-instr=no", "--dump-line=no"])
        .arg(format!("--log-file={}", out.join("valgrind.log").display()))
        .arg(format!("--callgrind-out-file={}/callgrind.out.%p", cg.display()))
        .arg(bin);
    sweep_args(&mut cmd, grid, &out.join("sweep"));
    cmd.args(["--session-threads", "1"]);
    eprintln!(
        "+ valgrind --tool=callgrind ... {} (log {})",
        bin.display(),
        out.join("valgrind.log").display()
    );
    cmd.spawn().map_err(|e| format!("cannot run valgrind: {e}"))
}

/// Sum the callgrind dumps in `out/cg/` per phase label into `out/icount.csv`, then delete them.
fn collect_icount(out: &Path) -> Result<(), String> {
    let cg = out.join("cg");
    let entries = std::fs::read_dir(&cg).map_err(|e| format!("cannot read {}: {e}", cg.display()))?;
    let mut dumps = vec![];
    for e in entries.flatten() {
        let path = e.path();
        let text = std::fs::read_to_string(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        dumps.push(callgrind::parse_dump(&text).map_err(|err| format!("{}: {err}", path.display()))?);
    }
    let rows = IcountRow::from_sums(&callgrind::phase_sums(&dumps));
    let path = out.join(ICOUNT_FILE);
    let csv = IcountRow::write_all(&rows).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    std::fs::write(&path, csv).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let _ = std::fs::remove_dir_all(&cg);
    Ok(())
}

/// Run `bins` (label, binary) under callgrind at the same time into `dir/<label>/icount-<i>`.
pub(crate) fn icount_runs(bins: &[(&str, &Path)], grid: &Path, dir: &Path, i: usize) -> Result<(), String> {
    let jobs: Vec<(&Path, &Path, PathBuf)> = bins
        .iter()
        .map(|(label, bin)| (*bin, grid, dir.join(label).join(format!("icount-{i}"))))
        .collect();
    icount_jobs(&jobs)
}

/// Run each (binary, grid, output folder) under callgrind, all at the same time, and sum each
/// run's dumps into `<output folder>/icount.csv`.
pub(crate) fn icount_jobs(jobs: &[(&Path, &Path, PathBuf)]) -> Result<(), String> {
    let mut children = vec![];
    for (bin, grid, out) in jobs {
        children.push((out.clone(), start_icount(bin, grid, out)?));
    }
    for (out, mut child) in children {
        let status = child.wait().map_err(|e| format!("valgrind: {e}"))?;
        if !status.success() {
            return Err(format!(
                "the callgrind run into {} failed ({status}); see its valgrind.log",
                out.display()
            ));
        }
        collect_icount(&out)?;
    }
    Ok(())
}

pub(crate) fn valgrind_available() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `cargo run` of the current tree's `dsmpc-perf` (the judge) with `args`.
pub(crate) fn perf_bin(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root())
        .args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "dsmpc-perf",
            "--bin",
            "dsmpc-perf",
            "--",
        ])
        .args(args);
    cmd
}

/// The exit status of a command of ours as a task result (2 = bad input, 1 = failure).
pub(crate) fn status_of(cmd: &mut Command, what: &str) -> Result<(), TaskError> {
    let status = cmd
        .status()
        .map_err(|e| TaskError::run(format!("cannot run {what}: {e}")))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(2) => Err(TaskError::usage(format!("{what} refused its input (see above)"))),
        _ => Err(TaskError::run(format!("{what}: see above"))),
    }
}
