//! Scanning a vector file for the rows a vocabulary needs.

use std::path::Path;

use ndarray::Array2;
use rayon::prelude::*;

use super::matcher::{Matcher, Step};
use super::Aligner;
use crate::error::{Position, Result};
use crate::format::{detect, Format, Layout};
use crate::parse::{binary, for_each_line, line_chunks, RowParser};
use crate::read;
use crate::source::Bytes;
use crate::vocab::Vocab;

/// The size of the chunks of the first wave of text, and of the last ones.
const CHUNK: usize = 1 << 20;
const MAX_CHUNK: usize = 16 << 20;

impl Aligner {
    /// Scans a mapped file.
    pub(super) fn scan_bytes(
        &self,
        path: &Path,
        source: &Bytes,
        vocab: &Vocab,
        m: &Matcher,
    ) -> Result<Scan> {
        let bytes: &[u8] = source;
        let layout = detect(path, bytes, self.read.format)?;
        read::check_header(path, &layout, (bytes.len() - layout.body_start) as u64)?;
        let p = self.read.row_parser(path, layout.dims);
        let mut found = Found::new(vocab, layout.dims);
        let (rows_scanned, stopped_early) = match layout.format {
            Format::Word2vecBinary => self.scan_binary(&p, source, &layout, m, &mut found)?,
            _text => self.scan_text(&p, source, &layout, m, &mut found)?,
        };
        Ok(Scan::new(
            found,
            &layout,
            false,
            rows_scanned,
            stopped_early,
        ))
    }

    /// Scans mapped text in waves of chunks parsed in parallel, stopping after the
    /// wave that filled the last row.
    fn scan_text(
        &self,
        p: &RowParser<'_>,
        source: &Bytes,
        layout: &Layout,
        m: &Matcher,
        found: &mut Found,
    ) -> Result<(u64, bool)> {
        let bytes: &[u8] = source;
        let body = &bytes[layout.body_start..];
        let wave = rayon::current_num_threads().max(1) * 2;
        let mut line = layout.body_line;
        let mut rows = 0;
        let mut from = 0;
        let mut chunk = CHUNK;
        while from < body.len() {
            // Cut this wave's chunks only now: touching the whole file up front (even
            // one byte per chunk) maps most of it, as page-cache folios are large.
            // Waves start small (a common vocabulary may stop after the first) and
            // double up to MAX_CHUNK per chunk, so a full scan has few barriers.
            let window = (from + wave * chunk).min(body.len());
            let window = match memchr::memchr(b'\n', &body[window..]) {
                Some(i) => window + i + 1,
                None => body.len(),
            };
            let group: Vec<std::ops::Range<usize>> = line_chunks(&body[from..window], chunk)
                .into_iter()
                .map(|r| r.start + from..r.end + from)
                .collect();
            from = window;
            chunk = (chunk * 2).min(MAX_CHUNK);
            // Chunks count their own lines from 0; hits and errors are moved to
            // absolute lines here, in file order.
            let hits: Vec<Result<Hits>> = group
                .par_iter()
                .map(|r| {
                    let at = layout.body_start + r.start;
                    source.populate(at..at + r.len());
                    scan_text_chunk(p, m, &body[r.clone()], at as u64)
                })
                .collect();
            for h in hits {
                let mut h = h.map_err(|e| e.shift_line(line))?;
                h.shift_lines(line);
                line += h.lines;
                rows += h.rows;
                found.merge(h);
            }
            let done = layout.body_start + from;
            source.release_before(done);
            self.report_progress(done as u64, Some(bytes.len() as u64));
            if found.complete(m) && from < body.len() {
                return Ok((rows, true));
            }
        }
        Ok((rows, false))
    }

    /// Scans mapped binary records: their boundaries in order (each depends on
    /// the last), then lookups and decoding in parallel, a segment at a time.
    fn scan_binary(
        &self,
        p: &RowParser<'_>,
        source: &Bytes,
        layout: &Layout,
        m: &Matcher,
        found: &mut Found,
    ) -> Result<(u64, bool)> {
        const SEGMENT: usize = 1 << 16;
        let bytes: &[u8] = source;
        let mut pos = layout.body_start;
        let mut number = 0u64;
        let mut records: Vec<(usize, usize)> = Vec::with_capacity(SEGMENT);
        loop {
            records.clear();
            let first = number;
            while records.len() < SEGMENT {
                match binary::next_record(bytes, pos, p.dims) {
                    Ok(Some((rec, next))) => {
                        records.push((rec.start, rec.word.len()));
                        pos = next;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let n = first + records.len() as u64 + 1;
                        return Err(p.record_error(e, n, 0, bytes.len() as u64));
                    }
                }
            }
            if records.is_empty() {
                return Ok((number, false));
            }
            number += records.len() as u64;
            let parts = rayon::current_num_threads().max(1) * 2;
            let per = records.len().div_ceil(parts);
            let hits: Vec<Result<Hits>> = records
                .par_chunks(per)
                .enumerate()
                .map(|(k, recs)| {
                    let mut hits = Hits::new(p.dims);
                    for (i, &(start, len)) in recs.iter().enumerate() {
                        let n = first + (k * per + i) as u64 + 1;
                        let word = p.word(
                            Position::record(n, start as u64),
                            &bytes[start..start + len],
                        )?;
                        let values = &bytes[start + len + 1..start + len + 1 + 4 * p.dims];
                        hits.push_word(m, &word, n, |out| {
                            p.binary_values(n, start as u64, values, out)
                        })?;
                    }
                    Ok(hits)
                })
                .collect();
            for h in hits {
                found.merge(h?);
            }
            source.release_before(pos);
            self.report_progress(pos as u64, Some(bytes.len() as u64));
            if found.complete(m) && pos < bytes.len() {
                return Ok((number, true));
            }
        }
    }

    /// Scans a gzip stream, stopping decompression once every row is filled.
    pub(super) fn scan_gzip(
        &self,
        path: &Path,
        reader: Box<dyn std::io::Read + Send>,
        compressed_len: u64,
        vocab: &Vocab,
        m: &Matcher,
    ) -> Result<Scan> {
        let (mut gz, head, ended, layout) =
            read::open_gzip(&self.read, path, reader, compressed_len)?;
        let p = self.read.row_parser(path, layout.dims);
        let mut found = Found::new(vocab, layout.dims);
        let mut rows = 0;
        let mut stopped = false;
        match layout.format {
            Format::Word2vecBinary => {
                let mut hits = Hits::new(p.dims);
                read::stream_records(&p, &mut gz, head, ended, &layout, |rec, number, values| {
                    rows = number;
                    let word = p.word(Position::record(number, rec.start), rec.word)?;
                    hits.push_word(m, &word, number, |out| {
                        p.binary_values(number, rec.start, values, out)
                    })?;
                    if number % 65536 == 0 {
                        found.merge(std::mem::replace(&mut hits, Hits::new(p.dims)));
                        if found.complete(m) {
                            stopped = true;
                            return Ok(false);
                        }
                    }
                    Ok(true)
                })?;
                found.merge(hits);
            }
            _text => {
                read::stream_text_batches(&mut gz, head, ended, &layout, |batch| {
                    let hits: Vec<Result<Hits>> = batch
                        .par_iter()
                        .map(|b| scan_text_chunk(&p, m, &b.bytes, b.base))
                        .collect();
                    for (h, b) in hits.into_iter().zip(batch) {
                        let mut h = h.map_err(|e| e.shift_line(b.first_line))?;
                        h.shift_lines(b.first_line);
                        rows += h.rows;
                        found.merge(h);
                    }
                    self.report_progress(
                        batch.last().map_or(0, |b| b.base + b.bytes.len() as u64),
                        None,
                    );
                    stopped = found.complete(m);
                    Ok(!stopped)
                })?;
            }
        }
        if !stopped {
            // As for mapped files, now that the true size is known.
            read::check_header(
                path,
                &layout,
                gz.offset.saturating_sub(layout.body_start as u64),
            )?;
        }
        Ok(Scan::new(found, &layout, true, rows, stopped))
    }
}

/// A file row filling a vocabulary row.
struct Hit {
    row: u32,
    /// Line (text) or record (binary).
    at: u64,
    step: Step,
    /// Offset of the values in [`Hits::values`].
    slot: usize,
    /// The file word, kept for fallback matches (the report shows them).
    word: Option<Box<str>>,
}

/// Matches found in one chunk, in file order.
#[derive(Default)]
pub(super) struct Hits {
    pub(super) dims: usize,
    hits: Vec<Hit>,
    pub(super) values: Vec<f32>,
    pub(super) rows: u64,
    /// Lines of the chunk, blank ones included.
    pub(super) lines: u64,
    pub(super) rows_buf: Vec<(u32, Step)>,
}

impl Hits {
    pub(super) fn new(dims: usize) -> Self {
        Hits {
            dims,
            ..Hits::default()
        }
    }

    /// Moves hits numbered from the start of a chunk to absolute lines.
    fn shift_lines(&mut self, by: u64) {
        for h in &mut self.hits {
            h.at += by;
        }
    }

    /// Looks `word` up; when it fills rows, parses its values with `parse`.
    #[inline]
    pub(super) fn push_word(
        &mut self,
        m: &Matcher,
        word: &str,
        at: u64,
        parse: impl FnOnce(&mut [f32]) -> Result<()>,
    ) -> Result<()> {
        self.rows += 1;
        self.rows_buf.clear();
        let buf = &mut self.rows_buf;
        m.for_each(word, |r, s| buf.push((r, s)));
        if self.rows_buf.is_empty() {
            return Ok(());
        }
        let slot = self.values.len();
        self.values.resize(slot + self.dims, 0.0);
        parse(&mut self.values[slot..])?;
        for &(r, s) in &self.rows_buf {
            let word = (s == Step::Fallback).then(|| word.into());
            self.hits.push(Hit {
                row: r,
                at,
                step: s,
                slot,
                word,
            });
        }
        Ok(())
    }
}

/// Scans one chunk of text lines, numbering them from 0.
///
/// When no token holds a space or a tab, a line's word is looked up by its first
/// field, and only a line whose prefix is wanted is split from the right
/// (a file word such as `. . .` is then looked up again whole). Lines the vocabulary
/// does not need are not checked beyond that.
fn scan_text_chunk(p: &RowParser<'_>, m: &Matcher, chunk: &[u8], base: u64) -> Result<Hits> {
    let mut hits = Hits::new(p.dims);
    hits.lines = for_each_line(chunk, base, 0, |line_no, at, line| {
        if !m.spaced {
            let prefix = crate::parse::text::first_field(line).0;
            // ASCII is UTF-8; other words are checked so that strict mode still
            // refuses a bad one anywhere in the file.
            let valid = prefix.is_ascii() || std::str::from_utf8(prefix).is_ok();
            if valid && !m.wants(prefix) {
                hits.rows += 1;
                return Ok(());
            }
        }
        let row = p.split(line_no, at, line)?;
        let word = p.word(Position::line(line_no, at), row.word)?;
        hits.push_word(m, &word, line_no, |out| p.values(line_no, &row, out))
    })?;
    Ok(hits)
}

/// Rows filled so far.
pub(super) struct Found {
    pub(super) weights: Array2<f32>,
    /// Line or record of each row's exact match.
    pub(super) exact: Vec<Option<u64>>,
    /// Line or record and file word of each row's first fallback match.
    pub(super) fallback: Vec<Option<(u64, Box<str>)>>,
    pub(super) exact_rows: usize,
    pub(super) duplicates: usize,
    /// Rows given a fastText subword vector.
    pub(super) subword: Vec<bool>,
}

impl Found {
    pub(super) fn new(vocab: &Vocab, dims: usize) -> Self {
        Found {
            weights: Array2::zeros((vocab.len(), dims)),
            exact: vec![None; vocab.len()],
            fallback: vec![None; vocab.len()],
            exact_rows: 0,
            duplicates: 0,
            subword: vec![false; vocab.len()],
        }
    }

    /// Takes a chunk's matches; chunks come in file order, so the first wins.
    pub(super) fn merge(&mut self, hits: Hits) {
        let dims = self.weights.ncols();
        for Hit {
            row,
            at,
            step,
            slot,
            word,
        } in hits.hits
        {
            let r = row as usize;
            let take = match step {
                Step::Exact if self.exact[r].is_some() => {
                    self.duplicates += 1;
                    false
                }
                Step::Exact => {
                    self.exact[r] = Some(at);
                    self.exact_rows += 1;
                    true
                }
                Step::Fallback if self.exact[r].is_none() && self.fallback[r].is_none() => {
                    self.fallback[r] = Some((at, word.unwrap_or_default()));
                    true
                }
                Step::Fallback => false,
            };
            if take {
                self.weights
                    .row_mut(r)
                    .as_slice_mut()
                    .expect("C order")
                    .copy_from_slice(&hits.values[slot..slot + dims]);
            }
        }
    }

    /// Whether every wanted row has its exact word.
    fn complete(&self, m: &Matcher) -> bool {
        self.exact_rows == m.wanted
    }
}

/// The outcome of scanning a file.
pub(super) struct Scan {
    pub(super) found: Found,
    pub(super) format: Format,
    pub(super) gzip: bool,
    pub(super) header_rows: Option<u64>,
    pub(super) rows_scanned: u64,
    pub(super) stopped_early: bool,
}

impl Scan {
    pub(super) fn new(
        found: Found,
        layout: &Layout,
        gzip: bool,
        rows_scanned: u64,
        stopped_early: bool,
    ) -> Self {
        Scan {
            found,
            format: layout.format,
            gzip,
            header_rows: layout.header.map(|(r, _)| r),
            rows_scanned,
            stopped_early,
        }
    }
}
