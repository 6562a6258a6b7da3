//! Saving tables and reading them back: npy reopened in place (and its header
//! checked independently of our parser), and exact round trips through the GloVe
//! and word2vec exports.

mod common;

use common::*;
use pretrained_vectors::table::SavedTable;
use pretrained_vectors::vocab::{VocabKind, VocabOptions};
use pretrained_vectors::write::SaveOptions;
use pretrained_vectors::{Aligner, EmbeddingTable, Error, Vocab};

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
    // Origins that do not fit the table are refused, not ignored.
    std::fs::write(&origins, &recorded[..recorded.len() - 1]).unwrap();
    let e = SavedTable::read(&path, &VocabOptions::new()).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Shape {
                what: "row origins",
                ..
            }
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
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    // Existing outputs are refused without force, and kept intact.
    let before = std::fs::read(&path).unwrap();
    let e = table.save(&path, &SaveOptions::new()).unwrap_err();
    assert!(matches!(e, Error::OutputExists { .. }), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
