//! Word-pair similarity files (WordSim-353, SimLex-999), scored by gensim 4.4's
//! `evaluate_word_pairs` rules.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{pearson, spearman, EvalOptions, Space};
use crate::error::{Error, EvalLineFault, Position, Result};
use crate::parse::for_each_text_line;

/// One pair and its gold score.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// The first word, as written.
    pub a: String,
    /// The second word, as written.
    pub b: String,
    /// The human judgement.
    pub score: f64,
    /// 1-based line in its file.
    pub line: u64,
}

/// A word-pair test set.
///
/// The format: `word1<TAB>word2<TAB>score` lines; lines starting with `#` and blank
/// lines are skipped, a UTF-8 byte order mark is allowed. Words are taken exactly as
/// written between the tabs (as gensim does); the score may have white space around
/// it. Unlike gensim, which logs and skips a line that does not parse, such a line
/// is an error here, with its position.
///
/// ```
/// use pretrained_vectors::eval::Pairs;
/// let set = Pairs::from_bytes("p.tsv".as_ref(), b"# word1\tword2\tscore\ntiger\tcat\t7.35\n")?;
/// assert_eq!(set.pairs()[0].score, 7.35);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs {
    path: PathBuf,
    pairs: Vec<Pair>,
}

impl Pairs {
    /// Reads the pairs file at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read; as [`Pairs::from_bytes`].
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::source::read_whole(path)?;
        Self::from_bytes(path, &bytes)
    }

    /// Parses pairs from `bytes`; errors name `path`.
    ///
    /// # Errors
    /// [`Error::BadPairLine`] with the line and byte of a line that is not UTF-8
    /// ([`EvalLineFault::NotUtf8`]), does not hold three tab-separated fields
    /// ([`EvalLineFault::FieldCount`]), or whose score is not a number
    /// ([`EvalLineFault::ScoreNotNumber`]) or not finite
    /// ([`EvalLineFault::ScoreNotFinite`]).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self> {
        let bad = |line, at, fault| Error::BadPairLine {
            path: path.to_path_buf(),
            pos: Position::line(line, at),
            fault,
        };
        let mut pairs = Vec::new();
        let not_utf8 = |line, at, byte| bad(line, at, EvalLineFault::NotUtf8 { byte });
        for_each_text_line(bytes, not_utf8, |line, at, text| {
            if text.starts_with('#') || text.trim().is_empty() {
                return Ok(());
            }
            let fields: Vec<&str> = text.split('\t').collect();
            let [a, b, score] = fields[..] else {
                let fields = fields.len();
                return Err(bad(line, at, EvalLineFault::FieldCount { fields }));
            };
            let score_at = at + (a.len() + b.len() + 2) as u64;
            let found = || score.chars().take(40).collect::<String>().into();
            let value = match score.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                Ok(_) => {
                    let fault = EvalLineFault::ScoreNotFinite { found: found() };
                    return Err(bad(line, score_at, fault));
                }
                Err(_) => {
                    let fault = EvalLineFault::ScoreNotNumber { found: found() };
                    return Err(bad(line, score_at, fault));
                }
            };
            pairs.push(Pair {
                a: a.to_string(),
                b: b.to_string(),
                score: value,
                line,
            });
            Ok(())
        })?;
        Ok(Pairs {
            path: path.to_path_buf(),
            pairs,
        })
    }

    /// The file the pairs came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pairs, in file order.
    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }
}

/// The result of [`Space::evaluate_pairs`]. Serialises as
/// `{"pearson": P, "spearman": R, "oov_percent": O}` (a coefficient that is not a
/// number, for constant scores, as `null`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairScore {
    /// Pearson's correlation of the cosines with the gold scores.
    pub pearson: f64,
    /// Spearman's rank correlation (ties at their average rank).
    pub spearman: f64,
    /// The share of pairs skipped for an unknown word, in percent.
    pub oov_percent: f64,
    /// Pairs scored.
    #[serde(skip)]
    pub scored: usize,
    /// Pairs skipped for an unknown word.
    #[serde(skip)]
    pub skipped: usize,
}

impl Space<'_> {
    /// Scores a word-pair set as gensim's `evaluate_word_pairs` does: the cosine of
    /// each pair whose two words are among the first `restrict_vocab` rows (matched
    /// case-insensitively by default, see [`EvalOptions`]), correlated with the gold
    /// scores; pairs with an unknown word are skipped and counted.
    ///
    /// ```
    /// use pretrained_vectors::eval::{EvalOptions, Pairs, Space};
    /// let vectors = pretrained_vectors::read("fixtures/glove.6B.50d.20k.txt.gz")?;
    /// let pairs = Pairs::from_bytes("p.tsv".as_ref(), b"cat\tdog\t8\ncat\tcar\t2\ncar\ttruck\t7\nzyzzyva\tcat\t1\n")?;
    /// let score = Space::new(&vectors).evaluate_pairs(&pairs, &EvalOptions::new())?;
    /// assert!((score.spearman - 1.0).abs() < 1e-12);
    /// assert_eq!(score.oov_percent, 25.0);
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NoPairs`] when fewer than two pairs can be scored.
    pub fn evaluate_pairs(&self, pairs: &Pairs, options: &EvalOptions) -> Result<PairScore> {
        let matching = options.matching(self.len());
        let keys: Vec<[String; 2]> = pairs
            .pairs
            .iter()
            .map(|p| [matching.key(&p.a), matching.key(&p.b)])
            .collect();
        let rows = matching.rows(self.source, keys.iter().flatten().map(String::as_str));
        let (mut gold, mut model) = (Vec::new(), Vec::new());
        let mut skipped = 0;
        for (p, [a, b]) in pairs.pairs.iter().zip(&keys) {
            match (rows[a.as_str()], rows[b.as_str()]) {
                (Some(ra), Some(rb)) => {
                    gold.push(p.score);
                    model.push(f64::from(self.cosine(ra as usize, rb as usize)));
                }
                _ => skipped += 1,
            }
        }
        if gold.len() < 2 {
            return Err(Error::NoPairs {
                path: pairs.path.clone(),
                scored: gold.len(),
                unknown: skipped,
            });
        }
        Ok(PairScore {
            pearson: pearson(&gold, &model),
            spearman: spearman(&gold, &model),
            // In gensim's order of operations, for the same float.
            oov_percent: skipped as f64 / (gold.len() + skipped) as f64 * 100.0,
            scored: gold.len(),
            skipped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Pairs> {
        Pairs::from_bytes(Path::new("p.tsv"), text.as_bytes())
    }

    #[test]
    fn comments_blank_lines_and_crlf() {
        let p = parse("# head\r\n\r\nlove\tsex\t6.77\r\nTiger\tcat\t 7 \n").unwrap();
        assert_eq!(p.pairs().len(), 2);
        assert_eq!(
            (
                p.pairs()[1].a.as_str(),
                p.pairs()[1].score,
                p.pairs()[1].line
            ),
            ("Tiger", 7.0, 4)
        );
    }

    #[test]
    fn bad_lines_have_positions() {
        let fault = |e: Error| match e {
            Error::BadPairLine { pos, fault, .. } => (pos, fault),
            other => panic!("expected BadPairLine, got {other:?}"),
        };
        let e = parse("a\tb\t1\na b 2\n").unwrap_err();
        assert_eq!(
            fault(e),
            (
                Position::line(2, 6),
                EvalLineFault::FieldCount { fields: 1 }
            )
        );
        let e = parse("a\tb\t1\nab\tc\tx1\n").unwrap_err();
        let found = "x1".into();
        assert_eq!(
            fault(e),
            (
                Position::line(2, 11),
                EvalLineFault::ScoreNotNumber { found }
            )
        );
        let e = parse("a\tb\tnan\nc\td\tinf\n").unwrap_err();
        let found = "nan".into();
        assert_eq!(
            fault(e),
            (
                Position::line(1, 4),
                EvalLineFault::ScoreNotFinite { found }
            )
        );
        let e = parse("c\td\t -inf\n").unwrap_err();
        let found = " -inf".into();
        assert_eq!(fault(e).1, EvalLineFault::ScoreNotFinite { found });
        let e = Pairs::from_bytes(Path::new("p.tsv"), b"a\t\xc3\tb\t1\n").unwrap_err();
        assert_eq!(
            fault(e),
            (Position::line(1, 2), EvalLineFault::NotUtf8 { byte: 0xc3 })
        );
        // Messages keep saying what was expected and found.
        let e = parse("a\tb\tseven\n").unwrap_err();
        assert!(
            e.to_string()
                .ends_with("expected a finite number as the score (third field), found \"seven\""),
            "{e}"
        );
    }
}
