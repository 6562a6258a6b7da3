//! [`TextVectorization`]: Keras 3's `TextVectorization` layer with its defaults
//! (`standardize="lower_and_strip_punctuation"`, `split="whitespace"`,
//! `output_mode="int"`), fitted and applied exactly as Keras does.
//!
//! The rules, checked on Keras 3.15 with TensorFlow 2.21 (fixtures/keras3/):
//! - lower-casing is ASCII only (`Ü` stays `Ü`);
//! - ASCII punctuation (Python's `string.punctuation`) is deleted, not replaced
//!   by a space: `it's` -> `its`, `a-b` -> `ab`; other punctuation (`«`, `¡`, `—`)
//!   stays;
//! - texts split on ASCII white space only (space, `\t`, `\n`, `\v`, `\f`, `\r`);
//!   a no-break space or U+2003 is part of a token;
//! - the vocabulary is `""` (padding, id 0), `[UNK]` (id 1), then the tokens by
//!   count descending, ties by their UTF-8 bytes descending; `max_tokens = n`
//!   keeps `n` entries, `""` and `[UNK]` included.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::detect::VocabKind;
use super::Vocab;
use crate::error::{Error, Result};

/// Keras 3's padding (mask) token: id 0.
pub const PADDING: &str = "";
/// Keras 3's OOV token: id 1.
pub const UNKNOWN: &str = "[UNK]";

/// Python's `string.punctuation`, which Keras deletes.
fn is_punctuation(c: char) -> bool {
    c.is_ascii_punctuation()
}

/// The white space TensorFlow splits on.
fn is_split(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// Keras 3's `TextVectorization` with its defaults: a vocabulary fitted on texts
/// ([`TextVectorization::adapt`]) and texts encoded to ids
/// ([`TextVectorization::encode`]).
///
/// ```
/// use pretrained_vectors::vocab::TextVectorization;
/// let mut tv = TextVectorization::new().output_sequence_length(4);
/// tv.adapt(["The cat sat.", "the DOG, it's the dog!"]);
/// assert_eq!(tv.vocabulary(), ["", "[UNK]", "the", "dog", "sat", "its", "cat"]);
/// assert_eq!(tv.encode(["the bird sat", "its the dog the cat"]), [[2, 1, 4, 0], [5, 2, 3, 2]]);
/// let vocab = tv.vocab()?; // row i is id i: padding row 0, OOV row 1
/// assert_eq!((vocab.len(), vocab.get_padding(), vocab.get_oov()), (7, Some(0), Some(1)));
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextVectorization {
    max_tokens: Option<usize>,
    output_sequence_length: Option<usize>,
    vocabulary: Vec<String>,
    counts: Vec<u64>,
    ids: HashMap<String, i64>,
    source: PathBuf,
}

impl TextVectorization {
    /// Keras' defaults: no `max_tokens`, no `output_sequence_length`.
    pub fn new() -> Self {
        Self::default()
    }

    /// `max_tokens`: the vocabulary keeps at most `n` entries, `""` and `[UNK]`
    /// included (Keras requires `n > 1`; [`TextVectorization::vocab`] refuses less).
    pub fn max_tokens(mut self, n: usize) -> Self {
        self.max_tokens = Some(n);
        self
    }

    /// `output_sequence_length`: encoded texts are cut to `n` ids, or padded with 0
    /// at the end to `n`.
    pub fn output_sequence_length(mut self, n: usize) -> Self {
        self.output_sequence_length = Some(n);
        self
    }

    /// The `max_tokens` setting.
    pub fn get_max_tokens(&self) -> Option<usize> {
        self.max_tokens
    }

    /// The `output_sequence_length` setting.
    pub fn get_output_sequence_length(&self) -> Option<usize> {
        self.output_sequence_length
    }

    /// `lower_and_strip_punctuation`: ASCII letters lower-cased, ASCII punctuation
    /// deleted.
    pub fn standardize(text: &str) -> String {
        text.chars()
            .filter(|&c| !is_punctuation(c))
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }

    /// The tokens of `text`: standardized, split on ASCII white space.
    pub fn tokenize(text: &str) -> Vec<String> {
        Self::standardize(text)
            .split(is_split)
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect()
    }

    /// Fits the vocabulary on `texts` (replacing any earlier one), as `adapt` does.
    pub fn adapt<I, S>(&mut self, texts: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for text in texts {
            for token in Self::tokenize(text.as_ref()) {
                *counts.entry(token).or_insert(0) += 1;
            }
        }
        let mut sorted: Vec<(String, u64)> = counts.into_iter().collect();
        sorted.sort_unstable_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| b.0.as_bytes().cmp(a.0.as_bytes()))
        });
        let keep = self.max_tokens.map_or(usize::MAX, |n| n.saturating_sub(2));
        sorted.truncate(keep);
        self.vocabulary = [PADDING, UNKNOWN].map(String::from).to_vec();
        self.counts = vec![0, 0];
        for (token, count) in sorted {
            self.vocabulary.push(token);
            self.counts.push(count);
        }
        self.ids = self
            .vocabulary
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i as i64))
            .collect();
    }

    /// Fits on a corpus file's bytes, one text per line (`\n`; a final newline ends
    /// the last text). `path` is only used in errors and kept as the source.
    ///
    /// # Errors
    /// [`Error::BadUtf8`] with the line and byte of the first invalid byte; nothing
    /// is fitted then.
    pub fn adapt_corpus(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let texts = super::corpus::texts(path, bytes)?;
        self.adapt(texts);
        self.source = path.to_path_buf();
        Ok(())
    }

    /// `get_vocabulary()`: `""`, `[UNK]`, then the tokens in id order (empty before
    /// [`TextVectorization::adapt`]).
    pub fn vocabulary(&self) -> &[String] {
        &self.vocabulary
    }

    /// The id of `token` (`[UNK]`'s, 1, for a token not in the vocabulary).
    pub fn id(&self, token: &str) -> i64 {
        self.ids.get(token).copied().unwrap_or(1)
    }

    /// The ids of one text: ragged, or cut or padded (with 0, at the end) to
    /// `output_sequence_length`.
    pub fn encode_one(&self, text: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = Self::tokenize(text).iter().map(|t| self.id(t)).collect();
        if let Some(n) = self.output_sequence_length {
            ids.resize(n, 0);
        }
        ids
    }

    /// The ids of each text, as calling the layer on them does (with
    /// `ragged=True` when there is no `output_sequence_length`).
    pub fn encode<I, S>(&self, texts: I) -> Vec<Vec<i64>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        texts
            .into_iter()
            .map(|t| self.encode_one(t.as_ref()))
            .collect()
    }

    /// The vocabulary of the embedding table: row `i` is id `i`, row 0 (`""`) the
    /// padding row, row 1 (`[UNK]`) the OOV row, with the counts of the fitted
    /// texts.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for `max_tokens` below 2 (Keras refuses it too);
    /// [`Error::EmptyVocab`] before [`TextVectorization::adapt`].
    pub fn vocab(&self) -> Result<Vocab> {
        if let Some(n) = self.max_tokens.filter(|&n| n < 2) {
            return Err(Error::InvalidOption {
                option: "TextVectorization::max_tokens",
                message: format!(
                    "{n} leaves no room for the padding token \"\" and [UNK]; expected at least 2"
                ),
            });
        }
        if self.vocabulary.is_empty() {
            return Err(Error::EmptyVocab {
                path: self.source.clone(),
            });
        }
        Ok(Vocab::build(&self.source, self.vocabulary.clone(), None)?
            .oov(1)?
            .counts(self.counts.clone())?
            .kind(VocabKind::TextVectorization))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_seen_on_keras_3() {
        assert_eq!(
            TextVectorization::standardize("It's Über-cool! «x»"),
            "its Übercool «x»"
        );
        assert_eq!(
            TextVectorization::tokenize("a\u{b}b\u{c}c\rd\u{a0}e\u{2003}f\u{1c}g\t\th"),
            ["a", "b", "c", "d\u{a0}e\u{2003}f\u{1c}g", "h"]
        );
        let mut tv = TextVectorization::new().max_tokens(4);
        tv.adapt(["b a c a b", "c"]);
        // a, b, c all twice: ties by bytes descending; max_tokens counts "" and [UNK].
        assert_eq!(tv.vocabulary(), ["", "[UNK]", "c", "b"]);
        assert_eq!(tv.encode(["a b"]), [[1, 3]]);
    }

    #[test]
    fn vocab_errors() {
        assert!(matches!(
            TextVectorization::new().vocab(),
            Err(Error::EmptyVocab { .. })
        ));
        let mut tv = TextVectorization::new().max_tokens(1);
        tv.adapt(["a"]);
        assert!(matches!(tv.vocab(), Err(Error::InvalidOption { .. })));
        let mut tv = TextVectorization::new();
        tv.adapt([""]);
        assert_eq!(tv.vocab().unwrap().tokens(), ["", "[UNK]"]);
    }
}
