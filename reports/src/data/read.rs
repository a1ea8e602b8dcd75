//! The readers of the four files of a sweep folder: `phases.csv` (including the older form
//! with a second `verify` column and files without the optional op columns), `messages.csv`,
//! `units.csv` and `meta.json`. Each checks that a point's rows carry the same parameters and
//! that no row is repeated.

use std::collections::HashMap;
use std::path::Path;

use super::table::Table;
use super::{MessageRow, Meta, OP_COLUMNS, OPTIONAL_OP_COLUMNS, Params, PhaseRow, SessionRow, UnitRow};
use crate::error::{Error, Result};

/// The point columns every file must have: the schema's, less `provider` (absent from files
/// written before the provider axis, read as `rustcrypto`), `net` (absent before the net
/// axis, read as `memory`), `group` (absent before the group axis, read as
/// `schnorr-<group_bits>`), `dim` and `func` (absent before vector inputs, read as 1 and `sum`).
fn param_columns() -> impl Iterator<Item = &'static str> {
    dsmpc_schema::PARAM_COLUMNS
        .into_iter()
        .filter(|c| !matches!(*c, "provider" | "net" | "group" | "dim" | "func"))
}

/// Checks that every row of one point carries the same parameters.
fn check_params(
    path: &Path,
    seen: &mut HashMap<String, (Params, u64)>,
    point: &str,
    params: &Params,
    line: u64,
) -> Result<()> {
    match seen.get(point) {
        Some((p, first)) if p != params => Err(Error::invalid(
            path,
            format!("line {line}: point `{point}` has different parameters than on line {first}"),
        )),
        Some(_) => Ok(()),
        None => {
            seen.insert(point.to_string(), (params.clone(), line));
            Ok(())
        }
    }
}

/// Reads `phases.csv`.
pub fn read_phases(path: &Path) -> Result<Vec<PhaseRow>> {
    let required: Vec<&str> = dsmpc_schema::PHASE_COLUMNS
        .iter()
        .copied()
        .chain(param_columns())
        .chain(OP_COLUMNS[..8].iter().copied())
        .collect();
    let table = Table::read(path, &required)?;
    let op_index = op_columns(path, &table)?;
    let mut out = Vec::with_capacity(table.records.len());
    let mut seen_params = HashMap::new();
    let mut seen_keys: HashMap<(String, u32, String), u64> = HashMap::new();
    for (line, rec) in &table.records {
        let r = table.row(*line, rec);
        let mut ops = [0u64; OP_COLUMNS.len()];
        for (slot, i) in ops.iter_mut().zip(&op_index) {
            if let Some(i) = i {
                *slot = r.u64_at(*i)?;
            }
        }
        let (ri, rv) = r.raw("rep");
        let rep = rv
            .parse::<u32>()
            .map_err(|_| r.err("rep", ri, rv, "a repetition index (non-negative integer)"))?;
        let row = PhaseRow {
            line: *line,
            point: r.text("point")?,
            rep,
            params: r.params()?,
            phase: r.text("phase")?,
            instances: r.u64("instances")?,
            work_cpu_s: r.seconds("work_cpu_s")?,
            work_wall_s: r.seconds("work_wall_s")?,
            max_cpu_s: r.seconds("max_cpu_s")?,
            max_wall_s: r.seconds("max_wall_s")?,
            bound_s: r.seconds("bound_s")?,
            overhead: r.opt_seconds("overhead")?,
            ops,
            jobs: r.u64("jobs")?,
            crate_version: r.text_or_empty("crate_version"),
            git_rev: r.text_or_empty("git_rev"),
            host_cpu: r.text_or_empty("host_cpu"),
            cores: r.u64("cores")?,
        };
        check_params(path, &mut seen_params, &row.point, &row.params, *line)?;
        let key = (row.point.clone(), row.rep, row.phase.clone());
        if let Some(first) = seen_keys.insert(key, *line) {
            return Err(Error::invalid(
                path,
                format!(
                    "line {line}: duplicate row for point `{}`, rep {}, phase `{}` (first on line {first})",
                    row.point, row.rep, row.phase
                ),
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// Where each of `OP_COLUMNS` is in a phases file (`None`: an optional column this file lacks,
/// read as 0). The signature-verification count is `sig_verify`, or, in the older form of the
/// schema, a second `verify` column (the first is the verification mode).
fn op_columns(path: &Path, table: &Table) -> Result<Vec<Option<usize>>> {
    let sig_verify = if table.index.contains_key("sig_verify") {
        table.last("sig_verify")
    } else if table.index["verify"].len() >= 2 {
        table.last("verify")
    } else {
        return Err(Error::MissingColumn {
            path: path.to_path_buf(),
            column: "sig_verify".into(),
        });
    };
    let op_index: Vec<Option<usize>> = OP_COLUMNS[..8]
        .iter()
        .map(|c| Some(table.last(c)))
        .chain([Some(sig_verify)])
        .chain(
            OPTIONAL_OP_COLUMNS
                .iter()
                .map(|c| table.index.contains_key(*c).then(|| table.last(c))),
        )
        .collect();
    debug_assert_eq!(op_index.len(), OP_COLUMNS.len());
    Ok(op_index)
}

/// Reads `messages.csv`.
pub fn read_messages(path: &Path) -> Result<Vec<MessageRow>> {
    let required: Vec<&str> = dsmpc_schema::MESSAGE_COLUMNS
        .iter()
        .copied()
        .chain(param_columns())
        .collect();
    let table = Table::read(path, &required)?;
    let mut out = Vec::with_capacity(table.records.len());
    let mut seen_params = HashMap::new();
    let mut seen_keys: HashMap<(String, String), u64> = HashMap::new();
    for (line, rec) in &table.records {
        let r = table.row(*line, rec);
        let row = MessageRow {
            line: *line,
            point: r.text("point")?,
            params: r.params()?,
            kind: r.text("kind")?,
            src_role: r.text("src_role")?,
            dst_role: r.text("dst_role")?,
            count: r.u64("count")?,
            bytes: r.u64("bytes")?,
            payload_bytes: r.u64("payload_bytes")?,
            ref_compatible: r.bool("ref_compatible")?,
        };
        check_params(path, &mut seen_params, &row.point, &row.params, *line)?;
        if let Some(first) = seen_keys.insert((row.point.clone(), row.kind.clone()), *line) {
            return Err(Error::invalid(
                path,
                format!(
                    "line {line}: duplicate row for point `{}`, kind `{}` (first on line {first})",
                    row.point, row.kind
                ),
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// Reads `sessions.csv` (one row per point and repetition; `rounds_s` as `kind=seconds;...`).
pub fn read_sessions(path: &Path) -> Result<Vec<SessionRow>> {
    let required: Vec<&str> = ["point", "rep", "protocol_bytes"]
        .into_iter()
        .chain(param_columns())
        .collect();
    let table = Table::read(path, &required)?;
    let has = |c: &str| table.index.contains_key(c);
    let mut out = Vec::with_capacity(table.records.len());
    let mut seen_params = HashMap::new();
    let mut seen_keys: HashMap<(String, u64), u64> = HashMap::new();
    for (line, rec) in &table.records {
        let r = table.row(*line, rec);
        let opt_s = |c: &str| if has(c) { r.opt_seconds(c) } else { Ok(None) };
        let opt_n = |c: &str| if has(c) { r.opt_u64(c) } else { Ok(None) };
        let rounds_s = if has("rounds_s") {
            let (i, text) = r.raw("rounds_s");
            let mut v = Vec::new();
            for part in text.split(';').filter(|p| !p.is_empty()) {
                let parsed = part.split_once('=').and_then(|(k, x)| {
                    x.parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite() && *x >= 0.0)
                        .map(|x| (k.to_string(), x))
                });
                v.push(parsed.ok_or_else(|| r.err("rounds_s", i, text, "kind=seconds pairs joined by `;`"))?);
            }
            v
        } else {
            Vec::new()
        };
        let row = SessionRow {
            line: *line,
            point: r.text("point")?,
            rep: u32::try_from(r.u64("rep")?).unwrap_or(u32::MAX),
            params: r.params()?,
            profile: if has("profile") {
                r.text_or_empty("profile")
            } else {
                String::new()
            },
            e2e_s: opt_s("e2e_s")?,
            rounds_s,
            protocol_bytes: r.u64("protocol_bytes")?,
            tls_bytes: opt_n("tls_bytes")?,
            wire_bytes: opt_n("wire_bytes")?,
            connections: opt_n("connections")?,
            hosts: opt_n("hosts")?,
            party_cpu_s: opt_s("party_cpu_s")?,
            process_cpu_s: opt_s("process_cpu_s")?,
            transport_cpu_s: opt_s("transport_cpu_s")?,
            tls_handshake_cpu_s: opt_s("tls_handshake_cpu_s")?,
            tls_record_cpu_s: opt_s("tls_record_cpu_s")?,
        };
        check_params(path, &mut seen_params, &row.point, &row.params, *line)?;
        if let Some(first) = seen_keys.insert((row.point.clone(), u64::from(row.rep)), *line) {
            return Err(Error::invalid(
                path,
                format!(
                    "line {line}: duplicate row for point `{}`, rep {} (first on line {first})",
                    row.point, row.rep
                ),
            ));
        }
        out.push(row);
    }
    Ok(out)
}

/// Reads `units.csv`.
pub fn read_units(path: &Path) -> Result<Vec<UnitRow>> {
    // `provider` and `group` may be absent (older files: rustcrypto, schnorr-<group_bits>).
    let required: Vec<&str> = dsmpc_schema::UNIT_COLUMNS
        .iter()
        .copied()
        .filter(|c| !matches!(*c, "provider" | "group"))
        .collect();
    let table = Table::read(path, &required)?;
    let mut out = Vec::with_capacity(table.records.len());
    for (line, rec) in &table.records {
        let r = table.row(*line, rec);
        out.push(UnitRow {
            backend: r.text("backend")?,
            suite: r.text("suite")?,
            provider: r.provider()?,
            rsa_bits: r.u32("rsa_bits")?,
            group_bits: r.u32("group_bits")?,
            group: r.group()?,
            op: match r.text("op")? {
                // older name of the signature-verification op
                op if op == "verify" => "sig_verify".to_string(),
                op => op,
            },
            unit_s: r.seconds("unit_s")?,
        });
    }
    Ok(out)
}

/// Reads `meta.json`; `calibration_s` must be a positive number.
pub fn read_meta(path: &Path) -> Result<Meta> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let meta: Meta = serde_json::from_str(&text).map_err(|e| Error::Meta {
        path: path.to_path_buf(),
        source: e,
    })?;
    if !(meta.calibration_s.is_finite() && meta.calibration_s > 0.0) {
        return Err(Error::invalid(
            path,
            format!(
                "key `calibration_s` must be a positive number of seconds, found {}",
                meta.calibration_s
            ),
        ));
    }
    Ok(meta)
}
