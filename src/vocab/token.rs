//! The one rule for what a vocabulary token may be.
//!
//! A token is a row of a token list (one token per line, the sidecar of a saved
//! table), so it must come back from that file exactly: it is not empty (except
//! Keras 3's padding token `""`, an empty first line), holds no line break, and
//! does not start with a byte-order mark (readers drop a leading one). Every
//! reader of vocabularies and every writer of token lists applies this rule.

/// The byte-order mark as a character (U+FEFF): [`BOM`](crate::parse::text::BOM) decoded.
pub(crate) const BOM_CHAR: char = '\u{feff}';

/// Why a token cannot be a row of a vocabulary: a token list (one token per line)
/// could not hold it or would not read it back the same.
///
/// ```
/// use pretrained_vectors::vocab::TokenFault;
/// assert_eq!(TokenFault::of("new york"), None);
/// assert_eq!(TokenFault::of("a\nb"), Some(TokenFault::LineBreak));
/// assert_eq!(TokenFault::of("\u{feff}a"), Some(TokenFault::LeadingBom));
/// assert_eq!(TokenFault::of(""), Some(TokenFault::Empty));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenFault {
    /// The empty token (allowed only as the first row, Keras 3's padding `""`).
    Empty,
    /// A `\n` or `\r` inside the token.
    LineBreak,
    /// A leading byte-order mark U+FEFF, which readers of text drop.
    LeadingBom,
}

impl TokenFault {
    /// What is wrong with `token`, if anything. The empty token is a fault here;
    /// callers that accept Keras 3's padding `""` at row 0 check
    /// [`TokenFault::allowed_at`].
    pub fn of(token: &str) -> Option<TokenFault> {
        if token.is_empty() {
            Some(TokenFault::Empty)
        } else if token.contains(['\n', '\r']) {
            Some(TokenFault::LineBreak)
        } else if token.starts_with(BOM_CHAR) {
            Some(TokenFault::LeadingBom)
        } else {
            None
        }
    }

    /// What is wrong with the token of row `row` (0-based): as
    /// [`of`](Self::of), except that an empty first row is Keras 3's padding
    /// token and allowed.
    pub fn at_row(row: usize, token: &str) -> Option<TokenFault> {
        TokenFault::of(token).filter(|fault| !fault.allowed_at(row))
    }

    /// Whether the fault is allowed at row `row`: only an empty first row is.
    pub fn allowed_at(self, row: usize) -> bool {
        self == TokenFault::Empty && row == 0
    }

    /// The reason an error about a vocabulary's token gives
    /// ([`Error::BadToken`](crate::Error::BadToken)).
    pub fn reason(self) -> &'static str {
        match self {
            TokenFault::Empty => "empty token (expected at least one character)",
            TokenFault::LineBreak => "contains a line break (expected one line per token)",
            TokenFault::LeadingBom => {
                "starts with a byte-order mark U+FEFF (a token list would lose it on reading)"
            }
        }
    }

    /// The fault as a phrase about the token: "is empty", "holds a line break",
    /// "starts with a byte-order mark U+FEFF".
    pub fn describe(self) -> &'static str {
        match self {
            TokenFault::Empty => "is empty",
            TokenFault::LineBreak => "holds a line break",
            TokenFault::LeadingBom => "starts with a byte-order mark U+FEFF",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_refuses_what_a_token_list_cannot_hold() {
        for (token, fault) in [
            ("", Some(TokenFault::Empty)),
            ("a\rb", Some(TokenFault::LineBreak)),
            ("a\n", Some(TokenFault::LineBreak)),
            ("\u{feff}", Some(TokenFault::LeadingBom)),
            ("a\u{feff}", None),
            (" x\t", None),
        ] {
            assert_eq!(TokenFault::of(token), fault, "{token:?}");
        }
        assert_eq!(TokenFault::at_row(0, ""), None);
        assert_eq!(TokenFault::at_row(1, ""), Some(TokenFault::Empty));
        assert_eq!(BOM_CHAR.to_string().as_bytes(), crate::parse::text::BOM);
    }
}
