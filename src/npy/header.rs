//! The `.npy` header: its prefix (magic, version, length) and the Python dict
//! literal that describes the matrix, parsed by a small recursive-descent parser.

use std::path::Path;

use crate::error::{Error, NpyExpected, NpyFault, NpyKey, Position, Result};

/// The six bytes every `.npy` file starts with.
pub(crate) const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// NumPy aligns the start of the data to this many bytes.
const ALIGN: usize = 64;

/// The element types this crate reads in a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Descr {
    /// `<f2`: little-endian `f16` (IEEE half precision), widened to `f32` exactly
    /// when read.
    F2Le,
    /// `>f2`: big-endian `f16`, widened to `f32` exactly when read.
    F2Be,
    /// `<f4`: little-endian `f32`.
    F4Le,
    /// `>f4`: big-endian `f32`.
    F4Be,
    /// `<f8`: little-endian `f64`, rounded to `f32` when read.
    F8Le,
    /// `>f8`: big-endian `f64`, rounded to `f32` when read.
    F8Be,
}

impl Descr {
    /// The NumPy type string (`<f4`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Descr::F2Le => "<f2",
            Descr::F2Be => ">f2",
            Descr::F4Le => "<f4",
            Descr::F4Be => ">f4",
            Descr::F8Le => "<f8",
            Descr::F8Be => ">f8",
        }
    }

    /// Bytes per value.
    pub fn item_size(self) -> usize {
        match self {
            Descr::F2Le | Descr::F2Be => 2,
            Descr::F4Le | Descr::F4Be => 4,
            Descr::F8Le | Descr::F8Be => 8,
        }
    }

    fn parse(s: &str) -> Option<Descr> {
        Some(match s {
            "<f2" => Descr::F2Le,
            ">f2" => Descr::F2Be,
            "<f4" => Descr::F4Le,
            ">f4" => Descr::F4Be,
            "<f8" => Descr::F8Le,
            ">f8" => Descr::F8Be,
            _ => return None,
        })
    }
}

/// The integer types read in a vector of codes (the row origins beside a table):
/// its NumPy type string, whether it is signed, its size in bytes and whether it
/// is big-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IntDescr {
    name: &'static str,
    signed: bool,
    size: usize,
    big: bool,
}

/// Every integer type string NumPy writes (`|` for one byte, which has no order;
/// `<` and `>` accepted there too).
const INT_DESCRS: [IntDescr; 20] = {
    const fn d(name: &'static str, signed: bool, size: usize, big: bool) -> IntDescr {
        IntDescr {
            name,
            signed,
            size,
            big,
        }
    }
    [
        d("|u1", false, 1, false),
        d("<u1", false, 1, false),
        d(">u1", false, 1, false),
        d("|i1", true, 1, false),
        d("<i1", true, 1, false),
        d(">i1", true, 1, false),
        d("<u2", false, 2, false),
        d(">u2", false, 2, true),
        d("<i2", true, 2, false),
        d(">i2", true, 2, true),
        d("<u4", false, 4, false),
        d(">u4", false, 4, true),
        d("<i4", true, 4, false),
        d(">i4", true, 4, true),
        d("<u8", false, 8, false),
        d(">u8", false, 8, true),
        d("<i8", true, 8, false),
        d(">i8", true, 8, true),
        // NumPy's `np.intp`/`np.uintp` on 64-bit systems.
        d("<q", true, 8, false),
        d("<Q", false, 8, false),
    ]
};

impl IntDescr {
    fn parse(s: &str) -> Option<IntDescr> {
        INT_DESCRS.into_iter().find(|d| d.name == s)
    }

    /// The value of one item.
    fn value(self, bytes: &[u8]) -> i128 {
        let mut b = [0u8; 8];
        if self.big {
            b[8 - self.size..].copy_from_slice(bytes);
            b.reverse();
        } else {
            b[..self.size].copy_from_slice(bytes);
        }
        let raw = u64::from_le_bytes(b);
        if self.signed {
            let shift = 64 - 8 * self.size as u32;
            i128::from(((raw << shift) as i64) >> shift)
        } else {
            i128::from(raw)
        }
    }
}

/// What a header must describe: a matrix of floats, or a vector of integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Matrix,
    Codes,
}

/// The element type of a header, as [`Want`] allows.
#[derive(Debug, Clone, Copy)]
enum AnyDescr {
    Float(Descr),
    Int(IntDescr),
}

impl AnyDescr {
    fn name(self) -> &'static str {
        match self {
            AnyDescr::Float(d) => d.as_str(),
            AnyDescr::Int(d) => d.name,
        }
    }

    fn item_size(self) -> usize {
        match self {
            AnyDescr::Float(d) => d.item_size(),
            AnyDescr::Int(d) => d.size,
        }
    }
}

/// The prefix and dict of a header, checked against what is wanted and against the
/// file's size.
struct Checked {
    version: (u8, u8),
    descr: AnyDescr,
    fortran_order: bool,
    shape: Vec<u64>,
    data_offset: usize,
}

/// A parsed and checked `.npy` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NpyHeader {
    /// Format version, `(major, minor)`: `(1, 0)`, `(2, 0)` or `(3, 0)`.
    pub version: (u8, u8),
    /// The element type.
    pub descr: Descr,
    /// Whether the values are stored column by column.
    pub fortran_order: bool,
    /// Rows of the matrix.
    pub rows: usize,
    /// Columns of the matrix.
    pub cols: usize,
    /// Where the values start in the file.
    pub data_offset: usize,
}

impl NpyHeader {
    /// Parses the header at the start of `bytes`, the whole file, and checks that the
    /// values after it are exactly `rows * cols` items.
    ///
    /// `path` is only used in errors (empty for an in-memory buffer).
    ///
    /// # Errors
    /// [`Error::Npy`] with the byte offset of the problem: a wrong magic or version, a
    /// header that is cut short or runs past the file, a dict that does not parse or
    /// lacks or repeats a key, an unsupported `descr`, a shape that is not 2-D, or
    /// data that is shorter or longer than the shape says (including shapes too large
    /// to exist, which fail before anything is allocated).
    ///
    /// ```
    /// use pretrained_vectors::npy::{self, Descr, NpyHeader};
    /// let mut bytes = Vec::new();
    /// npy::write_matrix(&mut bytes, ndarray::Array2::<f32>::zeros((2, 3)).view())?;
    /// let h = NpyHeader::from_bytes(std::path::Path::new(""), &bytes)?;
    /// assert_eq!((h.rows, h.cols, h.descr, h.data_offset), (2, 3, Descr::F4Le, 128));
    /// # Ok::<(), pretrained_vectors::Error>(())
    /// ```
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<NpyHeader> {
        let h = check(path, bytes, Want::Matrix)?;
        let AnyDescr::Float(descr) = h.descr else {
            unreachable!("a matrix header has a float descr")
        };
        // `check` made sure the data, of rows * cols items, fits in memory.
        Ok(NpyHeader {
            version: h.version,
            descr,
            fortran_order: h.fortran_order,
            rows: h.shape[0] as usize,
            cols: h.shape[1] as usize,
            data_offset: h.data_offset,
        })
    }

    /// Whether the values can be viewed in place as `f32` in C order on this machine
    /// (alignment aside).
    pub(super) fn is_native(&self) -> bool {
        self.descr == Descr::F4Le && !self.fortran_order && cfg!(target_endian = "little")
    }
}

/// Parses and checks the header at the start of `bytes` (the whole file) for what
/// is wanted, and that the data after it is exactly what the shape says.
fn check(path: &Path, bytes: &[u8], want: Want) -> Result<Checked> {
    let e = |byte: usize, fault: NpyFault| npy_err(path, byte, fault);
    let file_len = bytes.len();
    let magic = bytes.get(..MAGIC.len()).unwrap_or(bytes);
    if magic != MAGIC {
        let found = show_bytes(magic);
        return Err(e(0, NpyFault::Magic { found }));
    }
    let version = match bytes.get(6..8) {
        Some(&[major, minor]) => (major, minor),
        _ => {
            let file_len = file_len as u64;
            return Err(e(6, NpyFault::NoVersion { file_len }));
        }
    };
    let len_size: u8 = match version {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        (major, minor) => return Err(e(6, NpyFault::Version { major, minor })),
    };
    let start = 8 + usize::from(len_size);
    let header_len = match bytes.get(8..start) {
        Some(&[a, b]) => usize::from(u16::from_le_bytes([a, b])),
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => {
            let (size, file_len) = (len_size, file_len as u64);
            return Err(e(8, NpyFault::NoHeaderLength { size, file_len }));
        }
    };
    let data_offset = start.saturating_add(header_len);
    let Some(text) = bytes.get(start..data_offset) else {
        let fault = NpyFault::HeaderPastEnd {
            header_len: header_len as u64,
            end: data_offset as u64,
            file_len: file_len as u64,
        };
        return Err(e(8, fault));
    };
    let dict = Dict::parse(path, text, start, want)?;
    let (shape, shape_at) = dict.shape;
    let descr = dict.descr;
    let need = shape
        .iter()
        .try_fold(descr.item_size() as u64, |n, &d| n.checked_mul(d));
    let have = (file_len - data_offset) as u64;
    if need != Some(have) {
        // Point at the shape when it cannot exist, at the end of the file when
        // data is missing, and at the first extra byte when there is too much.
        let byte = match need {
            None => shape_at,
            Some(n) if n > have => file_len,
            Some(n) => data_offset + n as usize,
        };
        let fault = NpyFault::DataSize {
            shape,
            descr: descr.name(),
            needed: need,
            have,
            data_offset: data_offset as u64,
        };
        return Err(e(byte, fault));
    }
    // `need == have` fits in memory, so every count and their product fit usize.
    Ok(Checked {
        version,
        descr,
        fortran_order: dict.fortran_order,
        shape,
        data_offset,
    })
}

/// Reads a `.npy` vector of integers (any NumPy integer type, 1-D, either byte
/// order), the whole file in `bytes`: the row origins beside a table.
///
/// # Errors
/// As [`NpyHeader::from_bytes`], with an integer type and a 1-D shape wanted.
pub(crate) fn int_vector(path: &Path, bytes: &[u8]) -> Result<Vec<i128>> {
    let h = check(path, bytes, Want::Codes)?;
    let AnyDescr::Int(descr) = h.descr else {
        unreachable!("a codes header has an integer descr")
    };
    Ok(bytes[h.data_offset..]
        .chunks_exact(descr.size)
        .map(|c| descr.value(c))
        .collect())
}

pub(super) fn npy_err(path: &Path, byte: usize, fault: NpyFault) -> Error {
    Error::Npy {
        path: path.to_path_buf(),
        pos: Position::byte(byte as u64),
        fault: Box::new(fault),
    }
}

/// Shows up to 24 bytes as a quoted string with escapes.
fn show_bytes(b: &[u8]) -> String {
    let cut = &b[..b.len().min(24)];
    let mut s = format!("\"{}\"", cut.escape_ascii());
    if b.len() > cut.len() {
        s.push_str("...");
    }
    s
}

// ----- the header dict ---------------------------------------------------------------

/// The three keys of an npy header, checked.
struct Dict {
    descr: AnyDescr,
    fortran_order: bool,
    /// The dimensions, and the byte offset of the shape.
    shape: (Vec<u64>, usize),
}

/// A value in the header dict.
enum Value {
    Str(String),
    Bool(bool),
    /// Integers of a tuple.
    Tuple(Vec<u64>),
}

/// A cursor over the header text; `base` is the header's offset in the file, so that
/// errors give file offsets.
struct Cursor<'a> {
    path: &'a Path,
    text: &'a [u8],
    at: usize,
    base: usize,
}

impl Cursor<'_> {
    fn byte(&self) -> usize {
        self.base + self.at
    }

    fn err(&self, expected: NpyExpected) -> Error {
        let found = match self.text.get(self.at..) {
            Some([]) | None => "the end of the header".to_string(),
            Some(rest) => show_bytes(rest),
        };
        npy_err(self.path, self.byte(), NpyFault::Syntax { expected, found })
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Consumes `c` (after white space) or fails expecting `what`.
    fn expect(&mut self, c: u8, what: NpyExpected) -> Result<()> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    /// Consumes `c` after white space if it is there.
    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        let hit = self.peek() == Some(c);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn string(&mut self) -> Result<String> {
        self.skip_ws();
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return Err(self.err(NpyExpected::QuotedString)),
        };
        let open = self.at;
        self.at += 1;
        let start = self.at;
        loop {
            match self.peek() {
                Some(c) if c == quote => break,
                Some(b'\\') => return Err(self.err(NpyExpected::NoEscapes)),
                Some(b'\n') | None => {
                    self.at = open;
                    return Err(self.err(NpyExpected::ClosedString));
                }
                Some(_) => self.at += 1,
            }
        }
        let s = String::from_utf8_lossy(&self.text[start..self.at]).into_owned();
        self.at += 1;
        Ok(s)
    }

    fn word(&mut self, w: &str) -> bool {
        let hit = self.text[self.at..].starts_with(w.as_bytes());
        if hit {
            self.at += w.len();
        }
        hit
    }

    /// A non-negative integer, with Python 2's optional `L` suffix.
    fn int(&mut self) -> Result<u64> {
        self.skip_ws();
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = match n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d - b'0')))
            {
                Some(n) => n,
                None => {
                    self.at = start;
                    return Err(self.err(NpyExpected::SmallDimension));
                }
            };
            self.at += 1;
        }
        if self.at == start {
            return Err(self.err(NpyExpected::Integer));
        }
        self.eat(b'L');
        Ok(n)
    }

    /// A tuple of integers, the cursor at its `(` ([`Cursor::value`] looked).
    fn tuple(&mut self) -> Result<Vec<u64>> {
        debug_assert_eq!(self.peek(), Some(b'('));
        self.at += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(b')') {
                return Ok(items);
            }
            items.push(self.int()?);
            if self.eat(b')') {
                return Ok(items);
            }
            self.expect(b',', NpyExpected::CommaOrTupleClose)?;
        }
    }

    fn value(&mut self) -> Result<Value> {
        self.skip_ws();
        match self.peek() {
            Some(b'\'' | b'"') => self.string().map(Value::Str),
            Some(b'(') => self.tuple().map(Value::Tuple),
            _ if self.word("True") => Ok(Value::Bool(true)),
            _ if self.word("False") => Ok(Value::Bool(false)),
            _ => Err(self.err(NpyExpected::Value)),
        }
    }
}

impl Dict {
    fn parse(path: &Path, text: &[u8], base: usize, want: Want) -> Result<Dict> {
        let mut c = Cursor {
            path,
            text,
            at: 0,
            base,
        };
        let mut descr = None;
        let mut fortran = None;
        let mut shape = None;
        c.expect(b'{', NpyExpected::DictOpen)?;
        loop {
            if c.eat(b'}') {
                break;
            }
            c.skip_ws();
            let key_at = c.byte();
            let key = c.string()?;
            c.expect(b':', NpyExpected::Colon)?;
            c.skip_ws();
            let value_at = c.byte();
            let value = c.value()?;
            let slot_taken = match key.as_str() {
                "descr" => match value {
                    Value::Str(s) => {
                        let d = match want {
                            Want::Matrix => Descr::parse(&s).map(AnyDescr::Float),
                            Want::Codes => IntDescr::parse(&s).map(AnyDescr::Int),
                        };
                        match (d, want) {
                            (Some(d), _) => descr.replace(d).is_some(),
                            (None, Want::Matrix) => {
                                let fault = NpyFault::Descr { found: s };
                                return Err(npy_err(path, value_at, fault));
                            }
                            (None, Want::Codes) => {
                                let fault = NpyFault::NotIntegers { found: s };
                                return Err(npy_err(path, value_at, fault));
                            }
                        }
                    }
                    _ => {
                        let fault = NpyFault::ValueType { key: NpyKey::Descr };
                        return Err(npy_err(path, value_at, fault));
                    }
                },
                "fortran_order" => match value {
                    Value::Bool(b) => fortran.replace(b).is_some(),
                    _ => {
                        let fault = NpyFault::ValueType {
                            key: NpyKey::FortranOrder,
                        };
                        return Err(npy_err(path, value_at, fault));
                    }
                },
                "shape" => match value {
                    Value::Tuple(t) => match (t.len(), want) {
                        (2, Want::Matrix) | (1, Want::Codes) => {
                            shape.replace((t, value_at)).is_some()
                        }
                        (dims, Want::Matrix) => {
                            let shape = show_tuple(&t);
                            let fault = NpyFault::NotTwoD { dims, shape };
                            return Err(npy_err(path, value_at, fault));
                        }
                        (dims, Want::Codes) => {
                            let shape = show_tuple(&t);
                            let fault = NpyFault::NotOneD { dims, shape };
                            return Err(npy_err(path, value_at, fault));
                        }
                    },
                    _ => {
                        let fault = NpyFault::ValueType { key: NpyKey::Shape };
                        return Err(npy_err(path, value_at, fault));
                    }
                },
                _ => return Err(npy_err(path, key_at, NpyFault::UnknownKey { key })),
            };
            if slot_taken {
                return Err(npy_err(path, key_at, NpyFault::RepeatedKey { key }));
            }
            if c.eat(b'}') {
                break;
            }
            c.expect(b',', NpyExpected::CommaOrDictClose)?;
        }
        c.skip_ws();
        if c.at != text.len() {
            return Err(c.err(NpyExpected::EndOfHeader));
        }
        let missing = |key: NpyKey| npy_err(path, base, NpyFault::MissingKey { key });
        Ok(Dict {
            descr: descr.ok_or_else(|| missing(NpyKey::Descr))?,
            fortran_order: fortran.ok_or_else(|| missing(NpyKey::FortranOrder))?,
            shape: shape.ok_or_else(|| missing(NpyKey::Shape))?,
        })
    }
}

fn show_tuple(t: &[u64]) -> String {
    match t {
        [one] => format!("({one},)"),
        _ => {
            let items: Vec<String> = t.iter().map(u64::to_string).collect();
            format!("({})", items.join(", "))
        }
    }
}

// ----- writing ----------------------------------------------------------------------

/// The full header (magic, version, length, dict and padding) for a C-order `<f4`
/// matrix of `rows x cols`.
pub(crate) fn header_bytes(rows: usize, cols: usize) -> Vec<u8> {
    header_for("<f4", &[rows, cols])
}

/// The header of a C-order array of NumPy type `descr` (`<f4`, `<f2`, `|u1`...)
/// and `shape`, as NumPy writes it (a 1-D shape gets its trailing comma).
pub(crate) fn header_for(descr: &str, shape: &[usize]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    wrap_header(&format!(
        "{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    ))
}

/// Puts the magic, version and length before `dict` and pads it so that the data
/// starts at a multiple of 64 bytes. Version 1.0 unless the header needs more than
/// 65535 bytes.
pub(super) fn wrap_header(dict: &str) -> Vec<u8> {
    let padded = |prefix: usize| (prefix + dict.len() + 1).div_ceil(ALIGN) * ALIGN;
    let (major, prefix) = if padded(10) - 10 <= usize::from(u16::MAX) {
        (1u8, 10)
    } else {
        (2u8, 12)
    };
    let total = padded(prefix);
    let header_len = total - prefix;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        out.extend_from_slice(&(header_len as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header_len as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out
}
