//! Writing a Keras tokenizer as `Tokenizer.to_json()` does, down to Python's JSON
//! formatting.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::KerasTokenizer;

impl KerasTokenizer {
    /// The tokenizer as Keras' `Tokenizer.to_json()` writes it: the same keys in
    /// the same order, the count and index tables as JSON strings, so that Keras'
    /// `tokenizer_from_json` and [`KerasTokenizer::from_bytes`] read it back.
    ///
    /// ```
    /// use pretrained_vectors::vocab::KerasTokenizer;
    /// use std::path::Path;
    /// let mut tok = KerasTokenizer::new().oov_token("<OOV>");
    /// tok.fit_on_texts(["a b b"]);
    /// let json = tok.to_json();
    /// assert!(json.starts_with(r#"{"class_name": "Tokenizer", "config": {"num_words": null, "#));
    /// let back = KerasTokenizer::from_bytes(Path::new(""), json.as_bytes())?;
    /// assert_eq!(back.word_index(), tok.word_index());
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let index_word: Vec<(i64, &str)> = self
            .word_index
            .iter()
            .map(|(w, i)| (*i, w.as_str()))
            .collect();
        let doc = Doc {
            class_name: "Tokenizer",
            config: ConfigOut {
                num_words: self.num_words,
                filters: &self.filters,
                lower: self.lower,
                split: &self.split,
                char_level: self.char_level,
                oov_token: self.oov_token.as_deref(),
                document_count: self.document_count,
                word_counts: python_dumps(&Ordered(self.word_counts())),
                word_docs: python_dumps(&Ordered(self.word_docs())),
                index_docs: python_dumps(&Ordered(self.index_docs())),
                index_word: python_dumps(&Ordered(&index_word)),
                word_index: python_dumps(&Ordered(self.word_index())),
            },
        };
        python_dumps(&doc)
    }
}

#[derive(Serialize)]
struct Doc<'a> {
    class_name: &'a str,
    config: ConfigOut<'a>,
}

#[derive(Serialize)]
struct ConfigOut<'a> {
    num_words: Option<usize>,
    filters: &'a str,
    lower: bool,
    split: &'a str,
    char_level: bool,
    oov_token: Option<&'a str>,
    document_count: u64,
    word_counts: String,
    word_docs: String,
    index_docs: String,
    index_word: String,
    word_index: String,
}

/// Pairs serialized as a JSON object, in order (integer keys become strings, as
/// in Python's `json.dumps`).
struct Ordered<'a, K, V>(&'a [(K, V)]);

impl<K: Serialize, V: Serialize> Serialize for Ordered<'_, K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// JSON as Python's `json.dumps` writes it by default: `", "` and `": "`
/// separators, non-ASCII escaped as `\uXXXX`.
fn python_dumps<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    value
        .serialize(&mut ser)
        .expect("serializing strings and integers to memory cannot fail");
    String::from_utf8(out).expect("the formatter writes ASCII")
}

struct PythonFormatter;

/// Python's `json.dumps` separator before every item of an array or object but
/// the first: `", "`.
fn separate<W: ?Sized + std::io::Write>(w: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        w.write_all(b", ")
    }
}

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separate(w, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separate(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        for c in fragment.chars() {
            if c.is_ascii() {
                w.write_all(&[c as u8])?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_formatting_and_ascii_escapes() {
        let pairs = [("é😀\t\"x", 1i64), ("b", 2)];
        // json.dumps({"é😀\t\"x": 1, "b": 2}) in Python:
        let want = r#"{"\u00e9\ud83d\ude00\t\"x": 1, "b": 2}"#;
        assert_eq!(python_dumps(&Ordered(&pairs[..])), want);
        let ints = [(3i64, 4u64)];
        assert_eq!(python_dumps(&Ordered(&ints[..])), r#"{"3": 4}"#);
        assert_eq!(python_dumps(&vec![1, 2]), "[1, 2]");
    }

    #[test]
    fn fitted_json_has_keras_keys_in_order() {
        let mut tok = KerasTokenizer::new().num_words(3);
        tok.fit_on_texts(["b a b"]);
        let json = tok.to_json();
        let keys = [
            "num_words",
            "filters",
            "lower",
            "split",
            "char_level",
            "oov_token",
            "document_count",
            "word_counts",
            "word_docs",
            "index_docs",
            "index_word",
            "word_index",
        ];
        let at: Vec<usize> = keys
            .iter()
            .map(|k| json.find(&format!("\"{k}\": ")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{json}");
        assert!(
            json.contains(r#""word_index": "{\"b\": 1, \"a\": 2}""#),
            "{json}"
        );
        assert!(
            json.contains(r#""index_word": "{\"1\": \"b\", \"2\": \"a\"}""#),
            "{json}"
        );
    }
}
