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
