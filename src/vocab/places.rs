//! Where the tokens of a JSON vocabulary are in its file: the line and byte of
//! each token's key (or array element), found by walking the JSON text once.
//! `serde_json`'s values keep no positions; the file has already parsed, so the
//! walk only needs to follow its structure.

use std::collections::HashMap;

use super::VocabKind;
use crate::error::{Error, JsonFault, Position};

/// One step into a JSON document: a key of an object or an index of an array.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Walks a JSON text, calling `found(path, string, at)` for every object key and
/// every string in an array (`path`: where the object or array is; `at`: the byte
/// of the string's opening quote). Also calls `value(path, string, at)` for strings
/// that are values of a key (`path` ends with the key).
struct Walk<'a, F: FnMut(&[Step], &str, usize, bool)> {
    bytes: &'a [u8],
    i: usize,
    path: Vec<Step>,
    found: F,
}

impl<F: FnMut(&[Step], &str, usize, bool)> Walk<'_, F> {
    fn blank(&mut self) {
        while self.i < self.bytes.len() && self.bytes[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    /// The string literal at `i` (its quote), decoded; moves past it.
    fn string(&mut self) -> Option<String> {
        let start = self.i;
        self.i += 1;
        while self.i < self.bytes.len() {
            match self.bytes[self.i] {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return serde_json::from_slice(&self.bytes[start..self.i]).ok();
                }
                _ => self.i += 1,
            }
        }
        None
    }

    /// The value at `i`; strings in arrays are reported (`in_array`).
    fn value(&mut self, in_array: bool) -> Option<()> {
        self.blank();
        match *self.bytes.get(self.i)? {
            b'{' => {
                self.i += 1;
                loop {
                    self.blank();
                    match *self.bytes.get(self.i)? {
                        b'}' => {
                            self.i += 1;
                            return Some(());
                        }
                        b',' => self.i += 1,
                        b'"' => {
                            let at = self.i;
                            let key = self.string()?;
                            (self.found)(&self.path, &key, at, false);
                            self.blank();
                            self.i += 1; // ':'
                            self.path.push(Step::Key(key));
                            self.value(false)?;
                            self.path.pop();
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut n = 0;
                loop {
                    self.blank();
                    match *self.bytes.get(self.i)? {
                        b']' => {
                            self.i += 1;
                            return Some(());
                        }
                        b',' => self.i += 1,
                        _ => {
                            self.path.push(Step::Index(n));
                            self.value(true)?;
                            self.path.pop();
                            n += 1;
                        }
                    }
                }
            }
            b'"' => {
                let at = self.i;
                let s = self.string()?;
                (self.found)(&self.path, &s, at, !in_array);
                Some(())
            }
            _ => {
                while self.i < self.bytes.len() && !b",]}".contains(&self.bytes[self.i]) {
                    self.i += 1;
                }
                Some(())
            }
        }
    }
}

/// A walk that reports nothing, only follows a path ([`Walk::find`]).
type Follow = fn(&[Step], &str, usize, bool);

/// The callback of a [`Follow`] walk.
fn ignore(_: &[Step], _: &str, _: usize, _: bool) {}

impl Walk<'_, Follow> {
    /// A walk of `bytes` from their start, past a byte-order mark.
    fn follow(bytes: &[u8]) -> Walk<'_, Follow> {
        Walk {
            bytes,
            i: bytes.len() - crate::parse::text::strip_bom(bytes).len(),
            path: Vec::new(),
            found: ignore,
        }
    }

    /// The byte where `steps` lead from the value at `i`: the opening quote of
    /// the last key (its `nth` occurrence, 1-based, in its object), the start of
    /// the last element, or of the value at `i` for no steps. A string met with
    /// steps left is a JSON document encoded in a string (Keras' `to_json`): it is
    /// decoded and walked, and the byte mapped back to `bytes`.
    fn find(&mut self, steps: &[Step], nth: usize) -> Option<usize> {
        self.blank();
        let Some((step, rest)) = steps.split_first() else {
            return Some(self.i);
        };
        match (step, *self.bytes.get(self.i)?) {
            (Step::Key(want), b'{') => {
                self.i += 1;
                let mut seen = 0;
                loop {
                    self.blank();
                    match *self.bytes.get(self.i)? {
                        b',' => self.i += 1,
                        b'"' => {
                            let at = self.i;
                            let key = self.string()?;
                            self.blank();
                            self.i += 1; // ':'
                            if key == *want {
                                seen += 1;
                                if !rest.is_empty() {
                                    return self.find(rest, nth);
                                }
                                if seen == nth {
                                    return Some(at);
                                }
                            }
                            self.value(false)?;
                        }
                        _ => return None,
                    }
                }
            }
            (Step::Index(want), b'[') => {
                self.i += 1;
                let mut n = 0;
                loop {
                    self.blank();
                    match *self.bytes.get(self.i)? {
                        b',' => self.i += 1,
                        b']' => return None,
                        _ if n == *want => return self.find(rest, nth),
                        _ => {
                            self.value(true)?;
                            n += 1;
                        }
                    }
                }
            }
            (_, b'"') => {
                let (text, from) = decode_with_offsets(self.bytes, self.i)?;
                let at = Walk::follow(&text).find(steps, nth)?;
                from.get(at).copied()
            }
            _ => None,
        }
    }
}

/// The steps of a key as errors name it: `$` (the root), `config.word_index`,
/// `model.vocab["b"]`, `added_tokens[0].id`, `[2]`, `"word"` (an entry of a
/// top-level object).
fn steps(key: &str) -> Option<Vec<Step>> {
    if key == "$" {
        return Some(Vec::new());
    }
    let b = key.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // The end of the JSON string literal whose quote is at `at` (past its quote).
    let literal_end = |at: usize| {
        let mut j = at + 1;
        while j < b.len() {
            match b[j] {
                b'\\' => j += 2,
                b'"' => return Some(j + 1),
                _ => j += 1,
            }
        }
        None
    };
    while i < b.len() {
        match b[i] {
            b'.' => i += 1,
            b'"' => {
                let end = literal_end(i)?;
                out.push(Step::Key(serde_json::from_str(&key[i..end]).ok()?));
                i = end;
            }
            b'[' if b.get(i + 1) == Some(&b'"') => {
                let end = literal_end(i + 1)?;
                out.push(Step::Key(serde_json::from_str(&key[i + 1..end]).ok()?));
                (b.get(end) == Some(&b']')).then_some(())?;
                i = end + 1;
            }
            b'[' => {
                let close = i + key[i..].find(']')?;
                out.push(Step::Index(key[i + 1..close].parse().ok()?));
                i = close + 1;
            }
            _ => {
                let end = key[i..].find(['.', '[']).map_or(b.len(), |n| i + n);
                out.push(Step::Key(key[i..end].to_string()));
                i = end;
            }
        }
    }
    Some(out)
}

/// Gives a [`Error::JsonShape`] without a position the line and byte of its key
/// in `bytes`, the JSON text it was read from (the repeat, for a word given
/// twice); other errors are returned as they are.
pub(in crate::vocab) fn place_json_shape(e: Error, bytes: &[u8]) -> Error {
    let Error::JsonShape {
        path,
        key,
        pos: None,
        fault,
    } = e
    else {
        return e;
    };
    let nth = match *fault {
        JsonFault::DuplicateWord { .. } => 2,
        _ => 1,
    };
    let pos = steps(&key).and_then(|steps| {
        let at = Walk::follow(bytes).find(&steps, nth)?;
        let line = memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64 + 1;
        Some(Position::line(line, at as u64))
    });
    Error::JsonShape {
        path,
        key,
        pos,
        fault,
    }
}

/// Calls `found(path, string, at, is_value)` for every key and string of `bytes`.
fn walk(bytes: &[u8], found: impl FnMut(&[Step], &str, usize, bool)) {
    let mut w = Walk {
        bytes,
        i: bytes.len() - crate::parse::text::strip_bom(bytes).len(),
        path: Vec::new(),
        found,
    };
    let _ = w.value(false);
}

/// Decodes the JSON string literal starting at `at` (its quote), with, for each
/// byte of the decoded text, the byte of `bytes` it came from.
fn decode_with_offsets(bytes: &[u8], at: usize) -> Option<(Vec<u8>, Vec<usize>)> {
    let (mut out, mut from) = (Vec::new(), Vec::new());
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some((out, from)),
            b'\\' => {
                let c = match *bytes.get(i + 1)? {
                    b'n' => '\n',
                    b't' => '\t',
                    b'r' => '\r',
                    b'b' => '\u{8}',
                    b'f' => '\u{c}',
                    b'u' => {
                        let hex = |j: usize| {
                            std::str::from_utf8(bytes.get(j..j + 4)?)
                                .ok()
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                        };
                        let hi = hex(i + 2)?;
                        let (code, len) = if (0xd800..0xdc00).contains(&hi)
                            && bytes.get(i + 6..i + 8) == Some(b"\\u")
                        {
                            let lo = hex(i + 8)?;
                            (
                                0x10000 + ((hi - 0xd800) << 10) + (lo.wrapping_sub(0xdc00)),
                                12,
                            )
                        } else {
                            (hi, 6)
                        };
                        let c = char::from_u32(code).unwrap_or('\u{fffd}');
                        let mut buf = [0; 4];
                        for &b in c.encode_utf8(&mut buf).as_bytes() {
                            out.push(b);
                            from.push(i);
                        }
                        i += len;
                        continue;
                    }
                    other => other as char,
                };
                out.push(c as u8);
                from.push(i);
                i += 2;
            }
            b => {
                out.push(b);
                from.push(i);
                i += 1;
            }
        }
    }
    None
}

/// The byte of each token's key (or array element) in the JSON vocabulary file
/// `bytes` of `kind`, by token (the first place wins).
fn token_bytes(bytes: &[u8], kind: VocabKind) -> HashMap<String, usize> {
    let mut at = HashMap::new();
    let mut keep = |s: &str, b: usize| {
        at.entry(s.to_string()).or_insert(b);
    };
    match kind {
        VocabKind::HfTokenizer => walk(bytes, |path, s, b, is_value| {
            let in_vocab =
                matches!(path, [Step::Key(m), Step::Key(v), ..] if m == "model" && v == "vocab");
            match path {
                // WordLevel, WordPiece, BPE: the keys of model.vocab.
                [_, _] if in_vocab && !is_value => keep(s, b),
                // Unigram: [token, score] pairs.
                [_, _, Step::Index(_), Step::Index(0)] if in_vocab => keep(s, b),
                [Step::Key(a), Step::Index(_), Step::Key(c)]
                    if a == "added_tokens" && c == "content" && is_value =>
                {
                    keep(s, b)
                }
                _ => {}
            }
        }),
        VocabKind::KerasTokenizer => {
            // `config.word_index` holds its object as a JSON string (Keras'
            // `to_json`), or as an object.
            let mut inner = None;
            walk(bytes, |path, s, b, is_value| match path {
                [.., Step::Key(k)] if k == "word_index" && is_value => {
                    inner.get_or_insert((b, s.len()));
                }
                [.., Step::Key(k)] if k == "word_index" && !is_value => keep(s, b),
                _ => {}
            });
            if let Some((b, _)) = inner {
                if let Some((text, from)) = decode_with_offsets(bytes, b) {
                    walk(&text, |path, s, i, is_value| {
                        if path.is_empty() && !is_value {
                            keep(s, from[i]);
                        }
                    });
                }
            }
        }
        _ => walk(bytes, |path, s, b, is_value| {
            if path.len() <= 1 && !is_value {
                keep(s, b)
            }
        }),
    }
    at
}

/// The place of each of `tokens` in the JSON vocabulary file `bytes` of `kind`:
/// the line and byte of its key (or array element); `None` for a token found
/// nowhere (a reserved row the reader added).
pub(super) fn json_places(
    bytes: &[u8],
    kind: VocabKind,
    tokens: &[String],
) -> Vec<Option<Position>> {
    let at = token_bytes(bytes, kind);
    let lines: Vec<usize> = memchr::memchr_iter(b'\n', bytes).collect();
    tokens
        .iter()
        .map(|t| {
            let &b = at.get(t)?;
            let line = lines.partition_point(|&nl| nl < b) as u64 + 1;
            Some(Position::line(line, b as u64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn keys_as_errors_name_them_are_steps() {
        let key = |k: &str| Step::Key(k.into());
        assert_eq!(steps("$"), Some(vec![]));
        assert_eq!(
            steps(r#"added_tokens[10].id"#),
            Some(vec![key("added_tokens"), Step::Index(10), key("id")])
        );
        assert_eq!(
            steps(r#"config.word_index["a.b[1]\"\n"]"#),
            Some(vec![key("config"), key("word_index"), key("a.b[1]\"\n")])
        );
        assert_eq!(steps(r#""x\"y""#), Some(vec![key("x\"y")]));
        assert_eq!(steps(r#"model.vocab["open"#), None);
        let doc = br#"{"a": {"x\"y": [0, {"k": 1}]}}"#;
        let e = Error::json_shape(
            Path::new(""),
            r#"a["x\"y"][1].k"#,
            JsonFault::Missing {
                expected: crate::error::JsonExpected::String,
            },
        );
        let at = doc.windows(3).position(|w| w == br#""k""#).unwrap() as u64;
        assert!(
            matches!(place_json_shape(e, doc), Error::JsonShape { pos: Some(p), .. } if p == Position::line(1, at))
        );
    }

    #[test]
    fn keys_elements_and_nested_word_index() {
        let list = br#"["a", "b c",
 "\u00e9"]"#;
        let toks = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            json_places(list, VocabKind::JsonList, &toks(&["b c", "é", "zz"])),
            [
                Some(Position::line(1, 6)),
                Some(Position::line(2, 14)),
                None
            ]
        );
        let keras = br#"{"config": {"word_index": "{\"the\": 1, \"new york\": 2}"}}"#;
        let at = keras.windows(8).position(|w| w == b"new york").unwrap() as u64;
        assert_eq!(
            json_places(keras, VocabKind::KerasTokenizer, &toks(&["new york"])),
            [Some(Position::line(1, at - 2))],
            "the byte of the inner key's escaped quote"
        );
    }
}
