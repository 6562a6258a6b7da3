//! A corpus file: one text per line, the input of every fitter.

use std::path::Path;

use crate::error::{Error, Position, Result};

/// The texts of a corpus file's bytes, one per line (`\n`, or `\r\n`; a final
/// newline ends the last text, an empty line is an empty text, a UTF-8 byte-order
/// mark is skipped).
///
/// # Errors
/// [`Error::BadUtf8`] with the line and byte of the first invalid byte.
pub(crate) fn texts<'a>(path: &Path, bytes: &'a [u8]) -> Result<Vec<&'a str>> {
    let start = bytes.len() - crate::parse::text::strip_bom(bytes).len();
    let mut texts = Vec::new();
    if bytes.len() > start {
        let body = &bytes[start..];
        let body = body.strip_suffix(b"\n").unwrap_or(body);
        let mut offset = start;
        for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
            let text = raw.strip_suffix(b"\r").unwrap_or(raw);
            let text = std::str::from_utf8(text).map_err(|e| Error::BadUtf8 {
                path: path.to_path_buf(),
                pos: Position::line(i as u64 + 1, (offset + e.valid_up_to()) as u64),
                lossy: false,
            })?;
            texts.push(text);
            offset += raw.len() + 1;
        }
    }
    Ok(texts)
}

/// The rules by which [`Vocab::fit_corpus`](crate::Vocab::fit_corpus) makes a vocabulary of a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CorpusRules {
    /// Keras 2's `Tokenizer.fit_on_texts` (its default filters, lower case, split
    /// on spaces): row 0 padding, then the OOV row if any, then the words by count.
    #[default]
    KerasTokenizer,
    /// Keras 3's `TextVectorization.adapt`: `""` (padding) and `[UNK]` (OOV)
    /// first, then the words by count.
    TextVectorization,
}

impl super::Vocab {
    /// Fits a vocabulary on the corpus file at `path` (one text per line) by
    /// `rules`, with `options`' padding and OOV tokens (Keras 2 rules only: Keras 3
    /// fixes its own) and `max_words` (Keras' `num_words`, or `max_tokens`); the
    /// kind of `options` is not used. Each row remembers the line (and its first
    /// byte) of the first text it was seen in ([`Vocab::position`](super::Vocab::position)).
    ///
    /// ```
    /// use pretrained_vectors::vocab::{CorpusRules, VocabOptions};
    /// use pretrained_vectors::Vocab;
    /// let path = "fixtures/keras/corpus.txt";
    /// let v = Vocab::fit_corpus(path, CorpusRules::KerasTokenizer, &VocabOptions::new().oov("<unk>"))?;
    /// assert_eq!((v.get_padding(), v.get_oov()), (Some(0), Some(1)));
    /// let v = Vocab::fit_corpus(path, CorpusRules::TextVectorization, &VocabOptions::new().max_words(10))?;
    /// assert_eq!((v.len(), v.tokens()[1].as_str()), (10, "[UNK]"));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::BadUtf8`] at its line
    /// and byte; [`Error::NotForKind`] for a padding or OOV token with Keras 3's
    /// rules; [`Error::EmptyVocab`] when no text has a word; as
    /// [`TextVectorization::vocab`](super::TextVectorization::vocab) and
    /// [`KerasTokenizer::vocab`](super::KerasTokenizer::vocab).
    pub fn fit_corpus(
        path: impl AsRef<Path>,
        rules: CorpusRules,
        options: &super::VocabOptions,
    ) -> Result<super::Vocab> {
        use super::{VocabKind, VocabSetting};
        let path = path.as_ref();
        let bytes = crate::source::read_whole(path)?;
        Ok(match rules {
            CorpusRules::TextVectorization => {
                for (setting, given) in [
                    (VocabSetting::Padding, options.get_padding()),
                    (VocabSetting::Oov, options.get_oov()),
                ] {
                    if given.is_some() {
                        return Err(Error::NotForKind {
                            path: path.to_path_buf(),
                            setting,
                            kind: VocabKind::TextVectorization,
                        });
                    }
                }
                let mut tv = super::TextVectorization::new();
                if let Some(n) = options.get_max_words() {
                    tv = tv.max_tokens(n);
                }
                tv.adapt_corpus(path, &bytes)?;
                with_first_lines(path, &bytes, tv.vocab()?, |t| {
                    super::TextVectorization::tokenize(t)
                })?
            }
            CorpusRules::KerasTokenizer => {
                let mut tok = super::KerasTokenizer::new();
                if let Some(o) = options.get_oov() {
                    tok = tok.oov_token(o);
                }
                if let Some(n) = options.get_max_words() {
                    tok = tok.num_words(n);
                }
                tok.fit_on_corpus(path, &bytes)?;
                if tok.word_index().is_empty() {
                    return Err(Error::EmptyVocab {
                        path: path.to_path_buf(),
                    });
                }
                let pad = options.get_padding();
                let vocab = tok.vocab(pad.unwrap_or(super::keras::DEFAULT_PADDING_TOKEN))?;
                with_first_lines(path, &bytes, vocab, |t| tok.tokenize(t))?
            }
        })
    }
}

/// Records, for each row of `vocab`, the line (and its first byte) of the first
/// text of the corpus `bytes` that `tokenize` (the rules that made `vocab`) finds
/// it in; rows no text holds (reserved rows) have no place.
fn with_first_lines(
    path: &Path,
    bytes: &[u8],
    vocab: super::Vocab,
    tokenize: impl Fn(&str) -> Vec<String>,
) -> Result<super::Vocab> {
    let mut places = vec![None; vocab.len()];
    let mut left = (0..vocab.len()).filter(|&r| !vocab.is_reserved(r)).count();
    let mut offset = bytes.len() - crate::parse::text::strip_bom(bytes).len();
    for (i, text) in texts(path, bytes)?.into_iter().enumerate() {
        if left == 0 {
            break;
        }
        let at = Position::line(i as u64 + 1, offset as u64);
        for word in tokenize(text) {
            if let Some(row) = vocab.get(&word).filter(|&r| places[r].is_none()) {
                places[row] = Some(at);
                left = left.saturating_sub(1);
            }
        }
        offset += raw_len(bytes, offset);
    }
    Ok(vocab.places(path, places))
}

/// The length of the line starting at `offset`, its `\n` included.
fn raw_len(bytes: &[u8], offset: usize) -> usize {
    memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len() - offset, |i| i + 1)
}
