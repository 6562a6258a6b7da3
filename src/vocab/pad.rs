//! `pad_sequences`: ragged id sequences to one rectangular batch, as Keras does it.

use std::str::FromStr;

use ndarray::Array2;

use crate::error::{Error, Result};

/// Which end of a sequence padding is added to, or truncation removes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// The start of the sequence (Keras' default for both padding and truncating).
    #[default]
    Pre,
    /// The end of the sequence.
    Post,
}

impl FromStr for Side {
    type Err = Error;

    /// Parses Keras' spelling, `"pre"` or `"post"`.
    ///
    /// ```
    /// use pretrained_vectors::vocab::Side;
    /// assert_eq!("post".parse::<Side>()?, Side::Post);
    /// assert!("end".parse::<Side>().is_err());
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    fn from_str(s: &str) -> std::result::Result<Self, Error> {
        match s {
            "pre" => Ok(Side::Pre),
            "post" => Ok(Side::Post),
            _ => Err(Error::InvalidOption {
                option: "padding side",
                message: format!("{s:?}; expected \"pre\" or \"post\""),
            }),
        }
    }
}

/// Options of [`pad_sequences`], with Keras' defaults.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use pretrained_vectors::vocab::{pad_sequences, PadOptions, Side};
/// let seqs = vec![vec![1, 2, 3], vec![4]];
/// let out = pad_sequences(&seqs, &PadOptions::new().maxlen(2).padding(Side::Post))?;
/// assert_eq!(out, array![[2, 3], [4, 0]]);
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PadOptions {
    maxlen: Option<usize>,
    padding: Side,
    truncating: Side,
    value: i64,
}

impl PadOptions {
    /// Keras' defaults: no `maxlen` (the longest sequence), pad and truncate
    /// [`Side::Pre`], pad with `0`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every row has `maxlen` ids; longer sequences are truncated. Default: the
    /// length of the longest sequence.
    pub fn maxlen(mut self, maxlen: usize) -> Self {
        self.maxlen = Some(maxlen);
        self
    }

    /// Where padding goes. Default: [`Side::Pre`].
    pub fn padding(mut self, side: Side) -> Self {
        self.padding = side;
        self
    }

    /// Which end is cut from sequences longer than `maxlen`. Default: [`Side::Pre`]
    /// (the last `maxlen` ids are kept).
    pub fn truncating(mut self, side: Side) -> Self {
        self.truncating = side;
        self
    }

    /// The id that fills padding. Default: `0`.
    pub fn value(mut self, value: i64) -> Self {
        self.value = value;
        self
    }

    /// The configured `maxlen`, if any.
    pub fn get_maxlen(&self) -> Option<usize> {
        self.maxlen
    }

    /// The padding side.
    pub fn get_padding(&self) -> Side {
        self.padding
    }

    /// The truncating side.
    pub fn get_truncating(&self) -> Side {
        self.truncating
    }

    /// The padding value.
    pub fn get_value(&self) -> i64 {
        self.value
    }
}

/// Pads and truncates `sequences` to one `(sequences.len(), maxlen)` array, like
/// Keras' `pad_sequences`.
///
/// Without a `maxlen` the width is the longest sequence's length (0 for no
/// sequences). An empty sequence gives a row of `value`.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use pretrained_vectors::vocab::{pad_sequences, PadOptions, Side};
/// let seqs = vec![vec![5, 6, 7, 8], vec![], vec![9]];
/// // Keras' defaults: pad and truncate at the start.
/// assert_eq!(
///     pad_sequences(&seqs, &PadOptions::new().maxlen(3))?,
///     array![[6, 7, 8], [0, 0, 0], [0, 0, 9]]
/// );
/// let post = PadOptions::new().maxlen(3).padding(Side::Post)
///     .truncating(Side::Post).value(-1);
/// assert_eq!(
///     pad_sequences(&seqs, &post)?,
///     array![[5, 6, 7], [-1, -1, -1], [9, -1, -1]]
/// );
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidOption`] (option `maxlen`) when the array would not fit in
/// memory: `sequences.len() * maxlen` ids past what can be addressed, or an
/// allocation the system refuses (a huge `maxlen` used to abort the process).
pub fn pad_sequences<S: AsRef<[i64]>>(
    sequences: &[S],
    options: &PadOptions,
) -> Result<Array2<i64>> {
    let width = options.maxlen.unwrap_or_else(|| {
        sequences
            .iter()
            .map(|s| s.as_ref().len())
            .max()
            .unwrap_or(0)
    });
    let too_big = |bytes: String| Error::InvalidOption {
        option: "maxlen",
        message: format!(
            "{} sequences x {width} ids need {bytes} bytes, more than this system can allocate; \
             expected a smaller maxlen",
            sequences.len()
        ),
    };
    let ids = sequences
        .len()
        .checked_mul(width)
        .filter(|&n| n <= isize::MAX as usize / std::mem::size_of::<i64>())
        .ok_or_else(|| too_big(format!("{}", sequences.len() as u128 * width as u128 * 8)))?;
    let mut data: Vec<i64> = Vec::new();
    data.try_reserve_exact(ids)
        .map_err(|_| too_big(format!("{}", ids as u128 * 8)))?;
    data.resize(ids, options.value);
    let mut out = Array2::from_shape_vec((sequences.len(), width), data).expect("rows * width ids");
    for (mut row, seq) in out.rows_mut().into_iter().zip(sequences) {
        let seq = seq.as_ref();
        let kept = match options.truncating {
            Side::Pre => &seq[seq.len().saturating_sub(width)..],
            Side::Post => &seq[..seq.len().min(width)],
        };
        let start = match options.padding {
            Side::Pre => width - kept.len(),
            Side::Post => 0,
        };
        for (slot, &id) in row.iter_mut().skip(start).zip(kept) {
            *slot = id;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Keras' algorithm written the slow, obvious way.
    fn naive(seqs: &[Vec<i64>], o: &PadOptions) -> Vec<Vec<i64>> {
        let w = o
            .maxlen
            .unwrap_or(seqs.iter().map(Vec::len).max().unwrap_or(0));
        seqs.iter()
            .map(|s| {
                let mut s = s.clone();
                while s.len() > w {
                    match o.truncating {
                        Side::Pre => s.remove(0),
                        Side::Post => s.pop().unwrap(),
                    };
                }
                while s.len() < w {
                    match o.padding {
                        Side::Pre => s.insert(0, o.value),
                        Side::Post => s.push(o.value),
                    }
                }
                s
            })
            .collect()
    }

    #[test]
    fn defaults_pad_to_longest_at_the_start() {
        let out = pad_sequences(&[vec![1], vec![2, 3, 4], vec![]], &PadOptions::new()).unwrap();
        assert_eq!(out, array![[0, 0, 1], [2, 3, 4], [0, 0, 0]]);
        let none: [Vec<i64>; 0] = [];
        assert_eq!(
            pad_sequences(&none, &PadOptions::new()).unwrap().dim(),
            (0, 0)
        );
    }

    #[test]
    fn maxlen_zero_gives_empty_rows() {
        let out = pad_sequences(&[vec![1, 2]], &PadOptions::new().maxlen(0)).unwrap();
        assert_eq!(out.dim(), (1, 0));
    }

    proptest::proptest! {
        #[test]
        fn matches_the_naive_algorithm(
            seqs in proptest::collection::vec(proptest::collection::vec(-5i64..50, 0..12), 0..8),
            maxlen in proptest::option::of(0usize..15),
            pad_post: bool, trunc_post: bool, value in -3i64..3,
        ) {
            let side = |post| if post { Side::Post } else { Side::Pre };
            let mut o = PadOptions::new().padding(side(pad_post))
                .truncating(side(trunc_post)).value(value);
            if let Some(m) = maxlen { o = o.maxlen(m); }
            let got = pad_sequences(&seqs, &o).unwrap();
            let want = naive(&seqs, &o);
            proptest::prop_assert_eq!(got.nrows(), want.len());
            for (row, w) in got.rows().into_iter().zip(&want) {
                proptest::prop_assert_eq!(row.to_vec(), w.clone());
            }
        }
    }
}
