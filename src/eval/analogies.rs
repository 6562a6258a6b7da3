//! Word analogies in the `questions-words.txt` format (Mikolov et al. 2013), scored
//! by gensim 4.4's `evaluate_word_analogies` rules.

use std::path::{Path, PathBuf};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::batch::{Combo, Rule};

use super::{EvalOptions, Space};
use crate::error::{Error, EvalLineFault, Position, Result};
use crate::parse::for_each_text_line;

/// One question `a b c expected`: `a` is to `b` as `c` is to `expected`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The four words, as written.
    pub words: [String; 4],
    /// 1-based line of the question in its file.
    pub line: u64,
}

/// A `: name` line and the questions under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The name after the colon.
    pub name: String,
    /// The questions, in file order.
    pub questions: Vec<Question>,
}

/// An analogy test set: sections of questions.
///
/// The format: `: section` lines (a colon, then the name), each followed by
/// questions of four words separated by white space. Blank lines are skipped; a
/// UTF-8 byte order mark is allowed. Unlike gensim, which logs and skips a question
/// line that does not hold four words, such a line is an error here, with its
/// position.
///
/// ```
/// use pretrained_vectors::eval::Analogies;
/// let set = Analogies::from_bytes("q.txt".as_ref(), b": capitals\nathens greece paris france\n")?;
/// assert_eq!(set.sections()[0].questions[0].words[3], "france");
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analogies {
    path: PathBuf,
    sections: Vec<Section>,
}

impl Analogies {
    /// Reads the analogy file at `path`.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read; as [`Analogies::from_bytes`].
    pub fn read(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::source::read_whole(path)?;
        Self::from_bytes(path, &bytes)
    }

    /// Parses analogy questions from `bytes`; errors name `path`.
    ///
    /// # Errors
    /// [`Error::BadAnalogyLine`] with the line and byte of a line that is not UTF-8
    /// ([`EvalLineFault::NotUtf8`]), of a question before the first section
    /// ([`EvalLineFault::NoSection`]), and of a line that is neither a section nor
    /// four words ([`EvalLineFault::WordCount`]).
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self> {
        let mut sections: Vec<Section> = Vec::new();
        let bad = |line, at, fault| Error::BadAnalogyLine {
            path: path.to_path_buf(),
            pos: Position::line(line, at),
            fault,
        };
        let not_utf8 = |line, at, byte| bad(line, at, EvalLineFault::NotUtf8 { byte });
        for_each_text_line(bytes, not_utf8, |line, at, text| {
            if text.trim().is_empty() {
                return Ok(());
            }
            if let Some(name) = text.strip_prefix(':') {
                sections.push(Section {
                    name: name.trim_start_matches([':', ' ']).trim().to_string(),
                    questions: Vec::new(),
                });
                return Ok(());
            }
            let words: Vec<&str> = text.split_whitespace().collect();
            let Ok(words) = <[&str; 4]>::try_from(words.as_slice()) else {
                let words = words.len();
                return Err(bad(line, at, EvalLineFault::WordCount { words }));
            };
            let Some(section) = sections.last_mut() else {
                return Err(bad(line, at, EvalLineFault::NoSection));
            };
            section.questions.push(Question {
                words: words.map(String::from),
                line,
            });
            Ok(())
        })?;
        Ok(Analogies {
            path: path.to_path_buf(),
            sections,
        })
    }

    /// The file the questions came from (empty for bytes without a file).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The sections, in file order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// Number of questions.
    pub fn questions(&self) -> usize {
        self.sections.iter().map(|s| s.questions.len()).sum()
    }
}

/// How one section scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionScore {
    /// The section's name.
    pub name: String,
    /// Questions answered with the expected word.
    pub correct: usize,
    /// Questions answered with another word.
    pub incorrect: usize,
    /// Questions skipped because a word is unknown (not among the rows searched).
    pub skipped: usize,
}

impl SectionScore {
    /// `correct / (correct + incorrect)`, or 0 when no question was scored (gensim's
    /// rule).
    pub fn score(&self) -> f64 {
        ratio(self.correct, self.correct + self.incorrect)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// The result of [`Space::evaluate_analogies`].
///
/// Serialises as `{"score": S, "sections": {NAME: [correct, incorrect]}}`, sections
/// in file order (same-named sections added up).
#[derive(Debug, Clone, PartialEq)]
pub struct AnalogyScore {
    /// Each section, in file order.
    pub sections: Vec<SectionScore>,
}

impl AnalogyScore {
    /// Questions answered correctly, over all sections.
    pub fn correct(&self) -> usize {
        self.sections.iter().map(|s| s.correct).sum()
    }

    /// Questions answered incorrectly, over all sections.
    pub fn incorrect(&self) -> usize {
        self.sections.iter().map(|s| s.incorrect).sum()
    }

    /// Questions skipped for an unknown word.
    pub fn skipped(&self) -> usize {
        self.sections.iter().map(|s| s.skipped).sum()
    }

    /// `correct / (correct + incorrect)` over all sections (gensim's overall score).
    pub fn score(&self) -> f64 {
        ratio(self.correct(), self.correct() + self.incorrect())
    }

    /// The share of questions skipped for an unknown word, in percent.
    pub fn oov_percent(&self) -> f64 {
        let all = self.correct() + self.incorrect() + self.skipped();
        100.0 * ratio(self.skipped(), all)
    }
}

impl Serialize for AnalogyScore {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct Sections<'a>(&'a [SectionScore]);
        impl Serialize for Sections<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let mut names: Vec<(&str, [usize; 2])> = Vec::new();
                for sec in self.0 {
                    match names.iter_mut().find(|(n, _)| *n == sec.name) {
                        Some((_, c)) => {
                            c[0] += sec.correct;
                            c[1] += sec.incorrect;
                        }
                        None => names.push((&sec.name, [sec.correct, sec.incorrect])),
                    }
                }
                let mut map = s.serialize_map(Some(names.len()))?;
                for (n, c) in names {
                    map.serialize_entry(n, &c)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("score", &self.score())?;
        map.serialize_entry("sections", &Sections(&self.sections))?;
        map.end()
    }
}

/// The answers kept per question before gensim's case rule picks one.
const ANSWERS: usize = 5;

impl Space<'_> {
    /// Scores analogy questions as gensim's `evaluate_word_analogies` does: each
    /// question `a b c expected` is answered by the word nearest to
    /// `b - a + c` (3CosAdd, see [`Space::most_similar`]; 3CosMul with
    /// [`EvalOptions::cosmul`]) among the first `restrict_vocab` rows, the
    /// question's words left out; it is correct when the answer is `expected`.
    /// Questions with a word not among those rows are skipped. Case-insensitively
    /// (the default), words compare upper-cased and a word means the first row that
    /// upper-cases to it. All questions are answered in one batch.
    ///
    /// ```
    /// use pretrained_vectors::eval::{Analogies, EvalOptions, Space};
    /// let vectors = pretrained_vectors::read("fixtures/glove.6B.50d.20k.txt.gz")?;
    /// let questions = Analogies::from_bytes("q.txt".as_ref(), b": family\nking queen man woman\nfather mother son daughter\n")?;
    /// let score = Space::new(&vectors).evaluate_analogies(&questions, &EvalOptions::new())?;
    /// assert_eq!((score.correct(), score.incorrect()), (2, 0));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// None today; the `Result` leaves room for options that can be refused.
    pub fn evaluate_analogies(
        &self,
        analogies: &Analogies,
        options: &EvalOptions,
    ) -> Result<AnalogyScore> {
        let matching = options.matching(self.len());
        // Every question's words in compared form.
        let keys: Vec<[String; 4]> = analogies
            .sections
            .iter()
            .flat_map(|s| &s.questions)
            .map(|q| q.words.clone().map(|w| matching.key(&w)))
            .collect();
        let rows = matching.rows(self.source, keys.iter().flatten().map(String::as_str));
        let mut combos = Vec::new();
        let mut asked = Vec::new(); // (question index, expected row)
        for (i, k) in keys.iter().enumerate() {
            let r: Option<Vec<u32>> = k.iter().map(|w| rows[w.as_str()]).collect();
            let Some(r) = r else { continue };
            combos.push(Combo {
                terms: vec![(r[1], 1.0), (r[2], 1.0), (r[0], -1.0)],
                exclude: vec![r[0], r[1], r[2]],
            });
            asked.push(i);
        }
        let rule = if options.cosmul { Rule::Mul } else { Rule::Add };
        let answers = self.top_k(matching.limit, &combos, rule, ANSWERS);
        let mut verdict: Vec<Option<bool>> = vec![None; keys.len()];
        for (&i, answer) in asked.iter().zip(&answers) {
            let [a, b, c, expected] = &keys[i];
            // gensim: the first of the best five whose word is none of a, b, c (as
            // compared), else the last of them.
            let mut predicted = None;
            for &(row, _) in answer {
                let word = matching.key(&self.source.words()[row as usize]);
                let ignored = word == *a || word == *b || word == *c;
                predicted = Some(word);
                if !ignored {
                    break;
                }
            }
            verdict[i] = Some(predicted.as_deref() == Some(expected.as_str()));
        }
        let mut at = 0;
        let sections = analogies
            .sections
            .iter()
            .map(|s| {
                let mut score = SectionScore {
                    name: s.name.clone(),
                    correct: 0,
                    incorrect: 0,
                    skipped: 0,
                };
                for v in &verdict[at..at + s.questions.len()] {
                    match v {
                        Some(true) => score.correct += 1,
                        Some(false) => score.incorrect += 1,
                        None => score.skipped += 1,
                    }
                }
                at += s.questions.len();
                score
            })
            .collect();
        Ok(AnalogyScore { sections })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Analogies> {
        Analogies::from_bytes(Path::new("q.txt"), text.as_bytes())
    }

    #[test]
    fn sections_and_questions() {
        let a = parse("\u{feff}: one\na b c d\n\n:  two \r\ne  f\tg h\r\n: empty\n").unwrap();
        let names: Vec<&str> = a.sections().iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["one", "two", "empty"]);
        assert_eq!(
            a.sections()[1].questions[0].words,
            ["e", "f", "g", "h"].map(String::from)
        );
        assert_eq!(a.sections()[1].questions[0].line, 5);
        assert_eq!(a.questions(), 2);
    }

    #[test]
    fn bad_lines_have_positions() {
        let fault = |e: Error| match e {
            Error::BadAnalogyLine { pos, fault, .. } => (pos, fault),
            other => panic!("expected BadAnalogyLine, got {other:?}"),
        };
        let e = parse(": s\na b c d\na b c\n").unwrap_err();
        assert!(
            e.to_string().starts_with(
                "q.txt: bad analogy line at line 3, byte 12: expected a `: section` line or a \
                 question of 4 words"
            ),
            "{e}"
        );
        assert_eq!(
            fault(e),
            (Position::line(3, 12), EvalLineFault::WordCount { words: 3 })
        );
        let e = parse("a b c d\n").unwrap_err();
        assert_eq!(fault(e), (Position::line(1, 0), EvalLineFault::NoSection));
        let e = Analogies::from_bytes(Path::new("q.txt"), b": s\na b \xff d\n").unwrap_err();
        assert_eq!(
            fault(e),
            (Position::line(2, 8), EvalLineFault::NotUtf8 { byte: 0xff })
        );
        // The BOM counts in byte offsets.
        let e = parse("\u{feff}: s\nx\n").unwrap_err();
        assert_eq!(
            fault(e),
            (Position::line(2, 7), EvalLineFault::WordCount { words: 1 })
        );
    }
}
