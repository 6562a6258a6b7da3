//! Vocabulary files: which kind a file is (told from its structure, not its first
//! byte) and the one reader that turns any kind into a [`Vocab`].
//!
//! | kind | how it is recognised |
//! |---|---|
//! | [`VocabKind::TokenList`] | text that is none of the others |
//! | [`VocabKind::JsonList`] | a JSON array of strings |
//! | [`VocabKind::BertVocab`] | a token list with `[UNK]`, `[CLS]` and `[SEP]` lines |
//! | [`VocabKind::TextVectorization`] | a token list whose first line is empty, or a JSON object with the key `""` |
//! | [`VocabKind::KerasTokenizer`] | a JSON object with `class_name` or a `config` object |
//! | [`VocabKind::KerasWordIndex`] | a JSON object of integers from 1 |
//! | [`VocabKind::HfTokenizer`] | a JSON object whose `model` is an object |
//! | [`VocabKind::HfVocabJson`] | a JSON object of integers from 0 |
//!
//! A text file is JSON only when it parses as JSON: a token list whose first token
//! is `{` or `[` stays a token list.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keras::{KerasTokenizer, DEFAULT_PADDING_TOKEN};
use super::{hf, TokenListOptions, Vocab};
use crate::error::{Error, JsonExpected, JsonFault, JsonKind, Result};
use crate::parse::text::strip_bom;

/// The kinds of vocabulary file, and how [`detect_kind`] tells each:
///
/// | kind | how it is recognised |
/// |---|---|
/// | [`VocabKind::TokenList`] | text that is none of the others |
/// | [`VocabKind::JsonList`] | a JSON array of strings |
/// | [`VocabKind::BertVocab`] | a token list with `[UNK]`, `[CLS]` and `[SEP]` lines |
/// | [`VocabKind::TextVectorization`] | a token list whose first line is empty, or a JSON object with the key `""` |
/// | [`VocabKind::KerasTokenizer`] | a JSON object with `class_name` or a `config` object |
/// | [`VocabKind::KerasWordIndex`] | a JSON object of integers from 1 |
/// | [`VocabKind::HfTokenizer`] | a JSON object whose `model` is an object |
/// | [`VocabKind::HfVocabJson`] | a JSON object of integers from 0 |
///
/// A text file is JSON only when it parses as JSON: a token list whose first token
/// is `{` or `[` stays a token list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VocabKind {
    /// One token per line; row `i` is line `i + 1`. A token is the whole line
    /// (spaces included); a UTF-8 byte-order mark, CRLF line ends and a missing
    /// final newline are accepted; a blank line is an error, except an empty first
    /// line, which is Keras 3's padding token `""` (row 0, the padding row).
    TokenList,
    /// A JSON array of strings; row `i` is element `i`.
    JsonList,
    /// BERT's `vocab.txt`: a token list; `[PAD]` is the padding row, `[UNK]` the OOV
    /// row, `[CLS]`, `[SEP]`, `[MASK]` and `[unusedN]` special rows, `##` pieces
    /// continuations.
    BertVocab,
    /// Keras 3 `TextVectorization`: its vocabulary file (first line empty: the
    /// padding token `""`, then `[UNK]`) or the `word_index` dict built from
    /// `get_vocabulary()` (`{"": 0, "[UNK]": 1, ...}`).
    TextVectorization,
    /// A Keras 2 `Tokenizer.to_json()` document.
    KerasTokenizer,
    /// A Keras 2 bare `word_index` object (indices from 1).
    KerasWordIndex,
    /// A Hugging Face `tokenizer.json` (WordLevel, WordPiece, BPE or Unigram model).
    HfTokenizer,
    /// A Hugging Face / GPT-2 `vocab.json`: token -> id from 0.
    HfVocabJson,
}

impl VocabKind {
    /// Every kind, in the order of the docs.
    pub const ALL: [VocabKind; 8] = [
        VocabKind::TokenList,
        VocabKind::JsonList,
        VocabKind::BertVocab,
        VocabKind::TextVectorization,
        VocabKind::KerasTokenizer,
        VocabKind::KerasWordIndex,
        VocabKind::HfTokenizer,
        VocabKind::HfVocabJson,
    ];

    /// The kind's name (`token-list`, `hf-tokenizer`...), as `--vocab-format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            VocabKind::TokenList => "token-list",
            VocabKind::JsonList => "json-list",
            VocabKind::BertVocab => "bert-vocab",
            VocabKind::TextVectorization => "text-vectorization",
            VocabKind::KerasTokenizer => "keras-tokenizer",
            VocabKind::KerasWordIndex => "keras-word-index",
            VocabKind::HfTokenizer => "hf-tokenizer",
            VocabKind::HfVocabJson => "hf-vocab-json",
        }
    }

    /// Words for a summary: "Keras 3 TextVectorization vocabulary".
    pub fn describe(self) -> &'static str {
        match self {
            VocabKind::TokenList => "token list",
            VocabKind::JsonList => "JSON token list",
            VocabKind::BertVocab => "BERT vocab.txt",
            VocabKind::TextVectorization => "Keras 3 TextVectorization vocabulary",
            VocabKind::KerasTokenizer => "Keras tokenizer",
            VocabKind::KerasWordIndex => "Keras word_index",
            VocabKind::HfTokenizer => "Hugging Face tokenizer.json",
            VocabKind::HfVocabJson => "Hugging Face vocab.json",
        }
    }

    fn is_json(self) -> bool {
        !matches!(self, VocabKind::TokenList | VocabKind::BertVocab)
    }
}

impl fmt::Display for VocabKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for VocabKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        VocabKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| Error::InvalidOption {
                option: "vocabulary kind",
                message: format!(
                    "{s:?}; expected one of {}",
                    VocabKind::ALL.map(VocabKind::name).join(", ")
                ),
            })
    }
}

/// A setting of [`VocabOptions`] (or of a corpus fit), as errors name it
/// ([`Error::NotForKind`], [`Error::ReservedToken`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VocabSetting {
    /// The padding token ([`VocabOptions::padding`]).
    Padding,
    /// The OOV token ([`VocabOptions::oov`]).
    Oov,
    /// The row limit ([`VocabOptions::max_words`]).
    MaxWords,
}

impl VocabSetting {
    /// The setting's name in the library: `padding`, `oov`, `max_words`.
    pub fn name(self) -> &'static str {
        match self {
            VocabSetting::Padding => "padding",
            VocabSetting::Oov => "oov",
            VocabSetting::MaxWords => "max_words",
        }
    }

    /// The row a reserved-token setting names: "padding", "OOV".
    pub(crate) fn row(self) -> &'static str {
        match self {
            VocabSetting::Padding => "padding",
            VocabSetting::Oov => "OOV",
            VocabSetting::MaxWords => "last",
        }
    }

    /// What to do instead, for [`Error::NotForKind`]'s message.
    pub(crate) fn instead(self, kind: VocabKind) -> &'static str {
        match (self, kind) {
            (VocabSetting::MaxWords, _) => {
                " (expected a Keras 2 tokenizer or a corpus fit; keep the file's first rows instead)"
            }
            (_, VocabKind::TextVectorization) => {
                " (Keras 3 names its padding row \"\" (id 0) and its OOV row [UNK] (id 1))"
            }
            _ => "",
        }
    }
}

/// How [`Vocab::from_bytes`] reads a vocabulary file.
///
/// Defaults: the kind detected, the reserved rows each kind names (`""` / `[UNK]`
/// for Keras 3, `[PAD]` / `[UNK]` for BERT, the file's own for Hugging Face,
/// [`DEFAULT_PADDING_TOKEN`] for row 0 of a Keras 2 tokenizer, none for token
/// lists), every row kept.
///
/// ```
/// use pretrained_vectors::vocab::{VocabKind, VocabOptions};
/// use pretrained_vectors::Vocab;
/// use std::path::Path;
///
/// // Keras 3's saved vocabulary: the empty first line is the padding row.
/// let v = Vocab::from_bytes(Path::new("vocabulary.txt"), b"\n[UNK]\nthe\ncat", &VocabOptions::new())?;
/// assert_eq!(v.get_kind(), Some(VocabKind::TextVectorization));
/// assert_eq!((v.len(), v.get_padding(), v.get_oov()), (4, Some(0), Some(1)));
///
/// // A token list whose first token is `{`, and a JSON array of strings.
/// let v = Vocab::from_bytes(Path::new("v.txt"), b"{\nthe\n", &VocabOptions::new())?;
/// assert_eq!((v.get_kind(), v.tokens()), (Some(VocabKind::TokenList), &["{".to_string(), "the".into()][..]));
/// let v = Vocab::from_bytes(Path::new("v.json"), br#"["<pad>", "the"]"#,
///     &VocabOptions::new().padding("<pad>"))?;
/// assert_eq!((v.get_kind(), v.len(), v.get_padding()), (Some(VocabKind::JsonList), 2, Some(0)));
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VocabOptions {
    kind: Option<VocabKind>,
    padding: Option<String>,
    oov: Option<String>,
    max_words: Option<usize>,
}

impl VocabOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Insist on a kind instead of detecting it. Default: detected.
    pub fn kind(mut self, kind: VocabKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Like [`VocabOptions::kind`], `None` for detection.
    pub fn kind_opt(mut self, kind: Option<VocabKind>) -> Self {
        self.kind = kind;
        self
    }

    /// The padding token: looked up in the file (a Keras 2 tokenizer has none: it
    /// names row 0). Default: the kind's own.
    pub fn padding(mut self, token: impl Into<String>) -> Self {
        self.padding = Some(token.into());
        self
    }

    /// The OOV token, looked up in the file. Default: the kind's own.
    pub fn oov(mut self, token: impl Into<String>) -> Self {
        self.oov = Some(token.into());
        self
    }

    /// Keras' `num_words` for a Keras 2 tokenizer (rows `0..n`). Default: all.
    pub fn max_words(mut self, n: usize) -> Self {
        self.max_words = Some(n);
        self
    }

    /// The padding token asked for, if any.
    pub fn get_padding(&self) -> Option<&str> {
        self.padding.as_deref()
    }

    /// The OOV token asked for, if any.
    pub fn get_oov(&self) -> Option<&str> {
        self.oov.as_deref()
    }

    /// The row limit asked for, if any.
    pub fn get_max_words(&self) -> Option<usize> {
        self.max_words
    }
}

/// Parses `bytes` as JSON when they can only be JSON: the first non-blank byte
/// opens an object or an array and the whole text parses.
pub(super) fn as_json(bytes: &[u8]) -> Option<Value> {
    let body = strip_bom(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => serde_json::from_slice(body).ok(),
        _ => None,
    }
}

/// The kind of a JSON vocabulary, from its structure.
fn json_kind(root: &Value) -> Option<VocabKind> {
    match root {
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_string) => {
            Some(VocabKind::JsonList)
        }
        Value::Object(map) if !map.is_empty() => {
            if matches!(map.get("model"), Some(Value::Object(_))) {
                return Some(VocabKind::HfTokenizer);
            }
            if map.contains_key("class_name") || matches!(map.get("config"), Some(Value::Object(_)))
            {
                return Some(VocabKind::KerasTokenizer);
            }
            if map.contains_key("") {
                return Some(VocabKind::TextVectorization);
            }
            let ids: Option<Vec<i64>> = map.values().map(Value::as_i64).collect();
            match ids?.into_iter().min() {
                Some(0) => Some(VocabKind::HfVocabJson),
                _ => Some(VocabKind::KerasWordIndex),
            }
        }
        _ => None,
    }
}

/// The kind of a text vocabulary, from its lines.
fn text_kind(bytes: &[u8]) -> VocabKind {
    let body = strip_bom(bytes);
    let first_empty = body.starts_with(b"\n") || body.starts_with(b"\r\n");
    if first_empty && body.iter().any(|b| !b.is_ascii_whitespace()) {
        return VocabKind::TextVectorization;
    }
    let has = |t: &[u8]| {
        body.split(|&b| b == b'\n')
            .any(|l| l.strip_suffix(b"\r").unwrap_or(l) == t)
    };
    if has(b"[UNK]") && has(b"[CLS]") && has(b"[SEP]") {
        VocabKind::BertVocab
    } else {
        VocabKind::TokenList
    }
}

/// Tells the kind of the vocabulary file `bytes` from its structure.
///
/// JSON is recognised only when the whole text parses as JSON; then the shape
/// decides (see [`VocabKind`]). Any other text is a token list,
/// a Keras 3 vocabulary (first line empty) or a BERT `vocab.txt`.
///
/// ```
/// use pretrained_vectors::vocab::{detect_kind, VocabKind};
/// use std::path::Path;
/// let p = Path::new("v");
/// assert_eq!(detect_kind(p, br#"{"": 0, "[UNK]": 1, "the": 2}"#)?, VocabKind::TextVectorization);
/// assert_eq!(detect_kind(p, br#"{"the": 1, "cat": 2}"#)?, VocabKind::KerasWordIndex);
/// assert_eq!(detect_kind(p, br#"{"<|endoftext|>": 0, "the": 1}"#)?, VocabKind::HfVocabJson);
/// assert_eq!(detect_kind(p, b"{\n}\nthe\n")?, VocabKind::TokenList);
/// assert_eq!(detect_kind(p, b"[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\n##s\n")?, VocabKind::BertVocab);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// [`Error::JsonShape`] (key `$`, [`JsonFault::NotAVocabulary`]) for JSON of no
/// vocabulary kind (an array of numbers, an object of strings...);
/// [`Error::WrongFormat`] for a BPE
/// `merges.txt` (its vocabulary is the `vocab.json` beside it).
pub fn detect_kind(path: &Path, bytes: &[u8]) -> Result<VocabKind> {
    if let Some(root) = as_json(bytes) {
        // `{}` and `[]` are two-line token lists rather than empty vocabularies.
        let empty = matches!(&root, Value::Object(m) if m.is_empty())
            || matches!(&root, Value::Array(a) if a.is_empty());
        if !empty {
            return json_kind(&root).ok_or_else(|| {
                let fault = JsonFault::NotAVocabulary {
                    found: JsonKind::of(&root),
                };
                super::places::place_json_shape(Error::json_shape(path, "$", fault), bytes)
            });
        }
    }
    if strip_bom(bytes).starts_with(b"#version") {
        return Err(Error::WrongFormat {
            path: path.to_path_buf(),
            pos: crate::Position::line(1, 0),
            fault: crate::error::FormatFault::BpeMerges,
            suggest: None,
        });
    }
    Ok(text_kind(bytes))
}

impl Vocab {
    /// Reads a vocabulary file of any kind ([`VocabKind`]): detected, or the one
    /// `options` insist on; `path` is only used in errors. The vocabulary remembers
    /// its kind ([`Vocab::get_kind`]).
    ///
    /// Row rules by kind are in the crate README's vocabulary section; in short,
    /// row `i` is always the token of id `i` (line `i + 1` of a token list), the
    /// table has exactly as many rows as the vocabulary, and padding, OOV and
    /// special tokens are reserved rows.
    ///
    /// # Errors
    /// Those of [`detect_kind`] and of the kind's reader; for the JSON kinds,
    /// [`Error::JsonShape`] naming the key, with its [`JsonFault`]: a value of the
    /// wrong kind ([`JsonFault::WrongValue`]), ids that are not 0, 1, 2, ... each
    /// once ([`JsonFault::IdOutOfRange`], [`JsonFault::DuplicateId`]), a token
    /// given twice ([`JsonFault::DuplicateToken`]) or that a token list cannot hold
    /// ([`JsonFault::BadToken`]), a `tokenizer.json` model type other than
    /// WordLevel, WordPiece, BPE and Unigram ([`JsonFault::UnknownModelType`]), an
    /// added token whose id disagrees with the model's
    /// ([`JsonFault::AddedTokenId`]); [`Error::NotForKind`]
    /// for `max_words` with a kind other than a Keras 2 tokenizer;
    /// [`Error::ReservedToken`] for a padding or OOV token that is not a token of
    /// the file (for a Keras 2 tokenizer: an OOV token other than its own).
    pub fn from_bytes(path: &Path, bytes: &[u8], options: &VocabOptions) -> Result<Self> {
        Self::from_bytes_unplaced(path, bytes, options)
            .map_err(|e| super::places::place_json_shape(e, bytes))
    }

    /// [`Vocab::from_bytes`], but a [`Error::JsonShape`] has no position yet.
    fn from_bytes_unplaced(path: &Path, bytes: &[u8], options: &VocabOptions) -> Result<Self> {
        let kind = match options.kind {
            Some(k) => k,
            None => detect_kind(path, bytes)?,
        };
        if options.max_words.is_some()
            && !matches!(kind, VocabKind::KerasTokenizer | VocabKind::KerasWordIndex)
        {
            return Err(Error::NotForKind {
                path: path.to_path_buf(),
                setting: VocabSetting::MaxWords,
                kind,
            });
        }
        let json = || -> Result<Value> {
            serde_json::from_slice(strip_bom(bytes))
                .map_err(|e| super::keras::json_error(path, bytes, &e))
        };
        let vocab = match kind {
            VocabKind::TokenList => {
                Vocab::from_token_list(path, bytes, &list_options(options, None, None))?
            }
            VocabKind::BertVocab => {
                let o = list_options(options, Some("[PAD]"), Some("[UNK]"));
                hf::bert_vocab(Vocab::from_token_list(path, bytes, &o)?)?
            }
            VocabKind::TextVectorization if as_json(bytes).is_none() => {
                let o = list_options(options, Some(""), Some("[UNK]"));
                Vocab::from_token_list(path, bytes, &o)?
            }
            VocabKind::TextVectorization => {
                let o = list_options(options, Some(""), Some("[UNK]"));
                hf::id_map(&json()?, path, "", false, &o)?
            }
            VocabKind::JsonList => json_list(&json()?, path, &list_options(options, None, None))?,
            VocabKind::HfVocabJson => {
                let o = list_options(options, None, None);
                hf::id_map(&json()?, path, "", true, &o)?
            }
            VocabKind::HfTokenizer => hf::tokenizer_json(&json()?, path, options)?,
            VocabKind::KerasTokenizer | VocabKind::KerasWordIndex => {
                let mut tok = KerasTokenizer::from_bytes(path, bytes)?;
                if let Some(n) = options.max_words {
                    tok = tok.num_words(n);
                }
                if let (Some(asked), has) = (options.oov.as_deref(), tok.get_oov_token()) {
                    if has != Some(asked) {
                        return Err(Error::ReservedToken {
                            path: path.to_path_buf(),
                            setting: VocabSetting::Oov,
                            asked: asked.to_string(),
                            kind,
                            has: has.map(str::to_string),
                        });
                    }
                }
                tok.vocab(options.padding.as_deref().unwrap_or(DEFAULT_PADDING_TOKEN))?
            }
        };
        // A reserved token named by the caller is one of the file's tokens.
        for (setting, asked, row) in [
            (VocabSetting::Padding, &options.padding, vocab.get_padding()),
            (VocabSetting::Oov, &options.oov, vocab.get_oov()),
        ] {
            if let (Some(asked), None) = (asked, row) {
                return Err(Error::ReservedToken {
                    path: path.to_path_buf(),
                    setting,
                    asked: asked.clone(),
                    kind,
                    has: None,
                });
            }
        }
        debug_assert!(kind.is_json() || as_json(bytes).is_none() || options.kind.is_some());
        // Every row is of this file, even where no reader placed it.
        let vocab = match vocab.source_path() {
            Some(_) => vocab,
            None if kind.is_json() && options.kind.is_none_or(|_| as_json(bytes).is_some()) => {
                let places = super::places::json_places(bytes, kind, vocab.tokens());
                vocab.places(path, places)
            }
            None => {
                let n = vocab.len();
                vocab.places(path, vec![None; n])
            }
        };
        Ok(vocab.kind(kind))
    }

    /// Reads the vocabulary file at `path`; see [`Vocab::from_bytes`].
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, and those of
    /// [`Vocab::from_bytes`].
    pub fn read(path: impl AsRef<Path>, options: &VocabOptions) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::source::read_whole(path)?;
        Self::from_bytes(path, &bytes, options)
    }
}

/// The token-list options of `options`, with the kind's default names.
fn list_options(options: &VocabOptions, pad: Option<&str>, oov: Option<&str>) -> TokenListOptions {
    let mut o = TokenListOptions::new();
    if let Some(p) = options.padding.as_deref().or(pad) {
        o = o.padding(p);
    }
    if let Some(u) = options.oov.as_deref().or(oov) {
        o = o.oov(u);
    }
    o
}

/// A JSON array of token strings: row `i` is element `i`.
fn json_list(root: &Value, path: &Path, options: &TokenListOptions) -> Result<Vocab> {
    let Value::Array(items) = root else {
        return Err(Error::json_shape(
            path,
            "$",
            JsonFault::wrong_value(JsonExpected::TokenStrings, root),
        ));
    };
    let mut entries = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) => entries.push((s.clone(), i as i64, format!("[{i}]"))),
            other => {
                return Err(Error::json_shape(
                    path,
                    format!("[{i}]"),
                    JsonFault::wrong_value(JsonExpected::TokenString, other),
                ))
            }
        }
    }
    let tokens = hf::rows_from_ids(path, entries)?;
    hf::reserve_by_name(Vocab::build(path, tokens, None)?, options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any bytes, any kind insisted on: a vocabulary or an error, never a panic.
        #[test]
        fn hostile_bytes_give_errors_not_panics(
            bytes in proptest::collection::vec(any::<u8>(), 0..64),
            json in "[\\[\\]{}\":,0-9a-z\\\\ \n-]{0,48}",
            k in 0usize..=VocabKind::ALL.len(),
        ) {
            let kind = VocabKind::ALL.get(k).copied();
            let o = VocabOptions::new().kind_opt(kind);
            let _ = Vocab::from_bytes(Path::new("v"), &bytes, &o);
            let _ = Vocab::from_bytes(Path::new("v"), json.as_bytes(), &o);
        }
    }

    fn kind(bytes: &[u8]) -> VocabKind {
        detect_kind(Path::new("v"), bytes).unwrap()
    }

    #[test]
    fn kinds_from_structure() {
        assert_eq!(kind(b"the\ncat\n"), VocabKind::TokenList);
        assert_eq!(kind(b"{\nthe\n"), VocabKind::TokenList);
        assert_eq!(kind(b"{}\n"), VocabKind::TokenList);
        assert_eq!(kind(b"[\n]\n"), VocabKind::TokenList);
        assert_eq!(kind(b"[PAD]\nthe\n"), VocabKind::TokenList);
        assert_eq!(kind(b"\xEF\xBB\xBF[\"a\", \"b\"]"), VocabKind::JsonList);
        assert_eq!(kind(b"\n[UNK]\nthe"), VocabKind::TextVectorization);
        assert_eq!(kind(b"\r\n[UNK]\r\nthe\r\n"), VocabKind::TextVectorization);
        assert_eq!(kind(b"[UNK]\n[CLS]\n[SEP]\n"), VocabKind::BertVocab);
        assert_eq!(
            kind(br#"{"class_name": "Tokenizer", "config": {}}"#),
            VocabKind::KerasTokenizer
        );
        assert_eq!(
            kind(br#"{"version": "1.0", "model": {}}"#),
            VocabKind::HfTokenizer
        );
    }

    #[test]
    fn json_of_no_kind_and_merges_are_refused() {
        for (bad, kind) in [
            (&b"[1, 2]"[..], JsonKind::Array),
            (br#"{"a": "b"}"#, JsonKind::Object),
            (br#"{"a": 1.5}"#, JsonKind::Object),
        ] {
            let e = detect_kind(Path::new("v.json"), bad).unwrap_err();
            assert!(
                matches!(&e, Error::JsonShape { key, fault, .. } if key == "$"
                    && **fault == JsonFault::NotAVocabulary { found: kind }),
                "{e}"
            );
        }
        let e = detect_kind(Path::new("merges.txt"), b"#version: 0.2\nt h\n").unwrap_err();
        assert!(e.to_string().contains("vocab.json"), "{e}");
    }

    #[test]
    fn names_round_trip() {
        for k in VocabKind::ALL {
            assert_eq!(k.name().parse::<VocabKind>().unwrap(), k);
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.name())
            );
        }
        assert!("bert".parse::<VocabKind>().is_err());
    }

    #[test]
    fn insisting_on_a_kind_reads_it_so() {
        let p = Path::new("v");
        // A JSON array read as lines is one token per line.
        let o = VocabOptions::new().kind(VocabKind::TokenList);
        let v = Vocab::from_bytes(p, b"[\"a\",\n\"b\"]\n", &o).unwrap();
        assert_eq!(v.tokens(), ["[\"a\",", "\"b\"]"]);
        let e = Vocab::from_bytes(
            p,
            b"a\nb\n",
            &VocabOptions::new().kind(VocabKind::HfTokenizer),
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::Json { pos, .. } if pos.line == Some(1)),
            "{e}"
        );
        let e = Vocab::from_bytes(p, b"a\n", &VocabOptions::new().max_words(3)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::NotForKind {
                    setting: VocabSetting::MaxWords,
                    kind: VocabKind::TokenList,
                    ..
                }
            ),
            "{e}"
        );
        // A reserved token named but absent is refused, not silently dropped.
        let e = Vocab::from_bytes(p, b"a\nb\n", &VocabOptions::new().oov("<unk>")).unwrap_err();
        assert!(
            matches!(&e, Error::ReservedToken { setting: VocabSetting::Oov, asked, has: None, .. } if asked == "<unk>"),
            "{e}"
        );
        assert!(
            e.to_string()
                .starts_with("v: the OOV token \"<unk>\" is not a token of this token list"),
            "{e}"
        );
    }

    #[test]
    fn json_list_rows_and_errors() {
        let p = Path::new("v.json");
        let v = Vocab::from_bytes(
            p,
            br#"["", "[UNK]", "a"]"#,
            &VocabOptions::new().oov("[UNK]"),
        )
        .unwrap();
        assert_eq!((v.get_padding(), v.get_oov()), (Some(0), Some(1)));
        let e = Vocab::from_bytes(p, br#"["a", "b", "a"]"#, &VocabOptions::new()).unwrap_err();
        let twice = JsonFault::DuplicateToken {
            token: "a".into(),
            first: "[0]".into(),
        };
        assert!(
            matches!(&e, Error::JsonShape { key, fault, .. } if key == "[2]" && **fault == twice),
            "{e}"
        );
        let o = VocabOptions::new().kind(VocabKind::JsonList);
        let e = Vocab::from_bytes(p, br#"["a", 2]"#, &o).unwrap_err();
        let number = JsonFault::WrongValue {
            expected: JsonExpected::TokenString,
            found: JsonKind::Number,
            value: Some("2".into()),
        };
        assert!(
            matches!(&e, Error::JsonShape { key, fault, .. } if key == "[1]" && **fault == number),
            "{e}"
        );
        let e = Vocab::from_bytes(p, br#"{"a": 0}"#, &o).unwrap_err();
        let object = JsonFault::WrongValue {
            expected: JsonExpected::TokenStrings,
            found: JsonKind::Object,
            value: None,
        };
        assert!(
            matches!(&e, Error::JsonShape { key, fault, .. } if key == "$" && **fault == object),
            "{e}"
        );
        // A token a token list cannot hold.
        let e = Vocab::from_bytes(p, br#"["a", "b\nc"]"#, &o).unwrap_err();
        let line_break = JsonFault::BadToken {
            token: "b\nc".into(),
            id: 1,
            fault: crate::vocab::TokenFault::LineBreak,
        };
        assert!(
            matches!(&e, Error::JsonShape { key, fault, .. } if key == "[1]" && **fault == line_break),
            "{e}"
        );
    }
}
