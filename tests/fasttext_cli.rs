//! `glove-to-table` on native fastText models: conversion of every word (labels
//! excluded) exactly, subword rows in the summary and the report, `--no-subwords`,
//! and a broken model's exit code and message.
#![cfg(feature = "cli")]

mod common;

use common::{fixture, run, stderr};
use pretrained_vectors::{npy, FastTextModel};

#[test]
fn a_model_converts_to_every_word_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.npy");
    let model = fixture("fasttext/sup.ftz");
    let o = run(&[&model, &"-o", &out]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let m = FastTextModel::read(&model).unwrap();
    let table = npy::read(&out).unwrap();
    assert_eq!(table.nrows(), m.word_count());
    let words = std::fs::read_to_string(dir.path().join("t.vocab.txt")).unwrap();
    for (i, w) in words.lines().enumerate() {
        assert!(!w.starts_with("__label__"));
        assert_eq!(table.row(i), m.word_vector(w), "{w}");
    }
    assert!(stderr(&o).contains("fasttext-ftz"), "{}", stderr(&o));
}

/// A gzip-compressed model (as models are often downloaded: `cc.en.300.bin.gz`)
/// converts to the same table as the model itself, subword rows included.
#[test]
fn a_gzip_compressed_model_gives_the_same_table() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let model = fixture("fasttext/skipgram.bin");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&std::fs::read(&model).unwrap()).unwrap();
    let zipped = dir.path().join("skipgram.bin.gz");
    std::fs::write(&zipped, e.finish().unwrap()).unwrap();
    let vocab = dir.path().join("vocab.txt");
    std::fs::write(&vocab, "function\nfucntion\nmodul\n").unwrap();
    for extra in [&[][..], &["--vocab", vocab.to_str().unwrap()][..]] {
        let (plain, gz) = (dir.path().join("plain.npy"), dir.path().join("gz.npy"));
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&model, &"-o", &plain, &"--force"];
        args.extend(extra.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&zipped, &"-o", &gz, &"--force"];
        args.extend(extra.iter().map(|a| a as &dyn AsRef<std::ffi::OsStr>));
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(std::fs::read(&plain).unwrap(), std::fs::read(&gz).unwrap());
        assert_eq!(
            std::fs::read(dir.path().join("plain.vocab.txt")).unwrap(),
            std::fs::read(dir.path().join("gz.vocab.txt")).unwrap()
        );
    }
}

#[test]
fn subword_rows_are_counted_and_can_be_turned_off() {
    let dir = tempfile::tempdir().unwrap();
    let vocab = dir.path().join("vocab.txt");
    std::fs::write(&vocab, "<pad>\nfunction\nfucntion\nmodul\n").unwrap();
    let (out, report) = (dir.path().join("t.npy"), dir.path().join("r.json"));
    let model = fixture("fasttext/skipgram.bin");
    let o = run(&[
        &model,
        &"--vocab",
        &vocab,
        &"--pad-token",
        &"<pad>",
        &"-o",
        &out,
        &"--report",
        &report,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 subword"), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(
        (r["subword"].as_u64(), r["missing"].as_u64()),
        (Some(2), Some(0))
    );
    let o = run(&[
        &model,
        &"--vocab",
        &vocab,
        &"--pad-token",
        &"<pad>",
        &"-o",
        &out,
        &"--report",
        &report,
        &"--force",
        &"--no-subwords",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(
        (r["subword"].as_u64(), r["missing"].as_u64()),
        (Some(0), Some(2))
    );
}

#[test]
fn a_broken_model_fails_with_its_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(fixture("fasttext/cbow.bin")).unwrap();
    bytes.truncate(bytes.len() - 3);
    let broken = dir.path().join("broken.bin");
    std::fs::write(&broken, &bytes).unwrap();
    let o = run(&[&broken, &"-o", &dir.path().join("t.npy")]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("fastText model cut short at byte") && e.contains("output matrix"),
        "{e}"
    );
    assert!(!dir.path().join("t.npy").exists());
}

#[test]
fn continuation_pieces_are_subword_rows_of_their_kind_in_summary_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let (out, report) = (dir.path().join("t.npy"), dir.path().join("r.json"));
    let model = fixture("fasttext/cbow.bin");
    let vocab = fixture("hf/wordpiece.tokenizer.json");
    let o = run(&[
        &model,
        &"--vocab",
        &vocab,
        &"-o",
        &out,
        &"--report",
        &report,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let c = r["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "continuation")
        .unwrap();
    let (found, subword) = (c["found"].as_u64().unwrap(), c["subword"].as_u64().unwrap());
    // cbow.bin has one-character n-grams: every `##` piece has rows.
    assert_eq!(found + subword, c["rows"].as_u64().unwrap(), "{c}");
    assert!(subword > 0, "{c}");
    let summary = stderr(&o);
    assert!(
        summary.contains(&format!(
            "continuation {found}/{} (+{subword} subword)",
            c["rows"]
        )),
        "{summary}"
    );
}
