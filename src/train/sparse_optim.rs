//! [`SparseOptimizer`]: the update rules over sparse gradients.
//!
//! A step touches only the rows of the [`SparseGrad`], so it costs in proportion to
//! the tokens of the batch, never to the vocabulary. Optimizer state (Adagrad sums,
//! Adam moments) is allocated on the first step and updated lazily, only for the
//! rows in the gradient, as PyTorch's `SparseAdam` and sparse `Adagrad` do.
//!
//! Adam here is `torch.optim.SparseAdam`, formula and step count: see
//! [`Method::Adam`](super::Method::Adam) and [`BiasCorrection`].

use std::borrow::Cow;

use ndarray::Array2;
use rayon::prelude::*;

use super::optim::AdamForm;
use super::{Embedding, OptimConfig, SparseGrad};
use crate::error::{Dims, Error, Result, ShapeFault};

/// Which step count Adam's bias correction uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BiasCorrection {
    /// One count for the whole table, raised by every call of
    /// [`SparseOptimizer::step`], whatever the gradient holds: what PyTorch's
    /// `SparseAdam` does (its `state["step"]` is per tensor and counts every
    /// `step()` of a parameter with a gradient, even an empty one, such as a
    /// batch with no trainable row). Default.
    #[default]
    PerTable,
    /// One count per row, raised only when the row is updated, so a rare row's
    /// first update is corrected as a first update. PyTorch has no such option.
    PerRow,
}

/// An optimizer for an [`Embedding`], fed [`SparseGrad`]s.
///
/// Beyond the update rule it can renormalise every updated row to at most
/// `max_norm` (as PyTorch `Embedding(max_norm=...)` renormalises looked-up rows, with
/// the same `max_norm / (norm + 1e-7)` scale), and add a penalty
/// `strength / 2 * |w - w0|²` pulling rows back to their pretrained values `w0`
/// (applied lazily, to the rows in the gradient). Rows the embedding locks (factor
/// 0, padding) are skipped, state included; other rows' updates are scaled by
/// their factor.
///
/// ```
/// use pretrained_vectors::ndarray::{array, Array2};
/// use pretrained_vectors::train::{Embedding, OptimConfig, Pooling, SparseOptimizer};
/// let mut emb = Embedding::new(Array2::ones((4, 2)))?.padding(Some(0))?;
/// let ids = array![[1i64, 0], [2, 2]];
/// let grad = emb.backward_pooled(ids.view(), array![[1.0f32, 1.0], [1.0, 1.0]].view(), Pooling::Sum)?;
/// assert_eq!(grad.rows, vec![1, 2]);
/// let mut opt = SparseOptimizer::new(OptimConfig::sgd(0.5))?;
/// opt.step(&mut emb, &grad)?;
/// assert_eq!(emb.weights().row(2).to_vec(), vec![0.0, 0.0]);
/// assert_eq!(emb.weights().row(3).to_vec(), vec![1.0, 1.0]);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SparseOptimizer {
    config: OptimConfig,
    max_norm: Option<f32>,
    anchor: Option<(Array2<f32>, f32)>,
    bias: BiasCorrection,
    /// `rows x (k * dims)`: each row's `k` state vectors side by side, so that an
    /// update reads one contiguous span per row (fewer cache misses).
    state: Option<Array2<f32>>,
    steps: u64,
    row_steps: Vec<u32>,
}

impl SparseOptimizer {
    /// An optimizer with `config`, no `max_norm` and no penalty.
    ///
    /// # Errors
    /// As [`OptimConfig::check`].
    pub fn new(config: OptimConfig) -> Result<Self> {
        config.check()?;
        Ok(SparseOptimizer {
            config,
            max_norm: None,
            anchor: None,
            bias: BiasCorrection::default(),
            state: None,
            steps: 0,
            row_steps: Vec::new(),
        })
    }

    /// Renormalises each updated row whose L2 norm exceeds `max_norm`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] unless `max_norm` is finite and > 0.
    pub fn max_norm(mut self, max_norm: f32) -> Result<Self> {
        if !(max_norm.is_finite() && max_norm > 0.0) {
            return Err(Error::InvalidOption {
                option: "max_norm",
                message: format!("{max_norm} (expected a finite number > 0)"),
            });
        }
        self.max_norm = Some(max_norm);
        Ok(self)
    }

    /// Adds the gradient of `strength / 2 * |w - w0|²` for each updated row, with
    /// `w0` the row of `pretrained` (usually a copy of the initial weights).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] unless `strength` is finite and >= 0. The shape is
    /// checked against the embedding at each step.
    pub fn anchor(mut self, pretrained: Array2<f32>, strength: f32) -> Result<Self> {
        if !(strength.is_finite() && strength >= 0.0) {
            return Err(Error::InvalidOption {
                option: "anchor strength",
                message: format!("{strength} (expected a finite number >= 0)"),
            });
        }
        let pretrained = pretrained.as_standard_layout().into_owned();
        self.anchor = Some((pretrained, strength));
        Ok(self)
    }

    /// Chooses Adam's bias-correction count (default [`BiasCorrection::PerTable`]).
    pub fn bias_correction(mut self, bias: BiasCorrection) -> Self {
        self.bias = bias;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &OptimConfig {
        &self.config
    }

    /// Successful calls of [`step`](Self::step): the table's Adam step count.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Applies `grad` to `emb`'s weights, as one `step()` of PyTorch's optimizer:
    /// it counts as a step even when the gradient is empty or holds only locked
    /// rows, which are then left as they are, state included.
    ///
    /// # Errors
    /// [`Error::ShapeFault`] when the gradient's rows are not strictly increasing rows
    /// of the table, [`Error::Shape`] when its width, the state's or the anchor's shape
    /// do not fit `emb`; nothing changes then.
    pub fn step(&mut self, emb: &mut Embedding, grad: &SparseGrad) -> Result<()> {
        let (rows, d) = emb.weights().dim();
        check_grad(grad, rows, d)?;
        self.check_fits(rows, d)?;
        self.steps += 1;
        let factors: Vec<f32> = grad.rows.iter().map(|&r| emb.row_factor(r)).collect();
        if factors.iter().all(|&f| f == 0.0) {
            return Ok(());
        }
        self.allocate(rows, d);
        let grads = self.anchored(emb, grad)?;
        let ts: Vec<u64> = match self.bias {
            BiasCorrection::PerTable => vec![self.steps; grad.len()],
            BiasCorrection::PerRow => {
                if self.row_steps.len() != rows {
                    self.row_steps = vec![0; rows];
                }
                grad.rows
                    .iter()
                    .zip(&factors)
                    .map(|(&r, &f)| {
                        if f > 0.0 {
                            self.row_steps[r] = self.row_steps[r].saturating_add(1);
                        }
                        u64::from(self.row_steps[r])
                    })
                    .collect()
            }
        };
        let config = self.config;
        let max_norm = self.max_norm;
        let width = self.state.as_ref().map_or(0, |s| s.ncols());
        let w_all = emb.weights_mut().as_slice_mut().expect("standard layout");
        let ws = rows_mut(w_all, d, &grad.rows);
        let ss: Vec<&mut [f32]> = match self.state.as_mut() {
            Some(s) => rows_mut(
                s.as_slice_mut().expect("standard layout"),
                width,
                &grad.rows,
            ),
            None => grad.rows.iter().map(|_| <&mut [f32]>::default()).collect(),
        };
        let g = grads.as_slice().expect("standard layout");
        ws.into_par_iter()
            .zip(ss)
            .zip(g.par_chunks(d.max(1)))
            .enumerate()
            .with_min_len(32)
            .for_each(|(k, ((w, s), g))| {
                let f = factors[k];
                if f == 0.0 {
                    return;
                }
                config.update(AdamForm::Sparse, f, ts[k], w, g, s);
                if let Some(m) = max_norm {
                    renorm(w, m);
                }
            });
        Ok(())
    }

    /// Allocates the state on the first update.
    fn allocate(&mut self, rows: usize, d: usize) {
        let (n, init) = self.config.state_shape();
        if self.state.is_none() && n > 0 {
            self.state = Some(Array2::from_elem((rows, n * d), init));
        }
    }

    /// Checks that the state (once allocated) and the anchor fit a `rows x d` table.
    fn check_fits(&self, rows: usize, d: usize) -> Result<()> {
        let (n, _) = self.config.state_shape();
        if let Some(s) = self.state.as_ref().filter(|s| s.dim() != (rows, n * d)) {
            return Err(Error::Shape {
                what: "optimizer state (an optimizer serves one embedding)",
                expected: Dims::matrix((s.nrows(), s.ncols() / n)),
                found: Dims::matrix((rows, d)),
            });
        }
        if let Some((a, _)) = self.anchor.as_ref().filter(|(a, _)| a.dim() != (rows, d)) {
            return Err(Error::Shape {
                what: "anchor (pretrained weights)",
                expected: Dims::matrix((rows, d)),
                found: Dims::matrix(a.dim()),
            });
        }
        Ok(())
    }

    /// The gradient plus the anchor penalty's gradient, if any.
    fn anchored<'a>(&self, emb: &Embedding, grad: &'a SparseGrad) -> Result<Cow<'a, Array2<f32>>> {
        let Some((w0, strength)) = self.anchor.as_ref().filter(|(_, s)| *s > 0.0) else {
            return Ok(Cow::Borrowed(&grad.grads));
        };
        let mut g = grad.grads.as_standard_layout().into_owned();
        for (k, &r) in grad.rows.iter().enumerate() {
            let mut gk = g.row_mut(k);
            let (w, a) = (emb.weights().row(r), w0.row(r));
            for ((gi, &wi), &ai) in gk.iter_mut().zip(w.iter()).zip(a.iter()) {
                *gi += strength * (wi - ai);
            }
        }
        Ok(Cow::Owned(g))
    }
}

/// Scales `w` to norm `max_norm` when it is longer (PyTorch's `embedding_renorm_`).
fn renorm(w: &mut [f32], max_norm: f32) {
    let norm = w.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > max_norm {
        let scale = max_norm / (norm + 1e-7);
        w.iter_mut().for_each(|x| *x *= scale);
    }
}

fn check_grad(grad: &SparseGrad, rows: usize, d: usize) -> Result<()> {
    if grad.grads.dim() != (grad.rows.len(), d) {
        return Err(Error::Shape {
            what: "sparse gradient",
            expected: Dims::matrix((grad.rows.len(), d)),
            found: Dims::matrix(grad.grads.dim()),
        });
    }
    let increasing = grad.rows.windows(2).all(|p| p[0] < p[1]);
    if !increasing || grad.rows.last().is_some_and(|&r| r >= rows) {
        return Err(Error::ShapeFault {
            what: "sparse gradient rows",
            fault: Box::new(ShapeFault::UnsortedRows {
                below: rows,
                count: grad.rows.len(),
                first: grad.rows.first().copied(),
                last: grad.rows.last().copied(),
            }),
        });
    }
    Ok(())
}

/// Disjoint mutable rows of a `? x d` matrix, for strictly increasing `rows`.
fn rows_mut<'a>(data: &'a mut [f32], d: usize, rows: &[usize]) -> Vec<&'a mut [f32]> {
    let mut out = Vec::with_capacity(rows.len());
    let mut rest = data;
    let mut base = 0;
    for &r in rows {
        let tail = std::mem::take(&mut rest).split_at_mut((r - base) * d).1;
        let (row, tail) = tail.split_at_mut(d);
        out.push(row);
        rest = tail;
        base = r + 1;
    }
    out
}
