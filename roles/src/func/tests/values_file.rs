//! The values file: lines of D values parsed exactly (fixed point never through binary floating
//! point), every error naming the file, line and column, the file bounded, arbitrary text never
//! a panic.

use super::super::input::parse_fixed;
use super::*;

fn rows(text: &str, n: usize, s: FuncSpec) -> Result<Vec<InputRow>> {
    parse_rows(text, "values.txt", n, &s)
}

fn err(text: &str, n: usize, s: FuncSpec) -> String {
    rows(text, n, s).unwrap_err().to_string()
}

#[test]
fn parses_lines_of_values() {
    let s = spec(Func::Sum, 3, 8, 0);
    let got = rows("# DPs\n1, 2, 3\n\n  4 5 6  \n7,8 9\n+0,255,\t1\n", 4, s).unwrap();
    let want: Vec<InputRow> = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [0, 255, 1]]
        .into_iter()
        .map(|r| InputRow::Unsigned(r.to_vec()))
        .collect();
    assert_eq!(got, want);
    let h = spec(Func::Histogram { buckets: 4 }, 1, 32, 0);
    assert_eq!(
        rows("0\r\n3\r\n", 2, h).unwrap(),
        vec![InputRow::Bucket(0), InputRow::Bucket(3)]
    );
    let v = spec(Func::VectorSum, 2, 16, 2);
    assert_eq!(
        rows("-1.25, 3\n.5 -0\n", 2, v).unwrap(),
        vec![InputRow::Signed(vec![-5, 12]), InputRow::Signed(vec![2, 0])]
    );
}

#[test]
fn errors_name_file_line_and_column() {
    let s = spec(Func::Sum, 3, 8, 0);
    let e = err("1 2 3\n\n# x\n4 5 x\n", 2, s);
    assert!(
        e.starts_with("values.txt: line 4, column 3: \"x\" is not a non-negative integer"),
        "{e}"
    );
    let e = err("1 2 3\n4 -5 6\n", 2, s);
    assert!(e.contains("line 2, column 2: \"-5\" is negative"), "{e}");
    let e = err("1 2 256\n", 1, s);
    assert!(
        e.contains("line 1, column 3: \"256\" is too large: values must be below 2^8 (at most 255"),
        "{e}"
    );
    let e = err("1 2 99999999999999999999999999\n", 1, s);
    assert!(e.contains("column 3") && e.contains("too large"), "{e}");
    let e = err("1 2 3 4\n", 1, s);
    assert!(
        e.contains("line 1, column 4: \"4\" is one value too many: a line holds 3 values"),
        "{e}"
    );
    let e = err("1 2\n", 1, s);
    assert!(
        e.contains("line 1, column 3: missing: the line has 2 values; a line holds 3 values (one DP; --dim 3)"),
        "{e}"
    );
    let e = err("1,,2,3\n", 1, s);
    assert!(e.contains("line 1, column 2: an empty value"), "{e}");
    let e = err("1,2,3,\n", 1, s);
    assert!(e.contains("line 1, column 4: an empty value"), "{e}");
    let e = err("1 2 3\n1 2 3\n1 2 3\n", 2, s);
    assert!(e.contains("more than 2 lines of values (line 3)"), "{e}");
    let e = err("1 2 3\n", 2, s);
    assert!(e.contains("has 1 lines of values but --dps is 2"), "{e}");
    let e = err(&format!("1 2 {}\n", "3".repeat(2000)), 1, s);
    assert!(
        e.contains("line 1:") && e.contains("longer than 1120 bytes") && e.contains("(2004 bytes)"),
        "{e}"
    );
    let e = err("1.5 2 3\n", 1, s);
    assert!(e.contains("column 1") && e.contains("fractions: vector-sum"), "{e}");
    let h = spec(Func::Histogram { buckets: 4 }, 1, 32, 0);
    assert!(err("4\n", 1, h).contains("line 1, column 1: \"4\" is out of range: buckets are 0 to 3"));
    assert!(err("1 2\n", 1, h).contains("column 2: \"2\" is one value too many: a line holds one bucket index"));
    assert!(err("-1\n", 1, h).contains("negative"));
    // The spec is checked first.
    assert!(err("1\n", 1, spec(Func::Sum, 1, 64, 0)).contains("--value-bits 64"));
}

fn fixed(tok: &str, v: u32, f: u32) -> std::result::Result<i64, String> {
    parse_fixed(tok, v, f)
}

#[test]
fn fixed_point_is_exact() {
    assert_eq!(fixed("0.1", 32, 20), Ok(104_858)); // 104857.6
    assert_eq!(fixed("-0.1", 32, 20), Ok(-104_858));
    assert_eq!(fixed("0.1", 63, 40), Ok(109_951_162_778)); // 109951162777.6, the big-integer path
    assert_eq!(fixed("0.5", 8, 0), Ok(1)); // ties away from zero
    assert_eq!(fixed("-0.5", 8, 0), Ok(-1));
    assert_eq!(fixed("2.5", 8, 0), Ok(3));
    assert_eq!(fixed("-2.5", 8, 0), Ok(-3));
    assert_eq!(fixed("2.4999", 8, 0), Ok(2));
    assert_eq!(fixed("0.25", 8, 1), Ok(1));
    assert_eq!(fixed("-1.25", 8, 2), Ok(-5));
    assert_eq!(fixed("3", 8, 2), Ok(12));
    assert_eq!(fixed("+3.", 8, 2), Ok(12));
    assert_eq!(fixed(".75", 8, 2), Ok(3));
    assert_eq!(fixed("-0", 8, 2), Ok(0));
    assert_eq!(fixed("-0.0001", 8, 2), Ok(0));
    assert_eq!(fixed("0000000000000000000000000000000000000000001.5", 8, 1), Ok(3));
    // Digits past the (F+1)-th cannot change the result; an f64 would round these to 0.5.
    assert_eq!(fixed("0.49999999999999999999999999999999999999999", 8, 0), Ok(0));
    assert_eq!(fixed("0.50000000000000000000000000000000000000001", 8, 0), Ok(1));
    assert_eq!(
        fixed("0.1000000000000000000000000000000000000000000001", 32, 20),
        Ok(104_858)
    );
    // The range at v = 8, F = 4: [-8, 7.9375].
    assert_eq!(fixed("7.9375", 8, 4), Ok(127));
    assert_eq!(fixed("-8", 8, 4), Ok(-128));
    assert_eq!(fixed("-8.03", 8, 4), Ok(-128)); // -128.48 rounds to -128
    let e = fixed("-8.04", 8, 4).unwrap_err();
    assert!(e.contains("out of range") && e.contains("[-8, 7.9375]"), "{e}");
    assert!(fixed("7.97", 8, 4).unwrap_err().contains("out of range"));
    assert!(
        fixed("99999999999999999999999999999999", 8, 4)
            .unwrap_err()
            .contains("out of range")
    );
    // The extremes of v = 63.
    assert_eq!(fixed("-4611686018427387904", 63, 0), Ok(-(1 << 62)));
    assert_eq!(fixed("4611686018427387903", 63, 0), Ok((1 << 62) - 1));
    assert!(fixed("4611686018427387904", 63, 0).is_err());
    assert_eq!(fixed("-1", 63, 62), Ok(-(1 << 62)));
    assert!(fixed("1", 63, 62).is_err());
    for bad in ["1e-3", "1E3", "-2.5e1"] {
        assert!(fixed(bad, 32, 8).unwrap_err().contains("exponent notation"), "{bad}");
    }
    for bad in [
        ".", "-", "+", "", "1.2.3", "--1", "1-", "0x10", "inf", "NaN", "1,5", " 1", "١",
    ] {
        assert!(fixed(bad, 32, 8).unwrap_err().contains("not a decimal number"), "{bad}");
    }
    let e = err("1 2\n0.5 1e-3\n", 2, spec(Func::VectorSum, 2, 32, 8));
    assert!(e.contains("line 2, column 2: \"1e-3\" is in exponent notation"), "{e}");
}

#[test]
fn fixed_point_matches_exact_rationals() {
    // x = N / 10^k: round(x 2^F) half away from zero, computed in i128.
    let mut rng = seeded(3, "func fixed");
    for _ in 0..20_000 {
        let f = below(&mut rng, 21) as u32;
        let k = below(&mut rng, 8) as u32;
        let big = (rng.next_u64() >> 24) as i128; // < 2^40
        let num = if rng.next_u64() & 1 == 1 { -big } else { big };
        let pow = 10i128.pow(k);
        let text = {
            let (i, r) = (num.unsigned_abs() / pow as u128, num.unsigned_abs() % pow as u128);
            let sign = if num < 0 { "-" } else { "" };
            if k == 0 {
                format!("{sign}{i}")
            } else {
                format!("{sign}{i}.{r:0width$}", width = k as usize)
            }
        };
        let twice = 2 * num.abs() * (1i128 << f);
        let mag = (twice + pow) / (2 * pow);
        let want = if num < 0 { -mag } else { mag };
        let v = 62;
        assert_eq!(fixed(&text, v, f), Ok(want as i64), "{text} F={f}");
    }
    // Every scaled integer, written out exactly, reads back to itself.
    for _ in 0..20_000 {
        let v = 1 + below(&mut rng, 63) as u32;
        let f = below(&mut rng, u64::from(v)) as u32;
        let m = (rng.next_u64() as i64) >> (64 - v);
        let text = exact::dyadic(i128::from(m), f);
        assert_eq!(fixed(&text, v, f), Ok(m), "{text} v={v} F={f}");
    }
}

#[test]
fn read_rows_bounds_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.txt");
    let s = spec(Func::VectorMean, 2, 16, 4);
    std::fs::write(&path, "1.5, -2\n# c\n0 0\n").unwrap();
    assert_eq!(
        read_rows(&path, 2, &s).unwrap(),
        vec![InputRow::Signed(vec![24, -32]), InputRow::Signed(vec![0, 0])]
    );
    std::fs::write(&path, "0 0\n".repeat(400_000)).unwrap();
    let e = read_rows(&path, 2, &s).unwrap_err().to_string();
    assert!(e.contains("v.txt") && e.contains("is larger than 1050752 bytes"), "{e}");
    std::fs::write(&path, b"0 \xff\n").unwrap();
    assert!(read_rows(&path, 1, &s).unwrap_err().to_string().contains("not UTF-8"));
}

/// Hostile text: whatever the bytes, `parse_rows` returns, and a row it returns encodes.
#[test]
fn arbitrary_text_never_panics() {
    const PIECES: &[&str] = &[
        "0",
        "1",
        "7",
        "9",
        "-",
        "+",
        ".",
        ",",
        " ",
        "\t",
        "\n",
        "\r\n",
        "#",
        "e",
        "E",
        "é",
        "١",
        "\u{0}",
        "255",
        "256",
        "-128",
        "127.99",
        "0.5",
        "99999999999999999999999",
        ",,",
        "histogram",
        "\u{2003}",
        "\u{feff}",
    ];
    let specs = [
        spec(Func::Sum, 2, 8, 0),
        spec(Func::Mean, 1, 63, 0),
        spec(Func::MeanVar, 3, 8, 0),
        spec(Func::Histogram { buckets: 3 }, 1, 8, 0),
        spec(Func::VectorSum, 2, 8, 3),
        spec(Func::VectorMean, 1, 63, 62),
        spec(Func::VectorSum, 1, 40, 39),
    ];
    let mut rng = seeded(4, "func fuzz");
    for i in 0..30_000 {
        let len = below(&mut rng, 40) as usize;
        let text: String = if i % 5 == 0 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            (0..len)
                .map(|_| PIECES[below(&mut rng, PIECES.len() as u64) as usize])
                .collect()
        };
        for s in &specs {
            for n in [1, 2, 3] {
                if let Ok(rows) = parse_rows(&text, "fuzz", n, s) {
                    assert_eq!(rows.len(), n);
                    for r in &rows {
                        s.encode(r).unwrap();
                    }
                }
            }
        }
    }
}
