//! The cost model in instructions: what each phase executes beyond the operations it counts.
//!
//! The time-based cost model (`bound_s` and `overhead` in `phases.csv`) multiplies each phase's
//! operation counts by unit CPU times measured in a calibration loop. On a shared VM its ratio
//! also carries what the code does not control: a cold first call after a wait (caches, branch
//! predictors, the clock), the other hyperthread's load, drift between calibration and the
//! point. Under valgrind's callgrind the same comparison can be made in executed instructions,
//! which none of those move: `dsmpc-sweep` run under callgrind with `--jobs 1
//! --session-threads 1` dumps
//!
//! - `dsmpc-calibration:<key>` before a calibration (what ran before, e.g. the main thread's
//!   setup, which zeroing the calibrating thread's counters does not clear),
//! - `dsmpc-unit:<op>:<units>` after each calibration loop (the loop's instructions, after one
//!   warm-up call, and how many operations it performed),
//! - `dsmpc-units:<key>` once a calibration is complete (the unit dumps since the previous
//!   marker belong to that key; a key is `<backend>,<suite>,<provider>,<rsa_bits>,<group_bits>`),
//! - `dsmpc-point:<id> units:<key>` before each point's sessions,
//! - `dsmpc-phase:<phase>` at the end of every measured stretch of a phase (the stretches of
//!   one point follow its point marker).
//!
//! [`read_dumps`] reads the dump files in order, [`build`] attributes them and sets, per
//! (point, phase), the instructions executed against the bound `Σ count(op) × instructions(op)`
//! with the counts of `phases.csv`. A ratio near 1 says the phase does little but its counted
//! operations; a ratio well above 1 is work of ours (parsing, copying, hashing, allocation)
//! that the model does not price.
//!
//! What the instruction model does not see: valgrind hides some CPU features (AVX-512, ADX,
//! SHA in valgrind 3.19), so AWS-LC and GMP run their generic code paths under it, in the
//! calibration loops and in the phases alike. The ratios compare like with like; the unit
//! instruction counts themselves are not the native ones.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use dsmpc_reports::data::{OP_COLUMNS, Params, PhaseRow, phase_rank};
use dsmpc_reports::{Error, Result};
use dsmpc_schema::{callgrind, labels};

/// One callgrind dump: its number in the run, its label and its instruction count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dump {
    /// The dump's number (`callgrind.out.<pid>.<number>`), in the order the run wrote them.
    pub number: u64,
    /// The client-request label (`dsmpc-phase:...`, `dsmpc-unit:...`, ...).
    pub label: String,
    /// Instructions executed since the previous dump or zeroing.
    pub instructions: u64,
}

/// Reads every numbered dump of one callgrind run from `dir` (files
/// `callgrind.out.<pid>.<number>`), in dump order. The final dump at program termination (no
/// number) is left out. Dumps from more than one process are refused: their order would mean
/// nothing.
pub fn read_dumps(dir: &Path) -> Result<Vec<Dump>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut pid: Option<String> = None;
    let mut dumps = vec![];
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Not a dump, or the termination dump (no number).
        let Some(callgrind::DumpFile {
            pid: p,
            number: Some(number),
        }) = callgrind::dump_file(&name)
        else {
            continue;
        };
        match &pid {
            None => pid = Some(p.to_string()),
            Some(q) if q != p => {
                return Err(Error::invalid(
                    dir,
                    format!(
                        "dumps of two processes ({q} and {p}); keep one callgrind run per folder \
                         (dsmpc-sweep with --jobs 1 --session-threads 1)"
                    ),
                ));
            }
            Some(_) => {}
        }
        let path = entry.path();
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        dumps.push(parse_dump(&text, number).map_err(|m| Error::invalid(&path, m))?);
    }
    dumps.sort_by_key(|d| d.number);
    Ok(dumps)
}

/// `dumps.csv`: `number,instructions,label` per dump (the label last: it may hold commas).
pub fn dumps_csv(dumps: &[Dump]) -> String {
    let mut s = String::from("number,instructions,label\n");
    for d in dumps {
        s += &format!("{},{},{}\n", d.number, d.instructions, d.label);
    }
    s
}

/// Reads `dumps.csv` (see [`dumps_csv`]).
pub fn read_dumps_csv(path: &Path) -> Result<Vec<Dump>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut lines = text.lines();
    if lines.next() != Some("number,instructions,label") {
        return Err(Error::invalid(
            path,
            "line 1: expected the header `number,instructions,label`",
        ));
    }
    let mut out = vec![];
    for (i, line) in lines.enumerate() {
        let mut cells = line.splitn(3, ',');
        let parsed = match (cells.next(), cells.next(), cells.next()) {
            (Some(n), Some(ir), Some(label)) => {
                n.parse().ok().zip(ir.parse().ok()).map(|(number, instructions)| Dump {
                    number,
                    label: label.to_string(),
                    instructions,
                })
            }
            _ => None,
        };
        out.push(parsed.ok_or_else(|| {
            Error::invalid(
                path,
                format!("line {}: expected `number,instructions,label`, got {line:?}", i + 2),
            )
        })?);
    }
    Ok(out)
}

/// The model of the callgrind run in `dir`: its dumps from `dir/cg/` (also written to
/// `dir/dumps.csv`) or, when `cg/` is gone, from `dir/dumps.csv`; its counts from
/// `dir/sweep/phases.csv`.
pub fn load(dir: &Path) -> Result<IcountModel> {
    let cg = dir.join("cg");
    let csv = dir.join("dumps.csv");
    let dumps = if cg.is_dir() {
        let d = read_dumps(&cg)?;
        std::fs::write(&csv, dumps_csv(&d)).map_err(|e| Error::io(&csv, e))?;
        d
    } else if csv.is_file() {
        read_dumps_csv(&csv)?
    } else {
        return Err(Error::invalid(
            dir,
            "neither cg/ (callgrind dumps) nor dumps.csv: give the folder of a callgrind run \
             (cargo xtask icount-model writes one)",
        ));
    };
    let phases = dsmpc_reports::data::read_phases(&dir.join("sweep").join("phases.csv"))?;
    build(&dumps, &phases, dir)
}

/// The label and instruction count of one dump file's text (dump `number` of its run).
fn parse_dump(text: &str, number: u64) -> std::result::Result<Dump, String> {
    let d = callgrind::parse_dump(text).map_err(|e| e.to_string())?;
    Ok(Dump {
        number,
        label: d.label,
        instructions: d.instructions,
    })
}

/// Instructions per operation for one calibration key.
pub type UnitInstructions = BTreeMap<String, f64>;

/// One (point, phase) of the model.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelRow {
    /// Point id.
    pub point: String,
    /// The point's parameters.
    pub params: Params,
    /// Phase name.
    pub phase: String,
    /// Instructions the phase executed (all its measured stretches, all repetitions).
    pub instructions: u64,
    /// `Σ count(op) × instructions(op)` over the phase's counted operations.
    pub bound: f64,
    /// `instructions / bound`; `None` when the phase counts no operation.
    pub ratio: Option<f64>,
}

/// The instruction-count model of one callgrind run of a sweep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IcountModel {
    /// Per calibration key (`backend,suite,provider,rsa_bits,group_bits`), instructions per op.
    pub units: BTreeMap<String, UnitInstructions>,
    /// Per point and phase, in point then protocol order.
    pub rows: Vec<ModelRow>,
}

/// Attributes `dumps` (in order) to calibration keys and points, and prices the phases of
/// `phases` (the run's `phases.csv`). `origin` names the input in errors.
pub fn build(dumps: &[Dump], phases: &[PhaseRow], origin: &Path) -> Result<IcountModel> {
    let (units, points) = attribute(dumps, origin)?;
    let rows = price(phases, &units, &points, origin)?;
    Ok(IcountModel { units, rows })
}

/// Point id -> (calibration key, instructions per phase).
type PointDumps = BTreeMap<String, (String, BTreeMap<String, u64>)>;

/// The unit instructions of every calibration key and the phase instructions of every point,
/// from the dumps in run order.
fn attribute(dumps: &[Dump], origin: &Path) -> Result<(BTreeMap<String, UnitInstructions>, PointDumps)> {
    let mut units: BTreeMap<String, UnitInstructions> = BTreeMap::new();
    let mut pending = UnitInstructions::new();
    let mut points: PointDumps = BTreeMap::new();
    let mut current: Option<String> = None;
    for d in dumps {
        let bad = |what: String| Error::invalid(origin, format!("dump {} {:?}: {what}", d.number, d.label));
        if let Some(rest) = d.label.strip_prefix(labels::UNIT) {
            let (op, n) = rest
                .rsplit_once(':')
                .ok_or_else(|| bad(format!("expected {}<op>:<count>", labels::UNIT)))?;
            let n: u64 = n
                .parse()
                .map_err(|_| bad("the operation count is not a number".into()))?;
            if n == 0 {
                return Err(bad("zero operations".into()));
            }
            pending.insert(op.to_string(), d.instructions as f64 / n as f64);
        } else if d.label.starts_with(labels::CALIBRATION) {
            pending.clear();
        } else if let Some(key) = d.label.strip_prefix(labels::UNITS) {
            units.insert(key.to_string(), std::mem::take(&mut pending));
        } else if let Some(rest) = d.label.strip_prefix(labels::POINT) {
            let (id, key) = rest
                .split_once(" units:")
                .ok_or_else(|| bad(format!("expected {}<id> units:<key>", labels::POINT)))?;
            pending.clear();
            points
                .entry(id.to_string())
                .or_insert_with(|| (key.to_string(), BTreeMap::new()));
            current = Some(id.to_string());
        } else if let Some(phase) = labels::phase_of(&d.label) {
            let id = current
                .as_ref()
                .ok_or_else(|| bad("a phase dump before any point marker (a binary without point markers?)".into()))?;
            if let Some((_, per_phase)) = points.get_mut(id) {
                *per_phase.entry(phase.to_string()).or_default() += d.instructions;
            }
        }
    }
    if points.is_empty() {
        return Err(Error::invalid(
            origin,
            "no point marker among the dumps: was dsmpc-sweep run under valgrind --tool=callgrind?",
        ));
    }
    Ok((units, points))
}

/// One model row per (point, phase) of `phases`, its counts priced with its point's units.
fn price(
    phases: &[PhaseRow],
    units: &BTreeMap<String, UnitInstructions>,
    points: &PointDumps,
    origin: &Path,
) -> Result<Vec<ModelRow>> {
    // Counts per (point, phase), summed over repetitions like the dumps.
    let mut counts: BTreeMap<(String, String), (Params, [u64; OP_COLUMNS.len()])> = BTreeMap::new();
    for r in phases {
        let e = counts
            .entry((r.point.clone(), r.phase.clone()))
            .or_insert_with(|| (r.params.clone(), [0; OP_COLUMNS.len()]));
        for (sum, c) in e.1.iter_mut().zip(r.ops) {
            *sum += c;
        }
    }
    let mut rows = vec![];
    for ((point, phase), (params, ops)) in counts {
        let Some((key, per_phase)) = points.get(&point) else {
            return Err(Error::invalid(
                origin,
                format!("point {point} of phases.csv has no point marker among the dumps"),
            ));
        };
        let unit = units
            .get(key)
            .ok_or_else(|| Error::invalid(origin, format!("point {point}: no calibration dumps for key {key}")))?;
        let mut bound = 0.0;
        for (name, count) in OP_COLUMNS.iter().zip(ops) {
            if count == 0 {
                continue;
            }
            let per_op = unit.get(*name).ok_or_else(|| {
                Error::invalid(
                    origin,
                    format!("point {point}: calibration {key} has no dump for {name}"),
                )
            })?;
            bound += count as f64 * per_op;
        }
        let instructions = per_phase.get(&phase).copied().unwrap_or(0);
        let ratio = (bound > 0.0).then(|| instructions as f64 / bound);
        rows.push(ModelRow {
            point,
            params,
            phase,
            instructions,
            bound,
            ratio,
        });
    }
    rows.sort_by(|a, b| (&a.params, &a.point, phase_rank(&a.phase)).cmp(&(&b.params, &b.point, phase_rank(&b.phase))));
    Ok(rows)
}

impl IcountModel {
    /// The rows whose ratio exceeds `limit`.
    pub fn above(&self, limit: f64) -> Vec<&ModelRow> {
        self.rows
            .iter()
            .filter(|r| r.ratio.is_some_and(|x| x > limit))
            .collect()
    }

    /// The largest ratio and its row.
    pub fn worst(&self) -> Option<&ModelRow> {
        self.rows
            .iter()
            .filter(|r| r.ratio.is_some())
            .max_by(|a, b| a.ratio.unwrap_or(0.0).total_cmp(&b.ratio.unwrap_or(0.0)))
    }

    /// `icount-model.csv`: one row per (point, phase).
    pub fn to_csv(&self) -> String {
        let mut s = String::from(
            "point,backend,suite,provider,verify,n,k,t,rsa_bits,group_bits,phase,instructions,bound_instructions,ratio\n",
        );
        for r in &self.rows {
            let p = &r.params;
            s += &format!(
                "{},{},{},{},{},{},{},{},{},{},{},{},{:.0},{}\n",
                r.point,
                p.backend,
                p.suite,
                p.provider,
                p.verify,
                p.n,
                p.k,
                p.t,
                p.rsa_bits,
                p.group_bits,
                r.phase,
                r.instructions,
                r.bound,
                r.ratio.map_or(String::new(), |x| format!("{x:.4}")),
            );
        }
        s
    }

    /// `icount-units.csv`: instructions per operation for each calibration key.
    pub fn units_csv(&self) -> String {
        let mut s = String::from("backend,suite,provider,rsa_bits,group_bits,op,instructions\n");
        for (key, ops) in &self.units {
            for (op, ir) in ops {
                s += &format!("{key},{op},{ir:.0}\n");
            }
        }
        s
    }
}

impl fmt::Display for IcountModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = None;
        for r in &self.rows {
            if last != Some(&r.point) {
                writeln!(f, "{}", r.point)?;
                last = Some(&r.point);
            }
            let ratio = r.ratio.map_or("   -  ".to_string(), |x| format!("{x:6.3}"));
            writeln!(
                f,
                "  {:<40} {:>14} instr  bound {:>14.0}  ratio {ratio}",
                r.phase, r.instructions, r.bound
            )?;
        }
        if let Some(w) = self.worst() {
            write!(
                f,
                "largest ratio {:.3}: {} at {}",
                w.ratio.unwrap_or(0.0),
                w.phase,
                w.point
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(number: u64, label: &str, instructions: u64) -> Dump {
        Dump {
            number,
            label: label.into(),
            instructions,
        }
    }

    fn params(backend: &str) -> Params {
        Params {
            net: "memory".into(),
            backend: backend.into(),
            suite: "rsa".into(),
            provider: "awslc".into(),
            verify: "batch".into(),
            n: 4,
            m: 3,
            k: 3,
            t: 2,
            rsa_bits: 2048,
            group_bits: 2048,
            group: "schnorr-2048".into(),
            value_bits: 32,
            dim: 1,
            func: "sum".into(),
            seed: 1,
        }
    }

    /// A phases.csv row of `point` with `enc` and `dec` counts.
    fn row(point: &str, backend: &str, rep: u32, phase: &str, enc: u64, dec: u64) -> PhaseRow {
        let mut ops = [0; OP_COLUMNS.len()];
        ops[OP_COLUMNS.iter().position(|c| *c == "enc").unwrap()] = enc;
        ops[OP_COLUMNS.iter().position(|c| *c == "dec").unwrap()] = dec;
        PhaseRow {
            line: 2,
            point: point.into(),
            rep,
            params: params(backend),
            phase: phase.into(),
            instances: 1,
            work_cpu_s: 1.0,
            work_wall_s: 1.0,
            max_cpu_s: 1.0,
            max_wall_s: 1.0,
            bound_s: 1.0,
            overhead: Some(1.0),
            ops,
            jobs: 1,
            crate_version: "0".into(),
            git_rev: "x".into(),
            host_cpu: "cpu".into(),
            cores: 2,
        }
    }

    const KA: &str = "gmp,rsa,awslc,2048,2048";
    const KB: &str = "num,rsa,awslc,2048,2048";

    /// Calibration A, point a1, calibration B, point b1, then point a2 with A's cached units:
    /// each point is priced with its own key's units, and repetitions add up on both sides.
    #[test]
    fn attributes_units_by_key_and_phases_by_point() {
        let labels = [
            ("dsmpc-unit:enc:4", 400),
            ("dsmpc-unit:dec:2", 2_000),
            (&*format!("dsmpc-units:{KA}"), 3),
            (&*format!("dsmpc-point:a1 units:{KA}"), 50),
            ("dsmpc-phase:cp_auth_request", 1_100),
            ("dsmpc-phase:cp_auth_request", 1_100),
            ("dsmpc-phase:cp_index_decrypt", 1_000),
            ("dsmpc-unit:enc:1", 300),
            ("dsmpc-unit:dec:1", 3_000),
            (&*format!("dsmpc-units:{KB}"), 3),
            (&*format!("dsmpc-point:b1 units:{KB}"), 50),
            ("dsmpc-phase:cp_auth_request", 3_300),
            (&*format!("dsmpc-point:a2 units:{KA}"), 50),
            ("dsmpc-phase:cp_index_decrypt", 4_000),
        ]
        .iter()
        .enumerate()
        .map(|(i, (l, n))| dump(i as u64 + 1, l, *n))
        .collect::<Vec<_>>();
        let phases = [
            // Two repetitions of a1: 2 x (10 enc) against 2 x 1,100 instructions.
            row("a1", "gmp", 0, "cp_auth_request", 10, 0),
            row("a1", "gmp", 1, "cp_auth_request", 10, 0),
            row("a1", "gmp", 0, "cp_index_decrypt", 0, 1),
            row("b1", "num", 0, "cp_auth_request", 10, 0),
            row("a2", "gmp", 0, "cp_index_decrypt", 0, 4),
        ];
        let m = build(&labels, &phases, Path::new("x")).unwrap();
        assert_eq!(m.units[KA]["enc"], 100.0);
        assert_eq!(m.units[KA]["dec"], 1_000.0);
        assert_eq!(m.units[KB]["dec"], 3_000.0);
        let get = |p: &str, ph: &str| m.rows.iter().find(|r| r.point == p && r.phase == ph).unwrap();
        let a1 = get("a1", "cp_auth_request");
        assert_eq!((a1.instructions, a1.bound), (2_200, 2_000.0));
        assert!((a1.ratio.unwrap() - 1.1).abs() < 1e-12);
        assert_eq!(get("a1", "cp_index_decrypt").ratio, Some(1.0));
        assert_eq!(get("b1", "cp_auth_request").bound, 3_000.0);
        let a2 = get("a2", "cp_index_decrypt");
        assert_eq!((a2.instructions, a2.bound), (4_000, 4_000.0));
        assert_eq!(m.worst().map(|r| r.point.as_str()), Some("b1"));
        assert_eq!(m.above(1.05).len(), 2);
        assert!(m.above(1.2).is_empty());
        // The CSVs round-trip the dumps and name every row.
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("dumps.csv");
        std::fs::write(&f, dumps_csv(&labels)).unwrap();
        let back = read_dumps_csv(&f).unwrap();
        assert_eq!(back, labels);
        assert_eq!(m.to_csv().lines().count(), 1 + 4);
        assert!(m.units_csv().contains(&format!("{KB},dec,3000")));
    }

    #[test]
    fn refuses_dumps_it_cannot_attribute() {
        let p = Path::new("x");
        let phase_first = [dump(1, "dsmpc-phase:cp_auth_request", 5)];
        let e = build(&phase_first, &[], p).unwrap_err().to_string();
        assert!(e.contains("before any point marker"), "{e}");
        let no_marker = [dump(1, "dsmpc-unit:enc:1", 5)];
        let e = build(&no_marker, &[], p).unwrap_err().to_string();
        assert!(e.contains("no point marker"), "{e}");
        // A point priced with an op its calibration did not measure.
        let missing = [
            dump(1, "dsmpc-unit:enc:1", 5),
            dump(2, &format!("dsmpc-units:{KA}"), 0),
            dump(3, &format!("dsmpc-point:a1 units:{KA}"), 0),
            dump(4, "dsmpc-phase:cp_index_decrypt", 9),
        ];
        let e = build(&missing, &[row("a1", "gmp", 0, "cp_index_decrypt", 0, 1)], p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no dump for dec"), "{e}");
        // A phases.csv point the run never marked (another run's sweep folder).
        let e = build(&missing, &[row("zz", "gmp", 0, "cp_auth_request", 1, 0)], p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("point zz"), "{e}");
        assert!(build(&[dump(1, "dsmpc-unit:enc:0", 5)], &[], p).is_err());
    }

    #[test]
    fn parses_a_dump_and_refuses_other_text() {
        let text = "version: 1\ncreator: callgrind-3.19.0\npid: 7\ncmd: x\npart: 3\n\n\ndesc: I1 cache:\n\
                    desc: Timerange: Basic block 1 - 2\ndesc: Trigger: Client Request: dsmpc-phase:cp_auth_request\n\n\
                    positions: line\nevents: Ir\nsummary: 6743237\n\n\nfn=(1) x\n0 5\n";
        assert_eq!(
            parse_dump(text, 13).unwrap(),
            dump(13, "dsmpc-phase:cp_auth_request", 6_743_237)
        );
        assert!(parse_dump("events: Ir\nsummary: 5\n", 1).is_err());
        assert!(parse_dump("desc: Trigger: Client Request: x\nsummary: many\n", 1).is_err());
    }
}
