//! `--net netns:PROFILE` (as root): the same sum and protocol bytes per kind as the memory
//! network for a seed, at n = 20 and n = 100, and the same aggregate for a vector session, with interface counters above the TLS bytes; and
//! nothing left behind (no namespace, veth or bridge of the run). 72 hosts (more than the
//! kernel's shared neighbour table holds by default) connect without one "No route to host",
//! and the table's limits are as they were afterwards. SIGTERM and SIGINT leave nothing and exit
//! 143 / 130; what a SIGKILLed run left is reaped by the next. Where namespaces cannot be
//! made (not root, no iproute2, no kernel support) each test passes without running and records
//! that it skipped (`common::skip`), which `cargo xtask test` counts.

mod common;

use std::time::Duration;

use dsmpc_core::backend::BackendKind;
use dsmpc_core::group::GroupKind;
use dsmpc_core::pvss::VerifyMode;
use dsmpc_net::netns;
use dsmpc_net::process::ProcessOptions;
use dsmpc_roles::parties::Timeouts;
use dsmpc_roles::{SessionConfig, session};

fn leftovers() -> Vec<String> {
    let ns = std::process::Command::new("ip")
        .args(["netns", "list"])
        .output()
        .unwrap();
    let links = std::process::Command::new("ip").args(["-o", "link"]).output().unwrap();
    let mut all: Vec<String> = String::from_utf8_lossy(&ns.stdout)
        .lines()
        .filter(|l| l.starts_with("dsmpc-"))
        .map(str::to_string)
        .collect();
    // Our links are named dID-I, dID-Ip and dID-br (ID: digits).
    let ours = |name: &str| {
        name.strip_prefix('d')
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(id, rest)| {
                !id.is_empty()
                    && id.bytes().all(|b| b.is_ascii_digit())
                    && (rest == "br" || rest.trim_end_matches('p').bytes().all(|b| b.is_ascii_digit()))
            })
    };
    all.extend(
        String::from_utf8_lossy(&links.stdout)
            .lines()
            .filter_map(|l| l.split(": ").nth(1))
            .map(|n| n.split('@').next().unwrap_or(n))
            .filter(|n| ours(n))
            .map(str::to_string),
    );
    all
}

/// Records that `test` cannot run here (see `common::skip`).
fn cannot_run(test: &str, why: impl std::fmt::Display) {
    common::skip::skipped(test, &format!("network namespaces cannot be made here: {why}"));
}

/// One netns run at a time (the leftover check looks at every namespace).
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn same_as_memory(test: &str, n: usize, verify: VerifyMode, group: GroupKind) {
    let c = SessionConfig {
        n,
        rsa_bits: 1024,
        group,
        backend: BackendKind::Num,
        verify,
        seed: Some(11),
        ..SessionConfig::default()
    };
    same_as_memory_for(test, &c);
}

/// A netns run of `c` against the memory network's for its seed: the same result (sum, or
/// aggregate vector) and bytes per kind, the interface counters above TLS above protocol
/// bytes, nothing left behind.
fn same_as_memory_for(test: &str, c: &SessionConfig) {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = netns::available() {
        return cannot_run(test, why);
    }
    let (c, n) = (c.clone(), c.n);
    let mem = session::run(&c, None, None).unwrap();
    let opts = ProcessOptions {
        dps_per_host: 25,
        timeouts: Timeouts {
            selection_ms: 20_000,
            shares_ms: 30_000,
            round_ms: 5_000,
        },
        max_wall: Duration::from_secs(300),
        ..ProcessOptions::new(env!("CARGO_BIN_EXE_dsmpc").into())
    };
    let run = netns::run(&c, &opts, "lan").unwrap();
    let r = run.report.unwrap();
    assert!(r.matches());
    assert_eq!(r.outcome.sum, mem.outcome.sum);
    assert_eq!(r.outcome.vector, mem.outcome.vector);
    assert_eq!(r.messages, mem.messages, "n={n}: bytes per kind differ from memory");
    let wire = run.stats.interface_bytes.unwrap();
    assert!(
        wire > run.stats.tls_bytes && run.stats.tls_bytes > run.stats.protocol_bytes,
        "interface {wire} > TLS {} > protocol {}",
        run.stats.tls_bytes,
        run.stats.protocol_bytes
    );
    assert!(leftovers().is_empty(), "left behind: {:?}", leftovers());
}

#[test]
fn netns_n20_gives_the_memory_sum_and_bytes_and_leaves_nothing() {
    same_as_memory(
        concat!(
            module_path!(),
            "::netns_n20_gives_the_memory_sum_and_bytes_and_leaves_nothing"
        ),
        20,
        VerifyMode::Batch,
        GroupKind::Ristretto255,
    );
}

#[test]
fn netns_n100_vss_gives_the_memory_sum_and_bytes_and_leaves_nothing() {
    same_as_memory(
        concat!(
            module_path!(),
            "::netns_n100_vss_gives_the_memory_sum_and_bytes_and_leaves_nothing"
        ),
        100,
        VerifyMode::Vss,
        GroupKind::Schnorr(1024),
    );
}

/// A vector session (meanvar of 50 values per DP, drawn from the seed) over namespaces: the
/// memory network's aggregate and bytes.
#[test]
fn netns_vector_session_gives_the_memory_aggregate_and_bytes_and_leaves_nothing() {
    let c = SessionConfig {
        n: 20,
        rsa_bits: 1024,
        group: GroupKind::Ristretto255,
        backend: BackendKind::Num,
        suite: dsmpc_roles::suite::SuiteKind::X25519,
        func: dsmpc_roles::func::Func::MeanVar,
        dim: 50,
        value_bits: 20,
        seed: Some(13),
        ..SessionConfig::default()
    };
    same_as_memory_for(
        concat!(
            module_path!(),
            "::netns_vector_session_gives_the_memory_aggregate_and_bytes_and_leaves_nothing"
        ),
        &c,
    );
}

fn neigh_limits() -> Vec<String> {
    ["gc_thresh1", "gc_thresh2", "gc_thresh3"]
        .map(|f| std::fs::read_to_string(format!("/proc/sys/net/ipv4/neigh/default/{f}")).unwrap_or_default())
        .to_vec()
}

/// 72 hosts whose ARP entries (every DP host knows the Cloud, the Edge and 10 CPs; every CP all
/// DP hosts) overflow the default limit of 1,024 entries all namespaces share: before the run
/// raised it, some DP hosts could not reach any CP ("No route to host") or waited out SYN
/// back-offs of half a minute.
#[test]
fn netns_72_hosts_all_reach_each_other_and_the_neighbour_limits_are_put_back() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = netns::available() {
        return cannot_run(
            concat!(
                module_path!(),
                "::netns_72_hosts_all_reach_each_other_and_the_neighbour_limits_are_put_back"
            ),
            why,
        );
    }
    let before = neigh_limits();
    let c = SessionConfig {
        n: 600,
        m: 10,
        capacity: 10,
        t: 5,
        rsa_bits: 1024,
        group: dsmpc_core::group::GroupKind::Schnorr(1024),
        backend: BackendKind::Num,
        seed: Some(12),
        ..SessionConfig::default()
    };
    let opts = ProcessOptions {
        dps_per_host: 10,
        timeouts: Timeouts {
            selection_ms: 20_000,
            shares_ms: 60_000,
            round_ms: 20_000,
        },
        max_wall: Duration::from_secs(300),
        ..ProcessOptions::new(env!("CARGO_BIN_EXE_dsmpc").into())
    };
    let run = netns::run(&c, &opts, "lan").unwrap();
    assert_eq!(run.stats.hosts, 72);
    let unreachable: Vec<_> = run.hosts.iter().flat_map(|h| h.unreachable.clone()).collect();
    assert!(unreachable.is_empty(), "{unreachable:?}");
    let r = run.report.unwrap();
    assert!(r.matches());
    assert_eq!(neigh_limits(), before, "the neighbour table's limits were not put back");
    assert!(leftovers().is_empty(), "left behind: {:?}", leftovers());
}

#[test]
fn netns_with_an_unknown_profile_is_refused_before_anything_is_made() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = netns::available() {
        return cannot_run(
            concat!(
                module_path!(),
                "::netns_with_an_unknown_profile_is_refused_before_anything_is_made"
            ),
            why,
        );
    }
    let c = SessionConfig::default();
    let opts = ProcessOptions::new(env!("CARGO_BIN_EXE_dsmpc").into());
    let e = netns::run(&c, &opts, "moon").err().unwrap().to_string();
    assert!(e.contains("unknown link profile"), "{e}");
    assert!(leftovers().is_empty());
}

/// Ctrl-C during a `--net netns:lan` session, as a terminal sends it (SIGINT to the whole
/// process group) and as `kill -INT` sends it to the run alone: the run ends with a failure that
/// says it was interrupted, and no host process, namespace, veth or bridge of it is left.
#[test]
fn ctrl_c_mid_session_removes_every_namespace_link_and_process() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = netns::available() {
        return cannot_run(
            concat!(
                module_path!(),
                "::ctrl_c_mid_session_removes_every_namespace_link_and_process"
            ),
            why,
        );
    }
    for whole_group in [true, false] {
        common::cli::interrupted_leaves_no_host("netns:lan", whole_group);
        assert!(leftovers().is_empty(), "left behind: {:?}", leftovers());
    }
}

/// SIGTERM and SIGINT to `dsmpc run --net netns:lan` alone: exit 143 / 130, and no host
/// process, namespace, veth, bridge or deployment directory of it is left.
#[test]
fn sigterm_and_sigint_remove_every_namespace_link_process_and_key() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = netns::available() {
        return cannot_run(
            concat!(
                module_path!(),
                "::sigterm_and_sigint_remove_every_namespace_link_process_and_key"
            ),
            why,
        );
    }
    for sig in [libc::SIGTERM, libc::SIGINT] {
        common::cli::signalled_leaves_nothing("netns:lan", sig);
        assert!(leftovers().is_empty(), "left behind: {:?}", leftovers());
    }
}

/// SIGKILL to `dsmpc run --net netns:lan`: its hosts die with it; its namespaces and links,
/// named by its pid, are removed when the next netns run starts.
#[test]
fn what_a_sigkilled_controller_left_is_reaped_at_the_next_start() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(why) = netns::available() {
        return cannot_run(
            concat!(
                module_path!(),
                "::what_a_sigkilled_controller_left_is_reaped_at_the_next_start"
            ),
            why,
        );
    }
    let (pid, _) = common::cli::killed_run("netns:lan");
    let left = leftovers();
    assert!(
        left.iter().any(|n| netns::owner(n) == Some(pid as i32)),
        "the killed run left nothing named by its pid {pid}: {left:?}"
    );
    let out = common::cli::small_run(5, 3, 2)
        .args(["--net", "netns:lan", "--seed", "3"])
        .output()
        .unwrap();
    common::cli::succeeded(&out, "the netns run after a killed one");
    assert!(leftovers().is_empty(), "left behind: {:?}", leftovers());
}

/// Namespace and link names say which controller made them, so that two concurrent runs never
/// share one and a dead controller's are recognised.
#[test]
fn names_carry_the_controllers_pid() {
    assert_eq!(netns::owner("dsmpc-1234567-3"), Some(123456));
    assert_eq!(netns::owner("d1234567-12p"), Some(123456));
    assert_eq!(netns::owner("d1234567-br"), Some(123456));
    assert_eq!(netns::owner("dsmpc-probe-1"), None);
    assert_eq!(netns::owner("docker0"), None);
    assert_eq!(netns::owner("d12-x"), None);
}
