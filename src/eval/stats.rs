//! Correlation coefficients, in `f64`.

/// Pearson's correlation coefficient of `x` and `y` (NaN when they differ in length,
/// have fewer than 2 values, or one of them is constant).
///
/// ```
/// use pretrained_vectors::eval::pearson;
/// assert!((pearson(&[1.0, 2.0, 3.0], &[1.0, 2.0, 4.0]) - 0.98198).abs() < 1e-5);
/// ```
pub fn pearson(x: &[f64], y: &[f64]) -> f64 {
    if x.len() != y.len() || x.len() < 2 {
        return f64::NAN;
    }
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (da, db) = (a - mx, b - my);
        sxy += da * db;
        sxx += da * da;
        syy += db * db;
    }
    if sxx == 0.0 || syy == 0.0 {
        return f64::NAN;
    }
    (sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0)
}

/// Spearman's rank correlation of `x` and `y`: Pearson's of their ranks, tied values
/// sharing the average of their ranks (as `scipy.stats.spearmanr`).
///
/// ```
/// use pretrained_vectors::eval::spearman;
/// assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 1000.0]) - 1.0).abs() < 1e-12);
/// ```
pub fn spearman(x: &[f64], y: &[f64]) -> f64 {
    pearson(&ranks(x), &ranks(y))
}

/// 1-based ranks, ties averaged.
pub(crate) fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && v[order[j]] == v[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j share their mean.
        let rank = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            out[k] = rank;
        }
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_the_average_rank() {
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]), [4.0, 1.0, 4.0, 2.0, 4.0]);
        assert_eq!(ranks(&[]), Vec::<f64>::new());
    }

    #[test]
    fn known_values() {
        // By hand: dx = (-1, 0, 1), dy = (-4/3, -1/3, 5/3): sxy = 3, sxx = 2, syy = 42/9.
        let p = pearson(&[1.0, 2.0, 3.0], &[1.0, 2.0, 4.0]);
        assert!(
            (p - 3.0 / (2.0f64 * 42.0 / 9.0).sqrt()).abs() < 1e-15,
            "{p}"
        );
        // Without ties, Spearman is 1 - 6 sum(d^2) / (n (n^2 - 1)): d = (0, 1, -1, 0).
        let s = spearman(&[1.0, 2.0, 3.0, 4.0], &[10.0, 30.0, 20.0, 40.0]);
        assert!((s - (1.0 - 6.0 * 2.0 / 60.0)).abs() < 1e-15, "{s}");
        // With ties it is Pearson's of the averaged ranks.
        let x = [1.0, 2.0, 2.0, 3.0, 5.0];
        let y = [2.0, 1.0, 4.0, 4.0, 6.0];
        let want = pearson(&[1.0, 2.5, 2.5, 4.0, 5.0], &[2.0, 1.0, 3.5, 3.5, 5.0]);
        assert_eq!(spearman(&x, &y), want);
        assert!(pearson(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
        assert!(pearson(&[1.0], &[1.0]).is_nan());
    }
}
