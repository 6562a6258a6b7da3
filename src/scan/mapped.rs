//! The drivers over a whole input in memory (a map, or bytes read).

use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use super::{check_header, pieces_per_wave, run_wave, Consumer, Scanned, Sizes, Work};
use crate::error::Result;
use crate::format::{detect, Format, Layout};
use crate::parse::{binary, count_lines, line_chunks, RowParser};
use crate::read::ReadOptions;
use crate::source::Bytes;

/// Scans an uncompressed input.
pub(super) fn scan<C: Consumer>(
    opts: &ReadOptions,
    path: &Path,
    source: Source<'_>,
    c: &mut C,
) -> Result<Scanned> {
    let bytes = source.bytes;
    let layout = detect(path, bytes, opts.format)?;
    check_header(path, &layout, (bytes.len() - layout.body_start) as u64)?;
    c.begin(&layout);
    let p = opts.row_parser(path, layout.dims);
    let stopped_early = match layout.format {
        Format::Word2vecBinary => binary(c, &p, source, &layout, opts.sizes)?,
        _text => text(c, &p, source, &layout, opts.sizes)?,
    };
    Ok(Scanned {
        layout,
        gzip: false,
        stopped_early,
    })
}

/// Uncompressed input: its bytes, and the map they live in, if any.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub bytes: &'a [u8],
    pub map: Option<&'a Bytes>,
    /// Whether the consumer will most likely read all of it: then each chunk's
    /// pages are mapped in one call, in parallel, before its lines are counted
    /// (and a binary file's before its records are walked).
    pub whole: bool,
}

impl Source<'_> {
    fn populate(&self, range: Range<usize>) {
        if let Some(m) = self.map {
            m.populate(range);
        }
    }

    fn release_before(&self, end: usize) {
        if let Some(m) = self.map {
            m.release_before(end);
        }
    }
}

/// The chunk size when `len` bytes are cut at once: enough chunks to balance the
/// threads, none tiny.
fn whole_chunk(len: usize, sizes: Sizes) -> usize {
    let threads = rayon::current_num_threads().max(1);
    (len / (threads * 32)).clamp(sizes.min_whole_chunk, sizes.max_chunk)
}

/// Text: newline-aligned chunks, their lines counted first (in parallel) so that
/// every row has its absolute line number. A consumer that may stop gets waves
/// that start small and double; the others get the whole body at once.
fn text<C: Consumer>(
    c: &mut C,
    p: &RowParser<'_>,
    source: Source<'_>,
    layout: &Layout,
    sizes: Sizes,
) -> Result<bool> {
    let bytes = source.bytes;
    let body_start = layout.body_start;
    let body = &bytes[body_start..];
    let waves = c.may_stop();
    let mut line = layout.body_line;
    let mut from = 0;
    let mut chunk = if waves {
        sizes.chunk
    } else {
        whole_chunk(body.len(), sizes)
    };
    while from < body.len() {
        // Cut this wave's chunks only now: touching the whole file up front (even
        // one byte per chunk) maps most of it, as page-cache folios are large.
        let window = if waves {
            let w = (from + pieces_per_wave() * chunk).min(body.len());
            match memchr::memchr(b'\n', &body[w..]) {
                Some(i) => w + i + 1,
                None => body.len(),
            }
        } else {
            body.len()
        };
        let ranges: Vec<Range<usize>> = line_chunks(&body[from..window], chunk)
            .into_iter()
            .map(|r| r.start + from..r.end + from)
            .collect();
        from = window;
        chunk = (chunk * 2).min(sizes.max_chunk);
        let lines: Vec<u64> = ranges
            .par_iter()
            .map(|r| {
                if waves || source.whole {
                    source.populate(body_start + r.start..body_start + r.end);
                }
                count_lines(&body[r.clone()])
            })
            .collect();
        let work: Vec<Work<'_>> = ranges
            .iter()
            .zip(&lines)
            .map(|(r, &n)| {
                let w = Work::Text {
                    bytes: &body[r.clone()],
                    base: (body_start + r.start) as u64,
                    first_line: line,
                    lines: n,
                };
                line += n;
                w
            })
            .collect();
        let stop = run_wave(c, p, &work)?;
        let done = body_start + from;
        source.release_before(done);
        c.progress(done as u64, Some(bytes.len() as u64));
        if let Some(i) = stop {
            return Ok(i + 1 < work.len() || from < body.len());
        }
    }
    Ok(false)
}

/// Binary: record boundaries walked in order (each depends on the last), a
/// segment at a time, then the segment's records handed out in parallel pieces.
/// A consumer that reads everything gets one segment of all records.
fn binary<C: Consumer>(
    c: &mut C,
    p: &RowParser<'_>,
    source: Source<'_>,
    layout: &Layout,
    sizes: Sizes,
) -> Result<bool> {
    let bytes = source.bytes;
    let dims = p.dims;
    let segment = if c.may_stop() {
        sizes.segment
    } else {
        usize::MAX
    };
    let most = bytes.len() / (4 * dims + 2) + 1;
    let claimed = layout.header.map_or(most, |(r, _)| r as usize);
    let mut records: Vec<(usize, usize)> = Vec::with_capacity(claimed.min(most).min(segment));
    let mut pos = layout.body_start;
    let mut number = 0u64;
    if source.whole {
        source.populate(pos..bytes.len());
    }
    loop {
        records.clear();
        let first = number + 1;
        while records.len() < segment {
            match binary::next_record(bytes, pos, dims) {
                Ok(Some((rec, next))) => {
                    records.push((rec.start, rec.word.len()));
                    pos = next;
                }
                Ok(None) => break,
                Err(e) => {
                    // The records before the broken one are still the consumer's.
                    let n = number + records.len() as u64 + 1;
                    let err = p.record_error(e, n, 0, bytes.len() as u64);
                    let stop = run_records(c, p, bytes, 0, first, &records, sizes)?;
                    if stop.is_some() {
                        return Ok(true);
                    }
                    return Err(err);
                }
            }
        }
        if records.is_empty() {
            return Ok(false);
        }
        number += records.len() as u64;
        let stop = run_records(c, p, bytes, 0, first, &records, sizes)?;
        source.release_before(pos);
        c.progress(pos as u64, Some(bytes.len() as u64));
        if stop.is_some() {
            let more = binary::next_record(bytes, pos, dims).map_or(true, |r| r.is_some());
            return Ok(more);
        }
    }
}

/// Hands located records to `c` in parallel pieces.
pub(super) fn run_records<C: Consumer>(
    c: &mut C,
    p: &RowParser<'_>,
    buf: &[u8],
    base: u64,
    first: u64,
    records: &[(usize, usize)],
    sizes: Sizes,
) -> Result<Option<usize>> {
    if records.is_empty() {
        return Ok(None);
    }
    let per = records
        .len()
        .div_ceil(pieces_per_wave())
        .clamp(1, sizes.segment.max(1) * 64);
    let work: Vec<Work<'_>> = records
        .chunks(per)
        .enumerate()
        .map(|(k, recs)| Work::Records {
            buf,
            base,
            first: first + (k * per) as u64,
            records: recs,
        })
        .collect();
    run_wave(c, p, &work)
}
