//! Native fastText models (`.bin`, quantized `.ftz`): the vector of any word,
//! bit for bit as fastText's `getWordVector` computes it.
//!
//! A [`FastTextModel`] maps the file and walks its dictionary once (the only full
//! pass); a vector then touches only its own rows. Both layouts are read: the
//! current one (magic `0x2F4F16BA`, versions up to 12) and the one before it (no
//! signature, no prune index, no quantization flags); unsupervised (cbow,
//! skipgram) and supervised models (labels are not words); dense and
//! product-quantized input matrices (with or without a norm quantizer), and pruned
//! dictionaries with their bucket remapping.
//!
//! The vector of a word:
//! - a word of the dictionary: its own row, then the rows of its n-grams;
//! - any other string: the rows of its n-grams (none when it is `</s>`);
//! - n-grams over the UTF-8 bytes of `<` + word + `>`, from each byte that is not a
//!   continuation byte, `minn..=maxn` characters long, the lone `<` and `>` left out;
//!   row = words + FNV-1a (bytes as signed chars) % buckets, through the prune map
//!   when the model was pruned (an n-gram it dropped has no row);
//! - the rows summed in `f32` in that order, then multiplied by the `f32` of
//!   `1 / rows` (a multiply, as fastText does, not a divide); no rows: zeros.
//!
//! ```
//! use pretrained_vectors::fasttext::{FastTextModel, ModelKind};
//! let model = FastTextModel::read("fixtures/fasttext/skipgram.bin")?;
//! assert_eq!((model.kind(), model.dims()), (ModelKind::Skipgram, 20));
//! let known = model.word_vector("function");
//! let misspelt = model.word_vector("fucntion"); // not in the dictionary
//! assert!(model.word_id(b"fucntion").is_none() && misspelt.iter().any(|&v| v != 0.0));
//! assert_eq!(known.len(), 20);
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hashbrown::HashTable;
use ndarray::{Array1, Array2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Position, Result};
use crate::format::Format;
use crate::parse::fasttext::{self as layout, ngrams, Layout, Matrix};
use crate::parse::Utf8Policy;
use crate::source::{self, Bytes, Input};
use crate::vectors::{Duplicate, ReadInfo, Vectors, WordIndex};

/// The end-of-sentence token: a dictionary row of its own and no n-grams.
pub(crate) const EOS: &str = "</s>";

/// How a model was trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Unsupervised, continuous bag of words.
    Cbow,
    /// Unsupervised, skip-gram.
    Skipgram,
    /// A supervised classifier (its dictionary also holds labels).
    Supervised,
}

/// Which ends of a string are word boundaries, for its subword vector
/// ([`FastTextModel::piece_vector`]). fastText marks a word's start with `<` and
/// its end with `>` before cutting it into n-grams, so `<ing` (a word starting
/// with "ing") and `ing>` (a word ending with it) are different n-grams: a piece of
/// a word takes only the marks of the ends it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WordBounds {
    /// A whole word, `<` + word + `>`: fastText's own `getWordVector`
    /// ([`FastTextModel::word_vector`]), the word's own row included when the
    /// dictionary has it.
    Whole,
    /// A piece that does not start a word (WordPiece's `##ing`; a byte-level or
    /// metaspace piece without its space marker): the n-grams of `ing>`. Where the
    /// piece ends is not known; most such pieces end words (suffixes), so the end
    /// mark stays.
    NotStart,
    /// A piece that does not end a word (in a vocabulary that marks word ends
    /// with `</w>`, a piece without the suffix): the n-grams of `<th`.
    NotEnd,
}

impl WordBounds {
    /// Whether the string starts a word and whether it ends one.
    fn marks(self) -> (bool, bool) {
        match self {
            WordBounds::Whole => (true, true),
            WordBounds::NotStart => (false, true),
            WordBounds::NotEnd => (true, false),
        }
    }
}

/// A native fastText model, memory-mapped.
pub struct FastTextModel {
    path: PathBuf,
    bytes: Bytes,
    layout: Layout,
    /// Dictionary entry ids (words and labels) by their bytes; a word given twice
    /// finds its last entry, as in fastText.
    index: HashTable<u32>,
    /// Whether the bytes were decompressed from gzip.
    gzip: bool,
}

impl std::fmt::Debug for FastTextModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FastTextModel")
            .field("path", &self.path)
            .field("kind", &self.kind())
            .field("dims", &self.dims())
            .field("words", &self.word_count())
            .field("labels", &self.label_count())
            .field("quantized", &self.is_quantized())
            .finish_non_exhaustive()
    }
}

fn hash_bytes(word: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(word)
}

impl FastTextModel {
    /// Opens the model at `path`: mapped (read into memory where mapping fails);
    /// a gzip-compressed model (`.bin.gz`, every member, as `zcat`) is decompressed
    /// into memory, up to [`ReadOptions`](crate::ReadOptions)' default
    /// `max_decompressed_bytes`.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::NotAFile`] when it cannot be read;
    /// [`Error::ModelTruncated`] and [`Error::BadModel`] (with the byte, and the
    /// entry number inside the dictionary) when it is not a complete model; for
    /// gzip, [`Error::Gzip`], [`Error::GzipTrailing`] and [`Error::TooLarge`] as
    /// for vector files, and the model's byte offsets count decompressed bytes.
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        Self::read_within(path.as_ref(), crate::ReadOptions::new().max_decompressed)
    }

    /// [`read`](Self::read), decompressing at most `max_decompressed` bytes.
    pub(crate) fn read_within(path: &Path, max_decompressed: u64) -> Result<Self> {
        match source::open(path, true)? {
            Input::Bytes(bytes) => Self::from_source(path, bytes, false),
            Input::Gzip {
                reader,
                compressed_len,
            } => Self::from_source(
                path,
                Bytes::Owned(inflate(path, reader, compressed_len, max_decompressed)?),
                true,
            ),
        }
    }

    /// Reads a model from bytes in memory (gzip detected and decompressed, as for
    /// files); errors name `path` (an empty path shows as `<memory>`).
    ///
    /// # Errors
    /// As [`FastTextModel::read`].
    pub fn from_bytes(path: &Path, bytes: Vec<u8>) -> Result<Self> {
        if crate::format::is_gzip(&bytes) {
            let len = bytes.len() as u64;
            let limit = crate::ReadOptions::new().max_decompressed;
            let inflated = inflate(path, Box::new(std::io::Cursor::new(bytes)), len, limit)?;
            return Self::from_source(path, Bytes::Owned(inflated), true);
        }
        Self::from_source(path, Bytes::Owned(bytes), false)
    }

    pub(crate) fn from_source(path: &Path, bytes: Bytes, gzip: bool) -> Result<Self> {
        let layout = layout::parse(path, &bytes)?;
        let mut index = HashTable::with_capacity(layout.entries.len());
        for i in 0..layout.entries.len() {
            let w = layout.word(&bytes, i);
            let h = hash_bytes(w);
            match index.entry(
                h,
                |&j: &u32| layout.word(&bytes, j as usize) == w,
                |&j| hash_bytes(layout.word(&bytes, j as usize)),
            ) {
                hashbrown::hash_table::Entry::Occupied(mut e) => *e.get_mut() = i as u32,
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
            }
        }
        Ok(FastTextModel {
            path: path.to_path_buf(),
            bytes,
            layout,
            index,
            gzip,
        })
    }

    /// The model at `path` when it is one (or `forced` says so), else `None`: the
    /// first bytes decide, before any other format is detected.
    /// A gzip-compressed model is told by its first decompressed bytes.
    pub(crate) fn open_if_model(
        path: &Path,
        forced: Option<Format>,
        max_decompressed: u64,
    ) -> Result<Option<Self>> {
        use std::io::Read;
        if forced.is_some_and(|f| !f.is_fasttext_model()) {
            return Ok(None);
        }
        let mut head = Vec::with_capacity(64);
        if let Ok(f) = std::fs::File::open(path) {
            let _ = f.take(64).read_to_end(&mut head);
        }
        if crate::format::is_gzip(&head) {
            head = match std::fs::File::open(path) {
                Ok(f) => gzip_head(std::io::BufReader::new(f)),
                Err(_) => Vec::new(),
            };
        }
        if Self::sniff(&head, forced) {
            return Self::read_within(path, max_decompressed).map(Some);
        }
        Ok(None)
    }

    /// Whether `bytes` (a whole file in memory, perhaps gzip-compressed) hold a
    /// native model, as [`sniff`](Self::sniff) tells from the first (decompressed)
    /// bytes.
    pub(crate) fn sniff_bytes(bytes: &[u8], forced: Option<Format>) -> bool {
        if forced.is_some_and(|f| !f.is_fasttext_model()) || !crate::format::is_gzip(bytes) {
            return Self::sniff(bytes, forced);
        }
        Self::sniff(&gzip_head(bytes), forced)
    }

    /// Whether `head` (the first bytes of a file) looks like a native model.
    pub(crate) fn sniff(head: &[u8], forced: Option<Format>) -> bool {
        match forced {
            Some(f) => f.is_fasttext_model(),
            None => layout::looks_like_model(head),
        }
    }

    /// Hands the model's mapped pages back to the operating system (they stay in
    /// the page cache; a later read maps them again): computing many vectors then
    /// costs resident memory for the rows of the last batch, not for every row
    /// touched. A no-op for models in memory and for maps under 1 GiB.
    pub(crate) fn release_pages(&self) {
        self.bytes.release_before(self.bytes.len());
    }

    /// Whether the model was decompressed from gzip.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The file it was read from (empty for bytes in memory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How it was trained.
    pub fn kind(&self) -> ModelKind {
        match self.layout.args.model {
            1 => ModelKind::Cbow,
            2 => ModelKind::Skipgram,
            _ => ModelKind::Supervised,
        }
    }

    /// [`Format::FastTextFtz`] when the input matrix is quantized, else
    /// [`Format::FastTextBin`].
    pub fn format(&self) -> Format {
        if self.is_quantized() {
            Format::FastTextFtz
        } else {
            Format::FastTextBin
        }
    }

    /// The format version (12 for current models), `None` for the format before
    /// versions were written.
    pub fn version(&self) -> Option<i32> {
        self.layout.version
    }

    /// Dimensions of the vectors.
    pub fn dims(&self) -> usize {
        self.layout.args.dim
    }

    /// Words in the dictionary (labels not counted).
    pub fn word_count(&self) -> usize {
        self.layout.nwords
    }

    /// Labels in the dictionary (0 for unsupervised models).
    pub fn label_count(&self) -> usize {
        self.layout.nlabels
    }

    /// Hash buckets of the n-grams (the model's `bucket` argument).
    pub fn buckets(&self) -> usize {
        self.layout.args.bucket
    }

    /// Shortest and longest n-grams, in characters (`maxn == 0`: no n-grams).
    pub fn ngram_lengths(&self) -> (usize, usize) {
        (self.layout.args.minn, self.layout.args.maxn)
    }

    /// Whether the input matrix is product-quantized (a `.ftz`).
    pub fn is_quantized(&self) -> bool {
        matches!(self.layout.input, Matrix::Quantized { .. })
    }

    /// Whether the dictionary was pruned (only some n-gram buckets kept).
    pub fn is_pruned(&self) -> bool {
        self.layout.prune.is_some()
    }

    /// The bytes of word `i` (`0..word_count()`), in dictionary order.
    ///
    /// # Panics
    /// When `i` is not below [`FastTextModel::word_count`].
    pub fn word(&self, i: usize) -> &[u8] {
        assert!(i < self.layout.nwords, "word {i} of {}", self.layout.nwords);
        self.layout.word(&self.bytes, i)
    }

    /// The words' bytes, in dictionary order (labels excluded). fastText words are
    /// byte strings: real models hold a few that are not UTF-8.
    pub fn words(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        (0..self.layout.nwords).map(|i| self.layout.word(&self.bytes, i))
    }

    /// The labels' bytes (`__label__...`), in dictionary order.
    pub fn labels(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        (self.layout.nwords..self.layout.entries.len()).map(|i| self.layout.word(&self.bytes, i))
    }

    /// The dictionary entry of `word` (words first, then labels), as fastText's
    /// `getId`: a word given twice finds its last entry.
    pub fn word_id(&self, word: &[u8]) -> Option<usize> {
        self.index
            .find(hash_bytes(word), |&j| {
                self.layout.word(&self.bytes, j as usize) == word
            })
            .map(|&j| j as usize)
    }

    /// The vector of any word, as fastText's `getWordVector` (see the module docs).
    pub fn word_vector(&self, word: &str) -> Array1<f32> {
        let mut out = Array1::zeros(self.dims());
        self.word_vector_into(
            word.as_bytes(),
            out.as_slice_mut().expect("a new array is contiguous"),
        );
        out
    }

    /// Writes the vector of the word with these bytes into `out` and returns the
    /// number of rows summed (0: no row, and `out` is zeros). The aligner's
    /// `subword` rows are those with at least one.
    ///
    /// # Panics
    /// When `out` does not have [`FastTextModel::dims`] values.
    pub fn word_vector_into(&self, word: &[u8], out: &mut [f32]) -> usize {
        let mut rows = Vec::with_capacity(32);
        self.rows_of(word, self.word_id(word), &mut rows);
        self.average(&rows, out)
    }

    /// The subword vector of a piece of a word, from the rows of its n-grams with
    /// only the boundary marks `bounds` gives it (see [`WordBounds`]):
    /// `piece_vector("ing", WordBounds::NotStart)` sums the rows of `ing`, `ing>`
    /// and `ng>` (for n-grams of 3 and 4 characters), never those of `<ing`. The
    /// rows are summed and scaled exactly as [`FastTextModel::word_vector`] does;
    /// a piece that is not a whole word takes no dictionary row. Zeros when it has
    /// no n-gram row.
    ///
    /// ```
    /// use pretrained_vectors::fasttext::{FastTextModel, WordBounds};
    /// let model = FastTextModel::read("fixtures/fasttext/skipgram.bin")?;
    /// let suffix = model.piece_vector("ation", WordBounds::NotStart);
    /// assert_ne!(suffix, model.word_vector("ation"));
    /// assert_eq!(model.piece_vector("ation", WordBounds::Whole), model.word_vector("ation"));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn piece_vector(&self, piece: &str, bounds: WordBounds) -> Array1<f32> {
        let mut out = Array1::zeros(self.dims());
        self.piece_vector_into(
            piece.as_bytes(),
            bounds,
            out.as_slice_mut().expect("a new array is contiguous"),
        );
        out
    }

    /// Writes [`FastTextModel::piece_vector`] of the piece with these bytes into
    /// `out` and returns the number of rows summed (0: none, and `out` is zeros).
    ///
    /// # Panics
    /// When `out` does not have [`FastTextModel::dims`] values.
    pub fn piece_vector_into(&self, piece: &[u8], bounds: WordBounds, out: &mut [f32]) -> usize {
        if bounds == WordBounds::Whole {
            return self.word_vector_into(piece, out);
        }
        let mut rows = Vec::with_capacity(32);
        self.ngram_rows(piece, bounds, &mut rows);
        self.average(&rows, out)
    }

    /// The input rows of a word, in fastText's order: its own row when it has one,
    /// then its n-grams' (none for `</s>`).
    fn rows_of(&self, word: &[u8], id: Option<usize>, rows: &mut Vec<usize>) {
        let l = &self.layout;
        if let Some(i) = id {
            // A label's id points past the words, into the bucket rows (fastText
            // does the same); past the matrix it has no row.
            if i < l.input.rows() {
                rows.push(i);
            }
        }
        if word == EOS.as_bytes() {
            return;
        }
        self.ngram_rows(word, WordBounds::Whole, rows);
    }

    /// The rows of the n-grams of `word` within `bounds`, in fastText's order.
    fn ngram_rows(&self, word: &[u8], bounds: WordBounds, rows: &mut Vec<usize>) {
        let l = &self.layout;
        if l.args.bucket == 0 {
            return;
        }
        let mut scratch = Vec::with_capacity(word.len() + 2);
        let (minn, maxn) = (l.args.minn, l.args.maxn);
        ngrams::for_each_ngram(word, bounds.marks(), minn, maxn, &mut scratch, |h| {
            let bucket = h % l.args.bucket as u32;
            match &l.prune {
                None => rows.push(l.nwords + bucket as usize),
                Some(map) => {
                    if let Ok(k) = map.binary_search_by_key(&bucket, |&(b, _)| b) {
                        rows.push(l.nwords + map[k].1 as usize);
                    }
                }
            }
        });
    }

    /// Sums `rows` into `out` in order, then multiplies by `1 / rows` in `f32`.
    fn average(&self, rows: &[usize], out: &mut [f32]) -> usize {
        assert_eq!(
            out.len(),
            self.dims(),
            "the vector's length is the model's dims"
        );
        out.fill(0.0);
        let bytes: &[u8] = &self.bytes;
        match &self.layout.input {
            Matrix::Dense { at, cols, .. } => {
                for &r in rows {
                    let start = at + r * cols * 4;
                    let row = &bytes[start..start + cols * 4];
                    for (o, v) in out.iter_mut().zip(row.chunks_exact(4)) {
                        *o += f32::from_le_bytes(v.try_into().expect("4 bytes"));
                    }
                }
            }
            Matrix::Quantized {
                codes, pq, norms, ..
            } => {
                for &r in rows {
                    let norm = match norms {
                        Some((at, npq)) => npq.centroid(0, bytes[at + r])[0],
                        None => 1.0,
                    };
                    let code = &bytes[codes + r * pq.nsubq..codes + (r + 1) * pq.nsubq];
                    for (m, &c) in code.iter().enumerate() {
                        let centroid = pq.centroid(m, c);
                        let o = &mut out[m * pq.dsub..m * pq.dsub + centroid.len()];
                        for (o, &v) in o.iter_mut().zip(centroid) {
                            // Two roundings, as in fastText's source (never fused).
                            let scaled = norm * v;
                            *o += scaled;
                        }
                    }
                }
            }
        }
        if !rows.is_empty() {
            let a = (1.0f64 / rows.len() as f64) as f32;
            for o in out.iter_mut() {
                *o *= a;
            }
        }
        rows.len()
    }

    /// Every word of the model (labels excluded) and its vector: a conversion of the
    /// model to plain vectors, exact (where the model's own `.vec` keeps 5
    /// significant digits). The result still answers for any other word through
    /// [`Vectors::word_vector`].
    ///
    /// # Errors
    /// [`Error::BadUtf8`] (at the entry and its byte) for a word that is not UTF-8
    /// under [`Utf8Policy::Strict`].
    pub fn to_vectors(self: &Arc<Self>, utf8: Utf8Policy) -> Result<Vectors> {
        let n = self.word_count();
        let mut words = Vec::with_capacity(n);
        for i in 0..n {
            let w = self.word(i);
            words.push(match std::str::from_utf8(w) {
                Ok(s) => s.to_string(),
                Err(_) if utf8 == Utf8Policy::Lossy => String::from_utf8_lossy(w).into_owned(),
                Err(e) => {
                    return Err(Error::BadUtf8 {
                        path: self.path.clone(),
                        pos: Position::record(
                            i as u64 + 1,
                            (self.layout.entries[i].0 + e.valid_up_to()) as u64,
                        ),
                        lossy: true,
                    })
                }
            });
        }
        // Repeated words (possible only through lossy UTF-8): the first wins.
        let (mut index, dups) = WordIndex::build(&words, None);
        let mut ids: Vec<usize> = (0..n).collect();
        let mut duplicates = Vec::new();
        if !dups.is_empty() {
            let mut keep = vec![true; n];
            for &(at, first) in &dups {
                keep[at] = false;
                duplicates.push(Duplicate {
                    word: words[at].clone(),
                    at: at as u64 + 1,
                    first: first as u64 + 1,
                    repeats: 1,
                });
            }
            ids.retain(|&i| keep[i]);
            let mut i = 0;
            words.retain(|_| {
                i += 1;
                keep[i - 1]
            });
            index = WordIndex::build(&words, None).0;
        }
        let dims = self.dims();
        let mut matrix = Array2::<f32>::zeros((ids.len(), dims));
        if dims > 0 {
            matrix
                .as_slice_mut()
                .expect("a new array is contiguous")
                .par_chunks_mut(dims)
                .zip(ids.par_iter())
                .for_each_init(Vec::new, |rows, (out, &i)| {
                    rows.clear();
                    let w = self.word(i);
                    self.rows_of(w, self.word_id(w), rows);
                    self.average(rows, out);
                });
        }
        let info = ReadInfo {
            format: Some(self.format()),
            gzip: self.gzip,
            header_rows: None,
            file_rows: n as u64,
            dims,
            duplicates,
        };
        Ok(Vectors {
            words,
            matrix,
            index,
            info,
            model: Some(Arc::clone(self)),
            checked: None,
        })
    }
}

/// The first 64 decompressed bytes of a gzip stream (fewer when it ends or breaks
/// sooner), enough to tell a model by [`FastTextModel::sniff`].
fn gzip_head(compressed: impl std::io::Read) -> Vec<u8> {
    use std::io::Read;
    let mut head = Vec::with_capacity(64);
    let _ = flate2::read::MultiGzDecoder::new(compressed)
        .take(64)
        .read_to_end(&mut head);
    head
}

/// The whole decompressed content of a gzip stream (every member), with the
/// errors and the size limit of the gzip reader of vector files.
fn inflate(
    path: &Path,
    reader: Box<dyn std::io::Read + Send>,
    compressed_len: u64,
    limit: u64,
) -> Result<Vec<u8>> {
    let mut blocks = source::GzBlocks::start(path, reader, compressed_len, limit, 1 << 20);
    let mut bytes = Vec::new();
    blocks.fill(&mut bytes, usize::MAX)?;
    Ok(bytes)
}
