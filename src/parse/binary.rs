//! word2vec binary records over `&[u8]`.
//!
//! After a text header `rows dims\n`, each record is the word's bytes, one space,
//! then `dims` little-endian `f32`, then (for most writers, not all) a `\n`. Like the
//! original word2vec reader, line breaks before a word are skipped, so the newline
//! after a record is optional. The floats are unaligned, so they are decoded with
//! `f32::from_le_bytes`, never by casting pointers.

use memchr::memchr;

/// The longest word accepted: a guard against a stream that never holds a space.
pub(crate) const MAX_WORD_BYTES: usize = 1 << 16;

/// One record, borrowed from the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record<'a> {
    /// The word's bytes (not yet checked as UTF-8).
    pub word: &'a [u8],
    /// `4 * dims` bytes of little-endian floats.
    pub values: &'a [u8],
    /// Offset of the word's first byte in the buffer.
    pub start: usize,
}

/// Why no record could be read at a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordError {
    /// The buffer ends inside the record (`start`: where it begins; `needed`: bytes
    /// the record needs from `start`, as far as can be told).
    Incomplete { start: usize, needed: usize },
    /// A word of more than [`MAX_WORD_BYTES`] bytes: this is not word2vec binary.
    WordTooLong { start: usize },
    /// A space where a word should start.
    EmptyWord { start: usize },
    /// A `\n` inside the word (`at`: where): the records are out of step (wrong
    /// dims or a corrupt file), since no word2vec writer puts one in a word.
    LineBreakInWord { start: usize, at: usize },
}

/// Reads the record at `pos`, skipping line breaks before it. Returns `Ok(None)` at
/// the end of the buffer, and otherwise the record and the position after it (past
/// its optional trailing `\n`).
#[inline]
pub(crate) fn next_record(
    buf: &[u8],
    mut pos: usize,
    dims: usize,
) -> Result<Option<(Record<'_>, usize)>, RecordError> {
    while let Some(b'\n' | b'\r') = buf.get(pos) {
        pos += 1;
    }
    if pos >= buf.len() {
        return Ok(None);
    }
    let start = pos;
    let window = &buf[start..buf.len().min(start + MAX_WORD_BYTES + 1)];
    let Some(len) = memchr(b' ', window) else {
        return Err(if window.len() > MAX_WORD_BYTES {
            RecordError::WordTooLong { start }
        } else {
            RecordError::Incomplete {
                start,
                needed: window.len() + 1 + 4 * dims,
            }
        });
    };
    if len == 0 {
        return Err(RecordError::EmptyWord { start });
    }
    if let Some(i) = memchr(b'\n', &window[..len]) {
        return Err(RecordError::LineBreakInWord {
            start,
            at: start + i,
        });
    }
    let values_at = start + len + 1;
    let end = values_at + 4 * dims;
    if end > buf.len() {
        return Err(RecordError::Incomplete {
            start,
            needed: end - start,
        });
    }
    let mut next = end;
    if buf.get(next) == Some(&b'\n') {
        next += 1;
    }
    Ok(Some((
        Record {
            word: &buf[start..start + len],
            values: &buf[values_at..end],
            start,
        },
        next,
    )))
}

/// Decodes little-endian floats into `out`; returns the 1-based index of the first
/// non-finite value when those are refused.
#[inline]
pub(crate) fn decode_values(
    values: &[u8],
    out: &mut [f32],
    allow_non_finite: bool,
) -> Result<(), usize> {
    for (slot, bytes) in out.iter_mut().zip(values.chunks_exact(4)) {
        *slot = f32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    if !allow_non_finite {
        if let Some(i) = out.iter().position(|v| !v.is_finite()) {
            return Err(i + 1);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(word: &str, vals: &[f32], newline: bool) -> Vec<u8> {
        let mut b = word.as_bytes().to_vec();
        b.push(b' ');
        for v in vals {
            b.extend_from_slice(&v.to_le_bytes());
        }
        if newline {
            b.push(b'\n');
        }
        b
    }

    #[test]
    fn records_with_and_without_newline() {
        for newline in [true, false] {
            let mut buf = record("the", &[1.0, -2.0], newline);
            buf.extend(record("of", &[0.5, 32.0], newline));
            let (r, next) = next_record(&buf, 0, 2).unwrap().unwrap();
            assert_eq!(r.word, b"the");
            let mut out = [0f32; 2];
            decode_values(r.values, &mut out, false).unwrap();
            assert_eq!(out, [1.0, -2.0]);
            let (r, next) = next_record(&buf, next, 2).unwrap().unwrap();
            assert_eq!((r.word, r.start), (&b"of"[..], 12 + usize::from(newline)));
            assert_eq!(next_record(&buf, next, 2).unwrap(), None);
        }
    }

    #[test]
    fn truncation_and_garbage_are_reported() {
        let buf = record("the", &[1.0, -2.0], true);
        let cut = &buf[..buf.len() - 3];
        assert_eq!(
            next_record(cut, 0, 2),
            Err(RecordError::Incomplete {
                start: 0,
                needed: 12
            })
        );
        assert_eq!(
            next_record(b" 1234", 0, 1),
            Err(RecordError::EmptyWord { start: 0 })
        );
        // Found by fuzzing: a word holding a line break used to be read as is.
        assert_eq!(
            next_record(b"\nab\ncd \0\0\0\0", 0, 1),
            Err(RecordError::LineBreakInWord { start: 1, at: 3 })
        );
        let long = vec![b'a'; MAX_WORD_BYTES + 10];
        assert_eq!(
            next_record(&long, 0, 1),
            Err(RecordError::WordTooLong { start: 0 })
        );
    }

    #[test]
    fn non_finite_is_found() {
        let mut out = [0f32; 3];
        let bytes: Vec<u8> = [1.0f32, f32::NAN, 2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(decode_values(&bytes, &mut out, false), Err(2));
        assert!(decode_values(&bytes, &mut out, true).is_ok());
    }
}
