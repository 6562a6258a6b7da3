//! [`Trainability`]: which rows of an embedding may move, and how fast.

use crate::error::{Dims, Error, Result};
use crate::table::RowOrigin;

/// Which rows of an [`Embedding`](super::Embedding) an optimizer may update.
///
/// A per-row *factor* scales each row's update (gensim's `lockf`): `0.0` locks the
/// row, `1.0` trains it at the optimizer's rate, anything between trains it slower.
/// The padding row never moves, whatever the mode says.
///
/// The mode can be changed between epochs with
/// [`Embedding::set_trainability`](super::Embedding::set_trainability) (for example
/// frozen for two epochs, then trainable); optimizer state is kept across switches.
///
/// ```
/// use pretrained_vectors::train::Trainability;
/// use pretrained_vectors::RowOrigin::*;
/// let origins = [Padding, Oov, Exact, Fallback, Missing, Subword];
/// let a = Trainability::not_in_file(&origins);
/// assert_eq!(a.factors(6), vec![0.0, 1.0, 0.0, 1.0, 1.0, 1.0]);
/// let b = Trainability::oov_and_random(&origins);
/// assert_eq!(b.factors(6), vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Trainability {
    /// No row moves, and the embedding's gradient is not even computed.
    Frozen,
    /// Every row but the padding row trains at the full rate.
    Trainable,
    /// One factor per row, each finite and at least 0 (`0.0` locks the row).
    PerRow(Vec<f32>),
}

impl Trainability {
    /// Per-row mode from a mask: `true` trains the row, `false` locks it.
    pub fn mask(trainable: &[bool]) -> Self {
        Trainability::PerRow(trainable.iter().map(|&t| f32::from(u8::from(t))).collect())
    }

    /// Per-row mode from learning-rate factors (gensim's `lockf`).
    ///
    /// # Errors
    /// [`Error::InvalidOption`] when a factor is negative, NaN or infinite; the
    /// message names the first such row.
    pub fn per_row(factors: Vec<f32>) -> Result<Self> {
        if let Some((row, f)) = factors
            .iter()
            .enumerate()
            .find(|(_, f)| !(f.is_finite() && **f >= 0.0))
        {
            return Err(Error::InvalidOption {
                option: "row factors",
                message: format!("row {row} has factor {f}, expected a finite number >= 0"),
            });
        }
        Ok(Trainability::PerRow(factors))
    }

    /// Preset A, "train only the rows not found in the file": every row whose own
    /// token the vector file did not have.
    ///
    /// That is [`RowOrigin::Missing`], [`RowOrigin::Oov`] and [`RowOrigin::Special`] rows, and also
    /// [`RowOrigin::Fallback`] rows, which hold the vector of another token (the
    /// lower-cased form) and so are an approximation worth refining, and
    /// [`RowOrigin::Subword`] rows (a fastText model's guess from the token's
    /// n-grams), for the same reason. Only [`RowOrigin::Exact`] rows stay fixed
    /// (and the padding row).
    pub fn not_in_file(origins: &[RowOrigin]) -> Self {
        Self::from_origins(origins, |o| {
            matches!(
                o,
                RowOrigin::Fallback
                    | RowOrigin::Subword
                    | RowOrigin::Missing
                    | RowOrigin::Oov
                    | RowOrigin::Special
            )
        })
    }

    /// Preset B, "train only the OOV and random rows": the rows that hold no value
    /// from the file at all, that is [`RowOrigin::Missing`] rows (initialised at
    /// random or to zeros by the aligner), the [`RowOrigin::Oov`] row and the
    /// [`RowOrigin::Special`] rows.
    ///
    /// Unlike [`Trainability::not_in_file`], every row with values from the file,
    /// exact, lower-cased fallback or a fastText subword vector, stays fixed.
    pub fn oov_and_random(origins: &[RowOrigin]) -> Self {
        Self::from_origins(origins, |o| {
            matches!(o, RowOrigin::Missing | RowOrigin::Oov | RowOrigin::Special)
        })
    }

    fn from_origins(origins: &[RowOrigin], trains: impl Fn(RowOrigin) -> bool) -> Self {
        Trainability::PerRow(
            origins
                .iter()
                .map(|&o| f32::from(u8::from(trains(o))))
                .collect(),
        )
    }

    /// The factor of every row of a table with `rows` rows, as this mode alone gives
    /// them (the embedding also locks its padding row).
    pub fn factors(&self, rows: usize) -> Vec<f32> {
        match self {
            Trainability::Frozen => vec![0.0; rows],
            Trainability::Trainable => vec![1.0; rows],
            Trainability::PerRow(f) => f.clone(),
        }
    }

    /// Whether no row can move.
    pub fn is_frozen(&self) -> bool {
        match self {
            Trainability::Frozen => true,
            Trainability::Trainable => false,
            Trainability::PerRow(f) => f.iter().all(|&x| x == 0.0),
        }
    }

    /// The factor of `row` (no bounds check on `PerRow`: the embedding checks the
    /// length when the mode is set).
    #[inline]
    pub(crate) fn factor(&self, row: usize) -> f32 {
        match self {
            Trainability::Frozen => 0.0,
            Trainability::Trainable => 1.0,
            Trainability::PerRow(f) => f[row],
        }
    }

    /// Checks that the mode fits a table of `rows` rows.
    pub(crate) fn check(&self, rows: usize) -> Result<()> {
        if let Trainability::PerRow(f) = self {
            if f.len() != rows {
                return Err(Error::Shape {
                    what: "per-row trainability",
                    expected: Dims::count(rows, "factors (one per table row)"),
                    found: Dims::count(f.len(), "factors"),
                });
            }
            Trainability::per_row(f.clone())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RowOrigin::*;

    #[test]
    fn presets_differ_on_fallback_and_subword_rows_only() {
        let origins = [Padding, Oov, Exact, Fallback, Missing, Exact, Subword];
        assert_eq!(
            Trainability::not_in_file(&origins).factors(7),
            vec![0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]
        );
        assert_eq!(
            Trainability::oov_and_random(&origins).factors(7),
            vec![0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        );
    }

    #[test]
    fn bad_factors_are_refused_with_their_row() {
        let e = Trainability::per_row(vec![1.0, 0.5, -1.0]).unwrap_err();
        assert!(e.to_string().contains("row 2"), "{e}");
        assert!(Trainability::per_row(vec![f32::NAN]).is_err());
        assert!(Trainability::per_row(vec![0.0, 0.25]).is_ok());
        let e = Trainability::mask(&[true]).check(2).unwrap_err();
        assert!(
            matches!(
                e,
                Error::Shape {
                    expected: Dims::Count { n: 2, .. },
                    found: Dims::Count { n: 1, .. },
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn frozen_is_detected() {
        assert!(Trainability::Frozen.is_frozen());
        assert!(Trainability::mask(&[false, false]).is_frozen());
        assert!(!Trainability::mask(&[false, true]).is_frozen());
        assert!(!Trainability::Trainable.is_frozen());
    }
}
