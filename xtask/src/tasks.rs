//! The tasks: each builds a cargo command line and runs it, echoing it first so a user can
//! run the same thing by hand.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::gmp;

/// Change to the workspace root (the parent of this crate's manifest directory).
pub fn to_project_root() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?;
    std::env::set_current_dir(root).map_err(|e| format!("cannot enter {}: {e}", root.display()))
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let shown: Vec<String> = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    eprintln!("+ {}", shown.join(" "));
    let status = cmd.status().map_err(|e| format!("cannot run {}: {e}", shown[0]))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", shown.join(" ")))
    }
}

fn features(gmp: bool) -> Vec<&'static str> {
    if gmp { vec!["--features", "gmp"] } else { vec![] }
}

fn gmp_or_warn() -> bool {
    let ok = gmp::available();
    if !ok {
        eprintln!("note: {}", gmp::HOW_TO_ENABLE);
    }
    ok
}

/// `cargo xtask test`.
pub fn test(args: &[String]) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["test", "--workspace"]);
    if gmp_or_warn() {
        cmd.arg("--all-features");
    } else {
        eprintln!("note: testing the num backend only");
    }
    cmd.args(args);
    run(&mut cmd)
}

fn value_of(args: &[String], flag: &str) -> Option<String> {
    let eq = format!("{flag}=");
    args.iter().enumerate().find_map(|(i, a)| {
        if a == flag {
            args.get(i + 1).cloned()
        } else {
            a.strip_prefix(&eq).map(str::to_string)
        }
    })
}

fn timestamp_dir() -> PathBuf {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    // UTC yyyymmdd-hhmmss without a date library.
    let days = secs / 86_400;
    let sod = secs % 86_400;
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    PathBuf::from("results").join(format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    ))
}

fn sweep_cmd(gmp: bool) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "dsmpc-bench",
        "--bin",
        "dsmpc-sweep",
    ]);
    cmd.args(features(gmp));
    cmd.arg("--");
    cmd
}

fn reports(sub: &str, dir: &Path) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "dsmpc-reports",
        "--",
        sub,
        "--from",
    ]);
    cmd.arg(dir);
    run(&mut cmd)
}

/// `cargo xtask sweep`.
pub fn sweep(args: &[String]) -> Result<(), String> {
    let gmp = gmp_or_warn();
    let mut cmd = sweep_cmd(gmp);
    cmd.args(args);
    if args
        .iter()
        .any(|a| a == "--help" || a == "-h" || a == "--list-presets" || a == "--dry-run")
    {
        return run(&mut cmd);
    }
    let dir = match value_of(args, "--out").or_else(|| value_of(args, "--resume")) {
        Some(d) => PathBuf::from(d),
        None => {
            let d = timestamp_dir();
            cmd.arg("--out").arg(&d);
            d
        }
    };
    run(&mut cmd)?;
    // `report` draws the figures first, then writes report.md.
    reports("report", &dir)?;
    eprintln!(
        "\nsweep done: {}/ (phases.csv, messages.csv, units.csv, meta.json, figures/, report.md)",
        dir.display()
    );
    Ok(())
}

/// `cargo xtask figures|report --from DIR`.
pub fn reports_cmd(sub: &str, args: &[String]) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["run", "--quiet", "--release", "-p", "dsmpc-reports", "--", sub]);
    cmd.args(args);
    run(&mut cmd)
}

/// `cargo xtask regress`.
pub fn regress(args: &[String]) -> Result<(), String> {
    let gmp = gmp_or_warn();
    let baseline = PathBuf::from("reports/baselines/current");
    let save = args.iter().any(|a| a == "--save");
    let dir = PathBuf::from("target/regress").join(timestamp_dir().file_name().unwrap_or_default());
    let mut cmd = sweep_cmd(gmp);
    cmd.args(["--grid", "reports/baselines/grid.toml", "--jobs", "1", "--out"])
        .arg(&dir);
    run(&mut cmd)?;
    let mut cmd = Command::new("cargo");
    cmd.args(["run", "--quiet", "--release", "-p", "dsmpc-reports", "--"]);
    if save {
        cmd.args(["save-baseline", "--from"])
            .arg(&dir)
            .arg("--to")
            .arg(&baseline);
    } else {
        cmd.args(["compare", "--baseline"])
            .arg(&baseline)
            .arg("--current")
            .arg(&dir);
        cmd.args(args.iter().filter(|a| *a != "--save"));
    }
    run(&mut cmd)
}
