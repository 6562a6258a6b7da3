//! [`EmbeddingTable`]: the weights aligned to a vocabulary, and where each row came from.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::vocab::Vocab;

/// Where a row of an [`EmbeddingTable`] came from.
///
/// Fine-tuning uses this to treat pretrained and initialised rows differently (for
/// example, train only the rows the vector file did not have).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOrigin {
    /// The vector file had the token itself.
    Exact,
    /// The vector file had the token's lower-case form.
    Fallback,
    /// The vector file did not have the token: the row was initialised (random by
    /// default, or zeros).
    Missing,
    /// The reserved padding row (zeros, never trained).
    Padding,
    /// The reserved out-of-vocabulary row.
    Oov,
}

impl RowOrigin {
    /// Whether the row's values come from the vector file.
    pub fn is_pretrained(self) -> bool {
        matches!(self, RowOrigin::Exact | RowOrigin::Fallback)
    }
}

/// An embedding matrix whose row `i` belongs to token `i` of its vocabulary.
#[derive(Debug, Clone)]
pub struct EmbeddingTable {
    weights: Array2<f32>,
    vocab: Vocab,
    origins: Vec<RowOrigin>,
}

impl EmbeddingTable {
    /// Puts a table together.
    ///
    /// # Errors
    /// [`Error::Shape`] when the weights, vocabulary and origins disagree on the rows.
    pub fn new(weights: Array2<f32>, vocab: Vocab, origins: Vec<RowOrigin>) -> Result<Self> {
        if weights.nrows() != vocab.len() || origins.len() != vocab.len() {
            return Err(Error::Shape {
                what: "embedding table",
                expected: format!("{} rows (the vocabulary)", vocab.len()),
                found: format!(
                    "{} weight rows and {} origins",
                    weights.nrows(),
                    origins.len()
                ),
            });
        }
        Ok(EmbeddingTable {
            weights,
            vocab,
            origins,
        })
    }

    /// The weights, `rows x dims`, C order.
    pub fn weights(&self) -> &Array2<f32> {
        &self.weights
    }

    /// Mutable weights (for fine-tuning in place).
    pub fn weights_mut(&mut self) -> &mut Array2<f32> {
        &mut self.weights
    }

    /// The vocabulary, in row order.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Each row's origin.
    pub fn origins(&self) -> &[RowOrigin] {
        &self.origins
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.weights.nrows()
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.weights.ncols()
    }

    /// The row of `token`, if the vocabulary has it.
    pub fn vector(&self, token: &str) -> Option<ndarray::ArrayView1<'_, f32>> {
        self.vocab.get(token).map(|r| self.weights.row(r))
    }

    /// Takes the table apart.
    pub fn into_parts(self) -> (Array2<f32>, Vocab, Vec<RowOrigin>) {
        (self.weights, self.vocab, self.origins)
    }
}
