//! [`Vectors`]: words and their vectors as read from a file, with a word index.

use std::path::PathBuf;
use std::sync::Arc;

use hashbrown::HashTable;
use ndarray::{Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{Dims, Error, Position, Result};
use crate::fasttext::FastTextModel;
use crate::format::Format;
use crate::write::Words;

/// A word that appeared again; the first row was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The word.
    pub word: String,
    /// Line (text) or record (binary) of its first repeat, from 1.
    pub at: u64,
    /// Line or record of the row that was kept.
    pub first: u64,
    /// How many times it appeared again after the kept row.
    pub repeats: u64,
}

/// What reading found out about a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadInfo {
    /// The format, detected or given; `None` for vectors built in memory
    /// ([`Vectors::new`]).
    pub format: Option<Format>,
    /// Whether the file was gzip-compressed.
    pub gzip: bool,
    /// Rows claimed by a word2vec header.
    pub header_rows: Option<u64>,
    /// Rows in the file, duplicates included.
    pub file_rows: u64,
    /// Dimensions.
    pub dims: usize,
    /// Repeated words, once each in the order of their first repeat; their
    /// repeats were dropped (the first occurrence wins).
    pub duplicates: Vec<Duplicate>,
}

impl ReadInfo {
    /// Rows dropped because their word came earlier: the sum of the repeats.
    pub fn repeated_rows(&self) -> u64 {
        self.duplicates.iter().map(|d| d.repeats).sum()
    }

    /// Whether a header's row count disagrees with the rows found.
    pub fn header_mismatch(&self) -> bool {
        self.header_rows.is_some_and(|h| h != self.file_rows)
    }
}

/// Words and their vectors, in file order, duplicates removed.
#[derive(Debug, Clone)]
pub struct Vectors {
    pub(crate) words: Vec<String>,
    pub(crate) matrix: Array2<f32>,
    pub(crate) index: WordIndex,
    pub(crate) info: ReadInfo,
    /// The native fastText model the vectors were read from, which answers for
    /// words that have no row.
    pub(crate) model: Option<Arc<FastTextModel>>,
    /// The rule of an output format every word was checked against while it was
    /// read (a plain conversion's reader does this), so no one checks it again.
    pub(crate) checked: Option<Words>,
}

impl Vectors {
    /// Builds vectors from words and a matrix (rows in the same order). A matrix
    /// in any memory layout is accepted (column-major, transposed, sliced): it is
    /// made row-major (standard layout) here, copied only when it is not already.
    /// No file was read, so [`ReadInfo::format`] is `None`.
    ///
    /// ```
    /// use pretrained_vectors::ndarray::array;
    /// let m = array![[1.0f32, 3.0], [2.0, 4.0]].reversed_axes(); // column-major
    /// let v = pretrained_vectors::Vectors::new(vec!["a".into(), "b".into()], m)?;
    /// assert_eq!(v.get("a").unwrap().to_vec(), [1.0, 2.0]);
    /// assert!(v.matrix().is_standard_layout());
    /// assert_eq!(v.info().format, None); // not read from a file
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] when the counts differ, [`Error::DuplicateToken`] for a word
    /// given twice.
    pub fn new(words: Vec<String>, matrix: Array2<f32>) -> Result<Self> {
        // Every consumer (the aligner, the writers, lookups) reads rows as slices.
        let matrix = if matrix.is_standard_layout() {
            matrix
        } else {
            matrix.as_standard_layout().into_owned()
        };
        if words.len() != matrix.nrows() {
            return Err(Error::Shape {
                what: "vectors",
                expected: Dims::count(words.len(), "rows (one per word)"),
                found: Dims::count(matrix.nrows(), "rows"),
            });
        }
        let (index, dups) = WordIndex::build(&words, None);
        if let Some(&(at, first)) = dups.first() {
            return Err(Error::DuplicateToken {
                path: PathBuf::new(),
                pos: Position::entry(at as u64 + 1),
                token: words[at].clone(),
                first: Box::new(Position::entry(first as u64 + 1)),
            });
        }
        let info = ReadInfo {
            format: None,
            gzip: false,
            header_rows: None,
            file_rows: words.len() as u64,
            dims: matrix.ncols(),
            duplicates: vec![],
        };
        Ok(Vectors {
            words,
            matrix,
            index,
            info,
            model: None,
            checked: None,
        })
    }

    /// The words, in file order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The matrix, one row per word.
    pub fn matrix(&self) -> ArrayView2<'_, f32> {
        self.matrix.view()
    }

    /// The row of `word`.
    pub fn row(&self, word: &str) -> Option<usize> {
        self.index.get(&self.words, word)
    }

    /// The vector of `word`.
    pub fn get(&self, word: &str) -> Option<ArrayView1<'_, f32>> {
        self.row(word).map(|r| self.matrix.row(r))
    }

    /// The vector of any word: from a native fastText model, what fastText's
    /// `getWordVector` gives (its row for a word of the model, its subword vector
    /// for any other; `None` only when it has no row at all); from any other file,
    /// the word's row.
    ///
    /// ```
    /// let v = pretrained_vectors::read("fixtures/fasttext/skipgram.bin")?;
    /// assert!(v.get("fucntion").is_none());
    /// assert!(v.word_vector("fucntion").is_some());
    /// assert_eq!(v.word_vector("function").unwrap(), v.get("function").unwrap());
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn word_vector(&self, word: &str) -> Option<ndarray::Array1<f32>> {
        match &self.model {
            Some(m) => {
                let mut out = ndarray::Array1::zeros(m.dims());
                let rows = m.word_vector_into(
                    word.as_bytes(),
                    out.as_slice_mut().expect("a new array is contiguous"),
                );
                (rows > 0).then_some(out)
            }
            None => self.get(word).map(|v| v.to_owned()),
        }
    }

    /// The native fastText model these vectors come from, if they do.
    pub fn model(&self) -> Option<&FastTextModel> {
        self.model.as_deref()
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words (never true for vectors read from a file).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Number of dimensions.
    pub fn dims(&self) -> usize {
        self.matrix.ncols()
    }

    /// What reading found out.
    pub fn info(&self) -> &ReadInfo {
        &self.info
    }

    /// The words and the matrix.
    pub fn into_parts(self) -> (Vec<String>, Array2<f32>) {
        (self.words, self.matrix)
    }
}

/// Word -> row, storing only row numbers (the words live in `Vectors::words`).
#[derive(Clone, Default)]
pub(crate) struct WordIndex {
    table: HashTable<u32>,
}

impl std::fmt::Debug for WordIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WordIndex({} words)", self.table.len())
    }
}

/// The hash every word index uses.
pub(crate) fn hash_word(word: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x5eed).hash_one(word)
}

impl WordIndex {
    /// Indexes `words`; returns the `(repeat, first)` row pairs of duplicates, which
    /// are not indexed. `hashes`, when given, are `hash_word` of each word.
    pub(crate) fn build(words: &[String], hashes: Option<&[u64]>) -> (Self, Vec<(usize, usize)>) {
        let mut table = HashTable::with_capacity(words.len());
        let mut dups = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let h = hashes.map_or_else(|| hash_word(w), |hs| hs[i]);
            match table.entry(
                h,
                |&j: &u32| words[j as usize] == *w,
                |&j| hash_word(&words[j as usize]),
            ) {
                hashbrown::hash_table::Entry::Occupied(e) => dups.push((i, *e.get() as usize)),
                hashbrown::hash_table::Entry::Vacant(e) => {
                    e.insert(i as u32);
                }
            }
        }
        (WordIndex { table }, dups)
    }

    /// Makes room for `additional` more words.
    pub(crate) fn reserve(&mut self, additional: usize, words: &[String]) {
        self.table
            .reserve(additional, |&j| hash_word(&words[j as usize]));
    }

    /// Indexes `word` (of hash `hash`) as row `words.len()`, the row the caller
    /// pushes it to next; or returns the row that already holds it.
    pub(crate) fn insert(&mut self, words: &[String], hash: u64, word: &str) -> Result<(), usize> {
        match self.table.entry(
            hash,
            |&j| words[j as usize] == word,
            |&j| hash_word(&words[j as usize]),
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => Err(*e.get() as usize),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert(words.len() as u32);
                Ok(())
            }
        }
    }

    pub(crate) fn get(&self, words: &[String], word: &str) -> Option<usize> {
        self.table
            .find(hash_word(word), |&j| words[j as usize] == word)
            .map(|&j| j as usize)
    }
}
