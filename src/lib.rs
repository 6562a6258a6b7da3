//! Pretrained word vectors (GloVe, word2vec, fastText `.vec`) read exactly and fast,
//! aligned to a tokenizer's vocabulary, and fine-tuned.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod error;
mod mmap;
pub mod rng;
pub mod table;
pub mod train;
pub mod vocab;

pub use error::{Error, Position, Result};
pub use table::{EmbeddingTable, RowOrigin};
pub use vocab::Vocab;
