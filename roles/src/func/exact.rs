//! Exact arithmetic for decoding: a ratio of integers to the nearest `f64` (one rounding, not
//! two), a ratio to a decimal string with a fixed number of places (rounded half away from
//! zero, as `event::exact_average`), and the exact decimal of a fixed-point value `m / 2^f`.
//!
//! The common cases stay in `u128`; only what could overflow it (a denominator of 2^64 or
//! more, a long remainder) goes through `num-bigint`.

use num_bigint::BigUint;

/// `num / den` rounded to the nearest `f64` (ties to even), `den > 0`.
///
/// Both below 2^53: one IEEE division of exact operands. Otherwise a quotient of at least 64
/// significant bits whose last bit is set when the division was inexact (a sticky bit), so
/// that the one conversion to `f64` rounds as the exact quotient would, scaled back by a
/// power of two (exact: the result is far from the subnormal range).
pub(crate) fn ratio(num: u128, den: u128) -> f64 {
    debug_assert!(den > 0, "ratio with a zero denominator");
    if num == 0 || den == 0 {
        return 0.0;
    }
    if num < 1 << 53 && den < 1 << 53 {
        return num as f64 / den as f64;
    }
    if den < 1 << 64 {
        // num << s is in [2^127, 2^128): the quotient is at least 2^127 / 2^64 = 2^63.
        let s = num.leading_zeros();
        let top = num << s;
        let q = (top / den) | u128::from(!top.is_multiple_of(den));
        return q as f64 * pow2(-(s as i32));
    }
    // den >= 2^64: shift num so that the quotient has 64 or 65 bits (at most 2^65).
    let (nb, db) = (BigUint::from(num), BigUint::from(den));
    let shift = (64 + db.bits()).saturating_sub(nb.bits());
    let top = nb << shift;
    let (q, r) = (&top / &db, &top % &db);
    let q = u128::try_from(q).unwrap_or(u128::MAX) | u128::from(r.bits() != 0);
    q as f64 * pow2(-(shift as i32))
}

/// `2^e` for `|e| <= 1000` (exact).
pub(crate) fn pow2(e: i32) -> f64 {
    2f64.powi(e)
}

/// `sign * num / den` to `places` decimal places (at most 18), rounded half away from zero;
/// `den > 0`. No minus sign on a result that rounds to zero.
pub(crate) fn decimal(neg: bool, num: u128, den: u128, places: u32) -> String {
    let den = den.max(1);
    let scale = 10u128.pow(places.min(18));
    let (mut int, rem) = (num / den, num % den);
    // round(rem * scale / den) half up = (floor(2 rem scale / den) + 1) / 2.
    let twice = match rem.checked_mul(2 * scale) {
        Some(x) => x / den,
        None => {
            let q = BigUint::from(rem) * BigUint::from(2 * scale) / BigUint::from(den);
            // q < 2 scale <= 2 * 10^18
            u128::try_from(q).unwrap_or(2 * scale)
        }
    };
    let mut frac = twice.div_ceil(2).min(scale);
    if frac == scale {
        int += 1;
        frac = 0;
    }
    let sign = if neg && (int > 0 || frac > 0) { "-" } else { "" };
    if places == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0width$}", width = places.min(18) as usize)
    }
}

/// The exact decimal of `m / 2^f` (`f <= 64`), without trailing zeros: `-3 / 2^2` is `-0.75`.
pub(crate) fn dyadic(m: i128, f: u32) -> String {
    let f = f.min(64);
    let sign = if m < 0 { "-" } else { "" };
    let mag = m.unsigned_abs();
    let int = mag >> f;
    let rem = mag & ((1u128 << f) - 1);
    if rem == 0 {
        return format!("{sign}{int}");
    }
    // rem / 2^f = rem 5^f / 10^f: f decimal digits.
    let digits = (BigUint::from(rem) * BigUint::from(5u32).pow(f)).to_string();
    let padded = format!("{digits:0>width$}", width = f as usize);
    format!("{sign}{int}.{}", padded.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact rational `num / den` compared with the f64 `x`: whether `x` is the nearest
    /// double (checked against its neighbours, in big integers).
    fn is_nearest(num: u128, den: u128, x: f64) -> bool {
        // x = mant * 2^exp exactly; compare |num/den - x| with the neighbours' distances.
        let dist = |y: f64| -> BigUint {
            // y = mant 2^exp (a positive normal double); everything times 2^K.
            const K: i32 = 300;
            let bits = y.to_bits();
            let exp = ((bits >> 52) & 0x7ff) as i32 - 1075;
            let mant = (bits & ((1 << 52) - 1)) | (1 << 52);
            let yb = (BigUint::from(mant) * BigUint::from(den)) << (K + exp) as u32;
            let nb = BigUint::from(num) << K as u32;
            if nb > yb { nb - yb } else { yb - nb }
        };
        let up = f64::from_bits(x.to_bits() + 1);
        let down = f64::from_bits(x.to_bits() - 1);
        let d = dist(x);
        d <= dist(up) && d <= dist(down)
    }

    #[test]
    fn ratio_is_correctly_rounded() {
        let cases: [(u128, u128); 9] = [
            (1, 3),
            (2, 3),
            (u64::MAX as u128, 3),
            ((1u128 << 100) + 1, 7),
            ((1u128 << 127) - 1, (1u128 << 63) + 5),
            (u128::MAX, 1 << 70),
            (u128::MAX / 3, (1u128 << 90) + 12345),
            ((1u128 << 64) + 1, (1u128 << 64) - 1),
            (12345678901234567890123, 98765432109876543),
        ];
        for (n, d) in cases {
            let x = ratio(n, d);
            assert!(x >= 1.0 / 1024.0 && is_nearest(n, d, x), "{n}/{d} -> {x}");
        }
        // A tie between two doubles broken by the remainder: (2^53 + 1) / 1 is a tie (to
        // even, down); (2^54 + 2 + 1/3 ...) just above it must round up.
        assert_eq!(ratio((1 << 53) + 1, 1), 9007199254740992.0);
        assert_eq!(ratio(3 * ((1 << 53) + 1) + 1, 3), 9007199254740994.0);
        assert_eq!(ratio(0, 5), 0.0);
        assert_eq!(ratio(7, 2), 3.5);
    }

    #[test]
    fn decimals_round_half_away_from_zero() {
        assert_eq!(decimal(false, 10, 4, 2), "2.50");
        assert_eq!(decimal(false, 2, 3, 3), "0.667");
        assert_eq!(decimal(false, 1, 3, 0), "0");
        assert_eq!(decimal(false, 5, 2, 0), "3");
        assert_eq!(decimal(true, 5, 2, 0), "-3");
        assert_eq!(decimal(true, 1, 8, 2), "-0.13");
        assert_eq!(decimal(true, 1, 1000, 2), "0.00");
        assert_eq!(decimal(false, 9_999_995, 10_000_000, 6), "1.000000");
        assert_eq!(decimal(false, u128::MAX, u128::MAX - 1, 6), "1.000000");
        assert_eq!(decimal(false, (1 << 127) + 1, 1 << 127, 6), "1.000000");
    }

    #[test]
    fn dyadics_are_exact() {
        assert_eq!(dyadic(-3, 2), "-0.75");
        assert_eq!(dyadic(8, 2), "2");
        assert_eq!(dyadic(1, 20), "0.00000095367431640625");
        assert_eq!(dyadic(-(1 << 62), 62), "-1");
        assert_eq!(dyadic((1 << 62) - 1, 62).len(), 2 + 62);
    }
}
