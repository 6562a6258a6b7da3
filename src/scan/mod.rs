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

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

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
/// [`Consumer::Part`]; the finished parts go to [`Consumer::take`] in file order,
/// one at a time, which may stop the scan. Taking runs while later pieces are
/// still being parsed (on whichever thread finished the piece that was next), so
/// the parts and the [`Consumer::Taker`] must borrow disjoint state; anything that
/// needs both (moving rows a take dropped) waits for [`Consumer::end_wave`].
pub(crate) trait Consumer {
    /// The state of one piece being parsed (may borrow the consumer).
    type Part<'c>: Send
    where
        Self: 'c;
    /// The state [`Consumer::take`] updates while parts are alive.
    type Taker<'c>: Send
    where
        Self: 'c;
    /// What a finished piece hands back.
    type Done: Send;

    /// Whether the consumer may stop before the end (then mapped text is cut in
    /// growing waves; otherwise it is cut all at once).
    fn may_stop(&self) -> bool;

    /// Called once the layout is known, before any row.
    fn begin(&mut self, layout: &Layout);

    /// One part per piece, in file order, and the taker of the wave.
    fn parts<'c>(&'c mut self, pieces: &[Piece]) -> (Vec<Self::Part<'c>>, Self::Taker<'c>);

    /// A text row of the piece.
    fn line(part: &mut Self::Part<'_>, p: &RowParser<'_>, line: Line<'_>) -> Result<()>;

    /// A binary record of the piece.
    fn record(part: &mut Self::Part<'_>, p: &RowParser<'_>, record: Record<'_>) -> Result<()>;

    /// Ends a piece.
    fn close(part: Self::Part<'_>) -> Self::Done;

    /// Takes a finished piece. `error` is the piece's first failure: the piece
    /// holds only the rows before it, so a consumer that has all it needs from
    /// them may stop and ignore the error.
    fn take(taker: &mut Self::Taker<'_>, done: Self::Done, error: Option<Error>) -> Result<Flow>;

    /// Called after every wave, once its parts and taker are gone.
    fn end_wave(&mut self) {}

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
/// likely read all of the file (its pages are then mapped chunk by chunk, in parallel).
pub(crate) fn scan_file<C: Consumer>(
    opts: &ReadOptions,
    path: &Path,
    whole: bool,
    c: &mut C,
) -> Result<Scanned> {
    match source::open(path, opts.memory_map)? {
        Input::Bytes(bytes) => {
            let source = mapped::Source {
                bytes: &bytes,
                map: Some(&bytes),
                whole,
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
        let source = mapped::Source {
            bytes,
            map: None,
            whole: true,
        };
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
    let (parts, taker) = c.parts(&pieces);
    debug_assert_eq!(parts.len(), work.len(), "one part per piece");
    let order = InOrder::<C, _>::new(taker, work.len());
    // Each thread parses the next piece not yet begun, so pieces finish nearly in
    // file order and the taking keeps pace with the parsing instead of waiting
    // for the first half of the file to be done.
    let parts: Vec<Mutex<Option<C::Part<'_>>>> = parts
        .into_iter()
        .map(|part| Mutex::new(Some(part)))
        .collect();
    let next = AtomicUsize::new(0);
    let threads = rayon::current_num_threads().clamp(1, work.len());
    (0..threads).into_par_iter().for_each(|_| loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= work.len() || order.stopped.load(Ordering::Relaxed) {
            return;
        }
        let Some(mut part) = lock(&parts[k]).take() else {
            return;
        };
        let err = work[k].walk::<C>(&mut part, p).err();
        order.finish(k, C::close(part), err);
    });
    drop(parts);
    let outcome = order.end();
    c.end_wave();
    outcome
}

/// Finished pieces of a wave, taken in file order as soon as each one's turn
/// comes, by whichever thread is free to: a thread that finishes a piece stores
/// it, and takes every piece that is next in order unless another thread is
/// already taking (then that one will).
struct InOrder<'t, C: Consumer + 't, D> {
    /// Finished pieces not yet taken, and the index of the next one to take.
    ready: Mutex<(Vec<Option<Finished<D>>>, usize)>,
    /// The taker, and how the wave ended once it did (stopped after a piece, or
    /// failed).
    taking: Mutex<(C::Taker<'t>, Option<WaveEnd>)>,
    /// Set once the wave has ended: pieces not yet begun are skipped.
    stopped: AtomicBool,
}

/// A parsed piece and its first failure.
type Finished<D> = (D, Option<Error>);

/// How a wave ended early: stopped after a piece, or failed.
type WaveEnd = Result<Option<usize>>;

impl<'t, C: Consumer + 't> InOrder<'t, C, C::Done> {
    fn new(taker: C::Taker<'t>, pieces: usize) -> Self {
        InOrder {
            ready: Mutex::new(((0..pieces).map(|_| None).collect(), 0)),
            taking: Mutex::new((taker, None)),
            stopped: AtomicBool::new(false),
        }
    }

    /// Stores piece `k` and takes what is next in order.
    fn finish(&self, k: usize, done: C::Done, error: Option<Error>) {
        lock(&self.ready).0[k] = Some((done, error));
        self.drain();
    }

    fn drain(&self) {
        loop {
            let Ok(mut taking) = self.taking.try_lock() else {
                // Another thread is taking: it looks again once it is done.
                return;
            };
            loop {
                let next = {
                    let mut ready = lock(&self.ready);
                    let n = ready.1;
                    match ready.0.get_mut(n).and_then(Option::take) {
                        Some(piece) => {
                            ready.1 += 1;
                            Some((n, piece))
                        }
                        None => None,
                    }
                };
                let Some((n, (done, error))) = next else {
                    break;
                };
                let (taker, outcome) = &mut *taking;
                if outcome.is_some() {
                    continue;
                }
                let end = match C::take(taker, done, error) {
                    Ok(Flow::Continue) => continue,
                    Ok(Flow::Stop) => Ok(Some(n)),
                    Err(e) => Err(e),
                };
                *outcome = Some(end);
                self.stopped.store(true, Ordering::Relaxed);
            }
            drop(taking);
            // A piece stored while this thread held the taker found it busy.
            let ready = lock(&self.ready);
            if !ready.0.get(ready.1).is_some_and(Option::is_some) {
                return;
            }
        }
    }

    /// How the wave ended, once every piece is back.
    fn end(self) -> Result<Option<usize>> {
        self.drain();
        let (_, outcome) = self.taking.into_inner().unwrap_or_else(|e| e.into_inner());
        outcome.unwrap_or(Ok(None))
    }
}

/// Locks `m`, also after a panic elsewhere (the data is only ever left whole).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Threads' worth of pieces per wave: enough to balance them.
fn pieces_per_wave() -> usize {
    rayon::current_num_threads().max(1) * 2
}

#[cfg(test)]
mod tests;
