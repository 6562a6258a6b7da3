//! Checking vectors and tables the way gensim does, fast: cosine similarity, nearest
//! words ([`Space::most_similar`], [`Space::most_similar_cosmul`]), word analogies
//! ([`Space::evaluate_analogies`], the `questions-words.txt` format), word-pair
//! similarity ([`Space::evaluate_pairs`], WordSim-353 and SimLex-999), and the drift
//! of a fine-tuned table from where it started ([`drift()`]).
//!
//! A [`Space`] holds the unit-length rows of any [`Embeddings`] ([`Vectors`], an
//! [`EmbeddingTable`], a [`SavedTable`]); the values of the source are never changed.
//! Queries follow gensim 4.4's rules, so scores can be compared with published ones:
//!
//! ```
//! use pretrained_vectors::eval::{Query, Space};
//! let vectors = pretrained_vectors::read("fixtures/glove.6B.50d.20k.txt.gz")?;
//! let space = Space::new(&vectors);
//! let best = space.most_similar(&Query::new().positive(["king", "woman"]).negative(["man"]).topn(1))?;
//! assert_eq!(best[0].word, "queen");
//! assert!(space.similarity("cat", "dog")? > 0.9);
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```
//!
//! Every multi-query operation (analogies, batches of queries, drift neighbours) is
//! batched: see [`Space::most_similar_batch`].
//!
//! [`Vectors`]: crate::Vectors
//! [`EmbeddingTable`]: crate::EmbeddingTable
//! [`SavedTable`]: crate::table::SavedTable

use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::table::SavedTable;
use crate::{EmbeddingTable, Vectors};

mod analogies;
mod batch;
mod drift;
mod pairs;
mod stats;
mod words;

pub use analogies::{Analogies, AnalogyScore, Question, Section, SectionScore};
pub use drift::{drift, DriftOptions, DriftReport, DriftRow};
pub use pairs::{Pair, PairScore, Pairs};
pub use stats::{pearson, spearman};

use batch::{Combo, Rule};

/// Rows of vectors with a word for each: what the queries of this module read.
///
/// Implemented for [`Vectors`], [`EmbeddingTable`] and [`SavedTable`]; implement it
/// for your own matrix and word list to query them the same way.
pub trait Embeddings: Sync {
    /// The matrix, one row per word.
    fn matrix(&self) -> ArrayView2<'_, f32>;
    /// The words, in row order.
    fn words(&self) -> &[String];
    /// The row of `word`, if it has one.
    fn row(&self, word: &str) -> Option<usize>;
}

impl Embeddings for Vectors {
    fn matrix(&self) -> ArrayView2<'_, f32> {
        Vectors::matrix(self)
    }
    fn words(&self) -> &[String] {
        Vectors::words(self)
    }
    fn row(&self, word: &str) -> Option<usize> {
        Vectors::row(self, word)
    }
}

impl Embeddings for EmbeddingTable {
    fn matrix(&self) -> ArrayView2<'_, f32> {
        self.weights().view()
    }
    fn words(&self) -> &[String] {
        self.vocab().tokens()
    }
    fn row(&self, word: &str) -> Option<usize> {
        self.vocab().get(word)
    }
}

impl Embeddings for SavedTable {
    fn matrix(&self) -> ArrayView2<'_, f32> {
        self.weights()
    }
    fn words(&self) -> &[String] {
        self.vocab().tokens()
    }
    fn row(&self, word: &str) -> Option<usize> {
        self.vocab().get(word)
    }
}

/// A word found near a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    /// Its row.
    pub row: usize,
    /// The word.
    pub word: String,
    /// Its score: the cosine with the query for [`Space::most_similar`], the 3CosMul
    /// objective for [`Space::most_similar_cosmul`].
    pub score: f32,
}

/// A `most_similar` query: positive and negative words with weights, how many
/// neighbours, and which rows are searched.
///
/// ```
/// use pretrained_vectors::eval::Query;
/// let q = Query::new()
///     .positive(["paris", "italy"])   // weight +1 each
///     .negative(["france"])           // weight -1
///     .topn(5)                        // default 10
///     .restrict_vocab(100_000);       // default: every row
/// assert_eq!(q.terms().len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    terms: Vec<(String, f32)>,
    topn: usize,
    restrict_vocab: Option<usize>,
}

impl Default for Query {
    fn default() -> Self {
        Query {
            terms: Vec::new(),
            topn: 10,
            restrict_vocab: None,
        }
    }
}

impl Query {
    /// An empty query: 10 neighbours, every row searched.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds words of weight +1.
    pub fn positive<S: Into<String>>(mut self, words: impl IntoIterator<Item = S>) -> Self {
        self.terms
            .extend(words.into_iter().map(|w| (w.into(), 1.0)));
        self
    }

    /// Adds words of weight -1.
    pub fn negative<S: Into<String>>(mut self, words: impl IntoIterator<Item = S>) -> Self {
        self.terms
            .extend(words.into_iter().map(|w| (w.into(), -1.0)));
        self
    }

    /// Adds a word with its own weight (gensim's `(word, weight)` tuples); a
    /// negative weight makes it a negative word.
    pub fn weighted(mut self, word: impl Into<String>, weight: f32) -> Self {
        self.terms.push((word.into(), weight));
        self
    }

    /// How many neighbours to return (default 10).
    pub fn topn(mut self, n: usize) -> Self {
        self.topn = n;
        self
    }

    /// Searches only the first `n` rows (gensim's `restrict_vocab`; default: all).
    /// The query words themselves may be anywhere.
    pub fn restrict_vocab(mut self, n: usize) -> Self {
        self.restrict_vocab = Some(n);
        self
    }

    /// The words and their weights, in the order given.
    pub fn terms(&self) -> &[(String, f32)] {
        &self.terms
    }
}

/// How benchmark files are scored: gensim 4.4's defaults.
///
/// ```
/// use pretrained_vectors::eval::EvalOptions;
/// let options = EvalOptions::new()
///     .restrict_vocab(Some(300_000)) // default: the first 300,000 rows
///     .case_insensitive(true)        // default: compare upper-cased words
///     .cosmul(false);                // default: 3CosAdd for analogies
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalOptions {
    restrict_vocab: Option<usize>,
    case_insensitive: bool,
    cosmul: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            restrict_vocab: Some(300_000),
            case_insensitive: true,
            cosmul: false,
        }
    }
}

impl EvalOptions {
    /// gensim's defaults: the first 300,000 rows, case-insensitive, 3CosAdd.
    pub fn new() -> Self {
        Self::default()
    }

    /// Looks benchmark words up (and searches answers) among the first `n` rows only;
    /// `None` for every row. Default `Some(300_000)`, as gensim.
    pub fn restrict_vocab(mut self, n: Option<usize>) -> Self {
        self.restrict_vocab = n;
        self
    }

    /// Compares words upper-cased, a word meaning the first row that upper-cases to
    /// it (default `true`, as gensim).
    pub fn case_insensitive(mut self, yes: bool) -> Self {
        self.case_insensitive = yes;
        self
    }

    /// Answers analogies by 3CosMul instead of 3CosAdd (default `false`; gensim's
    /// `evaluate_word_analogies` always uses 3CosAdd).
    pub fn cosmul(mut self, yes: bool) -> Self {
        self.cosmul = yes;
        self
    }

    pub(crate) fn matching(&self, rows: usize) -> words::Matching {
        words::Matching {
            limit: self.restrict_vocab.map_or(rows, |n| n.min(rows)),
            case_insensitive: self.case_insensitive,
        }
    }
}

/// The unit-length rows of an [`Embeddings`], ready for cosine queries.
///
/// Building it copies the matrix once with every row scaled to length 1 (a zero row
/// stays zero, and its cosine with anything is 0).
pub struct Space<'a> {
    source: &'a dyn Embeddings,
    unit: Array2<f32>,
}

impl std::fmt::Debug for Space<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Space({} x {})", self.unit.nrows(), self.unit.ncols())
    }
}

impl<'a> Space<'a> {
    /// The space of `source`'s rows.
    pub fn new(source: &'a dyn Embeddings) -> Self {
        Space {
            source,
            unit: unit_rows(source.matrix()),
        }
    }

    /// The rows' source.
    pub fn source(&self) -> &'a dyn Embeddings {
        self.source
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.unit.nrows()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.unit.nrows() == 0
    }

    /// The unit-length rows.
    pub fn unit_rows(&self) -> ArrayView2<'_, f32> {
        self.unit.view()
    }

    /// The row of `word`.
    ///
    /// # Errors
    /// [`Error::UnknownWord`] when the source has no such word.
    pub fn row(&self, word: &str) -> Result<usize> {
        self.source.row(word).ok_or_else(|| Error::UnknownWord {
            word: word.to_string(),
            restricted: None,
        })
    }

    /// The cosine similarity of two words (gensim's `similarity`).
    ///
    /// # Errors
    /// [`Error::UnknownWord`] for a word the source does not have.
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32> {
        Ok(self.cosine(self.row(a)?, self.row(b)?))
    }

    /// The cosine of rows `a` and `b`, accumulated in `f64`.
    pub(crate) fn cosine(&self, a: usize, b: usize) -> f32 {
        dot64(self.unit.row(a), self.unit.row(b)) as f32
    }

    /// The words nearest to the mean of the query's unit vectors (positive words
    /// added, negative words subtracted, with their weights), by cosine against every
    /// row searched, the query words left out: gensim's `most_similar`.
    ///
    /// # Errors
    /// [`Error::UnknownWord`] for a query word the source does not have;
    /// [`Error::InvalidOption`] for a query without words.
    pub fn most_similar(&self, query: &Query) -> Result<Vec<Neighbour>> {
        Ok(self
            .batch(std::slice::from_ref(query), Rule::Add)?
            .remove(0))
    }

    /// The words that maximise 3CosMul (Levy and Goldberg 2014): the product of
    /// `(1 + cos) / 2` with the positive words over that with the negative words
    /// (plus `1e-6`), the query words left out: gensim's `most_similar_cosmul`. Unlike
    /// gensim's, it honours [`Query::restrict_vocab`]. Weights other than their sign
    /// are ignored, as in gensim.
    ///
    /// # Errors
    /// As [`Space::most_similar`], and [`Error::InvalidOption`] for a query without
    /// positive words.
    pub fn most_similar_cosmul(&self, query: &Query) -> Result<Vec<Neighbour>> {
        Ok(self
            .batch(std::slice::from_ref(query), Rule::Mul)?
            .remove(0))
    }

    /// [`Space::most_similar`] for many queries in one pass over the rows per block
    /// of queries (see the module docs), in parallel; `cosmul` switches to
    /// [`Space::most_similar_cosmul`]'s rule. Results are in query order and do not
    /// depend on the number of threads.
    ///
    /// ```
    /// use pretrained_vectors::eval::{Query, Space};
    /// let vectors = pretrained_vectors::read("fixtures/glove.6B.50d.20k.txt.gz")?;
    /// let space = Space::new(&vectors);
    /// let queries: Vec<Query> = ["frog", "paris"].iter().map(|w| Query::new().positive([*w]).topn(3)).collect();
    /// let best = space.most_similar_batch(&queries, false)?;
    /// assert!(best[0].iter().all(|n| n.word != "frog")); // the query word is left out
    /// assert_eq!(best[1].len(), 3);
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Space::most_similar`], for the first query that fails.
    pub fn most_similar_batch(
        &self,
        queries: &[Query],
        cosmul: bool,
    ) -> Result<Vec<Vec<Neighbour>>> {
        self.batch(queries, if cosmul { Rule::Mul } else { Rule::Add })
    }

    fn batch(&self, queries: &[Query], rule: Rule) -> Result<Vec<Vec<Neighbour>>> {
        let mut plans = Vec::with_capacity(queries.len());
        for q in queries {
            if q.terms.is_empty() || (rule == Rule::Mul && !q.terms.iter().any(|t| t.1 > 0.0)) {
                return Err(Error::InvalidOption {
                    option: "Query",
                    message: "a query needs at least one positive word".into(),
                });
            }
            let mut terms = Vec::with_capacity(q.terms.len());
            for (word, weight) in &q.terms {
                let w = if rule == Rule::Mul {
                    weight.signum()
                } else {
                    *weight
                };
                terms.push((self.row(word)? as u32, w));
            }
            plans.push(terms);
        }
        // Group by restriction (usually one group).
        let mut out: Vec<Vec<Neighbour>> = vec![Vec::new(); queries.len()];
        let mut limits: Vec<usize> = queries
            .iter()
            .map(|q| self.limit(q.restrict_vocab))
            .collect();
        limits.sort_unstable();
        limits.dedup();
        for limit in limits {
            let members: Vec<usize> = (0..queries.len())
                .filter(|&i| self.limit(queries[i].restrict_vocab) == limit)
                .collect();
            let topn = members.iter().map(|&i| queries[i].topn).max().unwrap_or(0);
            let combos: Vec<Combo> = members
                .iter()
                .map(|&i| Combo {
                    exclude: plans[i].iter().map(|t| t.0).collect(),
                    terms: plans[i].clone(),
                })
                .collect();
            let best = self.top_k(limit, &combos, rule, topn);
            for ((&i, combo), hits) in members.iter().zip(&combos).zip(best) {
                let scale = match rule {
                    Rule::Add => 1.0 / self.query_norm(&combo.terms).max(f32::MIN_POSITIVE),
                    Rule::Mul => 1.0,
                };
                out[i] = hits
                    .into_iter()
                    .take(queries[i].topn)
                    .map(|(row, s)| Neighbour {
                        row: row as usize,
                        word: self.source.words()[row as usize].clone(),
                        score: s * scale,
                    })
                    .collect();
            }
        }
        Ok(out)
    }

    /// Rows searched under `restrict_vocab`.
    fn limit(&self, restrict_vocab: Option<usize>) -> usize {
        restrict_vocab.map_or(self.len(), |n| n.min(self.len()))
    }

    /// The best `k` of the first `limit` rows for each combo (terms are rows).
    pub(crate) fn top_k(
        &self,
        limit: usize,
        combos: &[Combo],
        rule: Rule,
        k: usize,
    ) -> Vec<Vec<(u32, f32)>> {
        let candidates = self.unit.slice(ndarray::s![..limit, ..]);
        batch::top_k(candidates, self.unit.view(), combos, rule, k)
    }

    /// The length of `sum(weight * unit vector)`.
    fn query_norm(&self, terms: &[(u32, f32)]) -> f32 {
        let mut q = ndarray::Array1::<f64>::zeros(self.unit.ncols());
        for &(row, w) in terms {
            for (x, &v) in q.iter_mut().zip(self.unit.row(row as usize)) {
                *x += f64::from(w) * f64::from(v);
            }
        }
        q.dot(&q).sqrt() as f32
    }
}

/// `a . b` accumulated in `f64`.
pub(crate) fn dot64(a: ArrayView1<'_, f32>, b: ArrayView1<'_, f32>) -> f64 {
    a.iter()
        .zip(b.iter())
        .map(|(&x, &y)| f64::from(x) * f64::from(y))
        .sum()
}

/// Every row scaled to length 1 (norms in `f64`); zero rows stay zero, rows with a
/// NaN or infinite value become NaN.
pub(crate) fn unit_rows(matrix: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut unit = matrix.as_standard_layout().into_owned();
    unit.axis_chunks_iter_mut(Axis(0), 4096)
        .into_par_iter()
        .for_each(|mut chunk| {
            for mut row in chunk.rows_mut() {
                let norm = row
                    .iter()
                    .map(|&x| f64::from(x) * f64::from(x))
                    .sum::<f64>()
                    .sqrt();
                if !norm.is_finite() {
                    // NaN or infinite values: no direction; scores are NaN, never a
                    // neighbour.
                    row.fill(f32::NAN);
                } else if norm > 0.0 {
                    let inverse = 1.0 / norm;
                    row.mapv_inplace(|x| (f64::from(x) * inverse) as f32);
                }
            }
        });
    unit
}
