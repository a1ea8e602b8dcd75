//! The deployment file's parser refuses host names that would let one party be hosted twice or
//! a host directory escape the deployment (both found by the `deployment` fuzz target; the
//! inputs are in fuzz/corpus/deployment/crash-*).

use dsmpc_net::deploy::Deployment;

fn file(hosts: &str) -> String {
    format!(
        r#"[session]
dps = 4
cps = 2
capacity = 2
threshold = 2
suite = "rsa"
provider = "rustcrypto"
rsa_bits = 1024
group_bits = 1024
backend = "num"
verify = "batch"
seed = 1
value_bits = 32
freshness_s = 300

[timeouts]
selection_ms = 1000
shares_ms = 1000
round_ms = 1000

[[hosts]]
name = "cloud"
addr = "127.0.0.1:7100"

[[hosts]]
name = "edge"
addr = "127.0.0.1:7101"

[[hosts]]
name = "cp-2"
addr = "127.0.0.1:7103"
{hosts}"#
    )
}

fn parse(hosts: &str) -> Result<Deployment, String> {
    Deployment::parse(file(hosts).as_bytes()).map_err(|e| e.to_string())
}

const CP1: &str = "[[hosts]]\nname = \"cp-1\"\naddr = \"127.0.0.1:7102\"\n";
const DPS: &str = "[[hosts]]\nname = \"dps-1\"\naddr = \"127.0.0.1:7104\"\ndps = [1, 4]\n";

#[test]
fn a_well_formed_file_parses() {
    let d = parse(&format!("{CP1}{DPS}")).unwrap();
    assert_eq!(d.hosts.len(), 5);
}

#[test]
fn one_cp_under_two_spellings_is_refused() {
    for alias in ["cp-01", "cp-+1", "cp-001"] {
        let extra = format!("[[hosts]]\nname = \"{alias}\"\naddr = \"127.0.0.1:7199\"\n");
        let err = parse(&format!("{CP1}{extra}{DPS}")).unwrap_err();
        assert!(err.contains(alias) && err.contains("leading zeros"), "{alias}: {err}");
    }
}

#[test]
fn a_dps_name_that_is_not_one_path_component_is_refused() {
    for name in ["dps-../../etc", "dps-a/b", "dps-", "dps-a b"] {
        let dps = DPS.replace("dps-1", name);
        let err = parse(&format!("{CP1}{dps}")).unwrap_err();
        assert!(err.contains("host name") && err.contains(name), "{name}: {err}");
    }
}

#[test]
fn parameters_are_parsed_once_when_the_file_is_read() {
    let d = parse(&format!("{CP1}{DPS}")).unwrap();
    assert_eq!(d.session.verify, dsmpc_core::pvss::VerifyMode::Batch);
    assert_eq!(d.session.provider, dsmpc_roles::suite::Provider::RustCrypto);
    let text = file(&format!("{CP1}{DPS}")).replace("verify = \"batch\"", "verify = \"hopeful\"");
    let err = Deployment::parse(text.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("deployment.toml") && err.contains("hopeful"), "{err}");
    let text = file(&format!("{CP1}{DPS}")).replace("provider = \"rustcrypto\"\n", "");
    let d = Deployment::parse(text.as_bytes()).unwrap();
    assert_eq!(
        d.session.provider,
        dsmpc_roles::suite::Provider::RustCrypto,
        "the default of old files"
    );
}

#[test]
fn the_group_is_read_by_name_and_older_files_name_it_by_its_bits() {
    use dsmpc_core::group::GroupKind;
    let d = parse(&format!("{CP1}{DPS}")).unwrap();
    assert_eq!(
        d.config().unwrap().group,
        GroupKind::Schnorr(1024),
        "a file without `group`"
    );
    let named =
        file(&format!("{CP1}{DPS}")).replace("group_bits = 1024\n", "group_bits = 0\ngroup = \"ristretto255\"\n");
    let d = Deployment::parse(named.as_bytes()).unwrap();
    assert_eq!(d.config().unwrap().group, GroupKind::Ristretto255);
    let bad = file(&format!("{CP1}{DPS}")).replace("group_bits = 1024\n", "group_bits = 1024\ngroup = \"curve9\"\n");
    let e = Deployment::parse(bad.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("curve9") && e.contains("ristretto255"), "{e}");
    let mixed =
        file(&format!("{CP1}{DPS}")).replace("group_bits = 1024\n", "group_bits = 1024\ngroup = \"ristretto255\"\n");
    let e = Deployment::parse(mixed.as_bytes()).unwrap_err().to_string();
    assert!(e.contains("group_bits"), "{e}");
}
