//! [`ReadOptions`]: how to read a vector file, every setting with its default.

use std::path::Path;

use crate::error::{Error, Result};
use crate::format::Format;
use crate::parse::{RowParser, Utf8Policy};
use crate::scan::Sizes;

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
