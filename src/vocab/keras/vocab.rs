//! The [`Vocab`] of an embedding table for a Keras tokenizer: row `i` is Keras
//! index `i`.

use super::KerasTokenizer;
#[cfg(doc)]
use super::DEFAULT_PADDING_TOKEN;
use crate::error::{Error, JsonFault, Result};
use crate::vocab::{TokenFault, Vocab};

impl KerasTokenizer {
    /// The vocabulary of the embedding table for this tokenizer: row `i` is Keras
    /// index `i`, row 0 is the padding row named `padding_token` (Keras has no
    /// token for it; [`DEFAULT_PADDING_TOKEN`] is a safe name), the OOV token's row
    /// is reserved as the OOV row, and with `num_words = n` only rows `0..n` are
    /// kept: the ids `texts_to_sequences` can produce (and the OOV row, should
    /// it be past them). Counts come from `word_counts` when it is known (0 for
    /// padding, and for the OOV token unless it also occurs in the texts).
    ///
    /// An OOV token that is also a word of the texts is what Keras allows: its
    /// `word_index` then gives the word its frequency rank, leaves index 1 unused,
    /// and `texts_to_sequences` encodes unknown words with the word's index. The
    /// table follows: that row is the OOV row (initialised as the OOV row, since
    /// unknown words share it), and row 1 is reserved as the unused row
    /// ([`Vocab::unused`]), named `<unused>` (or `<unused-2>`, ... if that is
    /// a word or `padding_token`).
    ///
    /// ```
    /// use pretrained_vectors::vocab::KerasTokenizer;
    /// let mut tok = KerasTokenizer::new().oov_token("the");
    /// tok.fit_on_texts(["the cat and the dog"]);
    /// assert_eq!(tok.texts_to_sequences(["the bird"]), vec![vec![2, 2]]);
    /// let vocab = tok.vocab("<pad>")?;
    /// assert_eq!(vocab.tokens(), ["<pad>", "<unused>", "the", "cat", "and", "dog"]);
    /// assert_eq!((vocab.get_padding(), vocab.get_unused(), vocab.get_oov()), (Some(0), Some(1), Some(2)));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// - [`Error::EmptyVocab`] when the tokenizer has no words;
    /// - [`Error::InvalidOption`] when `padding_token` is also a word;
    /// - [`Error::JsonShape`] naming the word, for indices with a gap
    ///   ([`JsonFault::IndexGap`]: Keras' `word_index` never has one, except
    ///   index 1 as above) or a word that a one-token-per-line file cannot hold
    ///   ([`JsonFault::BadToken`]: a line break, a leading byte-order mark);
    /// - [`Error::BadToken`] for an empty `padding_token`.
    pub fn vocab(&self, padding_token: &str) -> Result<Vocab> {
        if self.word_index.is_empty() {
            return Err(Error::EmptyVocab {
                path: self.source.clone(),
            });
        }
        if let Some(i) = self.index_of(padding_token) {
            return Err(Error::InvalidOption {
                option: "padding token",
                message: format!(
                    "{padding_token:?} is already the word of index {i}; choose another name for row 0"
                ),
            });
        }
        let mut by_index: Vec<&(String, i64)> = self.word_index.iter().collect();
        by_index.sort_by_key(|(_, i)| *i);
        let oov = self.oov_token.as_deref().and_then(|t| self.index_of(t));
        // Keras' state when its OOV token is also a word: no word has index 1.
        let unused = oov.is_some_and(|i| i > 1) && by_index.first().is_some_and(|(_, i)| *i > 1);
        let all = by_index.len() + 1 + usize::from(unused);
        let rows = match self.num_words {
            Some(n) if n > 0 => {
                // Keras maps words at or past num_words to the OOV index: keep its row.
                let oov_rows = oov.map_or(0, |i| {
                    usize::try_from(i).unwrap_or(usize::MAX).saturating_add(1)
                });
                n.max(oov_rows).min(all)
            }
            _ => all,
        };
        let mut tokens = Vec::with_capacity(rows);
        tokens.push(padding_token.to_string());
        if unused {
            tokens.push(self.unused_name(padding_token));
        }
        for (word, index) in by_index.into_iter().take(rows - tokens.len()) {
            if *index != tokens.len() as i64 {
                let due = tokens.len() as u64;
                return Err(self.shape_error(word, JsonFault::IndexGap { index: *index, due }));
            }
            if let Some(fault @ (TokenFault::LineBreak | TokenFault::LeadingBom)) =
                TokenFault::of(word)
            {
                return Err(self.shape_error(
                    word,
                    JsonFault::BadToken {
                        token: word.clone(),
                        id: *index,
                        fault,
                    },
                ));
            }
            tokens.push(word.clone());
        }
        let mut vocab = Vocab::build(&self.source, tokens, None)?.padding(0)?;
        if unused {
            vocab = vocab.unused(1)?;
        }
        if let Some(oov) = self.oov_token.as_deref().and_then(|t| vocab.get(t)) {
            vocab = vocab.oov(oov)?;
        }
        if !self.word_counts.items.is_empty() {
            let counts = vocab
                .tokens()
                .iter()
                .enumerate()
                .map(|(row, w)| {
                    if row == 0 {
                        0
                    } else {
                        self.word_counts.get(w).unwrap_or(0)
                    }
                })
                .collect();
            let counts: Vec<u64> = counts;
            // Words past num_words have no row; Keras encodes them as OOV, so they
            // are occurrences no pretrained row covers.
            let all: u64 = self.word_counts.items.iter().map(|(_, c)| c).sum();
            let listed: u64 = counts.iter().sum();
            vocab = vocab
                .counts(counts)?
                .unlisted_count(all.saturating_sub(listed));
        }
        Ok(vocab)
    }

    /// The name of the unused row 1: `<unused>`, or `<unused-2>`, ... when that is
    /// taken.
    fn unused_name(&self, padding_token: &str) -> String {
        (1..)
            .map(|k| match k {
                1 => "<unused>".to_string(),
                k => format!("<unused-{k}>"),
            })
            .find(|name| name != padding_token && self.index_of(name).is_none())
            .expect("a free name among infinitely many")
    }

    /// A [`Error::JsonShape`] about `word_index[word]`.
    fn shape_error(&self, word: &str, fault: JsonFault) -> Error {
        Error::json_shape(&self.source, entry_key(self.index_key, word), fault)
    }
}

/// Names the entry `word` of the JSON object at `prefix` (`prefix["word"]`, or
/// `"word"` for a top-level object), for errors.
pub(in crate::vocab) fn entry_key(prefix: &str, word: &str) -> String {
    let quoted = serde_json::to_string(word).unwrap_or_else(|_| format!("{word:?}"));
    if prefix.is_empty() {
        quoted
    } else {
        format!("{prefix}[{quoted}]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oov_token_found_in_texts_leaves_a_gap_like_keras() {
        let mut tok = KerasTokenizer::new().oov_token("unk");
        tok.fit_on_texts(["a a unk"]);
        // Python: dict(zip(["unk", "a", "unk"], [1, 2, 3])) == {"unk": 3, "a": 2}
        assert_eq!(tok.index_of("unk"), Some(3));
        assert_eq!(tok.texts_to_sequences(["b a"]), [[3, 2]]);
        let v = tok.vocab("<unused>").unwrap();
        assert_eq!(v.tokens(), ["<unused>", "<unused-2>", "a", "unk"]);
        assert_eq!((v.get_unused(), v.get_oov()), (Some(1), Some(3)));
        assert_eq!(v.get_counts(), Some(&[0, 0, 2, 1][..]));
        // Any other gap is not Keras' and stays an error.
        let mut gapped = tok.clone();
        gapped.oov_token = None;
        let e = gapped.vocab("<pad>").unwrap_err();
        let gap = JsonFault::IndexGap { index: 2, due: 1 };
        assert!(
            matches!(&e, Error::JsonShape { key, fault, .. } if key.contains("\"a\"") && **fault == gap),
            "{e}"
        );
    }

    #[test]
    fn padding_name_clash_and_empty_tokenizer() {
        let mut tok = KerasTokenizer::new().filters("");
        assert!(matches!(tok.vocab("<pad>"), Err(Error::EmptyVocab { .. })));
        tok.fit_on_texts(["<pad> x"]);
        assert!(matches!(
            tok.vocab("<pad>"),
            Err(Error::InvalidOption { .. })
        ));
        assert_eq!(
            tok.vocab("[PAD]").unwrap().tokens(),
            ["[PAD]", "<pad>", "x"]
        );
    }

    #[test]
    fn num_words_one_keeps_the_oov_row() {
        let mut tok = KerasTokenizer::new().num_words(1).oov_token("?");
        tok.fit_on_texts(["a b"]);
        assert_eq!(tok.texts_to_sequences(["a c"]), [[1, 1]]);
        assert_eq!(tok.vocab("<pad>").unwrap().tokens(), ["<pad>", "?"]);
        let mut tok = KerasTokenizer::new().num_words(1);
        tok.fit_on_texts(["a b"]);
        assert_eq!(tok.vocab("<pad>").unwrap().tokens(), ["<pad>"]);
    }
}
