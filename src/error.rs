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

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A place inside an input.
///
/// `byte` is the 0-based offset, in the decompressed stream, of the start of the
/// offending line, record or field. `line` is 1-based and set for text inputs;
/// `record` is 1-based and set for binary records (and for npy headers it is unset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// 1-based line number, for text inputs.
    pub line: Option<u64>,
    /// 1-based record number, for word2vec binary (the header is not a record).
    pub record: Option<u64>,
    /// 0-based byte offset in the (decompressed) input.
    pub byte: u64,
}

impl Position {
    /// A position on a text line.
    pub fn line(line: u64, byte: u64) -> Self {
        Position {
            line: Some(line),
            record: None,
            byte,
        }
    }

    /// A position at a binary record.
    pub fn record(record: u64, byte: u64) -> Self {
        Position {
            line: None,
            record: Some(record),
            byte,
        }
    }

    /// A bare byte offset.
    pub fn byte(byte: u64) -> Self {
        Position {
            line: None,
            record: None,
            byte,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.record) {
            (Some(l), _) => write!(f, "line {l}, byte {}", self.byte),
            (None, Some(r)) => write!(f, "record {r}, byte {}", self.byte),
            (None, None) => write!(f, "byte {}", self.byte),
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
        /// What was being done ("open", "read", "write", "rename", ...).
        action: &'static str,
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
    #[error("{}: gzip stream broken near decompressed byte {byte}: {message} (expected a complete gzip file)", Shown(path))]
    Gzip {
        /// The file.
        path: PathBuf,
        /// How many decompressed bytes had been produced when it broke.
        byte: u64,
        /// What the decompressor said.
        message: String,
    },

    /// Bytes that are not gzip follow a complete gzip stream.
    #[error("{}: {count} bytes after the end of the gzip data (compressed byte {at}, after {pos} decompressed) are not gzip (expected the file to end with the gzip data; zcat would ignore them with a warning)", Shown(path), pos = pos.byte)]
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
        "{}: bad header at {pos}: expected {expected}, found {found:?}",
        Shown(path)
    )]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// Where.
        pos: Position,
        /// What a header must look like.
        expected: &'static str,
        /// What was there.
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

    /// A word that is not valid UTF-8, in strict mode.
    #[error(
        "{}: invalid UTF-8 at {pos} (expected UTF-8 words; use lossy UTF-8 to replace bad bytes)",
        Shown(path)
    )]
    BadUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the bad byte is.
        pos: Position,
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
    #[error("{}: at {pos}: {message}", Shown(path))]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// Where it became clear.
        pos: Position,
        /// What was expected and what was seen, with a hint where one helps.
        message: String,
    },

    // ----- vocabularies ---------------------------------------------------------
    /// A token appears twice in a token list.
    #[error("{}: line {line}: duplicate token {token:?} (first on line {first_line}); expected each token once", Shown(path))]
    DuplicateToken {
        /// The file.
        path: PathBuf,
        /// 1-based line of the repeat.
        line: u64,
        /// The token.
        token: String,
        /// 1-based line where it first appears.
        first_line: u64,
    },

    /// A vocabulary with no tokens.
    #[error("{}: empty vocabulary (expected at least one token)", Shown(path))]
    EmptyVocab {
        /// The file.
        path: PathBuf,
    },

    /// A token that cannot be stored (contains a newline, is empty, ...).
    #[error("{}: line {line}: bad token {token:?}: {reason}", Shown(path))]
    BadToken {
        /// The file.
        path: PathBuf,
        /// 1-based line or row (0 when not from a file).
        line: u64,
        /// The token.
        token: String,
        /// Why it is refused.
        reason: &'static str,
    },

    /// A JSON document that does not parse.
    #[error(
        "{}: invalid JSON at line {line}, column {column}: {message}",
        Shown(path)
    )]
    Json {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// 1-based column.
        column: u64,
        /// What the parser said.
        message: String,
    },

    /// Valid JSON of the wrong shape (not a Keras tokenizer, not a word index, ...).
    #[error("{}: key `{key}`: expected {expected}, found {found}", Shown(path))]
    JsonShape {
        /// The file.
        path: PathBuf,
        /// The JSON path of the offending key (`config.word_index`).
        key: String,
        /// What was expected there.
        expected: &'static str,
        /// What was found (a short description).
        found: String,
    },

    // ----- tables and npy --------------------------------------------------------
    /// An npy file whose header is malformed or disagrees with the file.
    #[error(
        "{}: bad npy at byte {byte}: expected {expected}, found {found}",
        Shown(path)
    )]
    Npy {
        /// The file.
        path: PathBuf,
        /// Where in the file.
        byte: u64,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },

    /// A NaN or infinite value that a GloVe or word2vec file cannot hold (npy can).
    #[error("{}: cannot write matrix[{row}, {column}] = {value} (word {word:?}): expected a finite number; GloVe and word2vec files hold finite values only (npy stores any value)", Shown(path))]
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
        dtype: &'static str,
        /// Its largest finite value.
        max: f32,
    },

    /// An output that already exists, refused without `force`.
    #[error("{}: output exists (refusing to overwrite; use --force)", Shown(path))]
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
        expected: String,
        /// The shape given.
        found: String,
    },

    /// An option value or a combination of options that cannot work.
    #[error("invalid {option}: {message}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// What is wrong and what is allowed.
        message: String,
    },
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
            | DuplicateToken { path, .. }
            | EmptyVocab { path }
            | BadToken { path, .. }
            | Json { path, .. }
            | JsonShape { path, .. }
            | Npy { path, .. }
            | NonFiniteOutput { path, .. }
            | OutOfRangeOutput { path, .. }
            | OutputExists { path }
            | OutputIsInput { path }
            | OutputNotRegular { path, .. } => path,
            IdOutOfRange { .. } | Shape { .. } | InvalidOption { .. } => return None,
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
            | WrongFormat { pos, .. } => Some(*pos),
            Gzip { byte, .. } | Npy { byte, .. } => Some(Position::byte(*byte)),
            DuplicateToken { line, .. } | BadToken { line, .. } => Some(Position::line(*line, 0)),
            Json { line, .. } => Some(Position::line(*line, 0)),
            _ => None,
        }
    }

    /// An `Io` error for `path`.
    pub(crate) fn io(path: &Path, action: &'static str, source: io::Error) -> Self {
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
}
