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
mod scan;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

pub use init::{MissingInit, OovInit};
pub use report::{AlignReport, FallbackMatch, MissingToken, PieceCount};

use crate::error::Result;
use crate::fasttext::FastTextModel;
use crate::read::ReadOptions;
use crate::table::{EmbeddingTable, RowOrigin};
use crate::vectors::Vectors;
use crate::vocab::{PieceKind, Vocab};
use init::Stats;
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
fn needed_duplicates(info: &crate::vectors::ReadInfo, vocab: &Vocab) -> usize {
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
    /// n-grams, as [`RowOrigin::Subword`] (default: on). Off, or for a token without
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
        if let Some(model) = FastTextModel::open_if_model(path, self.read.format)? {
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
        let info = vectors.info().clone();
        let duplicates = needed_duplicates(&info, &vocab);
        let dims = vectors.dims();
        let (_, matrix) = vectors.into_parts();
        let (mut data, offset) = matrix.into_raw_vec_and_offset();
        debug_assert_eq!(offset.unwrap_or(0), 0, "read matrices are C order from 0");
        data.truncate(kept * dims);
        // Room for the reserved rows at the front: grow in place, shift the rows.
        data.resize((kept + reserved) * dims, 0.0);
        data.copy_within(0..kept * dims, reserved * dims);
        let weights =
            Array2::from_shape_vec((vocab.len(), dims), data).expect("rows * dims values");
        let exact = (0..vocab.len())
            .map(|r| (r >= reserved).then(|| (r - reserved) as u64 + 1))
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
        Ok(self.finish(scan, vocab, start))
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

    /// Initialises missing and reserved rows and writes the report.
    fn finish(&self, scan: Scan, vocab: Vocab, start: Instant) -> Aligned {
        let Scan {
            found,
            format,
            gzip,
            header_rows,
            rows_scanned,
            stopped_early,
        } = scan;
        let dims = found.weights.ncols();
        let Found {
            mut weights,
            exact,
            fallback,
            duplicates,
            subword,
            ..
        } = found;
        // Statistics over the distinct file rows found, in file order: the same for
        // any vocabulary order and thread count.
        let mut sources: Vec<(u64, usize)> = (0..vocab.len())
            .filter_map(|r| {
                exact[r]
                    .or(fallback[r].as_ref().map(|f| f.0))
                    .map(|at| (at, r))
            })
            .collect();
        sources.sort_unstable();
        sources.dedup_by_key(|s| s.0);
        let stats = Stats::of(
            dims,
            sources
                .iter()
                .map(|&(_, r)| weights.row(r).to_slice().expect("C order")),
        );

        let mut origins = Vec::with_capacity(vocab.len());
        let mut missing_init = self.missing;
        let mut missing_rows = Vec::new();
        for (r, token) in vocab.tokens().iter().enumerate() {
            let origin = if vocab.get_padding() == Some(r) {
                RowOrigin::Padding
            } else if vocab.get_oov() == Some(r) {
                RowOrigin::Oov
            } else if vocab.is_special(r) {
                RowOrigin::Special
            } else if vocab.get_unused() == Some(r) {
                RowOrigin::Unused
            } else if exact[r].is_some() {
                RowOrigin::Exact
            } else if fallback[r].is_some() {
                RowOrigin::Fallback
            } else if subword[r] {
                RowOrigin::Subword
            } else {
                RowOrigin::Missing
            };
            origins.push(origin);
            let mut row = weights.row_mut(r);
            let out = row.as_slice_mut().expect("C order");
            let reserved_init = match origin {
                RowOrigin::Oov => Some(self.oov),
                RowOrigin::Special => Some(self.special.unwrap_or(self.oov)),
                _ => None,
            };
            match (origin, reserved_init) {
                (RowOrigin::Padding | RowOrigin::Unused, _) => out.fill(0.0),
                (_, Some(OovInit::Mean)) => {
                    for (o, m) in out.iter_mut().zip(&stats.mean) {
                        *o = *m as f32;
                    }
                }
                (_, Some(OovInit::Random)) => {
                    init::fill(self.missing, &stats, self.seed, token, out);
                }
                (_, Some(OovInit::Zeros)) => out.fill(0.0),
                (RowOrigin::Missing, None) => {
                    missing_init = init::fill(self.missing, &stats, self.seed, token, out);
                    missing_rows.push(r);
                }
                _ => {}
            }
        }

        let count = |o: RowOrigin| origins.iter().filter(|&&x| x == o).count();
        let (found_exact, found_fallback) = (count(RowOrigin::Exact), count(RowOrigin::Fallback));
        let found = found_exact + found_fallback;
        let reserved = count(RowOrigin::Padding)
            + count(RowOrigin::Oov)
            + count(RowOrigin::Unused)
            + count(RowOrigin::Special);
        let pieces = vocab.has_pieces().then(|| {
            PieceKind::ALL
                .into_iter()
                .filter_map(|kind| {
                    let rows: Vec<usize> = (0..vocab.len())
                        .filter(|&r| vocab.piece_kind(r) == kind)
                        .collect();
                    (!rows.is_empty()).then(|| PieceCount {
                        kind,
                        rows: rows.len(),
                        found: rows.iter().filter(|&&r| origins[r].is_pretrained()).count(),
                        subword: rows
                            .iter()
                            .filter(|&&r| origins[r] == RowOrigin::Subword)
                            .count(),
                    })
                })
                .collect()
        });
        let wanted = vocab.len() - reserved;
        let coverage_tokens = vocab.get_counts().map(|c| {
            // Words without a row (past Keras' num_words) are OOV occurrences.
            let (mut hit, mut all) = (0u64, vocab.get_unlisted_count());
            for (r, o) in origins.iter().enumerate() {
                if !vocab.is_reserved(r) {
                    all += c[r];
                    if o.is_pretrained() {
                        hit += c[r];
                    }
                }
            }
            if all == 0 {
                0.0
            } else {
                hit as f64 / all as f64
            }
        });
        if let Some(c) = vocab.get_counts() {
            missing_rows.sort_by_key(|&r| (std::cmp::Reverse(c[r]), r));
        }
        let top_missing = missing_rows
            .iter()
            .take(self.top_missing)
            .map(|&r| MissingToken {
                token: vocab.tokens()[r].clone(),
                row: r,
                count: vocab.get_counts().map(|c| c[r]),
            })
            .collect();
        let fallback_examples = (0..vocab.len())
            .filter(|&r| origins[r] == RowOrigin::Fallback)
            .take(self.top_missing)
            .map(|r| FallbackMatch {
                token: vocab.tokens()[r].clone(),
                word: fallback[r]
                    .as_ref()
                    .map(|f| f.1.to_string())
                    .unwrap_or_default(),
            })
            .collect();
        let report = AlignReport {
            format,
            gzip,
            header_rows,
            file_rows_scanned: rows_scanned,
            stopped_early,
            dims,
            vocab_kind: vocab.get_kind(),
            vocab_size: vocab.len(),
            pieces,
            found,
            found_exact,
            found_fallback,
            subword: count(RowOrigin::Subword),
            missing: count(RowOrigin::Missing),
            reserved,
            duplicates_seen: duplicates,
            coverage_types: if wanted == 0 {
                0.0
            } else {
                found as f64 / wanted as f64
            },
            coverage_tokens,
            top_missing,
            fallback_examples,
            missing_init,
            matched_flat_dims: if self.missing == MissingInit::Matched {
                stats.flat_dims()
            } else {
                0
            },
            oov_init: self.oov,
            seed: self.seed,
            seconds: start.elapsed().as_secs_f64(),
        };
        let table =
            EmbeddingTable::new(weights, vocab, origins).expect("rows agree by construction");
        Aligned { table, report }
    }
}
