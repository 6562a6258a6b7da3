//! [`Dtype`]: the value type of a saved matrix, and the one encoder of values into
//! its little-endian bytes.

use ndarray::ArrayView2;

use crate::error::{Error, Result};

/// The value type of the matrix in an `.npy` or `.safetensors` table.
///
/// Tables are computed in `f32`; `F16` and `Bf16` round each value to the nearest
/// representable one, ties to even (IEEE 754's default, as `torch.Tensor.half()`,
/// `.bfloat16()` and NumPy's `astype(np.float16)` do). A finite value beyond the
/// type's largest finite value is refused ([`Error::OutOfRangeOutput`]) rather than
/// written as an infinity; NaN and infinities given in the matrix are kept.
///
/// | dtype | safetensors | npy | largest finite |
/// | --- | --- | --- | --- |
/// | `F32` | `F32` | `<f4` | 3.4028235e38 |
/// | `F16` | `F16` | `<f2` | 65504 |
/// | `Bf16` | `BF16` | none: NumPy has no bfloat16 type | 3.3895314e38 |
///
/// ```
/// use pretrained_vectors::write::Dtype;
/// assert_eq!(Dtype::parse("bf16"), Some(Dtype::Bf16));
/// assert_eq!(Dtype::F16.size(), 2);
/// assert_eq!(Dtype::default(), Dtype::F32);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Dtype {
    /// IEEE 754 single precision, the values as computed (the default).
    #[default]
    F32,
    /// IEEE 754 half precision (5 exponent bits, 10 mantissa bits).
    F16,
    /// bfloat16 (the exponent range of `f32`, 7 mantissa bits).
    Bf16,
}

/// The [`name`](Dtype::name): `f32`, `f16`, `bf16`.
impl std::fmt::Display for Dtype {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Dtype {
    /// The name used on the command line and in metadata: `f32`, `f16`, `bf16`.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "f32",
            Dtype::F16 => "f16",
            Dtype::Bf16 => "bf16",
        }
    }

    /// The dtype named `name` (`f32`, `f16`, `bf16`; also `float32`, `float16`,
    /// `bfloat16`), any case.
    pub fn parse(name: &str) -> Option<Dtype> {
        Some(match name.to_ascii_lowercase().as_str() {
            "f32" | "float32" => Dtype::F32,
            "f16" | "float16" => Dtype::F16,
            "bf16" | "bfloat16" => Dtype::Bf16,
            _ => return None,
        })
    }

    /// Bytes per value.
    pub fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F16 | Dtype::Bf16 => 2,
        }
    }

    /// The largest finite value of the type.
    pub fn max(self) -> f32 {
        match self {
            Dtype::F32 => f32::MAX,
            Dtype::F16 => half::f16::MAX.to_f32(),
            Dtype::Bf16 => half::bf16::MAX.to_f32(),
        }
    }

    /// The NumPy type string of the type, or `None` when NumPy has none (`Bf16`).
    pub fn npy_descr(self) -> Option<&'static str> {
        match self {
            Dtype::F32 => Some("<f4"),
            Dtype::F16 => Some("<f2"),
            Dtype::Bf16 => None,
        }
    }

    /// The safetensors type of the type.
    pub(crate) fn safetensors(self) -> safetensors::Dtype {
        match self {
            Dtype::F32 => safetensors::Dtype::F32,
            Dtype::F16 => safetensors::Dtype::F16,
            Dtype::Bf16 => safetensors::Dtype::BF16,
        }
    }

    /// Appends the little-endian bytes of `x` in this type (rounded to nearest, ties
    /// to even); returns `false` when a finite `x` became infinite.
    fn push(self, x: f32, out: &mut Vec<u8>) -> bool {
        let bits = match self {
            Dtype::F32 => {
                out.extend_from_slice(&x.to_le_bytes());
                return true;
            }
            Dtype::F16 => half::f16::from_f32(x).to_bits(),
            Dtype::Bf16 => half::bf16::from_f32(x).to_bits(),
        };
        out.extend_from_slice(&bits.to_le_bytes());
        // The exponent all ones and the mantissa zero: an infinity.
        let infinite = match self {
            Dtype::F16 => bits & 0x7fff == 0x7c00,
            _ => bits & 0x7fff == 0x7f80,
        };
        !infinite || x.is_infinite()
    }
}

/// Checks that every value of `matrix` fits `dtype` (see [`Dtype`]) before anything
/// is written; `words` (one per row, or none) name the row in the error.
pub(crate) fn check_range<S: AsRef<str>>(
    dtype: Dtype,
    words: &[S],
    matrix: ArrayView2<'_, f32>,
) -> Result<()> {
    if dtype == Dtype::F32 {
        return Ok(());
    }
    let mut scratch = Vec::with_capacity(4);
    for ((row, column), &value) in matrix.indexed_iter() {
        scratch.clear();
        if !dtype.push(value, &mut scratch) {
            return Err(Error::OutOfRangeOutput {
                path: Default::default(),
                row,
                column,
                word: words.get(row).map(|w| w.as_ref().to_string()),
                value,
                dtype,
                max: dtype.max(),
            });
        }
    }
    Ok(())
}

/// Writes the values of `matrix`, row by row (C order whatever its layout), as
/// little-endian `dtype`. Callers have made [`check_range`].
pub(crate) fn write_values<W: std::io::Write>(
    w: &mut W,
    dtype: Dtype,
    matrix: ArrayView2<'_, f32>,
) -> std::io::Result<()> {
    if dtype == Dtype::F32 {
        return crate::npy::write_f32s(w, matrix);
    }
    const BLOCK: usize = 64 * 1024;
    let mut buf = Vec::with_capacity(BLOCK + 4);
    for &x in matrix.iter() {
        dtype.push(x, &mut buf);
        if buf.len() >= BLOCK {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(dtype: Dtype, x: f32) -> (Vec<u8>, bool) {
        let mut out = Vec::new();
        let ok = dtype.push(x, &mut out);
        (out, ok)
    }

    #[test]
    fn f16_rounds_to_nearest_even() {
        // 1 + 2^-11 lies halfway between 1 and the next f16 (1 + 2^-10): ties go to
        // the even mantissa, 1.0; 1 + 3 * 2^-11 goes up to 1 + 2^-9 (even).
        let half_ulp = 2f32.powi(-11);
        assert_eq!(bytes(Dtype::F16, 1.0 + half_ulp).0, 0x3c00u16.to_le_bytes());
        assert_eq!(
            bytes(Dtype::F16, 1.0 + 3.0 * half_ulp).0,
            0x3c02u16.to_le_bytes()
        );
        // Just above the tie rounds up.
        assert_eq!(
            bytes(
                Dtype::F16,
                f32::from_bits((1.0f32 + half_ulp).to_bits() + 1)
            )
            .0,
            0x3c01u16.to_le_bytes()
        );
        assert_eq!(bytes(Dtype::F16, -2.0).0, 0xc000u16.to_le_bytes());
        assert_eq!(
            bytes(Dtype::F16, 65504.0),
            (0x7bffu16.to_le_bytes().to_vec(), true)
        );
    }

    #[test]
    fn bf16_rounds_to_nearest_even() {
        // bf16 keeps the top 16 bits of an f32: 0x3f80_8000 is the tie between
        // 0x3f80 and 0x3f81, and goes to the even 0x3f80; 0x3f81_8000 goes up.
        let b = |bits: u32| bytes(Dtype::Bf16, f32::from_bits(bits)).0;
        assert_eq!(b(0x3f80_8000), 0x3f80u16.to_le_bytes());
        assert_eq!(b(0x3f81_8000), 0x3f82u16.to_le_bytes());
        assert_eq!(b(0x3f80_8001), 0x3f81u16.to_le_bytes());
        assert_eq!(b(0x3f80_7fff), 0x3f80u16.to_le_bytes());
    }

    #[test]
    fn overflow_is_refused_but_given_infinities_are_kept() {
        assert!(!bytes(Dtype::F16, 65520.0).1); // rounds to inf
        assert!(bytes(Dtype::F16, 65519.0).1); // rounds to 65504
        assert!(!bytes(Dtype::Bf16, f32::MAX).1);
        assert!(bytes(Dtype::Bf16, 3.38e38).1);
        assert!(bytes(Dtype::F16, f32::INFINITY).1);
        assert!(bytes(Dtype::F16, f32::NAN).1);
        let m = ndarray::array![[1.0f32, 2.0], [3.0, -7e4]];
        let e = check_range(Dtype::F16, &["a", "b"], m.view()).unwrap_err();
        match e {
            Error::OutOfRangeOutput {
                row,
                column,
                word,
                dtype,
                ..
            } => assert_eq!(
                (row, column, word.as_deref(), dtype),
                (1, 1, Some("b"), Dtype::F16)
            ),
            e => panic!("{e}"),
        }
        assert!(check_range(Dtype::Bf16, &["a", "b"], m.view()).is_ok());
    }

    #[test]
    fn values_are_written_in_c_order_whatever_the_layout() {
        let m = ndarray::array![[1.0f32, 2.0], [3.0, 4.0]];
        let t = m.t();
        let mut out = Vec::new();
        write_values(&mut out, Dtype::F16, t).unwrap();
        let back: Vec<f32> = out
            .chunks(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect();
        assert_eq!(back, [1.0, 3.0, 2.0, 4.0]);
    }
}
