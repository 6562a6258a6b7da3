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
            })?;
            texts.push(text);
            offset += raw.len() + 1;
        }
    }
    Ok(texts)
}
