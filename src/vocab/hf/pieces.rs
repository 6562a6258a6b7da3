//! Subword pieces and their word forms: the markers of WordPiece (`##`),
//! byte-level BPE (`Ġ`, with GPT-2's byte-to-character alphabet), metaspace
//! (`▁`) and end-of-word suffixes (`</w>`) removed, so that a piece can be looked
//! up in a file of word vectors.

use serde::{Deserialize, Serialize};

/// What a vocabulary row is as a piece of text; the aligner reports rows and
/// matches per kind, and looks each piece up by its word form
/// ([`Vocab::lookup_form`](crate::Vocab::lookup_form)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PieceKind {
    /// A whole token, looked up as it is (a word-level token, a word-initial
    /// WordPiece, a non-special added token).
    Word,
    /// A piece that starts a word: its space marker (`Ġ`, `▁`) removed.
    WordStart,
    /// A piece inside a word: `##ing` (marker removed), or a byte-level or
    /// metaspace piece without the space marker. With a fastText model such
    /// pieces are where subword vectors belong.
    Continuation,
    /// A piece that ends a word: its end-of-word suffix (`</w>`) removed.
    WordEnd,
    /// Bytes that are not a whole character (a byte-level piece cut inside a UTF-8
    /// sequence, a byte-fallback `<0x0A>`): no word form, never looked up.
    Bytes,
    /// A reserved special token (padding, unknown, `[CLS]`, `<s>`...).
    Special,
}

impl PieceKind {
    /// Every kind, in declaration order.
    pub const ALL: [PieceKind; 6] = [
        PieceKind::Word,
        PieceKind::WordStart,
        PieceKind::Continuation,
        PieceKind::WordEnd,
        PieceKind::Bytes,
        PieceKind::Special,
    ];

    /// The kind's name in reports (`word_start`).
    pub fn name(self) -> &'static str {
        match self {
            PieceKind::Word => "word",
            PieceKind::WordStart => "word_start",
            PieceKind::Continuation => "continuation",
            PieceKind::WordEnd => "word_end",
            PieceKind::Bytes => "bytes",
            PieceKind::Special => "special",
        }
    }
}

/// The markers a model's pieces carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Markers {
    /// WordPiece's (or BPE's) continuing-subword prefix, `##`.
    pub continuing_prefix: Option<String>,
    /// BPE's end-of-word suffix, `</w>`.
    pub end_suffix: Option<String>,
    /// Pieces are in GPT-2's byte-level alphabet (`Ġ` is the space).
    pub byte_level: bool,
    /// The metaspace character (`▁`) that stands for a space.
    pub metaspace: Option<char>,
    /// `<0x0A>` pieces are bytes.
    pub byte_fallback: bool,
}

/// GPT-2's byte -> character table: printable Latin-1 bytes stand for
/// themselves, the others (controls, space, DEL, NBSP, soft hyphen) for the
/// characters from U+0100 on, in byte order.
fn byte_to_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next = 256u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        table[b as usize] = if printable {
            char::from(b)
        } else {
            let c = char::from_u32(next).expect("U+0100..U+0143 are characters");
            next += 1;
            c
        };
    }
    table
}

/// The byte a byte-level character stands for.
fn char_to_byte(c: char) -> Option<u8> {
    thread_local! {
        static TABLE: [char; 256] = byte_to_char();
    }
    let u = c as u32;
    // Printable Latin-1 characters are their own byte; the rest sit at U+0100...
    if u < 256 {
        let b = u as u8;
        return matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF).then_some(b);
    }
    TABLE.with(|t| t.iter().position(|&x| x == c).map(|p| p as u8))
}

/// The bytes a byte-level piece stands for, or `None` when a character is not
/// in the alphabet.
pub(crate) fn decode_byte_level(piece: &str) -> Option<Vec<u8>> {
    piece.chars().map(char_to_byte).collect()
}

/// Whether every character of `piece` is in the byte-level alphabet.
pub(crate) fn is_byte_level(piece: &str) -> bool {
    piece.chars().all(|c| char_to_byte(c).is_some())
}

/// `<0xNN>`, a byte-fallback piece.
fn is_byte_fallback(piece: &str) -> bool {
    let b = piece.as_bytes();
    b.len() == 6
        && b.starts_with(b"<0x")
        && b[5] == b'>'
        && b[3..5].iter().all(u8::is_ascii_hexdigit)
}

/// The kind of a model piece and its word form (`None`: the token itself;
/// `Some("")`: nothing to look up).
pub(crate) fn classify(token: &str, m: &Markers) -> (PieceKind, Option<Box<str>>) {
    let form = |kind: PieceKind, f: &str| -> (PieceKind, Option<Box<str>>) {
        if f == token {
            (kind, None)
        } else {
            (kind, Some(f.into()))
        }
    };
    if m.byte_fallback && is_byte_fallback(token) {
        return (PieceKind::Bytes, Some("".into()));
    }
    if let Some(space) = m.metaspace {
        return match token.strip_prefix(space) {
            Some(rest) => form(PieceKind::WordStart, rest),
            None => form(PieceKind::Continuation, token),
        };
    }
    if m.byte_level {
        let Some(bytes) = decode_byte_level(token) else {
            return form(PieceKind::Word, token);
        };
        return match String::from_utf8(bytes) {
            Ok(text) => match text.strip_prefix(' ') {
                Some(rest) => form(PieceKind::WordStart, rest),
                None => form(PieceKind::Continuation, &text),
            },
            Err(_) => (PieceKind::Bytes, Some("".into())),
        };
    }
    if let Some(prefix) = m.continuing_prefix.as_deref().filter(|p| !p.is_empty()) {
        if let Some(rest) = token.strip_prefix(prefix).filter(|r| !r.is_empty()) {
            return form(PieceKind::Continuation, rest);
        }
    }
    if let Some(suffix) = m.end_suffix.as_deref().filter(|s| !s.is_empty()) {
        return match token.strip_suffix(suffix) {
            Some(rest) => form(PieceKind::WordEnd, rest),
            None => form(PieceKind::Continuation, token),
        };
    }
    (PieceKind::Word, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_level_alphabet_is_gpt2s() {
        let t = byte_to_char();
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
        assert_eq!(t[0], 'Ā');
        assert_eq!(t[0xAD], 'Ń');
        assert_eq!(t[b'a' as usize], 'a');
        let mut seen: Vec<char> = t.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), 256);
        for b in 0..=255u8 {
            assert_eq!(char_to_byte(t[b as usize]), Some(b));
        }
        assert_eq!(char_to_byte(' '), None);
        assert_eq!(char_to_byte('€'), None);
    }

    fn c(token: &str, m: &Markers) -> (PieceKind, Option<String>) {
        let (k, f) = classify(token, m);
        (k, f.map(String::from))
    }

    #[test]
    fn markers_are_removed() {
        let wp = Markers {
            continuing_prefix: Some("##".into()),
            ..Markers::default()
        };
        assert_eq!(
            c("##ing", &wp),
            (PieceKind::Continuation, Some("ing".into()))
        );
        assert_eq!(c("##", &wp), (PieceKind::Word, None));
        assert_eq!(c("run", &wp), (PieceKind::Word, None));
        let bl = Markers {
            byte_level: true,
            ..Markers::default()
        };
        assert_eq!(c("Ġthe", &bl), (PieceKind::WordStart, Some("the".into())));
        assert_eq!(c("ing", &bl), (PieceKind::Continuation, None));
        // "é" is bytes C3 A9, written Ã©; alone, C3 is not a character.
        assert_eq!(
            c("ĠcafÃ©", &bl),
            (PieceKind::WordStart, Some("café".into()))
        );
        assert_eq!(c("Ã", &bl), (PieceKind::Bytes, Some("".into())));
        assert_eq!(c("Ġ", &bl), (PieceKind::WordStart, Some("".into())));
        let ms = Markers {
            metaspace: Some('▁'),
            byte_fallback: true,
            ..Markers::default()
        };
        assert_eq!(c("▁the", &ms), (PieceKind::WordStart, Some("the".into())));
        assert_eq!(c("s", &ms), (PieceKind::Continuation, None));
        assert_eq!(c("<0x0A>", &ms), (PieceKind::Bytes, Some("".into())));
        let eow = Markers {
            end_suffix: Some("</w>".into()),
            ..Markers::default()
        };
        assert_eq!(c("the</w>", &eow), (PieceKind::WordEnd, Some("the".into())));
        assert_eq!(c("th", &eow), (PieceKind::Continuation, None));
    }
}
