//! Keras tokenizer JSON: `Tokenizer.to_json()` documents and bare `word_index`
//! objects, read and written.
//!
//! `to_json()` writes `{"class_name": "Tokenizer", "config": {...}}` where
//! `word_counts`, `word_docs`, `index_docs`, `index_word` and `word_index` are
//! themselves JSON objects encoded as strings. We read them strictly: every value
//! is type-checked and a bad one is reported with its key
//! (`config.word_index["the"]`).

use std::fmt;
use std::path::Path;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::vocab::entry_key;
use super::{Counts, KerasTokenizer};
use crate::error::{Error, JsonExpected, JsonFault, Position, Result};
use crate::parse::text::strip_bom;

/// What a Keras JSON holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KerasJsonKind {
    /// A `Tokenizer.to_json()` document (`class_name` and `config`).
    Tokenizer,
    /// A bare `{"word": index, ...}` object (`json.dumps(tokenizer.word_index)`).
    WordIndex,
}

fn parse_root(path: &Path, bytes: &[u8]) -> Result<Value> {
    serde_json::from_slice(strip_bom(bytes)).map_err(|e| json_error(path, bytes, &e))
}

/// The error for JSON that does not parse: `bytes` is the whole file (a leading
/// byte-order mark included), so that the parser's line and column give the byte.
pub(in crate::vocab) fn json_error(path: &Path, bytes: &[u8], e: &serde_json::Error) -> Error {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message,
    };
    let text = strip_bom(bytes);
    let bom = bytes.len() - text.len();
    let line_start = memchr::memchr_iter(b'\n', text)
        .nth(e.line().saturating_sub(2))
        .map_or(0, |i| i + 1);
    let line_start = if e.line() <= 1 { 0 } else { line_start };
    // The parser counts columns in bytes, from 1 (0 at the start of a line).
    let byte = (line_start + e.column().saturating_sub(1)).min(text.len());
    // serde_json numbers lines from 1; line 0 means it gave no position, which is
    // then not invented.
    let pos = if e.line() == 0 {
        Position::default()
    } else {
        Position::line(e.line() as u64, (bom + byte) as u64)
    };
    Error::Json {
        path: path.to_path_buf(),
        pos,
        column: e.column() as u64,
        message,
    }
}

/// Tells whether a parsed document is a `Tokenizer.to_json()` document or a bare
/// `word_index` object. Only the shape is checked here;
/// [`KerasTokenizer::from_bytes`] checks every entry. Callers outside the crate
/// tell the kinds with [`detect_kind`](crate::vocab::detect_kind).
///
/// Errors: [`Error::JsonShape`] for JSON that is not an object (key `$`), or that
/// has a `class_name` but no `config` object ([`JsonFault::Missing`] or
/// [`JsonFault::WrongValue`]), or another class than `Tokenizer`.
fn classify(root: &Value, path: &Path) -> Result<KerasJsonKind> {
    let Value::Object(map) = root else {
        return Err(shape(path, "$", JsonExpected::KerasDocument, root));
    };
    let config = map.get("config");
    match map.get("class_name") {
        None if !matches!(config, Some(Value::Object(_))) => return Ok(KerasJsonKind::WordIndex),
        None => {}
        Some(Value::String(s)) if s == "Tokenizer" => {}
        Some(other) => {
            return Err(shape(
                path,
                "class_name",
                JsonExpected::TokenizerClass,
                other,
            ))
        }
    }
    match config {
        Some(Value::Object(_)) => Ok(KerasJsonKind::Tokenizer),
        Some(other) => Err(shape(path, "config", JsonExpected::TokenizerConfig, other)),
        None => Err(Error::json_shape(
            path,
            "config",
            JsonFault::Missing {
                expected: JsonExpected::TokenizerConfig,
            },
        )),
    }
}

/// A [`JsonFault::WrongValue`] at `key`: `found` is not what `expected` says.
fn shape(path: &Path, key: &str, expected: JsonExpected, found: &Value) -> Error {
    Error::json_shape(path, key, JsonFault::wrong_value(expected, found))
}

/// A JSON object's entries in file order, duplicates kept (a `Value` would sort
/// them and keep only the last of a repeated key).
struct Pairs(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Pairs, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = m.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(Pairs(entries))
            }
        }
        d.deserialize_map(PairsVisitor)
    }
}

/// Reads the `config` of a tokenizer document, one key at a time.
struct Config<'a> {
    path: &'a Path,
    map: &'a serde_json::Map<String, Value>,
}

impl Config<'_> {
    fn key(name: &str) -> String {
        format!("config.{name}")
    }

    fn err(&self, name: &str, expected: JsonExpected, found: &Value) -> Error {
        shape(self.path, &Self::key(name), expected, found)
    }

    fn string(&self, name: &str, default: &str) -> Result<String> {
        match self.map.get(name) {
            None => Ok(default.to_string()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v) => Err(self.err(name, JsonExpected::String, v)),
        }
    }

    fn opt_string(&self, name: &str) -> Result<Option<String>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.err(name, JsonExpected::StringOrNull, v)),
        }
    }

    fn bool(&self, name: &str, default: bool) -> Result<bool> {
        match self.map.get(name) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.err(name, JsonExpected::Bool, v)),
        }
    }

    fn opt_count(&self, name: &str) -> Result<Option<u64>> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.err(name, JsonExpected::CountOrNull, v)),
        }
    }

    /// An object stored as a JSON string (as Keras writes it) or, leniently, as an
    /// object; missing means empty.
    fn inner(&self, name: &str) -> Result<Vec<(String, Value)>> {
        let parsed = match self.map.get(name) {
            None => return Ok(Vec::new()),
            Some(Value::String(s)) => serde_json::from_str::<Pairs>(s),
            Some(v @ Value::Object(_)) => serde_json::from_value::<Pairs>(v.clone()),
            Some(v) => {
                return Err(self.err(name, JsonExpected::EncodedObject, v));
            }
        };
        parsed.map(|p| p.0).map_err(|e| {
            Error::json_shape(
                self.path,
                Self::key(name),
                JsonFault::EncodedJson {
                    message: e.to_string(),
                },
            )
        })
    }
}

/// Checks `word: count` entries: non-negative integers, each word once.
fn counts(path: &Path, prefix: &str, entries: Vec<(String, Value)>) -> Result<Counts> {
    let mut out = Counts::default();
    for (word, v) in entries {
        let key = || entry_key(prefix, &word);
        let n = v
            .as_u64()
            .ok_or_else(|| shape(path, &key(), JsonExpected::Count, &v))?;
        if out.get(&word).is_some() {
            return Err(Error::json_shape(
                path,
                key(),
                JsonFault::DuplicateWord { word },
            ));
        }
        out.add(&word, n);
    }
    Ok(out)
}

/// Checks `word: index` entries: integers >= 1, each word and each index once.
fn word_index(
    path: &Path,
    prefix: &str,
    entries: Vec<(String, Value)>,
) -> Result<Vec<(String, i64)>> {
    let mut words = std::collections::HashMap::with_capacity(entries.len());
    let mut indices = std::collections::HashMap::with_capacity(entries.len());
    let mut out = Vec::with_capacity(entries.len());
    for (word, v) in entries {
        let key = entry_key(prefix, &word);
        let index = match v.as_i64() {
            Some(i) if i >= 1 => i,
            _ => {
                return Err(shape(path, &key, JsonExpected::PositiveIndex, &v));
            }
        };
        if words.insert(word.clone(), index).is_some() {
            return Err(Error::json_shape(
                path,
                key,
                JsonFault::DuplicateWord { word },
            ));
        }
        if let Some(other) = indices.insert(index, word.clone()) {
            return Err(Error::json_shape(
                path,
                key,
                JsonFault::DuplicateId {
                    id: index,
                    token: other,
                },
            ));
        }
        out.push((word, index));
    }
    Ok(out)
}

impl KerasTokenizer {
    /// Reads a Keras tokenizer from a `Tokenizer.to_json()` document or a bare
    /// `word_index` object (see [`detect_kind`](crate::vocab::detect_kind)); `path` is only used in errors.
    ///
    /// Missing `config` keys take Keras' defaults; a bare `word_index` gives a
    /// tokenizer with Keras' default rules and no counts. A UTF-8 byte-order mark
    /// is skipped. Indices are checked here to be positive and distinct, and to
    /// have no gap by [`KerasTokenizer::vocab`].
    ///
    /// ```
    /// use pretrained_vectors::vocab::KerasTokenizer;
    /// use std::path::Path;
    /// let tok = KerasTokenizer::from_bytes(Path::new("wi.json"), br#"{"the": 1, "cat": 2}"#)?;
    /// assert_eq!(tok.texts_to_sequences(["The dog, the cat."]), vec![vec![1, 1, 2]]);
    /// assert_eq!(tok.vocab("<pad>")?.tokens(), ["<pad>", "the", "cat"]);
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] with line and column for text that is not JSON;
    /// [`Error::JsonShape`], naming the key, with its [`JsonFault`]: for JSON that
    /// is not an object (key `$`), that has a `class_name` but no `config` object
    /// ([`JsonFault::Missing`]) or another class than `Tokenizer`, for a value of
    /// the wrong type (`config.lower`), an index that is not a positive integer or
    /// an empty `split` ([`JsonFault::WrongValue`]), an inner string that is not a
    /// JSON object ([`JsonFault::EncodedJson`]), a word given twice
    /// ([`JsonFault::DuplicateWord`]) or an index given twice
    /// ([`JsonFault::DuplicateId`]).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self> {
        Self::from_bytes_unplaced(path, bytes)
            .map_err(|e| crate::vocab::places::place_json_shape(e, bytes))
    }

    /// [`KerasTokenizer::from_bytes`], but a [`Error::JsonShape`] has no position
    /// yet.
    fn from_bytes_unplaced(path: &Path, bytes: &[u8]) -> Result<Self> {
        let root = parse_root(path, bytes)?;
        match classify(&root, path)? {
            KerasJsonKind::WordIndex => {
                let entries = serde_json::from_slice::<Pairs>(strip_bom(bytes))
                    .map_err(|e| json_error(path, bytes, &e))?
                    .0;
                let mut tok = KerasTokenizer::new();
                tok.set_word_index(word_index(path, "", entries)?);
                tok.source = path.to_path_buf();
                tok.index_key = "";
                Ok(tok)
            }
            KerasJsonKind::Tokenizer => match root.get("config") {
                Some(Value::Object(map)) => Self::from_config(&Config { path, map }),
                other => Err(shape(
                    path,
                    "config",
                    JsonExpected::TokenizerConfig,
                    other.unwrap_or(&Value::Null),
                )),
            },
        }
    }

    /// Reads the file at `path`; see [`KerasTokenizer::from_bytes`].
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, and those of
    /// [`KerasTokenizer::from_bytes`].
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::source::read_whole(path)?;
        Self::from_bytes(path, &bytes)
    }

    fn from_config(c: &Config<'_>) -> Result<Self> {
        let path = c.path;
        // A num_words beyond usize (32-bit targets) limits nothing either.
        let num_words = c
            .opt_count("num_words")?
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        let split = c.string("split", " ")?;
        if split.is_empty() {
            return Err(c.err(
                "split",
                JsonExpected::NonEmptySeparator,
                &Value::String(split),
            ));
        }
        let mut index_docs = Vec::new();
        for (k, v) in c.inner("index_docs")? {
            let key = entry_key("config.index_docs", &k);
            let index = k.parse::<i64>().map_err(|_| {
                shape(
                    path,
                    &key,
                    JsonExpected::IndexKey,
                    &Value::String(k.clone()),
                )
            })?;
            let n = v
                .as_u64()
                .ok_or_else(|| shape(path, &key, JsonExpected::Count, &v))?;
            index_docs.push((index, n));
        }
        let mut tok = KerasTokenizer {
            num_words,
            filters: c.string("filters", super::DEFAULT_FILTERS)?,
            lower: c.bool("lower", true)?,
            split,
            char_level: c.bool("char_level", false)?,
            oov_token: c.opt_string("oov_token")?,
            document_count: c.opt_count("document_count")?.unwrap_or(0),
            word_counts: counts(path, "config.word_counts", c.inner("word_counts")?)?,
            word_docs: counts(path, "config.word_docs", c.inner("word_docs")?)?,
            index_docs,
            ..KerasTokenizer::new()
        };
        tok.set_word_index(word_index(
            path,
            "config.word_index",
            c.inner("word_index")?,
        )?);
        tok.source = path.to_path_buf();
        Ok(tok)
    }

    fn set_word_index(&mut self, entries: Vec<(String, i64)>) {
        self.lookup = entries.iter().cloned().collect();
        self.word_index = entries;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn config_may_hold_objects_and_omit_keys() {
        let doc = br#"{"config": {"word_index": {"a": 1}, "num_words": null}}"#;
        let tok = KerasTokenizer::from_bytes(Path::new(""), doc).unwrap();
        assert_eq!(tok.index_of("a"), Some(1));
        assert_eq!(
            (tok.get_lower(), tok.get_split(), tok.get_num_words()),
            (true, " ", None)
        );
    }

    #[test]
    fn a_word_named_config_is_still_a_word_index() {
        let detect = |path: &Path, bytes: &[u8]| classify(&parse_root(path, bytes)?, path);
        let kind = detect(Path::new(""), br#"{"config": 1, "b": 2}"#).unwrap();
        assert_eq!(kind, KerasJsonKind::WordIndex);
        let doc = br#"{"class_name": "Tokenizer", "config": {"word_index": "{}"}}"#;
        let kind = detect(Path::new("tok.json"), doc).unwrap();
        assert_eq!(kind, KerasJsonKind::Tokenizer);
    }

    #[test]
    fn a_bom_is_skipped() {
        let tok = KerasTokenizer::from_bytes(Path::new(""), b"\xEF\xBB\xBF{\"a\": 1}").unwrap();
        assert_eq!(tok.index_of("a"), Some(1));
    }

    proptest! {
        #[test]
        fn hostile_bytes_give_errors_not_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = KerasTokenizer::from_bytes(Path::new(""), &bytes);
        }

        #[test]
        fn hostile_json_gives_errors_not_panics(
            keys in proptest::collection::vec("[a-z_]{0,12}", 0..6),
            values in proptest::collection::vec(
                prop_oneof![Just("null"), Just("-1"), Just("0"), Just("1e400"), Just("\"{}\""),
                            Just("\"{\\\"a\\\": 1}\""), Just("[]"), Just("true"), Just("\"\"")],
                0..6),
        ) {
            let body: Vec<String> = keys.iter().zip(&values).map(|(k, v)| format!("\"{k}\": {v}")).collect();
            let config = format!("{{{}}}", body.join(", "));
            for doc in [config.clone(), format!(r#"{{"class_name": "Tokenizer", "config": {config}}}"#)] {
                if let Ok(tok) = KerasTokenizer::from_bytes(Path::new(""), doc.as_bytes()) {
                    let _ = tok.vocab("<pad>");
                    let _ = tok.texts_to_sequences(["a b"]);
                    let _ = tok.to_json();
                }
            }
        }
    }
}
