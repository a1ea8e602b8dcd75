//! Small, dependency-free statistics used by the figures, the report and the regression
//! check: median with min and max over repetitions, relative spread, geometric means and
//! least-squares fits (plain and log-log, pooled over groups).

/// Median, minimum and maximum of a set of repetitions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stat {
    /// Median (mean of the two middle values for an even count).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Number of values.
    pub count: usize,
}

impl Stat {
    /// Summarises `values`; `None` when there are none or one is not finite.
    pub fn of(values: &[f64]) -> Option<Stat> {
        if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Some(Stat {
            median: median_sorted(&v),
            min: v[0],
            max: v[v.len() - 1],
            count: v.len(),
        })
    }

    /// Relative spread `(max - min) / median`; 0 for a single value or a zero median.
    pub fn spread(&self) -> f64 {
        if self.median > 0.0 {
            (self.max - self.min) / self.median
        } else {
            0.0
        }
    }

    /// This statistic with every field multiplied by `factor` (> 0).
    pub fn scaled(&self, factor: f64) -> Stat {
        Stat {
            median: self.median * factor,
            min: self.min * factor,
            max: self.max * factor,
            count: self.count,
        }
    }
}

fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median of `values`, ignoring nothing; `None` when empty or when a value is not finite.
pub fn median(values: &[f64]) -> Option<f64> {
    Stat::of(values).map(|s| s.median)
}

/// Geometric mean of positive values; `None` when empty or when a value is not positive.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    if values.is_empty()
        || values
            .iter()
            .any(|v| v.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) || !v.is_finite())
    {
        return None;
    }
    Some((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

/// A least-squares line `y = slope * x + intercept`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fit {
    /// Slope (the exponent, for a log-log fit).
    pub slope: f64,
    /// Intercept (for a pooled fit: 0, groups are centred).
    pub intercept: f64,
    /// Coefficient of determination of the (centred) data, in [0, 1].
    pub r2: f64,
    /// Number of points used.
    pub points: usize,
}

/// Ordinary least squares through `(x, y)` pairs; `None` with fewer than two distinct x.
pub fn fit_line(points: &[(f64, f64)]) -> Option<Fit> {
    let f = pooled_fit(&[points.to_vec()])?;
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    Some(Fit {
        intercept: my - f.slope * mx,
        ..f
    })
}

/// Slope of `ln y` against `ln x` (the exponent `e` of `y ~ x^e`); points with a
/// non-positive coordinate are ignored.
pub fn loglog_fit(points: &[(f64, f64)]) -> Option<Fit> {
    let logs: Vec<(f64, f64)> = points
        .iter()
        .filter(|(x, y)| *x > 0.0 && *y > 0.0)
        .map(|(x, y)| (x.ln(), y.ln()))
        .collect();
    fit_line(&logs)
}

/// Common slope of several groups that share the slope but not the intercept (a
/// fixed-effects fit: each group is centred on its own means first). Used for the
/// `n`-exponent when other parameters vary between groups. Groups with fewer than two
/// distinct x contribute nothing; `None` when no group has two.
pub fn pooled_fit(groups: &[Vec<(f64, f64)>]) -> Option<Fit> {
    let (mut sxx, mut sxy, mut syy, mut used) = (0.0, 0.0, 0.0, 0usize);
    for g in groups {
        if g.len() < 2 {
            continue;
        }
        let n = g.len() as f64;
        let mx = g.iter().map(|p| p.0).sum::<f64>() / n;
        let my = g.iter().map(|p| p.1).sum::<f64>() / n;
        let gxx: f64 = g.iter().map(|p| (p.0 - mx).powi(2)).sum();
        if gxx <= f64::EPSILON * mx.abs().max(1.0) {
            continue;
        }
        sxx += gxx;
        sxy += g.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>();
        syy += g.iter().map(|p| (p.1 - my).powi(2)).sum::<f64>();
        used += g.len();
    }
    if used < 2 || sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let r2 = if syy > 0.0 {
        (sxy * sxy / (sxx * syy)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Some(Fit {
        slope,
        intercept: 0.0,
        r2,
        points: used,
    })
}

/// Pooled log-log fit: [`pooled_fit`] on `(ln x, ln y)`, dropping non-positive values.
pub fn pooled_loglog_fit(groups: &[Vec<(f64, f64)>]) -> Option<Fit> {
    let logs: Vec<Vec<(f64, f64)>> = groups
        .iter()
        .map(|g| {
            g.iter()
                .filter(|(x, y)| *x > 0.0 && *y > 0.0)
                .map(|(x, y)| (x.ln(), y.ln()))
                .collect()
        })
        .collect();
    pooled_fit(&logs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_odd_even() {
        let s = Stat::of(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.count), (2.0, 1.0, 3.0, 3));
        assert_eq!(Stat::of(&[4.0, 1.0, 2.0, 3.0]).unwrap().median, 2.5);
        assert!(Stat::of(&[]).is_none());
        assert!(Stat::of(&[1.0, f64::NAN]).is_none());
        assert!((Stat::of(&[0.9, 1.0, 1.1]).unwrap().spread() - 0.2).abs() < 1e-12);
    }

    #[test]
    fn pooled_ignores_intercepts() {
        let a: Vec<_> = (1..5).map(|x| (x as f64, 2.0 * x as f64 + 1.0)).collect();
        let b: Vec<_> = (1..5).map(|x| (x as f64, 2.0 * x as f64 + 100.0)).collect();
        let f = pooled_fit(&[a, b, vec![(1.0, 5.0)]]).unwrap();
        assert!((f.slope - 2.0).abs() < 1e-12 && (f.r2 - 1.0).abs() < 1e-12 && f.points == 8);
    }
}
