//! Scanning a vector file for the rows a vocabulary needs: the aligner's side of
//! the reading engine ([`crate::scan`]).

use std::num::NonZeroU64;

use ndarray::Array2;

use super::matcher::{Matcher, Step};
use super::Progress;
use crate::error::{Error, Position, Result};
use crate::format::{Format, Layout};
use crate::parse::RowParser;
use crate::scan::{Consumer, Flow, Line, Piece, Record};
use crate::vocab::Vocab;

/// The aligner as a [`Consumer`]: looks each row's word up, parses the values of
/// the rows the vocabulary needs, and stops once every row has its exact word.
pub(super) struct AlignScan<'a> {
    m: &'a Matcher,
    vocab: &'a Vocab,
    progress: Option<&'a Progress>,
    pub(super) found: Option<Found>,
    pub(super) rows: u64,
}

impl<'a> AlignScan<'a> {
    pub(super) fn new(m: &'a Matcher, vocab: &'a Vocab, progress: Option<&'a Progress>) -> Self {
        AlignScan {
            m,
            vocab,
            progress,
            found: None,
            rows: 0,
        }
    }
}

/// One piece being scanned.
pub(super) struct Part<'c> {
    m: &'c Matcher,
    hits: Hits,
}

/// What taking a piece updates.
pub(super) struct Taker<'c> {
    m: &'c Matcher,
    found: &'c mut Found,
    rows: &'c mut u64,
}

impl Consumer for AlignScan<'_> {
    type Part<'c>
        = Part<'c>
    where
        Self: 'c;
    type Taker<'c>
        = Taker<'c>
    where
        Self: 'c;
    type Done = Hits;

    fn may_stop(&self) -> bool {
        true
    }

    fn begin(&mut self, layout: &Layout) {
        self.found = Some(Found::new(self.vocab, layout.dims));
    }

    fn parts<'c>(&'c mut self, pieces: &[Piece]) -> (Vec<Part<'c>>, Taker<'c>) {
        let m = self.m;
        let found = self.found.as_mut().expect("begun");
        let dims = found.weights.ncols();
        let parts = pieces
            .iter()
            .map(|_| Part {
                m,
                hits: Hits::new(dims),
            })
            .collect();
        let taker = Taker {
            m,
            found,
            rows: &mut self.rows,
        };
        (parts, taker)
    }

    /// When no token holds a space or a tab, a line's word is looked up by its
    /// first field, and only a line whose prefix is wanted is split from
    /// the right (a file word such as `. . .` is then looked up again whole). Lines
    /// the vocabulary does not need are not checked beyond that.
    #[inline]
    fn line(part: &mut Part<'_>, p: &RowParser<'_>, line: Line<'_>) -> Result<()> {
        let m = part.m;
        if !m.spaced {
            let prefix = crate::parse::text::first_field(line.bytes).0;
            // ASCII is UTF-8; other words are checked so that strict mode still
            // refuses a bad one anywhere in the file.
            let valid = prefix.is_ascii() || std::str::from_utf8(prefix).is_ok();
            if valid && !m.wants(prefix) {
                part.hits.rows += 1;
                return Ok(());
            }
        }
        let row = p.split(line.no, line.at, line.bytes)?;
        let word = p.word(Position::line(line.no, line.at), row.word)?;
        part.hits
            .push_word(m, &word, line.no, |out| p.values(line.no, &row, out))
    }

    #[inline]
    fn record(part: &mut Part<'_>, p: &RowParser<'_>, rec: Record<'_>) -> Result<()> {
        let word = p.word(Position::record(rec.no, rec.at), rec.word)?;
        part.hits.push_word(part.m, &word, rec.no, |out| {
            p.binary_values(rec.no, rec.at, rec.values, out)
        })
    }

    fn close(part: Part<'_>) -> Hits {
        part.hits
    }

    /// The piece's hits all come before its error, if any: when they complete
    /// the vocabulary, the scan stops there and the error is never reached.
    fn take(t: &mut Taker<'_>, hits: Hits, error: Option<Error>) -> Result<Flow> {
        *t.rows += hits.rows;
        t.found.merge(hits);
        if t.found.complete(t.m) {
            return Ok(Flow::Stop);
        }
        match error {
            Some(e) => Err(e),
            None => Ok(Flow::Continue),
        }
    }

    fn progress(&self, done: u64, total: Option<u64>) {
        if let Some(p) = self.progress {
            p(done, total);
        }
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
    pub(super) rows_buf: Vec<(u32, Step)>,
}

impl Hits {
    pub(super) fn new(dims: usize) -> Self {
        Hits {
            dims,
            ..Hits::default()
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

/// A row's first fallback match: its line or record, and the file word.
pub(super) type Fallback = Box<(u64, Box<str>)>;

/// Rows filled so far.
pub(super) struct Found {
    pub(super) weights: Array2<f32>,
    /// Line or record of each row's exact match (1-based, so 8 bytes a row).
    pub(super) exact: Vec<Option<NonZeroU64>>,
    /// Line or record and file word of each row's first fallback match (boxed:
    /// few rows have one, and every row costs 8 bytes instead of 24).
    pub(super) fallback: Vec<Option<Fallback>>,
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
                    self.exact[r] = NonZeroU64::new(at.max(1));
                    self.exact_rows += 1;
                    true
                }
                Step::Fallback if self.exact[r].is_none() && self.fallback[r].is_none() => {
                    self.fallback[r] = Some(Box::new((at, word.unwrap_or_default())));
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
    pub(super) format: Option<Format>,
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
            format: Some(layout.format),
            gzip,
            header_rows: layout.header.map(|(r, _)| r),
            rows_scanned,
            stopped_early,
        }
    }
}
