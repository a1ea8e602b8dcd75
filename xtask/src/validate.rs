//! `cargo xtask regress-validate`: does `regress` catch real slowdowns, and only where they are?
//!
//! For each case a scratch worktree of `HEAD` (in `target/regress/validate/src`) gets a small
//! patch to `roles/src/metrics.rs`, committed there; `regress` then runs that commit (the
//! candidate) against `HEAD` (the base) and the case passes when exactly the patched phase is
//! flagged SLOWER on the measure the patch targets, and no other phase on any measure:
//!
//! - `cpu15:<phase>`: every measured stretch of the phase spins for 15% more thread CPU time
//!   (for each of the three phases with the most work in the regression grid);
//! - `ir3:<phase>`: every stretch of the phase runs a fixed loop of arithmetic worth about 3%
//!   of its instructions (and well under the time threshold).
//!
//! The verdicts and a summary go to `target/regress/validate/summary.md`.

use std::path::{Path, PathBuf};

use crate::TaskError;
use crate::regress::{self, Options};
use crate::tasks::gmp_or_warn;
use crate::tools::{git, resolve};

/// `cargo xtask regress-validate --help`.
pub const HELP: &str = "\
cargo xtask regress-validate [--case NAME].. [--pairs N] [--icount-runs N]

Commit real slowdowns in a scratch worktree of HEAD and check that `cargo xtask regress` (base HEAD)
flags the patched phase and no other. Cases (default: all):
  cpu15:cp_decrypt_pvss_verify_local_compute, cpu15:share_encrypt_pvss_attach, cpu15:edge_reconstruct
                          15% more CPU time in the phase (caught by the time measure)
  ir3:edge_reconstruct    about 3% more instructions in the phase (caught by the instruction counts)
Needs a clean HEAD that has the per-phase instruction counts. Writes target/regress/validate/summary.md.
Exit status 0 when every case is caught as expected, 1 otherwise.
";

/// The three phases with the most work in the regression grid, then the instruction case.
const CASES: [&str; 4] = [
    "cpu15:cp_decrypt_pvss_verify_local_compute",
    "cpu15:share_encrypt_pvss_attach",
    "cpu15:edge_reconstruct",
    "ir3:edge_reconstruct",
];

/// Variant names of `metrics::Phase`, by phase name.
fn variant(phase: &str) -> Option<&'static str> {
    Some(match phase {
        "cp_auth_request" => "CpAuthRequest",
        "party_auth_verify" => "PartyAuthVerify",
        "cp_index_decrypt" => "CpIndexDecrypt",
        "share_encrypt_pvss_attach" => "ShareEncryptPvssAttach",
        "cp_decrypt_pvss_verify_local_compute" => "CpDecryptPvssVerifyLocalCompute",
        "dp_set_agreement" => "DpSetAgreement",
        "cp_result_encrypt" => "CpResultEncrypt",
        "edge_reconstruct" => "EdgeReconstruct",
        _ => return None,
    })
}

/// The code inserted at the start of `Stopwatch::stop` (before the stretch ends).
fn patch(kind: &str, phase: &str) -> Option<String> {
    let v = variant(phase)?;
    Some(match kind {
        "cpu15" => format!(
            "        if phase == Phase::{v} {{
            let spent = thread_cpu_seconds() - self.cpu;
            let until = thread_cpu_seconds() + 0.15 * spent;
            while thread_cpu_seconds() < until {{
                std::hint::spin_loop();
            }}
        }}
"
        ),
        "ir3" => format!(
            "        if phase == Phase::{v} {{
            let mut x = std::hint::black_box(1u64);
            for i in 0..39_000u64 {{
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
            }}
            std::hint::black_box(x);
        }}
"
        ),
        _ => return None,
    })
}

const ANCHOR: &str = "    pub fn stop(self, phase: Phase) -> Sample {\n";

/// Which (phase, measure) pairs a case's `verdicts.csv` flags SLOWER.
fn flagged(verdicts: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(verdicts).map_err(|e| format!("{}: {e}", verdicts.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c.len() == 8 && c[7] == "SLOWER").then(|| (c[0].to_string(), c[1].to_string()))
        })
        .collect())
}

fn ratio_of(verdicts: &Path, phase: &str, measure: &str) -> String {
    std::fs::read_to_string(verdicts)
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                (c.len() == 8 && c[0] == phase && c[1] == measure).then(|| {
                    c[4].parse::<f64>()
                        .map(|r| format!("{r:.4}"))
                        .unwrap_or_else(|_| "-".into())
                })
            })
        })
        .unwrap_or_else(|| "-".into())
}

/// The cases asked for (all of them when none is) and the run options.
fn parse(args: &[String]) -> Result<(Vec<String>, Options), TaskError> {
    let mut cases: Vec<String> = vec![];
    let mut opts = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--case" => cases.push(
                it.next()
                    .cloned()
                    .ok_or_else(|| TaskError::usage("--case needs a value".into()))?,
            ),
            "--pairs" => {
                opts.pairs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| TaskError::usage("--pairs needs a count".into()))?
            }
            "--icount-runs" => {
                opts.icount_runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| TaskError::usage("--icount-runs needs a count".into()))?
            }
            other => return Err(TaskError::usage(format!("unknown option {other:?}\n\n{HELP}"))),
        }
    }
    if cases.is_empty() {
        cases = CASES.iter().map(|s| s.to_string()).collect();
    }
    Ok((cases, opts))
}

/// A fresh scratch worktree `src` of `head` with `code` inserted at the start of
/// `Stopwatch::stop` and committed as `case`; returns the commit.
fn patched_worktree(root: &Path, src: &Path, head: &str, case: &str, code: &str) -> Result<String, TaskError> {
    let _ = git(root, &["worktree", "remove", "--force", &src.to_string_lossy()]);
    let _ = std::fs::remove_dir_all(src);
    let _ = git(root, &["worktree", "prune"]);
    git(
        root,
        &["worktree", "add", "--detach", "--force", &src.to_string_lossy(), head],
    )
    .map_err(TaskError::run)?;
    let file = src.join("roles/src/metrics.rs");
    let text = std::fs::read_to_string(&file).map_err(|e| TaskError::run(format!("{}: {e}", file.display())))?;
    if !text.contains(ANCHOR) {
        return Err(TaskError::run(format!(
            "{}: `Stopwatch::stop` not found",
            file.display()
        )));
    }
    std::fs::write(&file, text.replacen(ANCHOR, &format!("{ANCHOR}{code}"), 1))
        .map_err(|e| TaskError::run(e.to_string()))?;
    git(
        src,
        &[
            "-c",
            "user.name=regress-validate",
            "-c",
            "user.email=regress-validate@invalid",
            "commit",
            "--quiet",
            "-am",
            &format!("regress-validate: {case}"),
        ],
    )
    .map_err(TaskError::run)?;
    resolve(src, "HEAD").map_err(TaskError::run)
}

/// Whether case `kind:phase` was caught as expected, from the run's `verdicts.csv`, and its
/// line of the summary table.
fn judge_case(case: &str, kind: &str, phase: &str, verdicts: &Path) -> Result<(bool, String), TaskError> {
    let got = flagged(verdicts).map_err(TaskError::run)?;
    let measure = if kind == "cpu15" { "cpu_time" } else { "instructions" };
    // Caught: the phase on the targeted measure; nothing else flagged except the same
    // phase on the other measure (a spin loop also runs instructions).
    let caught = got.iter().any(|(p, m)| p == phase && m == measure) && got.iter().all(|(p, _)| p == phase);
    // The instruction case must be a small change, or it shows nothing about the threshold:
    // its ratio has to be about 3% (the loop is sized for the instruction grid; a grid that
    // changes the phase's size shows up here as a patch to resize).
    let ir = ratio_of(verdicts, phase, "instructions").parse::<f64>().ok();
    let sized = kind != "ir3" || ir.is_some_and(|r| (1.015..=1.06).contains(&r));
    let ok = caught && sized;
    let shown: Vec<String> = got.iter().map(|(p, m)| format!("{p} ({m})")).collect();
    let line = format!(
        "| {case} | {phase} ({measure}) | {} | {}, {} | {} |",
        if shown.is_empty() {
            "nothing".into()
        } else {
            shown.join(", ")
        },
        ratio_of(verdicts, phase, "instructions"),
        ratio_of(verdicts, phase, "cpu_time"),
        if ok {
            "caught"
        } else if caught {
            "caught, but the patch is not about 3% of the phase's instructions: resize its loop"
        } else {
            "NOT AS EXPECTED"
        }
    );
    Ok((ok, line))
}

/// `cargo xtask regress-validate`.
pub fn validate(args: &[String]) -> Result<(), TaskError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return Ok(());
    }
    let (cases, opts) = parse(args)?;
    let root = std::env::current_dir().map_err(|e| TaskError::run(e.to_string()))?;
    let head = resolve(&root, "HEAD").map_err(TaskError::run)?;
    let gmp = gmp_or_warn();
    let vdir = root.join("target/regress/validate");
    let src = vdir.join("src");
    let mut lines = vec![
        format!("regress-validate: base HEAD = {}", &head[..12]),
        String::new(),
        "| case | expected | flagged SLOWER | ratio of the patched phase (instructions, cpu time) | result |".into(),
        "|---|---|---|---|---|".into(),
    ];
    let mut all_ok = true;
    for case in &cases {
        let (kind, phase) = case
            .split_once(':')
            .ok_or_else(|| TaskError::usage(format!("case {case:?}: expected KIND:PHASE")))?;
        let code = patch(kind, phase).ok_or_else(|| TaskError::usage(format!("unknown case {case:?}\n\n{HELP}")))?;
        let cand = patched_worktree(&root, &src, &head, case, &code)?;
        let out = PathBuf::from("target/regress/validate").join(case.replace(':', "-"));
        let run_opts = Options {
            out: out.clone(),
            ..opts.clone()
        };
        eprintln!("\n=== regress-validate: {case}");
        let result = regress::ab(&run_opts, "HEAD", &head, &src, Some(&cand), gmp);
        let _ = git(&root, &["worktree", "remove", "--force", &src.to_string_lossy()]);
        if let Err(e) = &result
            && e.code == 2
        {
            return result;
        }
        let (ok, line) = judge_case(case, kind, phase, &root.join(&out).join("verdicts.csv"))?;
        all_ok &= ok;
        lines.push(line);
    }
    let summary = lines.join("\n") + "\n";
    std::fs::create_dir_all(&vdir).map_err(|e| TaskError::run(e.to_string()))?;
    std::fs::write(vdir.join("summary.md"), &summary).map_err(|e| TaskError::run(e.to_string()))?;
    println!("\n{summary}");
    if all_ok {
        Ok(())
    } else {
        Err(TaskError::run(
            "a case was not caught as expected (see the table)".into(),
        ))
    }
}
