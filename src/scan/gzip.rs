//! The drivers over a gzip stream: detection on the first bytes, then text cut
//! into pieces of whole lines, or binary records located across blocks.

use std::io::Read;
use std::path::Path;

use super::mapped::run_records;
use super::{check_header, pieces_per_wave, run_wave, Consumer, Scanned, Sizes, Work};
use crate::error::{Error, Position, Result};
use crate::format::{detect, Format, Layout};
use crate::parse::{binary, count_lines, RowParser};
use crate::read::ReadOptions;
use crate::source::{GzBlocks, MAX_DEFLATE_RATIO};

/// The longest text line a stream may hold.
pub(crate) const MAX_LINE: usize = 1 << 30;

/// Scans a gzip stream, stopping decompression when the consumer stops.
pub(super) fn scan<C: Consumer>(
    opts: &ReadOptions,
    path: &Path,
    reader: Box<dyn Read + Send>,
    compressed_len: u64,
    c: &mut C,
) -> Result<Scanned> {
    let sizes = opts.sizes;
    let mut gz = GzBlocks::start(
        path,
        reader,
        compressed_len,
        opts.max_decompressed,
        sizes.gz_block,
    );
    let mut head = Vec::new();
    let mut ended = gz.fill(&mut head, sizes.gz_head)?;
    // Detection needs whole first rows: a small head reads on to a few lines.
    while !ended
        && head.len() < Sizes::DEFAULT.gz_head
        && memchr::memchr_iter(b'\n', &head).count() < 3
    {
        let want = head.len() + 1;
        ended = gz.fill(&mut head, want)?;
    }
    let layout = detect(path, &head, opts.format)?;
    check_header(
        path,
        &layout,
        compressed_len.saturating_mul(MAX_DEFLATE_RATIO),
    )?;
    c.begin(&layout);
    let p = opts.row_parser(path, layout.dims);
    let mut s = Stream {
        gz: &mut gz,
        buf: head,
        ended,
        sizes,
    };
    let stopped_early = match layout.format {
        Format::Word2vecBinary => s.records(c, &p, &layout)?,
        _text => s.text(c, &p, &layout)?,
    };
    if !stopped_early {
        // The same bound as for mapped input, now that the true size is known: a
        // claim no truncation explains is refused whichever way the bytes arrived.
        check_header(
            path,
            &layout,
            gz.offset.saturating_sub(layout.body_start as u64),
        )?;
    }
    Ok(Scanned {
        layout,
        gzip: true,
        stopped_early,
    })
}

/// A stream being read: the blocks not yet consumed are in `buf`.
struct Stream<'g> {
    gz: &'g mut GzBlocks,
    buf: Vec<u8>,
    ended: bool,
    sizes: Sizes,
}

impl Stream<'_> {
    /// Appends the next block; returns `false` at the end of the stream.
    fn more(&mut self) -> Result<bool> {
        if self.ended {
            return Ok(false);
        }
        match self.gz.next_block()? {
            Some(b) if self.buf.is_empty() => self.buf = b,
            Some(b) => self.buf.extend_from_slice(&b),
            None => self.ended = true,
        }
        Ok(!self.ended)
    }

    /// Text: pieces of whole lines of about one block each, a wave of them at a
    /// time. Each byte is searched for a line break once, however long its line.
    fn text<C: Consumer>(&mut self, c: &mut C, p: &RowParser<'_>, layout: &Layout) -> Result<bool> {
        let block = self.sizes.gz_block;
        let per_wave = pieces_per_wave();
        let mut cut = layout.body_start; // start of the bytes not yet in a piece
        let mut base = layout.body_start as u64; // their offset in the stream
        let mut line = layout.body_line;
        // Bytes after `cut` known to hold no line break (a long line read on).
        let mut searched = 0;
        loop {
            // (start, end, offset, first line, lines) of each piece in `buf`.
            let mut pieces: Vec<(usize, usize, u64, u64, u64)> = Vec::with_capacity(per_wave);
            while pieces.len() < per_wave {
                let avail = self.buf.len() - cut;
                if !self.ended && avail < block {
                    if pieces.is_empty() && cut > 0 {
                        // Nothing of the wave is cut yet: drop the bytes before it.
                        self.buf.drain(..cut);
                        cut = 0;
                    }
                    self.more()?;
                    continue;
                }
                if avail == 0 {
                    break;
                }
                let rest = &self.buf[cut..];
                let window = block.min(rest.len());
                let end = match memchr::memrchr(b'\n', &rest[..window]) {
                    Some(i) => i + 1,
                    None => {
                        let from = searched.max(window);
                        match memchr::memchr(b'\n', &rest[from..]) {
                            Some(i) => from + i + 1,
                            None if self.ended => rest.len(),
                            None => {
                                if rest.len() > MAX_LINE {
                                    return Err(Error::TooLarge {
                                        path: self.gz.path.clone(),
                                        pos: Position::line(line, base),
                                        what: "line length",
                                        limit: MAX_LINE as u64,
                                    });
                                }
                                searched = rest.len();
                                self.more()?;
                                continue;
                            }
                        }
                    }
                };
                let lines = count_lines(&rest[..end]);
                pieces.push((cut, cut + end, base, line, lines));
                cut += end;
                base += end as u64;
                line += lines;
                searched = 0;
            }
            if pieces.is_empty() {
                return Ok(false);
            }
            let work: Vec<Work<'_>> = pieces
                .iter()
                .map(|&(from, to, base, first_line, lines)| Work::Text {
                    bytes: &self.buf[from..to],
                    base,
                    first_line,
                    lines,
                })
                .collect();
            let last = pieces.len();
            let stop = run_wave(c, p, &work)?;
            c.progress(base, None);
            if let Some(i) = stop {
                let more = i + 1 < last || cut < self.buf.len() || !self.ended;
                return Ok(more);
            }
            // The wave's bytes are parsed: drop them.
            self.buf.drain(..cut);
            cut = 0;
        }
    }

    /// Binary: records located in the buffer, handed out a segment at a time, and
    /// whenever the buffer must grow (the records found so far go first, so the
    /// buffer can drop them).
    fn records<C: Consumer>(
        &mut self,
        c: &mut C,
        p: &RowParser<'_>,
        layout: &Layout,
    ) -> Result<bool> {
        let dims = p.dims;
        let segment = self.sizes.segment;
        let mut pos = layout.body_start;
        let mut base = 0u64; // stream offset of buf[0]
        let mut number = 0u64; // records handed out
        let mut records: Vec<(usize, usize)> = Vec::new();
        loop {
            let step = binary::next_record(&self.buf, pos, dims);
            let full = records.len() >= segment;
            let needs_more = matches!(step, Ok(None) | Err(binary::RecordError::Incomplete { .. }));
            if full || needs_more || step.is_err() {
                let first = number + 1;
                number += records.len() as u64;
                let stop = run_records(c, p, &self.buf, base, first, &records, self.sizes)?;
                records.clear();
                c.progress(base + pos as u64, None);
                if stop.is_some() {
                    let more = !matches!(step, Ok(None)) || !self.ended;
                    return Ok(more);
                }
                if full && !needs_more {
                    continue;
                }
            }
            match step {
                Ok(Some((rec, next))) => {
                    records.push((rec.start, rec.word.len()));
                    pos = next;
                }
                Ok(None) if self.ended => return Ok(false),
                Err(e @ binary::RecordError::Incomplete { .. }) if self.ended => {
                    let len = base + self.buf.len() as u64;
                    return Err(p.record_error(e, number + 1, base, len));
                }
                Ok(None) | Err(binary::RecordError::Incomplete { .. }) => {
                    self.buf.drain(..pos);
                    base += pos as u64;
                    pos = 0;
                    self.more()?;
                }
                Err(e) => {
                    let len = base + self.buf.len() as u64;
                    return Err(p.record_error(e, number + 1, base, len));
                }
            }
        }
    }
}
