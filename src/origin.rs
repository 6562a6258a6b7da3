//! [`RowOrigin`]: where a row of an embedding table came from, and the one table of
//! its `u8` codes that every output uses.
//!
//! # Codes
//! The `origins` tensor of a `.safetensors` table and the `.origins.npy` beside a
//! `.npy` table hold one `u8` per row:
//!
//! | code | origin | the row holds |
//! | ---: | --- | --- |
//! | 0 | `exact` | the vector file's vector of the token itself |
//! | 1 | `fallback` | the vector of the token's lower-case form |
//! | 2 | `missing` | an initialised value (random or zeros): the file lacked the token |
//! | 3 | `padding` | the reserved padding row (zeros) |
//! | 4 | `oov` | the reserved out-of-vocabulary row |
//! | 5 | `unused` | a reserved row no token id maps to (zeros): Keras' index 1 when its OOV token is also a word |
//! | 6 | `special` | a reserved special-token row (`[CLS]`, `<s>`...), initialised as the OOV row unless told otherwise |
//! | 7 | `subword` | a native fastText model's vector of a token it lacks, from the rows of the token's character n-grams |
//!
//! Codes never change meaning; a new origin takes the next free code and a row in
//! this table (and in [`RowOrigin::ALL`]). The same table is written into the
//! metadata of a `.safetensors` table as `origin_codes`
//! ([`RowOrigin::codes_json`]), so a file explains itself.
//!
//! ```
//! use pretrained_vectors::RowOrigin;
//! assert_eq!(RowOrigin::Missing.code(), 2);
//! assert_eq!(RowOrigin::from_code(2), Some(RowOrigin::Missing));
//! assert_eq!(RowOrigin::from_code(200), None);
//! assert_eq!(RowOrigin::Oov.name(), "oov");
//! ```

use serde::{Deserialize, Serialize};

/// Where a row of an [`EmbeddingTable`](crate::EmbeddingTable) came from.
///
/// Fine-tuning uses this to treat pretrained and initialised rows differently (for
/// example, train only the rows the vector file did not have). Each origin has a
/// fixed `u8` code ([`code`](Self::code)); see the [module docs](self) for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOrigin {
    /// The vector file had the token itself (code 0).
    Exact,
    /// The vector file had the token's lower-case form (code 1).
    Fallback,
    /// The vector file did not have the token: the row was initialised (random by
    /// default, or zeros) (code 2).
    Missing,
    /// The reserved padding row (zeros, never trained) (code 3).
    Padding,
    /// The reserved out-of-vocabulary row (code 4).
    Oov,
    /// A reserved row that no token id maps to (zeros, like padding): Keras'
    /// index 1 when its OOV token is also a word (see
    /// [`Vocab::unused`](crate::Vocab::unused)) (code 5).
    Unused,
    /// A reserved special-token row (`[CLS]`, `[SEP]`, `<s>`...; see
    /// [`Vocab::specials`](crate::Vocab::specials)): initialised as the OOV row
    /// unless the aligner is told otherwise ([`Aligner::special`](crate::Aligner::special))
    /// (code 6).
    Special,
    /// A native fastText model lacked the token but had rows for its character
    /// n-grams: the row is the token's subword vector, as fastText's
    /// `getWordVector` computes it (code 7).
    Subword,
}

impl RowOrigin {
    /// Every origin, in code order: `ALL[c].code() == c`.
    pub const ALL: [RowOrigin; 8] = [
        RowOrigin::Exact,
        RowOrigin::Fallback,
        RowOrigin::Missing,
        RowOrigin::Padding,
        RowOrigin::Oov,
        RowOrigin::Unused,
        RowOrigin::Special,
        RowOrigin::Subword,
    ];

    /// Whether the row's values are the file's vector of the token (or of its
    /// lower-case form). [`RowOrigin::Subword`] rows are not: they are computed
    /// from the n-grams of a token the file lacks.
    pub fn is_pretrained(self) -> bool {
        matches!(self, RowOrigin::Exact | RowOrigin::Fallback)
    }

    /// Whether the row's values come from the file at all: a pretrained row or a
    /// subword vector.
    pub fn from_file(self) -> bool {
        matches!(
            self,
            RowOrigin::Exact | RowOrigin::Fallback | RowOrigin::Subword
        )
    }

    /// The origin's code in the `origins` outputs (see the [module docs](self)).
    pub fn code(self) -> u8 {
        match self {
            RowOrigin::Exact => 0,
            RowOrigin::Fallback => 1,
            RowOrigin::Missing => 2,
            RowOrigin::Padding => 3,
            RowOrigin::Oov => 4,
            RowOrigin::Unused => 5,
            RowOrigin::Special => 6,
            RowOrigin::Subword => 7,
        }
    }

    /// The origin with `code`, or `None` for a code no origin has.
    pub fn from_code(code: u8) -> Option<RowOrigin> {
        RowOrigin::ALL.into_iter().find(|o| o.code() == code)
    }

    /// The origin's name, as in reports and metadata (`exact`, `fallback`,
    /// `missing`, `padding`, `oov`, `unused`, `special`, `subword`).
    pub fn name(self) -> &'static str {
        match self {
            RowOrigin::Exact => "exact",
            RowOrigin::Fallback => "fallback",
            RowOrigin::Missing => "missing",
            RowOrigin::Padding => "padding",
            RowOrigin::Oov => "oov",
            RowOrigin::Unused => "unused",
            RowOrigin::Special => "special",
            RowOrigin::Subword => "subword",
        }
    }

    /// The code table as a JSON object from code to name, in code order:
    /// `{"0": "exact", "1": "fallback", ...}` (the `origin_codes` metadata of a
    /// `.safetensors` table).
    ///
    /// ```
    /// let json = pretrained_vectors::RowOrigin::codes_json();
    /// assert!(json.starts_with(r#"{"0":"exact","1":"fallback","2":"missing""#));
    /// ```
    pub fn codes_json() -> String {
        let pairs: Vec<String> = RowOrigin::ALL
            .iter()
            .map(|o| format!("\"{}\":\"{}\"", o.code(), o.name()))
            .collect();
        format!("{{{}}}", pairs.join(","))
    }
}

/// The codes of `origins`, one `u8` per row.
pub(crate) fn codes(origins: &[RowOrigin]) -> Vec<u8> {
    origins.iter().map(|o| o.code()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_a_bijection_in_code_order() {
        for (c, o) in RowOrigin::ALL.iter().enumerate() {
            assert_eq!(usize::from(o.code()), c);
            assert_eq!(RowOrigin::from_code(o.code()), Some(*o));
        }
        assert_eq!(RowOrigin::from_code(RowOrigin::ALL.len() as u8), None);
    }

    #[test]
    fn names_match_serde() {
        for o in RowOrigin::ALL {
            assert_eq!(
                serde_json::to_string(&o).unwrap(),
                format!("\"{}\"", o.name())
            );
        }
        let table: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&RowOrigin::codes_json()).unwrap();
        assert_eq!(table.len(), RowOrigin::ALL.len());
        assert_eq!(table["4"], "oov");
    }
}
