//! Number formatting, the one place for it: tables of the report, the regression and A/B
//! verdicts, figure ticks, captions and labels all write their numbers through these
//! functions, so that one quantity reads the same everywhere.

use crate::stats::Stat;

/// Significant-digit text for seconds and ratios in tables: about four significant digits,
/// integers from 1000 up, scientific below 1e-4.
pub fn sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a >= 1000.0 {
        return format!("{v:.0}");
    }
    if a < 1e-4 {
        return format!("{v:.2e}");
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// A fitted exponent with two decimals, never "-0.00".
pub fn exponent(x: f64) -> String {
    let v = if x.abs() < 0.005 { 0.0 } else { x };
    format!("{v:.2}")
}

/// `"1 point"`, `"3 points"`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A share as a whole percentage: `"41%"`.
pub fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

/// A share with one decimal, for shares of a few percent: `"4.1%"`.
pub fn pct1(v: f64) -> String {
    format!("{:.1}%", 100.0 * v)
}

/// A ratio: `"1.50x"`.
pub fn ratio(v: f64) -> String {
    format!("{v:.2}x")
}

/// A median with its range when the repetitions differ: `"1.234 [1.2–1.3]"`.
pub fn stat_text(s: &Stat) -> String {
    if s.count > 1 && s.max > s.min {
        format!("{} [{}–{}]", sig(s.median), sig(s.min), sig(s.max))
    } else {
        sig(s.median)
    }
}

/// Bytes in tables: `"534 B"`, `"12.3 kB"`, `"1.25 MB"`.
pub fn bytes_text(b: f64) -> String {
    if b >= 1e6 {
        format!("{:.2} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} kB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

/// Bytes with an SI prefix, for captions: `"534 B"`, `"12.3 kB"`.
pub fn bytes_si(b: f64) -> String {
    let s = fmt_si(b);
    match s.char_indices().last() {
        Some((i, c)) if c.is_alphabetic() => format!("{} {c}B", &s[..i]),
        _ => format!("{s} B"),
    }
}

/// An optional number with `digits` decimals, `"-"` when absent.
pub fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{x:.digits$}"))
}

/// An optional count in billions with four decimals (instruction counts): `"1.2345G"`.
pub fn opt_giga(v: Option<u64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{:.4}G", x as f64 / 1e9))
}

/// Compact decimal text for a tick value.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if a >= 1e4 {
        return fmt_si(v);
    }
    if a >= 1e-4 {
        let digits = if a >= 100.0 {
            0
        } else if a >= 1.0 {
            2
        } else {
            (-(a.log10().floor()) as usize) + 2
        };
        let s = format!("{v:.digits$}");
        return trim_zeros(&s);
    }
    let s = format!("{v:.1e}");
    s.replace(".0e", "e")
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// SI-suffixed text (1.5k, 20M) for counts and bytes.
pub fn fmt_si(v: f64) -> String {
    let a = v.abs();
    let (div, suf) = if a >= 1e9 {
        (1e9, "G")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let x = v / div;
    let s = if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else {
        trim_zeros(&format!("{x:.1}"))
    };
    format!("{s}{suf}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_text() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(0.001), "0.001");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(2.5), "2.5");
        assert_eq!(fmt_num(1e-4), "0.0001");
        assert_eq!(fmt_num(1e-5), "1e-5");
        assert_eq!(fmt_si(1500.0), "1.5k");
        assert_eq!(fmt_si(2_000_000.0), "2M");
    }

    #[test]
    fn table_numbers() {
        assert_eq!(sig(0.012345), "0.01235");
        assert_eq!(sig(1.5), "1.500");
        assert_eq!(sig(2.0e-5), "2.00e-5");
        assert_eq!(sig(1.23456), "1.235");
        assert_eq!(sig(1234.5), "1234");
        assert_eq!(exponent(-0.001), "0.00");
        assert_eq!(plural(1, "point"), "1 point");
        assert_eq!(plural(3, "point"), "3 points");
        assert_eq!(pct(0.414), "41%");
        assert_eq!(pct1(0.0414), "4.1%");
        assert_eq!(ratio(1.5), "1.50x");
        assert_eq!(bytes_text(1_250_000.0), "1.25 MB");
        assert_eq!(bytes_si(534.0), "534 B");
        assert_eq!(bytes_si(12_345.0), "12.3 kB");
        assert_eq!(opt(None, 2), "-");
        assert_eq!(opt(Some(1.0), 2), "1.00");
        assert_eq!(opt_giga(Some(1_234_500_000)), "1.2345G");
        assert_eq!(fmt_num(12345.0), "12.3k");
        let s = Stat::of(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(stat_text(&s), "2.000 [1.000–3.000]");
    }
}
