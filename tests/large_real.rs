//! The full real GloVe 6B 50d set (400,000 words) in every format against the
//! float32 matrix that `../shared/data/make-glove-6b-50d.sh` writes independently
//! (numpy, from the original vectors), bit for bit.
//!
//! The data is large and not committed: build it with
//! `bash ../shared/data/make-glove-6b-50d.sh target/bench-data` (`.ci/run` does),
//! or point `PV_BENCH_DATA` at such a folder. Without it these tests say so loudly
//! and pass, except under `CI=true` (which `.ci/run` sets), where they fail.

use std::path::{Path, PathBuf};

use pretrained_vectors::{npy, Aligner, Format, ReadOptions, Vocab};

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("PV_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    if dir.join("glove.6B.50d.c.npy").exists() {
        Some(dir)
    } else {
        let msg = format!(
            "no real GloVe 6B 50d set in {} (build it with `bash ../shared/data/make-glove-6b-50d.sh \
             target/bench-data` or set PV_BENCH_DATA; see tests/large_real.rs)",
            dir.display()
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true: {msg}");
        }
        eprintln!("\n*** SKIPPED: {msg} ***\n");
        None
    }
}

/// The script's matrix and words, written by numpy from the original vectors.
fn reference(dir: &Path) -> (ndarray::Array2<f32>, Vec<String>) {
    let matrix = npy::read(dir.join("glove.6B.50d.c.npy")).unwrap();
    let words: Vec<String> = std::fs::read_to_string(dir.join("glove.6B.50d.vocab.txt"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(matrix.shape(), &[400_000, 50]);
    assert_eq!(words.len(), 400_000);
    (matrix, words)
}

#[test]
fn every_format_equals_the_reference_matrix() {
    let Some(dir) = data_dir() else { return };
    let (want, words) = reference(&dir);
    for (name, format) in [
        ("glove.6B.50d.txt", Format::Glove),
        ("glove.6B.50d.txt.gz", Format::Glove),
        ("glove.6B.50d.w2v.txt", Format::Word2vecText),
        ("glove.6B.50d.w2v.bin", Format::Word2vecBinary),
    ] {
        let v = ReadOptions::new().threads(2).read(dir.join(name)).unwrap();
        assert_eq!(v.info().format, Some(format), "{name}");
        assert_eq!(v.words(), &words[..], "{name}");
        let same = v
            .matrix()
            .iter()
            .zip(want.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "{name}: values differ from the reference");
        assert!(v.info().duplicates.is_empty(), "{name}");
    }
}

#[test]
fn benchmark_vocabulary_aligns_exactly() {
    let Some(dir) = data_dir() else { return };
    let (want, words) = reference(&dir);
    let row_of: std::collections::HashMap<&str, usize> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.as_str(), i))
        .collect();
    let tokens: Vec<String> = std::fs::read_to_string(dir.join("vocab20k.txt"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    for name in [
        "glove.6B.50d.txt",
        "glove.6B.50d.txt.gz",
        "glove.6B.50d.w2v.bin",
    ] {
        let a = Aligner::new()
            .align(dir.join(name), Vocab::new(tokens.clone()).unwrap())
            .unwrap();
        assert_eq!(
            (a.report.found_exact, a.report.missing),
            (18_000, 2_000),
            "{name}"
        );
        for (r, tok) in tokens.iter().enumerate() {
            if let Some(&i) = row_of.get(tok.as_str()) {
                assert_eq!(a.table.weights().row(r), want.row(i), "{name}: {tok}");
            }
        }
    }
}

#[test]
fn max_rows_reads_the_first_rows_of_every_format() {
    let Some(dir) = data_dir() else { return };
    let (want, words) = reference(&dir);
    for name in [
        "glove.6B.50d.txt",
        "glove.6B.50d.txt.gz",
        "glove.6B.50d.w2v.txt",
        "glove.6B.50d.w2v.bin",
    ] {
        let v = ReadOptions::new()
            .max_rows(123_457)
            .read(dir.join(name))
            .unwrap();
        assert_eq!(v.words(), &words[..123_457], "{name}");
        assert_eq!(v.matrix(), want.slice(ndarray::s![..123_457, ..]), "{name}");
    }
}
