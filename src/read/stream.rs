//! Streaming drivers for gzip input: detection on the first block, then text cut
//! into blocks of whole lines, or binary records read one by one across blocks.
//! Shared by the full reader and the aligner.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Position, Result};
use crate::format::{detect, Layout};
use crate::parse::{binary, count_lines, RowParser};
use crate::source::{GzBlocks, GZ_BLOCK, MAX_DEFLATE_RATIO};

use super::{check_header, ReadOptions};

/// Starts a gzip stream and reads enough of it to detect the layout. Returns the
/// stream, the bytes read so far and whether the stream already ended.
pub(crate) fn open_gzip(
    opts: &ReadOptions,
    path: &Path,
    reader: Box<dyn Read + Send>,
    compressed_len: u64,
) -> Result<(GzBlocks, Vec<u8>, bool, Layout)> {
    let mut gz = GzBlocks::start(path, reader, opts.max_decompressed);
    let mut head = Vec::new();
    let ended = gz.fill(&mut head, GZ_BLOCK)?;
    let layout = detect(path, &head, opts.format)?;
    check_header(
        path,
        &layout,
        compressed_len.saturating_mul(MAX_DEFLATE_RATIO),
    )?;
    Ok((gz, head, ended, layout))
}

/// A block of whole lines from a stream.
pub(crate) struct TextBlock {
    pub bytes: Vec<u8>,
    /// Offset of `bytes[0]` in the decompressed stream.
    pub base: u64,
    pub first_line: u64,
    pub lines: u64,
}

/// Cuts a decompressed text stream into blocks of whole lines and hands them to
/// `f` in batches (one per thread and a few more), until the stream ends or `f`
/// returns `false`.
pub(crate) fn stream_text_batches(
    gz: &mut GzBlocks,
    head: Vec<u8>,
    mut ended: bool,
    layout: &Layout,
    mut f: impl FnMut(&[TextBlock]) -> Result<bool>,
) -> Result<()> {
    let per_batch = rayon::current_num_threads().max(1) * 2;
    let mut pending = head;
    let mut cut_from = layout.body_start;
    let mut base = layout.body_start as u64;
    let mut line = layout.body_line;
    loop {
        let mut batch = Vec::with_capacity(per_batch);
        while batch.len() < per_batch {
            if !ended && pending.len() - cut_from < GZ_BLOCK {
                match gz.next_block()? {
                    Some(b) => {
                        pending.drain(..cut_from);
                        cut_from = 0;
                        pending.extend_from_slice(&b);
                        continue;
                    }
                    None => ended = true,
                }
            }
            let avail = &pending[cut_from..];
            if avail.is_empty() {
                break;
            }
            let end = if ended {
                avail.len()
            } else {
                match memchr::memrchr(b'\n', avail) {
                    Some(i) => i + 1,
                    None if avail.len() > 1 << 30 => {
                        return Err(Error::TooLarge {
                            path: gz.path.clone(),
                            pos: Position::line(line, base),
                            what: "line length",
                            limit: 1 << 30,
                        })
                    }
                    None => {
                        // A line longer than a block: read on.
                        match gz.next_block()? {
                            Some(b) => pending.extend_from_slice(&b),
                            None => ended = true,
                        }
                        continue;
                    }
                }
            };
            let bytes = avail[..end].to_vec();
            let lines = count_lines(&bytes);
            batch.push(TextBlock {
                bytes,
                base,
                first_line: line,
                lines,
            });
            base += end as u64;
            line += lines;
            cut_from += end;
        }
        if batch.is_empty() || !f(&batch)? {
            return Ok(());
        }
    }
}

/// Reads binary records from a stream one by one, calling `f(record, number,
/// values)` until the stream ends or `f` returns `false`.
pub(crate) fn stream_records(
    p: &RowParser<'_>,
    gz: &mut GzBlocks,
    head: Vec<u8>,
    mut ended: bool,
    layout: &Layout,
    mut f: impl FnMut(StreamRecord<'_>, u64, &[u8]) -> Result<bool>,
) -> Result<()> {
    let mut buf = head;
    let mut pos = layout.body_start;
    let mut base = 0u64; // stream offset of buf[0]
    let mut number = 0u64;
    loop {
        match binary::next_record(&buf, pos, p.dims) {
            Ok(Some((rec, next))) => {
                number += 1;
                let r = StreamRecord {
                    word: rec.word,
                    start: base + rec.start as u64,
                };
                if !f(r, number, rec.values)? {
                    return Ok(());
                }
                pos = next;
            }
            Ok(None) if ended => return Ok(()),
            Err(e @ binary::RecordError::Incomplete { .. }) if ended => {
                return Err(p.record_error(e, number + 1, base, base + buf.len() as u64));
            }
            Ok(None) | Err(binary::RecordError::Incomplete { .. }) => {
                buf.drain(..pos);
                base += pos as u64;
                pos = 0;
                match gz.next_block()? {
                    Some(b) => buf.extend_from_slice(&b),
                    None => ended = true,
                }
            }
            Err(e) => return Err(p.record_error(e, number + 1, base, base + buf.len() as u64)),
        }
    }
}

/// A binary record read from a stream.
pub(crate) struct StreamRecord<'a> {
    pub word: &'a [u8],
    /// Offset of the word in the decompressed stream.
    pub start: u64,
}
