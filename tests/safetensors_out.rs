//! Our `.safetensors` tables read back with the `safetensors` crate as candle
//! (`VarBuilder::from_mmaped_safetensors`) and burn (`SafetensorsFileRecorder`) read
//! them: the file mapped, `SafeTensors::deserialize`, a tensor by name, its dtype
//! and shape, its bytes decoded little-endian in row-major order.

mod common;

use std::path::Path;
use std::process::Command;

use pretrained_vectors::write::{Dtype, SaveOptions};
use pretrained_vectors::{Aligner, EmbeddingTable, RowOrigin, Vocab};
use safetensors::SafeTensors;

/// A real table: the bundled GloVe subset aligned to the Keras tokenizer fixture.
fn real_table() -> EmbeddingTable {
    let tok = pretrained_vectors::vocab::KerasTokenizer::from_bytes(
        Path::new("tokenizer_oov.json"),
        &std::fs::read(common::fixture("keras/tokenizer_oov.json")).unwrap(),
    )
    .unwrap();
    let vocab = tok.vocab("<pad>").unwrap();
    Aligner::new()
        .align(common::fixture("glove.6B.50d.20k.txt.gz"), vocab)
        .unwrap()
        .table
}

/// Decodes a tensor's bytes as candle's and burn's loaders do: little-endian
/// values of the tensor's dtype, row-major.
fn decode(dtype: safetensors::Dtype, data: &[u8]) -> Vec<f32> {
    match dtype {
        safetensors::Dtype::F32 => data
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect(),
        safetensors::Dtype::F16 => data
            .chunks_exact(2)
            .map(|c| half::f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        safetensors::Dtype::BF16 => data
            .chunks_exact(2)
            .map(|c| half::bf16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect(),
        other => panic!("unexpected dtype {other:?}"),
    }
}

/// The two representable neighbours of `x` in `dtype` nearest to it, found by
/// walking the 16-bit patterns (independent of the writer's rounding code).
fn is_nearest(dtype: Dtype, x: f32, got: f32) -> bool {
    let to = |bits: u16| match dtype {
        Dtype::F16 => half::f16::from_bits(bits).to_f32(),
        Dtype::Bf16 => half::bf16::from_bits(bits).to_f32(),
        Dtype::F32 => unreachable!(),
    };
    let err = (f64::from(got) - f64::from(x)).abs();
    // No finite 16-bit value may be strictly closer than the one written.
    (0..=u16::MAX)
        .map(to)
        .filter(|v| v.is_finite())
        .all(|v| (f64::from(v) - f64::from(x)).abs() >= err)
}

#[test]
fn candle_and_burn_style_reads_give_dtype_shape_and_row_major_values() {
    let table = real_table();
    let dir = tempfile::tempdir().unwrap();
    for dtype in [Dtype::F32, Dtype::F16, Dtype::Bf16] {
        let path = dir
            .path()
            .join(format!("table.{}.safetensors", dtype.name()));
        let written = table
            .save(
                &path,
                &SaveOptions::new()
                    .dtype(dtype)
                    .metadata("vocabulary", "keras"),
            )
            .unwrap();
        assert_eq!(written.len(), 2, "{written:?}"); // the table and its token list
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: the file is ours, in a private temporary folder, not changed while mapped.
        let map = unsafe { memmap2::Mmap::map(&file).unwrap() };
        let st = SafeTensors::deserialize(&map).unwrap();

        let e = st.tensor("embeddings").unwrap();
        let want_dtype = match dtype {
            Dtype::F32 => safetensors::Dtype::F32,
            Dtype::F16 => safetensors::Dtype::F16,
            Dtype::Bf16 => safetensors::Dtype::BF16,
        };
        assert_eq!(e.dtype(), want_dtype);
        assert_eq!(e.shape(), [table.rows(), table.dims()]);
        // Aligned for its type in the map (candle views F32 data in place).
        assert_eq!(e.data().as_ptr() as usize % dtype.size(), 0);
        let values = decode(e.dtype(), e.data());
        for ((r, c), &x) in table.weights().indexed_iter() {
            let got = values[r * table.dims() + c];
            if dtype == Dtype::F32 {
                assert_eq!(got.to_bits(), x.to_bits(), "[{r}, {c}]");
            } else if r < 3 && c < 5 {
                // The exhaustive check of nearest-ness is slow: a corner of the table.
                assert!(is_nearest(dtype, x, got), "[{r}, {c}] {x} -> {got}");
            } else {
                let rel = if dtype == Dtype::F16 {
                    2f32.powi(-11)
                } else {
                    2f32.powi(-8)
                };
                assert!(
                    (got - x).abs() <= x.abs() * rel + 1e-7,
                    "[{r}, {c}] {x} -> {got}"
                );
            }
        }

        let o = st.tensor("origins").unwrap();
        assert_eq!(o.dtype(), safetensors::Dtype::U8);
        assert_eq!(o.shape(), [table.rows()]);
        let origins: Vec<RowOrigin> = o
            .data()
            .iter()
            .map(|&c| RowOrigin::from_code(c).unwrap())
            .collect();
        assert_eq!(origins, table.origins());

        let (_, meta) = SafeTensors::read_metadata(&map).unwrap();
        let meta = meta.metadata().clone().unwrap();
        assert_eq!(meta["vocabulary"], "keras");
        assert_eq!(meta["padding_row"], "0");
        assert_eq!(meta["oov_row"], "1");
        assert_eq!(meta["dtype"], dtype.name());
        assert_eq!(
            meta["tokens_file"],
            "table.vocab.txt".replace("table", &format!("table.{}", dtype.name()))
        );
        let tokens = std::fs::read_to_string(dir.path().join(&meta["tokens_file"])).unwrap();
        assert_eq!(tokens.lines().collect::<Vec<_>>(), table.vocab().tokens());
    }
}

#[test]
fn npy_tables_get_their_origins_beside_them_and_f16_values() {
    let vocab = Vocab::new(vec!["<pad>".into(), "a".into(), "b".into()])
        .unwrap()
        .padding(0)
        .unwrap();
    let m = ndarray::array![[0.0f32, 0.0], [0.1, -2.0], [65504.0, 1e-8]];
    let origins = vec![RowOrigin::Padding, RowOrigin::Exact, RowOrigin::Missing];
    let table = EmbeddingTable::new(m, vocab, origins).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.npy");
    let written = table
        .save(&path, &SaveOptions::new().dtype(Dtype::F16))
        .unwrap();
    assert_eq!(written.len(), 3, "{written:?}");
    let bytes = std::fs::read(&path).unwrap();
    let header = std::str::from_utf8(&bytes[10..128]).unwrap();
    assert!(header.starts_with("{'descr': '<f2', 'fortran_order': False, 'shape': (3, 2), }"));
    let values: Vec<u16> = bytes[128..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    // 0.1 -> 0x2e66, -2 -> 0xc000, 65504 -> 0x7bff, 1e-8 -> the subnormal 0x0000
    // (the nearest f16 to 1e-8 is 0: the smallest subnormal is 6e-8).
    assert_eq!(values, [0, 0, 0x2e66, 0xc000, 0x7bff, 0x0000]);
    let o = std::fs::read(dir.path().join("t.origins.npy")).unwrap();
    let data = 10 + usize::from(u16::from_le_bytes([o[8], o[9]]));
    assert_eq!(data % 64, 0);
    let header = std::str::from_utf8(&o[10..data]).unwrap();
    assert!(header.starts_with("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"));
    assert_eq!(&o[data..], [3, 0, 2]);
}

#[test]
fn out_of_range_and_unholdable_dtypes_write_nothing() {
    let vocab = Vocab::new(vec!["big".into()]).unwrap();
    let table =
        EmbeddingTable::new(ndarray::array![[1e5f32]], vocab, vec![RowOrigin::Exact]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let e = table
        .save(
            dir.path().join("t.safetensors"),
            &SaveOptions::new().dtype(Dtype::F16),
        )
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("t.safetensors: cannot write matrix[0, 0] = 1e5 (word \"big\") as f16"),
        "{msg}"
    );
    let e = table
        .save(
            dir.path().join("t.npy"),
            &SaveOptions::new().dtype(Dtype::Bf16),
        )
        .unwrap_err();
    assert!(e.to_string().contains("NumPy has no bf16 type"), "{e}");
    let e = table
        .save(
            dir.path().join("t.vec"),
            &SaveOptions::new().dtype(Dtype::F16),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("vec files hold f32 values only"),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// The CLI: `-o x.safetensors --dtype bf16` and the usage errors of `--dtype`.
#[test]
fn cli_writes_safetensors_and_refuses_dtypes_a_format_cannot_hold() {
    let bin = env!("CARGO_BIN_EXE_glove-to-table");
    let dir = tempfile::tempdir().unwrap();
    let glove = common::fixture("glove.6B.50d.20k.txt.gz");
    let tok = common::fixture("keras/tokenizer_oov.json");
    let run = |out: &Path, dtype: &str| {
        Command::new(bin)
            .arg(&glove)
            .arg("--vocab")
            .arg(&tok)
            .arg("-o")
            .arg(out)
            .args(["--dtype", dtype, "-q"])
            .output()
            .unwrap()
    };
    let out = dir.path().join("t.safetensors");
    let r = run(&out, "bf16");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let bytes = std::fs::read(&out).unwrap();
    let st = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(
        st.tensor("embeddings").unwrap().dtype(),
        safetensors::Dtype::BF16
    );
    let (_, meta) = SafeTensors::read_metadata(&bytes).unwrap();
    let meta = meta.metadata().clone().unwrap();
    assert!(
        meta["vocabulary"].starts_with("Keras tokenizer "),
        "{meta:?}"
    );
    assert!(dir.path().join("t.vocab.txt").exists());

    for (name, dtype, says) in [
        ("u.npy", "bf16", "--dtype bf16: NumPy has no such type"),
        (
            "u.vec",
            "f16",
            "--dtype f16 applies to .npy and .safetensors outputs",
        ),
        ("u.npy", "f8", "expected f32, f16 or bf16"),
    ] {
        let r = run(&dir.path().join(name), dtype);
        assert_eq!(r.status.code(), Some(2), "{name} {dtype}");
        let err = String::from_utf8_lossy(&r.stderr);
        assert!(err.contains(says), "{name} {dtype}: {err}");
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["t.safetensors", "t.vocab.txt"]);
}
