//! [`EmbeddingTable`]: the weights aligned to a vocabulary, and where each row came
//! from; [`SavedTable`]: a saved table reopened in place.

use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
use crate::npy::NpyMatrix;
pub use crate::origin::RowOrigin;
use crate::vocab::{Vocab, VocabKind, VocabOptions};
use crate::write::{self, OutputFormat, SaveOptions};

/// An embedding matrix whose row `i` belongs to token `i` of its vocabulary.
#[derive(Debug, Clone)]
pub struct EmbeddingTable {
    weights: Array2<f32>,
    vocab: Vocab,
    origins: Vec<RowOrigin>,
}

impl EmbeddingTable {
    /// Puts a table together. Weights in any memory layout are made row-major
    /// (standard layout), copied only when they are not already.
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
        let weights = if weights.is_standard_layout() {
            weights
        } else {
            weights.as_standard_layout().into_owned()
        };
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
    pub fn vector(&self, token: &str) -> Option<ArrayView1<'_, f32>> {
        self.vocab.get(token).map(|r| self.weights.row(r))
    }

    /// Takes the table apart.
    pub fn into_parts(self) -> (Array2<f32>, Vocab, Vec<RowOrigin>) {
        (self.weights, self.vocab, self.origins)
    }
}

impl EmbeddingTable {
    /// Saves the table at `path` in the format its extension names (`.npy` with
    /// `.vocab.txt` and `.origins.npy` sidecars, `.safetensors` with a `.vocab.txt`
    /// sidecar, `.txt` GloVe, `.vec` word2vec text, `.bin` word2vec binary), in the
    /// layout of `options` (value type, safetensors metadata; `f32` by default) and
    /// by its write policy, atomically; returns the files written.
    ///
    /// ```
    /// use pretrained_vectors::ndarray::array;
    /// use pretrained_vectors::{table::SavedTable, vocab::VocabOptions, EmbeddingTable, RowOrigin, Vocab};
    /// use pretrained_vectors::write::SaveOptions;
    /// let dir = tempfile::tempdir()?;
    /// let vocab = Vocab::new(vec!["<pad>".into(), "cat".into()])?.padding(0)?;
    /// let table = EmbeddingTable::new(array![[0.0f32, 0.0], [0.5, -1.0]], vocab,
    ///     vec![RowOrigin::Padding, RowOrigin::Exact])?;
    /// let path = dir.path().join("table.npy");
    /// table.save(&path, &SaveOptions::new())?;
    /// // The row origins saved beside the table record its padding row.
    /// let saved = SavedTable::read(&path, &VocabOptions::new())?;
    /// assert_eq!(saved.weights(), table.weights());
    /// assert_eq!(saved.vocab().get_padding(), Some(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// In half precision:
    /// ```
    /// use pretrained_vectors::ndarray::array;
    /// use pretrained_vectors::{EmbeddingTable, RowOrigin, Vocab};
    /// use pretrained_vectors::write::{Dtype, SaveOptions};
    /// let dir = tempfile::tempdir()?;
    /// let vocab = Vocab::new(vec!["cat".into()])?;
    /// let table = EmbeddingTable::new(array![[0.1f32, -1.0]], vocab, vec![RowOrigin::Exact])?;
    /// let path = dir.path().join("table.safetensors");
    /// table.save(&path, &SaveOptions::new().dtype(Dtype::F16))?;
    /// let bytes = std::fs::read(&path)?;
    /// let st = safetensors::SafeTensors::deserialize(&bytes)?;
    /// assert_eq!(st.tensor("embeddings")?.dtype(), safetensors::Dtype::F16);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`write::add_outputs`]: nothing is written unless everything is.
    pub fn save(&self, path: impl AsRef<Path>, options: &SaveOptions) -> Result<Vec<PathBuf>> {
        let path = path.as_ref();
        let mut group = write::AtomicGroup::new(options.policy().clone());
        let format = OutputFormat::from_extension(path)?;
        self.add_outputs(&mut group, path, format, options.layout())?;
        group.commit()
    }

    /// Adds the table's files in `format` at `path` to `group`, as
    /// [`write::add_outputs`] does with the tokens, values and row origins, so that
    /// a caller can add more outputs (a report) before committing. Tokens the
    /// vocabulary is known to hold in `format` ([`Vocab::check_output`], and always
    /// in a token list) are not checked again.
    ///
    /// # Errors
    /// As [`write::add_outputs`].
    pub fn add_outputs(
        &self,
        group: &mut write::AtomicGroup,
        path: impl AsRef<Path>,
        format: OutputFormat,
        layout: &write::Layout,
    ) -> Result<()> {
        write::add_checked_outputs(
            group,
            self.vocab.tokens(),
            self.weights.view(),
            Some(&self.origins),
            path.as_ref(),
            format,
            layout,
            self.vocab.holds(format),
        )
    }
}

/// A table saved as `.npy`, reopened without copying: the values are viewed in the
/// mapped file (the npy header checked against the file's size) and the vocabulary
/// read from the sidecar token list.
#[derive(Debug)]
pub struct SavedTable {
    matrix: NpyMatrix,
    vocab: Vocab,
}

impl SavedTable {
    /// Opens the npy table at `path` with its sidecars: the token list at
    /// [`write::default_vocab_path`] and, when there is one (tables this crate
    /// saves have it), the row origins at [`write::default_origins_path`], which
    /// record the reserved rows (padding, OOV, unused, special): a saved table
    /// reads back with them without naming them again. The token list is read as
    /// [`VocabKind::TokenList`] whatever `options` say of the kind; their padding
    /// and OOV tokens name reserved rows by token, for tables saved without origins
    /// (older files, other tools).
    ///
    /// # Errors
    /// As [`NpyMatrix::read`] and [`Vocab::read`]; [`Error::Shape`] when the
    /// sidecar's rows differ from the table's.
    pub fn read(path: impl AsRef<Path>, options: &VocabOptions) -> Result<Self> {
        let path = path.as_ref();
        Self::read_with_vocab(path, write::default_vocab_path(path), options)
    }

    /// Opens the npy table at `path` with the token list at `vocab_path` (and the
    /// row origins beside the table, as [`SavedTable::read`]).
    ///
    /// # Errors
    /// As [`SavedTable::read`].
    pub fn read_with_vocab(
        path: impl AsRef<Path>,
        vocab_path: impl AsRef<Path>,
        options: &VocabOptions,
    ) -> Result<Self> {
        let matrix = NpyMatrix::read(path.as_ref())?;
        let list = options.clone().kind(VocabKind::TokenList);
        let mut vocab = Vocab::read(vocab_path.as_ref(), &list)?;
        if vocab.len() != matrix.rows() {
            return Err(Error::Shape {
                what: "saved table",
                expected: format!(
                    "{} rows (the sidecar {})",
                    vocab.len(),
                    vocab_path.as_ref().display()
                ),
                found: format!("{} rows in {}", matrix.rows(), path.as_ref().display()),
            });
        }
        let origins = write::default_origins_path(path.as_ref());
        if origins.exists() {
            vocab = reserve_recorded_rows(vocab, &origins)?;
        }
        Ok(SavedTable { matrix, vocab })
    }

    /// The weights, viewed in place when the file allows it.
    pub fn weights(&self) -> ArrayView2<'_, f32> {
        self.matrix.view()
    }

    /// The vocabulary, in row order.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The vector of `token`.
    pub fn vector(&self, token: &str) -> Option<ArrayView1<'_, f32>> {
        let r = self.vocab.get(token)?;
        Some(self.matrix.view().index_axis_move(ndarray::Axis(0), r))
    }

    /// Whether the weights are viewed in the mapped file (no copy).
    pub fn is_zero_copy(&self) -> bool {
        self.matrix.is_zero_copy()
    }
}

/// Reserves the rows that the row origins at `path` (a `|u1` vector, one
/// [`RowOrigin::code`] per row, as [`write::add_outputs`] writes it) record as
/// padding, OOV, unused or special.
fn reserve_recorded_rows(mut vocab: Vocab, path: &Path) -> Result<Vocab> {
    let bytes = crate::source::read_whole(path)?;
    let rows = vocab.len();
    let header = crate::npy::header_for("|u1", &[rows]);
    let bad = |found: String| Error::Shape {
        what: "row origins",
        expected: format!(
            "{rows} row origins (the table's rows) in a NumPy |u1 vector, one RowOrigin code \
             per row"
        ),
        found,
    };
    let codes = bytes
        .strip_prefix(header.as_slice())
        .filter(|codes| codes.len() == rows)
        .ok_or_else(|| bad(format!("{} bytes in {}", bytes.len(), path.display())))?;
    let mut specials = Vec::new();
    for (row, &code) in codes.iter().enumerate() {
        vocab = match RowOrigin::from_code(code) {
            Some(RowOrigin::Padding) => vocab.padding(row)?,
            Some(RowOrigin::Oov) => vocab.oov(row)?,
            Some(RowOrigin::Unused) => vocab.unused(row)?,
            Some(RowOrigin::Special) => {
                specials.push(row);
                vocab
            }
            Some(_) => vocab,
            None => {
                return Err(bad(format!(
                    "code {code} at row {row} of {}",
                    path.display()
                )))
            }
        };
    }
    if specials.is_empty() {
        Ok(vocab)
    } else {
        vocab.specials(specials)
    }
}
