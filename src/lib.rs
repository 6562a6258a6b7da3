//! Pretrained word vectors (GloVe, word2vec, fastText `.vec`, native fastText
//! models) read exactly and fast, aligned to a tokenizer's vocabulary, and
//! fine-tuned, frozen or trainable.
//!
//! # Overview
//! The Keras recipe "an `Embedding` layer initialised from GloVe", done right:
//!
//! 1. **Read** a vector file ([`read()`], [`ReadOptions`]): every format below and its
//!    gzip, detected from the bytes, parsed in parallel, values exactly as written,
//!    every bad row reported with its file, line and byte.
//! 2. **Take a vocabulary** ([`Vocab`], [`Vocab::read`]): a token list, a Keras 2
//!    tokenizer JSON, a Keras 3 `TextVectorization` vocabulary, a Hugging Face
//!    `tokenizer.json` / `vocab.json` or BERT `vocab.txt` (the kind told by
//!    structure, [`vocab::VocabKind`]), or a corpus fitted by Keras-identical rules
//!    ([`vocab::KerasTokenizer`], [`vocab::TextVectorization`],
//!    [`vocab::pad_sequences`]), with padding, OOV and special-token rows.
//! 3. **Align** ([`Aligner`]): the matrix whose row `i` is token `i`'s vector,
//!    parsing only the rows the vocabulary needs; words the file lacks get seeded
//!    random rows matched to the pretrained statistics, or, from a native fastText
//!    model ([`FastTextModel`]), their subword vectors, bit for bit as fastText's
//!    `getWordVector`; an [`AlignReport`] says what was found, how, and what was not.
//! 4. **Save** it ([`write`](mod@write), [`npy`]) as a NumPy `.npy` for Keras or PyTorch, or as
//!    GloVe / word2vec text or binary, atomically; reopen a saved `.npy` or
//!    `.safetensors` table with its vocabulary and row origins, `f32` without copying
//!    ([`table::SavedTable`]).
//! 5. **Fine-tune** it ([`train`]): an embedding layer with sparse gradients, frozen,
//!    trainable or trainable per row, sparse optimizers, and a small classifier.
//!
//! # Example
//! ```
//! use pretrained_vectors::train::{BagClassifier, Embedding, OptimConfig, TrainOptions, Trainability};
//! use pretrained_vectors::vocab::{pad_sequences, KerasTokenizer, PadOptions};
//! use pretrained_vectors::Aligner;
//!
//! // A vocabulary from texts, by Keras' rules (row 0 is padding).
//! let texts = ["a good film", "a bad film", "good acting", "bad plot"];
//! let mut tokenizer = KerasTokenizer::new();
//! tokenizer.fit_on_texts(texts);
//! let vocab = tokenizer.vocab("<pad>")?;
//!
//! // The table: real GloVe rows for the words it has, random rows for the rest.
//! let aligned = Aligner::new().seed(1).align("fixtures/glove.6B.50d.20k.txt.gz", vocab)?;
//! assert_eq!(aligned.report.missing, 0);
//!
//! // Fine-tune only what the file did not have (nothing here), then classify.
//! let origins = aligned.table.origins().to_vec();
//! let embedding = Embedding::from_table(&aligned.table)?
//!     .trainability(Trainability::not_in_file(&origins))?;
//! let ids = pad_sequences(&tokenizer.texts_to_sequences(texts), &PadOptions::new().maxlen(3))?;
//! let labels = [1, 0, 1, 0];
//! let mut model = BagClassifier::new(embedding, 2, 7)?
//!     .optimizers(OptimConfig::adam(0.05), OptimConfig::adam(0.05))?;
//! let options = TrainOptions::new().epochs(30).batch_size(2).seed(7);
//! model.train(ids.view(), &labels, &options)?;
//! assert_eq!(model.accuracy(ids.view(), &labels)?, 1.0);
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```
//!
//! # Formats
//! | format | header | rows | notes |
//! |---|---|---|---|
//! | GloVe text | none | `word v1 ... vD` | fields separated by runs of spaces or tabs; words may hold spaces (GloVe 840B): the word is everything before the last `D` fields |
//! | word2vec text, fastText `.vec` | `rows dims` | as GloVe | trailing spaces and CRLF accepted |
//! | word2vec binary | `rows dims` | word, space, `D` little-endian `f32`, optional `\n` | |
//! | any of them, gzip-compressed | | | detected by the magic bytes; multi-member streams |
//! | NumPy `.npy` (tables) | | `float32`, C order | written aligned (`<f4`, or `<f2`); `<f4`/`>f4`/`<f2`/`>f2`/`<f8`/`>f8`, C or Fortran order read |
//! | fastText model `.bin` ([`FastTextModel`]) | magic `0x2F4F16BA`, version up to 12, the arguments | a dictionary, then the input matrix of words and n-gram buckets | read, mapped: the dictionary is the only full pass; a vector reads only its word's row and its n-gram rows |
//! | fastText `.bin`, the format before it | the arguments (no magic, no version) | as `.bin`, without prune index or quantization flags | read the same way |
//! | supervised fastText model | as `.bin` | the dictionary also holds labels | labels are not words: left out of conversions and lookups |
//! | quantized fastText `.ftz` | as `.bin` | the input matrix product-quantized (optional norm quantizer) | each needed row decoded from its codes, multiply-adds unfused as in fastText's source |
//! | pruned `.ftz` | as `.bin`, a prune index | only the n-gram buckets kept, remapped | an n-gram whose bucket was dropped has no row |
//!
//! # Conventions
//! - Files are read with `read(path, ...)` ([`read()`], [`ReadOptions::read`],
//!   [`Vocab::read`], [`vocab::KerasTokenizer::read`], [`FastTextModel::read`],
//!   [`table::SavedTable::read`], [`npy::read`]); bytes in memory with
//!   `from_bytes(path, bytes, ...)` (or [`ReadOptions::read_bytes`]). The path always
//!   comes before the bytes and is only used to name the place of an error (an
//!   empty path shows as `<memory>`).
//! - Options and builders take by-value setters named after the setting:
//!   `ReadOptions::new().format(Format::Glove).threads(4)`. Where a value also reads
//!   a setting back, the getter is `get_*` ([`Vocab::padding`] sets the padding row,
//!   [`Vocab::get_padding`] reads it).
//! - The arrays are [`ndarray`]'s, re-exported as `pretrained_vectors::ndarray` so
//!   that callers need no version of their own.
//!
//! # Features
//! - `cli` (default): the `glove-to-table` command line tool (clap, indicatif).
//!   Library users can turn it off with `default-features = false`.
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod align;
pub mod error;
pub mod eval;
pub mod fasttext;
pub mod format;
mod mmap;
pub mod npy;
pub mod origin;
mod parse;
pub mod read;
pub mod rng;
mod scan;
mod source;
pub mod table;
pub mod train;
pub mod vectors;
pub mod vocab;
pub mod write;

/// The `ndarray` version whose arrays this crate takes and returns, so that
/// callers need not keep their own dependency in step.
pub use ndarray;

/// The `safetensors` version whose types this crate's errors carry
/// ([`Error::Safetensors`]' source, [`ShapeFault::TensorLayout`]'s `dtype`), so
/// that callers can match them without a dependency of their own.
pub use safetensors;

pub use align::{AlignReport, Aligned, Aligner, MissingInit, OovInit};
pub use error::{
    Dims, Error, EvalLineFault, FileKind, FormatFault, HeaderFault, IoAction, JsonExpected,
    JsonFault, JsonKind, ModelFault, ModelField, NpyExpected, NpyFault, NpyKey, Position, Result,
    ShapeFault, TableTensor,
};
pub use fasttext::FastTextModel;
pub use format::Format;
pub use origin::RowOrigin;
pub use parse::Utf8Policy;
pub use read::{read, ReadOptions};
pub use table::EmbeddingTable;
pub use vectors::{Duplicate, ReadInfo, Vectors};
pub use vocab::Vocab;
