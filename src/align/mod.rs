//! The aligner: the embedding table for a vocabulary, parsing only the rows it needs.
//!
//! One pass over the vector file (mapped and scanned in parallel waves of chunks, or
//! streamed from gzip) looks each word up first and parses values only for words
//! the vocabulary needs. Scanning stops once every row has its exact word: GloVe
//! and word2vec files are sorted by frequency, so common vocabularies finish early.
//!
//! ```
//! use pretrained_vectors::{align::Aligner, Vocab};
//! let vocab = Vocab::new(vec!["<pad>".into(), "king".into(), "Queen".into(), "zzyzxq".into()])?
//!     .padding(0)?;
//! let aligned = Aligner::new().seed(7).align("fixtures/glove.6B.50d.20k.txt.gz", vocab)?;
//! let r = &aligned.report;
//! assert_eq!((r.found_exact, r.found_fallback, r.missing, r.reserved), (1, 1, 1, 1));
//! assert_eq!(aligned.table.weights().shape(), &[4, 50]);
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```

mod init;
mod matcher;
mod model;
mod report;
mod rows;
mod scan;
mod tally;

use std::num::NonZeroU64;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub use init::{MissingInit, OovInit};
pub use report::{AlignReport, FallbackMatch, Lookalike, MissingToken, PieceCount};

use crate::error::Result;
use crate::fasttext::FastTextModel;
use crate::read::ReadOptions;
use crate::table::EmbeddingTable;
use crate::vectors::{ReadInfo, Vectors};
use crate::vocab::{PlainVocab, Vocab};
use matcher::Matcher;
use ndarray::Array2;
use scan::{AlignScan, Found, Hits, Scan};

/// A progress callback: decompressed bytes scanned so far, and the total when known.
pub type Progress = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;

/// Builds [`EmbeddingTable`]s from a vector file and a [`Vocab`].
///
/// Defaults: format detected, lower-case fallback on, missing rows random matched
/// to the pretrained statistics, OOV row the mean of the found vectors, seed 0, 20
/// missing tokens listed in the report.
#[derive(Clone)]
pub struct Aligner {
    read: ReadOptions,
    lowercase_fallback: bool,
    missing: MissingInit,
    oov: OovInit,
    special: Option<OovInit>,
    seed: u64,
    top_missing: usize,
    subwords: bool,
    progress: Option<Progress>,
}

impl std::fmt::Debug for Aligner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aligner")
            .field("read", &self.read)
            .field("lowercase_fallback", &self.lowercase_fallback)
            .field("missing", &self.missing)
            .field("oov", &self.oov)
            .field("special", &self.special)
            .field("seed", &self.seed)
            .field("top_missing", &self.top_missing)
            .field("subwords", &self.subwords)
            .finish_non_exhaustive()
    }
}

impl Default for Aligner {
    fn default() -> Self {
        Aligner {
            read: ReadOptions::new(),
            lowercase_fallback: true,
            missing: MissingInit::Matched,
            oov: OovInit::Mean,
            special: None,
            seed: 0,
            top_missing: 20,
            subwords: true,
            progress: None,
        }
    }
}

/// The file's repeated words (dropped when it was read) that `vocab` needs.
fn needed_duplicates(info: &ReadInfo, vocab: &Vocab) -> usize {
    info.duplicates
        .iter()
        .filter(|d| vocab.get(&d.word).is_some())
        .map(|d| d.repeats as usize)
        .sum()
}

/// A table and its coverage report.
#[derive(Debug, Clone)]
pub struct Aligned {
    /// The table: row `i` for token `i` of the vocabulary.
    pub table: EmbeddingTable,
    /// What was found, how, and what was not.
    pub report: AlignReport,
}

impl Aligner {
    /// An aligner with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// How to read the file (format, threads, UTF-8 policy, non-finite values).
    pub fn read_options(mut self, read: ReadOptions) -> Self {
        self.read = read;
        self
    }

    /// Whether a token missing under its exact form may take the vector of a file
    /// word equal to it after lower-casing both (default: on).
    pub fn lowercase_fallback(mut self, on: bool) -> Self {
        self.lowercase_fallback = on;
        self
    }

    /// How missing rows are initialised (default: [`MissingInit::Matched`]).
    pub fn missing(mut self, init: MissingInit) -> Self {
        self.missing = init;
        self
    }

    /// How the OOV row is initialised (default: [`OovInit::Mean`]).
    pub fn oov(mut self, init: OovInit) -> Self {
        self.oov = init;
        self
    }

    /// How special-token rows ([`Vocab::specials`]: `[CLS]`, `<s>`...) are
    /// initialised (default: as the OOV row, [`Aligner::oov`]).
    pub fn special(mut self, init: OovInit) -> Self {
        self.special = Some(init);
        self
    }

    /// The seed of random rows (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many missing tokens the report lists (default 20).
    pub fn top_missing(mut self, n: usize) -> Self {
        self.top_missing = n;
        self
    }

    /// Whether a token that a native fastText model lacks (exactly and by the
    /// lower-case fallback) gets its subword vector, from the rows of its character
    /// n-grams, as [`RowOrigin::Subword`](crate::RowOrigin::Subword) (default: on). Off, or for a token without
    /// any n-gram row, the row is initialised as missing rows are. Other formats
    /// have no n-grams, and this changes nothing for them.
    pub fn subwords(mut self, on: bool) -> Self {
        self.subwords = on;
        self
    }

    /// Calls `progress(bytes_scanned, total)` as scanning advances.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = Some(progress);
        self
    }

    /// Aligns the vector file at `path` to `vocab`.
    ///
    /// # Errors
    /// As [`ReadOptions::read`] for the rows scanned: a bad header, a ragged row or
    /// bad UTF-8 anywhere scanned; a bad value only in rows the vocabulary needs
    /// (other rows' values are never parsed).
    pub fn align(&self, path: impl AsRef<Path>, vocab: Vocab) -> Result<Aligned> {
        let path = path.as_ref();
        let start = Instant::now();
        self.missing.check()?;
        let mut matcher = Matcher::new(&vocab, self.lowercase_fallback);
        if self.read.strict_row_count {
            // Every row must be counted: never stop early.
            matcher.wanted = usize::MAX;
        }
        if let Some(model) =
            FastTextModel::open_if_model(path, self.read.format, self.read.max_decompressed)?
        {
            let scan = self.scan_model(&model, &vocab, &matcher);
            return Ok(self.finish(scan, vocab, start));
        }
        let mut sink = AlignScan::new(&matcher, &vocab, self.progress.as_ref());
        let scanned = self
            .read
            .run(|| crate::scan::scan_file(&self.read, path, false, &mut sink))?;
        let found = sink.found.take().expect("begun");
        let scan = Scan::new(
            found,
            &scanned.layout,
            scanned.gzip,
            sink.rows,
            scanned.stopped_early,
        );
        crate::read::check_row_count(&self.read, path, scan.header_rows, scan.rows_scanned)?;
        Ok(self.finish(scan, vocab, start))
    }

    /// The table of `vectors` itself: a format conversion, where `vocab` is the
    /// reserved rows (if any, first) followed by the file's words in file order, or
    /// a prefix of them. The matrix is moved into the table rather than copied (the
    /// reserved rows are made room for in place), so converting a file costs its
    /// matrix once in memory, not twice. Any other `vocab` is aligned as
    /// [`Aligner::align_vectors`] does, which it otherwise equals.
    ///
    /// ```
    /// use pretrained_vectors::ndarray::array;
    /// use pretrained_vectors::{Aligner, RowOrigin, Vectors, Vocab};
    /// let v = Vectors::new(vec!["a".into(), "b".into()], array![[1.0f32, 2.0], [3.0, 4.0]])?;
    /// let vocab = Vocab::new(vec!["<pad>".into(), "<unk>".into(), "a".into(), "b".into()])?
    ///     .padding(0)?.oov(1)?;
    /// let t = Aligner::new().table_from_vectors(v, vocab)?.table;
    /// assert_eq!(t.weights(), array![[0.0f32, 0.0], [2.0, 3.0], [1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(t.origins()[2], RowOrigin::Exact);
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidOption`](crate::Error::InvalidOption) for missing-row parameters that are not finite
    /// ([`MissingInit::check`]).
    pub fn table_from_vectors(&self, vectors: Vectors, vocab: Vocab) -> Result<Aligned> {
        let start = Instant::now();
        self.missing.check()?;
        let reserved_rows = [vocab.get_padding(), vocab.get_oov(), vocab.get_unused()];
        let reserved = reserved_rows.iter().flatten().count();
        let kept = vocab.len() - reserved;
        let in_front = reserved_rows.iter().flatten().all(|&r| r < reserved);
        if !in_front
            || kept > vectors.len()
            || vocab.tokens()[reserved..] != vectors.words()[..kept]
        {
            return self.align_vectors(&vectors, vocab);
        }
        let (info, matrix) = (vectors.info, vectors.matrix);
        Ok(self.moved_rows(info, matrix, vocab, reserved, kept, start))
    }

    /// The table of a plain conversion: the vocabulary `plain` makes of the
    /// file's own words (read into `vectors` from `path`, for instance by
    /// [`PlainVocab::read`]), its rows those of `vectors`. The words and the
    /// matrix are moved into the table, not copied, and the words are not hashed
    /// again unless reserved rows shift them.
    ///
    /// # Errors
    /// As [`PlainVocab::check`]; [`Error::InvalidOption`](crate::Error::InvalidOption)
    /// when a reserved name is also a word of the file, and for missing-row
    /// parameters that are not finite; [`Error::BadToken`](crate::Error::BadToken)
    /// (naming `path`) for a word that no output can store.
    pub fn convert(
        &self,
        path: impl AsRef<Path>,
        vectors: Vectors,
        plain: &PlainVocab,
    ) -> Result<Aligned> {
        let start = Instant::now();
        self.missing.check()?;
        let Vectors {
            words,
            matrix,
            index,
            info,
            checked,
            ..
        } = vectors;
        let vocab = plain.build(path.as_ref(), words, index, checked)?;
        let reserved = [vocab.get_padding(), vocab.get_oov()]
            .iter()
            .flatten()
            .count();
        let kept = vocab.len() - reserved;
        Ok(self.moved_rows(info, matrix, vocab, reserved, kept, start))
    }

    /// The table whose rows are `reserved` rows, then the first `kept` rows of
    /// `matrix` (read as `info` says), moved in place (the reserved rows made room
    /// for at the front).
    fn moved_rows(
        &self,
        info: ReadInfo,
        matrix: Array2<f32>,
        vocab: Vocab,
        reserved: usize,
        kept: usize,
        start: Instant,
    ) -> Aligned {
        let duplicates = needed_duplicates(&info, &vocab);
        let dims = matrix.ncols();
        let (mut data, offset) = matrix.into_raw_vec_and_offset();
        debug_assert_eq!(offset.unwrap_or(0), 0, "read matrices are C order from 0");
        data.truncate(kept * dims);
        if reserved > 0 {
            // Room for the reserved rows at the front: grow in place, shift the rows
            // (without reserved rows the matrix is already the table: no copy).
            data.resize((kept + reserved) * dims, 0.0);
            data.copy_within(0..kept * dims, reserved * dims);
        }
        let weights =
            Array2::from_shape_vec((vocab.len(), dims), data).expect("rows * dims values");
        let exact = (0..vocab.len())
            .map(|r| {
                (r >= reserved)
                    .then(|| (r - reserved) as u64 + 1)
                    .and_then(NonZeroU64::new)
            })
            .collect();
        let found = Found {
            weights,
            exact,
            fallback: vec![None; vocab.len()],
            exact_rows: kept,
            duplicates,
            subword: vec![false; vocab.len()],
        };
        let scan = Scan {
            found,
            format: info.format,
            gzip: info.gzip,
            header_rows: info.header_rows,
            rows_scanned: info.file_rows,
            stopped_early: false,
        };
        self.finish(scan, vocab, start)
    }

    /// Aligns vectors already in memory to `vocab` (the same matching and
    /// initialisation as [`Aligner::align`]).
    ///
    /// # Errors
    /// [`Error::InvalidOption`](crate::Error::InvalidOption) for missing-row parameters that are not finite
    /// ([`MissingInit::check`]).
    pub fn align_vectors(&self, vectors: &Vectors, vocab: Vocab) -> Result<Aligned> {
        let start = Instant::now();
        self.missing.check()?;
        let matcher = Matcher::new(&vocab, self.lowercase_fallback);
        let mut found = Found::new(&vocab, vectors.dims());
        let mut hits = Hits::new(vectors.dims());
        for (i, word) in vectors.words().iter().enumerate() {
            hits.push_word(&matcher, word, (i + 1) as u64, |out| {
                out.copy_from_slice(vectors.matrix().row(i).as_slice().expect("C order"));
                Ok(())
            })
            .expect("copying cannot fail");
        }
        found.merge(hits);
        let info = vectors.info();
        found.duplicates += needed_duplicates(info, &vocab);
        let scan = Scan {
            found,
            format: info.format,
            gzip: info.gzip,
            header_rows: info.header_rows,
            rows_scanned: vectors.len() as u64,
            stopped_early: false,
        };
        Ok(self.finish(scan, vocab, start))
    }

    /// Builds the rows ([`rows::build`]: origins, reserved and missing rows), then
    /// the report ([`tally::report`]).
    fn finish(&self, mut scan: Scan, vocab: Vocab, start: Instant) -> Aligned {
        let fill = rows::Fill {
            missing: self.missing,
            oov: self.oov,
            special: self.special,
            seed: self.seed,
        };
        let rows = rows::build(&mut scan.found, &vocab, &fill);
        let facts = tally::Facts {
            scan: &scan,
            fill: &fill,
            top_missing: self.top_missing,
            seconds: start.elapsed().as_secs_f64(),
        };
        let report = tally::report(&rows, &vocab, &facts);
        let table = EmbeddingTable::new(rows.weights, vocab, rows.origins)
            .expect("rows agree by construction");
        Aligned { table, report }
    }
}
