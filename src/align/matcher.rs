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

use hashbrown::HashTable;

use crate::vocab::Vocab;

/// Strings laid end to end in one buffer, each named by its number: the
/// vocabulary's keys and forms cost two allocations, not one per token.
#[derive(Debug, Default)]
struct Arena {
    bytes: String,
    /// Where each string ends in `bytes` (it starts where the previous one ends).
    ends: Vec<u32>,
}

impl Arena {
    fn push(&mut self, s: &str) -> u32 {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len() as u32);
        (self.ends.len() - 1) as u32
    }

    #[inline]
    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }
}

/// The hash of a key's bytes, the same for a `&str` and its `&[u8]`.
#[inline]
fn hash_key(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x6d61_7463).hash_one(bytes)
}

/// Vocabulary rows keyed for lookup by file words.
#[derive(Debug)]
pub(crate) struct Matcher {
    /// The key numbers, found by a word's hash.
    table: HashTable<u32>,
    /// Each distinct key (the lower-case form with the fallback on, else the
    /// token's word form).
    keys: Arena,
    /// First entry of each key, and the next entry of the same key (`NONE` ends).
    first: Vec<u32>,
    next: Vec<u32>,
    /// Each entry's row, and its word form (entry numbers are arena numbers), to
    /// tell an exact match from a fallback one.
    rows: Vec<u32>,
    forms: Arena,
    lowercase: bool,
    /// Rows that can be filled from the file (reserved rows excluded).
    pub wanted: usize,
    /// Whether some token holds a space (then every line must be right-split
    /// before its word can be looked up).
    pub spaced: bool,
}

/// The end of a chain of entries.
const NONE: u32 = u32::MAX;

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
        let mut m = Matcher {
            table: HashTable::with_capacity(vocab.len()),
            keys: Arena::default(),
            first: Vec::with_capacity(vocab.len()),
            next: Vec::with_capacity(vocab.len()),
            rows: Vec::with_capacity(vocab.len()),
            forms: Arena::default(),
            lowercase,
            wanted: 0,
            spaced: false,
        };
        // The last entry of each key, where its chain grows.
        let mut last_of: Vec<u32> = Vec::with_capacity(vocab.len());
        for row in 0..vocab.len() {
            // Reserved rows are not looked up; nor are pieces without a word form.
            let Some(token) = vocab.lookup_form(row).filter(|_| !vocab.is_reserved(row)) else {
                continue;
            };
            m.wanted += 1;
            m.spaced |= token.contains([' ', '\t']);
            let key = if lowercase {
                lower(token)
            } else {
                Cow::Borrowed(token)
            };
            let entry = m.forms.push(token);
            m.rows.push(row as u32);
            m.next.push(NONE);
            let (keys, first) = (&mut m.keys, &mut m.first);
            let hash = hash_key(key.as_bytes());
            match m.table.entry(
                hash,
                |&k| keys.get(k) == key,
                |&k| hash_key(keys.get(k).as_bytes()),
            ) {
                hashbrown::hash_table::Entry::Occupied(e) => {
                    // Entries of a key stay in row order: append to its chain.
                    let tail = &mut last_of[*e.get() as usize];
                    m.next[*tail as usize] = entry;
                    *tail = entry;
                }
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(keys.push(&key));
                    first.push(entry);
                    last_of.push(entry);
                }
            }
        }
        m
    }

    /// The number of the key with these bytes.
    #[inline]
    fn key(&self, key: &[u8]) -> Option<u32> {
        self.table
            .find(hash_key(key), |&k| self.keys.get(k).as_bytes() == key)
            .copied()
    }

    /// The entries of the key with these bytes, in row order.
    #[inline]
    fn entries(&self, key: &[u8]) -> impl Iterator<Item = u32> + '_ {
        let first = self.key(key).map_or(NONE, |k| self.first[k as usize]);
        std::iter::successors((first != NONE).then_some(first), |&e| {
            let n = self.next[e as usize];
            (n != NONE).then_some(n)
        })
    }

    /// Whether the word with these bytes fills any row. Bytes that are not UTF-8
    /// never do; lower-case ASCII words (nearly all of GloVe's) are looked up without
    /// validating or copying them.
    #[inline]
    pub(crate) fn wants(&self, word: &[u8]) -> bool {
        if !self.lowercase || word.iter().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
            return self.key(word).is_some();
        }
        match std::str::from_utf8(word) {
            Ok(w) => self.key(w.to_lowercase().as_bytes()).is_some(),
            Err(_) => false,
        }
    }

    /// Calls `f(row, step)` for each row that `word` fills.
    #[inline]
    pub(crate) fn for_each(&self, word: &str, mut f: impl FnMut(u32, Step)) {
        let key = if self.lowercase {
            lower(word)
        } else {
            Cow::Borrowed(word)
        };
        for e in self.entries(key.as_bytes()) {
            let step = if self.forms.get(e) == word {
                Step::Exact
            } else {
                Step::Fallback
            };
            f(self.rows[e as usize], step);
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
