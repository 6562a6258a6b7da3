//! Writers for tables and matrices, and outputs that never exist half-written.
//!
//! # Formats
//! | [`OutputFormat`] | extension | bytes |
//! | --- | --- | --- |
//! | `Npy` | `.npy` | NumPy `<f4` (or `<f2`, see [`Dtype`]) C-order matrix, plus a token list sidecar and, for a table, its row origins (`.origins.npy`, `|u1`) |
//! | `Safetensors` | `.safetensors` | tensors `embeddings` `[rows, dims]` (`F32`, `F16` or `BF16`) and, for a table, `origins` `[rows]` (`U8`), with metadata (see [`write_safetensors`]); plus a token list sidecar |
//! | `GloveText` | `.txt` | `word v1 ... vD\n` per row, no header |
//! | `Word2vecText` | `.vec` | `rows dims\n`, then the GloVe lines |
//! | `Word2vecBinary` | `.bin` | `rows dims\n`, then per row the UTF-8 word, a space, `dims` little-endian `f32` and `\n` |
//!
//! # Values
//! Text values are the shortest decimals that parse back to exactly the same `f32`
//! (see [`format_f32`]): positional for magnitudes in `[1e-4, 1e16)` and zero
//! (`0.1`, `-2.5`, `0`, `-0`), scientific otherwise (`1e-30`, `-6.3681e-5`,
//! `3.4028235e38`). NaN and infinities are refused ([`Error::NonFiniteOutput`])
//! by the GloVe and word2vec writers, whose readers (ours included, by default)
//! reject them, unless [`Layout::allow_non_finite`] lets them through: text then
//! holds `nan`, `inf` and `-inf` (as Python and NumPy write them) and binary their
//! bits. npy and safetensors store every `f32` bit for bit, and in `f16` or
//! `bf16` round to nearest, ties to even ([`Dtype`]).
//!
//! # Row origins
//! A table's [`RowOrigin`]s are saved beside its values as one `u8` code per row
//! (the code table is in the [`origin`](crate::origin) module): the `origins`
//! tensor of a `.safetensors`, the `.origins.npy` beside a `.npy`
//! ([`default_origins_path`]). With them a PyTorch or Keras user can train only the
//! rows the vectors lacked (the README has the recipes).
//!
//! # Words
//! Every writer refuses, as [`Error::BadToken`] with the 1-based row as the line, a
//! word that is empty or holds `\n` or `\r`. Beyond that:
//! * GloVe text accepts spaces inside a word (readers split a line from the right,
//!   as Stanford's files need), but not at its start or end, no tab or other
//!   control white space, and no last piece after a space that reads as a number
//!   (`route 66`: with no header, readers would count it as a value). Nor may the
//!   first word start with a byte-order mark, which readers drop. Note that gensim
//!   splits on every space and cannot read spaced words back.
//! * word2vec text and binary refuse any ASCII white space in a word: their readers
//!   (gensim, the original C tool, ours) end a word at the first space.
//! * The token list (vocabulary sidecar) accepts any other word that does not start
//!   with a byte-order mark (which the token list reader, [`Vocab::read`](crate::Vocab::read), refuses).
//!
//! # Outputs
//! [`save_matrix`] and [`EmbeddingTable::save`](crate::EmbeddingTable::save) write
//! through an [`AtomicGroup`]: every file goes to a temporary name and is renamed
//! only when all were written. What a save does comes in two parts
//! ([`SaveOptions`]): the [`Layout`] of the files (value type, metadata, where the
//! token list goes) and the atomic-write [`WritePolicy`] (what may be replaced, what
//! must not be touched). The writers themselves know only words, a matrix and, for
//! a table, its row origins.
//! A program ended by a signal removes the temporaries in progress with
//! [`remove_temp_files`] (async-signal-safe), as the CLI's handlers do.
//!
//! ```
//! use pretrained_vectors::ndarray::array;
//! use pretrained_vectors::write::{save_matrix, OutputFormat, SaveOptions};
//! let dir = tempfile::tempdir()?;
//! let out = dir.path().join("vectors.vec");
//! let m = array![[0.1f32, -2.0], [1e-30, 3.0]];
//! let format = OutputFormat::from_extension(&out)?;
//! save_matrix(&["the", "cat"], m.view(), &out, format, &SaveOptions::new())?;
//! assert_eq!(std::fs::read_to_string(&out)?, "2 2\nthe 0.1 -2\ncat 1e-30 3\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray::ArrayView2;

use crate::error::{Error, IoAction, Position, Result};
use crate::origin::RowOrigin;
use crate::vocab::TokenFault;

mod atomic;
mod dtype;
mod options;
mod safetensors;
mod temps;

pub use self::safetensors::{write_safetensors, EMBEDDINGS, ORIGINS};
pub use atomic::{AtomicFile, AtomicGroup, WritePolicy};
pub use dtype::Dtype;
pub use options::{Layout, SaveOptions};
pub use temps::remove_temp_files;

/// The files this crate writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// A NumPy `.npy` matrix (`<f4`, C order), with a token list beside it.
    Npy,
    /// GloVe text: `word v1 ... vD` lines, no header.
    GloveText,
    /// word2vec text (also fastText `.vec`): a `rows dims` header, then GloVe lines.
    Word2vecText,
    /// word2vec binary: a `rows dims` header, then words and little-endian `f32`s.
    Word2vecBinary,
    /// safetensors: the tensors `embeddings` and `origins`, with a token list beside.
    Safetensors,
}

impl OutputFormat {
    /// The format named by `path`'s extension (any case): `.npy`, `.safetensors`,
    /// `.txt` (GloVe text), `.vec` (word2vec text), `.bin` (word2vec binary).
    ///
    /// ```
    /// use pretrained_vectors::write::OutputFormat;
    /// assert_eq!(OutputFormat::from_extension("table.NPY")?, OutputFormat::Npy);
    /// assert!(OutputFormat::from_extension("table.csv").is_err());
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidOption`] for another or no extension, listing the known ones.
    pub fn from_extension(path: impl AsRef<Path>) -> Result<OutputFormat> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        Ok(match ext.as_deref() {
            Some("npy") => OutputFormat::Npy,
            Some("txt") => OutputFormat::GloveText,
            Some("vec") => OutputFormat::Word2vecText,
            Some("bin") => OutputFormat::Word2vecBinary,
            Some("safetensors") => OutputFormat::Safetensors,
            _ => {
                return Err(Error::InvalidOption {
                    option: "output format",
                    message: format!(
                        "cannot tell the format of {:?} from its extension; expected .npy (NumPy), \
                         .safetensors, .txt (GloVe text), .vec (word2vec text) or .bin \
                         (word2vec binary)",
                        path.display().to_string()
                    ),
                })
            }
        })
    }

    /// The usual extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Npy => "npy",
            OutputFormat::GloveText => "txt",
            OutputFormat::Word2vecText => "vec",
            OutputFormat::Word2vecBinary => "bin",
            OutputFormat::Safetensors => "safetensors",
        }
    }

    /// Whether the format holds values only, with the tokens in a sidecar token
    /// list (npy, safetensors), rather than words and values (the text formats and
    /// word2vec binary).
    pub fn has_token_sidecar(self) -> bool {
        matches!(self, OutputFormat::Npy | OutputFormat::Safetensors)
    }

    /// Whether the format can hold `dtype` (npy has no bfloat16; the GloVe and
    /// word2vec formats hold `f32` only).
    pub fn holds(self, dtype: Dtype) -> bool {
        match self {
            OutputFormat::Npy => dtype.npy_descr().is_some(),
            OutputFormat::Safetensors => true,
            _ => dtype == Dtype::F32,
        }
    }
}

/// Where the token list of an npy table goes by default: `table.npy` ->
/// `table.vocab.txt`.
///
/// ```
/// use std::path::Path;
/// use pretrained_vectors::write::default_vocab_path;
/// assert_eq!(default_vocab_path("out/table.npy"), Path::new("out/table.vocab.txt"));
/// ```
pub fn default_vocab_path(out: impl AsRef<Path>) -> PathBuf {
    out.as_ref().with_extension("vocab.txt")
}

/// Where the row origins of an npy table go: `table.npy` -> `table.origins.npy`
/// (a NumPy `|u1` vector, one code per row; see [`crate::origin`]).
///
/// ```
/// use std::path::Path;
/// use pretrained_vectors::write::default_origins_path;
/// assert_eq!(default_origins_path("out/table.npy"), Path::new("out/table.origins.npy"));
/// ```
pub fn default_origins_path(out: impl AsRef<Path>) -> PathBuf {
    out.as_ref().with_extension("origins.npy")
}

// ----- values -------------------------------------------------------------------------

/// Displays an `f32` as the shortest decimal that parses back to the same value,
/// positional for magnitudes in `[1e-4, 1e16)` and zero, scientific otherwise.
struct Shortest(f32);

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.abs();
        if a.is_nan() {
            // As Python, NumPy and C's printf write it (Rust's own is `NaN`).
            f.write_str("nan")
        } else if a == 0.0 || (1e-4..1e16).contains(&a) || a.is_infinite() {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:e}", self.0)
        }
    }
}

/// The text a GloVe or word2vec writer uses for `x`: the shortest decimal that
/// parses back to exactly `x` (positional for magnitudes in `[1e-4, 1e16)` and
/// zero, scientific otherwise); NaN is `nan` and the infinities `inf` and `-inf`.
///
/// ```
/// use pretrained_vectors::write::format_f32;
/// assert_eq!((format_f32(f32::NAN), format_f32(f32::NEG_INFINITY)), ("nan".into(), "-inf".into()));
/// assert_eq!(format_f32(0.1), "0.1");
/// assert_eq!(format_f32(-6.3681e-5), "-6.3681e-5");
/// assert_eq!(format_f32(1e-30), "1e-30");
/// assert_eq!(format_f32(-0.0), "-0");
/// assert_eq!(format_f32(1e-30).parse::<f32>().unwrap(), 1e-30);
/// ```
pub fn format_f32(x: f32) -> String {
    Shortest(x).to_string()
}

// ----- checks -------------------------------------------------------------------------

/// Which words a format can hold: the rule of [`check_words`], named so that a
/// reader can apply it while it reads and a vocabulary can record that it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Words {
    TokenList,
    Glove,
    Word2vec,
}

impl Words {
    /// The rule of the words of `format` (for npy and safetensors: their token list).
    pub(crate) fn of(format: OutputFormat) -> Words {
        match format {
            OutputFormat::Npy | OutputFormat::Safetensors => Words::TokenList,
            OutputFormat::GloveText => Words::Glove,
            OutputFormat::Word2vecText | OutputFormat::Word2vecBinary => Words::Word2vec,
        }
    }

    /// Why `word` cannot be a row of a vocabulary written in this rule's format,
    /// at any row past the first: the rule of every token ([`TokenFault`]), then
    /// the format's own. For words read from a vector file, whose table row is not
    /// known while they are read (and whose faults do not depend on it: a file
    /// word is never empty, and no row may start with a byte-order mark).
    pub(crate) fn refuses(self, word: &str) -> Option<&'static str> {
        match TokenFault::of(word) {
            Some(fault) => Some(fault.reason()),
            None => fault(self, 1, word),
        }
    }
}

/// Checks, before any work, that a file of `format` can hold each of `words`
/// (for [`OutputFormat::Npy`] and [`OutputFormat::Safetensors`], their token
/// list): the rules every writer applies.
///
/// ```
/// use pretrained_vectors::write::{check_words, OutputFormat};
/// use pretrained_vectors::Error;
/// assert!(check_words(OutputFormat::Npy, &["new york"]).is_ok());
/// let e = check_words(OutputFormat::Word2vecText, &["a", "new york"]).unwrap_err();
/// assert!(matches!(e, Error::BadToken { pos, .. } if pos.record == Some(2)), "{e}");
/// assert!(e.to_string().contains("npy"), "the message says which format can hold it");
/// ```
///
/// # Errors
/// [`Error::BadToken`] for the first word that cannot be held, with an empty path
/// and its 1-based row as the line (callers name their own file and line), and a
/// reason that says which formats can hold it.
pub fn check_words<S: AsRef<str>>(format: OutputFormat, words: &[S]) -> Result<()> {
    let rule = Words::of(format);
    for (row, word) in words.iter().enumerate() {
        check_word(rule, row, word.as_ref())?;
    }
    Ok(())
}

/// As [`fault`], as the error every writer gives (an empty path, the 1-based row).
pub(crate) fn check_word(rule: Words, row: usize, word: &str) -> Result<()> {
    match fault(rule, row, word) {
        None => Ok(()),
        Some(reason) => Err(Error::BadToken {
            path: PathBuf::new(),
            pos: Position::entry(row as u64 + 1),
            token: word.into(),
            reason,
        }),
    }
}

/// Why `word` cannot be row `row` (0-based) of a file of `rule`'s format, if it
/// cannot: the one rule of what each format holds.
fn fault(rule: Words, row: usize, word: &str) -> Option<&'static str> {
    let ws = |c: char| c.is_ascii_whitespace() || c == '\x0b';
    // The rule of every token (crate::vocab::TokenFault) first, then each format's own.
    let reason = match (TokenFault::of(word), rule) {
        (Some(fault), Words::TokenList) if fault.allowed_at(row) => return None,
        (Some(TokenFault::Empty), _) => "empty word (expected at least one character)",
        (Some(TokenFault::LineBreak), _) => {
            "contains a line break (expected one line per word: no output format can hold it)"
        }
        (Some(TokenFault::LeadingBom), Words::TokenList) => {
            "starts with a byte-order mark U+FEFF (a token list would lose it on reading; word2vec text or binary can hold it)"
        }
        (Some(TokenFault::LeadingBom), Words::Glove) if row == 0 => {
            "starts with a byte-order mark U+FEFF (at the start of a GloVe file, readers take it for the file's and drop it; word2vec text or binary can hold it)"
        }
        _ => match rule {
            Words::TokenList => return None,
            Words::Glove if word.starts_with(ws) || word.ends_with(ws) => {
                "starts or ends with white space (a GloVe line could not be split back into this word; npy or safetensors, with their token list, can hold it)"
            }
            Words::Glove if word.contains(|c: char| c != ' ' && ws(c)) => {
                "contains a tab or other control white space (expected spaces only inside a GloVe word; npy or safetensors, with their token list, can hold it)"
            }
            // A GloVe file has no header: readers infer the dims from how many
            // fields at the end of a line are numbers, and take a spaced word whose
            // pieces are numbers for extra values. A spaced word that ends in a
            // number would read back as another word and other dims.
            Words::Glove if word.rsplit(' ').next().is_some_and(|last| {
                word.contains(' ') && fast_float2::parse::<f32, _>(last).is_ok()
            }) => {
                "holds spaces and ends in a number (a GloVe reader would take that number for a value; npy or safetensors, with their token list, can hold it)"
            }
            Words::Word2vec if word.contains(ws) => {
                "contains white space (word2vec readers end a word at the first space; npy or safetensors, with their token list, can hold it, and GloVe text a word with inner spaces)"
            }
            _ => return None,
        },
    };
    Some(reason)
}

/// Checks the words against the matrix and the format before anything is written
/// (`rule` is `None` for words already checked); NaN and infinities only when
/// `allow_non_finite` is off.
fn check_vectors<S: AsRef<str>>(
    rule: Option<Words>,
    words: &[S],
    m: ArrayView2<'_, f32>,
    allow_non_finite: bool,
) -> Result<()> {
    let (rows, cols) = m.dim();
    if words.len() != rows {
        return Err(Error::Shape {
            what: "words and matrix",
            expected: crate::error::Dims::count(rows, "words (one per matrix row)"),
            found: crate::error::Dims::count(words.len(), "words"),
        });
    }
    if rows == 0 || cols == 0 {
        return Err(Error::ShapeFault {
            what: "matrix for a GloVe or word2vec file",
            fault: Box::new(crate::error::ShapeFault::EmptyMatrix { rows, cols }),
        });
    }
    if let Some(rule) = rule {
        for (row, word) in words.iter().enumerate() {
            check_word(rule, row, word.as_ref())?;
        }
    }
    for ((row, column), &value) in m.indexed_iter() {
        if !value.is_finite() && !allow_non_finite {
            return Err(Error::NonFiniteOutput {
                path: PathBuf::new(),
                row,
                column,
                word: words[row].as_ref().to_string(),
                value,
            });
        }
    }
    Ok(())
}

fn io_err(e: std::io::Error) -> Error {
    Error::io(Path::new(""), IoAction::Write, e)
}

/// Fills in the file of an error raised by a writer that did not know it.
fn at_path(path: &Path) -> impl Fn(Error) -> Error + '_ {
    move |e| {
        let mut e = e;
        if let Error::Io { path: p, .. }
        | Error::BadToken { path: p, .. }
        | Error::NonFiniteOutput { path: p, .. }
        | Error::OutOfRangeOutput { path: p, .. } = &mut e
        {
            if p.as_os_str().is_empty() {
                *p = path.to_path_buf();
            }
        }
        e
    }
}

// ----- writers ------------------------------------------------------------------------

/// Writes `matrix` as a NumPy `.npy` of `dtype` (`<f4` or `<f2`, C order,
/// version 1.0); a finite value beyond `dtype`'s range is refused. In `f32` the
/// bytes are those of [`crate::npy::write_matrix`].
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use pretrained_vectors::write::{write_npy_as, Dtype};
/// let mut out = Vec::new();
/// write_npy_as(&mut out, array![[1.0f32, 0.1]].view(), Dtype::F16)?;
/// assert_eq!(&out[out.len() - 4..], &[0x00, 0x3c, 0x66, 0x2e]); // 1.0, 0.1 as f16
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// Before writing anything: [`Error::InvalidOption`] for `bf16` (NumPy has no
/// bfloat16 type), [`Error::OutOfRangeOutput`] for a value beyond the range. Then
/// [`Error::Io`] (with an empty path) when `w` fails.
pub fn write_npy_as<W: Write>(w: &mut W, matrix: ArrayView2<'_, f32>, dtype: Dtype) -> Result<()> {
    npy_descr(dtype)?;
    dtype::check_range::<&str>(dtype, &[], matrix)?;
    write_npy_body(w, matrix, dtype)
}

/// The npy type of `dtype`, or the error for bfloat16.
fn npy_descr(dtype: Dtype) -> Result<&'static str> {
    dtype.npy_descr().ok_or_else(|| Error::InvalidOption {
        option: "dtype",
        message: format!(
            "NumPy has no {} type, so an npy file cannot hold one (a .npy of it would load \
             as raw bytes); expected f32 or f16 for npy, or a safetensors output for bf16",
            dtype.name()
        ),
    })
}

/// [`write_npy_as`] without the checks (callers have made them).
fn write_npy_body<W: Write>(w: &mut W, matrix: ArrayView2<'_, f32>, dtype: Dtype) -> Result<()> {
    let descr = npy_descr(dtype)?;
    w.write_all(&crate::npy::header_for(
        descr,
        &[matrix.nrows(), matrix.ncols()],
    ))
    .map_err(io_err)?;
    dtype::write_values(w, dtype, matrix).map_err(io_err)
}

/// Writes row origins as a NumPy `.npy` vector of `|u1` codes, one per row (the
/// code table is in [`crate::origin`]).
///
/// ```
/// use pretrained_vectors::{write::write_origins_npy, RowOrigin};
/// let mut out = Vec::new();
/// write_origins_npy(&mut out, &[RowOrigin::Padding, RowOrigin::Exact, RowOrigin::Missing])?;
/// assert!(out.starts_with(b"\x93NUMPY"));
/// assert_eq!(&out[out.len() - 3..], &[3, 0, 2]);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] (with an empty path) when `w` fails.
pub fn write_origins_npy<W: Write>(w: &mut W, origins: &[RowOrigin]) -> Result<()> {
    w.write_all(&crate::npy::header_for("|u1", &[origins.len()]))
        .map_err(io_err)?;
    w.write_all(&crate::origin::codes(origins)).map_err(io_err)
}

fn write_lines<W: Write, S: AsRef<str>>(
    w: &mut W,
    words: &[S],
    m: ArrayView2<'_, f32>,
) -> Result<()> {
    use rayon::prelude::*;
    use std::fmt::Write as _;
    // Formatting the shortest decimals is the whole cost: blocks of rows are
    // formatted in parallel, a few per thread at a time, and written in order.
    const BLOCK: usize = 2048;
    let words: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
    let batch = BLOCK * rayon::current_num_threads().max(1) * 4;
    for first in (0..words.len()).step_by(batch) {
        let end = (first + batch).min(words.len());
        let blocks: Vec<String> = (first..end)
            .step_by(BLOCK)
            .collect::<Vec<_>>()
            .into_par_iter()
            .map(|start| {
                let mut text = String::new();
                let stop = (start + BLOCK).min(end);
                for (r, word) in words[start..stop].iter().enumerate() {
                    text.push_str(word);
                    for &x in m.row(start + r) {
                        text.push(' ');
                        let _ = write!(text, "{}", Shortest(x));
                    }
                    text.push('\n');
                }
                text
            })
            .collect();
        for text in blocks {
            w.write_all(text.as_bytes()).map_err(io_err)?;
        }
    }
    Ok(())
}

/// Writes GloVe text: one `word v1 ... vD` line per row, no header.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use pretrained_vectors::write::write_glove_text;
/// let mut out = Vec::new();
/// write_glove_text(&mut out, &["new york"], array![[0.5f32, -1e-7]].view())?;
/// assert_eq!(out, b"new york 0.5 -1e-7\n");
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// Before writing anything: [`Error::Shape`] when the words and rows differ in
/// number, [`Error::ShapeFault`] when the matrix is empty, [`Error::BadToken`] for a word GloVe text cannot
/// hold (see the [module docs](self)), [`Error::NonFiniteOutput`] for NaN or
/// infinity (always here; [`add_outputs`] writes them under
/// [`Layout::allow_non_finite`]). Then [`Error::Io`] (with an empty path) when `w` fails.
pub fn write_glove_text<W: Write, S: AsRef<str>>(
    w: &mut W,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
) -> Result<()> {
    check_vectors(Some(Words::Glove), words, matrix, false)?;
    write_lines(w, words, matrix)
}

/// word2vec text without the checks (callers have made them).
fn write_word2vec_text_body<W: Write, S: AsRef<str>>(
    w: &mut W,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
) -> Result<()> {
    writeln!(w, "{} {}", matrix.nrows(), matrix.ncols()).map_err(io_err)?;
    write_lines(w, words, matrix)
}

/// Writes word2vec text: a `rows dims` line, then one `word v1 ... vD` line per row.
///
/// # Errors
/// As [`write_glove_text`], with word2vec's rule for words (no white space).
pub fn write_word2vec_text<W: Write, S: AsRef<str>>(
    w: &mut W,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
) -> Result<()> {
    check_vectors(Some(Words::Word2vec), words, matrix, false)?;
    write_word2vec_text_body(w, words, matrix)
}

/// Writes word2vec binary: a `rows dims\n` line, then per row the UTF-8 word, one
/// space, `dims` little-endian `f32`s and `\n` (as the original tool and gensim do).
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use pretrained_vectors::write::write_word2vec_binary;
/// let mut out = Vec::new();
/// write_word2vec_binary(&mut out, &["a"], array![[1.0f32]].view())?;
/// assert_eq!(out, b"1 1\na \x00\x00\x80\x3f\n");
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// As [`write_word2vec_text`].
pub fn write_word2vec_binary<W: Write, S: AsRef<str>>(
    w: &mut W,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
) -> Result<()> {
    check_vectors(Some(Words::Word2vec), words, matrix, false)?;
    write_word2vec_binary_body(w, words, matrix)
}

/// word2vec binary without the checks (callers have made them).
fn write_word2vec_binary_body<W: Write, S: AsRef<str>>(
    w: &mut W,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
) -> Result<()> {
    writeln!(w, "{} {}", matrix.nrows(), matrix.ncols()).map_err(io_err)?;
    let mut record = Vec::new();
    for (word, row) in words.iter().zip(matrix.rows()) {
        record.clear();
        record.extend_from_slice(word.as_ref().as_bytes());
        record.push(b' ');
        for &x in row {
            record.extend_from_slice(&x.to_le_bytes());
        }
        record.push(b'\n');
        w.write_all(&record).map_err(io_err)?;
    }
    Ok(())
}

/// Writes one token per line, each ended by `\n`: the token list beside an npy or
/// safetensors table, the one writer of that format. Tokens follow the rule of
/// [`TokenFault`], so [`Vocab::from_bytes`](crate::Vocab::from_bytes) with
/// [`Vocab::token_list_options`](crate::Vocab::token_list_options) reads the result
/// back to the same tokens and reserved rows (counts are not written).
///
/// ```
/// use pretrained_vectors::{write::write_token_list, Vocab};
/// use std::path::Path;
/// let v = Vocab::new(vec!["<pad>".into(), "the".into()])?.padding(0)?;
/// let mut out = Vec::new();
/// write_token_list(&mut out, v.tokens())?;
/// assert_eq!(out, b"<pad>\nthe\n");
/// let back = Vocab::from_bytes(Path::new(""), &out, &v.token_list_options())?;
/// assert_eq!(back.tokens(), v.tokens());
/// assert_eq!(back.get_padding(), Some(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Before writing anything: [`Error::BadToken`] for an empty token (except the
/// first: Keras 3's padding token `""`, an empty first line) or one holding a
/// line break. Then [`Error::Io`] (with an empty path) when `w` fails.
pub fn write_token_list<W: Write, S: AsRef<str>>(w: &mut W, words: &[S]) -> Result<()> {
    for (row, word) in words.iter().enumerate() {
        check_word(Words::TokenList, row, word.as_ref())?;
    }
    write_token_lines(w, words)
}

/// Writes `words` one per line, checked beforehand by the token-list rule.
fn write_token_lines<W: Write, S: AsRef<str>>(mut w: W, words: &[S]) -> Result<()> {
    for word in words {
        w.write_all(word.as_ref().as_bytes()).map_err(io_err)?;
        w.write_all(b"\n").map_err(io_err)?;
    }
    Ok(())
}

// ----- saving -------------------------------------------------------------------------

/// Adds the files of `words` + `matrix` in `format` at `path` to `group` and writes
/// them; nothing is renamed until the group is committed, so a caller can add more
/// outputs (a report) first. An npy or safetensors table also gets its token list
/// (where the [`Layout`] puts it, by default [`default_vocab_path`]) and, given
/// `origins`, its row origins: the `origins` tensor of a safetensors output, the
/// [`default_origins_path`] sidecar of an npy one (the text formats and word2vec
/// binary have no place for them). The [`Layout`] also sets the value type and the
/// metadata.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use std::io::Write;
/// use pretrained_vectors::write::{add_outputs, AtomicGroup, Dtype, Layout, OutputFormat, WritePolicy};
/// use pretrained_vectors::RowOrigin;
/// let dir = tempfile::tempdir()?;
/// let mut group = AtomicGroup::new(WritePolicy::new());
/// let m = array![[0.0f32, 0.0], [1.0, 2.0]];
/// let origins = [RowOrigin::Padding, RowOrigin::Exact];
/// let out = dir.path().join("t.safetensors");
/// let layout = Layout::new().dtype(Dtype::Bf16).metadata("vocabulary", "my list");
/// add_outputs(&mut group, &["<pad>", "x"], m.view(), Some(&origins), &out,
///     OutputFormat::Safetensors, &layout)?;
/// // Without origins, and with the default layout:
/// add_outputs(&mut group, &["<pad>", "x"], m.view(), None, dir.path().join("u.npy"),
///     OutputFormat::Npy, &Layout::new())?;
/// group.create(dir.path().join("report.json"))?.write_all(b"{}")?;
/// // t.safetensors, t.vocab.txt, u.npy, u.vocab.txt, report.json
/// assert_eq!(group.commit()?.len(), 5);
/// assert_eq!(std::fs::read_to_string(dir.path().join("u.vocab.txt"))?, "<pad>\nx\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As the writer of the format, with the file named; as [`AtomicGroup::create`].
/// Also [`Error::InvalidOption`] when `format` cannot hold the layout's dtype,
/// [`Error::Shape`] when the origins and rows differ in number,
/// [`Error::OutOfRangeOutput`] for a value beyond the dtype's range. The checks of
/// the words and values come before any file is created.
pub fn add_outputs<S: AsRef<str>>(
    group: &mut AtomicGroup,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
    origins: Option<&[RowOrigin]>,
    path: impl AsRef<Path>,
    format: OutputFormat,
    layout: &Layout,
) -> Result<()> {
    add_checked_outputs(
        group,
        words,
        matrix,
        origins,
        path.as_ref(),
        format,
        layout,
        false,
    )
}

/// As [`add_outputs`]; `words_checked` says the words are known to meet the rule
/// of `format` (a vocabulary that was checked for it, see
/// [`EmbeddingTable::add_outputs`](crate::EmbeddingTable::add_outputs)), so they
/// are not checked again.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_checked_outputs<S: AsRef<str>>(
    group: &mut AtomicGroup,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
    origins: Option<&[RowOrigin]>,
    path: &Path,
    format: OutputFormat,
    layout: &Layout,
    words_checked: bool,
) -> Result<()> {
    let here = at_path(path);
    let dtype = layout.get_dtype();
    if !format.holds(dtype) {
        if format == OutputFormat::Npy {
            npy_descr(dtype)?;
        }
        return Err(Error::InvalidOption {
            option: "dtype",
            message: format!(
                "{} files hold f32 values only; expected f32, or an npy or safetensors output \
                 for {}",
                format.extension(),
                dtype.name()
            ),
        });
    }
    if format.has_token_sidecar() {
        let vocab = layout.vocab_path_for(path);
        if words.len() != matrix.nrows() {
            return Err(Error::Shape {
                what: "words and matrix",
                expected: crate::error::Dims::count(matrix.nrows(), "words (one per matrix row)"),
                found: crate::error::Dims::count(words.len(), "words"),
            });
        }
        safetensors::check_origins(matrix.nrows(), origins)?;
        if !words_checked {
            for (row, word) in words.iter().enumerate() {
                check_word(Words::TokenList, row, word.as_ref()).map_err(at_path(&vocab))?;
            }
        }
        dtype::check_range(dtype, words, matrix).map_err(&here)?;
        if format == OutputFormat::Npy {
            write_npy_body(group.create(path)?, matrix, dtype).map_err(&here)?;
            if let Some(origins) = origins {
                let at = default_origins_path(path);
                write_origins_npy(group.create(&at)?, origins).map_err(at_path(&at))?;
            }
        } else {
            let mut metadata = layout.get_metadata().clone();
            if let Some(name) = vocab.file_name() {
                metadata.insert("tokens_file".into(), name.to_string_lossy().into_owned());
            }
            safetensors::write_body(group.create(path)?, matrix, origins, dtype, &metadata)
                .map_err(&here)?;
        }
        // The words were checked above (or before): written as they are.
        return write_token_lines(group.create(&vocab)?, words).map_err(at_path(&vocab));
    }
    let rule = (!words_checked).then(|| Words::of(format));
    check_vectors(rule, words, matrix, layout.get_allow_non_finite()).map_err(&here)?;
    let file = group.create(path)?;
    match format {
        OutputFormat::GloveText => write_lines(file, words, matrix),
        OutputFormat::Word2vecText => write_word2vec_text_body(file, words, matrix),
        _ => write_word2vec_binary_body(file, words, matrix),
    }
    .map_err(here)
}

/// Saves `words` + `matrix` at `path` in `format`, atomically; returns the files
/// written (for npy and safetensors: the table and its token list).
///
/// # Errors
/// As [`add_outputs`] and [`AtomicGroup::commit`]. On any error no output is
/// created or changed.
pub fn save_matrix<S: AsRef<str>>(
    words: &[S],
    matrix: ArrayView2<'_, f32>,
    path: impl AsRef<Path>,
    format: OutputFormat,
    options: &SaveOptions,
) -> Result<Vec<PathBuf>> {
    let mut group = AtomicGroup::new(options.policy().clone());
    add_outputs(
        &mut group,
        words,
        matrix,
        None,
        path,
        format,
        options.layout(),
    )?;
    group.commit()
}

#[cfg(test)]
mod tests;
