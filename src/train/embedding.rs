//! [`Embedding`]: the gather forward, the pooled forward and the sparse backward.

use ndarray::{Array2, Array3, ArrayView2, Zip};

use std::borrow::Cow;

use super::prefetch::{prefetch, AHEAD};
use super::Trainability;
use crate::error::{Dims, Error, Result, ShapeFault};
use crate::table::{EmbeddingTable, RowOrigin};
use crate::vocab::Vocab;

/// How [`Embedding::forward_pooled`] reduces a sequence to one vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The mean of the non-padding positions (PyTorch `EmbeddingBag(mode="mean")`);
    /// a sequence of padding only gives zeros.
    Mean,
    /// The sum of the non-padding positions (`mode="sum"`).
    Sum,
}

/// An embedding layer: a `rows x dims` weight matrix looked up by token id.
///
/// Ids are `i64` in a `(batch, seq)` array (as `pad_sequences` makes them). The
/// padding row, if any, is masked out of pooled outputs and never receives a
/// gradient. Every operation gives bit-identical results whatever the number of
/// rayon threads.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use pretrained_vectors::train::{Embedding, Pooling};
/// let emb = Embedding::new(array![[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]])?.padding(Some(0))?;
/// let ids = array![[1i64, 2, 0]];
/// assert_eq!(emb.forward(ids.view())?[[0, 1, 1]], 4.0);
/// assert_eq!(emb.forward_pooled(ids.view(), Pooling::Mean)?, array![[2.0, 3.0]]);
/// assert!(emb.forward(array![[3i64]].view()).is_err());
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Embedding {
    weights: Array2<f32>,
    padding: Option<usize>,
    /// The vocabulary and row origins of the table the layer was made from, so
    /// that [`Embedding::into_table`] can rebuild one.
    source: Option<Source>,
    trainability: Trainability,
    /// Cached `trainability.is_frozen()`, so a step need not scan every row.
    frozen: bool,
}

/// What [`Embedding::from_table`] keeps of the table besides its weights.
#[derive(Debug, Clone)]
struct Source {
    vocab: Vocab,
    origins: Vec<RowOrigin>,
}

impl Embedding {
    /// A trainable layer over `weights` (`rows x dims`), with no padding row.
    ///
    /// # Errors
    /// [`Error::ShapeFault`] when the table has no row or more than `u32::MAX` rows.
    pub fn new(weights: Array2<f32>) -> Result<Self> {
        if weights.nrows() == 0 || weights.nrows() > u32::MAX as usize {
            return Err(Error::ShapeFault {
                what: "embedding weights",
                fault: Box::new(ShapeFault::RowsOutOfRange {
                    rows: weights.nrows(),
                    max: u32::MAX as usize,
                }),
            });
        }
        if let Some(((r, c), v)) = weights.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::InvalidOption {
                option: "embedding weights",
                message: format!(
                    "weights[{r}, {c}] is {v}; expected finite values (a NaN or an infinity \
                     spreads to every weight it touches in training)"
                ),
            });
        }
        let weights = if weights.is_standard_layout() {
            weights
        } else {
            weights.as_standard_layout().into_owned()
        };
        Ok(Embedding {
            weights,
            padding: None,
            source: None,
            trainability: Trainability::Trainable,
            frozen: false,
        })
    }

    /// A trainable layer initialised from a table: its weights, its row origins and
    /// its vocabulary's padding row. The vocabulary and origins are kept for
    /// [`Embedding::into_table`].
    ///
    /// # Errors
    /// As [`Embedding::new`].
    pub fn from_table(table: &EmbeddingTable) -> Result<Self> {
        let mut e = Self::new(table.weights().clone())?;
        e.padding = table.vocab().get_padding();
        e.source = Some(Source {
            vocab: table.vocab().clone(),
            origins: table.origins().to_vec(),
        });
        Ok(e)
    }

    /// Sets (or clears) the padding row.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the row is past the table.
    pub fn padding(mut self, row: Option<usize>) -> Result<Self> {
        if let Some(r) = row.filter(|&r| r >= self.rows()) {
            return Err(Error::InvalidOption {
                option: "padding row",
                message: format!("row {r} is past the {} rows", self.rows()),
            });
        }
        self.padding = row;
        Ok(self)
    }

    /// Sets the trainability (builder form of [`Embedding::set_trainability`]).
    ///
    /// # Errors
    /// As [`Embedding::set_trainability`].
    pub fn trainability(mut self, t: Trainability) -> Result<Self> {
        self.set_trainability(t)?;
        Ok(self)
    }

    /// Changes which rows may train; allowed at any time, for example between
    /// epochs to unfreeze a frozen layer.
    ///
    /// # Errors
    /// [`Error::Shape`] when a per-row mode does not have one factor per row,
    /// [`Error::InvalidOption`] for a negative or non-finite factor.
    pub fn set_trainability(&mut self, t: Trainability) -> Result<()> {
        t.check(self.rows())?;
        self.frozen = t.is_frozen();
        self.trainability = t;
        Ok(())
    }

    /// The current trainability.
    pub fn get_trainability(&self) -> &Trainability {
        &self.trainability
    }

    /// The padding row, if any.
    pub fn get_padding(&self) -> Option<usize> {
        self.padding
    }

    /// Row origins, when the layer was made from a table.
    pub fn origins(&self) -> Option<&[RowOrigin]> {
        self.source.as_ref().map(|s| &s.origins[..])
    }

    /// The weights, `rows x dims`, C order.
    pub fn weights(&self) -> &Array2<f32> {
        &self.weights
    }

    /// Mutable weights (optimizers update them through this).
    pub(crate) fn weights_mut(&mut self) -> &mut Array2<f32> {
        &mut self.weights
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.weights.nrows()
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.weights.ncols()
    }

    /// The factor scaling `row`'s updates: 0 for the padding row, else the
    /// trainability's.
    #[inline]
    pub fn row_factor(&self, row: usize) -> f32 {
        if Some(row) == self.padding {
            0.0
        } else {
            self.trainability.factor(row)
        }
    }

    /// Whether no row can move (a frozen layer skips its gradient).
    pub fn is_frozen(&self) -> bool {
        self.frozen
    }

    /// Takes the weights out.
    pub fn into_weights(self) -> Array2<f32> {
        self.weights
    }

    /// An [`EmbeddingTable`] of the trained weights with the vocabulary and the
    /// origins of the table the layer was made from ([`Embedding::from_table`]),
    /// ready for the crate's writers.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the layer was not made from a table (it has no
    /// vocabulary: use [`EmbeddingTable::new`] with a vocabulary and origins of
    /// your own).
    pub fn into_table(self) -> Result<EmbeddingTable> {
        let Source { vocab, origins } = self.source.ok_or_else(|| Error::InvalidOption {
            option: "into_table",
            message: "the layer has no vocabulary (it was not made with from_table)".into(),
        })?;
        EmbeddingTable::new(self.weights, vocab, origins)
    }

    /// Copies the trained weights into `table`, whose shape must match.
    ///
    /// # Errors
    /// [`Error::Shape`] when the table's shape differs from the layer's.
    pub fn copy_into(&self, table: &mut EmbeddingTable) -> Result<()> {
        if table.weights().dim() != self.weights.dim() {
            return Err(Error::Shape {
                what: "table to copy into",
                expected: Dims::matrix(self.weights.dim()),
                found: Dims::matrix(table.weights().dim()),
            });
        }
        table.weights_mut().assign(&self.weights);
        Ok(())
    }

    /// Checks every id; the first bad one in row-major order is reported.
    ///
    /// # Errors
    /// [`Error::IdOutOfRange`] for an id that is negative or not below `rows()`.
    pub fn check_ids(&self, ids: ArrayView2<'_, i64>) -> Result<()> {
        let rows = self.rows();
        for ((batch, position), &id) in ids.indexed_iter() {
            if id < 0 || id as u64 >= rows as u64 {
                return Err(Error::IdOutOfRange {
                    id,
                    batch,
                    position,
                    rows,
                });
            }
        }
        Ok(())
    }

    #[inline]
    fn row(&self, id: i64) -> &[f32] {
        let d = self.dims();
        let start = id as usize * d;
        &self.weights.as_slice().expect("standard layout")[start..start + d]
    }

    /// Prefetches the row of a checked id.
    #[inline]
    fn prefetch_row(&self, id: i64) {
        let d = self.dims();
        prefetch(self.weights.as_ptr() as usize + id as usize * d * 4, d * 4);
    }

    /// `Y[i, j, :] = E[X[i, j], :]`, a `(batch, seq, dims)` array.
    ///
    /// # Errors
    /// [`Error::IdOutOfRange`] for an id outside the table.
    pub fn forward(&self, ids: ArrayView2<'_, i64>) -> Result<Array3<f32>> {
        self.check_ids(ids)?;
        let (b, s) = ids.dim();
        let d = self.dims();
        let mut out = Array3::zeros((b, s, d));
        Zip::from(out.outer_iter_mut())
            .and(ids.rows())
            .par_for_each(|mut o, r| {
                let o = o.as_slice_mut().expect("fresh array is contiguous");
                let r = r
                    .as_slice()
                    .map_or_else(|| Cow::Owned(r.to_vec()), Cow::Borrowed);
                r.iter().take(AHEAD).for_each(|&id| self.prefetch_row(id));
                for (j, (dst, &id)) in o.chunks_exact_mut(d.max(1)).zip(r.iter()).enumerate() {
                    if let Some(&next) = r.get(j + AHEAD) {
                        self.prefetch_row(next);
                    }
                    dst.copy_from_slice(self.row(id));
                }
            });
        Ok(out)
    }

    /// The padding mask of `ids` (Keras `mask_zero`): `true` where the id is not the
    /// padding row. Without a padding row every position is `true`.
    pub fn mask(&self, ids: ArrayView2<'_, i64>) -> Array2<bool> {
        let pad = self.padding.map(|p| p as i64);
        ids.mapv(|id| Some(id) != pad)
    }

    /// [`Embedding::forward`] and [`Embedding::mask`] together.
    ///
    /// # Errors
    /// As [`Embedding::forward`].
    pub fn forward_masked(&self, ids: ArrayView2<'_, i64>) -> Result<(Array3<f32>, Array2<bool>)> {
        let y = self.forward(ids)?;
        Ok((y, self.mask(ids)))
    }

    /// The pooled forward, `(batch, dims)`: the mean or sum of each sequence's
    /// non-padding rows, without making the `(batch, seq, dims)` array.
    ///
    /// # Errors
    /// [`Error::IdOutOfRange`] for an id outside the table.
    pub fn forward_pooled(
        &self,
        ids: ArrayView2<'_, i64>,
        pooling: Pooling,
    ) -> Result<Array2<f32>> {
        self.check_ids(ids)?;
        let mut out = Array2::zeros((ids.nrows(), self.dims()));
        let pad = self.padding.map(|p| p as i64);
        Zip::from(out.rows_mut())
            .and(ids.rows())
            .par_for_each(|mut o, r| {
                let acc = o.as_slice_mut().expect("fresh array is contiguous");
                let r = r
                    .as_slice()
                    .map_or_else(|| Cow::Owned(r.to_vec()), Cow::Borrowed);
                r.iter().take(AHEAD).for_each(|&id| self.prefetch_row(id));
                let mut n = 0u32;
                for (j, &id) in r.iter().enumerate() {
                    if let Some(&next) = r.get(j + AHEAD) {
                        self.prefetch_row(next);
                    }
                    if Some(id) == pad {
                        continue;
                    }
                    n += 1;
                    for (a, &w) in acc.iter_mut().zip(self.row(id)) {
                        *a += w;
                    }
                }
                if pooling == Pooling::Mean && n > 0 {
                    let inv = 1.0 / n as f32;
                    acc.iter_mut().for_each(|a| *a *= inv);
                }
            });
        Ok(out)
    }
}

pub(super) fn shape(what: &'static str, expected: &[usize], found: &[usize]) -> Error {
    Error::Shape {
        what,
        expected: Dims::Array(expected.to_vec()),
        found: Dims::Array(found.to_vec()),
    }
}
