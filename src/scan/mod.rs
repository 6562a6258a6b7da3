//! The one reading engine: a source's bytes -> pieces of whole rows with absolute
//! positions -> a [`Consumer`] that takes them in file order and may stop early.
//!
//! Three drivers, each written once: mapped text ([`mapped`], newline-aligned
//! chunks in waves), mapped word2vec binary (record boundaries walked in segments,
//! values decoded in parallel) and gzip streams ([`gzip`], text blocks or records
//! across blocks). Every row reaches the consumer with its 1-based line or record
//! number and its byte offset in the (decompressed) input, counted from the start
//! of the file, so no position is ever patched afterwards.
//!
//! The full reader ([`crate::read`]) and the aligner ([`crate::align`]) are the two
//! consumers today; the consumer interface is all a new one needs.

mod gzip;
mod mapped;

use std::path::Path;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::format::{Format, Layout};
use crate::parse::{for_each_line, RowParser};
use crate::read::ReadOptions;
use crate::source::{self, Input};

/// Buffer sizes of the engine. The defaults suit gigabyte files; the hidden
/// [`ReadOptions::small_buffers`] setting shrinks every one of them so that chunk,
/// segment and gzip-block boundaries fall inside the rows of small test inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sizes {
    /// Chunk of the first wave of mapped text (waves double up to `max_chunk`).
    pub chunk: usize,
    /// Largest chunk of mapped text.
    pub max_chunk: usize,
    /// Smallest chunk when a whole mapped text is cut at once.
    pub min_whole_chunk: usize,
    /// Binary records walked before their values are decoded in parallel.
    pub segment: usize,
    /// Decompressed bytes per gzip block.
    pub gz_block: usize,
    /// Decompressed bytes read before the format is detected.
    pub gz_head: usize,
}

impl Sizes {
    /// The sizes used outside tests.
    pub const DEFAULT: Sizes = Sizes {
        chunk: 1 << 20,
        max_chunk: 16 << 20,
        min_whole_chunk: 256 << 10,
        segment: 1 << 16,
        gz_block: 1 << 20,
        gz_head: 1 << 20,
    };

    /// Tiny sizes: every boundary falls inside a few rows.
    pub const SMALL: Sizes = Sizes {
        chunk: 16,
        max_chunk: 64,
        min_whole_chunk: 8,
        segment: 3,
        gz_block: 7,
        gz_head: 300,
    };
}

/// A text line handed to a consumer: non-blank, trailing white space removed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    /// 1-based line number in the file.
    pub no: u64,
    /// Offset of the line's first byte in the (decompressed) input.
    pub at: u64,
    pub bytes: &'a [u8],
}

/// A word2vec binary record handed to a consumer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    /// 1-based record number (the header is not a record).
    pub no: u64,
    /// Offset of the word's first byte in the (decompressed) input.
    pub at: u64,
    pub word: &'a [u8],
    /// `4 * dims` bytes of little-endian floats.
    pub values: &'a [u8],
}

/// What one thread is about to parse: a run of whole lines or records.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Piece {
    /// Most rows the piece can hold (lines, but never more than its bytes allow;
    /// records exactly).
    pub max_rows: usize,
}

/// Whether a consumer wants more rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Stop,
}

/// Takes the rows of a file. Pieces are parsed in parallel, each into a
/// [`Consumer::Part`]; the finished parts come back to [`Consumer::take`] in file
/// order, one at a time, which may stop the scan.
pub(crate) trait Consumer {
    /// The state of one piece being parsed (may borrow the consumer).
    type Part<'c>: Send
    where
        Self: 'c;
    /// What a finished piece hands back.
    type Done: Send;

    /// Whether the consumer may stop before the end (then mapped text is cut in
    /// growing waves; otherwise it is cut all at once).
    fn may_stop(&self) -> bool;

    /// Called once the layout is known, before any row.
    fn begin(&mut self, layout: &Layout);

    /// One part per piece, in file order.
    fn parts<'c>(&'c mut self, pieces: &[Piece]) -> Vec<Self::Part<'c>>;

    /// A text row of the piece.
    fn line(part: &mut Self::Part<'_>, p: &RowParser<'_>, line: Line<'_>) -> Result<()>;

    /// A binary record of the piece.
    fn record(part: &mut Self::Part<'_>, p: &RowParser<'_>, record: Record<'_>) -> Result<()>;

    /// Ends a piece.
    fn close(part: Self::Part<'_>) -> Self::Done;

    /// Takes a finished piece. `error` is the piece's first failure: the piece
    /// holds only the rows before it, so a consumer that has all it needs from
    /// them may stop and ignore the error.
    fn take(&mut self, done: Self::Done, error: Option<Error>) -> Result<Flow>;

    /// Decompressed bytes scanned so far, and the total when known.
    fn progress(&self, _done: u64, _total: Option<u64>) {}
}

/// How a scan ended.
#[derive(Debug, Clone)]
pub(crate) struct Scanned {
    pub layout: Layout,
    pub gzip: bool,
    /// Whether the consumer stopped before the end of the input.
    pub stopped_early: bool,
}

/// Opens `path` and feeds its rows to `c`. `whole` says the consumer will most
/// likely read all of the file (its map is then populated up front).
pub(crate) fn scan_file<C: Consumer>(
    opts: &ReadOptions,
    path: &Path,
    whole: bool,
    c: &mut C,
) -> Result<Scanned> {
    match source::open(path, whole, opts.memory_map)? {
        Input::Bytes(bytes) => {
            let source = mapped::Source {
                bytes: &bytes,
                map: Some(&bytes),
            };
            mapped::scan(opts, path, source, c)
        }
        Input::Gzip {
            reader,
            compressed_len,
        } => gzip::scan(opts, path, reader, compressed_len, c),
    }
}

/// Feeds the rows of `bytes` (gzip detected as for files) to `c`.
pub(crate) fn scan_bytes<C: Consumer>(
    opts: &ReadOptions,
    path: &Path,
    bytes: &[u8],
    c: &mut C,
) -> Result<Scanned> {
    if crate::format::is_gzip(bytes) {
        let reader = Box::new(std::io::Cursor::new(bytes.to_vec()));
        gzip::scan(opts, path, reader, bytes.len() as u64, c)
    } else {
        let source = mapped::Source { bytes, map: None };
        mapped::scan(opts, path, source, c)
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

/// The work of one piece: whole text lines, or records located in a buffer.
pub(crate) enum Work<'b> {
    Text {
        bytes: &'b [u8],
        /// Offset of `bytes[0]` in the input.
        base: u64,
        first_line: u64,
        lines: u64,
    },
    Records {
        buf: &'b [u8],
        /// Offset of `buf[0]` in the input.
        base: u64,
        first: u64,
        /// `(start, word length)` of each record in `buf`.
        records: &'b [(usize, usize)],
    },
}

impl Work<'_> {
    fn piece(&self, dims: usize) -> Piece {
        match self {
            // A row takes at least 2 * dims + 1 bytes and a line break, so blank
            // lines cannot inflate the room a piece asks for.
            Work::Text { bytes, lines, .. } => Piece {
                max_rows: (*lines as usize).min(bytes.len() / (2 * dims) + 1),
            },
            Work::Records { records, .. } => Piece {
                max_rows: records.len(),
            },
        }
    }

    fn walk<C: Consumer>(&self, part: &mut C::Part<'_>, p: &RowParser<'_>) -> Result<()> {
        match *self {
            Work::Text {
                bytes,
                base,
                first_line,
                ..
            } => {
                for_each_line(bytes, base, first_line, |no, at, bytes| {
                    C::line(part, p, Line { no, at, bytes })
                })?;
            }
            Work::Records {
                buf,
                base,
                first,
                records,
            } => {
                let dims = p.dims;
                for (i, &(start, len)) in records.iter().enumerate() {
                    let values = start + len + 1;
                    C::record(
                        part,
                        p,
                        Record {
                            no: first + i as u64,
                            at: base + start as u64,
                            word: &buf[start..start + len],
                            values: &buf[values..values + 4 * dims],
                        },
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// Parses `work` in parallel and hands the parts to `c` in order; returns the
/// index of the piece after which `c` stopped, if it did.
fn run_wave<C: Consumer>(c: &mut C, p: &RowParser<'_>, work: &[Work<'_>]) -> Result<Option<usize>> {
    if work.is_empty() {
        return Ok(None);
    }
    let pieces: Vec<Piece> = work.iter().map(|w| w.piece(p.dims)).collect();
    let parts = c.parts(&pieces);
    debug_assert_eq!(parts.len(), work.len(), "one part per piece");
    let done: Vec<(C::Done, Option<Error>)> = parts
        .into_par_iter()
        .zip(work.par_iter())
        .map(|(mut part, w)| {
            let err = w.walk::<C>(&mut part, p).err();
            (C::close(part), err)
        })
        .collect();
    for (i, (d, err)) in done.into_iter().enumerate() {
        if c.take(d, err)? == Flow::Stop {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// Threads' worth of pieces per wave: enough to balance them.
fn pieces_per_wave() -> usize {
    rayon::current_num_threads().max(1) * 2
}

#[cfg(test)]
mod tests;
