//! Token lists: one token per line, row = line number.
//!
//! This is the vocabulary format users bring most often (`vocab.txt`) and the
//! sidecar the CLI writes next to a table. It is read as every vocabulary file is,
//! by [`Vocab::read`] / [`Vocab::from_bytes`] (the kind detected, or
//! [`VocabKind::TokenList`](super::VocabKind::TokenList) insisted on); the parser
//! here is theirs.

use std::path::Path;

use crate::error::{Error, Position, Result};

use super::{Vocab, VocabKind, VocabOptions};

/// Which lines of a token list are the reserved rows: a line equal to the padding
/// token becomes the padding row, a line equal to the OOV token the OOV row. A
/// configured name that no line holds reserves nothing. The public face of these
/// is [`VocabOptions`](super::VocabOptions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TokenListOptions {
    padding: Option<String>,
    oov: Option<String>,
}

impl TokenListOptions {
    /// No reserved rows (the default).
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The line whose token is `name` is the padding row. Default: none.
    pub(crate) fn padding(mut self, name: impl Into<String>) -> Self {
        self.padding = Some(name.into());
        self
    }

    /// The line whose token is `name` is the OOV row. Default: none.
    pub(crate) fn oov(mut self, name: impl Into<String>) -> Self {
        self.oov = Some(name.into());
        self
    }

    /// The padding token name, if set.
    pub(crate) fn get_padding(&self) -> Option<&str> {
        self.padding.as_deref()
    }

    /// The OOV token name, if set.
    pub(crate) fn get_oov(&self) -> Option<&str> {
        self.oov.as_deref()
    }
}

impl Vocab {
    /// Parses a token list: one token per line, row `i` is line `i + 1`.
    ///
    /// Accepts a UTF-8 byte-order mark, CRLF line ends and a missing final newline.
    /// A token is the whole line (spaces included). `path` is only used in errors.
    /// An empty first line followed by tokens is Keras 3's padding token `""`: row 0,
    /// the padding row (see [`Vocab::new`]).
    ///
    /// Reached through [`Vocab::from_bytes`] with [`VocabKind::TokenList`](super::VocabKind::TokenList)
    /// (its examples show the rules at work).
    ///
    /// # Errors
    /// - [`Error::EmptyVocab`] when there is no token (an empty file, or nothing but
    ///   one line end: `\n`, `\r\n` or a lone `\r`);
    /// - [`Error::BadToken`] with its line for a blank line other than the first
    ///   (only a single final newline may follow the last token), a stray carriage return inside a line,
    ///   or a token starting with a byte-order mark;
    /// - [`Error::BadUtf8`] with the line and byte of the first invalid byte;
    /// - [`Error::DuplicateToken`] naming both lines;
    /// - [`Error::InvalidOption`] when the padding and OOV names are the same.
    pub(crate) fn from_token_list(
        path: &Path,
        bytes: &[u8],
        options: &TokenListOptions,
    ) -> Result<Self> {
        if options.padding.is_some() && options.padding == options.oov {
            return Err(Error::InvalidOption {
                option: "token list reserved rows",
                message: format!(
                    "the padding and OOV tokens are both {:?}; expected two different names",
                    options.padding.as_deref().unwrap_or_default()
                ),
            });
        }
        let (tokens, starts) = split_lines(path, bytes)?;
        let places = (1..)
            .zip(&starts)
            .map(|(l, &b)| Some(Position::line(l, b)))
            .collect();
        let mut vocab = Vocab::build(path, tokens, Some(&starts))?.places(path, places);
        if let Some(row) = options.padding.as_deref().and_then(|t| vocab.get(t)) {
            vocab = vocab.padding(row)?;
        }
        if let Some(row) = options.oov.as_deref().and_then(|t| vocab.get(t)) {
            vocab = vocab.oov(row)?;
        }
        Ok(vocab)
    }

    /// The options that read this vocabulary's token list back
    /// ([`write_token_list`](crate::write::write_token_list)) with the same rows:
    /// the kind [`VocabKind::TokenList`] and the padding
    /// and OOV tokens by name.
    ///
    /// ```
    /// use pretrained_vectors::{write::write_token_list, Vocab};
    /// use std::path::Path;
    /// let v = Vocab::new(vec!["<pad>".into(), "[UNK]".into(), "the".into()])?.padding(0)?.oov(1)?;
    /// let mut out = Vec::new();
    /// write_token_list(&mut out, v.tokens())?;
    /// let back = Vocab::from_bytes(Path::new("v.txt"), &out, &v.token_list_options())?;
    /// assert_eq!((back.tokens(), back.get_padding(), back.get_oov()), (v.tokens(), Some(0), Some(1)));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn token_list_options(&self) -> VocabOptions {
        let mut options = VocabOptions::new().kind(VocabKind::TokenList);
        if let Some(token) = self.padding.and_then(|r| self.token(r)) {
            options = options.padding(token);
        }
        if let Some(token) = self.oov.and_then(|r| self.token(r)) {
            options = options.oov(token);
        }
        options
    }
}

/// Splits a token list into its lines, checking UTF-8 and blank lines; also returns
/// the byte offset where each line starts.
fn split_lines(path: &Path, bytes: &[u8]) -> Result<(Vec<String>, Vec<u64>)> {
    let start = bytes.len() - crate::parse::text::strip_bom(bytes).len();
    let body = &bytes[start..];
    let empty = || Error::EmptyVocab {
        path: path.to_path_buf(),
    };
    if body.is_empty() {
        return Err(empty());
    }
    // A single final newline ends the last token; it does not start a blank one.
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    let lines = memchr::memchr_iter(b'\n', body).count() + 1;
    let mut tokens = Vec::with_capacity(lines);
    let mut starts = Vec::with_capacity(lines);
    let mut offset = start;
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        let line = i as u64 + 1;
        let text = raw.strip_suffix(b"\r").unwrap_or(raw);
        let token = std::str::from_utf8(text).map_err(|e| Error::BadUtf8 {
            path: path.to_path_buf(),
            pos: Position::line(line, (offset + e.valid_up_to()) as u64),
            lossy: false,
        })?;
        // Keras 3 saves its padding token "" as an empty first line.
        if token.is_empty() && i > 0 {
            return Err(Error::BadToken {
                path: path.to_path_buf(),
                pos: Position::line(line, offset as u64),
                token: "".into(),
                reason: "blank line (expected one token per line; only a single final newline may follow the last token)",
            });
        }
        tokens.push(token.to_string());
        starts.push(offset as u64);
        offset += raw.len() + 1;
    }
    // Nothing but a blank first line (`\n`, `\r\n`, a lone `\r`): no token at all, not
    // a vocabulary of one padding row (which would write back as an empty file).
    if tokens.len() == 1 && tokens[0].is_empty() {
        return Err(empty());
    }
    Ok((tokens, starts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(bytes: &[u8]) -> Result<Vocab> {
        Vocab::from_token_list(Path::new("v.txt"), bytes, &TokenListOptions::new())
    }

    #[test]
    fn line_ends_bom_and_final_newline() {
        for input in [
            &b"a\nb c\nd"[..],
            b"a\nb c\nd\n",
            b"a\r\nb c\r\nd\r\n",
            b"\xEF\xBB\xBFa\nb c\nd",
        ] {
            let v = parse(input).unwrap();
            assert_eq!(v.tokens(), ["a", "b c", "d"], "{input:?}");
        }
    }

    #[test]
    fn blank_lines_are_refused_with_their_line() {
        for (input, line) in [
            (&b"a\n\nb\n"[..], 2),
            (b"a\nb\n\n", 3),
            (b"\n\na", 2),
            (b"a\r\n\r\n", 2),
        ] {
            match parse(input) {
                Err(Error::BadToken { pos, path, .. }) => {
                    assert_eq!(
                        (pos.line, path.as_path()),
                        (Some(line), Path::new("v.txt")),
                        "{input:?}"
                    )
                }
                other => panic!("{input:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_empty_first_line_is_keras_3s_padding_row() {
        let v = parse(b"\n[UNK]\nthe\ncat").unwrap();
        assert_eq!(v.tokens(), ["", "[UNK]", "the", "cat"]);
        assert_eq!((v.get_padding(), v.get_oov()), (Some(0), None));
        let mut out = Vec::new();
        crate::write::write_token_list(&mut out, v.tokens()).unwrap();
        assert_eq!(out, b"\n[UNK]\nthe\ncat\n");
        assert_eq!(parse(&out).unwrap(), v);
    }

    #[test]
    fn empty_inputs_are_empty_vocabularies() {
        for input in [
            &b""[..],
            b"\n",
            b"\r\n",
            b"\r",
            b"\xEF\xBB\xBF",
            b"\xEF\xBB\xBF\r",
        ] {
            assert!(
                matches!(parse(input), Err(Error::EmptyVocab { .. })),
                "{input:?}"
            );
        }
    }

    #[test]
    fn invalid_utf8_names_line_and_byte() {
        let e = parse(b"ok\nfine\nba\xFFd\n").unwrap_err();
        assert_eq!(e.position(), Some(Position::line(3, 10)), "{e}");
        assert!(
            e.to_string()
                .starts_with("v.txt: invalid UTF-8 at line 3, byte 10"),
            "{e}"
        );
    }

    #[test]
    fn stray_carriage_return_and_duplicates() {
        let e = parse(b"a\nb\rc\n").unwrap_err();
        let at = Position::line(2, 2);
        assert!(matches!(e, Error::BadToken { pos, .. } if pos == at), "{e}");
        let e = parse(b"a\nb\r\na\n").unwrap_err();
        let (at, first) = (Position::line(3, 5), Position::line(1, 0));
        assert!(
            matches!(
                e,
                Error::DuplicateToken { pos, first: ref f, .. } if (pos, **f) == (at, first)
            ),
            "{e}"
        );
        assert!(e.to_string().contains("v.txt: line 3"), "{e}");
    }

    #[test]
    fn reserved_rows_by_name() {
        let o = TokenListOptions::new().padding("[PAD]").oov("[UNK]");
        let v = Vocab::from_token_list(Path::new(""), b"x\n[UNK]\n[PAD]\n", &o).unwrap();
        assert_eq!((v.get_padding(), v.get_oov()), (Some(2), Some(1)));
        let v = Vocab::from_token_list(Path::new(""), b"x\n[UNK]\n", &o).unwrap();
        assert_eq!((v.get_padding(), v.get_oov()), (None, Some(1)));
        let same = TokenListOptions::new().padding("x").oov("x");
        let e = Vocab::from_token_list(Path::new(""), b"x\n", &same).unwrap_err();
        assert!(matches!(e, Error::InvalidOption { .. }), "{e}");
    }

    proptest! {
        #[test]
        fn write_then_read_is_identity(
            tokens in proptest::collection::hash_set("[^\r\n]{1,8}", 1..40),
            pad in any::<prop::sample::Index>(),
            oov in any::<prop::sample::Index>(),
        ) {
            let tokens: Vec<String> = tokens.into_iter().collect();
            prop_assume!(tokens.iter().all(|t| !t.starts_with('\u{feff}')));
            let mut v = Vocab::new(tokens.clone()).unwrap();
            let (p, o) = (pad.index(tokens.len()), oov.index(tokens.len()));
            v = v.padding(p).unwrap();
            if o != p {
                v = v.oov(o).unwrap();
            }
            let mut out = Vec::new();
            crate::write::write_token_list(&mut out, v.tokens()).unwrap();
            let back = Vocab::from_bytes(Path::new(""), &out, &v.token_list_options()).unwrap();
            prop_assert_eq!(back, v.kind(VocabKind::TokenList));
        }
    }
}
