//! Reading whole vector files: [`ReadOptions`] -> [`Vectors`].
//!
//! Uncompressed files are memory-mapped and parsed in parallel over newline-aligned
//! chunks, each writing its rows straight into the final matrix; gzip files are
//! decompressed on their own thread while blocks of rows are parsed in parallel.
//! Rows stay in file order, values are kept exactly as written (correctly rounded to
//! `f32`, never normalised), and the first of duplicate words wins.

use std::io::Read;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::{Error, Position, Result};
use crate::format::{detect, Format, Layout};
use crate::parse::{self, binary, count_lines, for_each_line, line_chunks, RowParser, Utf8Policy};
use crate::source::{self, Input};
use crate::vectors::{hash_word, Duplicate, ReadInfo, Vectors, WordIndex};

mod stream;
pub(crate) use stream::{open_gzip, stream_records, stream_text_batches};

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
            max_decompressed: 1 << 40,
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
    /// (default 1 TiB), so a hostile stream cannot run forever.
    pub fn max_decompressed_bytes(mut self, bytes: u64) -> Self {
        self.max_decompressed = bytes;
        self
    }

    /// Whether a word2vec header's row count must equal the rows of the file
    /// (default: no). A file with fewer rows than its header claims (a download
    /// cut at a line boundary) or more is then [`Error::RowCount`], as gensim
    /// refuses a short file; by default it is read, and
    /// [`ReadInfo::header_mismatch`] (and the aligner's report) tell. The aligner
    /// then scans the whole file rather than stop once every row is filled.
    ///
    /// ```
    /// use pretrained_vectors::{Error, ReadOptions};
    /// let cut = b"3 2\nthe 0.1 0.2\nof 0.3 0.4\n";
    /// let v = ReadOptions::new().read_bytes(cut)?;
    /// assert!(v.info().header_mismatch());
    /// let e = ReadOptions::new().strict_row_count(true).read_bytes(cut).unwrap_err();
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
        self.run(|| match source::open(path, true, self.memory_map)? {
            Input::Bytes(bytes) => read_bytes(self, path, &bytes),
            Input::Gzip {
                reader,
                compressed_len,
            } => read_gzip(self, path, reader, compressed_len),
        })
    }

    /// Reads vectors from bytes in memory (gzip detected as for files); errors name
    /// the path `<memory>`.
    ///
    /// # Errors
    /// As [`ReadOptions::read`].
    pub fn read_bytes(&self, bytes: &[u8]) -> Result<Vectors> {
        let path = Path::new("");
        self.run(|| {
            if crate::format::is_gzip(bytes) {
                let reader = Box::new(std::io::Cursor::new(bytes.to_vec()));
                read_gzip(self, path, reader, bytes.len() as u64)
            } else {
                read_bytes(self, path, bytes)
            }
        })
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

/// Rows parsed from a file, in file order, before duplicates are removed.
#[derive(Default)]
struct Rows {
    words: Vec<String>,
    hashes: Vec<u64>,
    /// Line (text) or record (binary) of each row.
    at: Vec<u64>,
    values: Vec<f32>,
}

impl Rows {
    fn append(&mut self, mut other: Rows) {
        if self.words.is_empty() {
            *self = other;
            return;
        }
        self.words.append(&mut other.words);
        self.hashes.append(&mut other.hashes);
        self.at.append(&mut other.at);
        self.values.extend_from_slice(&other.values);
    }
}

/// Reads an uncompressed file's bytes.
fn read_bytes(opts: &ReadOptions, path: &Path, bytes: &[u8]) -> Result<Vectors> {
    let layout = detect(path, bytes, opts.format)?;
    check_header(path, &layout, (bytes.len() - layout.body_start) as u64)?;
    let p = opts.row_parser(path, layout.dims);
    let rows = match layout.format {
        Format::Word2vecBinary => binary_rows(&p, bytes, &layout)?,
        Format::Glove | Format::Word2vecText => text_rows(&p, bytes, &layout)?,
    };
    check_row_count(
        opts,
        path,
        layout.header.map(|h| h.0),
        rows.words.len() as u64,
    )?;
    finish(rows, layout, false)
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

/// Fails before any allocation when a header claims far more rows than the input
/// can hold.
///
/// Nothing is ever allocated from a header's claim alone, so a modest disagreement
/// (a truncated download) is left to the parser, which reports a truncated record
/// or a row count that differs from the header. A claim past four times what the
/// bytes could hold is no truncation but a broken or hostile header.
pub(crate) fn check_header(path: &Path, layout: &Layout, available: u64) -> Result<()> {
    let Some((rows, dims)) = layout.header else {
        return Ok(());
    };
    // The smallest row: a one-byte word, a separator, and per value 4 bytes (binary)
    // or a digit and a space (text).
    let per_row = match layout.format {
        Format::Word2vecBinary => 4 * u128::from(dims) + 2,
        _ => 2 * u128::from(dims) + 2,
    };
    let needed = u128::from(rows) * per_row;
    if needed > 4 * u128::from(available) + (64 << 10) {
        return Err(Error::HeaderTooLarge {
            path: path.to_path_buf(),
            rows,
            dims,
            needed,
            available,
        });
    }
    Ok(())
}

/// The chunk size for `len` bytes: enough chunks to balance the threads, none tiny.
pub(crate) fn chunk_target(len: usize) -> usize {
    let threads = rayon::current_num_threads().max(1);
    (len / (threads * 8)).clamp(256 << 10, 16 << 20)
}

/// Parses the text rows of a mapped file in parallel, straight into one matrix.
fn text_rows(p: &RowParser<'_>, bytes: &[u8], layout: &Layout) -> Result<Rows> {
    let dims = p.dims;
    let body = &bytes[layout.body_start..];
    let ranges = line_chunks(body, chunk_target(body.len()));
    let lines: Vec<u64> = ranges
        .par_iter()
        .map(|r| count_lines(&body[r.clone()]))
        .collect();
    // Room per chunk: one row per line, but never more than the bytes can hold
    // (a row takes at least 2 * dims + 1 bytes), so blank lines cannot inflate it.
    let caps: Vec<usize> = ranges
        .iter()
        .zip(&lines)
        .map(|(r, &n)| (n as usize).min(r.len() / (2 * dims) + 1))
        .collect();
    let mut values = vec![0f32; caps.iter().sum::<usize>() * dims];
    let mut slices = Vec::with_capacity(ranges.len());
    let mut rest = values.as_mut_slice();
    for &cap in &caps {
        let (head, tail) = rest.split_at_mut(cap * dims);
        slices.push(head);
        rest = tail;
    }
    let mut first_line = layout.body_line;
    let starts: Vec<u64> = lines
        .iter()
        .map(|&n| {
            let s = first_line;
            first_line += n;
            s
        })
        .collect();
    let outs: Vec<Result<Rows>> = ranges
        .par_iter()
        .zip(slices)
        .zip(starts)
        .map(|((r, out), line)| {
            let base = (layout.body_start + r.start) as u64;
            text_chunk(p, &body[r.clone()], base, line, out)
        })
        .collect();
    // Gather: the first error in file order wins; rows move down over unused room.
    let mut rows = Rows::default();
    let mut write = 0;
    let mut read = 0;
    for (out, cap) in outs.into_iter().zip(caps) {
        let mut out = out?;
        let n = out.words.len();
        if read != write {
            values.copy_within(read * dims..(read + n) * dims, write * dims);
        }
        write += n;
        read += cap;
        rows.words.append(&mut out.words);
        rows.hashes.append(&mut out.hashes);
        rows.at.append(&mut out.at);
    }
    values.truncate(write * dims);
    rows.values = values;
    Ok(rows)
}

/// Parses one chunk of text rows into `out`; returns words, hashes and lines.
fn text_chunk(
    p: &RowParser<'_>,
    chunk: &[u8],
    base: u64,
    first_line: u64,
    out: &mut [f32],
) -> Result<Rows> {
    let dims = p.dims;
    let cap = out.len() / dims;
    let mut rows = Rows {
        words: Vec::with_capacity(cap),
        hashes: Vec::with_capacity(cap),
        at: Vec::with_capacity(cap),
        values: Vec::new(),
    };
    let mut slots = out.chunks_exact_mut(dims);
    for_each_line(chunk, base, first_line, |line_no, at, line| {
        let slot = slots
            .next()
            .expect("room for every row: a row takes at least 2 * dims + 1 bytes");
        // Fast path: a word without spaces followed by exactly `dims` values. Any
        // other line (a spaced word, a broken row) is split from the right, which
        // also gives broken rows their precise error.
        let (first, rest) = parse::text::first_field(line);
        let word = match first {
            first
                if !rest.is_empty()
                    && parse::text::parse_values(rest, slot, p.allow_non_finite).is_ok() =>
            {
                first
            }
            _ => {
                let row = p.split(line_no, at, line)?;
                p.values(line_no, &row, slot)?;
                row.word
            }
        };
        let word = p.word(Position::line(line_no, at), word)?.into_owned();
        rows.hashes.push(hash_word(&word));
        rows.words.push(word);
        rows.at.push(line_no);
        Ok(())
    })?;
    Ok(rows)
}

/// Parses the binary records of a mapped file: offsets in one pass, then values in
/// parallel.
fn binary_rows(p: &RowParser<'_>, bytes: &[u8], layout: &Layout) -> Result<Rows> {
    let dims = p.dims;
    let most = bytes.len() / (4 * dims + 2) + 1;
    let claimed = layout.header.map_or(most, |(r, _)| r as usize);
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(claimed.min(most));
    let mut pos = layout.body_start;
    loop {
        match binary::next_record(bytes, pos, dims) {
            Ok(Some((rec, next))) => {
                starts.push((rec.start, rec.word.len()));
                pos = next;
            }
            Ok(None) => break,
            Err(e) => {
                return Err(p.record_error(e, starts.len() as u64 + 1, 0, bytes.len() as u64))
            }
        }
    }
    const BLOCK: usize = 4096;
    let mut values = vec![0f32; starts.len() * dims];
    let parts: Vec<Result<Rows>> = values
        .par_chunks_mut(BLOCK * dims)
        .zip(starts.par_chunks(BLOCK))
        .enumerate()
        .map(|(b, (out, recs))| {
            let mut rows = Rows::default();
            for (i, (&(start, len), slot)) in
                recs.iter().zip(out.chunks_exact_mut(dims)).enumerate()
            {
                let record = (b * BLOCK + i) as u64 + 1;
                let vals = &bytes[start + len + 1..start + len + 1 + 4 * dims];
                p.binary_values(record, start as u64, vals, slot)?;
                let word = p
                    .word(
                        Position::record(record, start as u64),
                        &bytes[start..start + len],
                    )?
                    .into_owned();
                rows.hashes.push(hash_word(&word));
                rows.words.push(word);
                rows.at.push(record);
            }
            Ok(rows)
        })
        .collect();
    let mut rows = Rows::default();
    for part in parts {
        let part = part?;
        rows.words.extend(part.words);
        rows.hashes.extend(part.hashes);
        rows.at.extend(part.at);
    }
    rows.values = values;
    Ok(rows)
}

/// Reads a gzip file: decompression on its own thread, rows parsed in parallel.
fn read_gzip(
    opts: &ReadOptions,
    path: &Path,
    reader: Box<dyn Read + Send>,
    compressed_len: u64,
) -> Result<Vectors> {
    let (mut gz, head, ended, layout) = open_gzip(opts, path, reader, compressed_len)?;
    let p = opts.row_parser(path, layout.dims);
    let rows = match layout.format {
        Format::Word2vecBinary => {
            let mut rows = Rows::default();
            stream_records(&p, &mut gz, head, ended, &layout, |rec, number, values| {
                let mut slot = vec![0f32; p.dims];
                p.binary_values(number, rec.start, values, &mut slot)?;
                let word = p
                    .word(Position::record(number, rec.start), rec.word)?
                    .into_owned();
                rows.hashes.push(hash_word(&word));
                rows.words.push(word);
                rows.at.push(number);
                rows.values.extend_from_slice(&slot);
                Ok(true)
            })?;
            rows
        }
        Format::Glove | Format::Word2vecText => {
            let mut rows = Rows::default();
            stream_text_batches(&mut gz, head, ended, &layout, |batch| {
                let parsed: Vec<Result<Rows>> = batch
                    .par_iter()
                    .map(|b| {
                        let mut out = vec![
                            0f32;
                            (b.lines as usize).min(b.bytes.len() / (2 * p.dims) + 1)
                                * p.dims
                        ];
                        let mut r = text_chunk(&p, &b.bytes, b.base, b.first_line, &mut out)?;
                        out.truncate(r.words.len() * p.dims);
                        r.values = out;
                        Ok(r)
                    })
                    .collect();
                for r in parsed {
                    rows.append(r?);
                }
                Ok(true)
            })?;
            rows
        }
    };
    // The same bound as for mapped files, now that the true size is known: a claim
    // no truncation explains is refused whichever way the bytes arrived.
    check_header(
        path,
        &layout,
        gz.offset.saturating_sub(layout.body_start as u64),
    )?;
    check_row_count(
        opts,
        path,
        layout.header.map(|h| h.0),
        rows.words.len() as u64,
    )?;
    finish(rows, layout, true)
}

/// Removes duplicates (the first wins), indexes the words and builds [`Vectors`].
fn finish(mut rows: Rows, layout: Layout, gzip: bool) -> Result<Vectors> {
    let dims = layout.dims;
    let file_rows = rows.words.len() as u64;
    if file_rows > u64::from(u32::MAX) {
        return Err(Error::TooLarge {
            path: PathBuf::new(),
            pos: Position::byte(0),
            what: "number of rows",
            limit: u64::from(u32::MAX),
        });
    }
    let (mut index, dups) = WordIndex::build(&rows.words, Some(&rows.hashes));
    let mut duplicates = Vec::new();
    if !dups.is_empty() {
        let mut drop = vec![false; rows.words.len()];
        for &(at, first) in &dups {
            drop[at] = true;
            duplicates.push(Duplicate {
                word: rows.words[at].clone(),
                at: rows.at[at],
                first: rows.at[first],
            });
        }
        let mut w = 0;
        for (r, &dropped) in drop.iter().enumerate() {
            if !dropped {
                rows.values.copy_within(r * dims..(r + 1) * dims, w * dims);
                rows.words.swap(r, w);
                w += 1;
            }
        }
        rows.words.truncate(w);
        rows.values.truncate(w * dims);
        index = WordIndex::build(&rows.words, None).0;
    }
    let n = rows.words.len();
    let matrix = Array2::from_shape_vec((n, dims), rows.values).expect("rows * dims values");
    Ok(Vectors {
        words: rows.words,
        matrix,
        index,
        info: ReadInfo {
            format: layout.format,
            gzip,
            header_rows: layout.header.map(|(r, _)| r),
            file_rows,
            dims,
            duplicates,
        },
    })
}
