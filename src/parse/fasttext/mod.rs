//! The layout of a native fastText model (`.bin`, quantized `.ftz`), parsed from
//! its bytes: the arguments, the dictionary, the prune map and where the matrices
//! are. Nothing is copied but the dictionary's word boundaries, the prune map and
//! the (small) product-quantizer centroids; rows are read where they lie.
//!
//! The layout, all little-endian:
//!
//! | part | fields |
//! |---|---|
//! | signature (current format) | `i32` magic `0x2F4F16BA`, `i32` version (<= 12) |
//! | arguments | 12 `i32` (`dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate`), `f64 t` |
//! | dictionary | `i32 size nwords nlabels`, `i64 ntokens`, `i64 pruneidx_size` (current format only), `size` entries (word bytes, `\0`, `i64` count, `i8` type), `pruneidx_size` pairs of `i32` (bucket, row) |
//! | input matrix | `u8` quantized (current format only), then dense (`i64 m n`, `m*n` `f32`) or quantized (below) |
//! | output matrix | `u8` quantized (current format only), then as the input matrix |
//!
//! A quantized matrix: `u8 qnorm`, `i64 m n`, `i32 codesize`, `codesize` codes, a
//! product quantizer (`i32 dim nsubq dsub lastdsub`, `dim*256` `f32` centroids),
//! and with `qnorm` `m` norm codes and a second quantizer (of dimension 1).
//!
//! Every count is checked against the bytes left before anything is allocated,
//! and the file must end where the output matrix does.

pub(crate) mod ngrams;

use std::path::Path;

use crate::error::{Error, ModelFault, ModelField, Position, Result};
use crate::format::MAX_DIMS;

/// The magic number at the start of current-format models.
pub(crate) const MAGIC: i32 = 0x2F4F_16BA;
/// The newest format version the official tool writes.
pub(crate) const VERSION: i32 = 12;
/// Centroids per sub-quantizer.
const KSUB: usize = 256;
/// The smallest dictionary entry: an empty word's `\0`, its count and its type.
const MIN_ENTRY: u64 = 1 + 8 + 1;

/// The training arguments stored in a model (those that shape its vectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Args {
    pub dim: usize,
    pub word_ngrams: i32,
    pub loss: i32,
    pub model: i32,
    pub bucket: usize,
    pub minn: usize,
    pub maxn: usize,
}

/// A product quantizer: `nsubq` sub-vectors of `dsub` values (the last of
/// `lastdsub`), each one of 256 centroids.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Quantizer {
    pub dim: usize,
    pub nsubq: usize,
    pub dsub: usize,
    pub lastdsub: usize,
    pub centroids: Vec<f32>,
}

impl Quantizer {
    /// The centroid `code` of sub-quantizer `m` (fastText's `get_centroids`).
    #[inline]
    pub(crate) fn centroid(&self, m: usize, code: u8) -> &[f32] {
        let code = usize::from(code);
        if m == self.nsubq - 1 {
            let at = m * KSUB * self.dsub + code * self.lastdsub;
            &self.centroids[at..at + self.lastdsub]
        } else {
            let at = (m * KSUB + code) * self.dsub;
            &self.centroids[at..at + self.dsub]
        }
    }
}

/// Where a matrix's values are.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Matrix {
    /// `rows x cols` little-endian `f32` from byte `at`.
    Dense { at: usize, rows: usize, cols: usize },
    /// Product-quantized rows: `codes` is the byte of the first row's codes
    /// (`pq.nsubq` per row); `norms`, the byte of the norm codes and their quantizer.
    Quantized {
        rows: usize,
        cols: usize,
        codes: usize,
        pq: Quantizer,
        norms: Option<(usize, Quantizer)>,
    },
}

impl Matrix {
    pub(crate) fn rows(&self) -> usize {
        match self {
            Matrix::Dense { rows, .. } | Matrix::Quantized { rows, .. } => *rows,
        }
    }
}

/// A parsed model.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// `None` for the format before the current one (no signature).
    pub version: Option<i32>,
    pub args: Args,
    pub nwords: usize,
    pub nlabels: usize,
    /// Start and length of each entry's word (words first, then labels).
    pub entries: Vec<(usize, u32)>,
    /// The prune map (bucket -> row after the words), sorted by bucket, when the
    /// dictionary was pruned; `Some(empty)` keeps no n-gram at all.
    pub prune: Option<Vec<(u32, u32)>>,
    pub input: Matrix,
}

impl Layout {
    /// The word bytes of entry `i`.
    #[inline]
    pub(crate) fn word<'b>(&self, bytes: &'b [u8], i: usize) -> &'b [u8] {
        let (at, len) = self.entries[i];
        &bytes[at..at + len as usize]
    }
}

/// Reads fields from the front, keeping the byte offset for errors.
struct Cursor<'a> {
    path: &'a Path,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn left(&self) -> u64 {
        (self.bytes.len() - self.at) as u64
    }

    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        if (n as u64) > self.left() {
            return Err(self.short(what, n as u64));
        }
        let s = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }

    fn short(&self, what: &'static str, needed: u64) -> Error {
        Error::ModelTruncated {
            path: self.path.to_path_buf(),
            pos: Position::byte(self.at as u64),
            what,
            needed,
            available: self.left(),
        }
    }

    fn i32(&mut self, what: &'static str) -> Result<i32> {
        let b = self.take(4, what)?;
        Ok(i32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    fn i64(&mut self, what: &'static str) -> Result<i64> {
        let b = self.take(8, what)?;
        Ok(i64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    fn bool(&mut self, field: ModelField) -> Result<bool> {
        let at = self.at;
        match self.take(1, field.as_str())?[0] {
            0 => Ok(false),
            1 => Ok(true),
            found => Err(self.bad_at(at, ModelFault::NotAFlag { field, found })),
        }
    }

    fn bad_at(&self, at: usize, fault: ModelFault) -> Error {
        Error::BadModel {
            path: self.path.to_path_buf(),
            pos: Position::byte(at as u64),
            fault: Box::new(fault),
        }
    }

    /// A value in `min..=max` for `field`.
    fn in_range(&self, at: usize, field: ModelField, min: i64, max: i64, v: i64) -> Result<i64> {
        if v < min || v > max {
            let found = v;
            return Err(self.bad_at(
                at,
                ModelFault::OutOfRange {
                    field,
                    min,
                    max,
                    found,
                },
            ));
        }
        Ok(v)
    }

    /// An `i32` count in `min..=max`.
    fn count32(&mut self, field: ModelField, min: i64, max: i64) -> Result<i64> {
        let at = self.at;
        let v = i64::from(self.i32(field.as_str())?);
        self.in_range(at, field, min, max, v)
    }

    /// An `i64` count in `min..=max`.
    fn count64(&mut self, field: ModelField, min: i64, max: i64) -> Result<i64> {
        let at = self.at;
        let v = self.i64(field.as_str())?;
        self.in_range(at, field, min, max, v)
    }

    /// Checks that `count` items of at least `each` bytes fit in what is left.
    fn fits(&self, what: &'static str, count: u64, each: u64) -> Result<()> {
        let needed = u128::from(count) * u128::from(each);
        if needed > u128::from(self.left()) {
            return Err(self.short(what, u64::try_from(needed).unwrap_or(u64::MAX)));
        }
        Ok(())
    }

    fn f32s(&mut self, n: usize, what: &'static str) -> Result<Vec<f32>> {
        self.fits(what, n as u64, 4)?;
        let b = self.take(n * 4, what)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }
}

/// Whether `head` starts like a native fastText model: the current format's magic,
/// or the format before it (arguments in range, then a dictionary with its `\0`s).
pub(crate) fn looks_like_model(head: &[u8]) -> bool {
    let i32_at = |i: usize| {
        head.get(i * 4..i * 4 + 4)
            .map(|b| i32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    if i32_at(0) == Some(MAGIC) {
        return true;
    }
    // The old format starts with the arguments: dim, ws, epoch, minCount, neg,
    // wordNgrams, loss (1..=3), model (1..=3), bucket, minn, maxn, lrUpdateRate;
    // then a double and the dictionary's counts.
    let Some(fields) = (0..12).map(i32_at).collect::<Option<Vec<i32>>>() else {
        return false;
    };
    let dim_ok = fields[0] > 0 && i64::from(fields[0]) <= MAX_DIMS as i64;
    let small = |v: i32| (0..=1_000_000).contains(&v);
    dim_ok
        && fields[1..6].iter().all(|&v| small(v))
        && (1..=4).contains(&fields[6])
        && (1..=3).contains(&fields[7])
        && fields[8] >= 0
        && small(fields[9])
        && small(fields[10])
        && fields[11] >= 0
}

/// Parses the layout of the model in `bytes`; `path` is for errors only.
///
/// # Errors
/// [`Error::ModelTruncated`] when a part is cut short, [`Error::BadModel`] for a
/// field out of range (with the byte of the field), [`Error::BadUtf8`] never (words
/// are bytes here; callers decide).
pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<Layout> {
    let mut c = Cursor { path, bytes, at: 0 };
    let version = if bytes.len() >= 4 && bytes[..4] == MAGIC.to_le_bytes() {
        c.at = 4;
        let at = c.at;
        let v = c.i32("version")?;
        c.in_range(at, ModelField::Version, 1, i64::from(VERSION), i64::from(v))?;
        Some(v)
    } else {
        None
    };
    let dim = c.count32(ModelField::Dim, 1, MAX_DIMS as i64)? as usize;
    for what in ["ws", "epoch", "minCount", "neg"] {
        c.i32(what)?;
    }
    let word_ngrams = c.i32("wordNgrams")?;
    let loss = c.count32(ModelField::Loss, 1, 4)? as i32;
    let model = c.count32(ModelField::Model, 1, 3)? as i32;
    let bucket = c.count32(ModelField::Bucket, 0, i64::from(i32::MAX))? as usize;
    let minn = c.count32(ModelField::Minn, 0, i64::from(i32::MAX))? as usize;
    let mut maxn = c.count32(ModelField::Maxn, 0, i64::from(i32::MAX))? as usize;
    c.i32("lrUpdateRate")?;
    c.take(8, "t")?;
    // The official loader's rule: version-11 supervised models use no n-grams.
    if version == Some(11) && model == 3 {
        maxn = 0;
    }
    let args = Args {
        dim,
        word_ngrams,
        loss,
        model,
        bucket,
        minn,
        maxn,
    };

    let size_at = c.at;
    let size = c.count32(ModelField::DictionarySize, 0, i64::from(i32::MAX))?;
    let nwords = c.count32(ModelField::Nwords, 0, size)?;
    let nlabels_at = c.at;
    let nlabels = c.count32(ModelField::Nlabels, 0, size)?;
    if nwords + nlabels != size {
        return Err(c.bad_at(
            nlabels_at,
            ModelFault::LabelCount {
                size,
                nwords,
                found: nlabels,
            },
        ));
    }
    c.i64("ntokens")?;
    let prune_size = if version.is_some() {
        c.count64(ModelField::PruneidxSize, -1, i64::from(i32::MAX))?
    } else {
        -1
    };
    c.fits("dictionary", size as u64, MIN_ENTRY)
        .map_err(|_| c.bad_at(size_at, ModelFault::DictionaryTooLarge { size }))?;
    let mut entries = Vec::with_capacity(size as usize);
    for i in 0..size as usize {
        let start = c.at;
        let len = memchr::memchr(0, &bytes[start..]).ok_or_else(|| Error::ModelTruncated {
            path: path.to_path_buf(),
            pos: Position::record(i as u64 + 1, start as u64),
            what: "dictionary entry (no `\\0` after its word)",
            needed: MIN_ENTRY,
            available: (bytes.len() - start) as u64,
        })?;
        let len32 = u32::try_from(len)
            .map_err(|_| c.bad_at(start, ModelFault::WordTooLong { len: len as u64 }))?;
        c.at = start + len + 1;
        c.take(8, "count of a dictionary entry")
            .map_err(|e| at_record(e, i))?;
        let type_at = c.at;
        let kind = c
            .take(1, "type of a dictionary entry")
            .map_err(|e| at_record(e, i))?[0];
        let want = u8::from(i as i64 >= nwords);
        if kind != want {
            return Err(Error::BadModel {
                path: path.to_path_buf(),
                pos: Position::record(i as u64 + 1, type_at as u64),
                fault: Box::new(ModelFault::EntryType {
                    nwords,
                    label: want == 1,
                    found: kind,
                }),
            });
        }
        entries.push((start, len32));
    }
    let prune = if prune_size >= 0 {
        c.fits("prune index", prune_size as u64, 8)?;
        let mut map = Vec::with_capacity(prune_size as usize);
        for _ in 0..prune_size {
            let at = c.at;
            let from = c.i32("prune index bucket")?;
            let to = c.i32("prune index row")?;
            if from < 0 || (from as usize) >= bucket.max(1) || to < 0 || i64::from(to) >= prune_size
            {
                return Err(c.bad_at(
                    at,
                    ModelFault::PruneIndexPair {
                        buckets: bucket as u64,
                        rows: prune_size,
                        bucket: from,
                        row: to,
                    },
                ));
            }
            map.push((from as u32, to as u32));
        }
        // Later pairs win, as in the official loader's map.
        map.reverse();
        map.sort_by_key(|&(from, _)| from);
        map.dedup_by_key(|&mut (from, _)| from);
        Some(map)
    } else {
        None
    };

    let quantized = if version.is_some() {
        c.bool(ModelField::QuantizedInput)?
    } else {
        false
    };
    if !quantized && prune.is_some() {
        return Err(c.bad_at(c.at - 1, ModelFault::PrunedNotQuantized));
    }
    let input_at = c.at;
    let input = matrix(&mut c, quantized, "input matrix")?;
    let (rows, cols) = match &input {
        Matrix::Dense { rows, cols, .. } | Matrix::Quantized { rows, cols, .. } => (*rows, *cols),
    };
    let want_rows = nwords as u64
        + match &prune {
            Some(_) => prune_size as u64,
            None => bucket as u64,
        };
    if rows as u64 != want_rows || cols != dim {
        return Err(c.bad_at(
            input_at,
            ModelFault::InputShape {
                rows: want_rows,
                cols: dim as u64,
                pruned: prune.is_some(),
                found_rows: rows as u64,
                found_cols: cols as u64,
            },
        ));
    }
    let qout = if version.is_some() {
        c.bool(ModelField::QuantizedOutput)?
    } else {
        false
    };
    // The output matrix (labels, or words, by dims) is checked, never read.
    matrix(&mut c, quantized && qout, "output matrix")?;
    if c.left() != 0 {
        return Err(c.bad_at(
            c.at,
            ModelFault::TrailingBytes {
                end: c.at as u64,
                extra: c.left(),
            },
        ));
    }
    Ok(Layout {
        version,
        args,
        nwords: nwords as usize,
        nlabels: nlabels as usize,
        entries,
        prune,
        input,
    })
}

/// Puts the entry number on an error found inside a dictionary entry.
fn at_record(e: Error, i: usize) -> Error {
    match e {
        Error::ModelTruncated {
            path,
            pos,
            what,
            needed,
            available,
        } => Error::ModelTruncated {
            path,
            pos: Position {
                record: Some(i as u64 + 1),
                ..pos
            },
            what,
            needed,
            available,
        },
        e => e,
    }
}

/// Parses a matrix header and skips its values.
fn matrix(c: &mut Cursor<'_>, quantized: bool, what: &'static str) -> Result<Matrix> {
    if !quantized {
        let rows = c.count64(ModelField::MatrixRows, 0, i64::MAX)? as u64;
        let cols = c.count64(ModelField::MatrixColumns, 0, MAX_DIMS as i64)? as u64;
        c.fits(what, rows, cols * 4)?;
        let at = c.at;
        c.take((rows * cols * 4) as usize, what)?;
        return Ok(Matrix::Dense {
            at,
            rows: rows as usize,
            cols: cols as usize,
        });
    }
    let qnorm = c.bool(ModelField::Qnorm)?;
    let rows = c.count64(ModelField::MatrixRows, 0, i64::MAX)? as u64;
    let cols = c.count64(ModelField::MatrixColumns, 1, MAX_DIMS as i64)? as usize;
    let codesize_at = c.at;
    let codesize = c.count32(ModelField::CodeSize, 0, i64::from(i32::MAX))? as u64;
    c.fits("codes", codesize, 1)?;
    let codes = c.at;
    c.take(codesize as usize, "codes")?;
    let pq = quantizer(c, cols)?;
    if u128::from(codesize) != u128::from(rows) * pq.nsubq as u128 {
        return Err(c.bad_at(
            codesize_at,
            ModelFault::CodeSize {
                rows,
                nsubq: pq.nsubq as u64,
                found: codesize,
            },
        ));
    }
    let norms = if qnorm {
        c.fits("norm codes", rows, 1)?;
        let at = c.at;
        c.take(rows as usize, "norm codes")?;
        Some((at, quantizer(c, 1)?))
    } else {
        None
    };
    Ok(Matrix::Quantized {
        rows: rows as usize,
        cols,
        codes,
        pq,
        norms,
    })
}

/// Parses a product quantizer of vectors of `dim` values.
fn quantizer(c: &mut Cursor<'_>, dim: usize) -> Result<Quantizer> {
    let at = c.at;
    let d = c.i32("quantizer dim")?;
    if d as i64 != dim as i64 {
        return Err(c.bad_at(
            at,
            ModelFault::QuantizerDim {
                dim: dim as u64,
                found: d,
            },
        ));
    }
    let at = c.at;
    let nsubq = c.i32("quantizer nsubq")?;
    let dsub = c.i32("quantizer dsub")?;
    let lastdsub = c.i32("quantizer lastdsub")?;
    let ok = nsubq >= 1
        && dsub >= 1
        && (1..=dsub).contains(&lastdsub)
        && (i64::from(nsubq) - 1) * i64::from(dsub) + i64::from(lastdsub) == dim as i64;
    if !ok {
        return Err(c.bad_at(
            at,
            ModelFault::QuantizerSplit {
                dim: dim as u64,
                nsubq,
                dsub,
                lastdsub,
            },
        ));
    }
    let centroids = c.f32s(dim * KSUB, "quantizer centroids")?;
    Ok(Quantizer {
        dim,
        nsubq: nsubq as usize,
        dsub: dsub as usize,
        lastdsub: lastdsub as usize,
        centroids,
    })
}
