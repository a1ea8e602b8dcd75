//! What the whole-session benchmarks share: one benchmark per crypto provider, and the
//! Criterion settings for runs of a second or more.

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use dsmpc_roles::suite::Provider;
use dsmpc_roles::{SessionConfig, session};

/// A whole session of `conf(provider)` benchmarked for each provider, as
/// `BenchmarkId::new("{backend}-{provider}", param)`, the group's name in place of the backend
/// where the backend does not apply (ristretto255).
pub fn per_provider(g: &mut BenchmarkGroup<'_, WallTime>, param: &str, conf: impl Fn(Provider) -> SessionConfig) {
    for p in Provider::ALL {
        let conf = conf(p);
        let arith = if conf.group.uses_backend() {
            conf.backend.name().to_string()
        } else {
            conf.group.name()
        };
        g.bench_function(BenchmarkId::new(format!("{arith}-{p}"), param), |b| {
            b.iter(|| session::run(&conf, None, None).unwrap())
        });
    }
}

/// Ten samples after a second's warm-up, measured for `measure_s` seconds.
pub fn config(measure_s: u64) -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(measure_s))
}
