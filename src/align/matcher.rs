//! Which vocabulary rows a file word fills: the matching cascade.
//!
//! Step 1 is the exact token. Step 2 (on by default) is the lower-case form: a file
//! word and a token match when they are equal after lower-casing both, so a Keras
//! vocabulary (always lower-case) finds `Paris` in cased vectors such as word2vec's
//! GoogleNews, and a cased vocabulary finds `apple` for `Apple` in GloVe.
//!
//! Tokens are looked up by their word form ([`Vocab::lookup_form`]): a subword
//! piece without its markers (`##ing` as `ing`, `Ġthe` as `the`).
//!
//! One hash lookup per file word serves both steps: tokens are keyed by their
//! lower-case form, and each entry says whether the token equals the file word.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::vocab::Vocab;

type Map = HashMap<Box<[u8]>, Vec<Entry>, foldhash::fast::FixedState>;

#[derive(Debug, Clone)]
struct Entry {
    row: u32,
    /// The token's word form, to tell an exact match from a fallback one.
    token: Box<str>,
}

/// Vocabulary rows keyed for lookup by file words.
#[derive(Debug)]
pub(crate) struct Matcher {
    map: Map,
    lowercase: bool,
    /// Rows that can be filled from the file (reserved rows excluded).
    pub wanted: usize,
    /// Whether some token holds a space (then every line must be right-split
    /// before its word can be looked up).
    pub spaced: bool,
}

/// How a file word filled a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Exact,
    Fallback,
}

/// The lower-case form, borrowed when the word has no upper-case letter.
#[inline]
fn lower(word: &str) -> Cow<'_, str> {
    if word
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

impl Matcher {
    /// Keys every non-reserved token of `vocab`.
    pub(crate) fn new(vocab: &Vocab, lowercase: bool) -> Self {
        let mut map = Map::with_capacity_and_hasher(vocab.len(), Default::default());
        let mut wanted = 0;
        let mut spaced = false;
        for row in 0..vocab.len() {
            // Reserved rows are not looked up; nor are pieces without a word form.
            let Some(token) = vocab.lookup_form(row).filter(|_| !vocab.is_reserved(row)) else {
                continue;
            };
            wanted += 1;
            spaced |= token.contains([' ', '\t']);
            let key: Box<[u8]> = if lowercase {
                lower(token).as_bytes().into()
            } else {
                token.as_bytes().into()
            };
            map.entry(key).or_default().push(Entry {
                row: row as u32,
                token: token.into(),
            });
        }
        Matcher {
            map,
            lowercase,
            wanted,
            spaced,
        }
    }

    /// Whether the word with these bytes fills any row. Bytes that are not UTF-8
    /// never do; lower-case ASCII words (nearly all of GloVe's) are looked up without
    /// validating or copying them.
    #[inline]
    pub(crate) fn wants(&self, word: &[u8]) -> bool {
        if !self.lowercase || word.iter().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            return self.map.contains_key(word);
        }
        match std::str::from_utf8(word) {
            Ok(w) => self.map.contains_key(w.to_lowercase().as_bytes()),
            Err(_) => false,
        }
    }

    /// Calls `f(row, step)` for each row that `word` fills.
    #[inline]
    pub(crate) fn for_each(&self, word: &str, mut f: impl FnMut(u32, Step)) {
        let entries = if self.lowercase {
            self.map.get(lower(word).as_bytes())
        } else {
            self.map.get(word.as_bytes())
        };
        for e in entries.into_iter().flatten() {
            let step = if *e.token == *word {
                Step::Exact
            } else {
                Step::Fallback
            };
            f(e.row, step);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(m: &Matcher, word: &str) -> Vec<(u32, Step)> {
        let mut v = vec![];
        m.for_each(word, |r, s| v.push((r, s)));
        v
    }

    #[test]
    fn exact_then_lowercase_both_ways() {
        let vocab = Vocab::new(
            ["<pad>", "Apple", "paris", "apple"]
                .map(String::from)
                .to_vec(),
        )
        .unwrap()
        .padding(0)
        .unwrap();
        let m = Matcher::new(&vocab, true);
        assert_eq!(m.wanted, 3);
        assert_eq!(
            rows(&m, "apple"),
            vec![(1, Step::Fallback), (3, Step::Exact)]
        );
        assert_eq!(rows(&m, "Paris"), vec![(2, Step::Fallback)]);
        assert_eq!(rows(&m, "<pad>"), vec![]);
        let strict = Matcher::new(&vocab, false);
        assert_eq!(rows(&strict, "Paris"), vec![]);
        assert_eq!(rows(&strict, "Apple"), vec![(1, Step::Exact)]);
        assert!(m.wants(b"PARIS") && !strict.wants(b"PARIS") && !m.spaced);
        assert!(m.wants(b"apple") && !m.wants(b"appl\xff"));
    }
}
