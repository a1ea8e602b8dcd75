//! The JSON Lines protocol log, in the reference prototype's shape.
//!
//! One line per message, `{"ts", "src", "dst", "bytes"}` plus `kind` and `payload_bytes`, and
//! one line per finished phase, `{"ts", "src": "", "dst": "", "bytes": 0, "phase", "duration"}`
//! plus the per-instance figures and op counts. Party names are the reference's: `Cloud`,
//! `CP(VID=j)`, `DP{d}`, `CP(i=i)`, `Edge`. Phase names carry the reference's `_done` suffix
//! (total duration), and the Cloud's per-request check is also logged as
//! `party_auth_verify_one` (the average), as the reference does.
//!
//! Each detection (a refused candidate, an ignored replay, a rejected share, an excluded DP, a
//! skipped result) is a line `{"ts", "src": "", "dst": "", "bytes": 0, "event", "by",
//! "subject", "reason"}`, with `event` one of `not_selected`, `ignored`, `rejected`,
//! `excluded`, `skipped`, `silent`.
//!
//! A session that gave an outcome ends with one line `{"ts", "src": "", "dst": "", "bytes": 0,
//! "result": {...}}` ([`JsonlLog::result`]): what its caller records of the result (in
//! `dsmpc run`: the function, its dimension, the decoded result or, for long vectors, its first
//! coordinates and length, and whether it matched the plaintext).
//!
//! The log is written to `FILE.partial` beside its target and renamed to `FILE` only when the
//! run succeeds; a failed run leaves `FILE.failed` ending in an `{"error": ...}` line, never a
//! file that looks complete. The target is checked before the run ([`JsonlLog::create`]): its
//! directory must exist, and `FILE` must be new or a writable regular file (not a directory, a
//! device, a FIFO, a socket or a symbolic link); only a regular file is ever written or
//! replaced, and a refused target (exit code 2) leaves nothing behind.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use crate::error::{Result, RolesError};
use crate::event::Detection;
use crate::metrics::{Phase, PhaseStats};
use crate::wire::MessageKind;

/// Receives the events of a run.
pub trait EventSink {
    /// A message was sent.
    fn message(&mut self, src: &str, dst: &str, kind: MessageKind, bytes: usize, payload_bytes: usize);
    /// A phase finished.
    fn phase(&mut self, stats: &PhaseStats);
    /// A party detected a fault (see [`crate::adversary`]).
    fn detection(&mut self, _d: &Detection) {}
}

/// Current UTC time as `YYYY-MM-DDTHH:MM:SS.mmm+00:00`.
pub fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format_rfc3339_ms(now.as_secs() as i64, now.subsec_millis())
}

/// Unix seconds and milliseconds as RFC 3339 with a `+00:00` offset.
pub fn format_rfc3339_ms(secs: i64, ms: u32) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    // Civil from days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}+00:00",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// A JSON Lines log file.
pub struct JsonlLog {
    path: PathBuf,
    partial: PathBuf,
    out: BufWriter<File>,
    error: Option<std::io::Error>,
}

impl JsonlLog {
    /// Start a log that will become `path` when [`JsonlLog::finish`] is called, after checking
    /// the target ([`RolesError::LogTarget`] if it cannot be a log: nothing is then written).
    pub fn create(path: &Path) -> Result<Self> {
        check_target(path)?;
        let partial = sibling(path, "partial");
        let refuse = |reason: String| RolesError::LogTarget {
            path: path.display().to_string(),
            reason,
        };
        // A `.partial` left by a killed run is replaced only if it is a regular file.
        match std::fs::symlink_metadata(&partial) {
            Ok(m) if m.file_type().is_file() => std::fs::remove_file(&partial)
                .map_err(|e| refuse(format!("cannot remove the stale {}: {e}", partial.display())))?,
            Ok(_) => {
                return Err(refuse(format!(
                    "{} exists and is not a regular file",
                    partial.display()
                )));
            }
            Err(_) => {}
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)
            .map_err(|e| refuse(format!("cannot create {} beside it: {e}", partial.display())))?;
        Ok(JsonlLog {
            path: path.to_path_buf(),
            partial,
            out: BufWriter::new(file),
            error: None,
        })
    }

    fn line(&mut self, v: Value) {
        if self.error.is_none()
            && let Err(e) = writeln!(self.out, "{v}")
        {
            self.error = Some(e);
        }
    }

    /// The session's result, as one line whose `result` is `result`.
    pub fn result(&mut self, result: Value) {
        self.line(json!({"ts": timestamp(), "src": "", "dst": "", "bytes": 0, "result": result}));
    }

    /// The run succeeded: flush and move the log into place.
    pub fn finish(mut self) -> Result<PathBuf> {
        let io = |source, p: &Path| RolesError::Io {
            path: p.display().to_string(),
            source,
        };
        if let Some(e) = self.error.take() {
            return Err(io(e, &self.partial));
        }
        self.out.flush().map_err(|e| io(e, &self.partial))?;
        // The target may have changed during the run: still only a regular file is replaced.
        if let Err(e) = check_target(&self.path) {
            let _ = std::fs::remove_file(&self.partial);
            return Err(e);
        }
        std::fs::rename(&self.partial, &self.path).map_err(|e| io(e, &self.path))?;
        Ok(self.path)
    }

    /// The run failed: end the log with the error and leave it as `FILE.failed`.
    pub fn fail(mut self, error: &str) -> PathBuf {
        self.line(json!({"ts": timestamp(), "src": "", "dst": "", "bytes": 0, "error": error}));
        let _ = self.out.flush();
        let failed = sibling(&self.path, "failed");
        if std::fs::rename(&self.partial, &failed).is_err() {
            let _ = std::fs::remove_file(&self.partial);
        }
        failed
    }
}

/// Whether `path` can be a log: its directory exists, and it is new or a writable regular file.
pub fn check_target(path: &Path) -> Result<()> {
    let refuse = |reason: String| {
        Err(RolesError::LogTarget {
            path: path.display().to_string(),
            reason,
        })
    };
    if path.file_name().is_none() {
        return refuse("names no file".into());
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return refuse(format!("{} is not a directory", dir.display())),
        Err(e) => return refuse(format!("directory {}: {e}", dir.display())),
    }
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => refuse(e.to_string()),
        Ok(m) => {
            let t = m.file_type();
            if t.is_symlink() {
                refuse("is a symbolic link; give the file itself".into())
            } else if t.is_dir() {
                refuse("is a directory; give a file name".into())
            } else if !t.is_file() {
                refuse("is not a regular file (a device, FIFO or socket); only regular files are written".into())
            } else if m.permissions().readonly() {
                refuse("is read-only".into())
            } else {
                Ok(())
            }
        }
    }
}

fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

impl EventSink for JsonlLog {
    fn message(&mut self, src: &str, dst: &str, kind: MessageKind, bytes: usize, payload_bytes: usize) {
        self.line(json!({
            "ts": timestamp(), "src": src, "dst": dst, "bytes": bytes,
            "kind": kind.name(), "payload_bytes": payload_bytes,
        }));
    }

    fn detection(&mut self, d: &Detection) {
        self.line(json!({
            "ts": timestamp(), "src": "", "dst": "", "bytes": 0,
            "event": d.action.name(), "by": d.by, "subject": d.subject, "reason": d.reason,
        }));
    }

    fn phase(&mut self, s: &PhaseStats) {
        let ops: Map<String, Value> = s
            .ops
            .iter()
            .filter(|(_, c)| *c > 0)
            .map(|(o, c)| (o.name().to_string(), json!(c)))
            .collect();
        if s.phase == Phase::PartyAuthVerify {
            self.line(json!({
                "ts": timestamp(), "src": "", "dst": "", "bytes": 0,
                "phase": "party_auth_verify_one", "duration": s.work_wall_s / s.instances.max(1) as f64,
            }));
        }
        self.line(json!({
            "ts": timestamp(), "src": "", "dst": "", "bytes": 0,
            "phase": format!("{}_done", s.phase.name()), "duration": s.work_wall_s,
            "instances": s.instances, "work_cpu_s": s.work_cpu_s, "max_cpu_s": s.max_cpu_s,
            "max_wall_s": s.max_wall_s, "ops": ops,
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::format_rfc3339_ms;

    #[test]
    fn rfc3339_matches_known_instants() {
        assert_eq!(format_rfc3339_ms(0, 0), "1970-01-01T00:00:00.000+00:00");
        assert_eq!(format_rfc3339_ms(1_766_031_644, 830), "2025-12-18T04:20:44.830+00:00");
        assert_eq!(format_rfc3339_ms(951_782_400, 5), "2000-02-29T00:00:00.005+00:00");
    }
}
