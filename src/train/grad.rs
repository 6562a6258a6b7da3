//! [`SparseGrad`] and the embedding's backward: unique rows and their summed
//! gradients, accumulated in parallel in an order that does not depend on threads.

use ndarray::{Array2, ArrayView2, ArrayView3};
use rayon::prelude::*;

use super::embedding::shape;
use super::{Embedding, Pooling};
use crate::error::{Error, Result, ShapeFault};

/// A sparse gradient of the embedding weights: the rows that received a gradient,
/// strictly increasing, and each row's summed gradient.
///
/// `grads` has one row per entry of `rows` and as many columns as the table has
/// dimensions. Rows that cannot train (the padding row, rows locked by the
/// [`Trainability`](super::Trainability)) are left out, so an optimizer step touches only what may move.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SparseGrad {
    /// Table rows, strictly increasing.
    pub rows: Vec<usize>,
    /// `rows.len() x dims`: the gradient of each row in `rows`.
    pub grads: Array2<f32>,
}

impl SparseGrad {
    /// A gradient with no rows.
    pub fn empty(dims: usize) -> Self {
        SparseGrad {
            rows: Vec::new(),
            grads: Array2::zeros((0, dims)),
        }
    }

    /// Empties the gradient and sets its width, keeping its memory.
    pub(crate) fn clear(&mut self, dims: usize) {
        self.rows.clear();
        if self.grads.ncols() != dims || !self.grads.is_empty() {
            let mut buf = std::mem::replace(&mut self.grads, Array2::zeros((0, dims)))
                .into_raw_vec_and_offset()
                .0;
            buf.clear();
            self.grads = Array2::from_shape_vec((0, dims), buf).expect("empty");
        }
    }

    /// Number of rows with a gradient.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no row has a gradient.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The dense `rows x dims` gradient (for tests and small tables).
    pub fn to_dense(&self, rows: usize) -> Array2<f32> {
        let mut d = Array2::zeros((rows, self.grads.ncols()));
        for (k, &r) in self.rows.iter().enumerate() {
            d.row_mut(r).assign(&self.grads.row(k));
        }
        d
    }
}

impl Embedding {
    /// Scale of each sequence's positions in the pooled output.
    fn pool_scales(&self, ids: ArrayView2<'_, i64>, pooling: Pooling) -> Vec<f32> {
        let pad = self.get_padding().map(|p| p as i64);
        ids.rows()
            .into_iter()
            .map(|r| match pooling {
                Pooling::Sum => 1.0,
                Pooling::Mean => {
                    let n = r.iter().filter(|&&id| Some(id) != pad).count();
                    if n == 0 {
                        0.0
                    } else {
                        1.0 / n as f32
                    }
                }
            })
            .collect()
    }

    /// The gradient of the weights given the gradient of [`Embedding::forward`]'s
    /// output, `(batch, seq, dims)`. Empty when the layer is frozen.
    ///
    /// # Errors
    /// [`Error::Shape`](crate::Error::Shape) when `grad_out` is not `(batch, seq, dims)` for these ids,
    /// [`Error::IdOutOfRange`](crate::Error::IdOutOfRange) for an id outside the table.
    pub fn backward(
        &self,
        ids: ArrayView2<'_, i64>,
        grad_out: ArrayView3<'_, f32>,
    ) -> Result<SparseGrad> {
        let mut out = SparseGrad::empty(self.dims());
        self.backward_into(ids, grad_out, &mut out)?;
        Ok(out)
    }

    /// [`Embedding::backward`] into `out`, reusing its memory (a training loop
    /// keeps one [`SparseGrad`] and saves an allocation per step).
    ///
    /// # Errors
    /// As [`Embedding::backward`]; `out` is then left empty.
    pub fn backward_into(
        &self,
        ids: ArrayView2<'_, i64>,
        grad_out: ArrayView3<'_, f32>,
        out: &mut SparseGrad,
    ) -> Result<()> {
        let (b, s) = ids.dim();
        let d = self.dims();
        out.clear(d);
        if grad_out.dim() != (b, s, d) {
            return Err(shape("grad_out", &[b, s, d], grad_out.shape()));
        }
        if self.is_frozen() {
            return Ok(());
        }
        self.check_ids(ids)?;
        check_positions(ids)?;
        let g = grad_out.as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        self.accumulate(ids, |pos| (&g[pos * d..pos * d + d], 1.0), out);
        Ok(())
    }

    /// The gradient of the weights given the gradient of
    /// [`Embedding::forward_pooled`]'s output, `(batch, dims)`. Empty when frozen.
    ///
    /// # Errors
    /// [`Error::Shape`](crate::Error::Shape) when `grad_pooled` is not `(batch, dims)`,
    /// [`Error::IdOutOfRange`](crate::Error::IdOutOfRange) for an id outside the table.
    pub fn backward_pooled(
        &self,
        ids: ArrayView2<'_, i64>,
        grad_pooled: ArrayView2<'_, f32>,
        pooling: Pooling,
    ) -> Result<SparseGrad> {
        let mut out = SparseGrad::empty(self.dims());
        self.backward_pooled_into(ids, grad_pooled, pooling, &mut out)?;
        Ok(out)
    }

    /// [`Embedding::backward_pooled`] into `out`, reusing its memory.
    ///
    /// # Errors
    /// As [`Embedding::backward_pooled`]; `out` is then left empty.
    pub fn backward_pooled_into(
        &self,
        ids: ArrayView2<'_, i64>,
        grad_pooled: ArrayView2<'_, f32>,
        pooling: Pooling,
        out: &mut SparseGrad,
    ) -> Result<()> {
        let (b, s) = ids.dim();
        let d = self.dims();
        out.clear(d);
        if grad_pooled.dim() != (b, d) {
            return Err(shape("grad_pooled", &[b, d], grad_pooled.shape()));
        }
        if self.is_frozen() {
            return Ok(());
        }
        self.check_ids(ids)?;
        check_positions(ids)?;
        let scales = self.pool_scales(ids, pooling);
        let g = grad_pooled.as_standard_layout();
        let g = g.as_slice().expect("standard layout");
        let s = s.max(1);
        let source = |pos: usize| {
            let i = pos / s;
            (&g[i * d..i * d + d], scales[i])
        };
        self.accumulate(ids, source, out);
        Ok(())
    }

    /// Sums, per trainable row, `scale * grad` over the positions holding it, into
    /// `out` (which `clear` has emptied).
    ///
    /// The (row, position) pairs are sorted, so each row's sum runs over its
    /// positions in increasing order: the result does not depend on the threads.
    fn accumulate<'g>(
        &self,
        ids: ArrayView2<'_, i64>,
        source: impl Fn(usize) -> (&'g [f32], f32) + Sync,
        out: &mut SparseGrad,
    ) {
        let d = self.dims();
        // Positions fit in 32 bits: `check_positions` ran first.
        let mut pairs: Vec<u64> = Vec::with_capacity(ids.len());
        for (pos, &id) in ids.iter().enumerate() {
            let row = id as usize;
            if self.row_factor(row) > 0.0 {
                pairs.push(((row as u64) << 32) | pos as u64);
            }
        }
        pairs.sort_unstable();
        let mut starts = Vec::new();
        for (k, &p) in pairs.iter().enumerate() {
            let row = (p >> 32) as usize;
            if out.rows.last() != Some(&row) {
                out.rows.push(row);
                starts.push(k);
            }
        }
        starts.push(pairs.len());
        let mut buf = std::mem::replace(&mut out.grads, Array2::zeros((0, d)))
            .into_raw_vec_and_offset()
            .0;
        buf.clear();
        buf.resize(out.rows.len() * d, 0.0);
        if d > 0 {
            buf.par_chunks_mut(d)
                .enumerate()
                .with_min_len(64)
                .for_each(|(k, acc)| {
                    for &p in &pairs[starts[k]..starts[k + 1]] {
                        let (g, scale) = source((p & 0xFFFF_FFFF) as usize);
                        for (a, &x) in acc.iter_mut().zip(g) {
                            *a += scale * x;
                        }
                    }
                });
        }
        out.grads = Array2::from_shape_vec((out.rows.len(), d), buf).expect("rows x dims values");
    }
}

/// Refuses batches of more than `u32::MAX` tokens (the backward packs a row and a
/// position into one `u64`).
fn check_positions(ids: ArrayView2<'_, i64>) -> Result<()> {
    if ids.len() > u32::MAX as usize {
        return Err(Error::ShapeFault {
            what: "ids",
            fault: Box::new(ShapeFault::TooManyIds {
                found: ids.shape().to_vec(),
                max: u32::MAX as usize,
            }),
        });
    }
    Ok(())
}
