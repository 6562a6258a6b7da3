//! Reading whole vector files: [`ReadOptions`] -> [`Vectors`].
//!
//! Uncompressed files are memory-mapped and parsed in parallel over newline-aligned
//! chunks, each writing its rows straight into the final matrix; gzip files are
//! decompressed on their own thread while blocks of rows are parsed in parallel.
//! Rows stay in file order, values are kept exactly as written (correctly rounded to
//! `f32`, never normalised), and the first of duplicate words wins.

use std::path::Path;

use crate::fasttext::FastTextModel;

use crate::error::{Error, Result};
use crate::format::Format;
use crate::parse::{RowParser, Utf8Policy};
use crate::scan::{self, Sizes};
use crate::vectors::Vectors;

mod full;
use full::FullRead;

/// How to read a vector file. Every setting has a default; see each method.
///
/// ```
/// use pretrained_vectors::{Format, ReadOptions};
/// let vectors = ReadOptions::new()
///     .format(Format::Glove)      // default: detected from the bytes
///     .threads(2)                 // default: rayon's global pool
///     .read("fixtures/glove.6B.50d.20k.txt.gz")?;
/// assert_eq!(vectors.dims(), 50);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub(crate) format: Option<Format>,
    threads: Option<usize>,
    pub(crate) utf8: Utf8Policy,
    pub(crate) allow_non_finite: bool,
    pub(crate) max_decompressed: u64,
    pub(crate) max_rows: Option<u64>,
    pub(crate) sizes: Sizes,
    pub(crate) memory_map: bool,
    pub(crate) strict_row_count: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            threads: None,
            utf8: Utf8Policy::Strict,
            allow_non_finite: false,
            max_decompressed: 64 << 30,
            max_rows: None,
            sizes: Sizes::DEFAULT,
            memory_map: true,
            strict_row_count: false,
        }
    }
}

impl ReadOptions {
    /// The defaults: format detected, strict UTF-8, NaN and infinities refused.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the file as `format` instead of detecting it. Gzip is still detected.
    /// Detection then only checks, and says when the bytes look like another format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// Sets the format, or `None` to detect it (the default).
    pub fn format_opt(mut self, format: Option<Format>) -> Self {
        self.format = format;
        self
    }

    /// Parses with `n` threads (a pool of its own); default: rayon's global pool.
    /// Results are identical for any `n`. Reading refuses more than
    /// [`max_threads`] with [`Error::InvalidOption`], so that a typo cannot start
    /// tens of thousands of threads.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = Some(n.max(1));
        self
    }

    /// What to do with words that are not valid UTF-8 (default: refuse them).
    pub fn utf8(mut self, policy: Utf8Policy) -> Self {
        self.utf8 = policy;
        self
    }

    /// Accepts NaN and infinite values (default: refused with
    /// [`Error::NonFinite`]).
    pub fn allow_non_finite(mut self, allow: bool) -> Self {
        self.allow_non_finite = allow;
        self
    }

    /// Fails with [`Error::TooLarge`] once a gzip stream has inflated past `bytes`
    /// (default 64 GiB, past the largest published vector files), so a
    /// hostile stream cannot run for hours.
    pub fn max_decompressed_bytes(mut self, bytes: u64) -> Self {
        self.max_decompressed = bytes;
        self
    }

    /// Reads only the first `n` rows of the file, duplicates included, and stops
    /// there (as gensim's `limit=`); default: all of them. Rows after the `n`-th
    /// are never parsed, so their faults go unnoticed.
    ///
    /// ```
    /// use pretrained_vectors::ReadOptions;
    /// let v = ReadOptions::new().max_rows(100).read("fixtures/glove.6B.50d.20k.txt.gz")?;
    /// assert_eq!((v.len(), v.words()[0].as_str()), (100, "the"));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn max_rows(mut self, n: u64) -> Self {
        self.max_rows = Some(n);
        self
    }

    /// Shrinks every buffer of the reading engine (chunks, segments, gzip blocks)
    /// to a few bytes, so that small inputs cross all their boundaries. For tests
    /// only: results are the same, reading is slow.
    #[doc(hidden)]
    pub fn small_buffers(mut self, on: bool) -> Self {
        self.sizes = if on { Sizes::SMALL } else { Sizes::DEFAULT };
        self
    }

    /// Whether a word2vec header's row count must equal the rows of the file
    /// (default: no). A file with fewer rows than its header claims (a download
    /// cut at a line boundary) or more is then [`Error::RowCount`], as gensim
    /// refuses a short file; by default it is read, and
    /// [`ReadInfo::header_mismatch`](crate::ReadInfo::header_mismatch) (and the aligner's report) tell. The aligner
    /// then scans the whole file rather than stop once every row is filled.
    ///
    /// ```
    /// use pretrained_vectors::{Error, ReadOptions};
    /// let cut = b"3 2\nthe 0.1 0.2\nof 0.3 0.4\n";
    /// let v = ReadOptions::new().read_bytes("".as_ref(), cut)?;
    /// assert!(v.info().header_mismatch());
    /// let e = ReadOptions::new().strict_row_count(true).read_bytes("".as_ref(), cut).unwrap_err();
    /// assert!(matches!(e, Error::RowCount { header: 3, found: 2, .. }));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn strict_row_count(mut self, strict: bool) -> Self {
        self.strict_row_count = strict;
        self
    }

    /// Whether uncompressed files are memory-mapped (the default) or read into
    /// memory first.
    ///
    /// Mapping parses the file's pages in place, without a copy, which is faster
    /// and needs no memory of the file's size. The risk is the one every mapping
    /// reader takes: if another program truncates the file while it is read, the
    /// pages past the new end no longer exist and touching one raises `SIGBUS`,
    /// which ends the process (the `glove-to-table` CLI catches it and exits 1
    /// with "the input changed while it was read"); if it rewrites the file in
    /// place, the rows read may mix old and new bytes. Files that may change
    /// while they are read (a download still running, a file on a network share)
    /// are safer read with `memory_map(false)`, at the cost of a copy in memory.
    /// Gzip files are always streamed.
    ///
    /// ```
    /// use pretrained_vectors::ReadOptions;
    /// let v = ReadOptions::new().memory_map(false).read("fixtures/small.glove.txt")?;
    /// assert_eq!(v.dims(), 50);
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn memory_map(mut self, map: bool) -> Self {
        self.memory_map = map;
        self
    }

    /// Reads the whole file at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::NotAFile`] when the file cannot be read, and a
    /// positioned error for the first bad row or header (see [`Error`]).
    pub fn read(&self, path: impl AsRef<Path>) -> Result<Vectors> {
        let path = path.as_ref();
        if let Some(model) = FastTextModel::open_if_model(path, self.format)? {
            return self.run(|| std::sync::Arc::new(model).to_vectors(self.utf8));
        }
        self.run(|| {
            let mut reader = FullRead::new(self.max_rows);
            let scanned = scan::scan_file(self, path, true, &mut reader)?;
            self.finish(path, reader, &scanned)
        })
    }

    /// Reads vectors from bytes in memory (gzip detected as for files); errors name
    /// `path` (an empty path shows as `<memory>`).
    ///
    /// # Errors
    /// As [`ReadOptions::read`].
    pub fn read_bytes(&self, path: &Path, bytes: &[u8]) -> Result<Vectors> {
        if FastTextModel::sniff(bytes, self.format) {
            let model = FastTextModel::from_bytes(path, bytes.to_vec())?;
            return self.run(|| std::sync::Arc::new(model).to_vectors(self.utf8));
        }
        self.run(|| {
            let mut reader = FullRead::new(self.max_rows);
            let scanned = scan::scan_bytes(self, path, bytes, &mut reader)?;
            self.finish(path, reader, &scanned)
        })
    }

    /// The vectors of a finished scan, the row count checked when asked (and when
    /// the whole file was read).
    fn finish(&self, path: &Path, reader: FullRead, scanned: &scan::Scanned) -> Result<Vectors> {
        let v = reader.finish(scanned)?;
        if self.max_rows.is_none() {
            check_row_count(self, path, v.info.header_rows, v.info.file_rows)?;
        }
        Ok(v)
    }

    /// Runs `f` in a pool of the configured size.
    pub(crate) fn run<T: Send>(&self, f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
        match self.threads {
            None => f(),
            Some(n) if n > max_threads() => Err(Error::InvalidOption {
                option: "threads",
                message: format!(
                    "{n}; expected at most {} (8 per core of this machine, at least 64)",
                    max_threads()
                ),
            }),
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::InvalidOption {
                    option: "threads",
                    message: e.to_string(),
                })?
                .install(f),
        }
    }

    pub(crate) fn row_parser<'a>(&self, path: &'a Path, dims: usize) -> RowParser<'a> {
        RowParser {
            path,
            dims,
            allow_non_finite: self.allow_non_finite,
            utf8: self.utf8,
        }
    }
}

/// The most threads [`ReadOptions::threads`] accepts: 8 per core of this machine,
/// and at least 64. More only adds scheduling and memory; far more (a slip of
/// `-j 100000`) would hold the machine for minutes.
pub fn max_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .saturating_mul(8)
        .max(64)
}

/// Reads the file at `path` with the default [`ReadOptions`].
///
/// ```
/// let v = pretrained_vectors::read("fixtures/glove.6B.50d.20k.txt.gz")?;
/// assert_eq!(v.len(), 20_000);
/// assert_eq!(v.get("the").unwrap()[0], 0.418);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// As [`ReadOptions::read`].
pub fn read(path: impl AsRef<Path>) -> Result<Vectors> {
    ReadOptions::new().read(path)
}

/// With [`ReadOptions::strict_row_count`], fails when `found` rows disagree with
/// the header's count.
pub(crate) fn check_row_count(
    opts: &ReadOptions,
    path: &Path,
    header_rows: Option<u64>,
    found: u64,
) -> Result<()> {
    match header_rows {
        Some(rows) if opts.strict_row_count && rows != found => Err(Error::RowCount {
            path: path.to_path_buf(),
            header: rows,
            found,
        }),
        _ => Ok(()),
    }
}
