//! Rows the vector file did not have: how they are initialised.
//!
//! Every random row depends only on the seed and its token (its own random stream,
//! [`Rng::for_key`]), so adding a word to the vocabulary, reordering it or changing
//! the thread count never changes another row.

use serde::{Deserialize, Serialize};

use crate::rng::Rng;

/// How rows for vocabulary words absent from the file are initialised.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum MissingInit {
    /// Random, matched to the pretrained statistics: each dimension drawn from a
    /// normal with that dimension's mean and standard deviation over the vectors
    /// found (after Kim 2014). The default. With no vector found it falls back to
    /// Keras' uniform range, and the report says so. Named `random` in a report's
    /// JSON, as the command line's `--missing random` and its summary name it
    /// (`matched` is read too).
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
    pub count: usize,
}

impl Stats {
    /// Statistics of `rows`, summed in the order given (callers give a fixed order,
    /// so the result does not depend on vocabulary order or threads).
    pub(crate) fn of<'a>(dims: usize, rows: impl Iterator<Item = &'a [f32]>) -> Stats {
        let mut sum = vec![0f64; dims];
        let mut sq = vec![0f64; dims];
        let mut count = 0;
        for row in rows {
            count += 1;
            for ((s, q), &v) in sum.iter_mut().zip(sq.iter_mut()).zip(row) {
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
        Stats { mean, std, count }
    }
}

/// Fills `out` for `token` as `init` says. Returns the initialiser actually used
/// (`Matched` without statistics becomes Keras' uniform).
pub(crate) fn fill(
    init: MissingInit,
    stats: &Stats,
    seed: u64,
    token: &str,
    out: &mut [f32],
) -> MissingInit {
    let mut rng = Rng::for_key(seed, token.as_bytes());
    match init {
        MissingInit::Matched if stats.count == 0 => {
            fill(MissingInit::KERAS_UNIFORM, stats, seed, token, out)
        }
        MissingInit::Matched => {
            for ((o, m), s) in out.iter_mut().zip(&stats.mean).zip(&stats.std) {
                *o = (m + s * rng.normal()) as f32;
            }
            init
        }
        MissingInit::Uniform { low, high } => {
            for o in out.iter_mut() {
                *o = rng.uniform(f64::from(low), f64::from(high)) as f32;
            }
            init
        }
        MissingInit::Normal { std } => {
            for o in out.iter_mut() {
                *o = (f64::from(std) * rng.normal()) as f32;
            }
            init
        }
        MissingInit::Zeros => {
            out.fill(0.0);
            init
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
        for d in 0..3 {
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
