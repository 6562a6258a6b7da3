//! Saving tables and reading them back: npy reopened in place (and its header
//! checked independently of our parser), and exact round trips through the GloVe
//! and word2vec exports.

mod common;

use common::*;
use pretrained_vectors::ndarray;
use pretrained_vectors::table::SavedTable;
use pretrained_vectors::vocab::{VocabKind, VocabOptions};
use pretrained_vectors::write::Dtype;
use pretrained_vectors::write::SaveOptions;
use pretrained_vectors::{
    Aligner, EmbeddingTable, Error, RowOrigin, ShapeFault, TableTensor, Vocab,
};

fn aligned_table() -> EmbeddingTable {
    let v = pretrained_vectors::read(fixture("glove.6B.50d.20k.txt.gz")).unwrap();
    let mut toks = vec!["<pad>".to_string(), "<unk>".to_string()];
    toks.extend(v.words().iter().step_by(41).cloned());
    toks.extend(["Paris", "zzqxjv", "naïveté-ish"].map(String::from));
    let vocab = Vocab::new(toks)
        .unwrap()
        .padding(0)
        .unwrap()
        .oov(1)
        .unwrap();
    Aligner::new()
        .seed(5)
        .align(fixture("glove.6B.50d.20k.txt.gz"), vocab)
        .unwrap()
        .table
}

/// The table's values as little-endian `f32` bytes, row after row: a safetensors
/// `F32` tensor's data, as another writer would make it.
fn f32_bytes(table: &EmbeddingTable) -> Vec<u8> {
    table
        .weights()
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect()
}

#[test]
fn npy_reopens_in_place_with_its_sidecar() {
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("table.npy");
    let written = table.save(&path, &SaveOptions::new()).unwrap();
    assert_eq!(
        written,
        vec![
            path.clone(),
            dir.path().join("table.origins.npy"),
            dir.path().join("table.vocab.txt")
        ]
    );
    let opts = VocabOptions::new().padding("<pad>").oov("<unk>");
    let saved = SavedTable::read(&path, &opts).unwrap();
    assert!(saved.is_zero_copy());
    assert_eq!(saved.weights(), table.weights());
    assert_eq!(saved.vocab().tokens(), table.vocab().tokens());
    assert_eq!(
        (saved.vocab().get_padding(), saved.vocab().get_oov()),
        (Some(0), Some(1))
    );
    assert_eq!(
        saved.vector("Paris").unwrap(),
        table.vector("Paris").unwrap()
    );
}

/// The row origins beside a saved table record its reserved rows: it reads back
/// with them without naming them; a table without origins (an older file) still
/// reads with the names given.
#[test]
fn saved_tables_read_back_their_reserved_rows() {
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("table.npy");
    table.save(&path, &SaveOptions::new()).unwrap();
    let saved = SavedTable::read(&path, &VocabOptions::new()).unwrap();
    // The same rows, read from a token list.
    let listed = table.vocab().clone().kind(VocabKind::TokenList);
    assert_eq!(saved.vocab(), &listed);
    assert_eq!(
        (saved.vocab().get_padding(), saved.vocab().get_oov()),
        (Some(0), Some(1))
    );
    let origins = dir.path().join("table.origins.npy");
    let recorded = std::fs::read(&origins).unwrap();
    std::fs::remove_file(&origins).unwrap();
    let old = SavedTable::read(&path, &VocabOptions::new()).unwrap();
    assert_eq!(
        (old.vocab().get_padding(), old.vocab().get_oov()),
        (None, None)
    );
    let named = VocabOptions::new().padding("<pad>").oov("<unk>");
    let old = SavedTable::read(&path, &named).unwrap();
    assert_eq!(old.vocab(), &listed);
    // Origins that do not fit the table are refused, not ignored: a file cut short,
    // and a whole file of one row less.
    std::fs::write(&origins, &recorded[..recorded.len() - 1]).unwrap();
    let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
    assert!(matches!(e, Error::Npy { .. }), "{e}");
    let codes: Vec<RowOrigin> = table.origins()[1..].to_vec();
    let short = EmbeddingTable::new(
        table.weights().slice(ndarray::s![1.., ..]).to_owned(),
        Vocab::new(table.vocab().tokens()[1..].to_vec()).unwrap(),
        codes,
    )
    .unwrap();
    let other = dir.path().join("other.npy");
    short.save(&other, &SaveOptions::new()).unwrap();
    std::fs::copy(dir.path().join("other.origins.npy"), &origins).unwrap();
    let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::ShapeFault {
                what: "row origins",
                ref fault,
            } if matches!(**fault, ShapeFault::OriginRows { .. })
        ),
        "{e}"
    );
    let mut unknown = recorded.clone();
    *unknown.last_mut().unwrap() = 200;
    std::fs::write(&origins, &unknown).unwrap();
    let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
    assert!(e.to_string().contains("code 200 at row"), "{e}");
}

#[test]
fn npy_header_checked_by_hand() {
    // Independent of src/npy: the NEP 1 layout, read byte by byte.
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.npy");
    table.save(&path, &SaveOptions::new()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
    assert_eq!((bytes[6], bytes[7]), (1, 0));
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
    assert!(header.contains("'descr': '<f4'"), "{header}");
    assert!(header.contains("'fortran_order': False"), "{header}");
    assert!(
        header.contains(&format!("'shape': ({}, 50)", table.rows())),
        "{header}"
    );
    assert!(header.ends_with('\n'));
    let data = 10 + hlen;
    assert_eq!(data % 64, 0);
    assert_eq!(bytes.len(), data + table.rows() * 50 * 4);
    let first = f32::from_le_bytes(
        bytes[data + 2 * 200..data + 2 * 200 + 4]
            .try_into()
            .unwrap(),
    );
    assert_eq!(first, table.weights()[[2, 0]]);
}

#[test]
fn every_export_reads_back_exactly() {
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    for name in ["t.txt", "t.vec", "t.bin"] {
        let path = dir.path().join(name);
        table.save(&path, &SaveOptions::new()).unwrap();
        let back = pretrained_vectors::read(&path).unwrap();
        assert_eq!(back.words(), table.vocab().tokens(), "{name}");
        let same_bits = back
            .matrix()
            .iter()
            .zip(table.weights().iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same_bits, "{name}");
    }
}

#[test]
fn sidecar_must_match_the_table() {
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.npy");
    table.save(&path, &SaveOptions::new()).unwrap();
    std::fs::write(dir.path().join("t.vocab.txt"), "a\nb\n").unwrap();
    let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
    assert!(
        matches!(&e, Error::ShapeFault { fault, .. }
            if matches!(**fault, ShapeFault::TableRows { tokens: 2, .. })),
        "{e}"
    );
    assert_eq!(e.path(), Some(path.as_path()));
    // Existing outputs are refused without force, and kept intact.
    let before = std::fs::read(&path).unwrap();
    let e = table.save(&path, &SaveOptions::new()).unwrap_err();
    assert!(matches!(e, Error::OutputExists { .. }), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

/// Every table format that keeps its origins reads back whole, with no names
/// repeated: npy in f32 and f16, safetensors in f32, f16 and bf16. The values are
/// the table's, rounded as the dtype rounds (half's conversions, the writer's own
/// rule); the reserved rows and origins are the table's.
#[test]
fn saved_tables_read_back_in_every_dtype() {
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    let round = |dtype: Dtype, x: f32| match dtype {
        Dtype::F32 => x,
        Dtype::F16 => half::f16::from_f32(x).to_f32(),
        _ => half::bf16::from_f32(x).to_f32(),
    };
    let listed = table.vocab().clone().kind(VocabKind::TokenList);
    for (name, dtype, in_place) in [
        ("n32.npy", Dtype::F32, true),
        ("n16.npy", Dtype::F16, false),
        ("s32.safetensors", Dtype::F32, true),
        ("s16.safetensors", Dtype::F16, false),
        ("sb16.safetensors", Dtype::Bf16, false),
    ] {
        let path = dir.path().join(name);
        table.save(&path, &SaveOptions::new().dtype(dtype)).unwrap();
        let saved = SavedTable::read(&path, &VocabOptions::new()).unwrap();
        assert_eq!(saved.is_zero_copy(), in_place, "{name}");
        assert_eq!(saved.vocab(), &listed, "{name}");
        assert_eq!(saved.origins(), Some(table.origins()), "{name}");
        assert_eq!(saved.weights().dim(), table.weights().dim(), "{name}");
        let same = saved
            .weights()
            .iter()
            .zip(table.weights().iter())
            .all(|(&got, &x)| got.to_bits() == round(dtype, x).to_bits());
        assert!(same, "{name}");
        assert_eq!(
            saved.vector("Paris").unwrap(),
            saved.weights().row(table.vocab().get("Paris").unwrap())
        );
    }
}

/// A Keras table saved by NumPy (`fixtures/npy/make_fixtures.py`): `float16`
/// values, origins as a plain list of ints (`int64`). It reads as NumPy's own
/// `astype(np.float32)` of the values, with its reserved rows.
#[test]
fn a_numpy_saved_f16_table_with_int64_origins() {
    let path = fixture("npy/keras_table.npy");
    let saved = SavedTable::read(&path, &VocabOptions::new()).unwrap();
    let want = pretrained_vectors::npy::read(fixture("npy/keras_table.as_f32.npy")).unwrap();
    let bits = |m: ndarray::ArrayView2<'_, f32>| m.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(saved.weights()), bits(want.view()));
    assert_eq!(
        (saved.vocab().get_padding(), saved.vocab().get_oov()),
        (Some(0), Some(1))
    );
    let origins = saved.origins().unwrap();
    assert_eq!(origins.len(), saved.vocab().len());
    assert_eq!(origins.last(), Some(&RowOrigin::Missing));
    assert!(origins[2..origins.len() - 1]
        .iter()
        .all(|&o| o == RowOrigin::Exact));
}

/// A safetensors table written by another tool (here the `safetensors` crate
/// itself): `int64` origins, and a file that is not a table at all.
#[test]
fn safetensors_from_other_writers() {
    use safetensors::{serialize, tensor::TensorView, Dtype as St};
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    let (rows, dims) = table.weights().dim();
    let values = f32_bytes(&table);
    let codes: Vec<u8> = table
        .origins()
        .iter()
        .flat_map(|o| i64::from(o.code()).to_le_bytes())
        .collect();
    let tensors = [
        (
            "embeddings",
            TensorView::new(St::F32, vec![rows, dims], &values).unwrap(),
        ),
        (
            "origins",
            TensorView::new(St::I64, vec![rows], &codes).unwrap(),
        ),
    ];
    let path = dir.path().join("other.safetensors");
    std::fs::write(&path, serialize(tensors, None).unwrap()).unwrap();
    let mut list = Vec::new();
    pretrained_vectors::write::write_token_list(&mut list, table.vocab().tokens()).unwrap();
    std::fs::write(dir.path().join("other.vocab.txt"), &list).unwrap();
    let saved = SavedTable::read(&path, &VocabOptions::new()).unwrap();
    assert_eq!(saved.weights(), table.weights());
    assert_eq!(saved.origins(), Some(table.origins()));
    assert_eq!(saved.vocab().get_oov(), Some(1));

    // Tensors under other names, and bytes that are no safetensors file.
    let wrong = [(
        "weights",
        TensorView::new(St::F32, vec![rows, dims], &values).unwrap(),
    )];
    std::fs::write(&path, serialize(wrong, None).unwrap()).unwrap();
    let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
    assert!(
        matches!(&e, Error::ShapeFault { fault, .. }
            if matches!(&**fault, ShapeFault::NoEmbeddings { tensors, .. } if tensors == &["weights"])),
        "{e}"
    );
    assert!(e.to_string().contains("weights"), "{e}");
    // Tensors of the wrong value type or shape: the fault names the tensor and what
    // it holds.
    let ints: Vec<u8> = vec![0; rows * dims * 4];
    let bad_layouts = [
        (
            St::I32,
            vec![rows, dims],
            St::I64,
            vec![rows],
            TableTensor::Embeddings,
        ),
        (
            St::F32,
            vec![rows * dims],
            St::I64,
            vec![rows],
            TableTensor::Embeddings,
        ),
        (
            St::F32,
            vec![rows, dims],
            St::F64,
            vec![rows],
            TableTensor::Origins,
        ),
        (
            St::F32,
            vec![rows, dims],
            St::I64,
            vec![rows, 1],
            TableTensor::Origins,
        ),
    ];
    for (e_dtype, e_shape, o_dtype, o_shape, want) in bad_layouts {
        let e_bytes = if e_dtype == St::F32 { &values } else { &ints };
        let tensors = [
            (
                "embeddings",
                TensorView::new(e_dtype, e_shape.clone(), e_bytes).unwrap(),
            ),
            (
                "origins",
                TensorView::new(o_dtype, o_shape.clone(), &codes).unwrap(),
            ),
        ];
        std::fs::write(&path, serialize(tensors, None).unwrap()).unwrap();
        let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
        let (dtype, shape) = match want {
            TableTensor::Embeddings => (e_dtype, e_shape),
            _ => (o_dtype, o_shape),
        };
        let Error::ShapeFault { fault, .. } = &e else {
            panic!("{want}: {e}")
        };
        assert_eq!(
            **fault,
            ShapeFault::TensorLayout {
                path: path.clone(),
                tensor: want,
                dtype,
                shape,
            },
            "{e}"
        );
    }
    std::fs::write(&path, b"the 0.1 0.2\n").unwrap();
    let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
    assert!(matches!(e, Error::Safetensors { .. }), "{e}");
    assert_eq!(e.path(), Some(path.as_path()));
}

/// A safetensors table records the name of its token list (`tokens_file`): saved
/// with the list under another name, it still reads back without naming it. The
/// conventional `TABLE.vocab.txt` wins when it exists, and a name that is not a
/// bare file name is never followed.
#[test]
fn safetensors_tables_find_their_token_list_by_its_recorded_name() {
    use safetensors::{serialize, tensor::TensorView, Dtype as St};
    let table = aligned_table();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("table.safetensors");
    let tokens = dir.path().join("tokens.txt");
    let written = table
        .save(&path, &SaveOptions::new().vocab_path(&tokens))
        .unwrap();
    assert!(written.contains(&tokens), "{written:?}");
    assert!(!dir.path().join("table.vocab.txt").exists());
    let saved = SavedTable::read(&path, &VocabOptions::new()).unwrap();
    assert_eq!(saved.vocab().tokens(), table.vocab().tokens());
    assert_eq!(saved.weights(), table.weights());

    // Another writer's file naming a list outside its folder: not followed, so the
    // missing conventional list is the error.
    let (rows, dims) = table.weights().dim();
    let values = f32_bytes(&table);
    let tensors = [(
        "embeddings",
        TensorView::new(St::F32, vec![rows, dims], &values).unwrap(),
    )];
    let meta =
        std::collections::HashMap::from([("tokens_file".to_string(), "../tokens.txt".to_string())]);
    let inner = dir.path().join("inner");
    std::fs::create_dir(&inner).unwrap();
    let other = inner.join("other.safetensors");
    std::fs::write(&other, serialize(tensors, Some(meta)).unwrap()).unwrap();
    let e = SavedTable::read(&other, &VocabOptions::new()).unwrap_err();
    assert!(
        matches!(&e, Error::Io { path, .. } if path == &inner.join("other.vocab.txt")),
        "{e}"
    );
}
