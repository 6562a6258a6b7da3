//! Why a run of a command line tool failed, shared by `glove-to-table` and
//! `vectors-eval`: a usage error (exit 2) or a data or I/O error (exit 1).

use pretrained_vectors::Error;

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
            Error::InvalidOption { .. } => Failure::Usage(e.to_string()),
            e => Failure::Data(e),
        }
    }
}
