//! [`AlignReport`]: what the aligner found, how, and what it did not.

use serde::{Deserialize, Serialize};

use super::init::{MissingInit, OovInit};
use crate::format::Format;
use crate::vocab::{PieceKind, VocabKind, VocabSetting};

/// Rows of one piece kind and how many the file filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceCount {
    /// The kind.
    pub kind: PieceKind,
    /// Rows of that kind.
    pub rows: usize,
    /// Of them, rows filled from the file's vector of their word form (exactly or
    /// by the lower-case fallback).
    pub found: usize,
    /// Of them, rows given their subword vector by a native fastText model
    /// (continuation pieces from the n-grams of a word's inside: see
    /// [`WordBounds`](crate::fasttext::WordBounds)); 0 for other formats.
    #[serde(default)]
    pub subword: usize,
}

/// A vocabulary token the file did not have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingToken {
    /// The token.
    pub token: String,
    /// Its row.
    pub row: usize,
    /// Its count, when the vocabulary has counts.
    pub count: Option<u64>,
}

/// A token filled through the lower-case fallback, and the file word it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FallbackMatch {
    /// The vocabulary token.
    pub token: String,
    /// The file word whose vector it took.
    pub word: String,
}

/// The coverage report of one alignment. Serialises to JSON for `--report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignReport {
    /// Format of the vector file; `None` for vectors built in memory
    /// ([`Vectors::new`](crate::Vectors::new)).
    pub format: Option<Format>,
    /// Whether it was gzip-compressed.
    pub gzip: bool,
    /// Rows claimed by a word2vec header.
    pub header_rows: Option<u64>,
    /// Rows of the file scanned (all of them unless `stopped_early`).
    pub file_rows_scanned: u64,
    /// Whether scanning stopped before the end because every row was filled exactly.
    pub stopped_early: bool,
    /// Dimensions.
    pub dims: usize,
    /// The kind of vocabulary file, when the vocabulary was read from one.
    pub vocab_kind: Option<VocabKind>,
    /// Rows of the vocabulary (reserved ones included).
    pub vocab_size: usize,
    /// Rows and matches per piece kind, for subword vocabularies (pieces are
    /// looked up by their word form: `##ing` as `ing`).
    pub pieces: Option<Vec<PieceCount>>,
    /// Rows filled from the file, by either step: `found_exact + found_fallback`.
    #[serde(default)]
    pub found: usize,
    /// Rows found under the exact token.
    pub found_exact: usize,
    /// Rows found through the lower-case fallback.
    pub found_fallback: usize,
    /// Rows a native fastText model lacked, given their subword vector (the rows
    /// of their character n-grams); 0 for other formats.
    #[serde(default)]
    pub subword: usize,
    /// Rows the file did not have (initialised by `missing_init`).
    pub missing: usize,
    /// Reserved rows (padding, OOV, unused, special tokens).
    pub reserved: usize,
    /// File rows repeating a word the vocabulary needed (the first was used).
    pub duplicates_seen: usize,
    /// Found / (vocabulary rows - reserved rows).
    pub coverage_types: f64,
    /// Counts of found tokens / counts of all non-reserved tokens, when the
    /// vocabulary has counts. Occurrences of words without a row (Keras' words
    /// past `num_words`, encoded as OOV) count as not found.
    pub coverage_tokens: Option<f64>,
    /// The most frequent missing tokens (by count when known, else by row).
    pub top_missing: Vec<MissingToken>,
    /// Some fallback matches, in row order.
    pub fallback_examples: Vec<FallbackMatch>,
    /// How missing rows were initialised.
    pub missing_init: MissingInit,
    /// With `missing_init` matched: the dimensions in which the vectors found have
    /// no spread (all equal, or fewer than two vectors found), drawn from Keras'
    /// uniform `[-0.05, 0.05)` instead. When it is every dimension, `missing_init`
    /// says Keras' uniform. 0 for the other initialisers.
    #[serde(default)]
    pub matched_flat_dims: usize,
    /// How the OOV row was initialised.
    pub oov_init: OovInit,
    /// The seed of the random rows.
    pub seed: u64,
    /// Seconds spent aligning.
    pub seconds: f64,
    /// Rows that look like a padding or OOV token but are ordinary rows, drawn at
    /// random because the vectors lack them ([`Vocab::lookalikes`](crate::Vocab::lookalikes)).
    #[serde(default)]
    pub lookalikes: Vec<Lookalike>,
}

/// A row whose token looks reserved (`<pad>`, `[UNK]`...) but is not: the
/// vocabulary reserves no row of that kind, and the row is an ordinary one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookalike {
    /// The token.
    pub token: String,
    /// Its row.
    pub row: usize,
    /// The reserved row it looks like: [`VocabSetting::Padding`] or [`VocabSetting::Oov`].
    pub looks_like: VocabSetting,
    /// Its line in the vocabulary file, when the reader placed it.
    pub line: Option<u64>,
}

impl AlignReport {
    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }
}
