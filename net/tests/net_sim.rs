//! The simulated-time network (`--net sim:PROFILE`): the same sum and bytes per kind as the
//! memory network for a seed, latencies that respect the profile's links (never less than the
//! chain of one-way latencies the protocol must cross), and clear errors for unknown profiles.
//! With a placement (`--sim-cores`): the same sum and bytes, hosts that share cores (on one
//! core every handling waits for the last), and connections whose set-up the session waits for.

use dsmpc_core::backend::BackendKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::link::{self, Class};
use dsmpc_net::overhead::TlsCost;
use dsmpc_net::sim::{Placement, SimConfig};
use dsmpc_roles::SessionConfig;
use dsmpc_roles::net::Honest;
use dsmpc_roles::parties::{PartyId, Timeouts};
use dsmpc_roles::session;

fn cfg(verify: VerifyMode) -> SessionConfig {
    SessionConfig {
        n: 20,
        rsa_bits: 1024,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend: BackendKind::Num,
        verify,
        seed: Some(3),
        ..SessionConfig::default()
    }
}

fn sim(c: &SessionConfig, profile: &str) -> session::SessionReport {
    let net = SimConfig::named(profile, Timeouts::default()).unwrap();
    session::run_on(c, &net, None, None, Box::new(Honest)).unwrap()
}

#[test]
fn sim_gives_the_memory_sum_and_bytes() {
    for verify in [VerifyMode::Batch, VerifyMode::Vss] {
        let c = cfg(verify);
        let mem = session::run(&c, None, None).unwrap();
        let s = sim(&c, "lte");
        assert!(s.matches());
        assert_eq!(s.outcome.sum, mem.outcome.sum);
        assert_eq!(s.messages, mem.messages, "{verify}: bytes per kind differ");
        assert!(mem.timing.is_none(), "the memory network has no time");
    }
}

#[test]
fn sim_latency_is_at_least_the_chain_of_link_latencies() {
    let c = cfg(VerifyMode::Batch);
    for name in ["lan", "wan", "lte", "dsrc"] {
        let p = link::profile(name).unwrap();
        let l = |a, b| p.link(Class::of(a, b)).latency_ms * 1e-3;
        let (cloud, edge, cp, dp) = (PartyId::Cloud, PartyId::Edge, PartyId::Cp(1), PartyId::Dp(1));
        // announce, auth request, index, roster, share, upload: one after the other.
        let chain = l(cloud, cp) + l(cp, cloud) + l(cloud, cp) + l(cloud, dp) + l(dp, cp) + l(cp, edge);
        let t = sim(&c, name).timing.unwrap();
        assert!(t.e2e_s >= chain, "{name}: {} s < the {chain} s its links need", t.e2e_s);
        assert!(t.e2e_s < chain + 30.0, "{name}: {} s", t.e2e_s);
        assert!(t.rounds.values().all(|r| *r >= 0.0));
    }
    let lan = sim(&c, "lan").timing.unwrap().e2e_s;
    let lte = sim(&c, "lte").timing.unwrap().e2e_s;
    assert!(
        lte > lan + 0.1,
        "lte {lte} s should exceed lan {lan} s by its latencies"
    );
}

#[test]
fn unknown_profiles_and_bad_figures_are_refused() {
    let e = SimConfig::named("moon", Timeouts::default()).unwrap_err().to_string();
    assert!(e.contains("unknown link profile \"moon\"") && e.contains("lte"), "{e}");
    let bad = link::PROFILES_TOML.replacen("bandwidth_mbps = 1000.0", "bandwidth_mbps = 0.0", 1);
    let e = link::parse(&bad).unwrap_err().to_string();
    assert!(e.contains("bandwidth > 0"), "{e}");
    for (name, p) in link::profiles().unwrap() {
        assert!(!p.source.is_empty(), "profile {name} names no source");
    }
}

fn placed(c: &SessionConfig, cores: usize, tls: Option<TlsCost>) -> session::SessionReport {
    let sim = SimConfig::named("lan", Timeouts::default()).unwrap().placed(Placement {
        dps_per_host: 10,
        cores,
        tls,
    });
    session::run_on(c, &sim, None, None, Box::new(Honest)).unwrap()
}

fn phase_cpu(r: &session::SessionReport) -> f64 {
    r.phases.iter().map(|p| p.work_cpu_s).sum()
}

#[test]
fn placed_hosts_give_the_same_sum_and_share_their_cores() {
    let c = cfg(VerifyMode::Batch);
    let mem = session::run(&c, None, None).unwrap();
    let tls = TlsCost {
        handshake_client_s: 1e-4,
        handshake_server_s: 1e-4,
        per_message_s: 2e-5,
        per_byte_s: 1e-9,
    };
    let one = placed(&c, 1, Some(tls));
    assert!(one.matches());
    assert_eq!(one.outcome.sum, mem.outcome.sum);
    assert_eq!(one.messages, mem.messages, "a placement changes no byte");
    // One core: every handling (each at least its phases' CPU) runs after the one before.
    let (e2e, cpu) = (one.timing.as_ref().unwrap().e2e_s, phase_cpu(&one));
    assert!(e2e >= cpu, "one core: {e2e} s end to end < {cpu} s of CPU in phases");
    // A machine per party: the 20 DPs deal at once, the 5 CPs verify at once.
    let own = sim(&c, "lan");
    let (e2e, cpu) = (own.timing.as_ref().unwrap().e2e_s, phase_cpu(&own));
    assert!(
        e2e < 0.6 * cpu,
        "a CPU per party: {e2e} s end to end, {cpu} s of CPU in phases"
    );
}

#[test]
fn placed_hosts_wait_for_their_connections() {
    let c = cfg(VerifyMode::Batch);
    let plain = placed(&c, 2, None);
    // Connections that take half a second of CPU on each side: the chain announce, auth
    // request, index, roster, share, upload opens a new connection at every step.
    let slow = TlsCost {
        handshake_client_s: 0.5,
        handshake_server_s: 0.5,
        per_message_s: 0.0,
        per_byte_s: 0.0,
    };
    let tls = placed(&c, 2, Some(slow));
    assert!(tls.matches());
    assert_eq!(tls.outcome.sum, plain.outcome.sum);
    let (a, b) = (plain.timing.unwrap().e2e_s, tls.timing.unwrap().e2e_s);
    assert!(
        b >= a + 5.0,
        "six new connections of 1 s CPU each: {a} s without, {b} s with"
    );
}
