//! Fine-tuning an embedding table: the layer, which rows train, sparse optimizers
//! and a small classifier to train them with.
//!
//! # Overview
//! - [`Embedding`]: ids `(batch, seq)` to vectors `(batch, seq, dims)`, a padding
//!   mask, a pooled forward (mean or sum, like PyTorch `EmbeddingBag`) that never
//!   makes the 3-D array, and a backward that returns a [`SparseGrad`]: the unique
//!   rows of the batch and their summed gradients, the same for any thread count.
//! - [`Trainability`]: frozen, trainable, or a factor per row (gensim's `lockf`),
//!   with presets built from the table's [`RowOrigin`](crate::RowOrigin)s.
//! - [`SparseOptimizer`]: SGD, Adagrad and Adam (lazy, as PyTorch's `SparseAdam`),
//!   with optional `max_norm` and a penalty pulling rows back to pretrained values;
//!   [`DenseOptimizer`] for the classifier's linear layer (Adam as
//!   `torch.optim.Adam`). Both are checked against real PyTorch on identical inputs
//!   (`tests/train_torch.rs`); the formulas are in [`Method`].
//! - [`BagClassifier`]: pooled embedding, linear layer, softmax cross-entropy, and
//!   a seeded minibatch loop.
//!
//! A training step costs in proportion to the batch's tokens, never the vocabulary.
//! Work is spread over rayon's threads (run inside `ThreadPool::install` to choose
//! how many); every result is bit-identical whatever the number of threads.
//!
//! # Example
//! ```
//! use pretrained_vectors::ndarray::{array, Array2};
//! use pretrained_vectors::train::{BagClassifier, Embedding, OptimConfig, TrainOptions};
//! let emb = Embedding::new(Array2::zeros((5, 4)))?.padding(Some(0))?;
//! let mut model = BagClassifier::new(emb, 2, 7)?
//!     .optimizers(OptimConfig::adam(0.1), OptimConfig::adam(0.1))?;
//! let ids = array![[1i64, 2, 0], [3, 4, 0], [1, 1, 2], [4, 3, 3]];
//! let labels = [0, 1, 0, 1];
//! let options = TrainOptions::new().epochs(20).batch_size(2).seed(7);
//! let history = model.train(ids.view(), &labels, &options)?;
//! assert_eq!(history.len(), 20);
//! assert_eq!(model.accuracy(ids.view(), &labels)?, 1.0);
//! // The padding row never moves.
//! assert!(model.embedding().weights().row(0).iter().all(|&x| x == 0.0));
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```
//!
//! The fine-tuned table goes back to an [`EmbeddingTable`](crate::EmbeddingTable)
//! with [`Embedding::into_table`] or [`Embedding::copy_into`], for the writers.

mod classifier;
mod embedding;
mod grad;
mod optim;
mod prefetch;
mod sparse_optim;
mod trainability;

pub use classifier::{BagClassifier, EpochStats, Gradients, TrainOptions};
pub use embedding::{Embedding, Pooling};
pub use grad::SparseGrad;
pub use optim::{DenseOptimizer, Method, OptimConfig};
pub use sparse_optim::{BiasCorrection, SparseOptimizer};
pub use trainability::Trainability;
