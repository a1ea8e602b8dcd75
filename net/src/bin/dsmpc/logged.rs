//! What the JSON Lines log of `dsmpc run` records of a session's result (its `result` line):
//! the function and dimension, the DPs aggregated, the result (a scalar session's sum and exact
//! average; a vector session's first coordinates, decoded, and how many there are) and whether
//! it matched the plaintext.

use dsmpc_roles::func;
use dsmpc_roles::{SessionConfig, SessionReport};
use serde_json::{Value, json};

/// Coordinates of a vector result the log shows; `--output FILE` writes them all.
const SHOWN: usize = func::SHOW_FIRST;

/// The `result` of the log's result line.
pub(crate) fn result(cfg: &SessionConfig, report: &SessionReport) -> Value {
    let mut v = json!({
        "func": cfg.func.to_string(),
        "dim": cfg.dim,
        "n": report.aggregated(),
        "matches": report.matches(),
        "check": report.outcome.check.to_string(),
    });
    let Some(agg) = &report.outcome.vector else {
        v["sum"] = json!(report.outcome.sum.to_string());
        v["average"] = json!(report.outcome.average(6));
        v["plaintext_sum"] = json!(report.expected_sum.to_string());
        return v;
    };
    let spec = cfg.func_spec();
    v["elements"] = json!(spec.elements());
    match func::decode(&spec, report.aggregated(), agg) {
        Ok(r) => {
            let mut csv = Vec::new();
            // Writing into memory cannot fail.
            let _ = r.write_full(&mut csv);
            let text = String::from_utf8_lossy(&csv);
            let mut lines = text.lines();
            let columns: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
            let first: Vec<Vec<Value>> = lines.take(SHOWN).map(|l| l.split(',').map(cell).collect()).collect();
            v["coordinates"] = json!(r.coordinates());
            v["columns"] = json!(columns);
            v["first"] = json!(first);
        }
        Err(e) => v["error"] = json!(e.to_string()),
    }
    v
}

/// A CSV cell as a JSON number where it is one (integers exactly), else as text.
fn cell(s: &str) -> Value {
    if let Ok(i) = s.parse::<i64>() {
        return json!(i);
    }
    if let Ok(u) = s.parse::<u64>() {
        return json!(u);
    }
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() => json!(x),
        _ => json!(s),
    }
}
