//! The report of an alignment: counts and coverage of the rows built, the
//! missing tokens worth naming, and how the scan went.

use super::init::Stats;
use super::report::{AlignReport, FallbackMatch, MissingToken, PieceCount};
use super::rows::{Fill, Rows};
use super::scan::Scan;
use super::MissingInit;
use crate::origin::RowOrigin;
use crate::vocab::{PieceKind, Vocab};

/// What the report needs beyond the rows: the scan's facts and the settings.
pub(super) struct Facts<'a> {
    pub(super) scan: &'a Scan,
    pub(super) fill: &'a Fill,
    pub(super) top_missing: usize,
    pub(super) seconds: f64,
}

/// Per-kind counts of a vocabulary of pieces (subword tokenizers), or `None`.
fn piece_counts(vocab: &Vocab, origins: &[RowOrigin]) -> Option<Vec<PieceCount>> {
    vocab.has_pieces().then(|| {
        PieceKind::ALL
            .into_iter()
            .filter_map(|kind| {
                let rows: Vec<usize> = (0..vocab.len())
                    .filter(|&r| vocab.piece_kind(r) == kind)
                    .collect();
                (!rows.is_empty()).then(|| PieceCount {
                    kind,
                    rows: rows.len(),
                    found: rows.iter().filter(|&&r| origins[r].is_pretrained()).count(),
                    subword: rows
                        .iter()
                        .filter(|&&r| origins[r] == RowOrigin::Subword)
                        .count(),
                })
            })
            .collect()
    })
}

/// The share of the corpus' token occurrences whose row is pretrained, when the
/// vocabulary has counts.
fn token_coverage(vocab: &Vocab, origins: &[RowOrigin]) -> Option<f64> {
    vocab.get_counts().map(|c| {
        // Words without a row (past Keras' num_words) are OOV occurrences.
        let (mut hit, mut all) = (0u64, vocab.get_unlisted_count());
        for (r, o) in origins.iter().enumerate() {
            if !vocab.is_reserved(r) {
                all += c[r];
                if o.is_pretrained() {
                    hit += c[r];
                }
            }
        }
        if all == 0 {
            0.0
        } else {
            hit as f64 / all as f64
        }
    })
}

/// The first `n` missing tokens, the most frequent first when there are counts.
fn top_missing(vocab: &Vocab, missing_rows: &[usize], n: usize) -> Vec<MissingToken> {
    let mut rows = missing_rows.to_vec();
    if let Some(c) = vocab.get_counts() {
        rows.sort_by_key(|&r| (std::cmp::Reverse(c[r]), r));
    }
    rows.iter()
        .take(n)
        .map(|&r| MissingToken {
            token: vocab.tokens()[r].clone(),
            row: r,
            count: vocab.get_counts().map(|c| c[r]),
        })
        .collect()
}

/// The first `n` tokens found by a fallback, with the file word that matched.
fn fallback_examples(
    vocab: &Vocab,
    origins: &[RowOrigin],
    fallback: &[Option<super::scan::Fallback>],
    n: usize,
) -> Vec<FallbackMatch> {
    (0..vocab.len())
        .filter(|&r| origins[r] == RowOrigin::Fallback)
        .take(n)
        .map(|r| FallbackMatch {
            token: vocab.tokens()[r].clone(),
            word: fallback[r]
                .as_ref()
                .map(|f| f.1.to_string())
                .unwrap_or_default(),
        })
        .collect()
}

/// The report of the rows built for `vocab`.
pub(super) fn report(rows: &Rows, vocab: &Vocab, facts: &Facts<'_>) -> AlignReport {
    let origins = &rows.origins;
    let count = |o: RowOrigin| origins.iter().filter(|&&x| x == o).count();
    let (found_exact, found_fallback) = (count(RowOrigin::Exact), count(RowOrigin::Fallback));
    let found = found_exact + found_fallback;
    let reserved = count(RowOrigin::Padding)
        + count(RowOrigin::Oov)
        + count(RowOrigin::Unused)
        + count(RowOrigin::Special);
    let wanted = vocab.len() - reserved;
    let scan = facts.scan;
    AlignReport {
        format: scan.format,
        gzip: scan.gzip,
        header_rows: scan.header_rows,
        file_rows_scanned: scan.rows_scanned,
        stopped_early: scan.stopped_early,
        dims: rows.weights.ncols(),
        vocab_kind: vocab.get_kind(),
        vocab_size: vocab.len(),
        pieces: piece_counts(vocab, origins),
        found,
        found_exact,
        found_fallback,
        subword: count(RowOrigin::Subword),
        missing: count(RowOrigin::Missing),
        reserved,
        duplicates_seen: scan.found.duplicates,
        coverage_types: if wanted == 0 {
            0.0
        } else {
            found as f64 / wanted as f64
        },
        coverage_tokens: token_coverage(vocab, origins),
        top_missing: top_missing(vocab, &rows.missing_rows, facts.top_missing),
        fallback_examples: fallback_examples(
            vocab,
            origins,
            &scan.found.fallback,
            facts.top_missing,
        ),
        missing_init: rows.missing_init,
        matched_flat_dims: if facts.fill.missing == MissingInit::Matched {
            rows.stats.as_ref().map_or(0, Stats::flat_dims)
        } else {
            0
        },
        oov_init: facts.fill.oov,
        seed: facts.fill.seed,
        seconds: facts.seconds,
        lookalikes: vocab
            .lookalikes()
            .into_iter()
            .filter(|l| origins[l.row] == RowOrigin::Missing)
            .collect(),
    }
}
