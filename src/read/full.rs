//! The full reader: a [`Consumer`] that keeps every row, writing values straight
//! into the final matrix and dropping repeated words as the rows arrive in file
//! order, so memory follows the distinct rows, not the rows read.

use std::collections::hash_map::{Entry, HashMap};

use ndarray::Array2;

use crate::error::{Error, Position, Result};
use crate::format::Layout;
use crate::parse::{self, RowParser};
use crate::scan::{Consumer, Flow, Line, Piece, Record, Scanned};
use crate::vectors::{hash_word, Duplicate, ReadInfo, Vectors, WordIndex};
use crate::write::Words;

/// Rows kept so far, and the room of the wave being parsed.
pub(super) struct FullRead {
    /// `kept.words.len() * dims` values, then room for the wave being parsed.
    values: Vec<f32>,
    kept: Kept,
    /// The rule of an output format each word must meet, checked as it is read.
    rule: Option<Words>,
}

/// Everything but the values: what taking a piece updates while later pieces
/// are still parsed into `values`.
pub(super) struct Kept {
    dims: usize,
    /// Rows of the file to take at most.
    limit: u64,
    words: Vec<String>,
    /// Line or record of each kept row.
    at: Vec<u64>,
    index: WordIndex,
    duplicates: Vec<Duplicate>,
    /// Kept row -> its entry in `duplicates`.
    repeated: HashMap<u32, usize>,
    file_rows: u64,
    /// Row of `values` where the next piece taken starts its room.
    next_room: usize,
    /// Rows to move down over dropped ones (repeated words, rows past the limit),
    /// `(from, to)` in rising order: done once the wave's parts are gone.
    moves: Vec<(usize, usize)>,
}

/// One piece being parsed: its rows' values go to `out`.
pub(super) struct Part<'c> {
    dims: usize,
    rule: Option<Words>,
    out: &'c mut [f32],
    rows: Rows,
}

/// The words of a parsed piece and the room it had.
#[derive(Default)]
pub(super) struct Rows {
    words: Vec<String>,
    hashes: Vec<u64>,
    at: Vec<u64>,
    room: usize,
}

impl FullRead {
    /// A reader of at most `limit` rows whose words must meet `rule`.
    pub(super) fn new(limit: Option<u64>, rule: Option<Words>) -> Self {
        FullRead {
            values: Vec::new(),
            rule,
            kept: Kept {
                dims: 0,
                limit: limit.unwrap_or(u64::MAX),
                words: Vec::new(),
                at: Vec::new(),
                index: WordIndex::default(),
                duplicates: Vec::new(),
                repeated: HashMap::new(),
                file_rows: 0,
                next_room: 0,
                moves: Vec::new(),
            },
        }
    }

    /// The vectors read.
    pub(super) fn finish(mut self, scanned: &Scanned) -> Result<Vectors> {
        let layout = &scanned.layout;
        let kept = self.kept;
        self.values.truncate(kept.words.len() * kept.dims);
        let n = kept.words.len();
        let matrix =
            Array2::from_shape_vec((n, kept.dims), self.values).expect("rows * dims values");
        Ok(Vectors {
            words: kept.words,
            matrix,
            model: None,
            checked: self.rule,
            index: kept.index,
            info: ReadInfo {
                format: Some(layout.format),
                gzip: scanned.gzip,
                header_rows: layout.header.map(|(r, _)| r),
                file_rows: kept.file_rows,
                dims: layout.dims,
                duplicates: kept.duplicates,
            },
        })
    }
}

impl Kept {
    /// Keeps row `i` of a piece whose room starts at row `room` (file order).
    fn keep(&mut self, room: usize, i: usize, word: String, hash: u64, at: u64) -> Result<()> {
        self.file_rows += 1;
        match self.index.insert(&self.words, hash, &word) {
            Ok(()) => {
                let (dst, src) = (self.words.len(), room + i);
                if dst >= u32::MAX as usize {
                    return Err(Error::TooLarge {
                        path: Default::default(),
                        pos: Position::byte(0),
                        what: "number of rows",
                        limit: u64::from(u32::MAX),
                    });
                }
                if src != dst {
                    self.moves.push((src, dst));
                }
                self.words.push(word);
                self.at.push(at);
            }
            Err(first) => match self.repeated.entry(first as u32) {
                Entry::Occupied(e) => {
                    self.duplicates[*e.get()].repeats += 1;
                }
                Entry::Vacant(e) => {
                    e.insert(self.duplicates.len());
                    self.duplicates.push(Duplicate {
                        word,
                        at,
                        first: self.at[first],
                        repeats: 1,
                    });
                }
            },
        }
        Ok(())
    }
}

impl Part<'_> {
    /// The slot of the next row.
    fn slot(&mut self) -> &mut [f32] {
        let n = self.rows.words.len();
        &mut self.out[n * self.dims..(n + 1) * self.dims]
    }

    /// Refuses a word that the rule of the output refuses, at `pos` in `path`.
    #[inline]
    fn check(&self, path: &std::path::Path, pos: Position, word: &str) -> Result<()> {
        match self.rule.and_then(|rule| rule.refuses(word)) {
            None => Ok(()),
            Some(reason) => Err(Error::BadToken {
                path: path.to_path_buf(),
                pos,
                token: word.into(),
                reason,
            }),
        }
    }

    fn push(&mut self, word: String, at: u64) {
        self.rows.hashes.push(hash_word(&word));
        self.rows.words.push(word);
        self.rows.at.push(at);
    }
}

impl Consumer for FullRead {
    type Part<'c> = Part<'c>;
    type Taker<'c> = &'c mut Kept;
    type Done = Rows;

    fn may_stop(&self) -> bool {
        self.kept.limit != u64::MAX
    }

    fn begin(&mut self, layout: &Layout) {
        self.kept.dims = layout.dims;
    }

    fn parts<'c>(&'c mut self, pieces: &[Piece]) -> (Vec<Part<'c>>, &'c mut Kept) {
        let (dims, rule) = (self.kept.dims, self.rule);
        let kept = self.kept.words.len();
        let room: usize = pieces.iter().map(|p| p.max_rows).sum();
        if self.values.is_empty() {
            // Zeroed pages come from the system untouched.
            self.values = vec![0.0; room * dims];
            crate::mmap::advise_huge_pages(&mut self.values);
        } else {
            self.values.truncate(kept * dims);
            self.values.resize((kept + room) * dims, 0.0);
        }
        self.kept.index.reserve(room, &self.kept.words);
        self.kept.next_room = kept;
        let mut rest = &mut self.values[kept * dims..];
        let parts = pieces
            .iter()
            .map(|p| {
                let (out, tail) = std::mem::take(&mut rest).split_at_mut(p.max_rows * dims);
                rest = tail;
                Part {
                    dims,
                    rule,
                    out,
                    rows: Rows {
                        words: Vec::with_capacity(p.max_rows),
                        hashes: Vec::with_capacity(p.max_rows),
                        at: Vec::with_capacity(p.max_rows),
                        room: p.max_rows,
                    },
                }
            })
            .collect();
        (parts, &mut self.kept)
    }

    #[inline]
    fn line(part: &mut Part<'_>, p: &RowParser<'_>, line: Line<'_>) -> Result<()> {
        let slot = part.slot();
        // Fast path: a word without spaces followed by exactly `dims` values. Any
        // other line (a spaced word, a broken row) is split from the right, which
        // also gives broken rows their precise error.
        let (first, rest) = parse::text::first_field(line.bytes);
        let word = match first {
            first
                if !rest.is_empty()
                    && parse::text::parse_values(rest, slot, p.allow_non_finite).is_ok() =>
            {
                first
            }
            _ => {
                let row = p.split(line.no, line.at, line.bytes)?;
                p.values(line.no, &row, slot)?;
                row.word
            }
        };
        let pos = Position::line(line.no, line.at);
        let word = p.word(pos, word)?.into_owned();
        part.check(p.path, pos, &word)?;
        part.push(word, line.no);
        Ok(())
    }

    #[inline]
    fn record(part: &mut Part<'_>, p: &RowParser<'_>, rec: Record<'_>) -> Result<()> {
        p.binary_values(rec.no, rec.at, rec.values, part.slot())?;
        let pos = Position::record(rec.no, rec.at);
        let word = p.word(pos, rec.word)?.into_owned();
        part.check(p.path, pos, &word)?;
        part.push(word, rec.no);
        Ok(())
    }

    fn close(part: Part<'_>) -> Rows {
        part.rows
    }

    fn take(kept: &mut &mut Kept, rows: Rows, error: Option<Error>) -> Result<Flow> {
        let kept = &mut **kept;
        let room = kept.next_room;
        kept.next_room += rows.room;
        let left = kept.limit - kept.file_rows;
        let n = (rows.words.len() as u64).min(left) as usize;
        if let Some(e) = error {
            if (n as u64) < left {
                return Err(e);
            }
        }
        for (i, (word, (hash, at))) in rows
            .words
            .into_iter()
            .zip(rows.hashes.into_iter().zip(rows.at))
            .take(n)
            .enumerate()
        {
            kept.keep(room, i, word, hash, at)?;
        }
        Ok(if kept.file_rows >= kept.limit {
            Flow::Stop
        } else {
            Flow::Continue
        })
    }

    /// Moves the rows kept down over the dropped ones, now that no part writes.
    fn end_wave(&mut self) {
        let d = self.kept.dims;
        for (src, dst) in self.kept.moves.drain(..) {
            self.values.copy_within(src * d..(src + 1) * d, dst * d);
        }
    }
}
