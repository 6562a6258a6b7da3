//! NumPy `.npy` files holding one 2-D `f32` matrix: write, parse, open without copying.
//!
//! The format (NumPy's NEP 1) is a 6-byte magic `\x93NUMPY`, a version (1.0, 2.0 or
//! 3.0), the length of a header (2 bytes little-endian in 1.0, 4 bytes in 2.0 and
//! 3.0), and the header itself: a Python dict literal such as
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces
//! and ended by `\n`. The raw values follow.
//!
//! * Writing always produces version 1.0 (2.0 only if the header could not fit in
//!   65535 bytes), `<f4`, C order, with the data starting at a multiple of 64 bytes
//!   as NumPy does.
//! * Reading accepts versions 1.0, 2.0 and 3.0; `descr` `<f4` and `>f4` (byte-swapped
//!   on copy), `<f2` / `>f2` (half precision, widened to `f32` exactly on copy), and
//!   `<f8` / `>f8` (rounded to the nearest `f32` on copy; a value
//!   beyond the `f32` range is an error rather than an infinity); C and Fortran order
//!   (Fortran is transposed on copy, so every matrix handed out is C order). The shape
//!   must have two entries. The header must account for the file exactly.
//! * [`NpyMatrix::read`] maps the file and, for `<f4` C-order data on a little-endian
//!   machine at a 4-byte-aligned offset (always so for NumPy's files), views the
//!   values in place without copying.
//!
//! ```
//! use pretrained_vectors::ndarray::array;
//! use pretrained_vectors::npy;
//!
//! let m = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! let mut bytes = Vec::new();
//! npy::write_matrix(&mut bytes, m.view())?;
//! assert_eq!(bytes.len(), 128 + 6 * 4); // the header is padded to 128 bytes
//! let back = npy::from_bytes(std::path::Path::new(""), &bytes)?;
//! assert_eq!(back, m);
//! # Ok::<(), pretrained_vectors::Error>(())
//! ```

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use memmap2::Mmap;
use ndarray::{Array2, ArrayView2};

use crate::error::{Dims, Error, IoAction, NpyFault, Result};

mod header;

use header::npy_err;
pub(crate) use header::MAGIC;
pub(crate) use header::{header_bytes, header_for, int_vector};
pub use header::{Descr, NpyHeader};

/// Whether `bytes` (the start of a file) begin as every `.npy` file does.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// let mut bytes = Vec::new();
/// pretrained_vectors::npy::write_matrix(&mut bytes, array![[1.0f32]].view())?;
/// assert!(pretrained_vectors::npy::is_npy(&bytes));
/// assert!(!pretrained_vectors::npy::is_npy(b"the 0.1 0.2\n"));
/// # Ok::<(), pretrained_vectors::Error>(())
/// ```
pub fn is_npy(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

// ----- values -----------------------------------------------------------------------

/// Copies the values described by `header` out of `bytes` (the whole file) into a C
/// order matrix, converting byte order, width and layout as needed.
fn decode(path: &Path, header: &NpyHeader, bytes: &[u8]) -> Result<Array2<f32>> {
    let data = &bytes[header.data_offset..];
    let n = header.rows * header.cols;
    let mut values: Vec<f32> = Vec::with_capacity(n);
    match header.descr {
        // Every f16 is exactly an f32.
        Descr::F2Le => values.extend(
            data.chunks_exact(2)
                .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32()),
        ),
        Descr::F2Be => values.extend(
            data.chunks_exact(2)
                .map(|c| half::f16::from_be_bytes([c[0], c[1]]).to_f32()),
        ),
        Descr::F4Le => values.extend(
            data.chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        ),
        Descr::F4Be => values.extend(
            data.chunks_exact(4)
                .map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]])),
        ),
        Descr::F8Le | Descr::F8Be => {
            for (i, c) in data.chunks_exact(8).enumerate() {
                let b: [u8; 8] = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
                let x = if header.descr == Descr::F8Le {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                };
                let y = x as f32;
                if y.is_infinite() && x.is_finite() {
                    return Err(npy_err(
                        path,
                        header.data_offset + 8 * i,
                        NpyFault::F64OutOfRange { value: x },
                    ));
                }
                values.push(y);
            }
        }
    }
    let shape = (header.rows, header.cols);
    let found = values.len();
    let shape_err = |_: ndarray::ShapeError| Error::Shape {
        what: "npy data",
        expected: Dims::count(n, "values"),
        found: Dims::count(found, "values"),
    };
    if header.fortran_order {
        use ndarray::ShapeBuilder;
        let f = Array2::from_shape_vec(shape.f(), values).map_err(shape_err)?;
        Ok(f.as_standard_layout().into_owned())
    } else {
        Array2::from_shape_vec(shape, values).map_err(shape_err)
    }
}

/// Reads a whole `.npy` file held in `bytes` into an owned C-order matrix.
///
/// `path` is only used in errors.
///
/// # Errors
/// As [`NpyHeader::from_bytes`]; also [`Error::Npy`] for an `f8` value too large for `f32`.
pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Array2<f32>> {
    let header = NpyHeader::from_bytes(path, bytes)?;
    decode(path, &header, bytes)
}

/// Views `bytes` as `f32` values in place, when they are 4-byte aligned.
pub(crate) fn as_f32s(bytes: &[u8]) -> Option<&[f32]> {
    if bytes.as_ptr().align_offset(std::mem::align_of::<f32>()) != 0 || bytes.len() % 4 != 0 {
        return None;
    }
    // SAFETY: the pointer is aligned for f32 (checked above), the length in f32s
    // covers exactly the bytes of `bytes`, which are initialised and live as long as
    // the returned slice (the lifetime is tied to `bytes`), and are never written
    // through while borrowed (a read-only map or a shared borrow). Every bit pattern
    // is a valid f32.
    Some(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<f32>(), bytes.len() / 4) })
}

// ----- writing ----------------------------------------------------------------------

/// Writes `matrix` as a version 1.0 `.npy` (`<f4`, C order, data aligned to 64
/// bytes), whatever the matrix's own memory layout.
///
/// Any `f32`, NaN and infinities included, is stored bit for bit.
///
/// # Errors
/// [`Error::Io`] (with an empty path; callers that know the file fill it in) when
/// `w` fails.
pub fn write_matrix<W: Write>(w: &mut W, matrix: ArrayView2<'_, f32>) -> Result<()> {
    let io = |e| Error::io(Path::new(""), IoAction::Write, e);
    w.write_all(&header_bytes(matrix.nrows(), matrix.ncols()))
        .map_err(io)?;
    write_f32s(w, matrix).map_err(io)
}

/// Writes the values of `matrix` row by row (C order whatever its layout) as
/// little-endian `f32`: a standard-layout matrix on a little-endian machine in one
/// write of its bytes as they are in memory, anything else through a buffer.
pub(crate) fn write_f32s<W: Write>(w: &mut W, matrix: ArrayView2<'_, f32>) -> std::io::Result<()> {
    #[cfg(target_endian = "little")]
    if let Some(values) = matrix.as_slice() {
        return w.write_all(f32s_as_bytes(values));
    }
    const BLOCK: usize = 64 * 1024;
    let mut buf = Vec::with_capacity(BLOCK + 4);
    for &x in matrix.iter() {
        buf.extend_from_slice(&x.to_le_bytes());
        if buf.len() >= BLOCK {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)
}

/// The bytes of `values` as they are in memory (little-endian `f32`s on this machine).
#[cfg(target_endian = "little")]
fn f32s_as_bytes(values: &[f32]) -> &[u8] {
    // SAFETY: `u8` has alignment 1 and every byte of an `f32` is initialised, so the
    // `4 * len` bytes from the slice's start are a valid `[u8]`; the lifetime is tied
    // to `values`, which are only read while borrowed.
    unsafe {
        std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values))
    }
}

// ----- opening ----------------------------------------------------------------------

enum Data {
    /// `<f4` C-order values viewed in place in the map, from `offset`.
    Mapped { map: Mmap, offset: usize },
    /// A converted copy.
    Owned(Array2<f32>),
}

/// A `.npy` matrix opened from a file, viewed in place when possible.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use pretrained_vectors::npy::{self, NpyMatrix};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("m.npy");
/// let m = array![[1.5f32, -2.0], [0.25, 8.0]];
/// let mut bytes = Vec::new();
/// npy::write_matrix(&mut bytes, m.view())?;
/// std::fs::write(&path, bytes)?;
///
/// let opened = NpyMatrix::read(&path)?;
/// assert_eq!(opened.view(), m.view());
/// assert!(opened.is_zero_copy());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct NpyMatrix {
    header: NpyHeader,
    data: Data,
}

impl std::fmt::Debug for NpyMatrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NpyMatrix")
            .field("header", &self.header)
            .field("zero_copy", &self.is_zero_copy())
            .finish()
    }
}

impl NpyMatrix {
    /// Opens `path`: maps it (reading it into memory when mapping fails), checks the
    /// header, and views the values in place when they are `<f4`, C order, on a
    /// little-endian machine and 4-byte aligned; otherwise converts them to an owned
    /// C-order `f32` copy.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened or read; otherwise as
    /// [`from_bytes`].
    pub fn read(path: impl AsRef<Path>) -> Result<NpyMatrix> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|e| Error::io(path, IoAction::Open, e))?;
        match crate::mmap::map(&file) {
            Ok(map) => Self::from_map(path, map),
            Err(_) => Self::from_reader(path, file),
        }
    }

    /// The fallback when mapping fails: reads everything, then converts.
    fn from_reader(path: &Path, mut reader: impl Read) -> Result<NpyMatrix> {
        let mut bytes = Vec::new();
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, IoAction::Read, e))?;
        let header = NpyHeader::from_bytes(path, &bytes)?;
        let array = decode(path, &header, &bytes)?;
        Ok(NpyMatrix {
            header,
            data: Data::Owned(array),
        })
    }

    fn from_map(path: &Path, map: Mmap) -> Result<NpyMatrix> {
        let header = NpyHeader::from_bytes(path, &map)?;
        let data = if header.is_native() && as_f32s(&map[header.data_offset..]).is_some() {
            Data::Mapped {
                offset: header.data_offset,
                map,
            }
        } else {
            Data::Owned(decode(path, &header, &map)?)
        };
        Ok(NpyMatrix { header, data })
    }

    /// The file's header.
    pub fn header(&self) -> &NpyHeader {
        &self.header
    }

    /// Rows of the matrix.
    pub fn rows(&self) -> usize {
        self.header.rows
    }

    /// Columns of the matrix.
    pub fn cols(&self) -> usize {
        self.header.cols
    }

    /// Whether the values are viewed in the mapped file rather than copied.
    pub fn is_zero_copy(&self) -> bool {
        matches!(self.data, Data::Mapped { .. })
    }

    /// The matrix, `rows x cols`, C order.
    pub fn view(&self) -> ArrayView2<'_, f32> {
        match &self.data {
            Data::Mapped { map, offset } => {
                // Both were checked when the matrix was opened: the slice is aligned
                // and holds exactly rows * cols values.
                let values = as_f32s(&map[*offset..]).unwrap_or(&[]);
                ArrayView2::from_shape((self.header.rows, self.header.cols), values)
                    .expect("npy shape and alignment checked at open")
            }
            Data::Owned(a) => a.view(),
        }
    }

    /// An owned copy of the matrix.
    pub fn to_owned(&self) -> Array2<f32> {
        self.view().to_owned()
    }

    /// The matrix as an owned array (copied out of the map if it was mapped).
    pub fn into_array(self) -> Array2<f32> {
        match self.data {
            Data::Owned(a) => a,
            Data::Mapped { .. } => self.view().to_owned(),
        }
    }
}

/// Reads the `.npy` file at `path` into an owned matrix.
///
/// # Errors
/// As [`NpyMatrix::read`].
pub fn read(path: impl AsRef<Path>) -> Result<Array2<f32>> {
    NpyMatrix::read(path).map(NpyMatrix::into_array)
}

#[cfg(test)]
pub(crate) mod tests;
