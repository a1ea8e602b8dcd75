//! Rendering: every figure is drawn from the synthetic fixtures as SVG and PNG with the
//! expected axis labels; figures whose axis does not vary are skipped with a reason, and
//! stale files of skipped figures are removed. The network figures (12-14) are drawn from a
//! small `sessions.csv` written beside a fixture.

mod common;

use dsmpc_reports::Dataset;
use dsmpc_reports::figures::{self, render_dataset};

/// Expected text in each figure's SVG (axis titles with units, legend entries).
fn expected(id: &str) -> &'static [&'static str] {
    match id {
        "fig1" => &["work CPU time (s)", "data providers n", "cp_decrypt_verify"],
        "fig2" => &["work CPU time (s)", "selected computing parties k"],
        "fig3" => &[
            "work CPU time (s)",
            "RSA modulus (bits)",
            "group modulus p (bits)",
            "3072",
        ],
        "fig4" => &["bytes per session", "data providers n", "share_packet", "sent by DP"],
        "fig5" => &["share of session work (%)", "data providers n", "edge_reconstruct"],
        "fig6" => &["work CPU time (s)", "backend", "gmp", "num"],
        "fig7" => &["overhead: measured / cost-model bound", "party_auth_verify"],
        "fig8" => &["CPU time (s)", "work (sum)", "latency (max)"],
        "fig9" => &["work CPU time (s)", "cipher suite", "p256"],
        "fig10" => &[
            "work CPU time (s)",
            "bytes per session",
            "verification",
            "paper",
            "vss",
            "commitments",
            "dp_report",
            "agreed_set",
            "dp_set_agreement",
        ],
        "fig12" => &[
            "end-to-end latency (s)",
            "data providers n",
            "sim:lan",
            "process",
            "netns:lan",
        ],
        "fig13" => &["bytes per session", "protocol", "+ TLS", "+ TCP/IP", "netns:lan"],
        "fig14" => &[
            "measured latency (s)",
            "simulated latency (s)",
            "measured on",
            "netns:lan",
            "process",
        ],
        "fig15" => &["work CPU time (s)", "group", "schnorr-2048", "schnorr-3072"],
        _ => &[],
    }
}

fn check_rendered(fixture: &std::path::Path, rendered: &[&str], skipped: &[&str]) -> tempfile::TempDir {
    let ds = Dataset::load(fixture).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = render_dataset(&ds, out.path()).unwrap();
    let ids: Vec<&str> = outcome.rendered.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, rendered);
    let sk: Vec<&str> = outcome.skipped.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(sk, skipped);
    for r in &outcome.rendered {
        let svg = std::fs::read_to_string(&r.svg).unwrap();
        let png = std::fs::read(&r.png).unwrap();
        assert!(svg.len() > 4000, "{} SVG too small: {} bytes", r.id, svg.len());
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(png.len() > 10_000, "{} PNG too small: {} bytes", r.id, png.len());
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // 640 px wide
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 640);
        for text in expected(&r.id) {
            assert!(svg.contains(text), "{}: SVG lacks {text:?}", r.id);
        }
        assert!(!r.caption.is_empty() && r.caption.ends_with('.'));
    }
    for s in &outcome.skipped {
        assert!(!s.reason.is_empty());
    }
    out
}

#[test]
fn factorial_fixture_figures() {
    let out = check_rendered(
        &common::sweep(),
        &["fig1", "fig2", "fig4", "fig5", "fig6", "fig7", "fig8"],
        &[
            "fig3", "fig9", "fig10", "fig11", "fig12", "fig13", "fig14", "fig15", "fig16",
        ],
    );
    // one line style per threshold, named in the legend
    let fig1 = std::fs::read_to_string(out.path().join("fig1.svg")).unwrap();
    assert!(fig1.contains("t = 2") && fig1.contains("t = 3"));
}

#[test]
fn axes_fixture_figures() {
    let _out = check_rendered(
        &common::sweep_axes(),
        &["fig1", "fig3", "fig4", "fig5", "fig7", "fig8", "fig9", "fig10", "fig15"],
        &["fig2", "fig6", "fig11", "fig12", "fig13", "fig14", "fig16"],
    );
}

#[test]
fn render_all_writes_into_figures_and_removes_stale_files() {
    let dir = common::copy_fixture(&common::sweep());
    let figs = dir.path().join("figures");
    std::fs::create_dir_all(&figs).unwrap();
    std::fs::write(figs.join("fig9.png"), b"stale").unwrap();
    let files = figures::render_all(dir.path()).unwrap();
    assert_eq!(files.len(), 14);
    assert!(files.iter().all(|f| f.starts_with(&figs) && f.is_file()));
    assert!(!figs.join("fig9.png").exists());
}

#[test]
fn single_n_skips_the_n_figures() {
    let dir = common::copy_fixture(&common::sweep());
    for f in ["phases.csv", "messages.csv"] {
        common::edit_lines(dir.path(), f, |n, l| {
            (n == 1 || l.starts_with("n10-")).then(|| l.to_string())
        });
    }
    let ds = Dataset::load(dir.path()).unwrap();
    let plans = figures::describe(&ds);
    let skipped = |id: &str| plans.iter().find(|p| p.id == id).unwrap().caption.clone().unwrap_err();
    assert!(skipped("fig1").contains("`n`") || skipped("fig1").contains("n has a single value"));
    assert!(skipped("fig4").contains("n has a single value"));
    // the breakdown still draws (one bar per t)
    assert!(plans.iter().find(|p| p.id == "fig5").unwrap().caption.is_ok());
}

/// A `sessions.csv` for the factorial fixture's parameters: memory, sim:lan, process and
/// netns:lan at n = 10 and 20, two repetitions each (synthetic numbers of plausible size).
fn write_sessions(dir: &std::path::Path) {
    let mut text = String::from(
        "point,rep,net,profile,backend,suite,provider,verify,n,m,k,t,rsa_bits,group_bits,value_bits,seed,\
         e2e_s,rounds_s,protocol_bytes,tls_bytes,wire_bytes,connections,hosts,party_cpu_s,process_cpu_s,\
         transport_cpu_s,tls_handshake_cpu_s,tls_record_cpu_s,git_rev\n",
    );
    for n in [10u64, 20] {
        let proto = 30_000 * n;
        for (net, profile, e2e, tls, wire) in [
            ("memory", "", None, None, None),
            ("sim", "lan", Some(0.20), None, None),
            ("process", "", Some(0.22), Some(proto + 40_000), Some(proto + 40_000)),
            ("netns", "lan", Some(0.23), Some(proto + 40_000), Some(proto + 60_000)),
        ] {
            let full = if profile.is_empty() {
                net.to_string()
            } else {
                format!("{net}:{profile}")
            };
            let suffix = if net == "memory" {
                String::new()
            } else {
                format!("-{}", full.replace(':', "-"))
            };
            for rep in 0..2 {
                let e = e2e.map_or(String::new(), |x: f64| {
                    format!("{:.4}", x * n as f64 / 10.0 + 0.01 * rep as f64)
                });
                let opt = |v: Option<u64>| v.map_or(String::new(), |x| x.to_string());
                let measured = tls.is_some();
                text.push_str(&format!(
                    "n{n}-m3-k3-t2-rsa2048-g2048-gmp-batch{suffix},{rep},{full},{profile},gmp,rsa,rustcrypto,batch,{n},3,3,2,2048,2048,32,42,\
                     {e},{},{proto},{},{},{},{},0.5,{},{},{},{},0123abcd\n",
                    if e.is_empty() { String::new() } else { "task_announce=0.001;share_packet=0.1".into() },
                    opt(tls),
                    opt(wire),
                    if net == "memory" { String::new() } else { "12".into() },
                    if net == "memory" { String::new() } else { "6".into() },
                    if measured { "0.7" } else { "" },
                    if net == "memory" { "" } else { "0.05" },
                    if net == "memory" { "" } else { "0.02" },
                    if net == "sim" { "0.03" } else { "" },
                ));
            }
        }
    }
    std::fs::write(dir.join("sessions.csv"), text).unwrap();
}

#[test]
fn network_figures_are_drawn_from_sessions_csv() {
    let dir = common::copy_fixture(&common::sweep());
    write_sessions(dir.path());
    let ds = Dataset::load(dir.path()).unwrap();
    assert_eq!(ds.sessions.len(), 16);
    assert_eq!(ds.session_points().len(), 8);
    let out = check_rendered(
        dir.path(),
        &[
            "fig1", "fig2", "fig4", "fig5", "fig6", "fig7", "fig8", "fig12", "fig13", "fig14",
        ],
        &["fig3", "fig9", "fig10", "fig11", "fig15", "fig16"],
    );
    let plans = figures::describe(&ds);
    let caption = |id: &str| plans.iter().find(|p| p.id == id).unwrap().caption.clone().unwrap();
    // process and netns against sim:lan at n = 10 and 20: all four within 15% (0.20 vs 0.22 and 0.23).
    assert!(caption("fig14").contains("4 of 4 within it"), "{}", caption("fig14"));
    // The bytes figure holds n at its largest value.
    assert!(caption("fig13").contains("n=20"), "{}", caption("fig13"));
    let _ = out;
    // The report has the networks section with the TLS overhead per session.
    let report = dsmpc_reports::report::render(&ds);
    assert!(report.contains("## Networks"), "{report}");
    assert!(report.contains("| netns:lan | 20 |"), "{report}");
    assert!(
        report.contains("(+6.7%)"),
        "TLS overhead of the n = 20 process session: {report}"
    );
    assert!(report.contains("4 of 4 pairs within ±15%"), "{report}");
}

#[test]
fn network_figures_are_skipped_without_sessions() {
    let ds = Dataset::load(&common::sweep()).unwrap();
    let plans = figures::describe(&ds);
    for id in ["fig12", "fig13", "fig14"] {
        let why = plans.iter().find(|p| p.id == id).unwrap().caption.clone().unwrap_err();
        assert!(!why.is_empty(), "{id}");
    }
}

/// fig16 is drawn once `dim` varies (a `dim` column added to the factorial fixture: d = 1 at
/// t = 2, d = 1,000 at t = 3), and skipped otherwise (the fixtures above, without the column,
/// read as d = 1).
#[test]
fn vector_figure_is_drawn_when_dim_varies() {
    let dir = common::copy_fixture(&common::sweep());
    for f in ["phases.csv", "messages.csv"] {
        common::edit_lines(dir.path(), f, |n, l| {
            Some(match n {
                1 => format!("{l},dim,func"),
                _ if l.contains("-t3-") => format!("{l},1000,sum"),
                _ => format!("{l},1,sum"),
            })
        });
    }
    let ds = Dataset::load(dir.path()).unwrap();
    assert!(ds.phases.iter().any(|r| r.params.dim == 1000));
    let out = tempfile::tempdir().unwrap();
    let outcome = render_dataset(&ds, out.path()).unwrap();
    let fig16 = outcome.rendered.iter().find(|r| r.id == "fig16").expect("fig16 drawn");
    assert!(fig16.caption.starts_with("Vector inputs against"), "{}", fig16.caption);
    let svg = std::fs::read_to_string(&fig16.svg).unwrap();
    for text in [
        "work per element",
        "bytes per DP",
        "plain: elements x 8 B",
        "elements per DP input d",
    ] {
        assert!(svg.contains(text), "fig16 lacks {text:?}");
    }
}
