//! Vector file formats and their detection from the bytes.
//!
//! | format | header | rows |
//! |---|---|---|
//! | [`Format::Glove`] | none | `word v1 ... vD` |
//! | [`Format::Word2vecText`] (also fastText `.vec`) | `rows dims` | `word v1 ... vD` |
//! | [`Format::Word2vecBinary`] | `rows dims` | `word`, a space, `D` little-endian `f32`, optional `\n` |
//! | [`Format::FastTextBin`] | fastText's signature and arguments | a dictionary, then the input matrix of words and n-gram buckets |
//! | [`Format::FastTextFtz`] | as `.bin` | as `.bin`, the matrix product-quantized |
//!
//! Native fastText models ([`crate::fasttext`]) are told by their magic number (or,
//! for the format before it, by arguments in range), before anything else.
//! Text and word2vec files may be gzip-compressed; that is told by the gzip magic
//! bytes, not the file name. Detection reads the first line: two integers make a
//! header, and the rows after it decide between text and binary: they are text when
//! the first parses as a word and `dims` numbers, or when the first lines all look
//! like text rows of another length (the header's dims are then wrong, and reading
//! reports the first ragged row rather than decoding text as binary floats).

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use memchr::memchr;
use serde::{Deserialize, Serialize};

use crate::error::{Error, FileKind, FormatFault, HeaderFault, Position, Result};
use crate::parse::text::{self, HeaderLine, Split};

/// The largest number of dimensions accepted (a guard against hostile headers).
pub(crate) const MAX_DIMS: u64 = 1 << 20;

/// A vector file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// GloVe text: no header, `word v1 ... vD` per line.
    Glove,
    /// word2vec text and fastText `.vec`: a `rows dims` header, then GloVe-like lines.
    Word2vecText,
    /// word2vec binary: a `rows dims` header, then binary records.
    Word2vecBinary,
    /// A native fastText model, `.bin` (read by [`crate::fasttext::FastTextModel`]).
    FastTextBin,
    /// A quantized native fastText model, `.ftz`.
    FastTextFtz,
}

impl Format {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Glove => "glove",
            Format::Word2vecText => "word2vec-text",
            Format::Word2vecBinary => "word2vec-binary",
            Format::FastTextBin => "fasttext-bin",
            Format::FastTextFtz => "fasttext-ftz",
        }
    }

    /// Whether the format starts with a `rows dims` header.
    pub fn has_header(self) -> bool {
        matches!(self, Format::Word2vecText | Format::Word2vecBinary)
    }

    /// Whether it is a native fastText model (`.bin` or `.ftz`). Asking for either
    /// reads the file as a model, whichever of the two it turns out to be.
    pub fn is_fasttext_model(self) -> bool {
        matches!(self, Format::FastTextBin | Format::FastTextFtz)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = Error;

    /// Parses `glove`, `word2vec-text` (or `fasttext`, `vec`), `word2vec-binary`
    /// (or `bin`), `fasttext-bin` (or `fasttext-model`) and `fasttext-ftz` (or `ftz`).
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "glove" | "txt" => Ok(Format::Glove),
            "word2vec-text" | "w2v-text" | "fasttext" | "vec" => Ok(Format::Word2vecText),
            "word2vec-binary" | "w2v-binary" | "bin" => Ok(Format::Word2vecBinary),
            "fasttext-bin" | "fasttext-model" => Ok(Format::FastTextBin),
            "fasttext-ftz" | "ftz" => Ok(Format::FastTextFtz),
            _ => Err(Error::InvalidOption {
                option: "format",
                message: format!("{s:?}; expected glove, word2vec-text, word2vec-binary, fasttext-bin or fasttext-ftz"),
            }),
        }
    }
}

/// Whether bytes start with the gzip magic number.
pub(crate) fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

/// What detection learnt about a (decompressed) file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub format: Format,
    /// `(rows, dims)` of a header.
    pub header: Option<(u64, u64)>,
    pub dims: usize,
    /// Offset of the first row (past a BOM and the header).
    pub body_start: usize,
    /// 1-based line number of the line at `body_start`.
    pub body_line: u64,
}

/// Non-blank lines of `bytes` from `pos`, as `(line_number, start, trimmed line)`.
fn lines_from(
    bytes: &[u8],
    mut pos: usize,
    mut line: u64,
) -> impl Iterator<Item = (u64, usize, &[u8])> {
    std::iter::from_fn(move || loop {
        if pos >= bytes.len() {
            return None;
        }
        let end = memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let item = (line, pos, text::trim_end(&bytes[pos..end]));
        pos = end + 1;
        line += 1;
        if !item.2.is_empty() {
            return Some(item);
        }
    })
}

/// Detects the layout from the first bytes of a (decompressed) file.
///
/// `head` must hold at least the header and the first rows (a few MiB of a stream);
/// `forced` is the user's explicit choice, which detection then only checks.
pub(crate) fn detect(path: &Path, head: &[u8], forced: Option<Format>) -> Result<Layout> {
    // Models are read before detection (`FastTextModel::open_if_model`, also inside
    // gzip): a model format asked for never reaches here.
    let forced = forced.filter(|f| !f.is_fasttext_model());
    // Kinds no vector text can start with are named rather than misread. A model
    // reaches here only when text was asked for.
    if let Some(kind) = FileKind::of(head) {
        let suggest = (kind == FileKind::FastTextModel).then_some(Format::FastTextBin);
        return Err(Error::WrongFormat {
            path: path.to_path_buf(),
            pos: Position::byte(0),
            fault: FormatFault::OtherKind(kind),
            suggest,
        });
    }
    let start = if head.starts_with(text::BOM) {
        text::BOM.len()
    } else {
        0
    };
    let mut lines = lines_from(head, start, 1);
    let Some((first_no, first_at, first)) = lines.next() else {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    };
    let after_first = memchr(b'\n', &head[first_at..]).map_or(head.len(), |i| first_at + i + 1);
    let pos = Position::line(first_no, first_at as u64);
    let bad_header = |fault: HeaderFault| Error::BadHeader {
        path: path.to_path_buf(),
        pos,
        fault,
        found: String::from_utf8_lossy(&first[..first.len().min(60)]).into_owned(),
    };
    match (text::header_line(first), forced) {
        (HeaderLine::Header { rows, dims }, forced) if forced != Some(Format::Glove) => {
            if dims > MAX_DIMS {
                return Err(Error::TooLarge {
                    path: path.to_path_buf(),
                    pos,
                    what: "dims in the header",
                    limit: MAX_DIMS,
                });
            }
            let dims = dims as usize;
            let body = &head[after_first..];
            if body.iter().all(|b| b.is_ascii_whitespace()) {
                return Err(Error::HeaderOnly {
                    path: path.to_path_buf(),
                    rows,
                    dims: dims as u64,
                });
            }
            let looks_text = first_row_is_text(head, after_first, dims);
            let format = match forced {
                Some(Format::Word2vecText) if !looks_text => {
                    return Err(wrong(
                        path,
                        after_first,
                        first_no + 1,
                        FormatFault::RowsNotText,
                        Some(Format::Word2vecBinary),
                    ));
                }
                Some(f) => f,
                None if looks_text => Format::Word2vecText,
                None => Format::Word2vecBinary,
            };
            Ok(Layout {
                format,
                header: Some((rows, dims as u64)),
                dims,
                body_start: after_first,
                body_line: first_no + 1,
            })
        }
        // Forced GloVe: `8 1` is a row (word `8`, one value) when the rows after it
        // (or it alone) have one dimension; otherwise it is a header.
        (HeaderLine::Header { dims, .. }, _)
            if glove_dims_after(head, after_first, first) != Some(1) =>
        {
            // The one format the rows after the header read as.
            let rows_are_text = usize::try_from(dims).is_ok_and(|dims| {
                dims as u64 <= MAX_DIMS && first_row_is_text(head, after_first, dims)
            });
            let suggest = if rows_are_text {
                Format::Word2vecText
            } else {
                Format::Word2vecBinary
            };
            Err(wrong(
                path,
                first_at,
                first_no,
                FormatFault::HeaderNotRow,
                Some(suggest),
            ))
        }
        (HeaderLine::Bad, forced) if forced != Some(Format::Glove) => {
            Err(bad_header(HeaderFault::NotPositive))
        }
        // `300 fifty`: a count and a non-number is a header gone wrong, not a row.
        (HeaderLine::NotHeader, None) if looks_like_broken_header(first) => {
            Err(bad_header(HeaderFault::NotANumber))
        }
        (_, Some(f @ (Format::Word2vecText | Format::Word2vecBinary))) => {
            let suggest = (f == Format::Word2vecText).then_some(Format::Glove);
            Err(bad_header(HeaderFault::Missing { suggest }))
        }
        _ => {
            let sample = std::iter::once(first).chain(lines.map(|(_, _, l)| l));
            let dims = text::infer_dims(sample)
                .ok_or_else(|| wrong(path, first_at, first_no, FormatFault::NotVectors, None))?;
            Ok(Layout {
                format: Format::Glove,
                header: None,
                dims,
                body_start: start,
                body_line: 1,
            })
        }
    }
}

/// The dims a GloVe file would have judging by the lines after its first, or by
/// the first alone when no other follows.
fn glove_dims_after(head: &[u8], after_first: usize, first: &[u8]) -> Option<usize> {
    let mut rest = lines_from(head, after_first, 2)
        .map(|(_, _, l)| l)
        .peekable();
    if rest.peek().is_some() {
        text::infer_dims(rest)
    } else {
        text::infer_dims(std::iter::once(first))
    }
}

/// Two fields, an unsigned integer then something that is not a number.
fn looks_like_broken_header(line: &[u8]) -> bool {
    let fields: Vec<&[u8]> = line
        .split(|&b| b == b' ' || b == b'\t')
        .filter(|f| !f.is_empty())
        .collect();
    matches!(fields[..], [count, other]
        if count.iter().all(u8::is_ascii_digit) && fast_float2::parse::<f32, _>(other).is_err())
}

fn wrong(
    path: &Path,
    byte: usize,
    line: u64,
    fault: FormatFault,
    suggest: Option<Format>,
) -> Error {
    Error::WrongFormat {
        path: path.to_path_buf(),
        pos: Position::line(line, byte as u64),
        fault,
        suggest,
    }
}

/// Whether the rows after a header are text rather than word2vec binary.
///
/// The header is not trusted over the bytes: a file whose header claims more (or
/// fewer) dims than its rows hold is still text, so that reading it reports the
/// first ragged row instead of decoding text as floats. The rows are text when the
/// first reads as a word and `dims` numbers, or when the first lines (up to 20) all
/// read as text rows of some other length: no control bytes but tabs, at least two
/// fields, the last one a number. Binary floats put control bytes (`0x00`-`0x1f`) in
/// nearly every record, and a binary line ending in the digits of a number takes
/// values from a tiny set.
fn first_row_is_text(head: &[u8], body_start: usize, dims: usize) -> bool {
    let Some((_, _, line)) = lines_from(head, body_start, 0).next() else {
        return false;
    };
    let exact = match text::split_line(line, dims) {
        Split::Row { word, values } => {
            let mut scratch = vec![0f32; dims];
            std::str::from_utf8(word).is_ok()
                && text::parse_values(values, &mut scratch, true).is_ok()
        }
        _ => false,
    };
    exact || rows_look_like_text(head, body_start)
}

/// Whether the first lines from `body_start` (up to 20, whole lines only unless the
/// head holds only one) all look like text rows of any length.
fn rows_look_like_text(head: &[u8], body_start: usize) -> bool {
    let body = &head[body_start.min(head.len())..];
    // A line cut by the end of the head is left out, unless it is the only one.
    let whole = match memchr::memrchr(b'\n', body) {
        Some(i) => &body[..=i],
        None => body,
    };
    let mut seen = 0;
    for (_, _, line) in lines_from(whole, 0, 0).take(20) {
        let controls = line.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f);
        let mut fields = text::fields(line);
        let first = fields.next();
        let last = fields.last();
        let numeric_end =
            first.is_some() && last.is_some_and(|f| fast_float2::parse::<f32, _>(f).is_ok());
        if controls || !numeric_end {
            return false;
        }
        seen += 1;
    }
    seen > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(bytes: &[u8], forced: Option<Format>) -> Result<Layout> {
        detect(Path::new("x"), bytes, forced)
    }

    #[test]
    fn glove_word2vec_text_and_binary() {
        let l = det(b"the 0.1 0.2\nof 0.3 0.4\n", None).unwrap();
        assert_eq!(
            (l.format, l.dims, l.body_start, l.header),
            (Format::Glove, 2, 0, None)
        );
        let l = det(b"2 2\nthe 0.1 0.2\nof 0.3 0.4\n", None).unwrap();
        assert_eq!(
            (l.format, l.dims, l.body_start, l.body_line),
            (Format::Word2vecText, 2, 4, 2)
        );
        let mut bin = b"1 2\nthe ".to_vec();
        bin.extend(1.5f32.to_le_bytes());
        bin.extend((-3.25f32).to_le_bytes());
        bin.push(b'\n');
        assert_eq!(det(&bin, None).unwrap().format, Format::Word2vecBinary);
        let e = det(&bin, Some(Format::Word2vecText)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::WrongFormat {
                    fault: FormatFault::RowsNotText,
                    suggest: Some(Format::Word2vecBinary),
                    ..
                }
            ),
            "{e}"
        );
        // GloVe asked for: the one suggestion is what the rows read as.
        let e = det(&bin, Some(Format::Glove)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::WrongFormat {
                    fault: FormatFault::HeaderNotRow,
                    suggest: Some(Format::Word2vecBinary),
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn bom_crlf_and_bad_headers() {
        let l = det(b"\xEF\xBB\xBFthe 0.1 0.2\r\n", None).unwrap();
        assert_eq!((l.format, l.body_start), (Format::Glove, 3));
        assert!(matches!(det(b"", None), Err(Error::Empty { .. })));
        assert!(matches!(det(b" \n\n", None), Err(Error::Empty { .. })));
        assert!(matches!(
            det(b"3 50\n", None),
            Err(Error::HeaderOnly {
                rows: 3,
                dims: 50,
                ..
            })
        ));
        assert!(matches!(
            det(b"0 50\nthe 1\n", None),
            Err(Error::BadHeader { .. })
        ));
        let e = det(b"the 0.1 0.2\n", Some(Format::Word2vecText)).unwrap_err();
        assert!(e.to_string().contains("Format::Glove"), "{e}");
        let e = det(b"1 2\nthe 0.1 0.2\n", Some(Format::Glove)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::WrongFormat {
                    suggest: Some(Format::Word2vecText),
                    ..
                }
            ),
            "{e}"
        );
        // Unless the file has one dimension: then `8 1` is the word 8 and a value
        // (found by fuzzing: written by our GloVe writer, it did not read back).
        let l = det(b"8 1\nthe 0.5\n", Some(Format::Glove)).unwrap();
        assert_eq!((l.format, l.dims, l.body_start), (Format::Glove, 1, 0));
        assert!(matches!(
            det(b"1 99999999\nthe 1\n", None),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn a_header_claiming_other_dims_does_not_make_text_binary() {
        for text in [
            &b"2 3\nthe 0.1 0.2\nof 0.3 0.4\n"[..],
            b"2 300\nthe\t0.1  0.2\r\nof 0.3 0.4\r\n",
            b"2 3\nthe 0.1 0.2\nof 0.3",
            b"1 4\n. . . 1 2 3\n",
            b"2 3\nthe 0.1 0.2 0.3 0.4\nof 0.3 0.4\n",
        ] {
            let l = det(text, None).unwrap();
            assert_eq!(
                l.format,
                Format::Word2vecText,
                "{:?}",
                String::from_utf8_lossy(text)
            );
            det(text, Some(Format::Word2vecText)).unwrap();
        }
        // Real binary records stay binary, even of one dimension.
        for values in [[0.25f32, -1.5], [1e-3, 7.0], [0.0, 0.0]] {
            let mut bin = b"2 2\nthe ".to_vec();
            for v in values {
                bin.extend(v.to_le_bytes());
            }
            bin.extend(b"\nof ");
            for v in values {
                bin.extend((v * 3.0).to_le_bytes());
            }
            assert_eq!(det(&bin, None).unwrap().format, Format::Word2vecBinary);
        }
    }

    #[test]
    fn runs_of_white_space_separate_fields() {
        for text in [
            &b"the  0.1 0.2\nof 0.3  0.4\n"[..],
            b"the\t0.1\t0.2\nof\t0.3\t0.4\n",
            b"the  0.100000 -0.200000\nof   0.300000  0.400000\n",
            b"the 0.1 0.2   \r\n  of \t 0.3 0.4\r\n",
        ] {
            let l = det(text, None).unwrap();
            assert_eq!(
                (l.format, l.dims),
                (Format::Glove, 2),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
        let l = det(b"2  2\nthe\t 0.1 0.2\nof 0.3 0.4\n", None).unwrap();
        assert_eq!((l.format, l.dims), (Format::Word2vecText, 2));
    }

    #[test]
    fn other_kinds_are_named_not_misread() {
        let kind = |bytes: &[u8]| match detect(Path::new("x"), bytes, None) {
            Err(Error::WrongFormat {
                fault: FormatFault::OtherKind(kind),
                suggest,
                pos,
                ..
            }) => {
                assert_eq!(pos, Position::byte(0));
                (kind, suggest)
            }
            other => panic!("{other:?}"),
        };
        let mut npy = Vec::new();
        crate::npy::write_matrix(&mut npy, ndarray::Array2::<f32>::zeros((2, 3)).view()).unwrap();
        assert_eq!(kind(&npy), (FileKind::Npy, None));
        let text = "the 0.1 0.2\n";
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(kind(&utf16le), (FileKind::Utf16Le, None));
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(kind(&utf16be), (FileKind::Utf16Be, None));
        let utf32le: Vec<u8> = [0xFF, 0xFE, 0, 0]
            .into_iter()
            .chain(text.chars().flat_map(|c| (c as u32).to_le_bytes()))
            .collect();
        assert_eq!(kind(&utf32le), (FileKind::Utf32Le, None));
        let utf32be: Vec<u8> = [0, 0, 0xFE, 0xFF]
            .into_iter()
            .chain(text.chars().flat_map(|c| (c as u32).to_be_bytes()))
            .collect();
        assert_eq!(kind(&utf32be), (FileKind::Utf32Be, None));
        assert_eq!(kind(b"\x1f\x8b\x08\0\0\0"), (FileKind::NestedGzip, None));
        let model =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fasttext/cbow.bin"))
                .unwrap();
        // Read as text (also inside gzip), a model is named, and read as a model.
        assert_eq!(
            kind(&model),
            (FileKind::FastTextModel, Some(Format::FastTextBin))
        );
        let old =
            std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fasttext/old.bin"))
                .unwrap();
        assert_eq!(kind(&old).0, FileKind::FastTextModel);
        let mut st = 14u64.to_le_bytes().to_vec();
        st.extend(b"{\"a\":{}}     ");
        assert_eq!(kind(&st), (FileKind::Safetensors, None));
        // Forced text formats name the kind too.
        for f in [Format::Glove, Format::Word2vecText, Format::Word2vecBinary] {
            assert!(matches!(
                detect(Path::new("x"), &npy, Some(f)),
                Err(Error::WrongFormat {
                    fault: FormatFault::OtherKind(FileKind::Npy),
                    ..
                })
            ));
        }
    }
}
