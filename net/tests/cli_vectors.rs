//! `dsmpc run` with vector inputs: a values file of D values per line (seeded and not) on the
//! memory and sim networks, its result in full with `--output`, hostile values files refused
//! with line and column and exit code 2, and what vector sessions refuse (bad-result in the
//! paper's modes, limits). Processes and deployments: `cli_vectors_process.rs`.

mod common;

use common::cli::{dsmpc, seed, small_run, succeeded, tmp};

#[test]
fn a_values_file_of_vectors_on_memory_and_sim() {
    for (s, net) in [(Some("4"), "memory"), (None, "memory"), (None, "sim:lan")] {
        let d = tmp("cli-vectors", &format!("ok-{}-{}", s.is_some(), net.replace(':', "-")));
        let values = d.join("values.txt");
        std::fs::write(
            &values,
            "# 4 DPs, 3 values each\n1, 2, 3\n10 20 30\n0,0,0\n# last\n2147483647,1,2\n",
        )
        .unwrap();
        let output = d.join("result.csv");
        let out = small_run(4, 4, 3)
            .args(["--func", "meanvar", "--dim", "3", "--value-bits", "31", "--net", net])
            .args(seed(s))
            .arg("--values")
            .arg(&values)
            .arg("--output")
            .arg(&output)
            .output()
            .unwrap();
        let stdout = succeeded(&out, net);
        assert!(stdout.contains("MATCH"), "{stdout}");
        let csv = std::fs::read_to_string(&output).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "coordinate,sum,sum_of_squares,mean,variance");
        // Coordinate 2: values 2, 20, 0, 1: sum 23, sum of squares 405, mean 5.75.
        assert!(lines[2].starts_with("2,23,405,5.75,"), "{csv}");
        // Coordinate 1 reaches 2^31 - 1: sum 2147483658.
        assert!(lines[1].starts_with("1,2147483658,"), "{csv}");
    }
}

#[test]
fn hostile_vector_values_files_are_refused_with_line_and_column() {
    let d = tmp("cli-vectors", "bad");
    for (name, text, says) in [
        ("short", "1,2,3\n4,5\n6,7,8\n", "line 2"),
        ("negative", "1,2,3\n4,-5,6\n6,7,8\n", "column 2"),
        ("too-big", "1,2,3\n4,5,6\n6,7,99999999999\n", "line 3"),
        ("not-a-number", "1,2,3\n4,x,6\n6,7,8\n", "column 2"),
        ("too-few-lines", "1,2,3\n", "3"),
    ] {
        let values = d.join(format!("{name}.txt"));
        std::fs::write(&values, text).unwrap();
        let out = small_run(3, 3, 2)
            .args(["--func", "sum", "--dim", "3", "--value-bits", "32"])
            .arg("--values")
            .arg(&values)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    }
}

#[test]
fn what_vector_sessions_refuse() {
    for (args, says) in [
        (vec!["--inject", "bad-result:cp=1"], "bad-result"),
        (vec!["--func", "meanvar", "--value-bits", "33"], "value-bits"),
        (vec!["--func", "histogram:0"], "histogram"),
        (vec!["--frac-bits", "3"], "frac"),
    ] {
        let out = small_run(3, 3, 2).args(["--dim", "4"]).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // deploy init refuses what run refuses, before writing anything.
    let d = tmp("cli-vectors", "deploy");
    let out = dsmpc()
        .args(["deploy", "init"])
        .arg(d.join("dep"))
        .args(["--dps", "3", "--dim", "4", "--func", "meanvar", "--value-bits", "33"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("value-bits"), "{stderr}");
    assert!(!d.join("dep").exists(), "nothing written");
}
