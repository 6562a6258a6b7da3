//! The `.safetensors` writer: a table as the tensor `embeddings` `[rows, dims]`, its
//! row origins as the tensor `origins` `[rows]` (`u8`), and what the table is in the
//! header's `__metadata__`.
//!
//! The file is the safetensors format (8 bytes of little-endian header length, the
//! JSON header padded with spaces to a multiple of 8 bytes, then the tensors' bytes,
//! little-endian, C order): `embeddings` first, at offset 0, so that its values are
//! aligned for their type in a mapped file; `origins` after it. The header's types
//! (`TensorInfo`, `Dtype`) are the `safetensors` crate's, and the crate's own checks
//! of the offsets run on every header we write. The header is written with its keys
//! in a fixed order, so that the same table gives the same bytes (the crate's
//! serializer orders metadata by a hash map).
//!
//! # Metadata
//! Every value is a string, as the format requires:
//!
//! | key | value |
//! | --- | --- |
//! | `producer` | `pretrained-vectors` and its version |
//! | `dtype` | `f32`, `f16` or `bf16` ([`Dtype::name`]) |
//! | `origin_codes` | the code table of the `origins` tensor, [`RowOrigin::codes_json`] (with origins only) |
//! | `padding_row`, `oov_row`, `unused_rows` | the row of the padding / OOV token, the reserved rows no id maps to (with origins only, when the table has them; rows separated by commas) |
//! | others | given by the caller ([`Layout::metadata`](super::Layout::metadata)), such as `vocabulary` (where the vocabulary came from) and `tokens_file` |

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use ndarray::ArrayView2;
use safetensors::tensor::{Metadata, TensorInfo};
use serde::Serialize;

use super::dtype::{check_range, write_values, Dtype};
use crate::error::{Dims, Error, IoAction, Result, ShapeFault};
use crate::origin::{self, RowOrigin};

/// The name of the tensor of values.
pub const EMBEDDINGS: &str = "embeddings";
/// The name of the tensor of row origins.
pub const ORIGINS: &str = "origins";

/// The JSON header, keys in this order.
#[derive(Serialize)]
struct Header<'a> {
    #[serde(rename = "__metadata__")]
    metadata: &'a BTreeMap<String, String>,
    embeddings: &'a TensorInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    origins: Option<&'a TensorInfo>,
}

/// The metadata the writer adds to the caller's: producer, dtype, origin codes and
/// reserved rows.
fn full_metadata(
    given: &BTreeMap<String, String>,
    origins: Option<&[RowOrigin]>,
    dtype: Dtype,
) -> BTreeMap<String, String> {
    let mut m = given.clone();
    m.insert(
        "producer".into(),
        format!("pretrained-vectors {}", env!("CARGO_PKG_VERSION")),
    );
    m.insert("dtype".into(), dtype.name().into());
    if let Some(origins) = origins {
        m.insert("origin_codes".into(), RowOrigin::codes_json());
        for (key, which) in [
            ("padding_row", RowOrigin::Padding),
            ("oov_row", RowOrigin::Oov),
            ("unused_rows", RowOrigin::Unused),
        ] {
            let rows: Vec<String> = (0..origins.len())
                .filter(|&r| origins[r] == which)
                .map(|r| r.to_string())
                .collect();
            if !rows.is_empty() {
                m.insert(key.into(), rows.join(","));
            }
        }
    }
    m
}

/// The header bytes (length prefix included) of a table of `rows x dims` values of
/// `dtype`, with origins or not.
fn header(
    rows: usize,
    dims: usize,
    dtype: Dtype,
    with_origins: bool,
    metadata: &BTreeMap<String, String>,
) -> Result<Vec<u8>> {
    let too_large = || Error::ShapeFault {
        what: "safetensors table",
        fault: Box::new(ShapeFault::TooLargeForMemory {
            rows,
            cols: dims,
            dtype,
        }),
    };
    let values = rows
        .checked_mul(dims)
        .and_then(|n| n.checked_mul(dtype.size()))
        .ok_or_else(too_large)?;
    let embeddings = TensorInfo {
        dtype: dtype.safetensors(),
        shape: vec![rows, dims],
        data_offsets: (0, values),
    };
    let origins = with_origins.then(|| TensorInfo {
        dtype: safetensors::Dtype::U8,
        shape: vec![rows],
        data_offsets: (values, values + rows),
    });
    let mut tensors = vec![(EMBEDDINGS.to_string(), embeddings.clone())];
    tensors.extend(origins.clone().map(|o| (ORIGINS.to_string(), o)));
    // The crate's checks of offsets and sizes: they cannot fail for a matrix in
    // memory, and would catch a slip here.
    Metadata::new(None, tensors).map_err(|_| too_large())?;
    let mut json = serde_json::to_vec(&Header {
        metadata,
        embeddings: &embeddings,
        origins: origins.as_ref(),
    })
    .expect("a header of strings and numbers serialises");
    json.resize(json.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + json.len());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    Ok(out)
}

/// [`write_safetensors`] without the checks (callers have made them).
pub(crate) fn write_body<W: Write>(
    w: &mut W,
    matrix: ArrayView2<'_, f32>,
    origins: Option<&[RowOrigin]>,
    dtype: Dtype,
    metadata: &BTreeMap<String, String>,
) -> Result<()> {
    let io = |e| Error::io(Path::new(""), IoAction::Write, e);
    let metadata = full_metadata(metadata, origins, dtype);
    let (rows, dims) = matrix.dim();
    w.write_all(&header(rows, dims, dtype, origins.is_some(), &metadata)?)
        .map_err(io)?;
    write_values(w, dtype, matrix).map_err(io)?;
    if let Some(origins) = origins {
        w.write_all(&origin::codes(origins)).map_err(io)?;
    }
    Ok(())
}

/// Checks the origins against the matrix.
pub(crate) fn check_origins(rows: usize, origins: Option<&[RowOrigin]>) -> Result<()> {
    match origins {
        Some(o) if o.len() != rows => Err(Error::Shape {
            what: "matrix and row origins",
            expected: Dims::count(rows, "origins (one per matrix row)"),
            found: Dims::count(o.len(), "origins"),
        }),
        _ => Ok(()),
    }
}

/// Writes a `.safetensors` table: `matrix` as the tensor `embeddings` `[rows, dims]`
/// in `dtype`, the `origins` (if given) as the `u8` tensor `origins` `[rows]` (codes
/// in the [`origin`](crate::origin) module), and `metadata` with the writer's own
/// keys.
///
/// The file is the safetensors format: 8 bytes of little-endian header length, the
/// JSON header padded with spaces to a multiple of 8 bytes, then the tensors'
/// little-endian, row-major bytes, `embeddings` first (aligned for its type in a
/// mapped file), then `origins`. The header's keys come in a fixed order, so the
/// same table always gives the same bytes. Its `__metadata__` (strings, as the
/// format requires) holds the caller's `metadata` and the writer's own keys, which
/// win over the caller's:
///
/// | key | value |
/// | --- | --- |
/// | `producer` | `pretrained-vectors` and its version |
/// | `dtype` | `f32`, `f16` or `bf16` ([`Dtype::name`]) |
/// | `origin_codes` | the code table of `origins`, [`RowOrigin::codes_json`] (with origins only) |
/// | `padding_row`, `oov_row`, `unused_rows` | those reserved rows, separated by commas (with origins only, when the table has them) |
///
/// A table saved by [`add_outputs`](super::add_outputs) also has `tokens_file`, the
/// name of its token list, and from the CLI `vocabulary`, where the vocabulary came
/// from.
///
/// ```
/// use pretrained_vectors::ndarray::array;
/// use std::collections::BTreeMap;
/// use pretrained_vectors::write::{write_safetensors, Dtype};
/// use pretrained_vectors::RowOrigin;
/// let m = array![[0.0f32, 0.0], [0.5, -1.0]];
/// let mut out = Vec::new();
/// let origins = [RowOrigin::Padding, RowOrigin::Exact];
/// write_safetensors(&mut out, m.view(), Some(&origins), Dtype::F16, &BTreeMap::new())?;
///
/// let st = safetensors::SafeTensors::deserialize(&out)?;
/// let e = st.tensor("embeddings")?;
/// assert_eq!((e.dtype(), e.shape()), (safetensors::Dtype::F16, &[2, 2][..]));
/// assert_eq!(st.tensor("origins")?.data(), &[3, 0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Before writing anything: [`Error::Shape`] when the origins and rows differ in
/// number; [`Error::OutOfRangeOutput`] for a finite value beyond `dtype`'s range.
/// Then [`Error::Io`] (with an empty path) when `w` fails.
pub fn write_safetensors<W: Write>(
    w: &mut W,
    matrix: ArrayView2<'_, f32>,
    origins: Option<&[RowOrigin]>,
    dtype: Dtype,
    metadata: &BTreeMap<String, String>,
) -> Result<()> {
    check_origins(matrix.nrows(), origins)?;
    check_range::<&str>(dtype, &[], matrix)?;
    write_body(w, matrix, origins, dtype, metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::SafeTensors;

    #[test]
    fn header_is_padded_aligned_and_deterministic() {
        let m = ndarray::array![[1.0f32, 2.0, 3.0]];
        let mut meta = BTreeMap::new();
        meta.insert("z".to_string(), "last".to_string());
        meta.insert("a".to_string(), "first".to_string());
        let write = || {
            let mut out = Vec::new();
            write_safetensors(
                &mut out,
                m.view(),
                Some(&[RowOrigin::Exact]),
                Dtype::F32,
                &meta,
            )
            .unwrap();
            out
        };
        let a = write();
        assert_eq!(a, write());
        let n = u64::from_le_bytes(a[..8].try_into().unwrap()) as usize;
        assert_eq!(n % 8, 0);
        assert_eq!(a.len(), 8 + n + 12 + 1);
        let text = std::str::from_utf8(&a[8..8 + n]).unwrap();
        assert!(text.starts_with(r#"{"__metadata__":{"a":"first","dtype":"f32""#));
        let st = SafeTensors::deserialize(&a).unwrap();
        assert_eq!(st.names().len(), 2);
        assert_eq!(st.tensor("origins").unwrap().data(), &[0]);
    }

    #[test]
    fn reserved_rows_and_codes_are_in_the_metadata() {
        let m = ndarray::Array2::<f32>::zeros((3, 2));
        let origins = [RowOrigin::Padding, RowOrigin::Oov, RowOrigin::Missing];
        let mut out = Vec::new();
        write_safetensors(
            &mut out,
            m.view(),
            Some(&origins),
            Dtype::Bf16,
            &BTreeMap::new(),
        )
        .unwrap();
        let (_, meta) = SafeTensors::read_metadata(&out).unwrap();
        let meta = meta.metadata().clone().unwrap();
        assert_eq!(meta["padding_row"], "0");
        assert_eq!(meta["oov_row"], "1");
        assert_eq!(meta["dtype"], "bf16");
        assert_eq!(meta["origin_codes"], RowOrigin::codes_json());
    }

    #[test]
    fn without_origins_only_embeddings() {
        let m = ndarray::Array2::<f32>::zeros((0, 4));
        let mut out = Vec::new();
        write_safetensors(&mut out, m.view(), None, Dtype::F32, &BTreeMap::new()).unwrap();
        let st = SafeTensors::deserialize(&out).unwrap();
        assert_eq!(st.names(), ["embeddings"]);
        assert_eq!(st.tensor("embeddings").unwrap().shape(), [0, 4]);
        let (_, meta) = SafeTensors::read_metadata(&out).unwrap();
        assert!(!meta
            .metadata()
            .as_ref()
            .unwrap()
            .contains_key("origin_codes"));
    }

    #[test]
    fn bad_shapes_and_ranges_write_nothing() {
        let m = ndarray::array![[1.0f32], [1e5]];
        let mut out = Vec::new();
        let e = write_safetensors(
            &mut out,
            m.view(),
            Some(&[RowOrigin::Exact]),
            Dtype::F32,
            &BTreeMap::new(),
        );
        assert!(matches!(e, Err(Error::Shape { .. })));
        let e = write_safetensors(&mut out, m.view(), None, Dtype::F16, &BTreeMap::new());
        assert!(matches!(
            e,
            Err(Error::OutOfRangeOutput {
                row: 1,
                column: 0,
                word: None,
                ..
            })
        ));
        assert!(out.is_empty());
    }
}
