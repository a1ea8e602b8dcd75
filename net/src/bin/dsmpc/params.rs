//! `dsmpc params`: the parameters of a shipped Schnorr group, as text or JSON.

use std::process::ExitCode;

use dsmpc_core::backend::{Backend, Num};
use dsmpc_core::group::{SUPPORTED_BITS, SchnorrGroup, params::GroupParams};
use dsmpc_roles::RolesError;

use crate::args::ParamsArgs;

pub(crate) fn params(a: ParamsArgs) -> Result<ExitCode, RolesError> {
    let p = GroupParams::get(a.group_bits)?;
    let g = SchnorrGroup::<Num>::standard(a.group_bits)?;
    if a.validate {
        g.validate()?;
    }
    let hex = |x: &<Num as Backend>::Int| Num::to_hex(x);
    if a.json {
        let v = serde_json::json!({
            "bits": p.bits,
            "weak": p.is_weak(),
            "seed": dsmpc_core::group::derive::SEED,
            "p": hex(g.p()), "q": hex(g.q()), "r": hex(g.r()), "g": hex(g.g()), "h": hex(g.h()),
            "r_steps": p.r_steps, "g_ctr": p.g_ctr, "h_ctr": p.h_ctr,
            "validated": a.validate,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!(
            "Schnorr group, |p| = {} bits{}",
            p.bits,
            if p.is_weak() { " (WEAK: comparison only)" } else { "" }
        );
        println!(
            "p = 2qr + 1, derived from the seed {:?} (see dsmpc_core::group::derive)",
            dsmpc_core::group::derive::SEED
        );
        for (name, x) in [("p", g.p()), ("q", g.q()), ("r", g.r()), ("g", g.g()), ("h", g.h())] {
            println!("{name} = {}", hex(x));
        }
        if a.validate {
            println!("validated: p, q, r prime; p = 2qr + 1; g^q = h^q = 1; g, h != 1; g != h");
        }
        println!("supported sizes: {SUPPORTED_BITS:?}");
    }
    Ok(ExitCode::SUCCESS)
}
