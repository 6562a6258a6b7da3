//! Keras `Tokenizer` rules, reproduced to the index.
//!
//! One file per concept: this one fits and encodes; `from_json.rs` reads a
//! tokenizer's `to_json()` document or a bare `word_index`; `to_json.rs` writes the
//! document as Keras does; `vocab.rs` gives the table's rows in Keras' index order.
//!
//! [`KerasTokenizer`] fits on texts and encodes them exactly as
//! `keras_preprocessing.text.Tokenizer` (the class behind
//! `tf.keras.preprocessing.text.Tokenizer`) does, reads and writes its
//! `to_json()` document, and gives the [`Vocab`] whose row `i` is Keras index `i`.
//!
//! The rules, as in Keras:
//! - a text is lower-cased like Python's `str.lower()`, which Rust's
//!   `to_lowercase` matches, final sigma (`ΟΔΟΣ` -> `οδος`) and `İ` -> `i̇`
//!   included. Compared code point by code point with Python 3.11 (Unicode 14),
//!   the two differ only on 55 characters added in Unicode 15 and 16, which
//!   Rust lower-cases and that Python leaves as they are. Then every filter
//!   character becomes the split string, then it is split on that string and empty
//!   pieces are dropped. With `char_level`, the lower-cased text's characters are
//!   the tokens and filters are not applied.
//! - `fit_on_texts` counts words in first-seen order, sorts them by count,
//!   descending, ties kept in first-seen order, puts the OOV token (if any) first
//!   and numbers from 1. Index 0 is never assigned.
//! - `texts_to_sequences` drops unknown words, or maps them to the OOV index;
//!   with `num_words = n` (n > 0) only indices below `n` are used, others are
//!   dropped or mapped to the OOV index likewise. So the OOV token, at index 1,
//!   is one of the `n - 1` kept words.
//!
//! ```
//! use pretrained_vectors::vocab::KerasTokenizer;
//! let mut tok = KerasTokenizer::new().oov_token("<OOV>").num_words(4);
//! tok.fit_on_texts(["The cat sat.", "The cat ran!", "the end"]);
//! assert_eq!(tok.index_of("the"), Some(2));
//! assert_eq!(tok.index_of("cat"), Some(3));
//! // "sat" has index 4, not below num_words: it becomes the OOV index 1.
//! assert_eq!(tok.texts_to_sequences(["the cat sat on a mat"]), vec![vec![2, 3, 1, 1, 1, 1]]);
//!
//! let vocab = tok.vocab("<pad>")?;
//! assert_eq!(vocab.tokens(), ["<pad>", "<OOV>", "the", "cat"]);
//! assert_eq!((vocab.get_padding(), vocab.get_oov()), (Some(0), Some(1)));
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
#[cfg(doc)]
use crate::vocab::Vocab;

mod from_json;
mod to_json;
mod vocab;

pub(super) use from_json::json_error;
pub(super) use vocab::entry_key;

/// Keras' default `filters`: ASCII punctuation except the apostrophe, tab and
/// newline.
pub const DEFAULT_FILTERS: &str = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

/// The default name of row 0 in [`KerasTokenizer::vocab`]. Keras has no token for
/// index 0; `<` and `>` are among the default filters, so no fitted word can be
/// `<pad>`.
pub const DEFAULT_PADDING_TOKEN: &str = "<pad>";

type Map<V> = HashMap<String, V, foldhash::fast::FixedState>;

/// Words with a count each, kept in first-seen order (Python's `OrderedDict`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Counts {
    pub(super) items: Vec<(String, u64)>,
    pos: Map<usize>,
}

impl Counts {
    pub(super) fn add(&mut self, word: &str, n: u64) {
        match self.pos.get(word) {
            Some(&i) => self.items[i].1 += n,
            None => {
                self.pos.insert(word.to_string(), self.items.len());
                self.items.push((word.to_string(), n));
            }
        }
    }

    pub(super) fn get(&self, word: &str) -> Option<u64> {
        self.pos.get(word).map(|&i| self.items[i].1)
    }
}

/// A Keras `Tokenizer`: its configuration, fitted counts and `word_index`.
///
/// Build one with [`KerasTokenizer::new`] and the `with_*` options (Keras'
/// defaults otherwise), then [`fit_on_texts`](Self::fit_on_texts); or read a
/// `Tokenizer.to_json()` document or a bare `word_index` object with
/// [`from_bytes`](Self::from_bytes).
///
/// Two tokenizers are equal when their configuration, counts and `word_index`
/// are (the file one was read from does not count).
#[derive(Debug, Clone)]
pub struct KerasTokenizer {
    pub(super) num_words: Option<usize>,
    pub(super) filters: String,
    pub(super) lower: bool,
    pub(super) split: String,
    pub(super) char_level: bool,
    pub(super) oov_token: Option<String>,
    pub(super) document_count: u64,
    pub(super) word_counts: Counts,
    pub(super) word_docs: Counts,
    pub(super) index_docs: Vec<(i64, u64)>,
    /// Keras' `word_index`, in the order Keras builds its dict.
    pub(super) word_index: Vec<(String, i64)>,
    pub(super) lookup: Map<i64>,
    /// The file it was read from (empty when fitted), for errors.
    pub(super) source: PathBuf,
    /// How errors name `word_index` entries: `config.word_index`, or empty for a
    /// bare word_index file.
    pub(super) index_key: &'static str,
}

impl PartialEq for KerasTokenizer {
    fn eq(&self, other: &Self) -> bool {
        (
            self.num_words,
            &self.filters,
            self.lower,
            &self.split,
            self.char_level,
            &self.oov_token,
            self.document_count,
        ) == (
            other.num_words,
            &other.filters,
            other.lower,
            &other.split,
            other.char_level,
            &other.oov_token,
            other.document_count,
        ) && self.word_counts.items == other.word_counts.items
            && self.word_docs.items == other.word_docs.items
            && self.index_docs == other.index_docs
            && self.word_index == other.word_index
    }
}

impl Default for KerasTokenizer {
    fn default() -> Self {
        KerasTokenizer {
            num_words: None,
            filters: DEFAULT_FILTERS.to_string(),
            lower: true,
            split: " ".to_string(),
            char_level: false,
            oov_token: None,
            document_count: 0,
            word_counts: Counts::default(),
            word_docs: Counts::default(),
            index_docs: Vec::new(),
            word_index: Vec::new(),
            lookup: Map::default(),
            source: PathBuf::new(),
            index_key: "config.word_index",
        }
    }
}

impl KerasTokenizer {
    /// An unfitted tokenizer with Keras' defaults: no `num_words`,
    /// [`DEFAULT_FILTERS`], lower-case, split on `" "`, words (not characters), no
    /// OOV token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep only indices below `num_words` when encoding (Keras' `num_words`; the
    /// OOV token counts as one of them; `0` means no limit, as in Keras). Default:
    /// no limit.
    pub fn num_words(mut self, num_words: usize) -> Self {
        self.num_words = Some(num_words);
        self
    }

    /// The characters replaced by the split string before splitting. Default:
    /// [`DEFAULT_FILTERS`].
    pub fn filters(mut self, filters: impl Into<String>) -> Self {
        self.filters = filters.into();
        self
    }

    /// Whether texts are lower-cased first. Default: `true`.
    pub fn lower(mut self, lower: bool) -> Self {
        self.lower = lower;
        self
    }

    /// The string words are separated by. Default: `" "`.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for an empty string (Python's `str.split` refuses
    /// it too).
    pub fn split(mut self, split: impl Into<String>) -> Result<Self> {
        let split = split.into();
        if split.is_empty() {
            return Err(Error::InvalidOption {
                option: "split",
                message: "empty separator; expected at least one character".into(),
            });
        }
        self.split = split;
        Ok(self)
    }

    /// Whether every character is a token (filters and split are then unused).
    /// Default: `false`.
    pub fn char_level(mut self, char_level: bool) -> Self {
        self.char_level = char_level;
        self
    }

    /// The OOV token: index 1 after fitting, and what unknown words are encoded
    /// as. Default: none (unknown words are dropped).
    pub fn oov_token(mut self, token: impl Into<String>) -> Self {
        self.oov_token = Some(token.into());
        self
    }

    /// Keras' `num_words`.
    pub fn get_num_words(&self) -> Option<usize> {
        self.num_words
    }

    /// Keras' `filters`.
    pub fn get_filters(&self) -> &str {
        &self.filters
    }

    /// Keras' `lower`.
    pub fn get_lower(&self) -> bool {
        self.lower
    }

    /// Keras' `split`.
    pub fn get_split(&self) -> &str {
        &self.split
    }

    /// Keras' `char_level`.
    pub fn get_char_level(&self) -> bool {
        self.char_level
    }

    /// Keras' `oov_token`.
    pub fn get_oov_token(&self) -> Option<&str> {
        self.oov_token.as_deref()
    }

    /// Texts fitted on (Keras' `document_count`).
    pub fn document_count(&self) -> u64 {
        self.document_count
    }

    /// Keras' `word_index`: `(word, index)` pairs, in Keras' dict order (the OOV
    /// token first, then by count), indices from 1.
    pub fn word_index(&self) -> &[(String, i64)] {
        &self.word_index
    }

    /// The Keras index of `word`, which must already be lower-cased and filtered.
    pub fn index_of(&self, word: &str) -> Option<i64> {
        self.lookup.get(word).copied()
    }

    /// Keras' `word_counts`: occurrences of each word, in first-seen order.
    pub fn word_counts(&self) -> &[(String, u64)] {
        &self.word_counts.items
    }

    /// Keras' `word_docs`: the number of texts each word occurs in, in first-seen
    /// order (Keras' own order comes from a Python `set` and is not stable).
    pub fn word_docs(&self) -> &[(String, u64)] {
        &self.word_docs.items
    }

    /// Keras' `index_docs`: `word_docs` keyed by index.
    pub fn index_docs(&self) -> &[(i64, u64)] {
        &self.index_docs
    }

    /// Splits `text` into tokens by this tokenizer's rules.
    pub fn tokenize(&self, text: &str) -> Vec<String> {
        if self.char_level {
            let text = if self.lower {
                text.to_lowercase()
            } else {
                text.to_string()
            };
            text.chars().map(String::from).collect()
        } else {
            text_to_word_sequence(text, &self.filters, self.lower, &self.split)
        }
    }

    /// Updates the counts with `texts` and rebuilds `word_index`, like Keras'
    /// `fit_on_texts` (fitting twice adds up, as in Keras).
    pub fn fit_on_texts<I, S>(&mut self, texts: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut seen = Map::<()>::default();
        for text in texts {
            self.document_count += 1;
            seen.clear();
            for word in self.tokenize(text.as_ref()) {
                self.word_counts.add(&word, 1);
                if seen.insert(word.clone(), ()).is_none() {
                    self.word_docs.add(&word, 1);
                }
            }
        }
        self.rebuild_index();
    }

    /// Fits on a corpus file's bytes, one text per line (`\n`, or `\r\n`; a final
    /// newline ends the last text, an empty line is an empty text).
    ///
    /// # Errors
    /// [`Error::BadUtf8`] with the line and byte of the first invalid byte;
    /// nothing is fitted then.
    pub fn fit_on_corpus(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let texts = super::corpus::texts(path, bytes)?;
        self.fit_on_texts(texts);
        if self.source.as_os_str().is_empty() {
            // Errors about the fitted vocabulary (an empty one) name the corpus.
            self.source = path.to_path_buf();
        }
        Ok(())
    }

    /// Keras' `word_index` from the counts: OOV token first, then by count
    /// descending, ties in first-seen order. Like Python's `dict(zip(..))`, a word
    /// listed twice (the OOV token also found in the texts) keeps its first place
    /// in the order and its last index, which leaves index 1 unused.
    fn rebuild_index(&mut self) {
        let mut sorted: Vec<&(String, u64)> = self.word_counts.items.iter().collect();
        sorted.sort_by_key(|(_, count)| std::cmp::Reverse(*count)); // stable: ties keep first-seen order
        let words = self
            .oov_token
            .iter()
            .chain(sorted.into_iter().map(|(w, _)| w));
        self.word_index.clear();
        self.lookup.clear();
        for (i, word) in words.enumerate() {
            let index = i as i64 + 1;
            match self.lookup.insert(word.clone(), index) {
                Some(_) => {
                    let slot = self.word_index.iter_mut().find(|(w, _)| w == word);
                    if let Some(slot) = slot {
                        slot.1 = index;
                    }
                }
                None => self.word_index.push((word.clone(), index)),
            }
        }
        self.index_docs = self
            .word_docs
            .items
            .iter()
            .filter_map(|(w, c)| self.lookup.get(w).map(|&i| (i, *c)))
            .collect();
    }

    /// Encodes one text, like Keras' `texts_to_sequences` on a one-text list.
    pub fn text_to_sequence(&self, text: &str) -> Vec<i64> {
        let limit = self.num_words.filter(|&n| n > 0).map(|n| n as i64);
        // Keras looks the OOV token up in word_index; a tokenizer read from JSON
        // without it (Keras would emit None) drops unknown words instead.
        let oov = self.oov_token.as_deref().and_then(|t| self.index_of(t));
        self.tokenize(text)
            .iter()
            .filter_map(|w| match self.index_of(w) {
                Some(i) if limit.is_none_or(|n| i < n) => Some(i),
                _ => oov,
            })
            .collect()
    }

    /// Encodes texts, like Keras' `texts_to_sequences`.
    pub fn texts_to_sequences<I, S>(&self, texts: I) -> Vec<Vec<i64>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        texts
            .into_iter()
            .map(|t| self.text_to_sequence(t.as_ref()))
            .collect()
    }
}

/// Keras' `text_to_word_sequence`: lower-case (if `lower`), replace every
/// character of `filters` by `split`, split on `split` and drop empty pieces.
///
/// ```
/// use pretrained_vectors::vocab::keras::{text_to_word_sequence, DEFAULT_FILTERS};
/// let words = text_to_word_sequence("Don't STOP--now!\tOK", DEFAULT_FILTERS, true, " ");
/// assert_eq!(words, ["don't", "stop", "now", "ok"]);
/// ```
///
/// An empty `split` splits nowhere (the text, filtered, is one word); Keras would
/// raise an error, and [`KerasTokenizer::split`] refuses it.
pub fn text_to_word_sequence(text: &str, filters: &str, lower: bool, split: &str) -> Vec<String> {
    let lowered;
    let text = if lower {
        lowered = text.to_lowercase();
        lowered.as_str()
    } else {
        text
    };
    let mut translated = String::with_capacity(text.len());
    for c in text.chars() {
        if filters.contains(c) {
            translated.push_str(split);
        } else {
            translated.push(c);
        }
    }
    if split.is_empty() {
        return if translated.is_empty() {
            Vec::new()
        } else {
            vec![translated]
        };
    }
    translated
        .split(split)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Position;

    #[test]
    fn ties_keep_first_seen_order_and_oov_is_first() {
        let mut tok = KerasTokenizer::new().oov_token("<OOV>");
        tok.fit_on_texts(["b a c", "c d a"]);
        let order: Vec<_> = tok
            .word_index()
            .iter()
            .map(|(w, i)| (w.as_str(), *i))
            .collect();
        assert_eq!(
            order,
            [("<OOV>", 1), ("a", 2), ("c", 3), ("b", 4), ("d", 5)]
        );
        assert_eq!(tok.document_count(), 2);
        assert_eq!(tok.word_docs().iter().find(|(w, _)| w == "a").unwrap().1, 2);
    }

    #[test]
    fn num_words_zero_means_no_limit_and_oov_counts_as_one() {
        let mut tok = KerasTokenizer::new().num_words(0);
        tok.fit_on_texts(["x x x y y z"]);
        assert_eq!(tok.texts_to_sequences(["z y x q"]), [[3, 2, 1]]);
        let mut tok = KerasTokenizer::new().num_words(3).oov_token("?");
        tok.fit_on_texts(["x x x y y z"]);
        // ? = 1, x = 2, y = 3 (>= 3, so OOV), z = 4 (OOV), q unknown (OOV).
        assert_eq!(tok.texts_to_sequences(["z y x q"]), [[1, 1, 2, 1]]);
        assert_eq!(tok.vocab("<pad>").unwrap().tokens(), ["<pad>", "?", "x"]);
    }

    #[test]
    fn char_level_ignores_filters_and_split() {
        let mut tok = KerasTokenizer::new().char_level(true);
        tok.fit_on_texts(["Ab, a"]);
        let words: Vec<_> = tok
            .word_counts()
            .iter()
            .map(|(w, c)| (w.as_str(), *c))
            .collect();
        assert_eq!(words, [("a", 2), ("b", 1), (",", 1), (" ", 1)]);
    }

    #[test]
    fn multi_char_split_and_empty_split() {
        assert_eq!(
            text_to_word_sequence("a--b-c", "", false, "--"),
            ["a", "b-c"]
        );
        assert_eq!(text_to_word_sequence("a b", "", false, ""), ["a b"]);
        assert!(KerasTokenizer::new().split("").is_err());
    }

    #[test]
    fn corpus_lines_crlf_bom_and_bad_utf8() {
        let mut tok = KerasTokenizer::new();
        tok.fit_on_corpus(Path::new("c.txt"), b"\xEF\xBB\xBFa b\r\n\r\nb\n")
            .unwrap();
        assert_eq!(tok.document_count(), 3);
        assert_eq!(tok.index_of("b"), Some(1));
        let e = tok
            .fit_on_corpus(Path::new("c.txt"), b"ok\nb\xFFad\n")
            .unwrap_err();
        assert_eq!(e.position(), Some(Position::line(2, 4)), "{e}");
        assert_eq!(tok.document_count(), 3, "nothing fitted on error");
        let mut empty = KerasTokenizer::new();
        empty
            .fit_on_corpus(Path::new("c.txt"), b"!!\n...\n")
            .unwrap();
        assert_eq!(empty.document_count(), 2);
        let e = empty.vocab("<pad>").unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.txt: empty vocabulary (expected at least one token)"
        );
    }
}
