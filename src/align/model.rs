//! Aligning to a native fastText model: the dictionary walked once for the tokens
//! it has (exactly, or by the lower-case fallback), then each row computed from the
//! model's own rows, and every other token given its subword vector.
//!
//! A token is looked up by its word form ([`Vocab::lookup_form`]: `##ing` as
//! `ing`), and so is its subword vector computed, with the word boundaries its
//! piece kind says it has ([`WordBounds`]): a whole word (and a word-start or
//! word-end piece) as fastText's `getWordVector` of the form, `<` + form + `>`; a
//! continuation piece without the `<` (it does not start a word: `##ing` from the
//! n-grams of `ing>`), or, in a vocabulary that marks word ends (`</w>`), without
//! the `>` (there a continuation piece is one that does not end a word: `th` from
//! `<th`). A piece with no word form (a lone byte) gets no subword vector.

use std::num::NonZeroU64;
use std::time::Instant;

use rayon::prelude::*;

use super::matcher::{Matcher, Step};
use super::scan::{Found, Scan};
use super::{Aligned, Aligner};
use crate::fasttext::{FastTextModel, WordBounds};
use crate::vocab::{PieceKind, Vocab};

/// Where a row's vector comes from.
#[derive(Clone, Copy)]
enum Source {
    /// Not found (yet).
    None,
    /// The token itself is a word of the model.
    Exact,
    /// The model word with this dictionary id (the lower-case fallback).
    Word(usize),
}

impl Aligner {
    /// Aligns a loaded native fastText model to `vocab`: tokens the dictionary has
    /// (labels excluded) take their vector, exactly or by the lower-case fallback;
    /// every other token its subword vector when [`Aligner::subwords`] is on and it
    /// has an n-gram row; the rest are initialised as missing rows. Only the rows
    /// the vocabulary needs are read.
    ///
    /// Subword pieces ([`PieceKind`]) are looked up, and their subword vectors
    /// computed, by their word form (`##ing` as `ing`), within the word boundaries
    /// their kind gives them ([`WordBounds`]): a word, word-start or word-end piece
    /// as a whole word (fastText's `getWordVector` of the form); a continuation
    /// piece without the start mark (`ing>`), or, in a vocabulary that marks word
    /// ends (`</w>`, where a continuation piece is one that does not end a word),
    /// without the end mark (`<th`). A piece with no word form (a lone byte) gets
    /// no subword vector. The report counts subword rows per piece kind
    /// ([`PieceCount::subword`](crate::align::PieceCount::subword)).
    ///
    /// ```
    /// use pretrained_vectors::{Aligner, FastTextModel, RowOrigin, Vocab};
    /// let model = FastTextModel::read("fixtures/fasttext/skipgram.bin")?;
    /// let vocab = Vocab::new(vec!["<pad>".into(), "function".into(), "fucntion".into()])?
    ///     .padding(0)?;
    /// let aligned = Aligner::new().align_model(&model, vocab);
    /// assert_eq!(aligned.table.origins()[2], RowOrigin::Subword);
    /// assert_eq!(aligned.table.weights().row(2), model.word_vector("fucntion"));
    /// assert_eq!(aligned.report.subword, 1);
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn align_model(&self, model: &FastTextModel, vocab: Vocab) -> Aligned {
        let start = Instant::now();
        let matcher = Matcher::new(&vocab, self.lowercase_fallback);
        let scan = self.scan_model(model, &vocab, &matcher);
        self.finish(scan, vocab, start)
    }

    pub(super) fn scan_model(&self, model: &FastTextModel, vocab: &Vocab, m: &Matcher) -> Scan {
        let mut found = Found::new(vocab, model.dims());
        let mut source = vec![Source::None; vocab.len()];
        // The dictionary in id order: the first word to fill a row wins, as in a
        // vector file; labels are not words.
        for (id, word) in model.words().enumerate() {
            if !m.wants(word) {
                continue;
            }
            let Ok(word) = std::str::from_utf8(word) else {
                continue;
            };
            m.for_each(word, |row, step| {
                let r = row as usize;
                match step {
                    Step::Exact if found.exact[r].is_some() => found.duplicates += 1,
                    Step::Exact => {
                        found.exact[r] = NonZeroU64::new(id as u64 + 1);
                        found.exact_rows += 1;
                        source[r] = Source::Exact;
                    }
                    Step::Fallback if found.exact[r].is_none() && found.fallback[r].is_none() => {
                        found.fallback[r] = Some(Box::new((id as u64 + 1, word.into())));
                        source[r] = Source::Word(id);
                    }
                    Step::Fallback => {}
                }
            });
        }
        let dims = model.dims();
        let subwords = self.subwords;
        // A vocabulary with word-end pieces marks ends, not continuations.
        let marks_ends = (0..vocab.len()).any(|r| vocab.piece_kind(r) == PieceKind::WordEnd);
        let continuation = if marks_ends {
            WordBounds::NotEnd
        } else {
            WordBounds::NotStart
        };
        // Rows are computed in batches, the model's mapped pages handed back after
        // each: the rows a vocabulary needs are spread over the whole matrix, and
        // every page they touch would otherwise stay in the resident set.
        const BATCH: usize = 256;
        if dims > 0 {
            let weights = found
                .weights
                .as_slice_mut()
                .expect("a new array is contiguous");
            for (b, (outs, flags)) in weights
                .chunks_mut(dims * BATCH)
                .zip(found.subword.chunks_mut(BATCH))
                .enumerate()
            {
                outs.par_chunks_mut(dims)
                    .zip(flags.par_iter_mut())
                    .enumerate()
                    .for_each(|(i, (out, subword))| {
                        let r = b * BATCH + i;
                        let form = vocab.lookup_form(r).unwrap_or_default().as_bytes();
                        match source[r] {
                            // The form's own vector: for a word given twice in the
                            // dictionary, the entry fastText's lookup finds.
                            Source::Exact => {
                                model.word_vector_into(form, out);
                            }
                            Source::Word(id) => {
                                model.word_vector_into(model.word(id), out);
                            }
                            Source::None
                                if subwords && !vocab.is_reserved(r) && !form.is_empty() =>
                            {
                                let bounds = match vocab.piece_kind(r) {
                                    PieceKind::Continuation => continuation,
                                    _ => WordBounds::Whole,
                                };
                                *subword = model.piece_vector_into(form, bounds, out) > 0;
                            }
                            Source::None => {}
                        }
                    });
                model.release_pages();
            }
        }
        Scan {
            found,
            format: Some(model.format()),
            gzip: model.is_gzip(),
            header_rows: None,
            rows_scanned: model.word_count() as u64,
            stopped_early: false,
        }
    }
}
