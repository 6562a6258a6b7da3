//! Why a run of a command line tool failed, shared by `glove-to-table` and
//! `vectors-eval`: a usage error (exit 2) or a data or I/O error (exit 1), and how
//! a library error reads in the tools' terms.

use pretrained_vectors::{Error, HeaderFault};

/// Why a run failed: a usage error (exit 2) or a data or I/O error (exit 1).
#[derive(Debug)]
pub enum Failure {
    /// The command line cannot work; the message says why and what to do.
    Usage(String),
    /// The library refused: the error names the file and the position.
    Data(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            // Options and option combinations come from the command line.
            Error::InvalidOption { option, message } => {
                Failure::Usage(format!("invalid {}: {message}", flag_of(option)))
            }
            e => Failure::Data(e),
        }
    }
}

/// A library error as a command line tool says it: in flag terms only. Variants
/// whose library message names library items (`Format::Glove`,
/// `SaveOptions::force`, the option `allow_non_finite`) are worded here from their
/// fields, leaving the flag to the hint ([`format_hint`], the tools' own hints);
/// the others read as the library says them.
pub fn message(e: &Error) -> String {
    let path = || match e.path() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => "<memory>".to_string(),
    };
    match e {
        Error::WrongFormat {
            pos,
            fault,
            suggest: Some(_),
            ..
        } => format!("{}: at {pos}: {fault}", path()),
        Error::BadHeader {
            pos,
            fault: HeaderFault::Missing { suggest: Some(_) },
            found,
            ..
        } => format!(
            "{}: bad header at {pos}: expected {}, found {found:?}",
            path(),
            HeaderFault::Missing { suggest: None }
        ),
        Error::NonFinite {
            pos, field, text, ..
        } => format!(
            "{}: non-finite value at {pos}: field {field} is {text}, expected a finite number",
            path()
        ),
        Error::NonFiniteOutput {
            row,
            column,
            word,
            value,
            ..
        } => format!(
            "{}: cannot write matrix[{row}, {column}] = {value} (word {word:?}): expected a \
             finite number (.npy and .safetensors outputs store any value)",
            path()
        ),
        Error::OutputExists { .. } => {
            format!("{}: output exists (refusing to overwrite it)", path())
        }
        e => e.to_string(),
    }
}

/// The `--format` hint of an error that knows which format the bytes read as.
pub fn format_hint(e: &Error) -> Option<String> {
    let format = match e {
        Error::WrongFormat {
            suggest: Some(format),
            ..
        }
        | Error::BadHeader {
            fault: HeaderFault::Missing {
                suggest: Some(format),
            },
            ..
        } => format,
        _ => return None,
    };
    Some(format!(
        "the bytes read as {format}; try --format {format} (or leave --format out: detection \
         tells the formats apart)"
    ))
}

/// The flag that sets a library option named in [`Error::InvalidOption`], or the
/// option's own name when no flag does.
fn flag_of(option: &str) -> &str {
    match option {
        "VocabOptions::max_words" | "row limit" => "--max-words",
        "VocabOptions::oov" => "--oov-token",
        "padding token" => "--pad-token",
        "vocabulary kind" => "--vocab-format",
        "dtype" => "--dtype",
        "threads" => "--threads",
        "missing" => "--missing",
        other => other,
    }
}
