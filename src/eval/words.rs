//! Which row each benchmark word means, by gensim's evaluation rules.
//!
//! gensim looks benchmark words up among the first `restrict_vocab` rows only, and,
//! case-insensitively (its default), by their upper-case form: the first row whose
//! word upper-cases to it wins (`Paris` before `paris` if it comes first).

use std::collections::HashMap;

use foldhash::fast::FixedState;

use super::Embeddings;

/// How benchmark words are matched to rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matching {
    /// Rows searched: the first `limit`.
    pub limit: usize,
    /// Match upper-case forms.
    pub case_insensitive: bool,
}

impl Matching {
    /// The form a word is compared in.
    pub fn key(&self, word: &str) -> String {
        if self.case_insensitive {
            upper(word)
        } else {
            word.to_string()
        }
    }

    /// The row of every key in `keys` (already in compared form), `None` for those
    /// that no row within the limit has.
    pub fn rows<'k>(
        &self,
        source: &dyn Embeddings,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> HashMap<&'k str, Option<u32>, FixedState> {
        let mut found: HashMap<&'k str, Option<u32>, FixedState> =
            keys.into_iter().map(|k| (k, None)).collect();
        if !self.case_insensitive {
            for (k, row) in found.iter_mut() {
                *row = source.row(k).filter(|&r| r < self.limit).map(|r| r as u32);
            }
            return found;
        }
        // Upper-case every row's word once, in row order, until every key is found.
        let mut missing = found.len();
        let mut buf = String::new();
        for (r, word) in source.words().iter().take(self.limit).enumerate() {
            if missing == 0 {
                break;
            }
            upper_into(word, &mut buf);
            if let Some(slot) = found.get_mut(buf.as_str()) {
                if slot.is_none() {
                    *slot = Some(r as u32);
                    missing -= 1;
                }
            }
        }
        found
    }
}

/// The upper-case form of `word`, by Unicode's full mapping (as Python's `str.upper`:
/// `straße` -> `STRASSE`).
pub(crate) fn upper(word: &str) -> String {
    let mut s = String::new();
    upper_into(word, &mut s);
    s
}

fn upper_into(word: &str, buf: &mut String) {
    buf.clear();
    if word.is_ascii() {
        buf.push_str(word);
        buf.make_ascii_uppercase();
    } else {
        buf.extend(word.chars().flat_map(char::to_uppercase));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vectors;

    fn vectors(words: &[&str]) -> Vectors {
        let m = ndarray::Array2::<f32>::ones((words.len(), 2));
        Vectors::new(words.iter().map(|w| w.to_string()).collect(), m).unwrap()
    }

    #[test]
    fn first_case_variant_wins_within_the_limit() {
        let v = vectors(&["Paris", "paris", "straße", "rome", "Berlin"]);
        let m = Matching {
            limit: 4,
            case_insensitive: true,
        };
        let rows = m.rows(&v, ["PARIS", "STRASSE", "ROME", "BERLIN"]);
        assert_eq!(rows["PARIS"], Some(0));
        assert_eq!(rows["STRASSE"], Some(2));
        assert_eq!(rows["ROME"], Some(3));
        assert_eq!(rows["BERLIN"], None, "row 4 is beyond the limit");
        let exact = Matching {
            limit: 5,
            case_insensitive: false,
        };
        let rows = exact.rows(&v, ["paris", "PARIS"]);
        assert_eq!((rows["paris"], rows["PARIS"]), (Some(1), None));
    }
}
