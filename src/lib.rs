//! Pretrained word vectors (GloVe, word2vec, fastText `.vec`) read exactly and fast,
//! aligned to a tokenizer's vocabulary, and fine-tuned.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod align;
pub mod error;
pub mod format;
mod mmap;
pub mod npy;
mod parse;
pub mod read;
pub mod rng;
mod source;
pub mod table;
pub mod train;
pub mod vectors;
pub mod vocab;
pub mod write;

pub use align::{AlignReport, Aligned, Aligner, MissingInit, OovInit};
pub use error::{Error, Position, Result};
pub use format::Format;
pub use parse::Utf8Policy;
pub use read::{read, ReadOptions};
pub use table::{EmbeddingTable, RowOrigin};
pub use vectors::{Duplicate, ReadInfo, Vectors};
pub use vocab::Vocab;
