//! Rows the vector file did not have: how they are initialised.
//!
//! Every random row depends only on the seed and its token (its own random stream,
//! [`Rng::for_key`]), so adding a word to the vocabulary, reordering it or changing
//! the thread count never changes another row.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::rng::Rng;

/// How rows for vocabulary words absent from the file are initialised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MissingInit {
    /// Random, matched to the pretrained statistics: each dimension drawn from a
    /// normal with that dimension's mean and standard deviation over the vectors
    /// found (after Kim 2014). The default. A dimension with no spread over the
    /// vectors found (all equal, or fewer than two vectors found) is drawn from
    /// Keras' uniform range instead, and the report says how many
    /// ([`AlignReport::matched_flat_dims`](crate::AlignReport::matched_flat_dims));
    /// with no dimension of spread the whole row is Keras' uniform. Draws past the
    /// finite `f32` range (values near `f32::MAX`) are clamped to it.
    /// Named `random` in a report's JSON, as the command line's `--missing
    /// random` and its summary name it (`matched` is read too).
    #[serde(rename = "random", alias = "matched")]
    Matched,
    /// Uniform in `[low, high)`; Keras' `Embedding` default is `[-0.05, 0.05)`.
    Uniform {
        /// Lower bound.
        low: f32,
        /// Upper bound.
        high: f32,
    },
    /// Normal with mean 0 and the given standard deviation.
    Normal {
        /// Standard deviation.
        std: f32,
    },
    /// Zeros.
    Zeros,
}

impl MissingInit {
    /// Keras' default `Embedding` initialiser, uniform in `[-0.05, 0.05)`.
    pub const KERAS_UNIFORM: MissingInit = MissingInit::Uniform {
        low: -0.05,
        high: 0.05,
    };
}

/// How the reserved OOV row is initialised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OovInit {
    /// The mean of the vectors found (the default).
    Mean,
    /// Random, as missing rows are (keyed by the OOV token).
    Random,
    /// Zeros.
    Zeros,
}

/// Per-dimension mean and standard deviation of the vectors found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stats {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
    /// Per dimension, whether the vectors found have no spread there: all equal,
    /// or fewer than two vectors. Matched rows draw those dimensions from Keras'
    /// uniform instead (a normal of spread 0 would copy the one value).
    pub flat: Vec<bool>,
    pub count: usize,
}

impl Stats {
    /// Statistics of `rows`, summed in the order given (callers give a fixed order,
    /// so the result does not depend on vocabulary order or threads). Sums are
    /// `f64`, so values near `f32::MAX` cannot overflow them.
    pub(crate) fn of<'a>(dims: usize, rows: impl Iterator<Item = &'a [f32]>) -> Stats {
        let mut sum = vec![0f64; dims];
        let mut sq = vec![0f64; dims];
        let mut lo = vec![f32::INFINITY; dims];
        let mut hi = vec![f32::NEG_INFINITY; dims];
        let mut count = 0;
        for row in rows {
            count += 1;
            // Zipped rather than indexed: no bounds checks, and the compiler keeps
            // the four running values of a dimension together. Each dimension sums
            // in row order as before, so the results are the same bits.
            let cells = sum.iter_mut().zip(&mut sq).zip(lo.iter_mut().zip(&mut hi));
            for (((s, q), (l, h)), &v) in cells.zip(row) {
                *l = l.min(v);
                *h = h.max(v);
                let v = f64::from(v);
                *s += v;
                *q += v * v;
            }
        }
        let n = count.max(1) as f64;
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let std = sq
            .iter()
            .zip(&mean)
            .map(|(q, m)| (q / n - m * m).max(0.0).sqrt())
            .collect();
        let flat = lo
            .iter()
            .zip(&hi)
            .map(|(l, h)| count < 2 || l == h)
            .collect();
        Stats {
            mean,
            std,
            flat,
            count,
        }
    }

    /// Dimensions that matched rows draw from Keras' uniform (see `flat`).
    pub(crate) fn flat_dims(&self) -> usize {
        self.flat.iter().filter(|&&f| f).count()
    }
}

/// The default a matched dimension falls back to: Keras' uniform bounds.
const KERAS_BOUND: f64 = 0.05;

/// Rounds a draw to `f32`, within the finite range: a table never holds an
/// infinity it was not given, even where a normal's tail passes `f32::MAX`.
#[inline]
fn finite_f32(x: f64) -> f32 {
    x.clamp(-f64::from(f32::MAX), f64::from(f32::MAX)) as f32
}

/// Fills `out` for `token` as `init` says. Returns the initialiser actually used
/// (`Matched` with no dimension of spread becomes Keras' uniform).
pub(crate) fn fill(
    init: MissingInit,
    stats: &Stats,
    seed: u64,
    token: &str,
    out: &mut [f32],
) -> MissingInit {
    let mut rng = Rng::for_key(seed, token.as_bytes());
    match init {
        MissingInit::Matched if stats.flat.iter().all(|&f| f) => {
            fill(MissingInit::KERAS_UNIFORM, stats, seed, token, out)
        }
        MissingInit::Matched => {
            for (((o, m), s), &flat) in out
                .iter_mut()
                .zip(&stats.mean)
                .zip(&stats.std)
                .zip(&stats.flat)
            {
                *o = if flat {
                    rng.uniform(-KERAS_BOUND, KERAS_BOUND) as f32
                } else {
                    finite_f32(m + s * rng.normal())
                };
            }
            init
        }
        MissingInit::Uniform { low, high } => {
            for o in out.iter_mut() {
                *o = finite_f32(rng.uniform(f64::from(low), f64::from(high)));
            }
            init
        }
        MissingInit::Normal { std } => {
            for o in out.iter_mut() {
                *o = finite_f32(f64::from(std) * rng.normal());
            }
            init
        }
        MissingInit::Zeros => {
            out.fill(0.0);
            init
        }
    }
}

impl MissingInit {
    /// Checks the parameters: finite bounds with `low <= high`, a finite standard
    /// deviation of at least 0.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] (option `missing`) naming the bad parameter.
    pub fn check(&self) -> Result<()> {
        let bad = |message: String| {
            Err(Error::InvalidOption {
                option: "missing",
                message,
            })
        };
        match *self {
            MissingInit::Uniform { low, high }
                if !(low.is_finite() && high.is_finite() && low <= high) =>
            {
                bad(format!(
                    "uniform [{low}, {high}); expected finite bounds with low <= high"
                ))
            }
            MissingInit::Normal { std } if !(std.is_finite() && std >= 0.0) => bad(format!(
                "normal with std {std}; expected a finite standard deviation of at least 0"
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_rows_follow_the_statistics() {
        let rows: Vec<Vec<f32>> = (0..1000)
            .map(|i| vec![i as f32, 5.0, -(i as f32) * 2.0])
            .collect();
        let stats = Stats::of(3, rows.iter().map(|r| r.as_slice()));
        assert_eq!(stats.count, 1000);
        assert!((stats.mean[0] - 499.5).abs() < 1e-9 && stats.std[1] == 0.0);
        let drawn: Vec<Vec<f32>> = (0..4000)
            .map(|i| {
                let mut o = vec![0f32; 3];
                fill(MissingInit::Matched, &stats, 9, &format!("w{i}"), &mut o);
                o
            })
            .collect();
        let again = Stats::of(3, drawn.iter().map(|r| r.as_slice()));
        // Dim 1 has no spread: it is drawn from Keras' uniform, not copied.
        assert_eq!(stats.flat, [false, true, false]);
        assert!(drawn.iter().all(|r| (-0.05..0.05).contains(&r[1])));
        assert!(again.mean[1].abs() < 0.005 && (again.std[1] - 0.1 / 12f64.sqrt()).abs() < 0.002);
        for d in [0, 2] {
            assert!(
                (again.mean[d] - stats.mean[d]).abs() < 0.05 * stats.std[d] + 1e-6,
                "dim {d}"
            );
            assert!(
                (again.std[d] - stats.std[d]).abs() < 0.05 * stats.std[d] + 1e-6,
                "dim {d}"
            );
        }
    }

    #[test]
    fn rows_depend_only_on_seed_and_token() {
        let stats = Stats::of(
            4,
            [[1f32, 2., 3., 4.].as_slice(), &[2., 0., 1., 3.]].into_iter(),
        );
        let draw = |seed, tok: &str| {
            let mut o = vec![0f32; 4];
            fill(MissingInit::Matched, &stats, seed, tok, &mut o);
            o
        };
        assert_eq!(draw(1, "x"), draw(1, "x"));
        assert_ne!(draw(1, "x"), draw(2, "x"));
        assert_ne!(draw(1, "x"), draw(1, "y"));
        let mut o = vec![0f32; 4];
        let used = fill(
            MissingInit::Matched,
            &Stats::of(4, std::iter::empty()),
            1,
            "x",
            &mut o,
        );
        assert_eq!(used, MissingInit::KERAS_UNIFORM);
        assert!(o.iter().all(|v| (-0.05..0.05).contains(v)));
    }
}
