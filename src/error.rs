//! The crate's one error type.
//!
//! Every variant says *where* (the file, and inside it the line or record and the
//! byte offset) and *what was expected*, so a message can be acted upon without a
//! debugger. Parsers work on byte slices and are handed the path only to put it in
//! their errors; inputs that are not files (an in-memory buffer, a tensor) use an
//! empty path, shown as `<memory>`.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::format::Format;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A place inside an input.
///
/// `byte` is the 0-based offset, in the decompressed stream, of the start of the
/// offending line, record or field; it is `None` only for an entry of a list held in
/// memory (a `Vec` of tokens), which has no bytes. `line` is 1-based and set for
/// text inputs; `record` is 1-based and set for binary records and for entries of a
/// list (a JSON array, a `Vec` of tokens); both are unset for a bare byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based line number, for text inputs.
    pub line: Option<u64>,
    /// 1-based record number, for word2vec binary (the header is not a record), or
    /// entry number, for a list.
    pub record: Option<u64>,
    /// 0-based byte offset in the (decompressed) input, when the input has bytes.
    pub byte: Option<u64>,
}

impl Position {
    /// A position on a text line.
    pub fn line(line: u64, byte: u64) -> Self {
        Position {
            line: Some(line),
            record: None,
            byte: Some(byte),
        }
    }

    /// A position at a binary record.
    pub fn record(record: u64, byte: u64) -> Self {
        Position {
            line: None,
            record: Some(record),
            byte: Some(byte),
        }
    }

    /// A bare byte offset.
    pub fn byte(byte: u64) -> Self {
        Position {
            line: None,
            record: None,
            byte: Some(byte),
        }
    }

    /// The 1-based entry of a list that has no bytes (tokens given in memory, the
    /// tokens of a parsed JSON document).
    pub fn entry(entry: u64) -> Self {
        Position {
            line: None,
            record: Some(entry),
            byte: None,
        }
    }

    /// The byte offset, 0 where there is none (an entry of a list in memory).
    pub(crate) fn byte_or_zero(&self) -> u64 {
        self.byte.unwrap_or(0)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.record, self.byte) {
            (Some(l), _, Some(b)) => write!(f, "line {l}, byte {b}"),
            (Some(l), _, None) => write!(f, "line {l}"),
            (None, Some(r), Some(b)) => write!(f, "record {r}, byte {b}"),
            (None, Some(r), None) => write!(f, "entry {r}"),
            (None, None, Some(b)) => write!(f, "byte {b}"),
            (None, None, None) => f.write_str("the start"),
        }
    }
}

/// What was being done with a file when the operating system refused
/// ([`Error::Io`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IoAction {
    /// Opening (or finding out what the path is).
    Open,
    /// Reading.
    Read,
    /// Writing.
    Write,
    /// Flushing written data to the disk.
    Sync,
    /// Renaming the finished temporary file over the output.
    Rename,
    /// Opening the folder an output goes into.
    OpenOutputFolder,
    /// Using the path before the file name as the output's folder.
    UseAsOutputFolder,
    /// Replacing an existing output.
    ReplaceOutput,
    /// Checking what is at an output's path.
    CheckOutput,
    /// Creating the temporary file an output is written to first.
    CreateTemporary,
}

impl IoAction {
    /// The action as words ("open", "open the output folder", ...).
    pub fn as_str(self) -> &'static str {
        match self {
            IoAction::Open => "open",
            IoAction::Read => "read",
            IoAction::Write => "write",
            IoAction::Sync => "sync",
            IoAction::Rename => "rename",
            IoAction::OpenOutputFolder => "open the output folder",
            IoAction::UseAsOutputFolder => "use as the output folder",
            IoAction::ReplaceOutput => "replace the output",
            IoAction::CheckOutput => "check the output",
            IoAction::CreateTemporary => "create a temporary file for the output",
        }
    }
}

impl fmt::Display for IoAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of file told apart by its first bytes, named in an error when it is not
/// the kind that was asked for or detected ([`FormatFault::OtherKind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A NumPy array (`\x93NUMPY`), such as a table this crate writes.
    Npy,
    /// UTF-16 text, little-endian (byte-order mark `FF FE`).
    Utf16Le,
    /// UTF-16 text, big-endian (byte-order mark `FE FF`).
    Utf16Be,
    /// UTF-32 text, little-endian (byte-order mark `FF FE 00 00`).
    Utf32Le,
    /// UTF-32 text, big-endian (byte-order mark `00 00 FE FF`).
    Utf32Be,
    /// A native fastText model (`.bin`, `.ftz`).
    FastTextModel,
    /// A gzip stream inside a gzip stream: once decompressed, the bytes are gzip again.
    NestedGzip,
    /// A safetensors file (an 8-byte header length, then a JSON header).
    Safetensors,
}

impl FileKind {
    /// Tells the kind from the first bytes of a (decompressed) input, for the kinds
    /// that no vector text file can start with.
    pub fn of(head: &[u8]) -> Option<FileKind> {
        // UTF-32 before UTF-16: FF FE 00 00 also starts with FF FE.
        if head.starts_with(b"\x93NUMPY") {
            Some(FileKind::Npy)
        } else if head.starts_with(&[0xFF, 0xFE, 0, 0]) {
            Some(FileKind::Utf32Le)
        } else if head.starts_with(&[0, 0, 0xFE, 0xFF]) {
            Some(FileKind::Utf32Be)
        } else if head.starts_with(&[0xFF, 0xFE]) {
            Some(FileKind::Utf16Le)
        } else if head.starts_with(&[0xFE, 0xFF]) {
            Some(FileKind::Utf16Be)
        } else if head.starts_with(&[0x1F, 0x8B]) {
            Some(FileKind::NestedGzip)
        } else if crate::parse::fasttext::looks_like_model(head) {
            Some(FileKind::FastTextModel)
        } else if looks_like_safetensors(head) {
            Some(FileKind::Safetensors)
        } else {
            None
        }
    }

    /// What the kind is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Npy => "a NumPy array (.npy), not vectors with words",
            FileKind::Utf16Le => "UTF-16 text (little-endian, byte-order mark FF FE), not UTF-8",
            FileKind::Utf16Be => "UTF-16 text (big-endian, byte-order mark FE FF), not UTF-8",
            FileKind::Utf32Le => {
                "UTF-32 text (little-endian, byte-order mark FF FE 00 00), not UTF-8"
            }
            FileKind::Utf32Be => "UTF-32 text (big-endian, byte-order mark 00 00 FE FF), not UTF-8",
            FileKind::FastTextModel => "a native fastText model (.bin or .ftz)",
            FileKind::NestedGzip => {
                "gzip inside gzip: once decompressed, the bytes are gzip-compressed again"
            }
            FileKind::Safetensors => "a safetensors file, not vectors with words",
        }
    }
}

/// An 8-byte little-endian header length that fits, then a JSON object.
fn looks_like_safetensors(head: &[u8]) -> bool {
    let Some(len) = head.get(..8) else {
        return false;
    };
    let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    (2..(100 << 20)).contains(&len) && head.get(8) == Some(&b'{')
}

/// Why the bytes are not of the format that was asked for or detected
/// ([`Error::WrongFormat`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatFault {
    /// The bytes are another kind of file.
    OtherKind(FileKind),
    /// The first row after a `rows dims` header is not a word and numbers, while the
    /// format asked for is word2vec text.
    RowsNotText,
    /// Line 1 is a word2vec header `rows dims`, not a row, while the format asked
    /// for is GloVe.
    HeaderNotRow,
    /// The first line is neither a word followed by numbers nor a `rows dims` header.
    NotVectors,
    /// A word2vec binary record without a space within `max` bytes.
    WordTooLong {
        /// The longest word accepted, in bytes.
        max: usize,
        /// The dims of the file.
        dims: usize,
    },
    /// A word2vec binary record whose word is empty.
    EmptyWord,
    /// A line break inside the word of a word2vec binary record.
    LineBreakInWord {
        /// The dims of the file (the header's, perhaps wrong).
        dims: usize,
    },
    /// A BPE `merges.txt` where a vocabulary was expected.
    BpeMerges,
}

impl fmt::Display for FormatFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FormatFault::OtherKind(kind) => {
                write!(f, "this is {} (expected word vectors)", kind.describe())
            }
            FormatFault::RowsNotText => f.write_str(
                "the first row is not a word and numbers (expected word2vec text rows)",
            ),
            FormatFault::HeaderNotRow => {
                f.write_str("line 1 is a word2vec header `rows dims`, not a GloVe row")
            }
            FormatFault::NotVectors => f.write_str(
                "expected a word followed by numbers (GloVe text), or a `rows dims` header (word2vec)",
            ),
            FormatFault::WordTooLong { max, dims } => write!(
                f,
                "no space within {max} bytes: expected a word, a space and {dims} binary floats"
            ),
            FormatFault::EmptyWord => f.write_str("empty word: expected a word before the space"),
            FormatFault::LineBreakInWord { dims } => write!(
                f,
                "line break inside a word: expected a word, a space and {dims} binary floats (are the header's dims right?)"
            ),
            FormatFault::BpeMerges => f.write_str(
                "this is a BPE merges.txt (expected a vocabulary: give the vocab.json beside it)",
            ),
        }
    }
}

/// What a word2vec header should have been ([`Error::BadHeader`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderFault {
    /// Two integers, but zero, negative or too large: a broken `rows dims`.
    NotPositive,
    /// A count and then something that is not a number (`300 fifty`).
    NotANumber,
    /// No `rows dims` header where a word2vec format was asked for.
    Missing {
        /// The format the file reads as without a header, when it can be told.
        suggest: Option<Format>,
    },
}

impl fmt::Display for HeaderFault {
    /// What was expected, in library terms.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            HeaderFault::NotPositive | HeaderFault::NotANumber => {
                f.write_str("a word2vec header `rows dims` of two positive integers")
            }
            HeaderFault::Missing { suggest: None } => f.write_str("a word2vec header `rows dims`"),
            HeaderFault::Missing {
                suggest: Some(format),
            } => write!(
                f,
                "a word2vec header `rows dims` (a file without one reads as {format}: \
                 `Format::{format:?}`)"
            ),
        }
    }
}

/// Shows the format an error suggests, in library terms.
struct Suggested(Option<Format>);

impl fmt::Display for Suggested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(format) => write!(f, "; the bytes read as {format} (`Format::{format:?}`)"),
            None => Ok(()),
        }
    }
}

/// A key of an npy header's dict ([`NpyFault::ValueType`], [`NpyFault::MissingKey`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NpyKey {
    /// `descr`, the value type.
    Descr,
    /// `fortran_order`, the memory order.
    FortranOrder,
    /// `shape`, the dims.
    Shape,
}

impl NpyKey {
    /// The key as the header spells it.
    pub fn name(self) -> &'static str {
        match self {
            NpyKey::Descr => "descr",
            NpyKey::FortranOrder => "fortran_order",
            NpyKey::Shape => "shape",
        }
    }
}

/// What the npy header parser expected where the header dict stops parsing
/// ([`NpyFault::Syntax`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NpyExpected {
    /// `{` opening the header dict.
    DictOpen,
    /// A quoted key string.
    QuotedString,
    /// A string without backslash escapes (no header NumPy writes has one).
    NoEscapes,
    /// A string closed on the line it opens on.
    ClosedString,
    /// `:` after a key.
    Colon,
    /// A value: a string, `True`, `False` or a tuple of integers.
    Value,
    /// A non-negative integer in the shape tuple.
    Integer,
    /// A dimension below 2^64.
    SmallDimension,
    /// `,` or `)` after a dimension of the shape tuple.
    CommaOrTupleClose,
    /// `,` or `}` after a value.
    CommaOrDictClose,
    /// Only white space after the header dict's `}`.
    EndOfHeader,
}

impl NpyExpected {
    /// What was expected, in words.
    pub fn describe(self) -> &'static str {
        match self {
            NpyExpected::DictOpen => "`{` opening the header dict",
            NpyExpected::QuotedString => "a quoted string",
            NpyExpected::NoEscapes => "a string without escapes",
            NpyExpected::ClosedString => "a string closed on the same line",
            NpyExpected::Colon => "`:` after the key",
            NpyExpected::Value => "a string, True, False or a tuple of integers",
            NpyExpected::Integer => "a non-negative integer",
            NpyExpected::SmallDimension => "a dimension below 2^64",
            NpyExpected::CommaOrTupleClose => "`,` or `)` in the shape tuple",
            NpyExpected::CommaOrDictClose => "`,` or `}` after a value",
            NpyExpected::EndOfHeader => "only white space after the header dict",
        }
    }
}

impl fmt::Display for NpyExpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// What is wrong with an npy file ([`Error::Npy`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NpyFault {
    /// The file does not start with the npy magic `\\x93NUMPY`.
    Magic {
        /// The first bytes, escaped.
        found: String,
    },
    /// The file ends before the 2-byte version.
    NoVersion {
        /// The file's length.
        file_len: u64,
    },
    /// A version other than 1.0, 2.0 or 3.0.
    Version {
        /// Major version.
        major: u8,
        /// Minor version.
        minor: u8,
    },
    /// The file ends inside the header length (2 bytes in version 1.0, else 4).
    NoHeaderLength {
        /// The size of the length field.
        size: u8,
        /// The file's length.
        file_len: u64,
    },
    /// The header runs past the end of the file.
    HeaderPastEnd {
        /// The header's length, as its length field says.
        header_len: u64,
        /// The offset where it would end.
        end: u64,
        /// The file's length.
        file_len: u64,
    },
    /// The header dict does not parse.
    Syntax {
        /// What should be there.
        expected: NpyExpected,
        /// What is there (escaped bytes, or `the end of the header`).
        found: String,
    },
    /// A `descr` that is not a float type read.
    Descr {
        /// The `descr` given.
        found: String,
    },
    /// A `descr` that is not an integer type, where a vector of codes (the row
    /// origins beside a table) is read.
    NotIntegers {
        /// The `descr` given.
        found: String,
    },
    /// A value of the wrong type for its key.
    ValueType {
        /// The key.
        key: NpyKey,
    },
    /// A shape that is not 2-D, where a matrix is read.
    NotTwoD {
        /// Its number of dims.
        dims: usize,
        /// The shape, as a Python tuple.
        shape: String,
    },
    /// A shape that is not 1-D, where a vector of codes is read.
    NotOneD {
        /// Its number of dims.
        dims: usize,
        /// The shape, as a Python tuple.
        shape: String,
    },
    /// A key other than `descr`, `fortran_order` and `shape`.
    UnknownKey {
        /// The key.
        key: String,
    },
    /// A key given twice.
    RepeatedKey {
        /// The key.
        key: String,
    },
    /// A key missing.
    MissingKey {
        /// The key.
        key: NpyKey,
    },
    /// The data after the header is not exactly the size the shape says.
    DataSize {
        /// The shape: `[rows, cols]` of a matrix, `[len]` of a vector.
        shape: Vec<u64>,
        /// The value type (`<f4`, ...).
        descr: &'static str,
        /// Bytes the shape needs (`None`: more than 2^64).
        needed: Option<u64>,
        /// Bytes there are after the header.
        have: u64,
        /// Where the data starts.
        data_offset: u64,
    },
    /// An `f8` value too large for `f32`.
    F64OutOfRange {
        /// The value.
        value: f64,
    },
}

impl NpyFault {
    /// What was expected, in words.
    pub fn expected(&self) -> String {
        match self {
            NpyFault::Magic { .. } => "the npy magic \"\\x93NUMPY\"".into(),
            NpyFault::NoVersion { .. } => "a 2-byte version".into(),
            NpyFault::Version { .. } => "version 1.0, 2.0 or 3.0".into(),
            NpyFault::NoHeaderLength { size, .. } => format!("a {size}-byte header length"),
            NpyFault::HeaderPastEnd {
                header_len, end, ..
            } => format!("a header of {header_len} bytes, ending at byte {end}"),
            NpyFault::Syntax { expected, .. } => expected.describe().into(),
            NpyFault::Descr { .. } => {
                "descr '<f4', '>f4', '<f8', '>f8', '<f2' or '>f2' (a float matrix)".into()
            }
            NpyFault::NotIntegers { .. } => {
                "an integer descr such as '|u1' or '<i8' (a vector of row origin codes)".into()
            }
            NpyFault::ValueType { key: NpyKey::Descr } => {
                "descr as a type string such as '<f4'".into()
            }
            NpyFault::ValueType { key: NpyKey::Shape } => "shape as a tuple (rows, cols)".into(),
            NpyFault::ValueType {
                key: NpyKey::FortranOrder,
            } => "fortran_order True or False".into(),
            NpyFault::NotTwoD { .. } => "a 2-D shape (rows, cols): a matrix".into(),
            NpyFault::NotOneD { .. } => "a 1-D shape (rows,): one code per row".into(),
            NpyFault::UnknownKey { .. } => {
                "only the keys 'descr', 'fortran_order' and 'shape'".into()
            }
            NpyFault::RepeatedKey { .. } => "each key once".into(),
            NpyFault::MissingKey { .. } => {
                "a header dict with 'descr', 'fortran_order' and 'shape'".into()
            }
            NpyFault::DataSize {
                shape,
                descr,
                needed,
                ..
            } => {
                let need = match needed {
                    None => "more than 2^64 bytes of data".to_string(),
                    Some(n) => format!("{n} bytes of data"),
                };
                let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
                let shape = match &dims[..] {
                    [one] => format!("({one},)"),
                    _ => format!("({})", dims.join(", ")),
                };
                format!("{need} for shape {shape} of {descr} after the header")
            }
            NpyFault::F64OutOfRange { .. } => {
                "a value within the f32 range (the matrix is read as f32)".into()
            }
        }
    }

    /// What was found, in words.
    pub fn found(&self) -> String {
        match self {
            NpyFault::Magic { found } | NpyFault::Syntax { found, .. } => found.clone(),
            NpyFault::NoVersion { file_len }
            | NpyFault::NoHeaderLength { file_len, .. }
            | NpyFault::HeaderPastEnd { file_len, .. } => {
                format!("the file ends at byte {file_len}")
            }
            NpyFault::Version { major, minor } => format!("version {major}.{minor}"),
            NpyFault::Descr { found } | NpyFault::NotIntegers { found } => format!("'{found}'"),
            NpyFault::ValueType { key: NpyKey::Descr } => {
                "another kind of value (a structured dtype?)".into()
            }
            NpyFault::ValueType { .. } => "another kind of value".into(),
            NpyFault::NotTwoD { dims, shape } | NpyFault::NotOneD { dims, shape } => {
                format!("a {dims}-D shape {shape}")
            }
            NpyFault::UnknownKey { key } => format!("key '{key}'"),
            NpyFault::RepeatedKey { key } => format!("a second '{key}'"),
            NpyFault::MissingKey { key } => format!("no '{}'", key.name()),
            NpyFault::DataSize {
                have, data_offset, ..
            } => format!("{have} bytes from byte {data_offset} to the end of the file"),
            NpyFault::F64OutOfRange { value } => format!("{value:e}"),
        }
    }
}

/// The kind of a JSON value, as found where another was expected
/// ([`JsonFault::WrongValue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonKind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonKind {
    /// The kind of `value`.
    pub fn of(value: &serde_json::Value) -> Self {
        use serde_json::Value;
        match value {
            Value::Null => JsonKind::Null,
            Value::Bool(_) => JsonKind::Bool,
            Value::Number(_) => JsonKind::Number,
            Value::String(_) => JsonKind::String,
            Value::Array(_) => JsonKind::Array,
            Value::Object(_) => JsonKind::Object,
        }
    }

    /// The kind, in words ("null", "a number", "an array", ...).
    pub fn describe(self) -> &'static str {
        match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "a boolean",
            JsonKind::Number => "a number",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        }
    }
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// What a key of a JSON vocabulary must hold ([`JsonFault::WrongValue`],
/// [`JsonFault::Missing`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonExpected {
    /// A vocabulary of a kind [`detect_kind`](crate::vocab::detect_kind) knows, at
    /// the root of a document read for any kind.
    Vocabulary,
    /// A JSON array of token strings (the root of a JSON token list).
    TokenStrings,
    /// A token string (an element of a JSON token list).
    TokenString,
    /// An object of `token: id` entries (a `vocab.json`, Keras 3's id map, a
    /// `tokenizer.json`'s `model.vocab` for WordLevel, WordPiece and BPE).
    IdObject,
    /// An integer id (the value of a `token: id` entry, Unigram's `unk_id`).
    IntegerId,
    /// A `tokenizer.json`'s `model`: an object.
    TokenizerModel,
    /// A Unigram `model.vocab`: an array of `[token, score]` pairs.
    UnigramPairs,
    /// One `[token, score]` pair of a Unigram `model.vocab`.
    UnigramPair,
    /// A `tokenizer.json`'s `added_tokens`: an array of objects.
    AddedTokens,
    /// One of `added_tokens`: an object with a string `content` and an integer `id`.
    AddedToken,
    /// A string or `null`.
    StringOrNull,
    /// A string.
    String,
    /// `true` or `false`.
    Bool,
    /// A non-negative integer or `null`.
    CountOrNull,
    /// A non-negative integer count (`word_counts`, `word_docs`, `index_docs`).
    Count,
    /// A positive integer index (`word_index`: Keras numbers words from 1).
    PositiveIndex,
    /// An integer index as the key of `index_docs`.
    IndexKey,
    /// A non-empty separator (`split`).
    NonEmptySeparator,
    /// A Keras `Tokenizer.to_json()` document or a bare `word_index` object, at the
    /// root of a Keras tokenizer file.
    KerasDocument,
    /// The class name `"Tokenizer"`.
    TokenizerClass,
    /// A Keras tokenizer's `config`: an object.
    TokenizerConfig,
    /// A JSON object encoded in a string, as `Tokenizer.to_json()` writes
    /// `word_index`, `word_counts`, ...
    EncodedObject,
}

impl JsonExpected {
    /// What was expected, in words.
    pub fn describe(self) -> &'static str {
        match self {
            JsonExpected::Vocabulary => {
                "a vocabulary: an array of token strings, an object of token ids, a Keras \
                 tokenizer or a Hugging Face tokenizer.json"
            }
            JsonExpected::TokenStrings => "an array of token strings",
            JsonExpected::TokenString => "a token string",
            JsonExpected::IdObject => "an object of token ids",
            JsonExpected::IntegerId => "an integer id",
            JsonExpected::TokenizerModel => "an object (the tokenizer's model)",
            JsonExpected::UnigramPairs => "an array of [token, score] pairs",
            JsonExpected::UnigramPair => "a [token, score] pair",
            JsonExpected::AddedTokens => "an array of added tokens",
            JsonExpected::AddedToken => "an object with a string `content` and an integer `id`",
            JsonExpected::StringOrNull => "a string or null",
            JsonExpected::String => "a string",
            JsonExpected::Bool => "true or false",
            JsonExpected::CountOrNull => "a non-negative integer or null",
            JsonExpected::Count => "a non-negative integer count",
            JsonExpected::PositiveIndex => {
                "a positive integer index (Keras numbers words from 1; 0 is padding)"
            }
            JsonExpected::IndexKey => "an integer index as key",
            JsonExpected::NonEmptySeparator => "a non-empty separator",
            JsonExpected::KerasDocument => "a Keras tokenizer JSON object or a word_index object",
            JsonExpected::TokenizerClass => "\"Tokenizer\"",
            JsonExpected::TokenizerConfig => "an object (the tokenizer configuration)",
            JsonExpected::EncodedObject => "a JSON object encoded in a string",
        }
    }
}

impl fmt::Display for JsonExpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// What is wrong at a key of a JSON vocabulary that parses ([`Error::JsonShape`]).
///
/// Values taken from the file are data: a token, an id, the text of a scalar.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonFault {
    /// A value of the wrong kind, or of the right kind but not allowed there (a
    /// negative count, an empty `split`, another class than `"Tokenizer"`).
    WrongValue {
        /// What the key must hold.
        expected: JsonExpected,
        /// The kind of value found.
        found: JsonKind,
        /// The value as JSON text, for a boolean, a number or a string (a string
        /// cut to 40 characters); `None` for null, an array or an object.
        value: Option<String>,
    },
    /// A required key that is absent.
    Missing {
        /// What the key must hold.
        expected: JsonExpected,
    },
    /// A document of no vocabulary kind, at its root: an array whose elements are
    /// not all strings, an object whose values are not all token ids.
    NotAVocabulary {
        /// The kind of the root (an array or an object: other text is a token list).
        found: JsonKind,
    },
    /// An id outside `0..tokens`: the ids of a vocabulary are 0, 1, 2, ... without
    /// gaps.
    IdOutOfRange {
        /// The id.
        id: i64,
        /// The vocabulary's tokens (the ids allowed are below it).
        tokens: usize,
    },
    /// An id (a Keras index) given to two tokens.
    DuplicateId {
        /// The id.
        id: i64,
        /// The token that has it already.
        token: String,
    },
    /// A token given twice (two entries of an array, two added tokens).
    DuplicateToken {
        /// The token.
        token: String,
        /// The JSON path of its first entry.
        first: String,
    },
    /// A word given twice as a key of one Keras object (`word_index`,
    /// `word_counts`, `word_docs`).
    DuplicateWord {
        /// The word.
        word: String,
    },
    /// A gap in a Keras `word_index`: its indices are 1, 2, 3, ... (except index 1
    /// when the OOV token is also a word, as Keras leaves it).
    IndexGap {
        /// The index found.
        index: i64,
        /// The index due at that place.
        due: u64,
    },
    /// A token that cannot be a row of the vocabulary: empty other than at id 0,
    /// or one a token list (one token per line) cannot hold.
    BadToken {
        /// The token.
        token: String,
        /// Its id (a Keras index).
        id: i64,
        /// What is wrong with it.
        fault: crate::vocab::TokenFault,
    },
    /// A `tokenizer.json` model type this crate does not read.
    UnknownModelType {
        /// The type in the file.
        found: String,
    },
    /// An added token that the model's vocabulary has under another id.
    AddedTokenId {
        /// The token.
        token: String,
        /// The id `added_tokens` gives it.
        id: i64,
        /// The id the model's vocabulary gives it.
        model_id: i64,
    },
    /// A string that should hold a JSON object (Keras' `to_json` encodes its
    /// objects so) but does not parse as one.
    EncodedJson {
        /// What the JSON parser said about the string.
        message: String,
    },
}

/// Shows what was found: the scalar's text, else the kind.
struct FoundValue<'a>(JsonKind, &'a Option<String>);

impl fmt::Display for FoundValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(text) => f.write_str(text),
            None => f.write_str(self.0.describe()),
        }
    }
}

impl JsonFault {
    /// The fault of a value of the wrong kind (or not allowed): `value`'s kind,
    /// and its text when it is a scalar.
    pub(crate) fn wrong_value(expected: JsonExpected, value: &serde_json::Value) -> Self {
        JsonFault::WrongValue {
            expected,
            found: JsonKind::of(value),
            value: scalar_text(value),
        }
    }
}

/// A scalar JSON value as text (a string quoted and cut to 40 characters, with
/// `...` after a cut); `None` for null, arrays and objects.
fn scalar_text(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        Value::String(s) if s.chars().count() > 40 => {
            Some(format!("{:?}...", s.chars().take(40).collect::<String>()))
        }
        Value::String(s) => Some(format!("{s:?}")),
        other => Some(other.to_string()),
    }
}

impl fmt::Display for JsonFault {
    /// What was expected and what was found, in library terms.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::vocab::TokenFault;
        match self {
            JsonFault::WrongValue {
                expected,
                found,
                value,
            } => write!(f, "expected {expected}, found {}", FoundValue(*found, value)),
            JsonFault::Missing { expected } => write!(f, "expected {expected}, found no such key"),
            JsonFault::NotAVocabulary { found } => {
                let found = match found {
                    JsonKind::Array => "an array of other values than strings",
                    JsonKind::Object => "an object of other values than token ids",
                    kind => kind.describe(),
                };
                write!(f, "expected {}, found {found}", JsonExpected::Vocabulary)
            }
            JsonFault::IdOutOfRange { id, tokens } => write!(
                f,
                "expected an id below {tokens}, the number of tokens (ids 0, 1, 2, ... without \
                 gaps), found {id}"
            ),
            JsonFault::DuplicateId { id, token } => {
                write!(f, "expected each id once, found {id}, already the id of {token:?}")
            }
            JsonFault::DuplicateToken { token, first } => {
                write!(f, "expected each token once, found {token:?} again (first at {first})")
            }
            JsonFault::DuplicateWord { word } => write!(
                f,
                "expected each word once, found a second entry for {word:?}"
            ),
            JsonFault::IndexGap { index, due } => write!(
                f,
                "expected indices 1, 2, 3, ... without gaps, found index {index} where {due} was due"
            ),
            JsonFault::BadToken {
                id,
                fault: TokenFault::Empty,
                ..
            } => write!(
                f,
                "expected the empty token only at id 0 (Keras 3's padding token), found it at id {id}"
            ),
            JsonFault::BadToken { token, fault, .. } => write!(
                f,
                "expected a token without line breaks or a leading byte-order mark (a \
                 vocabulary's token list holds one token per line), found {token:?}, which {}",
                fault.describe()
            ),
            JsonFault::UnknownModelType { found } => write!(
                f,
                "expected \"WordLevel\", \"WordPiece\", \"BPE\" or \"Unigram\", found {found:?}"
            ),
            JsonFault::AddedTokenId {
                token,
                id,
                model_id,
            } => write!(
                f,
                "expected the id the model's vocabulary gives {token:?} ({model_id}), found {id}"
            ),
            JsonFault::EncodedJson { message } => write!(
                f,
                "expected {}, found a string that does not parse: {message}",
                JsonExpected::EncodedObject
            ),
        }
    }
}

/// A field of a native fastText model ([`ModelFault::field`]), named in messages as
/// fastText's sources name it (`dim`, `nwords`, `pruneidx_size`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelField {
    /// The format version after the magic.
    Version,
    /// `dim`, the vector size.
    Dim,
    /// `loss`, the loss function's code.
    Loss,
    /// `model`, the model kind's code.
    Model,
    /// `bucket`, the number of n-gram buckets.
    Bucket,
    /// `minn`, the shortest n-gram.
    Minn,
    /// `maxn`, the longest n-gram.
    Maxn,
    /// The dictionary's `size`, its number of entries.
    DictionarySize,
    /// `nwords`, the words among the entries.
    Nwords,
    /// `nlabels`, the labels among the entries.
    Nlabels,
    /// `pruneidx_size`, the pairs of the prune index.
    PruneidxSize,
    /// The length of an entry's word.
    WordLength,
    /// An entry's type byte (0 word, 1 label).
    EntryType,
    /// A (bucket, row) pair of the prune index.
    PruneIndexPair,
    /// The flag saying whether the input matrix is quantized.
    QuantizedInput,
    /// The flag saying whether the output matrix is quantized.
    QuantizedOutput,
    /// A quantized matrix's `qnorm` flag.
    Qnorm,
    /// A matrix's row count `m`.
    MatrixRows,
    /// A matrix's column count `n`.
    MatrixColumns,
    /// The input matrix's rows and columns together.
    InputMatrixShape,
    /// A quantized matrix's `codesize`.
    CodeSize,
    /// A product quantizer's `dim`.
    QuantizerDim,
    /// A product quantizer's `nsubq`, `dsub` and `lastdsub`.
    QuantizerSplit,
    /// The file's length.
    FileLength,
}

impl ModelField {
    /// The field's name in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelField::Version => "version",
            ModelField::Dim => "dim",
            ModelField::Loss => "loss",
            ModelField::Model => "model",
            ModelField::Bucket => "bucket",
            ModelField::Minn => "minn",
            ModelField::Maxn => "maxn",
            ModelField::DictionarySize => "dictionary size",
            ModelField::Nwords => "nwords",
            ModelField::Nlabels => "nlabels",
            ModelField::PruneidxSize => "pruneidx_size",
            ModelField::WordLength => "word length",
            ModelField::EntryType => "entry type",
            ModelField::PruneIndexPair => "prune index pair",
            ModelField::QuantizedInput => "quantized input flag",
            ModelField::QuantizedOutput => "quantized output flag",
            ModelField::Qnorm => "qnorm flag",
            ModelField::MatrixRows => "matrix rows",
            ModelField::MatrixColumns => "matrix columns",
            ModelField::InputMatrixShape => "input matrix shape",
            ModelField::CodeSize => "code size",
            ModelField::QuantizerDim => "quantizer dim",
            ModelField::QuantizerSplit => "quantizer nsubq, dsub, lastdsub",
            ModelField::FileLength => "file length",
        }
    }
}

impl fmt::Display for ModelField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a field of a native fastText model holds and what the format allows there
/// ([`Error::BadModel`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ModelFault {
    /// A count or code outside the range the format (or this reader) allows.
    OutOfRange {
        /// The field.
        field: ModelField,
        /// The smallest value allowed.
        min: i64,
        /// The largest value allowed.
        max: i64,
        /// The value in the file.
        found: i64,
    },
    /// A flag byte other than 0 or 1.
    NotAFlag {
        /// The flag.
        field: ModelField,
        /// The byte in the file.
        found: u8,
    },
    /// An `nlabels` other than the dictionary size minus `nwords`.
    LabelCount {
        /// The dictionary size.
        size: i64,
        /// `nwords`.
        nwords: i64,
        /// `nlabels` in the file.
        found: i64,
    },
    /// A dictionary size that the bytes left cannot hold.
    DictionaryTooLarge {
        /// The size in the file.
        size: i64,
    },
    /// A word of 4 GiB or more.
    WordTooLong {
        /// Its length in bytes.
        len: u64,
    },
    /// An entry whose type disagrees with its place: entries `1..=nwords` are words
    /// (type 0), the entries after them labels (type 1).
    EntryType {
        /// `nwords`.
        nwords: i64,
        /// Whether the entry's place is a label's.
        label: bool,
        /// The type byte in the file.
        found: u8,
    },
    /// A prune-index pair whose bucket or row is out of range.
    PruneIndexPair {
        /// `bucket`: buckets are `0..buckets`.
        buckets: u64,
        /// `pruneidx_size`: rows are `0..rows`.
        rows: i64,
        /// The pair's bucket.
        bucket: i32,
        /// The pair's row.
        row: i32,
    },
    /// A pruned dictionary with a dense input matrix (older fastText wrote such
    /// broken files): the flag must be 1.
    PrunedNotQuantized,
    /// An input matrix of another shape than `nwords` plus the (pruned) buckets,
    /// by `dim`.
    InputShape {
        /// The rows it must have.
        rows: u64,
        /// The columns it must have (`dim`).
        cols: u64,
        /// Whether the buckets are those of a prune index.
        pruned: bool,
        /// Its rows in the file.
        found_rows: u64,
        /// Its columns in the file.
        found_cols: u64,
    },
    /// A `codesize` other than rows times sub-quantizers.
    CodeSize {
        /// The matrix's rows.
        rows: u64,
        /// The quantizer's `nsubq`.
        nsubq: u64,
        /// `codesize` in the file.
        found: u64,
    },
    /// A quantizer `dim` other than the matrix's columns.
    QuantizerDim {
        /// The columns.
        dim: u64,
        /// The quantizer's `dim` in the file.
        found: i32,
    },
    /// Sub-vectors that do not cover the dims: `(nsubq - 1) x dsub + lastdsub`
    /// must be `dim`, with `1 <= lastdsub <= dsub`.
    QuantizerSplit {
        /// The dims to cover.
        dim: u64,
        /// `nsubq` in the file.
        nsubq: i32,
        /// `dsub` in the file.
        dsub: i32,
        /// `lastdsub` in the file.
        lastdsub: i32,
    },
    /// Bytes after the output matrix.
    TrailingBytes {
        /// Where the output matrix ends.
        end: u64,
        /// How many bytes follow.
        extra: u64,
    },
}

impl ModelFault {
    /// The field at fault.
    pub fn field(&self) -> ModelField {
        match *self {
            ModelFault::OutOfRange { field, .. } | ModelFault::NotAFlag { field, .. } => field,
            ModelFault::LabelCount { .. } => ModelField::Nlabels,
            ModelFault::DictionaryTooLarge { .. } => ModelField::DictionarySize,
            ModelFault::WordTooLong { .. } => ModelField::WordLength,
            ModelFault::EntryType { .. } => ModelField::EntryType,
            ModelFault::PruneIndexPair { .. } => ModelField::PruneIndexPair,
            ModelFault::PrunedNotQuantized => ModelField::QuantizedInput,
            ModelFault::InputShape { .. } => ModelField::InputMatrixShape,
            ModelFault::CodeSize { .. } => ModelField::CodeSize,
            ModelFault::QuantizerDim { .. } => ModelField::QuantizerDim,
            ModelFault::QuantizerSplit { .. } => ModelField::QuantizerSplit,
            ModelFault::TrailingBytes { .. } => ModelField::FileLength,
        }
    }

    /// What the format allows there, in words.
    pub fn expected(&self) -> String {
        match *self {
            ModelFault::OutOfRange { min, max, .. } => format!("{min}..={max}"),
            ModelFault::NotAFlag { .. } => "0 or 1".into(),
            ModelFault::LabelCount { size, nwords, .. } => {
                format!(
                    "{} (dictionary size {size} - nwords {nwords})",
                    size - nwords
                )
            }
            ModelFault::DictionaryTooLarge { .. } => "a count the file can hold".into(),
            ModelFault::WordTooLong { .. } => "under 4 GiB".into(),
            ModelFault::EntryType {
                nwords,
                label: false,
                ..
            } => format!("0 (a word: entries 1..={nwords} are words)"),
            ModelFault::EntryType { nwords, .. } => {
                format!("1 (a label: entries after {nwords} are labels)")
            }
            ModelFault::PruneIndexPair { buckets, rows, .. } => {
                format!("a bucket in 0..{buckets} and a row in 0..{rows}")
            }
            ModelFault::PrunedNotQuantized => "1: a pruned dictionary comes only with a \
                quantized matrix (older fastText wrote broken files like this one)"
                .into(),
            ModelFault::InputShape {
                rows, cols, pruned, ..
            } => format!(
                "{rows} x {cols} (nwords + {} by dim)",
                if pruned { "pruned buckets" } else { "buckets" }
            ),
            ModelFault::CodeSize { rows, nsubq, .. } => format!(
                "{} (rows {rows} x {nsubq} sub-quantizers)",
                u128::from(rows) * u128::from(nsubq)
            ),
            ModelFault::QuantizerDim { dim, .. } => dim.to_string(),
            ModelFault::QuantizerSplit { dim, .. } => format!(
                "sub-vectors that cover the {dim} dims ((nsubq - 1) x dsub + lastdsub, \
                 1 <= lastdsub <= dsub)"
            ),
            ModelFault::TrailingBytes { end, .. } => {
                format!("the end of the file after the output matrix (byte {end})")
            }
        }
    }

    /// What the file holds there, in words.
    pub fn found(&self) -> String {
        match *self {
            ModelFault::OutOfRange { found, .. } | ModelFault::LabelCount { found, .. } => {
                found.to_string()
            }
            ModelFault::NotAFlag { found, .. } | ModelFault::EntryType { found, .. } => {
                found.to_string()
            }
            ModelFault::DictionaryTooLarge { size } => size.to_string(),
            ModelFault::WordTooLong { len } => len.to_string(),
            ModelFault::PruneIndexPair { bucket, row, .. } => format!("({bucket}, {row})"),
            ModelFault::PrunedNotQuantized => "0".into(),
            ModelFault::InputShape {
                found_rows,
                found_cols,
                ..
            } => format!("{found_rows} x {found_cols}"),
            ModelFault::CodeSize { found, .. } => found.to_string(),
            ModelFault::QuantizerDim { found, .. } => found.to_string(),
            ModelFault::QuantizerSplit {
                nsubq,
                dsub,
                lastdsub,
                ..
            } => format!("{nsubq}, {dsub}, {lastdsub}"),
            ModelFault::TrailingBytes { extra, .. } => format!("{extra} more bytes"),
        }
    }
}

/// A shape an argument has or should have ([`Error::Shape`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dims {
    /// `n` items of one kind, `of` naming them in the plural (`"words"`, `"rows"`).
    Count {
        /// How many.
        n: usize,
        /// What is counted, plural.
        of: &'static str,
    },
    /// A matrix of `rows` x `cols`.
    Matrix {
        /// Rows.
        rows: usize,
        /// Columns.
        cols: usize,
    },
    /// An array of any rank, its length along each axis.
    Array(Vec<usize>),
}

impl Dims {
    /// `n` items of the kind `of` (plural).
    pub(crate) fn count(n: usize, of: &'static str) -> Self {
        Dims::Count { n, of }
    }

    /// A `rows` x `cols` matrix.
    pub(crate) fn matrix((rows, cols): (usize, usize)) -> Self {
        Dims::Matrix { rows, cols }
    }
}

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dims::Count { n, of } => write!(f, "{n} {of}"),
            Dims::Matrix { rows, cols } => write!(f, "{rows} x {cols}"),
            Dims::Array(axes) => write!(f, "{axes:?}"),
        }
    }
}

/// A shape fault that is not a plain mismatch of [`Dims`] ([`Error::ShapeFault`]).
/// Each message says what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShapeFault {
    /// A matrix with no row or no column where values are needed.
    EmptyMatrix {
        /// Rows found.
        rows: usize,
        /// Columns found.
        cols: usize,
    },
    /// A table whose size in bytes does not fit in memory.
    TooLargeForMemory {
        /// Rows.
        rows: usize,
        /// Values per row.
        cols: usize,
        /// The value type.
        dtype: crate::write::Dtype,
    },
    /// A row count outside `1..=max`.
    RowsOutOfRange {
        /// Rows found.
        rows: usize,
        /// The most rows allowed.
        max: usize,
    },
    /// More ids in a batch than can be counted.
    TooManyIds {
        /// The batch's shape.
        found: Vec<usize>,
        /// The most ids allowed.
        max: usize,
    },
    /// Gradient rows that are not strictly increasing rows of the table.
    UnsortedRows {
        /// Rows in the table (every row must be below).
        below: usize,
        /// Rows in the gradient.
        count: usize,
        /// Its first row.
        first: Option<usize>,
        /// Its last row.
        last: Option<usize>,
    },
    /// Two tables without a word in common.
    NoSharedWord,
    /// A saved table whose rows differ from its token list's.
    TableRows {
        /// The table file.
        path: PathBuf,
        /// Its rows.
        rows: usize,
        /// The token list.
        vocab_path: PathBuf,
        /// Its tokens.
        tokens: usize,
    },
    /// Row origins whose count differs from the table's rows.
    OriginRows {
        /// The file holding the origins.
        path: PathBuf,
        /// Origins found.
        origins: usize,
        /// Rows in the table.
        rows: usize,
    },
    /// A row origin code that names no [`RowOrigin`](crate::RowOrigin).
    UnknownOrigin {
        /// The file holding the origins.
        path: PathBuf,
        /// The row.
        row: usize,
        /// The code found.
        code: i128,
        /// The highest known code.
        max: u8,
    },
    /// A safetensors file without the [`TableTensor::Embeddings`] tensor.
    NoEmbeddings {
        /// The file.
        path: PathBuf,
        /// The tensors it has.
        tensors: Vec<String>,
    },
    /// A safetensors tensor of the wrong value type or shape (what it must hold is
    /// [`TableTensor::layout`]).
    TensorLayout {
        /// The file.
        path: PathBuf,
        /// The tensor.
        tensor: TableTensor,
        /// Its value type.
        dtype: safetensors::Dtype,
        /// Its shape.
        shape: Vec<usize>,
    },
}

impl ShapeFault {
    /// The file the fault is about, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ShapeFault::TableRows { path, .. }
            | ShapeFault::OriginRows { path, .. }
            | ShapeFault::UnknownOrigin { path, .. }
            | ShapeFault::NoEmbeddings { path, .. }
            | ShapeFault::TensorLayout { path, .. } => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for ShapeFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShapeFault::EmptyMatrix { rows, cols } => write!(
                f,
                "expected at least 1 row and 1 column, found {rows} x {cols}"
            ),
            ShapeFault::TooLargeForMemory { rows, cols, dtype } => write!(
                f,
                "expected a size in bytes that fits in memory, found {rows} x {cols} values of {dtype}"
            ),
            ShapeFault::RowsOutOfRange { rows, max } => {
                write!(f, "expected between 1 and {max} rows, found {rows} rows")
            }
            ShapeFault::TooManyIds { found, max } => {
                write!(f, "expected at most {max} ids, found {found:?}")
            }
            ShapeFault::UnsortedRows {
                below,
                count,
                first,
                last,
            } => write!(
                f,
                "expected strictly increasing rows below {below}, found {count} rows, \
                 first {first:?}, last {last:?}"
            ),
            ShapeFault::NoSharedWord => {
                f.write_str("expected tables with words in common, found no shared word")
            }
            ShapeFault::TableRows {
                path,
                rows,
                vocab_path,
                tokens,
            } => write!(
                f,
                "expected {tokens} rows (the tokens of {}), found {rows} rows in {}",
                Shown(vocab_path),
                Shown(path)
            ),
            ShapeFault::OriginRows {
                path,
                origins,
                rows,
            } => write!(
                f,
                "expected {rows} row origins (one per table row), found {origins} in {}",
                Shown(path)
            ),
            ShapeFault::UnknownOrigin {
                path,
                row,
                code,
                max,
            } => write!(
                f,
                "expected a row origin code from 0 to {max}, found code {code} at row {row} of {}",
                Shown(path)
            ),
            ShapeFault::NoEmbeddings { path, tensors } => write!(
                f,
                "expected a tensor `{}` in {}, found the tensors {tensors:?}",
                TableTensor::Embeddings,
                Shown(path)
            ),
            ShapeFault::TensorLayout {
                path,
                tensor,
                dtype,
                shape,
            } => write!(
                f,
                "expected `{tensor}` in {} to hold {}, found {dtype} values of shape {shape:?}",
                Shown(path),
                tensor.layout()
            ),
        }
    }
}

/// What is wrong with a line of an evaluation file ([`Error::BadAnalogyLine`],
/// [`Error::BadPairLine`]).
///
/// Text taken from the file (a score) is data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalLineFault {
    /// A byte that does not continue valid UTF-8 (the position is that byte's).
    NotUtf8 {
        /// The byte.
        byte: u8,
    },
    /// An analogy line that is neither a `: section` line nor a question of 4
    /// words.
    WordCount {
        /// Words on the line.
        words: usize,
    },
    /// An analogy question before the first `: section` line.
    NoSection,
    /// A word-pair line without exactly 3 tab-separated fields.
    FieldCount {
        /// Tab-separated fields on the line.
        fields: usize,
    },
    /// A word-pair score (the third field) that is not a number.
    ScoreNotNumber {
        /// The field's text, cut to 40 characters.
        found: Box<str>,
    },
    /// A word-pair score that is NaN or infinite.
    ScoreNotFinite {
        /// The field's text, cut to 40 characters.
        found: Box<str>,
    },
}

impl fmt::Display for EvalLineFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalLineFault::NotUtf8 { byte } => {
                write!(f, "expected UTF-8 text, found the byte 0x{byte:02x}")
            }
            EvalLineFault::WordCount { words } => write!(
                f,
                "expected a `: section` line or a question of 4 words `a b c expected`, \
                 found {words} words"
            ),
            EvalLineFault::NoSection => f.write_str(
                "expected a `: section` line before the first question, found a question",
            ),
            EvalLineFault::FieldCount { fields } => write!(
                f,
                "expected 3 tab-separated fields `word1<TAB>word2<TAB>score`, \
                 found {fields} fields"
            ),
            EvalLineFault::ScoreNotNumber { found } | EvalLineFault::ScoreNotFinite { found } => {
                write!(
                    f,
                    "expected a finite number as the score (third field), found {found:?}"
                )
            }
        }
    }
}

/// A tensor of a table's safetensors file ([`ShapeFault::TensorLayout`]), as
/// [`write_safetensors`](crate::write::write_safetensors) writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableTensor {
    /// The values: `F32`, `F16` or `BF16`, shape `[rows, dims]`.
    Embeddings,
    /// The row origin codes: integers, shape `[rows]`.
    Origins,
}

impl TableTensor {
    /// The tensor's name in the file ([`EMBEDDINGS`](crate::write::EMBEDDINGS),
    /// [`ORIGINS`](crate::write::ORIGINS)).
    pub fn name(self) -> &'static str {
        match self {
            TableTensor::Embeddings => crate::write::EMBEDDINGS,
            TableTensor::Origins => crate::write::ORIGINS,
        }
    }

    /// What the tensor must hold, in words.
    pub fn layout(self) -> &'static str {
        match self {
            TableTensor::Embeddings => "F32, F16 or BF16 values [rows, dims]",
            TableTensor::Origins => "integers [rows]",
        }
    }
}

impl fmt::Display for TableTensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Shows ` at {pos}` for a known position, nothing otherwise.
struct At(Option<Position>);

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(pos) => write!(f, " at {pos}"),
            None => Ok(()),
        }
    }
}

/// Where a JSON parser stopped: ` at line L, column C (byte B)`, or nothing said
/// when it gave no position.
struct JsonAt<'a>(&'a Position, u64);

impl fmt::Display for JsonAt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.line, self.0.byte) {
            (Some(line), Some(byte)) => {
                write!(f, " at line {line}, column {} (byte {byte})", self.1)
            }
            (Some(line), None) => write!(f, " at line {line}, column {}", self.1),
            _ => f.write_str(" (the parser gave no position)"),
        }
    }
}

/// Shows a path, or `<memory>` for inputs that are not files.
pub(crate) struct Shown<'a>(pub &'a Path);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.as_os_str().is_empty() {
            f.write_str("<memory>")
        } else {
            write!(f, "{}", self.0.display())
        }
    }
}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- files and streams ---------------------------------------------------
    /// An operating-system error while opening, reading or writing `path`.
    #[error("{}: cannot {action}: {source}", Shown(path))]
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done.
        action: IoAction,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// The input path is a directory or another non-regular file.
    #[error("{}: not a regular file (expected a vector file)", Shown(path))]
    NotAFile {
        /// The path given.
        path: PathBuf,
    },

    /// A gzip stream is corrupt or truncated.
    #[error(
        "{}: gzip stream broken at decompressed {pos}: {message} (expected a complete gzip file)",
        Shown(path)
    )]
    Gzip {
        /// The file.
        path: PathBuf,
        /// How many decompressed bytes had been produced when it broke (a bare byte
        /// offset in the decompressed stream).
        pos: Position,
        /// What the decompressor said.
        message: String,
    },

    /// Bytes that are not gzip follow a complete gzip stream.
    #[error("{}: {count} bytes after the end of the gzip data (compressed byte {at}, after {pos} decompressed) are not gzip (expected the file to end with the gzip data; zcat would ignore them with a warning)", Shown(path), pos = pos.byte_or_zero())]
    GzipTrailing {
        /// The file.
        path: PathBuf,
        /// The decompressed bytes before the trailing ones (all of the data).
        pos: Position,
        /// Offset of the first trailing byte in the compressed file.
        at: u64,
        /// How many trailing bytes there are.
        count: u64,
    },

    /// The input exceeds a hard limit (bytes after decompression, rows, dims).
    #[error("{}: {what} exceeds the limit of {limit} (at {pos})", Shown(path))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Where the limit was hit.
        pos: Position,
        /// What grew too large.
        what: &'static str,
        /// The limit, as a number.
        limit: u64,
    },

    // ----- vector files ----------------------------------------------------------
    /// The file holds no bytes, or only white space.
    #[error("{}: empty file (expected word vectors)", Shown(path))]
    Empty {
        /// The file.
        path: PathBuf,
    },

    /// A word2vec header and nothing after it.
    #[error(
        "{}: header only (claims {rows} rows of {dims} dims, but no row follows)",
        Shown(path)
    )]
    HeaderOnly {
        /// The file.
        path: PathBuf,
        /// Rows claimed by the header.
        rows: u64,
        /// Dims claimed by the header.
        dims: u64,
    },

    /// The rows of a file disagree with the row count of its header, while
    /// [`ReadOptions::strict_row_count`](crate::ReadOptions::strict_row_count)
    /// asks for them to agree (a download cut short has fewer).
    #[error(
        "{}: the header claims {header} rows, but the file has {found} (expected as many rows as the header says; was the file cut short?)",
        Shown(path)
    )]
    RowCount {
        /// The file.
        path: PathBuf,
        /// Rows claimed by the header.
        header: u64,
        /// Rows the file has.
        found: u64,
    },

    /// A word2vec header that is not `rows dims`, or has zero or negative counts.
    #[error(
        "{}: bad header at {pos}: expected {fault}, found {found:?}",
        Shown(path)
    )]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// Where.
        pos: Position,
        /// What is wrong with it.
        fault: HeaderFault,
        /// The line's text (cut to 60 bytes).
        found: String,
    },

    /// A header whose counts cannot fit the file (checked before allocating).
    #[error("{}: header claims {rows} rows of {dims} dims, which needs at least {needed} bytes, but the input has {available}", Shown(path))]
    HeaderTooLarge {
        /// The file.
        path: PathBuf,
        /// Rows claimed.
        rows: u64,
        /// Dims claimed.
        dims: u64,
        /// Bytes those counts need at the least.
        needed: u128,
        /// Bytes the input has (or may have, for a compressed stream).
        available: u64,
    },

    /// A row with the wrong number of values.
    #[error(
        "{}: ragged row at {pos}: expected {expected} values after the word, found {found}",
        Shown(path)
    )]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// Where the line starts.
        pos: Position,
        /// Dims of the file.
        expected: usize,
        /// Values found on this line.
        found: usize,
    },

    /// A line with values but no word before them.
    #[error(
        "{}: missing word at {pos}: expected a word followed by {expected} values",
        Shown(path)
    )]
    MissingWord {
        /// The file.
        path: PathBuf,
        /// Where the line starts.
        pos: Position,
        /// Dims of the file.
        expected: usize,
    },

    /// A field that is not a number.
    #[error(
        "{}: bad value at {pos}: field {field} is {text:?}, expected a decimal number",
        Shown(path)
    )]
    BadFloat {
        /// The file.
        path: PathBuf,
        /// Where the field starts.
        pos: Position,
        /// 1-based index of the value after the word.
        field: usize,
        /// The field's text (cut to 40 bytes).
        text: String,
    },

    /// A NaN or infinite value, rejected unless allowed.
    #[error("{}: non-finite value at {pos}: field {field} is {text}, expected a finite number (allow it with `allow_non_finite`)", Shown(path))]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// Where the field starts (text) or the record starts (binary).
        pos: Position,
        /// 1-based index of the value after the word.
        field: usize,
        /// The value as text.
        text: String,
    },

    /// Text that is not valid UTF-8: a word of a vector file or model in strict
    /// mode, or a line of a vocabulary, corpus or evaluation file.
    #[error(
        "{}: invalid UTF-8 at {pos} (expected UTF-8 {})",
        Shown(path),
        if *lossy {
            "words, or Utf8Policy::Lossy in the read options to replace bad bytes"
        } else {
            "text: the file must be UTF-8 (re-encode it, for instance with iconv)"
        }
    )]
    BadUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the bad byte is.
        pos: Position,
        /// Whether the reader could replace bad bytes instead
        /// ([`Utf8Policy::Lossy`](crate::Utf8Policy::Lossy): vector files and models).
        lossy: bool,
    },

    /// A word2vec binary record cut short.
    #[error(
        "{}: truncated record at {pos}: expected {expected} bytes, {available} left",
        Shown(path)
    )]
    TruncatedRecord {
        /// The file.
        path: PathBuf,
        /// Where the record starts.
        pos: Position,
        /// Bytes the record needs.
        expected: u64,
        /// Bytes the input has from the record's start.
        available: u64,
    },

    /// The bytes are not of the format that was asked for or detected.
    #[error("{}: at {pos}: {fault}{}", Shown(path), Suggested(*suggest))]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// Where it became clear.
        pos: Position,
        /// What is wrong.
        fault: FormatFault,
        /// The format the bytes read as, when detection can tell (at most one).
        suggest: Option<Format>,
    },

    // ----- fastText models ------------------------------------------------------
    /// A native fastText model cut short: a part needs more bytes than are left.
    #[error(
        "{}: fastText model cut short at {pos}: the {what} needs {needed} bytes, {available} left (expected a complete .bin or .ftz)",
        Shown(path)
    )]
    ModelTruncated {
        /// The file.
        path: PathBuf,
        /// Where the part starts (with the entry number inside the dictionary).
        pos: Position,
        /// The part (`dictionary entry`, `input matrix`, ...).
        what: &'static str,
        /// Bytes it needs at the least.
        needed: u64,
        /// Bytes left from its start.
        available: u64,
    },

    /// A field of a native fastText model holding a value the format does not allow.
    #[error(
        "{}: bad fastText model at {pos}: {} is {}, expected {}",
        Shown(path), fault.field(), fault.found(), fault.expected()
    )]
    BadModel {
        /// The file.
        path: PathBuf,
        /// Where the field is.
        pos: Position,
        /// The field, what it holds and what the format allows there (boxed, to
        /// keep the error small).
        fault: Box<ModelFault>,
    },

    // ----- vocabularies ---------------------------------------------------------
    /// A token appears twice in a token list.
    #[error(
        "{}: {pos}: duplicate token {token:?} (first at {first}); expected each token once",
        Shown(path)
    )]
    DuplicateToken {
        /// The file.
        path: PathBuf,
        /// Where the repeat is (its line, or its entry in a list without bytes).
        pos: Position,
        /// The token.
        token: String,
        /// Where it first appears (boxed, to keep the error small).
        first: Box<Position>,
    },

    /// A vocabulary with no tokens.
    #[error("{}: empty vocabulary (expected at least one token)", Shown(path))]
    EmptyVocab {
        /// The file.
        path: PathBuf,
    },

    /// A token that cannot be stored (contains a newline, is empty, ...).
    #[error("{}: {pos}: bad token {token:?}: {reason}", Shown(path))]
    BadToken {
        /// The file.
        path: PathBuf,
        /// Where the token is (its line, or its entry in a list without bytes).
        pos: Position,
        /// The token.
        token: Box<str>,
        /// Why it is refused.
        reason: &'static str,
    },

    /// A JSON document that does not parse.
    #[error(
        "{}: invalid JSON{}: {message}",
        Shown(path), JsonAt(pos, *column)
    )]
    Json {
        /// The file.
        path: PathBuf,
        /// Where the parser stopped: the line and its byte (neither when the
        /// parser gave no position).
        pos: Position,
        /// 1-based column (0 without a position).
        column: u64,
        /// What the parser said.
        message: String,
    },

    /// Valid JSON of the wrong shape (not a Keras tokenizer, not a word index, ...):
    /// [`JsonFault`] says what was expected at the key and what was found.
    #[error("{}: key `{key}`{}: {fault}", Shown(path), At(*pos))]
    JsonShape {
        /// The file.
        path: PathBuf,
        /// The JSON path of the offending key (`config.word_index`, `$` for the
        /// root).
        key: String,
        /// Where the key is in the file: the line and byte of its opening quote
        /// (of the element, for an array's, of the value, for the root; inside a
        /// JSON object encoded in a string, as Keras writes its `word_index`, the
        /// byte of the file the key's quote came from). `None` for a key that is
        /// absent ([`JsonFault::Missing`]), and where there are no bytes to point
        /// at (a [`KerasTokenizer`](crate::vocab::KerasTokenizer) fitted, or asked
        /// for its vocabulary after reading).
        pos: Option<Position>,
        /// What is wrong there (boxed, to keep the error small).
        fault: Box<JsonFault>,
    },

    // ----- tables and npy --------------------------------------------------------
    /// An npy file whose header is malformed or disagrees with the file.
    #[error(
        "{}: bad npy at {pos}: expected {}, found {}",
        Shown(path), fault.expected(), fault.found()
    )]
    Npy {
        /// The file.
        path: PathBuf,
        /// Where in the file (a bare byte offset).
        pos: Position,
        /// What is wrong (boxed, to keep the error small).
        fault: Box<NpyFault>,
    },

    /// A `.safetensors` file that the `safetensors` crate cannot read (a header
    /// cut short or not JSON, tensors whose offsets disagree with the file...).
    #[error("{}: bad safetensors: {source}", Shown(path))]
    Safetensors {
        /// The file.
        path: PathBuf,
        /// The `safetensors` crate's diagnosis.
        #[source]
        source: safetensors::SafeTensorError,
    },

    /// A NaN or infinite value for a GloVe or word2vec output, refused unless
    /// [`Layout::allow_non_finite`](crate::write::Layout::allow_non_finite) (npy and
    /// safetensors hold any value).
    #[error("{}: cannot write matrix[{row}, {column}] = {value} (word {word:?}): expected a finite number, as most GloVe and word2vec readers do (`Layout::allow_non_finite` writes it; npy and safetensors store any value)", Shown(path))]
    NonFiniteOutput {
        /// The output file.
        path: PathBuf,
        /// 0-based row of the matrix.
        row: usize,
        /// 0-based column of the matrix.
        column: usize,
        /// The row's word.
        word: String,
        /// The value (`NaN`, `inf` or `-inf`).
        value: f32,
    },

    /// A finite value too large for the value type of the output (`f16`, `bf16`),
    /// refused rather than written as an infinity.
    #[error("{}: cannot write matrix[{row}, {column}] = {value:e}{} as {dtype}: expected a magnitude of at most {max:e}, the largest finite {dtype} (save as f32 to keep it)", Shown(path), word.as_ref().map(|w| format!(" (word {w:?})")).unwrap_or_default())]
    OutOfRangeOutput {
        /// The output file.
        path: PathBuf,
        /// 0-based row of the matrix.
        row: usize,
        /// 0-based column of the matrix.
        column: usize,
        /// The row's word, when the output has words.
        word: Option<String>,
        /// The value.
        value: f32,
        /// The value type asked for (`f16`, `bf16`).
        dtype: crate::write::Dtype,
        /// Its largest finite value.
        max: f32,
    },

    /// An output that already exists, refused without `force`.
    #[error(
        "{}: output exists (refusing to overwrite it; `SaveOptions::force` replaces it)",
        Shown(path)
    )]
    OutputExists {
        /// The output path.
        path: PathBuf,
    },

    /// An output path that names an input.
    #[error("{}: output would overwrite the input", Shown(path))]
    OutputIsInput {
        /// The path.
        path: PathBuf,
    },

    /// An output path that names a device, a FIFO or a socket (or a symbolic link
    /// to one): outputs are only ever regular files, so it is never replaced.
    #[error("{}: the output is {kind}, not a regular file; refusing to replace it (expected a regular file or a new name)", Shown(path))]
    OutputNotRegular {
        /// The path.
        path: PathBuf,
        /// What it is: "a character device", "a FIFO", "a symbolic link to a socket"...
        kind: String,
    },

    // ----- evaluation files --------------------------------------------------------
    /// A line of an analogy file (`questions-words.txt` format) that is neither a
    /// `: section` line nor a question of four words.
    #[error("{}: bad analogy line at {pos}: {fault}", Shown(path))]
    BadAnalogyLine {
        /// The file.
        path: PathBuf,
        /// Where the line (or the offending byte) is.
        pos: Position,
        /// What is wrong with it: [`EvalLineFault::NotUtf8`],
        /// [`EvalLineFault::WordCount`] or [`EvalLineFault::NoSection`].
        fault: EvalLineFault,
    },

    /// A line of a word-pairs file (`word1<TAB>word2<TAB>score`) that does not parse.
    #[error("{}: bad word-pair line at {pos}: {fault}", Shown(path))]
    BadPairLine {
        /// The file.
        path: PathBuf,
        /// Where the line (or the offending field) starts.
        pos: Position,
        /// What is wrong with it: [`EvalLineFault::NotUtf8`],
        /// [`EvalLineFault::FieldCount`], [`EvalLineFault::ScoreNotNumber`] or
        /// [`EvalLineFault::ScoreNotFinite`].
        fault: EvalLineFault,
    },

    /// A word-pairs file none of whose pairs can be scored (every pair has an
    /// unknown word, or the file has no pairs).
    #[error("{}: no pair to score: {scored} pairs with both words known, {unknown} with an unknown word (expected at least 2 known pairs)", Shown(path))]
    NoPairs {
        /// The file.
        path: PathBuf,
        /// Pairs whose words were both known.
        scored: usize,
        /// Pairs skipped for an unknown word.
        unknown: usize,
    },

    /// A query word that the vectors do not have (or not among the rows searched).
    #[error("unknown word {word:?}: expected a word of the vectors{}", restricted.map(|n| format!(" among the first {n} rows")).unwrap_or_default())]
    UnknownWord {
        /// The word.
        word: String,
        /// The `restrict_vocab` in force, if any.
        restricted: Option<usize>,
    },

    // ----- in-memory checks --------------------------------------------------------
    /// A token id outside the table.
    #[error("id {id} at [{batch}, {position}] is out of range: expected an id below {rows}")]
    IdOutOfRange {
        /// The offending id.
        id: i64,
        /// Row of the batch.
        batch: usize,
        /// Position in the sequence.
        position: usize,
        /// Rows in the table.
        rows: usize,
    },

    /// Arrays of shapes that do not fit together.
    #[error("shape mismatch in {what}: expected {expected}, found {found}")]
    Shape {
        /// Which argument.
        what: &'static str,
        /// The expected shape.
        expected: Dims,
        /// The shape given.
        found: Dims,
    },

    /// An argument or stored table whose shape is wrong in a way other than a plain
    /// mismatch ([`ShapeFault`] says what was expected and found).
    #[error("bad shape of {what}: {fault}")]
    ShapeFault {
        /// Which argument or table.
        what: &'static str,
        /// What is wrong.
        fault: Box<ShapeFault>,
    },

    /// An option value or a combination of options that cannot work.
    #[error("invalid {option}: {message}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },

    /// A vocabulary setting that the kind of vocabulary cannot take: `max_words`
    /// for a kind other than a Keras 2 tokenizer (or corpus fit), reserved tokens
    /// named for Keras 3's `TextVectorization`, whose rows are fixed.
    #[error("{}: {} does not apply to a {}{}", Shown(path), setting.name(), kind.describe(), setting.instead(*kind))]
    NotForKind {
        /// The vocabulary file (or corpus).
        path: PathBuf,
        /// The setting given.
        setting: crate::vocab::VocabSetting,
        /// The kind of vocabulary.
        kind: crate::vocab::VocabKind,
    },

    /// A reserved token named by a setting that the vocabulary does not have: not
    /// one of its tokens, or not the OOV token a Keras tokenizer was fitted with
    /// (`has`: the tokenizer's own, if any).
    #[error("{}: {}", Shown(path), reserved_message(*setting, asked, *kind, has.as_deref()))]
    ReservedToken {
        /// The vocabulary file.
        path: PathBuf,
        /// Which reserved row: [`VocabSetting::Padding`](crate::vocab::VocabSetting::Padding)
        /// or [`VocabSetting::Oov`](crate::vocab::VocabSetting::Oov).
        setting: crate::vocab::VocabSetting,
        /// The token asked for.
        asked: String,
        /// The kind of vocabulary.
        kind: crate::vocab::VocabKind,
        /// The Keras tokenizer's own OOV token (`None`: it has none); `None` for
        /// other kinds.
        has: Option<String>,
    },
}

/// The message of [`Error::ReservedToken`].
fn reserved_message(
    setting: crate::vocab::VocabSetting,
    asked: &str,
    kind: crate::vocab::VocabKind,
    has: Option<&str>,
) -> String {
    use crate::vocab::VocabKind::{KerasTokenizer, KerasWordIndex};
    match (kind, has) {
        (KerasTokenizer | KerasWordIndex, Some(has)) => {
            format!("the tokenizer's OOV token is {has:?}, not {asked:?}")
        }
        (KerasTokenizer | KerasWordIndex, None) => format!(
            "the tokenizer has no OOV token, so its sequences never use {asked:?} (expected its \
             own OOV token, or a tokenizer fitted with oov_token={asked:?})"
        ),
        _ => format!(
            "the {} token {asked:?} is not a token of this {} (expected one of its tokens: \
             add it where its row belongs)",
            setting.row(),
            kind.describe()
        ),
    }
}

impl Error {
    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        use Error::*;
        let p = match self {
            Io { path, .. }
            | NotAFile { path }
            | Gzip { path, .. }
            | GzipTrailing { path, .. }
            | TooLarge { path, .. }
            | Empty { path }
            | HeaderOnly { path, .. }
            | RowCount { path, .. }
            | BadHeader { path, .. }
            | HeaderTooLarge { path, .. }
            | RaggedRow { path, .. }
            | MissingWord { path, .. }
            | BadFloat { path, .. }
            | NonFinite { path, .. }
            | BadUtf8 { path, .. }
            | TruncatedRecord { path, .. }
            | WrongFormat { path, .. }
            | ModelTruncated { path, .. }
            | BadModel { path, .. }
            | DuplicateToken { path, .. }
            | EmptyVocab { path }
            | BadToken { path, .. }
            | Json { path, .. }
            | JsonShape { path, .. }
            | Npy { path, .. }
            | Safetensors { path, .. }
            | NonFiniteOutput { path, .. }
            | OutOfRangeOutput { path, .. }
            | OutputExists { path }
            | OutputIsInput { path }
            | OutputNotRegular { path, .. }
            | BadAnalogyLine { path, .. }
            | BadPairLine { path, .. }
            | NoPairs { path, .. }
            | NotForKind { path, .. }
            | ReservedToken { path, .. } => path,
            ShapeFault { fault, .. } => return fault.path(),
            IdOutOfRange { .. } | Shape { .. } | InvalidOption { .. } | UnknownWord { .. } => {
                return None
            }
        };
        Some(p.as_path())
    }

    /// The position inside the input, for errors that have one.
    pub fn position(&self) -> Option<Position> {
        use Error::*;
        match self {
            TooLarge { pos, .. }
            | GzipTrailing { pos, .. }
            | BadHeader { pos, .. }
            | RaggedRow { pos, .. }
            | MissingWord { pos, .. }
            | BadFloat { pos, .. }
            | NonFinite { pos, .. }
            | BadUtf8 { pos, .. }
            | TruncatedRecord { pos, .. }
            | WrongFormat { pos, .. }
            | BadAnalogyLine { pos, .. }
            | BadPairLine { pos, .. }
            | ModelTruncated { pos, .. }
            | BadModel { pos, .. }
            | Gzip { pos, .. }
            | Npy { pos, .. }
            | DuplicateToken { pos, .. }
            | BadToken { pos, .. } => Some(*pos),
            // A parser error without a position has none to give.
            Json { pos, .. } => Some(*pos).filter(|p| *p != Position::default()),
            JsonShape { pos, .. } => *pos,
            _ => None,
        }
    }

    /// A [`JsonShape`](Error::JsonShape) error at `key` of `path`, its position
    /// not yet known (the reader that has the file's bytes finds it).
    pub(crate) fn json_shape(path: &Path, key: impl Into<String>, fault: JsonFault) -> Self {
        Error::JsonShape {
            path: path.to_path_buf(),
            key: key.into(),
            pos: None,
            fault: Box::new(fault),
        }
    }

    /// An `Io` error for `path`.
    pub(crate) fn io(path: &Path, action: IoAction, source: io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_print_line_or_record_and_byte() {
        assert_eq!(Position::line(4, 57).to_string(), "line 4, byte 57");
        assert_eq!(Position::record(3, 120).to_string(), "record 3, byte 120");
        assert_eq!(Position::byte(9).to_string(), "byte 9");
        assert_eq!(Position::entry(2).to_string(), "entry 2");
    }

    #[test]
    fn memory_inputs_are_named() {
        let e = Error::EmptyVocab {
            path: PathBuf::new(),
        };
        assert_eq!(
            e.to_string(),
            "<memory>: empty vocabulary (expected at least one token)"
        );
    }

    #[test]
    fn json_errors_without_a_position_invent_none() {
        let e = Error::Json {
            path: "t.json".into(),
            pos: Position::default(),
            column: 0,
            message: "recursion limit exceeded".into(),
        };
        assert_eq!(e.position(), None);
        assert_eq!(
            e.to_string(),
            "t.json: invalid JSON (the parser gave no position): recursion limit exceeded"
        );
        let e = Error::Json {
            path: "t.json".into(),
            pos: Position::line(3, 40),
            column: 9,
            message: "expected value".into(),
        };
        assert_eq!(e.position(), Some(Position::line(3, 40)));
        assert_eq!(
            e.to_string(),
            "t.json: invalid JSON at line 3, column 9 (byte 40): expected value"
        );
    }
}
