//! What the vector session tests share: a small configuration of each function, the plaintext
//! computed here from the input rows (in i128, not by the session), and the check of a session
//! against it.
#![allow(dead_code)]

use dsmpc_core::field64::F64;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_roles::func::{self, Func, InputRow};
use dsmpc_roles::net::{Honest, InMemory};
use dsmpc_roles::suite::{Provider, SuiteKind};
use dsmpc_roles::{RolesError, SessionConfig, SessionReport, session};

pub fn cfg(func: Func, dim: usize, value_bits: u32, verify: VerifyMode) -> SessionConfig {
    SessionConfig {
        n: 6,
        m: 4,
        capacity: 4,
        t: 2,
        suite: SuiteKind::X25519,
        provider: Provider::RustCrypto,
        group: GroupKind::Ristretto255,
        verify,
        value_bits,
        func,
        dim,
        frac_bits: if func.is_fixed_point() { 4 } else { 0 },
        ..SessionConfig::default()
    }
}

pub fn run_rows(c: &SessionConfig, rows: &[InputRow]) -> Result<SessionReport, RolesError> {
    session::run_on_rows(c, &InMemory::default(), rows, None, Box::new(Honest))
}

/// The sum of the encoded rows, computed here in i128 and reduced, not by the session.
pub fn plaintext(c: &SessionConfig, rows: &[InputRow]) -> Vec<F64> {
    let spec = c.func_spec();
    let mut acc = vec![0i128; spec.elements()];
    for r in rows {
        match r {
            InputRow::Unsigned(v) if c.func == Func::MeanVar => {
                for (j, x) in v.iter().enumerate() {
                    acc[j] += *x as i128;
                    acc[v.len() + j] += (*x as i128) * (*x as i128);
                }
            }
            InputRow::Unsigned(v) => v.iter().enumerate().for_each(|(j, x)| acc[j] += *x as i128),
            InputRow::Signed(v) => v.iter().enumerate().for_each(|(j, x)| acc[j] += *x as i128),
            InputRow::Bucket(b) => acc[*b as usize] += 1,
        }
    }
    let p = dsmpc_core::field64::P as i128;
    acc.into_iter().map(|x| F64::new(x.rem_euclid(p) as u64)).collect()
}

pub fn random_rows(c: &SessionConfig, seed: u64) -> Vec<InputRow> {
    let mut rng = dsmpc_core::rng::seeded(seed, "test rows");
    let spec = c.func_spec();
    (0..c.n).map(|_| spec.random_row(&mut rng)).collect()
}

pub fn check_against_plaintext(c: &SessionConfig, rows: &[InputRow]) -> SessionReport {
    let r = run_rows(c, rows).unwrap_or_else(|e| panic!("{}: {e}", c.point_id()));
    let want = plaintext(c, rows);
    if !c.is_vector() {
        // One value per DP: today's scalar session, its sum in Z_q.
        assert_eq!(r.outcome.vector, None);
        assert_eq!(r.outcome.sum, want[0].value().into(), "{}", c.point_id());
        assert!(r.matches());
        return r;
    }
    assert_eq!(r.outcome.vector.as_deref(), Some(want.as_slice()), "{}", c.point_id());
    assert!(r.matches(), "{}", c.point_id());
    let decoded = func::decode(&c.func_spec(), c.n, &want).unwrap();
    let got = func::decode(&c.func_spec(), r.aggregated(), r.outcome.vector.as_ref().unwrap()).unwrap();
    assert_eq!(decoded, got);
    r
}

pub const FUNCS: [(Func, usize, u32); 6] = [
    (Func::Sum, 3, 32),
    (Func::Mean, 2, 20),
    (Func::Histogram { buckets: 5 }, 1, 32),
    (Func::MeanVar, 3, 16),
    (Func::VectorSum, 4, 24),
    (Func::VectorMean, 7, 12),
];
