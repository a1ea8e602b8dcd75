//! What the constant-time fixed-base path costs against the variable-time one, in a form that
//! valgrind can count: `fixed_base_cost BACKEND BITS PATH N [C]` builds a table of `g` (with
//! C-bit constant-time windows; default the g table's, [`GENERATOR_CT_WINDOW`]), then
//! runs N exponentiations with random exponents below q on one path (`ct`: the protocol's
//! [`FixedBaseTable::pow`]; `vt`: [`FixedBaseTable::pow_vartime`]; `none`: nothing, the
//! baseline). Instructions per exponentiation = (count(N) - count(none)) / N, from
//! `valgrind --tool=callgrind`; repeatable whatever else the machine runs. The core README's
//! table was made with `core/examples/fixed_base_cost.sh`.
//!
//! [`FixedBaseTable::pow`]: dsmpc_core::group::FixedBaseTable::pow
//! [`FixedBaseTable::pow_vartime`]: dsmpc_core::group::FixedBaseTable::pow_vartime
//! [`GENERATOR_CT_WINDOW`]: dsmpc_core::group::GENERATOR_CT_WINDOW

use std::process::ExitCode;

use dsmpc_core::backend::Backend;
use dsmpc_core::group::{FixedBaseTable, GENERATOR_CT_WINDOW, GENERATOR_TABLE_WINDOW, SchnorrGroup};
use dsmpc_core::rng;

fn run<B: Backend>(bits: u32, path: &str, n: usize, ct_window: u32) -> Result<B::Int, String> {
    let group = SchnorrGroup::<B>::standard(bits).map_err(|e| e.to_string())?;
    let table = FixedBaseTable::with_ct_window(&group, group.g(), GENERATOR_TABLE_WINDOW, ct_window);
    let mut r = rng::seeded(0xD5_4C, "fixed-base-cost");
    let exps: Vec<B::Int> = (0..n).map(|_| group.zq().random(&mut r)).collect();
    let mut acc = B::from_u64(1);
    for e in &exps {
        let x = match path {
            "ct" => table.pow(&group, e),
            "vt" => table.pow_vartime(&group, e),
            "none" => B::from_u64(1),
            other => return Err(format!("unknown path {other:?}: use ct, vt or none")),
        };
        acc = group.mul(&acc, &x);
    }
    Ok(acc)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: fixed_base_cost num|gmp BITS ct|vt|none N [CT_WINDOW 1..=8]";
    let (backend, bits, path, n, ct_window) = match args.as_slice() {
        [b, bits, p, n] => (b, bits, p, n, GENERATOR_CT_WINDOW.to_string()),
        [b, bits, p, n, c] => (b, bits, p, n, c.clone()),
        _ => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let (Ok(bits), Ok(n), Ok(ct_window @ 1..=8)) = (bits.parse::<u32>(), n.parse::<usize>(), ct_window.parse::<u32>())
    else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let out = match backend.as_str() {
        "num" => run::<dsmpc_core::backend::Num>(bits, path, n, ct_window).map(|x| dsmpc_core::backend::Num::bits(&x)),
        #[cfg(feature = "gmp")]
        "gmp" => run::<dsmpc_core::backend::Gmp>(bits, path, n, ct_window).map(|x| dsmpc_core::backend::Gmp::bits(&x)),
        other => Err(format!(
            "backend {other:?} is not compiled in (num, or gmp with --features gmp)"
        )),
    };
    match out {
        Ok(b) => {
            println!("{backend} {bits} {path} {n}: result has {b} bits");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("fixed_base_cost: {e}");
            ExitCode::from(2)
        }
    }
}
