//! Parsers over byte slices. They open no files: callers own the bytes (a memory
//! map or a decompressed block) and hand in the path only for error messages.
//!
//! [`text`] and [`binary`] know the formats; [`RowParser`] turns what they find into
//! words, values and positioned [`Error`]s, the same way for every reading path.

pub(crate) mod binary;
pub(crate) mod fasttext;
pub(crate) mod text;

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use memchr::memchr;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FormatFault, Position, Result};
use text::{FieldErrorKind, Split};

/// What to do with words that are not valid UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Utf8Policy {
    /// Refuse them with [`Error::BadUtf8`] (the default).
    #[default]
    Strict,
    /// Replace bad bytes with U+FFFD, as `String::from_utf8_lossy` does.
    Lossy,
}

/// Parses rows of one file, turning failures into positioned errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowParser<'a> {
    pub path: &'a Path,
    pub dims: usize,
    pub allow_non_finite: bool,
    pub utf8: Utf8Policy,
}

/// A text row cut into its word and values, with where the values start.
pub(crate) struct TextRow<'l> {
    pub word: &'l [u8],
    pub values: &'l [u8],
    pub values_at: u64,
}

impl<'a> RowParser<'a> {
    /// Splits a trimmed, non-empty text line starting at byte `at`.
    #[inline]
    pub fn split<'l>(&self, line_no: u64, at: u64, line: &'l [u8]) -> Result<TextRow<'l>> {
        let pos = Position::line(line_no, at);
        match text::split_line(line, self.dims) {
            Split::Row { word, values } => {
                if word.iter().any(|&b| text::is_sep(b)) && looks_like_values(word) {
                    // `word 1 2 ... D+k`: too many values, not a word with spaces.
                    return Err(Error::RaggedRow {
                        path: self.path.to_path_buf(),
                        pos,
                        expected: self.dims,
                        found: text::count_fields(line) - 1,
                    });
                }
                let values_at = at + (values.as_ptr() as usize - line.as_ptr() as usize) as u64;
                Ok(TextRow {
                    word,
                    values,
                    values_at,
                })
            }
            Split::Ragged { found } => Err(Error::RaggedRow {
                path: self.path.to_path_buf(),
                pos,
                expected: self.dims,
                found,
            }),
            Split::MissingWord => Err(Error::MissingWord {
                path: self.path.to_path_buf(),
                pos,
                expected: self.dims,
            }),
        }
    }

    /// Parses a text row's values into `out` (`dims` long).
    #[inline]
    pub fn values(&self, line_no: u64, row: &TextRow<'_>, out: &mut [f32]) -> Result<()> {
        text::parse_values(row.values, out, self.allow_non_finite).map_err(|fe| {
            let pos = Position::line(line_no, row.values_at + fe.offset as u64);
            let text = fe.text(row.values);
            let path = self.path.to_path_buf();
            match fe.kind {
                FieldErrorKind::NotANumber => Error::BadFloat {
                    path,
                    pos,
                    field: fe.field,
                    text,
                },
                FieldErrorKind::NonFinite => Error::NonFinite {
                    path,
                    pos,
                    field: fe.field,
                    text,
                },
            }
        })
    }

    /// Decodes a binary record's values into `out`.
    #[inline]
    pub fn binary_values(
        &self,
        record: u64,
        at: u64,
        values: &[u8],
        out: &mut [f32],
    ) -> Result<()> {
        binary::decode_values(values, out, self.allow_non_finite).map_err(|field| {
            Error::NonFinite {
                path: self.path.to_path_buf(),
                pos: Position::record(record, at),
                field,
                text: out[field - 1].to_string(),
            }
        })
    }

    /// The word as text, checked or repaired per the UTF-8 policy.
    #[inline]
    pub fn word<'w>(&self, pos: Position, word: &'w [u8]) -> Result<Cow<'w, str>> {
        match std::str::from_utf8(word) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(_) if self.utf8 == Utf8Policy::Lossy => Ok(String::from_utf8_lossy(word)),
            Err(e) => Err(Error::BadUtf8 {
                path: self.path.to_path_buf(),
                pos: Position {
                    byte: pos.byte.map(|b| b + e.valid_up_to() as u64),
                    ..pos
                },
                lossy: true,
            }),
        }
    }

    /// Maps a binary record failure at `base + offset` to an error.
    pub fn record_error(
        &self,
        err: binary::RecordError,
        record: u64,
        base: u64,
        len: u64,
    ) -> Error {
        let path = self.path.to_path_buf();
        match err {
            binary::RecordError::Incomplete { start, needed } => Error::TruncatedRecord {
                path,
                pos: Position::record(record, base + start as u64),
                expected: needed as u64,
                available: len - start as u64,
            },
            binary::RecordError::WordTooLong { start } => Error::WrongFormat {
                path,
                pos: Position::record(record, base + start as u64),
                fault: FormatFault::WordTooLong {
                    max: binary::MAX_WORD_BYTES,
                    dims: self.dims,
                },
                suggest: None,
            },
            binary::RecordError::EmptyWord { start } => Error::WrongFormat {
                path,
                pos: Position::record(record, base + start as u64),
                fault: FormatFault::EmptyWord,
                suggest: None,
            },
            binary::RecordError::LineBreakInWord { at, .. } => Error::WrongFormat {
                path,
                pos: Position::record(record, base + at as u64),
                fault: FormatFault::LineBreakInWord { dims: self.dims },
                suggest: None,
            },
        }
    }
}

/// Whether the fields of a spaced word after its first all read as numbers.
fn looks_like_values(word: &[u8]) -> bool {
    text::fields(word)
        .skip(1)
        .all(|f| fast_float2::parse::<f32, _>(f).is_ok())
}

/// Calls `f(line_number, line_start, trimmed_line)` for each non-blank line of
/// `chunk`, whose first line is `first_line` and first byte is at `base`; returns
/// the number of lines (blank ones included).
#[inline]
pub(crate) fn for_each_line<E>(
    chunk: &[u8],
    base: u64,
    first_line: u64,
    mut f: impl FnMut(u64, u64, &[u8]) -> Result<(), E>,
) -> Result<u64, E> {
    let mut pos = 0;
    let mut line_no = first_line;
    while pos < chunk.len() {
        let end = memchr(b'\n', &chunk[pos..]).map_or(chunk.len(), |i| pos + i);
        let line = text::trim_end(&chunk[pos..end]);
        if !line.is_empty() {
            f(line_no, base + pos as u64, line)?;
        }
        pos = end + 1;
        line_no += 1;
    }
    Ok(line_no - first_line)
}

/// The non-blank lines of a whole UTF-8 text file (a leading BOM skipped), each as
/// `f(line, byte, text)` with its absolute line number and byte offset; a line that
/// is not UTF-8 is `bad(line, offset of its first bad byte, that byte)`.
pub(crate) fn for_each_text_line<E>(
    bytes: &[u8],
    bad: impl Fn(u64, u64, u8) -> E,
    mut f: impl FnMut(u64, u64, &str) -> Result<(), E>,
) -> Result<u64, E> {
    let body = text::strip_bom(bytes);
    let skipped = (bytes.len() - body.len()) as u64;
    for_each_line(body, skipped, 1, |line, at, raw| {
        let text = std::str::from_utf8(raw).map_err(|e| {
            let i = e.valid_up_to();
            bad(line, at + i as u64, raw[i])
        })?;
        f(line, at, text)
    })
}

/// Cuts `bytes` into ranges of about `target` bytes that end just after a newline
/// (the last one ends at the end).
pub(crate) fn line_chunks(bytes: &[u8], target: usize) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let guess = (start + target.max(1)).min(bytes.len());
        let end = if guess == bytes.len() {
            guess
        } else {
            memchr(b'\n', &bytes[guess..]).map_or(bytes.len(), |i| guess + i + 1)
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Number of lines that start in `chunk` (newlines, plus one for an unterminated
/// last line).
pub(crate) fn count_lines(chunk: &[u8]) -> u64 {
    let newlines = memchr::memchr_iter(b'\n', chunk).count() as u64;
    newlines + u64::from(!chunk.is_empty() && !chunk.ends_with(b"\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_newlines_and_cover_everything() {
        let text = b"a 1\nbb 2\nccc 3\nd 4";
        for target in [1, 3, 5, 100] {
            let chunks = line_chunks(text, target);
            assert_eq!(chunks.first().unwrap().start, 0);
            assert_eq!(chunks.last().unwrap().end, text.len());
            for w in chunks.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_eq!(text[w[0].end - 1], b'\n');
            }
            let lines: u64 = chunks.iter().map(|r| count_lines(&text[r.clone()])).sum();
            assert_eq!(lines, 4);
        }
    }

    #[test]
    fn too_many_values_are_ragged_but_spaced_words_are_not() {
        let p = RowParser {
            path: Path::new("f"),
            dims: 2,
            allow_non_finite: false,
            utf8: Utf8Policy::Strict,
        };
        assert!(matches!(
            p.split(3, 10, b"the 1 2 3"),
            Err(Error::RaggedRow {
                expected: 2,
                found: 3,
                ..
            })
        ));
        let row = p.split(3, 10, b". . . 1 2").unwrap();
        assert_eq!((row.word, row.values_at), (&b". . ."[..], 16));
    }
}
