//! [`EmbeddingTable`]: the weights aligned to a vocabulary, and where each row came
//! from; [`SavedTable`]: a saved table (npy or safetensors) reopened, in place when
//! it can be.

use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::error::{Dims, Error, IoAction, Result, ShapeFault, TableTensor};
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
                expected: Dims::count(vocab.len(), "rows (the vocabulary's)"),
                found: if weights.nrows() != vocab.len() {
                    Dims::count(weights.nrows(), "weight rows")
                } else {
                    Dims::count(origins.len(), "row origins")
                },
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

/// A saved table reopened: an `.npy` (with its `.origins.npy` beside it) or a
/// `.safetensors` (tensors `embeddings` and `origins`), told by the file's first
/// bytes, and the vocabulary from the token list beside it.
///
/// `f32` values are viewed in the mapped file without copying (the header checked
/// against the file's size first); `f16` and `bf16` values (and `f8`, or another
/// byte order or layout in an npy) are converted to an owned `f32` matrix, exactly
/// (`f8` rounded to nearest).
#[derive(Debug)]
pub struct SavedTable {
    weights: Weights,
    vocab: Vocab,
    origins: Option<Vec<RowOrigin>>,
}

/// Where the weights of a [`SavedTable`] are.
enum Weights {
    Npy(NpyMatrix),
    /// `f32` values viewed in a mapped safetensors file, from `offset`.
    Mapped {
        map: memmap2::Mmap,
        offset: usize,
        shape: (usize, usize),
    },
    Owned(Array2<f32>),
}

impl std::fmt::Debug for Weights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Weights::Npy(m) => m.fmt(f),
            Weights::Mapped { shape, .. } => write!(f, "Mapped {shape:?}"),
            Weights::Owned(a) => write!(f, "Owned {:?}", a.dim()),
        }
    }
}

impl Weights {
    fn view(&self) -> ArrayView2<'_, f32> {
        match self {
            Weights::Npy(m) => m.view(),
            Weights::Mapped { map, offset, shape } => {
                // Checked when the table was opened: aligned, exactly rows * dims.
                let values = crate::npy::as_f32s(&map[*offset..*offset + 4 * shape.0 * shape.1])
                    .unwrap_or(&[]);
                ArrayView2::from_shape(*shape, values).expect("safetensors shape checked at open")
            }
            Weights::Owned(a) => a.view(),
        }
    }

    fn rows(&self) -> usize {
        self.view().nrows()
    }
}

impl SavedTable {
    /// Opens the table at `path` with its sidecars: the token list at
    /// [`write::default_vocab_path`] (or, when there is none, the file beside a
    /// `.safetensors` that its `tokens_file` metadata names) and the row origins, when the table has them
    /// (tables this crate saves do): the `origins` tensor of a `.safetensors`, the
    /// [`write::default_origins_path`] beside an `.npy` (a 1-D array of any integer
    /// type). They record the reserved rows (padding, OOV, unused, special): a saved
    /// table reads back with them without naming them again. The token list is read
    /// as [`VocabKind::TokenList`] whatever `options` say of the kind; their padding
    /// and OOV tokens name reserved rows by token, for tables saved without origins
    /// (older files, other tools).
    ///
    /// ```
    /// use pretrained_vectors::ndarray::array;
    /// use pretrained_vectors::{table::SavedTable, vocab::VocabOptions, EmbeddingTable, RowOrigin, Vocab};
    /// use pretrained_vectors::write::{Dtype, SaveOptions};
    /// let dir = tempfile::tempdir()?;
    /// let vocab = Vocab::new(vec!["<pad>".into(), "cat".into()])?.padding(0)?;
    /// let table = EmbeddingTable::new(array![[0.0f32, 0.0], [0.5, -1.0]], vocab,
    ///     vec![RowOrigin::Padding, RowOrigin::Exact])?;
    /// let path = dir.path().join("table.safetensors");
    /// table.save(&path, &SaveOptions::new().dtype(Dtype::Bf16))?;
    /// let saved = SavedTable::read(&path, &VocabOptions::new())?;
    /// assert_eq!(saved.weights(), table.weights()); // these values are exact in bf16
    /// assert_eq!(saved.vocab().get_padding(), Some(0));
    /// assert_eq!(saved.origins(), Some(table.origins()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] when a file cannot be read; [`Error::Npy`] for a malformed npy
    /// table or origins; [`Error::Safetensors`] for a malformed safetensors file;
    /// [`Error::ShapeFault`] when it has no `embeddings` tensor of `F32`, `F16` or
    /// `BF16` values `[rows, dims]`, when its `origins` tensor is not one integer per
    /// row, when an origin code is unknown, or when the token list's rows differ from
    /// the table's; those of [`Vocab::read`].
    pub fn read(path: impl AsRef<Path>, options: &VocabOptions) -> Result<Self> {
        Self::open(path.as_ref(), None, options)
    }

    /// Opens the table at `path` with the token list at `vocab_path` (and the row
    /// origins, as [`SavedTable::read`]).
    ///
    /// # Errors
    /// As [`SavedTable::read`].
    pub fn read_with_vocab(
        path: impl AsRef<Path>,
        vocab_path: impl AsRef<Path>,
        options: &VocabOptions,
    ) -> Result<Self> {
        Self::open(path.as_ref(), Some(vocab_path.as_ref()), options)
    }

    /// Opens the table at `path` with the token list at `vocab_path`, or where the
    /// table's file says it is (see [`SavedTable::read`]).
    fn open(path: &Path, vocab_path: Option<&Path>, options: &VocabOptions) -> Result<Self> {
        let Opened {
            weights,
            codes: origins,
            tokens_file,
        } = open_weights(path)?;
        let vocab_path = match vocab_path {
            Some(p) => p.to_path_buf(),
            None => sidecar_vocab(path, tokens_file.as_deref()),
        };
        let vocab_path = vocab_path.as_path();
        let list = options.clone().kind(VocabKind::TokenList);
        let mut vocab = Vocab::read(vocab_path, &list)?;
        if vocab.len() != weights.rows() {
            return Err(Error::ShapeFault {
                what: "saved table",
                fault: Box::new(ShapeFault::TableRows {
                    path: path.to_path_buf(),
                    rows: weights.rows(),
                    vocab_path: vocab_path.to_path_buf(),
                    tokens: vocab.len(),
                }),
            });
        }
        let origins = match origins {
            Some(codes) => Some(origins_of(codes, path)?),
            None => {
                let sidecar = write::default_origins_path(path);
                if sidecar.exists() {
                    let bytes = crate::source::read_whole(&sidecar)?;
                    let codes = crate::npy::int_vector(&sidecar, &bytes)?;
                    Some(origins_of(codes, &sidecar)?)
                } else {
                    None
                }
            }
        };
        if let Some(origins) = &origins {
            if origins.len() != vocab.len() {
                return Err(Error::ShapeFault {
                    what: "row origins",
                    fault: Box::new(ShapeFault::OriginRows {
                        path: path.to_path_buf(),
                        origins: origins.len(),
                        rows: vocab.len(),
                    }),
                });
            }
            vocab = reserve_rows(vocab, origins)?;
        }
        Ok(SavedTable {
            weights,
            vocab,
            origins,
        })
    }

    /// The weights, viewed in place when the file allows it.
    pub fn weights(&self) -> ArrayView2<'_, f32> {
        self.weights.view()
    }

    /// The vocabulary, in row order.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// Each row's origin, when the table has them (its `origins` tensor or
    /// `.origins.npy`).
    pub fn origins(&self) -> Option<&[RowOrigin]> {
        self.origins.as_deref()
    }

    /// The vector of `token`.
    pub fn vector(&self, token: &str) -> Option<ArrayView1<'_, f32>> {
        let r = self.vocab.get(token)?;
        Some(self.weights.view().index_axis_move(ndarray::Axis(0), r))
    }

    /// Whether the weights are viewed in the mapped file (no copy).
    pub fn is_zero_copy(&self) -> bool {
        match &self.weights {
            Weights::Npy(m) => m.is_zero_copy(),
            Weights::Mapped { .. } => true,
            Weights::Owned(_) => false,
        }
    }
}

/// Opens the weights at `path` (npy or safetensors, told by the first bytes); with
/// the codes of a safetensors `origins` tensor.
/// Where the token list of the table at `path` is: [`write::default_vocab_path`]
/// when it exists, else the file that the table's `tokens_file` metadata names
/// beside it (which [`EmbeddingTable::save`] records: `--vocab-out` may give the
/// list another name), when that exists and is a bare file name (never a path out
/// of the table's folder); else the default, which the read then reports missing.
fn sidecar_vocab(path: &Path, tokens_file: Option<&str>) -> PathBuf {
    let default = write::default_vocab_path(path);
    if default.exists() {
        return default;
    }
    let bare =
        |name: &&Path| name.components().count() == 1 && name.file_name() == Some(name.as_os_str());
    tokens_file
        .map(Path::new)
        .filter(bare)
        .map(|name| path.with_file_name(name))
        .filter(|p| p.is_file())
        .unwrap_or(default)
}

/// A saved table's weights and what its file says of its sidecars.
struct Opened {
    weights: Weights,
    /// The codes of a safetensors `origins` tensor.
    codes: Option<Vec<i128>>,
    /// A safetensors table's `tokens_file` metadata.
    tokens_file: Option<String>,
}

/// Opens the weights at `path` (npy or safetensors, told by the first bytes).
fn open_weights(path: &Path) -> Result<Opened> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, IoAction::Open, e))?;
    let mut head = [0u8; 6];
    let n = std::io::Read::read(&mut &file, &mut head)
        .map_err(|e| Error::io(path, IoAction::Read, e))?;
    if crate::npy::is_npy(&head[..n]) {
        return Ok(Opened {
            weights: Weights::Npy(NpyMatrix::read(path)?),
            codes: None,
            tokens_file: None,
        });
    }
    match crate::mmap::map(&file) {
        Ok(map) => {
            let parsed = parse_safetensors(path, &map, true)?;
            let weights = match parsed.values {
                Some(values) => Weights::Owned(values),
                None => Weights::Mapped {
                    map,
                    offset: parsed.offset,
                    shape: parsed.shape,
                },
            };
            Ok(Opened {
                weights,
                codes: parsed.codes,
                tokens_file: parsed.tokens_file,
            })
        }
        Err(_) => {
            let bytes = crate::source::read_whole(path)?;
            let parsed = parse_safetensors(path, &bytes, false)?;
            let values = parsed.values.expect("converted when it cannot be viewed");
            Ok(Opened {
                weights: Weights::Owned(values),
                codes: parsed.codes,
                tokens_file: parsed.tokens_file,
            })
        }
    }
}

/// A safetensors table, checked.
struct Parsed {
    /// The values converted to `f32`; `None` when they are to be viewed in place.
    values: Option<Array2<f32>>,
    /// Where the values start in the file.
    offset: usize,
    shape: (usize, usize),
    /// The integers of the `origins` tensor, if there is one.
    codes: Option<Vec<i128>>,
    /// The `tokens_file` metadata, if any.
    tokens_file: Option<String>,
}

/// Checks the safetensors file held in `all` and reads its `origins` codes; the
/// `embeddings` are converted to `f32` unless they are aligned little-endian `f32`
/// and `can_view` (the bytes are a map that will be kept).
fn parse_safetensors(path: &Path, all: &[u8], can_view: bool) -> Result<Parsed> {
    use safetensors::{Dtype as St, SafeTensors};
    let bad = |source| Error::Safetensors {
        path: path.to_path_buf(),
        source,
    };
    let st = SafeTensors::deserialize(all).map_err(bad)?;
    let tokens_file = SafeTensors::read_metadata(all)
        .map_err(bad)?
        .1
        .metadata()
        .as_ref()
        .and_then(|m| m.get("tokens_file").cloned());
    let wrong = |fault: ShapeFault| Error::ShapeFault {
        what: "safetensors table",
        fault: Box::new(fault),
    };
    let layout = |tensor, dtype, shape: &[usize]| {
        wrong(ShapeFault::TensorLayout {
            path: path.to_path_buf(),
            tensor,
            dtype,
            shape: shape.to_vec(),
        })
    };
    let e = st.tensor(TableTensor::Embeddings.name()).map_err(|_| {
        let mut tensors: Vec<String> = st.names().into_iter().map(str::to_owned).collect();
        tensors.sort();
        wrong(ShapeFault::NoEmbeddings {
            path: path.to_path_buf(),
            tensors,
        })
    })?;
    let (rows, dims) = match (e.dtype(), e.shape()) {
        (St::F32 | St::F16 | St::BF16, &[rows, dims]) => (rows, dims),
        (dtype, shape) => return Err(layout(TableTensor::Embeddings, dtype, shape)),
    };
    let codes = match st.tensor(TableTensor::Origins.name()) {
        Err(_) => None,
        Ok(o) => {
            let (size, signed) = match o.dtype() {
                St::U8 => (1, false),
                St::I8 => (1, true),
                St::U16 => (2, false),
                St::I16 => (2, true),
                St::U32 => (4, false),
                St::I32 => (4, true),
                St::U64 => (8, false),
                St::I64 => (8, true),
                dtype => return Err(layout(TableTensor::Origins, dtype, o.shape())),
            };
            if o.shape() != [rows] {
                return Err(layout(TableTensor::Origins, o.dtype(), o.shape()));
            }
            Some(
                o.data()
                    .chunks_exact(size)
                    .map(|c| le_int(c, signed))
                    .collect(),
            )
        }
    };
    let data = e.data();
    let offset = data.as_ptr() as usize - all.as_ptr() as usize;
    let shape = (rows, dims);
    let values: Array2<f32> = match e.dtype() {
        St::F32 => {
            if can_view && cfg!(target_endian = "little") && crate::npy::as_f32s(data).is_some() {
                return Ok(Parsed {
                    values: None,
                    offset,
                    shape,
                    codes,
                    tokens_file,
                });
            }
            let v = data
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
            Array2::from_shape_vec((rows, dims), v.collect())
        }
        St::F16 => {
            let v = data
                .chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32());
            Array2::from_shape_vec((rows, dims), v.collect())
        }
        _ => {
            let v = data
                .chunks_exact(2)
                .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32());
            Array2::from_shape_vec((rows, dims), v.collect())
        }
    }
    .map_err(|_| Error::Shape {
        what: "safetensors embeddings",
        expected: Dims::count(rows.saturating_mul(dims), "values"),
        found: Dims::count(data.len() * 8 / e.dtype().bitsize(), "values"),
    })?;
    Ok(Parsed {
        values: Some(values),
        offset,
        shape,
        codes,
        tokens_file,
    })
}

/// A little-endian integer of 1 to 8 bytes.
fn le_int(bytes: &[u8], signed: bool) -> i128 {
    let mut b = [0u8; 8];
    b[..bytes.len()].copy_from_slice(bytes);
    let raw = u64::from_le_bytes(b);
    if signed {
        let shift = 64 - 8 * bytes.len() as u32;
        i128::from(((raw << shift) as i64) >> shift)
    } else {
        i128::from(raw)
    }
}

/// The origins of `codes` (read from `path`).
fn origins_of(codes: Vec<i128>, path: &Path) -> Result<Vec<RowOrigin>> {
    let rows = codes.len();
    let mut origins = Vec::with_capacity(rows);
    for (row, &code) in codes.iter().enumerate() {
        match u8::try_from(code).ok().and_then(RowOrigin::from_code) {
            Some(origin) => origins.push(origin),
            None => {
                return Err(Error::ShapeFault {
                    what: "row origins",
                    fault: Box::new(ShapeFault::UnknownOrigin {
                        path: path.to_path_buf(),
                        row,
                        code,
                        max: (RowOrigin::ALL.len() - 1) as u8,
                    }),
                })
            }
        }
    }
    Ok(origins)
}

/// Reserves the rows that `origins` mark as padding, OOV, unused or special.
fn reserve_rows(mut vocab: Vocab, origins: &[RowOrigin]) -> Result<Vocab> {
    let mut specials = Vec::new();
    for (row, origin) in origins.iter().enumerate() {
        vocab = match origin {
            RowOrigin::Padding => vocab.padding(row)?,
            RowOrigin::Oov => vocab.oov(row)?,
            RowOrigin::Unused => vocab.unused(row)?,
            RowOrigin::Special => {
                specials.push(row);
                vocab
            }
            _ => vocab,
        };
    }
    if specials.is_empty() {
        Ok(vocab)
    } else {
        vocab.specials(specials)
    }
}
