//! [`BagClassifier`]: a bag-of-embeddings text classifier, the model the examples
//! and benchmarks train.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use super::{
    DenseOptimizer, Embedding, OptimConfig, Pooling, SparseGrad, SparseOptimizer, Trainability,
};
use crate::error::{Dims, Error, Result};
use crate::rng::Rng;

/// Pooled embedding (mean by default), then `Linear(dims, classes)`, then softmax
/// cross-entropy averaged over the batch.
///
/// The embedding is updated by a [`SparseOptimizer`], the linear layer by a
/// [`DenseOptimizer`]; both default to Adam with learning rate `1e-3`, the
/// embedding's as `torch.optim.SparseAdam`, the linear layer's as
/// `torch.optim.Adam` (see [`Method::Adam`](super::Method::Adam)). See the
/// [module example](super) for training.
#[derive(Debug, Clone)]
pub struct BagClassifier {
    embedding: Embedding,
    weight: Array2<f32>,
    bias: Array1<f32>,
    pooling: Pooling,
    emb_opt: SparseOptimizer,
    weight_opt: DenseOptimizer,
    bias_opt: DenseOptimizer,
    /// The embedding gradient's memory, kept from step to step.
    scratch: SparseGrad,
}

/// The gradients of the mean loss of a batch.
#[derive(Debug, Clone)]
pub struct Gradients {
    /// Of the embedding's weights (empty when the embedding is frozen).
    pub embedding: SparseGrad,
    /// Of the linear weight, `classes x dims`.
    pub weight: Array2<f32>,
    /// Of the linear bias, `classes`.
    pub bias: Array1<f32>,
}

/// What one epoch of training did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochStats {
    /// 0-based epoch number.
    pub epoch: usize,
    /// Mean loss over the epoch's examples, each taken before its batch's update.
    pub loss: f32,
    /// Share of the epoch's examples classified right, before each batch's update.
    pub accuracy: f32,
}

/// Options of [`BagClassifier::train`]. The defaults are Keras' `fit`: one epoch
/// in minibatches of 32; the shuffling seed is 0.
///
/// ```
/// use pretrained_vectors::train::{TrainOptions, Trainability};
/// // Ten epochs, frozen embedding until epoch 5, then trainable.
/// let opts = TrainOptions::new()
///     .epochs(10)
///     .batch_size(64)
///     .seed(7)
///     .switch_at(5, Trainability::Trainable);
/// opts.check()?;
/// assert!(TrainOptions::new().epochs(0).check().is_err());
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    epochs: usize,
    batch_size: usize,
    seed: u64,
    switch: Option<(usize, Trainability)>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 1,
            batch_size: 32,
            seed: 0,
            switch: None,
        }
    }
}

impl TrainOptions {
    /// The defaults: one epoch, minibatches of 32, seed 0, no switch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Passes over the data. Default 1.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Examples per minibatch (the last one may be smaller). Default 32.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Seed of the shuffling; the same seed gives bit-identical weights. Default 0.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the embedding's trainability to `mode` before epoch `epoch`
    /// (0-based), for example to unfreeze after `epoch` frozen epochs. Default:
    /// no switch.
    pub fn switch_at(mut self, epoch: usize, mode: Trainability) -> Self {
        self.switch = Some((epoch, mode));
        self
    }

    /// Checks the options: at least one epoch, a batch size above 0, and a switch
    /// that happens (its epoch below `epochs`; one past the last was silently
    /// ignored).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the option.
    pub fn check(&self) -> Result<()> {
        if self.epochs == 0 || self.batch_size == 0 {
            return Err(Error::InvalidOption {
                option: "training options",
                message: format!(
                    "{} epochs in batches of {} (expected both > 0)",
                    self.epochs, self.batch_size
                ),
            });
        }
        if let Some((at, _)) = self.switch.as_ref().filter(|(at, _)| *at >= self.epochs) {
            return Err(Error::InvalidOption {
                option: "switch_at",
                message: format!(
                    "epoch {at}, but training runs epochs 0 to {} (expected an epoch below {}, \
                     or the switch would never happen)",
                    self.epochs - 1,
                    self.epochs
                ),
            });
        }
        Ok(())
    }
}

impl BagClassifier {
    /// A classifier over `embedding` with `classes` classes; the linear layer is
    /// drawn from `U(-1/sqrt(dims), 1/sqrt(dims))` (PyTorch's default) with `seed`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for fewer than 2 classes.
    pub fn new(embedding: Embedding, classes: usize, seed: u64) -> Result<Self> {
        if classes < 2 {
            return Err(Error::InvalidOption {
                option: "classes",
                message: format!("{classes} (expected at least 2)"),
            });
        }
        let d = embedding.dims();
        let k = 1.0 / (d.max(1) as f64).sqrt();
        let mut rng = Rng::for_key(seed, b"bag-classifier linear");
        let weight = Array2::from_shape_simple_fn((classes, d), || rng.uniform(-k, k) as f32);
        let bias = Array1::from_shape_simple_fn(classes, || rng.uniform(-k, k) as f32);
        let adam = OptimConfig::adam(1e-3);
        Ok(BagClassifier {
            emb_opt: SparseOptimizer::new(adam)?,
            weight_opt: DenseOptimizer::new(adam, classes * d)?,
            bias_opt: DenseOptimizer::new(adam, classes)?,
            embedding,
            weight,
            bias,
            pooling: Pooling::Mean,
            scratch: SparseGrad::default(),
        })
    }

    /// Replaces both optimizers (their state starts afresh).
    ///
    /// # Errors
    /// As [`OptimConfig::check`].
    pub fn optimizers(mut self, embedding: OptimConfig, head: OptimConfig) -> Result<Self> {
        self.emb_opt = SparseOptimizer::new(embedding)?;
        self.weight_opt = DenseOptimizer::new(head, self.weight.len())?;
        self.bias_opt = DenseOptimizer::new(head, self.bias.len())?;
        Ok(self)
    }

    /// Replaces the embedding's optimizer (for `max_norm`, an anchor, ...).
    pub fn embedding_optimizer(mut self, opt: SparseOptimizer) -> Self {
        self.emb_opt = opt;
        self
    }

    /// Sets the pooling (default [`Pooling::Mean`]).
    pub fn pooling(mut self, pooling: Pooling) -> Self {
        self.pooling = pooling;
        self
    }

    /// The embedding layer.
    pub fn embedding(&self) -> &Embedding {
        &self.embedding
    }

    /// The embedding layer, to change its trainability between epochs.
    pub fn embedding_mut(&mut self) -> &mut Embedding {
        &mut self.embedding
    }

    /// Takes the trained embedding out (then [`Embedding::into_table`]).
    pub fn into_embedding(self) -> Embedding {
        self.embedding
    }

    /// The linear weight, `classes x dims`.
    pub fn weight(&self) -> &Array2<f32> {
        &self.weight
    }

    /// The linear bias.
    pub fn bias(&self) -> &Array1<f32> {
        &self.bias
    }

    /// The linear weight, to load or perturb it.
    pub fn weight_mut(&mut self) -> &mut Array2<f32> {
        &mut self.weight
    }

    /// The linear bias, to load or perturb it.
    pub fn bias_mut(&mut self) -> &mut Array1<f32> {
        &mut self.bias
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.bias.len()
    }

    /// The pooled vectors and the logits, `(batch, classes)`.
    fn forward(&self, ids: ArrayView2<'_, i64>) -> Result<(Array2<f32>, Array2<f32>)> {
        let pooled = self.embedding.forward_pooled(ids, self.pooling)?;
        let logits = pooled.dot(&self.weight.t()) + &self.bias;
        Ok((pooled, logits))
    }

    /// The logits, `(batch, classes)`.
    ///
    /// # Errors
    /// [`Error::IdOutOfRange`] for an id outside the table.
    pub fn logits(&self, ids: ArrayView2<'_, i64>) -> Result<Array2<f32>> {
        Ok(self.forward(ids)?.1)
    }

    /// The most likely class of each sequence (the first on ties).
    ///
    /// # Errors
    /// [`Error::IdOutOfRange`] for an id outside the table.
    pub fn predict(&self, ids: ArrayView2<'_, i64>) -> Result<Vec<usize>> {
        Ok(self
            .logits(ids)?
            .rows()
            .into_iter()
            .map(|r| argmax(r.as_slice().expect("row")))
            .collect())
    }

    /// Share of sequences whose predicted class is the label.
    ///
    /// # Errors
    /// As [`BagClassifier::gradients`].
    pub fn accuracy(&self, ids: ArrayView2<'_, i64>, labels: &[usize]) -> Result<f32> {
        self.check_labels(ids, labels)?;
        let p = self.predict(ids)?;
        let right = p.iter().zip(labels).filter(|(a, b)| a == b).count();
        Ok(right as f32 / labels.len().max(1) as f32)
    }

    /// The mean cross-entropy loss of a batch.
    ///
    /// # Errors
    /// As [`BagClassifier::gradients`].
    pub fn loss(&self, ids: ArrayView2<'_, i64>, labels: &[usize]) -> Result<f32> {
        self.check_labels(ids, labels)?;
        let (_, logits) = self.forward(ids)?;
        Ok(softmax_ce(&logits, labels).0)
    }

    /// The mean loss of a batch and its gradients (the embedding's is empty when
    /// the embedding is frozen, and leaves out rows that cannot train).
    ///
    /// # Errors
    /// [`Error::Shape`] when there is not one label per sequence,
    /// [`Error::InvalidOption`] for a label that is not below `classes()`,
    /// [`Error::IdOutOfRange`] for an id outside the table.
    pub fn gradients(
        &self,
        ids: ArrayView2<'_, i64>,
        labels: &[usize],
    ) -> Result<(f32, Gradients)> {
        let (loss, _, g) = self.compute(ids, labels, SparseGrad::default())?;
        Ok((loss, g))
    }

    fn compute(
        &self,
        ids: ArrayView2<'_, i64>,
        labels: &[usize],
        mut embedding: SparseGrad,
    ) -> Result<(f32, usize, Gradients)> {
        self.check_labels(ids, labels)?;
        let (pooled, logits) = self.forward(ids)?;
        let (loss, correct, dlogits) = softmax_ce(&logits, labels);
        let weight = dlogits.t().dot(&pooled);
        let bias = dlogits.sum_axis(Axis(0));
        if self.embedding.is_frozen() {
            embedding.clear(self.embedding.dims());
        } else {
            let dpooled = dlogits.dot(&self.weight);
            self.embedding.backward_pooled_into(
                ids,
                dpooled.view(),
                self.pooling,
                &mut embedding,
            )?;
        }
        Ok((
            loss,
            correct,
            Gradients {
                embedding,
                weight,
                bias,
            },
        ))
    }

    /// One optimizer step on a batch; returns the batch's mean loss and the number
    /// of sequences classified right, both before the update.
    ///
    /// # Errors
    /// As [`BagClassifier::gradients`].
    pub fn train_step(
        &mut self,
        ids: ArrayView2<'_, i64>,
        labels: &[usize],
    ) -> Result<(f32, usize)> {
        let scratch = std::mem::take(&mut self.scratch);
        let (loss, correct, g) = self.compute(ids, labels, scratch)?;
        if !loss.is_finite() {
            // Every weight was finite when set (constructors check), so this is
            // training diverging: say so instead of training on NaN.
            return Err(Error::InvalidOption {
                option: "learning rate",
                message: format!(
                    "training diverged: a batch's loss is {loss} (expected a finite loss; \
                     lower the learning rates)"
                ),
            });
        }
        // A frozen embedding has no gradient at all (PyTorch: requires_grad=False,
        // so its optimizer's step() neither updates nor counts it).
        if !self.embedding.is_frozen() {
            self.emb_opt.step(&mut self.embedding, &g.embedding)?;
        }
        let w = self.weight.as_slice_mut().expect("standard layout");
        self.weight_opt.step(
            w,
            g.weight
                .as_standard_layout()
                .as_slice()
                .expect("standard layout"),
        )?;
        let b = self.bias.as_slice_mut().expect("contiguous");
        self.bias_opt
            .step(b, g.bias.as_slice().expect("contiguous"))?;
        self.scratch = g.embedding;
        Ok((loss, correct))
    }

    /// One pass over the data in minibatches of `batch_size`, in an order shuffled
    /// by `rng`.
    ///
    /// All ids are checked first, so an error gives the id's place in `ids`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a `batch_size` of 0 or no data, and as
    /// [`BagClassifier::gradients`].
    pub fn fit_epoch(
        &mut self,
        ids: ArrayView2<'_, i64>,
        labels: &[usize],
        batch_size: usize,
        rng: &mut Rng,
    ) -> Result<EpochStats> {
        if batch_size == 0 || ids.nrows() == 0 {
            return Err(Error::InvalidOption {
                option: "training data",
                message: format!(
                    "batch size {batch_size} over {} sequences (expected both > 0)",
                    ids.nrows()
                ),
            });
        }
        self.check_labels(ids, labels)?;
        self.embedding.check_ids(ids)?;
        let mut order: Vec<usize> = (0..ids.nrows()).collect();
        rng.shuffle(&mut order);
        let (mut loss, mut correct) = (0.0f64, 0usize);
        let mut batch_labels = Vec::with_capacity(batch_size);
        for chunk in order.chunks(batch_size) {
            let batch = ids.select(Axis(0), chunk);
            batch_labels.clear();
            batch_labels.extend(chunk.iter().map(|&i| labels[i]));
            let (l, c) = self.train_step(batch.view(), &batch_labels)?;
            loss += f64::from(l) * chunk.len() as f64;
            correct += c;
        }
        let n = ids.nrows() as f64;
        Ok(EpochStats {
            epoch: 0,
            loss: (loss / n) as f32,
            accuracy: (correct as f64 / n) as f32,
        })
    }

    /// Trains for the options' epochs; returns each epoch's loss and accuracy.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for options that fail [`TrainOptions::check`], or
    /// when training diverges (a loss or a weight that is no longer finite); as
    /// [`BagClassifier::fit_epoch`], and as [`Embedding::set_trainability`] for
    /// the switch.
    pub fn train(
        &mut self,
        ids: ArrayView2<'_, i64>,
        labels: &[usize],
        opts: &TrainOptions,
    ) -> Result<Vec<EpochStats>> {
        opts.check()?;
        let mut rng = Rng::for_key(opts.seed, b"bag-classifier shuffle");
        let mut history = Vec::with_capacity(opts.epochs);
        for epoch in 0..opts.epochs {
            if let Some((_, mode)) = opts.switch.as_ref().filter(|(at, _)| *at == epoch) {
                self.embedding.set_trainability(mode.clone())?;
            }
            let stats = self.fit_epoch(ids, labels, opts.batch_size, &mut rng)?;
            history.push(EpochStats { epoch, ..stats });
        }
        // The last step's update is not seen by a loss: check the weights once.
        let finite = |x: &f32| x.is_finite();
        if !(self.weight.iter().all(finite)
            && self.bias.iter().all(finite)
            && self.embedding.weights().iter().all(finite))
        {
            return Err(Error::InvalidOption {
                option: "learning rate",
                message: "training diverged: the weights overflowed to NaN or infinity \
                          (expected finite weights; lower the learning rates)"
                    .into(),
            });
        }
        Ok(history)
    }

    fn check_labels(&self, ids: ArrayView2<'_, i64>, labels: &[usize]) -> Result<()> {
        if labels.len() != ids.nrows() {
            return Err(Error::Shape {
                what: "labels",
                expected: Dims::count(ids.nrows(), "labels (one per sequence)"),
                found: Dims::count(labels.len(), "labels"),
            });
        }
        if let Some((i, l)) = labels
            .iter()
            .enumerate()
            .find(|(_, &l)| l >= self.classes())
        {
            return Err(Error::InvalidOption {
                option: "labels",
                message: format!(
                    "label {l} of sequence {i} is not below the {} classes",
                    self.classes()
                ),
            });
        }
        Ok(())
    }
}

fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

/// Mean softmax cross-entropy: the loss, the count of right argmaxes, and the
/// gradient of the mean loss with respect to the logits.
fn softmax_ce(logits: &Array2<f32>, labels: &[usize]) -> (f32, usize, Array2<f32>) {
    let n = logits.nrows().max(1) as f32;
    let mut grad = logits.clone();
    let mut loss = 0.0f64;
    let mut correct = 0;
    for (mut g, &y) in grad.rows_mut().into_iter().zip(labels) {
        let z = g.as_slice_mut().expect("row");
        if argmax(z) == y {
            correct += 1;
        }
        let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = z.iter().map(|&x| (x - max).exp()).sum();
        let lse = max + sum.ln();
        loss += f64::from(lse - z[y]);
        for x in z.iter_mut() {
            *x = (*x - lse).exp() / n;
        }
        z[y] -= 1.0 / n;
    }
    ((loss / f64::from(n)) as f32, correct, grad)
}
