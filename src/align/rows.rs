//! The rows of an aligned table once the scan is done: the statistics of the
//! pretrained rows found, each row's origin, and the values of the rows the file
//! did not give (padding, OOV, special, missing).

use ndarray::Array2;

use super::init::{self, Stats};
use super::scan::Found;
use super::{MissingInit, OovInit};
use crate::origin::RowOrigin;
use crate::vocab::Vocab;

/// The rows built: each row's origin, and what the missing rows got.
pub(super) struct Rows {
    pub(super) weights: Array2<f32>,
    pub(super) origins: Vec<RowOrigin>,
    /// The statistics of the pretrained rows (for the report's flat dimensions),
    /// when some row was filled from them.
    pub(super) stats: Option<Stats>,
    /// The initialisation the missing rows got (the asked one, or what it fell
    /// back to).
    pub(super) missing_init: MissingInit,
    /// The missing rows, in row order.
    pub(super) missing_rows: Vec<usize>,
}

/// How the rows the file did not give are filled.
pub(super) struct Fill {
    pub(super) missing: MissingInit,
    pub(super) oov: OovInit,
    pub(super) special: Option<OovInit>,
    pub(super) seed: u64,
}

/// Statistics over the distinct file rows found, in file order: the same for any
/// vocabulary order and thread count.
fn pretrained_stats(found: &Found, rows: usize) -> Stats {
    let mut sources: Vec<(u64, usize)> = (0..rows)
        .filter_map(|r| {
            found.exact[r]
                .map(|at| at.get())
                .or(found.fallback[r].as_ref().map(|f| f.0))
                .map(|at| (at, r))
        })
        .collect();
    sources.sort_unstable();
    sources.dedup_by_key(|s| s.0);
    Stats::of(
        found.weights.ncols(),
        sources
            .iter()
            .map(|&(_, r)| found.weights.row(r).to_slice().expect("C order")),
    )
}

/// Where row `r` came from: a reserved row of the vocabulary, or what the scan
/// found for it.
fn origin_of(vocab: &Vocab, found: &Found, r: usize) -> RowOrigin {
    if vocab.get_padding() == Some(r) {
        RowOrigin::Padding
    } else if vocab.get_oov() == Some(r) {
        RowOrigin::Oov
    } else if vocab.is_special(r) {
        RowOrigin::Special
    } else if vocab.get_unused() == Some(r) {
        RowOrigin::Unused
    } else if found.exact[r].is_some() {
        RowOrigin::Exact
    } else if found.fallback[r].is_some() {
        RowOrigin::Fallback
    } else if found.subword[r] {
        RowOrigin::Subword
    } else {
        RowOrigin::Missing
    }
}

/// Gives every row its origin and fills the rows the file did not give; takes the
/// weights out of `found` (the rest stays for the report).
pub(super) fn build(found: &mut Found, vocab: &Vocab, fill: &Fill) -> Rows {
    let origins: Vec<RowOrigin> = (0..vocab.len())
        .map(|r| origin_of(vocab, found, r))
        .collect();
    // Only OOV, special and missing rows are drawn from the statistics: a table
    // whose every row the file gave (a plain conversion) skips the pass.
    let drawn = origins
        .iter()
        .any(|o| matches!(o, RowOrigin::Oov | RowOrigin::Special | RowOrigin::Missing));
    let stats = drawn.then(|| pretrained_stats(found, vocab.len()));
    let empty = Stats::of(found.weights.ncols(), std::iter::empty());
    let used = stats.as_ref().unwrap_or(&empty);
    let mut weights = std::mem::take(&mut found.weights);
    let mut missing_init = fill.missing;
    let mut missing_rows = Vec::new();
    for (r, (token, &origin)) in vocab.tokens().iter().zip(&origins).enumerate() {
        let mut row = weights.row_mut(r);
        let out = row.as_slice_mut().expect("C order");
        let reserved_init = match origin {
            RowOrigin::Oov => Some(fill.oov),
            RowOrigin::Special => Some(fill.special.unwrap_or(fill.oov)),
            _ => None,
        };
        match (origin, reserved_init) {
            (RowOrigin::Padding | RowOrigin::Unused, _) => out.fill(0.0),
            (_, Some(OovInit::Mean)) => {
                for (o, m) in out.iter_mut().zip(&used.mean) {
                    *o = *m as f32;
                }
            }
            (_, Some(OovInit::Random)) => {
                init::fill(fill.missing, used, fill.seed, token, out);
            }
            (_, Some(OovInit::Zeros)) => out.fill(0.0),
            (RowOrigin::Missing, None) => {
                missing_init = init::fill(fill.missing, used, fill.seed, token, out);
                missing_rows.push(r);
            }
            _ => {}
        }
    }
    Rows {
        weights,
        origins,
        stats,
        missing_init,
        missing_rows,
    }
}
