//! How far a table moved from where it started (before and after fine-tuning): the
//! cosine of each row with its start, and whether a sample of words kept their
//! nearest neighbours.

use std::fmt;

use rayon::prelude::*;
use serde::Serialize;

use super::batch::{Combo, Rule};
use super::{dot64, Embeddings, Space};
use crate::error::{Dims, Error, Result, ShapeFault};
use crate::rng::Rng;

/// What [`drift()`] measures.
///
/// ```
/// use pretrained_vectors::eval::DriftOptions;
/// let options = DriftOptions::new()
///     .sample(1000)   // default: neighbours of 1,000 words
///     .top_k(10)      // default: their 10 nearest neighbours
///     .seed(0);       // default: which words are sampled
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftOptions {
    sample: usize,
    top_k: usize,
    seed: u64,
    most_moved: usize,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            sample: 1000,
            top_k: 10,
            seed: 0,
            most_moved: 10,
        }
    }
}

impl DriftOptions {
    /// The defaults: 1,000 sampled words, 10 neighbours, seed 0, 10 most moved rows.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many words' neighbours are compared (all shared words if fewer).
    pub fn sample(mut self, n: usize) -> Self {
        self.sample = n;
        self
    }

    /// How many nearest neighbours each sampled word is compared on.
    pub fn top_k(mut self, k: usize) -> Self {
        self.top_k = k;
        self
    }

    /// The seed of the sample (the same seed, the same words).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many of the rows that moved most are listed.
    pub fn most_moved(mut self, n: usize) -> Self {
        self.most_moved = n;
        self
    }
}

/// A row and the cosine with its start.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftRow {
    /// The word.
    pub word: String,
    /// Its row in the table after.
    pub row: usize,
    /// Cosine of its vectors before and after (1 for an unchanged row, 0 when one of
    /// them is zero and the other is not).
    pub cosine: f32,
}

/// The result of [`drift()`]; `Display` prints it as a short text report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftReport {
    /// Words in both tables (the rows compared).
    pub shared: usize,
    /// Words only in the table before.
    pub only_before: usize,
    /// Words only in the table after.
    pub only_after: usize,
    /// Shared rows whose values did not change at all.
    pub unchanged: usize,
    /// Mean cosine of each shared row with its start.
    pub mean_cosine: f64,
    /// Quantiles of those cosines: minimum, 1%, 5%, 25%, median, 75%, maximum.
    pub cosine_quantiles: [f32; 7],
    /// The rows that moved most (lowest cosine first).
    pub most_moved: Vec<DriftRow>,
    /// Words whose neighbours were compared.
    pub sample: usize,
    /// Neighbours compared per word.
    pub top_k: usize,
    /// Mean share of a sampled word's `top_k` neighbours before that are still among
    /// its `top_k` neighbours after (1 = the neighbourhoods did not change).
    pub neighbour_overlap: f64,
}

/// Compares two tables with the same words (matched by word, so the rows may be in
/// another order): the cosine of each shared word's vectors, and for a seeded sample
/// of shared words the overlap of their nearest neighbours (by cosine, among all
/// rows of each table, the word itself left out).
///
/// ```
/// use pretrained_vectors::eval::{drift, DriftOptions};
/// use pretrained_vectors::Vectors;
/// let before = pretrained_vectors::read("fixtures/glove.6B.50d.20k.txt.gz")?;
/// let (words, mut m) = before.clone().into_parts();
/// m.row_mut(0).mapv_inplace(|x| -x); // "the" turned around
/// let after = Vectors::new(words, m)?;
/// let report = drift(&before, &after, &DriftOptions::new().sample(50))?;
/// assert_eq!(report.most_moved[0].word, "the");
/// assert_eq!(report.unchanged, 19_999);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// [`Error::Shape`] when the tables differ in dimensions, [`Error::ShapeFault`]
/// when they share no word.
pub fn drift(
    before: &dyn Embeddings,
    after: &dyn Embeddings,
    options: &DriftOptions,
) -> Result<DriftReport> {
    let (b, a) = (before.matrix(), after.matrix());
    if b.ncols() != a.ncols() {
        return Err(Error::Shape {
            what: "drift",
            expected: Dims::count(b.ncols(), "dims (the table before)"),
            found: Dims::count(a.ncols(), "dims"),
        });
    }
    // (row after, row before) of every word after that the table before has.
    let shared: Vec<(u32, u32)> = after
        .words()
        .iter()
        .enumerate()
        .filter_map(|(ra, w)| before.row(w).map(|rb| (ra as u32, rb as u32)))
        .collect();
    if shared.is_empty() {
        return Err(Error::ShapeFault {
            what: "drift",
            fault: Box::new(ShapeFault::NoSharedWord),
        });
    }
    let sb = Space::new(before);
    let sa = Space::new(after);
    let same = |ra: u32, rb: u32| {
        let (x, y) = (a.row(ra as usize), b.row(rb as usize));
        x.iter()
            .zip(y.iter())
            .all(|(p, q)| p.to_bits() == q.to_bits())
    };
    let cosines: Vec<f32> = shared
        .par_iter()
        .map(|&(ra, rb)| {
            if same(ra, rb) {
                1.0
            } else {
                dot64(sa.unit.row(ra as usize), sb.unit.row(rb as usize)) as f32
            }
        })
        .collect();
    let unchanged = shared.par_iter().filter(|&&(ra, rb)| same(ra, rb)).count();
    let mut order: Vec<usize> = (0..shared.len()).collect();
    order.sort_by(|&i, &j| cosines[i].total_cmp(&cosines[j]).then(i.cmp(&j)));
    let quantile = |q: f64| cosines[order[((order.len() - 1) as f64 * q).round() as usize]];
    let most_moved = order
        .iter()
        .take(options.most_moved)
        .map(|&i| DriftRow {
            word: after.words()[shared[i].0 as usize].clone(),
            row: shared[i].0 as usize,
            cosine: cosines[i],
        })
        .collect();

    // The sample, and its neighbours in each table (by word).
    let picked = sample(shared.len(), options.sample, options.seed);
    let k = options.top_k;
    let neighbours = |space: &Space<'_>, rows: Vec<u32>| -> Vec<Vec<u32>> {
        let combos: Vec<Combo> = rows
            .iter()
            .map(|&r| Combo {
                terms: vec![(r, 1.0)],
                exclude: vec![r],
            })
            .collect();
        space
            .top_k(space.len(), &combos, Rule::Add, k)
            .into_iter()
            .map(|hits| hits.into_iter().map(|(r, _)| r).collect())
            .collect()
    };
    let nb = neighbours(&sb, picked.iter().map(|&i| shared[i].1).collect());
    let na = neighbours(&sa, picked.iter().map(|&i| shared[i].0).collect());
    let overlap: f64 = nb
        .iter()
        .zip(&na)
        .map(|(before_rows, after_rows)| {
            let after_words: Vec<&str> = after_rows
                .iter()
                .map(|&r| after.words()[r as usize].as_str())
                .collect();
            let kept = before_rows
                .iter()
                .filter(|&&r| after_words.contains(&before.words()[r as usize].as_str()))
                .count();
            if k == 0 {
                1.0
            } else {
                kept as f64 / k as f64
            }
        })
        .sum();
    Ok(DriftReport {
        shared: shared.len(),
        only_before: before.words().len() - shared.len(),
        only_after: after.words().len() - shared.len(),
        unchanged,
        mean_cosine: cosines.iter().map(|&c| f64::from(c)).sum::<f64>() / cosines.len() as f64,
        cosine_quantiles: [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 1.0].map(quantile),
        most_moved,
        sample: picked.len(),
        top_k: k,
        neighbour_overlap: if picked.is_empty() {
            1.0
        } else {
            overlap / picked.len() as f64
        },
    })
}

/// `n` of `0..len` (all of them if fewer), seeded, in increasing order.
fn sample(len: usize, n: usize, seed: u64) -> Vec<usize> {
    let mut all: Vec<usize> = (0..len).collect();
    if n < len {
        let mut rng = Rng::new(seed);
        // A partial Fisher-Yates shuffle: the first n are a uniform sample.
        for i in 0..n {
            let j = i + rng.below((len - i) as u64) as usize;
            all.swap(i, j);
        }
        all.truncate(n);
        all.sort_unstable();
    }
    all
}

impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "drift: {} shared words ({} only before, {} only after), {} unchanged",
            self.shared, self.only_before, self.only_after, self.unchanged
        )?;
        let q = self.cosine_quantiles;
        writeln!(
            f,
            "  cosine to start  mean {:.4}  min {:.4}  1% {:.4}  5% {:.4}  25% {:.4}  median {:.4}  75% {:.4}  max {:.4}",
            self.mean_cosine, q[0], q[1], q[2], q[3], q[4], q[5], q[6]
        )?;
        writeln!(
            f,
            "  neighbours       {:.1}% of the top {} kept (mean over {} sampled words)",
            100.0 * self.neighbour_overlap,
            self.top_k,
            self.sample
        )?;
        if !self.most_moved.is_empty() {
            write!(f, "  moved most      ")?;
            for r in &self.most_moved {
                write!(f, " {} {:.4}", r.word, r.cosine)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vectors;
    use ndarray::array;

    #[test]
    fn identical_tables_do_not_drift() {
        let words: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        let m = array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]];
        let v = Vectors::new(words, m).unwrap();
        let r = drift(&v, &v, &DriftOptions::new().top_k(2)).unwrap();
        assert_eq!((r.shared, r.unchanged, r.mean_cosine), (4, 4, 1.0));
        assert_eq!(r.neighbour_overlap, 1.0);
    }

    #[test]
    fn rows_are_matched_by_word() {
        let before = Vectors::new(
            vec!["x".into(), "y".into(), "z".into()],
            array![[1.0f32, 0.0], [0.0, 1.0], [0.0, 0.0]],
        )
        .unwrap();
        let after = Vectors::new(
            vec!["y".into(), "x".into(), "w".into(), "z".into()],
            array![[0.0f32, 2.0], [1.0, 1.0], [5.0, 5.0], [1.0, 0.0]],
        )
        .unwrap();
        let r = drift(&before, &after, &DriftOptions::new()).unwrap();
        assert_eq!((r.shared, r.only_before, r.only_after), (3, 0, 1));
        // z went from zero to (1, 0): cosine 0; x turned by 45 degrees.
        assert_eq!(r.most_moved[0].word, "z");
        assert_eq!(r.most_moved[0].cosine, 0.0);
        assert!((r.most_moved[1].cosine - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert!(r
            .to_string()
            .contains("3 shared words (0 only before, 1 only after)"));
    }

    #[test]
    fn the_sample_is_seeded_and_sorted() {
        let s = sample(100, 10, 7);
        assert_eq!(s, sample(100, 10, 7));
        assert_ne!(s, sample(100, 10, 8));
        assert!(s.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(sample(5, 10, 0), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn other_dims_are_refused() {
        let a = Vectors::new(vec!["x".into()], array![[1.0f32, 0.0]]).unwrap();
        let b = Vectors::new(vec!["x".into()], array![[1.0f32, 0.0, 0.0]]).unwrap();
        assert!(matches!(
            drift(&a, &b, &DriftOptions::new()),
            Err(Error::Shape {
                expected: Dims::Count { n: 2, .. },
                found: Dims::Count { n: 3, .. },
                ..
            })
        ));
        let c = Vectors::new(vec!["y".into()], array![[1.0f32, 0.0]]).unwrap();
        let e = drift(&a, &c, &DriftOptions::new()).unwrap_err();
        assert!(
            matches!(&e, Error::ShapeFault { fault, .. } if **fault == ShapeFault::NoSharedWord),
            "{e}"
        );
        assert!(e.to_string().contains("no shared word"), "{e}");
    }
}
