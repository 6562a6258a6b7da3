//! The vocabulary of a plain conversion: a vector file's own words, in file
//! order, after optional padding and OOV rows.

use std::path::Path;

use super::{TokenFault, Vocab};
use crate::error::{Error, Position, Result};
use crate::read::ReadOptions;
use crate::vectors::{hash_word, Vectors, WordIndex};
use crate::write::{OutputFormat, Words};

/// How a conversion makes its vocabulary from a vector file's own words: a
/// padding row and an OOV row first (each optional, in that order), then the
/// file's words in file order, at most [`max_rows`](Self::max_rows) rows in all.
/// [`Aligner::convert`](crate::Aligner::convert) builds the table.
///
/// ```
/// use pretrained_vectors::vocab::PlainVocab;
/// use pretrained_vectors::{Aligner, ReadOptions, RowOrigin};
/// let plain = PlainVocab::new().padding("<pad>").max_rows(101);
/// let path = "fixtures/glove.6B.50d.20k.txt.gz";
/// let vectors = plain.read(path, &ReadOptions::new())?;
/// let table = Aligner::new().convert(path, vectors, &plain)?.table;
/// assert_eq!(table.rows(), 101);
/// assert_eq!(table.vocab().tokens()[..3], ["<pad>", "the", ","]);
/// assert_eq!(table.origins()[0], RowOrigin::Padding);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainVocab {
    padding: Option<String>,
    oov: Option<String>,
    max_rows: Option<usize>,
    output: Option<OutputFormat>,
}

impl PlainVocab {
    /// The file's words alone, all of them.
    pub fn new() -> Self {
        Self::default()
    }

    /// A padding row named `token` first (zeros).
    pub fn padding(mut self, token: impl Into<String>) -> Self {
        self.padding = Some(token.into());
        self
    }

    /// An OOV row named `token` (after the padding row, if any).
    pub fn oov(mut self, token: impl Into<String>) -> Self {
        self.oov = Some(token.into());
        self
    }

    /// At most `n` rows in all, reserved rows included (default: every word).
    pub fn max_rows(mut self, n: usize) -> Self {
        self.max_rows = Some(n);
        self
    }

    /// The table will be written as `format`: [`read`](Self::read) refuses, at its
    /// line and byte (or record), the first word of the file that `format` cannot
    /// hold (see [`check_words`](crate::write::check_words)), and the table's
    /// vocabulary records that its words were checked, so that
    /// [`EmbeddingTable::add_outputs`](crate::EmbeddingTable::add_outputs) does
    /// not check them again. Default: the words are checked against the token-list
    /// rule alone, when the vocabulary is built.
    pub fn output(mut self, format: OutputFormat) -> Self {
        self.output = Some(format);
        self
    }

    /// The reserved rows' names, in row order, with what they are.
    fn reserved(&self) -> Vec<(&'static str, &str)> {
        [("padding", &self.padding), ("OOV", &self.oov)]
            .into_iter()
            .filter_map(|(what, name)| name.as_deref().map(|n| (what, n)))
            .collect()
    }

    /// Checks the reserved names and the row limit before any reading.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a name a token list cannot hold
    /// ([`TokenFault`]), the same name twice, or a limit that leaves no row.
    pub fn check(&self) -> Result<()> {
        let reserved = self.reserved();
        for (what, name) in &reserved {
            if let Some(fault) = TokenFault::of(name) {
                return Err(Error::InvalidOption {
                    option: "reserved token",
                    message: format!(
                        "the {what} token {name:?} {}; expected a token of at least one \
                         character, without line breaks",
                        fault.describe()
                    ),
                });
            }
        }
        if reserved.len() == 2 && reserved[0].1 == reserved[1].1 {
            return Err(Error::InvalidOption {
                option: "reserved tokens",
                message: format!(
                    "the padding and OOV tokens are both {:?}; expected two different names",
                    reserved[0].1
                ),
            });
        }
        if self.max_rows == Some(0) && reserved.is_empty() {
            return Err(Error::InvalidOption {
                option: "row limit",
                message: "0 rows leaves no row; expected at least 1".into(),
            });
        }
        Ok(())
    }

    /// How many of the file's rows the table keeps, at most (`None`: all).
    fn words_kept(&self) -> Option<usize> {
        self.max_rows
            .map(|n| n.saturating_sub(self.reserved().len()))
    }

    /// Reads the vectors a conversion needs from `path`: with a row limit, only as
    /// many file rows as the table keeps (read again further, in the rare case
    /// that repeated words among them leave it short), else the whole file.
    ///
    /// # Errors
    /// As [`check`](Self::check) and [`ReadOptions::read`].
    pub fn read(&self, path: impl AsRef<Path>, options: &ReadOptions) -> Result<Vectors> {
        let path = path.as_ref();
        self.check()?;
        let rule = self.output.map(Words::of);
        if let Some(keep) = self.words_kept() {
            let mut limit = keep as u64;
            for _ in 0..4 {
                let v = options.clone().max_rows(limit).read_words_for(path, rule)?;
                if v.len() >= keep || v.info().file_rows < limit {
                    return Ok(v);
                }
                limit += (keep - v.len()) as u64;
            }
        }
        options.read_words_for(path, rule)
    }

    /// The vocabulary of `words` (the file's words, in file order, no repeats) and
    /// `index` (theirs): the words are moved in, not copied, and their index is
    /// kept when no reserved row shifts the rows.
    ///
    /// # Errors
    /// As [`check`](Self::check); [`Error::InvalidOption`] when a reserved name is
    /// also a word of the file, or the output format cannot hold it;
    /// [`Error::BadToken`] (naming `path`, the word's number in the file as an
    /// entry) for a word a token list (or the output format) cannot hold. Words
    /// `checked` by the rule of the output while they were read are not checked
    /// again.
    pub(crate) fn build(
        &self,
        path: &Path,
        mut words: Vec<String>,
        index: WordIndex,
        checked: Option<Words>,
    ) -> Result<Vocab> {
        self.check()?;
        let rule = self.output.map(Words::of);
        let reserved = self.reserved();
        if let Some(rule) = rule {
            for (what, name) in &reserved {
                if let Some(reason) = rule.refuses(name) {
                    return Err(Error::InvalidOption {
                        option: "reserved token",
                        message: format!(
                            "the {what} token {name:?} cannot be a word of a {} file: {reason}",
                            self.output.map_or("", OutputFormat::extension)
                        ),
                    });
                }
            }
        }
        let keep = self
            .words_kept()
            .map_or(words.len(), |k| k.min(words.len()));
        for (what, name) in &reserved {
            if let Some(row) = index.get(&words, name) {
                return Err(Error::InvalidOption {
                    option: "reserved token",
                    message: format!(
                        "the {what} token {name:?} is also word {} of {}; its row would be \
                         ambiguous, expected another name",
                        row + 1,
                        path.display()
                    ),
                });
            }
        }
        // Words checked by any output's rule were checked by the rule of every
        // token too.
        let unchecked = if checked.is_none() { keep } else { 0 };
        if let Some((row, word, fault)) =
            words[..unchecked].iter().enumerate().find_map(|(row, w)| {
                let fault = TokenFault::of(w).filter(|f| *f != TokenFault::Empty)?;
                Some((row, w, fault))
            })
        {
            return Err(Error::BadToken {
                path: path.to_path_buf(),
                pos: Position::entry(row as u64 + 1),
                token: word.as_str().into(),
                reason: match fault {
                    TokenFault::LeadingBom => {
                        "starts with a byte-order mark U+FEFF, which no output can store as a \
                         word (readers drop it); fix or remove that row of the vector file"
                    }
                    _ => {
                        "contains a line break, which no output can store as a word (every \
                         format holds one word per line, the token list beside an .npy too); \
                         fix or remove that row of the vector file"
                    }
                },
            });
        }
        if let Some(rule) = rule.filter(|&r| checked != Some(r)) {
            if let Some((row, word, reason)) = words[..keep]
                .iter()
                .enumerate()
                .find_map(|(row, w)| Some((row, w, rule.refuses(w)?)))
            {
                return Err(Error::BadToken {
                    path: path.to_path_buf(),
                    pos: Position::entry(row as u64 + 1),
                    token: word.as_str().into(),
                    reason,
                });
            }
        }
        let index = if reserved.is_empty() && keep == words.len() {
            index
        } else {
            words.truncate(keep);
            let mut tokens: Vec<String> = Vec::with_capacity(reserved.len() + keep);
            tokens.extend(reserved.iter().map(|(_, n)| n.to_string()));
            tokens.append(&mut words);
            words = tokens;
            let mut index = WordIndex::default();
            index.reserve(words.len(), &[]);
            for (row, w) in words.iter().enumerate() {
                // The words are distinct, and no reserved name is one of them.
                let _ = index.insert(&words[..row], hash_word(w), w);
            }
            index
        };
        let mut vocab =
            Vocab::from_distinct(path, words, index, checked.is_some())?.checked_for(rule);
        let mut row = 0;
        if self.padding.is_some() {
            vocab = vocab.padding(row)?;
            row += 1;
        }
        if self.oov.is_some() {
            vocab = vocab.oov(row)?;
        }
        Ok(vocab)
    }
}
