//! Vocabularies: the ordered tokens whose rows an embedding table holds.
//!
//! A [`Vocab`] maps token -> row and row -> token, may carry a count per token, and
//! may reserve a padding row and an out-of-vocabulary (OOV) row. Row order is the
//! user's: the table built for a vocabulary has row `i` for token `i`.
//!
//! Where vocabularies come from:
//! - a vocabulary file of any kind ([`Vocab::read`], [`VocabKind`]), among them a
//!   token list, one token per line; [`write_token_list`](crate::write::write_token_list)
//!   writes that format, the sidecar of a saved table;
//! - a Keras tokenizer ([`KerasTokenizer`]): its `to_json()` document or a bare
//!   `word_index` object, or fitted here on a corpus by Keras' rules; then
//!   [`KerasTokenizer::vocab`] gives the table's rows in Keras' index order;
//! - any list of tokens ([`Vocab::new`]).
//!
//! Token ids are `i64` everywhere: [`KerasTokenizer::texts_to_sequences`] gives
//! `Vec<Vec<i64>>`, [`pad_sequences`] an `Array2<i64>`.
//!
//! ```
//! use pretrained_vectors::Vocab;
//! let v = Vocab::new(vec!["<pad>".into(), "<unk>".into(), "the".into()])?
//!     .padding(0)?
//!     .oov(1)?;
//! assert_eq!(v.get("the"), Some(2));
//! assert_eq!(v.token(1), Some("<unk>"));
//! assert!(v.is_reserved(0));
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```

use std::path::{Path, PathBuf};

use crate::error::{Dims, Error, Position, Result};
use crate::vectors::{hash_word, WordIndex};
use crate::write::{OutputFormat, Words};

mod corpus;
mod detect;
pub mod hf;
pub mod keras;
mod list;
pub mod pad;
mod places;
mod plain;
mod text_vectorization;
mod token;

pub use corpus::CorpusRules;
pub use detect::{detect_kind, VocabKind, VocabOptions, VocabSetting};
pub use hf::PieceKind;
pub use keras::KerasTokenizer;
pub(crate) use list::TokenListOptions;
pub use pad::{pad_sequences, PadOptions, Side};
pub use plain::PlainVocab;
pub use text_vectorization::TextVectorization;
pub use token::TokenFault;

/// Ordered, unique tokens with optional counts and reserved rows.
#[derive(Debug, Clone)]
pub struct Vocab {
    tokens: Vec<String>,
    /// Token -> row, over `tokens` (the tokens are stored once, not copied here).
    index: WordIndex,
    counts: Option<Vec<u64>>,
    unlisted: u64,
    padding: Option<usize>,
    oov: Option<usize>,
    /// Reserved rows of special tokens (`[CLS]`, `<s>`...), sorted.
    specials: Vec<usize>,
    /// What each row is as a piece, when the source is a subword tokenizer.
    pieces: Option<Vec<PieceKind>>,
    /// Per row, the word form looked up in vector files when it differs from the
    /// token (`##ing` -> `ing`); `Some("")` for a piece that has no word form.
    forms: Option<Vec<Option<Box<str>>>>,
    kind: Option<VocabKind>,
    unused: Option<usize>,
    /// The file the tokens were read from and each row's place in it.
    source: Option<std::sync::Arc<TokenSource>>,
    /// The rule of an output format every token was checked against
    /// ([`Vocab::check_output`]): a proof carried for the writers, not data.
    fits: Option<Words>,
}

/// Where a vocabulary's rows came from: the file, and each row's place in it.
#[derive(Debug)]
struct TokenSource {
    path: PathBuf,
    places: Vec<Option<Position>>,
}

/// Equal vocabularies have the same tokens, counts and reserved rows (the index
/// follows from the tokens).
impl PartialEq for Vocab {
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens
            && self.counts == other.counts
            && self.unlisted == other.unlisted
            && self.padding == other.padding
            && self.oov == other.oov
            && self.specials == other.specials
            && self.pieces == other.pieces
            && self.forms == other.forms
            && self.kind == other.kind
            && self.unused == other.unused
    }
}

impl Vocab {
    /// A vocabulary of `tokens` in row order.
    ///
    /// # Errors
    /// [`Error::EmptyVocab`] for no tokens, [`Error::DuplicateToken`] for a repeat,
    /// [`Error::BadToken`] for a token that is empty or holds a line break (it could
    /// not be written to the one-token-per-line sidecar). Lines in these errors are
    /// rows counted from 1.
    ///
    /// One empty token is allowed: the first, which is then the padding row. That is
    /// Keras 3's layout (`TextVectorization.get_vocabulary()` starts with `""`, the
    /// mask token, then `[UNK]`); its token list starts with an empty line.
    pub fn new(tokens: Vec<String>) -> Result<Self> {
        Self::build(Path::new(""), tokens, None)
    }

    /// Builds and checks a vocabulary; errors name `path` and the place of row `r`:
    /// line `r + 1` starting at byte `starts[r]` when the tokens are the lines of a
    /// file, else entry `r + 1` (a list in memory, or parsed from JSON).
    pub(crate) fn build(path: &Path, tokens: Vec<String>, starts: Option<&[u64]>) -> Result<Self> {
        if tokens.is_empty() {
            return Err(Error::EmptyVocab {
                path: path.to_path_buf(),
            });
        }
        let mut index = WordIndex::default();
        index.reserve(tokens.len(), &[]);
        let place = |row: usize| match starts.and_then(|s| s.get(row)) {
            Some(&byte) => Position::line(row as u64 + 1, byte),
            None => Position::entry(row as u64 + 1),
        };
        for (row, token) in tokens.iter().enumerate() {
            if let Some(fault) = TokenFault::at_row(row, token) {
                return Err(Error::BadToken {
                    path: path.to_path_buf(),
                    pos: place(row),
                    token: token.as_str().into(),
                    reason: fault.reason(),
                });
            }
            if let Err(first) = index.insert(&tokens[..row], hash_word(token), token) {
                return Err(Error::DuplicateToken {
                    path: path.to_path_buf(),
                    pos: place(row),
                    token: token.clone(),
                    first: Box::new(place(first)),
                });
            }
        }
        Ok(Self::assemble(tokens, index))
    }

    /// A vocabulary of `tokens` known to be distinct, with their `index` (built
    /// over the same tokens): the tokens are checked by the rule of every token,
    /// not hashed again (nor checked, when `checked` says the caller did). Errors
    /// name `path` and row `r` as entry `r + 1`.
    pub(crate) fn from_distinct(
        path: &Path,
        tokens: Vec<String>,
        index: WordIndex,
        checked: bool,
    ) -> Result<Self> {
        if tokens.is_empty() {
            return Err(Error::EmptyVocab {
                path: path.to_path_buf(),
            });
        }
        let unchecked = if checked { &[][..] } else { &tokens[..] };
        if let Some((row, fault)) = unchecked
            .iter()
            .enumerate()
            .find_map(|(row, t)| TokenFault::at_row(row, t).map(|f| (row, f)))
        {
            return Err(Error::BadToken {
                path: path.to_path_buf(),
                pos: Position::entry(row as u64 + 1),
                token: tokens[row].as_str().into(),
                reason: fault.reason(),
            });
        }
        Ok(Self::assemble(tokens, index))
    }

    fn assemble(tokens: Vec<String>, index: WordIndex) -> Self {
        let padding = tokens[0].is_empty().then_some(0);
        Vocab {
            tokens,
            index,
            counts: None,
            unlisted: 0,
            padding,
            oov: None,
            specials: Vec::new(),
            pieces: None,
            forms: None,
            kind: None,
            unused: None,
            source: None,
            fits: None,
        }
    }

    /// Records the file the tokens came from and where each row is in it
    /// (`places[r]` for row `r`: a line and its first byte, the byte of a JSON key,
    /// a record). Readers call this; errors about a row then name its place.
    pub(crate) fn places(mut self, path: &Path, places: Vec<Option<Position>>) -> Self {
        debug_assert_eq!(places.len(), self.tokens.len(), "one place per row");
        self.source = Some(std::sync::Arc::new(TokenSource {
            path: path.to_path_buf(),
            places,
        }));
        self
    }

    /// The file the tokens were read from, when a reader recorded it.
    pub fn source_path(&self) -> Option<&Path> {
        self.source.as_deref().map(|s| s.path.as_path())
    }

    /// Where row `row` came from in [`source_path`](Self::source_path): a line and
    /// its first byte for the lines of a token list or a corpus, the line and byte
    /// of the key (or array element) for JSON; `None` for a row that no reader
    /// placed (a reserved row added by the library, a vocabulary built in memory).
    pub fn position(&self, row: usize) -> Option<Position> {
        self.source.as_deref()?.places.get(row).copied().flatten()
    }

    /// Checks that a table file of `format` can hold every token (for npy and
    /// safetensors: their token list), before any vector is read, and records it:
    /// writers given this vocabulary's table do not check the tokens again
    /// ([`EmbeddingTable::add_outputs`](crate::EmbeddingTable::add_outputs)).
    ///
    /// ```
    /// use pretrained_vectors::vocab::VocabOptions;
    /// use pretrained_vectors::write::OutputFormat;
    /// use pretrained_vectors::{Error, Position, Vocab};
    /// use std::path::Path;
    /// let v = Vocab::from_bytes(Path::new("v.txt"), b"the\nnew york\n", &VocabOptions::new())?;
    /// let v = v.check_output(OutputFormat::GloveText)?; // GloVe lines hold inner spaces
    /// let e = v.check_output(OutputFormat::Word2vecText).unwrap_err();
    /// assert!(matches!(e, Error::BadToken { pos, .. } if pos == Position::line(2, 4)), "{e}");
    /// assert!(e.to_string().starts_with("v.txt: line 2, byte 4"), "{e}");
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::BadToken`] for the first token the format cannot hold, naming the
    /// vocabulary's file and the token's place in it (its row as an entry number
    /// when it has no place), with a reason that says which formats can hold it.
    pub fn check_output(mut self, format: OutputFormat) -> Result<Self> {
        let rule = Words::of(format);
        if self.holds(format) {
            return Ok(self);
        }
        for (row, token) in self.tokens.iter().enumerate() {
            if let Err(Error::BadToken { token, reason, .. }) =
                crate::write::check_word(rule, row, token)
            {
                return Err(Error::BadToken {
                    path: self
                        .source_path()
                        .map(Path::to_path_buf)
                        .unwrap_or_default(),
                    pos: self
                        .position(row)
                        .unwrap_or(Position::entry(row as u64 + 1)),
                    token,
                    reason,
                });
            }
        }
        self.fits = Some(rule);
        Ok(self)
    }

    /// Rows whose token looks like a padding or OOV token of common tokenizers
    /// (`<pad>`, `[PAD]`, `<unk>`, `[UNK]`, `<oov>`..., ignoring ASCII case) while
    /// the vocabulary reserves no row of that kind, in a vocabulary whose kind has
    /// no reserved rows of its own (a token list, text or JSON, or one built in
    /// memory). Such a row is an ordinary one: most likely a reserved token that
    /// was not named ([`VocabOptions::padding`], [`VocabOptions::oov`]).
    ///
    /// ```
    /// use pretrained_vectors::vocab::{VocabOptions, VocabSetting};
    /// use pretrained_vectors::Vocab;
    /// use std::path::Path;
    /// let v = Vocab::from_bytes(Path::new("v.txt"), b"<PAD>\n<unk>\nthe\n", &VocabOptions::new())?;
    /// let l = v.lookalikes();
    /// assert_eq!((l[0].row, l[0].looks_like, l[0].line), (0, VocabSetting::Padding, Some(1)));
    /// assert_eq!((l[1].token.as_str(), l[1].looks_like), ("<unk>", VocabSetting::Oov));
    /// let v = Vocab::from_bytes(Path::new("v.txt"), b"<PAD>\n<unk>\nthe\n", &VocabOptions::new().oov("<unk>"))?;
    /// assert_eq!(v.lookalikes().len(), 1);
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn lookalikes(&self) -> Vec<crate::align::Lookalike> {
        if !matches!(
            self.kind,
            None | Some(VocabKind::TokenList | VocabKind::JsonList)
        ) {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (setting, reserved, looks) in [
            (VocabSetting::Padding, self.padding, PADDING_LIKE),
            (VocabSetting::Oov, self.oov, OOV_LIKE),
        ] {
            if reserved.is_some() {
                continue;
            }
            for (row, token) in self.tokens.iter().enumerate() {
                // Every look-alike opens with `<` or `[`: most tokens fail that first.
                let bracketed = matches!(token.as_bytes().first(), Some(b'<' | b'['));
                if bracketed
                    && !self.is_reserved(row)
                    && looks.iter().any(|l| token.eq_ignore_ascii_case(l))
                {
                    out.push(crate::align::Lookalike {
                        token: token.clone(),
                        row,
                        looks_like: setting,
                        line: self.position(row).and_then(|p| p.line),
                    });
                }
            }
        }
        out
    }

    /// Whether every token is known to meet the rule of `format`: always for the
    /// token list of npy and safetensors (a vocabulary's tokens follow the rule of
    /// every token, [`TokenFault`]), else when [`check_output`](Self::check_output)
    /// or the reader of a plain conversion checked them.
    pub(crate) fn holds(&self, format: OutputFormat) -> bool {
        let rule = Words::of(format);
        rule == Words::TokenList || self.fits == Some(rule)
    }

    /// Records that every token meets `rule` (checked by the caller).
    pub(crate) fn checked_for(mut self, rule: Option<Words>) -> Self {
        self.fits = rule;
        self
    }

    /// Attaches a count per token (same order as the tokens).
    ///
    /// # Errors
    /// [`Error::Shape`] when the lengths differ.
    pub fn counts(mut self, counts: Vec<u64>) -> Result<Self> {
        if counts.len() != self.tokens.len() {
            return Err(Error::Shape {
                what: "vocabulary counts",
                expected: Dims::count(self.tokens.len(), "counts"),
                found: Dims::count(counts.len(), "counts"),
            });
        }
        self.counts = Some(counts);
        Ok(self)
    }

    /// Reserves `row` as the padding row (zeros in a table, never trained).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the row does not exist or is the OOV row.
    pub fn padding(mut self, row: usize) -> Result<Self> {
        self.check_reserved("padding row", row, [self.oov, self.unused])?;
        self.padding = Some(row);
        self.specials.retain(|&r| r != row);
        Ok(self)
    }

    /// Reserves `row` as the out-of-vocabulary row.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the row does not exist or is the padding row.
    pub fn oov(mut self, row: usize) -> Result<Self> {
        self.check_reserved("OOV row", row, [self.padding, self.unused])?;
        self.oov = Some(row);
        self.specials.retain(|&r| r != row);
        Ok(self)
    }

    /// Reserves `row` as a row that no token id maps to: Keras leaves index 1 so
    /// when its OOV token is also a word of the texts (see
    /// [`KerasTokenizer::vocab`]). Zeros in a table, like padding, and never
    /// looked up in a vector file.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when the row does not exist or is the padding or
    /// the OOV row.
    pub fn unused(mut self, row: usize) -> Result<Self> {
        self.check_reserved("unused row", row, [self.padding, self.oov])?;
        self.unused = Some(row);
        self.specials.retain(|&r| r != row);
        Ok(self)
    }

    fn check_reserved(
        &self,
        what: &'static str,
        row: usize,
        others: [Option<usize>; 2],
    ) -> Result<()> {
        if row >= self.tokens.len() {
            return Err(Error::InvalidOption {
                option: what,
                message: format!("row {row} is past the {} rows", self.tokens.len()),
            });
        }
        if others.contains(&Some(row)) {
            return Err(Error::InvalidOption {
                option: what,
                message: format!("row {row} is already reserved (padding, OOV or unused)"),
            });
        }
        Ok(())
    }

    /// Number of rows (tokens, reserved ones included).
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Always false: a vocabulary has at least one token.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The tokens in row order.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The token of `row`.
    pub fn token(&self, row: usize) -> Option<&str> {
        self.tokens.get(row).map(String::as_str)
    }

    /// The row of `token`.
    pub fn get(&self, token: &str) -> Option<usize> {
        self.index.get(&self.tokens, token)
    }

    /// Records `n` occurrences, counted by the vocabulary's source, of words that
    /// have no row: Keras' words at or past `num_words`, which its tokenizer
    /// encodes as the OOV id (or drops). The aligner's token coverage counts them
    /// as occurrences not covered by the file. Default 0.
    pub fn unlisted_count(mut self, n: u64) -> Self {
        self.unlisted = n;
        self
    }

    /// Occurrences of words without a row (see [`Vocab::unlisted_count`]).
    pub fn get_unlisted_count(&self) -> u64 {
        self.unlisted
    }

    /// Counts per token, when the source had them.
    pub fn get_counts(&self) -> Option<&[u64]> {
        self.counts.as_deref()
    }

    /// The padding row, if reserved.
    pub fn get_padding(&self) -> Option<usize> {
        self.padding
    }

    /// The OOV row, if reserved.
    pub fn get_oov(&self) -> Option<usize> {
        self.oov
    }

    /// Reserves the rows of special tokens (`[CLS]`, `[SEP]`, `<s>`...): they are
    /// not looked up in vector files, and the aligner initialises them as it does
    /// the OOV row unless told otherwise ([`Aligner::special`](crate::Aligner::special)).
    /// Rows that are already the padding or OOV row are skipped.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for a row past the end.
    pub fn specials(mut self, rows: impl IntoIterator<Item = usize>) -> Result<Self> {
        for row in rows {
            self.check_reserved("special row", row, [None, None])?;
            if ![self.padding, self.oov, self.unused].contains(&Some(row)) {
                self.specials.push(row);
            }
        }
        self.specials.sort_unstable();
        self.specials.dedup();
        Ok(self)
    }

    /// Sets each row's piece kind and the word form to look up in vector files
    /// (`None`: the token itself; `Some("")`: nothing to look up). Readers of
    /// subword vocabularies ([`hf`]) call this; see [`PieceKind`].
    ///
    /// # Errors
    /// [`Error::Shape`] when the lengths differ from the rows.
    pub fn pieces(mut self, kinds: Vec<PieceKind>, forms: Vec<Option<Box<str>>>) -> Result<Self> {
        if kinds.len() != self.tokens.len() || forms.len() != self.tokens.len() {
            let (what, n) = if kinds.len() != self.tokens.len() {
                ("vocabulary piece kinds", kinds.len())
            } else {
                ("vocabulary piece forms", forms.len())
            };
            return Err(Error::Shape {
                what,
                expected: Dims::count(self.tokens.len(), "pieces (one per token)"),
                found: Dims::count(n, "pieces"),
            });
        }
        self.pieces = Some(kinds);
        self.forms = Some(forms);
        Ok(self)
    }

    /// Names the kind of source the vocabulary was read from (for reports).
    pub fn kind(mut self, kind: VocabKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// The unused row, if reserved (see [`Vocab::unused`]).
    pub fn get_unused(&self) -> Option<usize> {
        self.unused
    }

    /// Whether `row` is reserved: the padding, the OOV, the unused or a special row.
    pub fn is_reserved(&self, row: usize) -> bool {
        [self.padding, self.oov, self.unused].contains(&Some(row))
            || self.specials.binary_search(&row).is_ok()
    }

    /// The reserved rows of special tokens, sorted (not the padding or OOV row).
    pub fn get_specials(&self) -> &[usize] {
        &self.specials
    }

    /// Whether `row` is a special row.
    pub fn is_special(&self, row: usize) -> bool {
        self.specials.binary_search(&row).is_ok()
    }

    /// The piece kind of `row`: [`PieceKind::Word`] unless the source said otherwise.
    pub fn piece_kind(&self, row: usize) -> PieceKind {
        self.pieces
            .as_ref()
            .and_then(|p| p.get(row).copied())
            .unwrap_or(PieceKind::Word)
    }

    /// Whether the rows have piece kinds (the source is a subword tokenizer).
    pub fn has_pieces(&self) -> bool {
        self.pieces.is_some()
    }

    /// The word form of `row` to look up in vector files: the token with its
    /// piece markers removed (`##ing` -> `ing`, `Ġthe` -> `the`), or the token
    /// itself; `None` for a row past the end or a piece with no word form (a
    /// lone byte).
    pub fn lookup_form(&self, row: usize) -> Option<&str> {
        let token = self.tokens.get(row)?;
        match self.forms.as_ref().and_then(|f| f.get(row)) {
            Some(Some(form)) if form.is_empty() => None,
            Some(Some(form)) => Some(form),
            _ => Some(token),
        }
    }

    /// The kind of source the vocabulary was read from, when a reader set it.
    pub fn get_kind(&self) -> Option<VocabKind> {
        self.kind
    }
}

/// Names a token list may use for padding without saying so ([`Vocab::lookalikes`]).
const PADDING_LIKE: &[&str] = &["<pad>", "[pad]", "<padding>", "</pad>"];
/// Names a token list may use for the OOV token without saying so.
const OOV_LIKE: &[&str] = &["<unk>", "[unk]", "<oov>", "[oov]", "<unknown>", "</unk>"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalikes_all_open_with_a_bracket() {
        // `lookalikes` skips tokens that do not.
        assert!(PADDING_LIKE
            .iter()
            .chain(OOV_LIKE)
            .all(|l| l.starts_with(['<', '['])));
    }

    fn toks(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn duplicate_names_both_lines() {
        let e = Vocab::new(toks(&["a", "b", "a"])).unwrap_err();
        let (at, first) = (Position::entry(3), Position::entry(1));
        assert!(
            matches!(
                e,
                Error::DuplicateToken { pos, first: ref f, .. } if (pos, **f) == (at, first)
            ),
            "{e}"
        );
    }

    #[test]
    fn empty_and_newline_tokens_are_refused() {
        assert!(matches!(Vocab::new(vec![]), Err(Error::EmptyVocab { .. })));
        let e = Vocab::new(toks(&["a", "b\nc"])).unwrap_err();
        assert!(
            matches!(e, Error::BadToken { pos, .. } if pos == Position::entry(2)),
            "{e}"
        );
        let e = Vocab::new(toks(&["a", "\u{feff}b"])).unwrap_err();
        assert!(
            matches!(e, Error::BadToken { pos, .. } if pos == Position::entry(2)),
            "{e}"
        );
    }

    #[test]
    fn reserved_rows_are_checked() {
        let v = Vocab::new(toks(&["<pad>", "<unk>", "x"])).unwrap();
        assert!(v.clone().padding(3).is_err());
        let v = v.padding(0).unwrap();
        assert!(v.clone().oov(0).is_err());
        let v = v.oov(1).unwrap();
        assert_eq!((v.get_padding(), v.get_oov()), (Some(0), Some(1)));
        assert!(v.is_reserved(1) && !v.is_reserved(2));
    }
}
