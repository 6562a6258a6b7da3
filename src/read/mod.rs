//! Reading whole vector files: [`ReadOptions`] (in `options.rs`) -> [`Vectors`],
//! through the scan engine (`crate::scan`) and its full-read consumer (`full.rs`).
//!
//! Uncompressed files are memory-mapped and parsed in parallel over newline-aligned
//! chunks, each writing its rows straight into the final matrix; gzip files are
//! decompressed on their own thread while blocks of rows are parsed in parallel.
//! Rows stay in file order, values are kept exactly as written (correctly rounded to
//! `f32`, never normalised), and the first of duplicate words wins.

use std::path::Path;

use crate::error::{Error, Result};
use crate::fasttext::FastTextModel;
use crate::scan;
use crate::vectors::Vectors;
use crate::write::Words;

mod full;
mod options;

use full::FullRead;
pub use options::{max_threads, ReadOptions};

/// Reading with the options: the glue between the options, the fastText model
/// reader and the scan engine.
impl ReadOptions {
    /// Reads the whole file at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::NotAFile`] when the file cannot be read, and a
    /// positioned error for the first bad row or header (see [`Error`]).
    pub fn read(&self, path: impl AsRef<Path>) -> Result<Vectors> {
        self.read_words_for(path.as_ref(), None)
    }

    /// As [`read`](Self::read), refusing as [`Error::BadToken`], at its line and
    /// byte (or record), the first word that `rule` refuses (words of a native
    /// fastText model are checked after reading, at their entry number). The
    /// vectors then carry the proof that their words meet `rule`.
    pub(crate) fn read_words_for(&self, path: &Path, rule: Option<Words>) -> Result<Vectors> {
        if let Some(model) = FastTextModel::open_if_model(path, self.format, self.max_decompressed)?
        {
            let mut v = self.run(|| std::sync::Arc::new(model).to_vectors(self.utf8))?;
            if let Some(rule) = rule {
                for (i, word) in v.words.iter().enumerate() {
                    if let Some(reason) = rule.refuses(word) {
                        return Err(Error::BadToken {
                            path: path.to_path_buf(),
                            pos: crate::Position::entry(i as u64 + 1),
                            token: word.as_str().into(),
                            reason,
                        });
                    }
                }
                v.checked = Some(rule);
            }
            return Ok(v);
        }
        self.run(|| {
            let mut reader = FullRead::new(self.max_rows, rule);
            let scanned = scan::scan_file(self, path, true, &mut reader)?;
            self.finish(path, reader, &scanned)
        })
    }

    /// Reads vectors from bytes in memory (gzip detected as for files); errors name
    /// `path` (an empty path shows as `<memory>`).
    ///
    /// # Errors
    /// As [`ReadOptions::read`].
    pub fn read_bytes(&self, path: &Path, bytes: &[u8]) -> Result<Vectors> {
        if FastTextModel::sniff_bytes(bytes, self.format) {
            let model = FastTextModel::from_bytes(path, bytes.to_vec())?;
            return self.run(|| std::sync::Arc::new(model).to_vectors(self.utf8));
        }
        self.run(|| {
            let mut reader = FullRead::new(self.max_rows, None);
            let scanned = scan::scan_bytes(self, path, bytes, &mut reader)?;
            self.finish(path, reader, &scanned)
        })
    }

    /// The vectors of a finished scan, the row count checked when asked (and when
    /// the whole file was read).
    fn finish(&self, path: &Path, reader: FullRead, scanned: &scan::Scanned) -> Result<Vectors> {
        let v = reader.finish(scanned)?;
        if self.max_rows.is_none() {
            check_row_count(self, path, v.info.header_rows, v.info.file_rows)?;
        }
        Ok(v)
    }
}

/// Reads the file at `path` with the default [`ReadOptions`].
///
/// ```
/// let v = pretrained_vectors::read("fixtures/glove.6B.50d.20k.txt.gz")?;
/// assert_eq!(v.len(), 20_000);
/// assert_eq!(v.get("the").unwrap()[0], 0.418);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// As [`ReadOptions::read`].
pub fn read(path: impl AsRef<Path>) -> Result<Vectors> {
    ReadOptions::new().read(path)
}

/// With [`ReadOptions::strict_row_count`], fails when `found` rows disagree with
/// the header's count.
pub(crate) fn check_row_count(
    opts: &ReadOptions,
    path: &Path,
    header_rows: Option<u64>,
    found: u64,
) -> Result<()> {
    match header_rows {
        Some(rows) if opts.strict_row_count && rows != found => Err(Error::RowCount {
            path: path.to_path_buf(),
            header: rows,
            found,
        }),
        _ => Ok(()),
    }
}
