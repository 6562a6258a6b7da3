//! The aligner on the real GloVe subset: exact rows, the fallback, initialised and
//! reserved rows, determinism, and the report.

mod common;

use common::*;
use pretrained_vectors::{Aligner, MissingInit, OovInit, ReadOptions, RowOrigin, Vectors, Vocab};

const GLOVE: &str = "glove.6B.50d.20k.txt.gz";

fn glove() -> Vectors {
    pretrained_vectors::read(fixture(GLOVE)).unwrap()
}

fn vocab(tokens: &[&str]) -> Vocab {
    Vocab::new(tokens.iter().map(|t| t.to_string()).collect()).unwrap()
}

/// A vocabulary across frequency ranks of the real file, with made-up words,
/// a cased word and reserved rows.
fn mixed_tokens(v: &Vectors) -> Vec<String> {
    let mut t = vec!["<pad>".to_string(), "<unk>".to_string()];
    t.extend(v.words().iter().step_by(97).cloned());
    t.extend(["Paris", "KING", "zzqxjv", "blorptastic", "qwertyuiopz"].map(String::from));
    t
}

fn mixed_vocab(v: &Vectors) -> Vocab {
    Vocab::new(mixed_tokens(v))
        .unwrap()
        .padding(0)
        .unwrap()
        .oov(1)
        .unwrap()
}

#[test]
fn found_rows_equal_the_file_bit_for_bit() {
    let v = glove();
    let aligned = Aligner::new()
        .align(fixture(GLOVE), mixed_vocab(&v))
        .unwrap();
    let t = &aligned.table;
    for (r, tok) in t.vocab().tokens().iter().enumerate() {
        match t.origins()[r] {
            RowOrigin::Exact => assert_eq!(t.weights().row(r), v.get(tok).unwrap(), "{tok}"),
            RowOrigin::Fallback => {
                assert_eq!(
                    t.weights().row(r),
                    v.get(&tok.to_lowercase()).unwrap(),
                    "{tok}"
                )
            }
            _ => {}
        }
    }
    let r = &aligned.report;
    assert_eq!(r.found_exact, v.words().iter().step_by(97).count());
    assert_eq!((r.found_fallback, r.missing, r.reserved), (2, 3, 2));
    assert_eq!(r.vocab_size, t.rows());
    assert_eq!(r.file_rows_scanned, 20_000);
    assert!(!r.stopped_early);
}

#[test]
fn lowercase_fallback_both_ways_and_can_be_turned_off() {
    let v = glove();
    let voc = vocab(&["Paris", "KING", "the"]);
    let on = Aligner::new().align(fixture(GLOVE), voc.clone()).unwrap();
    assert_eq!(
        on.table.origins(),
        &[RowOrigin::Fallback, RowOrigin::Fallback, RowOrigin::Exact]
    );
    assert_eq!(on.table.vector("Paris").unwrap(), v.get("paris").unwrap());
    assert_eq!(on.report.fallback_examples[0].word, "paris");
    let off = Aligner::new()
        .lowercase_fallback(false)
        .align(fixture(GLOVE), voc)
        .unwrap();
    assert_eq!(
        off.table.origins()[..2],
        [RowOrigin::Missing, RowOrigin::Missing]
    );
    // A cased file and a lower-case vocabulary (Keras against word2vec GoogleNews).
    let cased = "3 2\nParis 0.5 -1\nthe 1 2\nparis 7 8\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cased.vec");
    std::fs::write(&path, cased).unwrap();
    let a = Aligner::new()
        .align(&path, vocab(&["paris", "The"]))
        .unwrap();
    // The exact word wins over an earlier fallback.
    assert_eq!(a.table.weights().row(0).to_vec(), vec![7.0, 8.0]);
    assert_eq!(a.table.origins(), &[RowOrigin::Exact, RowOrigin::Fallback]);
}

#[test]
fn reserved_rows_padding_zero_and_oov_mean() {
    let v = glove();
    let a = Aligner::new()
        .align(fixture(GLOVE), mixed_vocab(&v))
        .unwrap();
    let t = &a.table;
    assert!(t.weights().row(0).iter().all(|&x| x == 0.0));
    assert_eq!(&t.origins()[..2], &[RowOrigin::Padding, RowOrigin::Oov]);
    // Mean of the distinct file rows found, computed here independently.
    let mut rows: Vec<usize> = t
        .vocab()
        .tokens()
        .iter()
        .enumerate()
        .filter(|&(r, _)| t.origins()[r].is_pretrained())
        .map(|(_, tok)| v.row(tok).or_else(|| v.row(&tok.to_lowercase())).unwrap())
        .collect();
    rows.sort();
    rows.dedup();
    for d in 0..50 {
        let mean = rows
            .iter()
            .map(|&r| f64::from(v.matrix()[[r, d]]))
            .sum::<f64>()
            / rows.len() as f64;
        assert!(
            (f64::from(t.weights()[[1, d]]) - mean).abs() < 1e-6,
            "dim {d}"
        );
    }
    let zeros = Aligner::new()
        .oov(OovInit::Zeros)
        .align(fixture(GLOVE), mixed_vocab(&v))
        .unwrap();
    assert!(zeros.table.weights().row(1).iter().all(|&x| x == 0.0));
}

#[test]
fn missing_rows_by_each_initialiser() {
    let v = glove();
    let voc = || vocab(&["the", "zzqxjv", "blorptastic"]);
    let uni = Aligner::new()
        .missing(MissingInit::KERAS_UNIFORM)
        .align(fixture(GLOVE), voc())
        .unwrap();
    let row = uni.table.weights().row(1).to_vec();
    assert!(row.iter().all(|x| (-0.05..0.05).contains(x)) && row.iter().any(|&x| x != 0.0));
    let zeros = Aligner::new()
        .missing(MissingInit::Zeros)
        .align(fixture(GLOVE), voc())
        .unwrap();
    assert!(zeros.table.weights().row(2).iter().all(|&x| x == 0.0));
    let normal = Aligner::new()
        .missing(MissingInit::Normal { std: 0.1 })
        .align(fixture(GLOVE), voc())
        .unwrap();
    assert!(normal.table.weights().row(2).iter().all(|x| x.abs() < 0.6));
    // Matched: many missing rows follow the found rows' per-dimension statistics.
    let mut toks: Vec<String> = v.words()[..2000].to_vec();
    toks.extend((0..3000).map(|i| format!("zzmissing{i}")));
    let m = Aligner::new()
        .align(fixture(GLOVE), Vocab::new(toks).unwrap())
        .unwrap();
    let w = m.table.weights();
    for d in [0, 17, 49] {
        let col = |range: std::ops::Range<usize>| {
            let xs: Vec<f64> = range.map(|r| f64::from(w[[r, d]])).collect();
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt();
            (mean, sd)
        };
        let (fm, fs) = col(0..2000);
        let (mm, ms) = col(2000..5000);
        assert!((fm - mm).abs() < 0.1 * fs, "dim {d}: mean {fm} vs {mm}");
        assert!((fs - ms).abs() < 0.1 * fs, "dim {d}: sd {fs} vs {ms}");
    }
}

#[test]
fn same_seed_same_table_for_any_threads_vocab_order_and_additions() {
    let v = glove();
    let toks = mixed_tokens(&v);
    let base = Aligner::new().seed(42);
    let one = base
        .clone()
        .read_options(ReadOptions::new().threads(1))
        .align(fixture(GLOVE), mixed_vocab(&v))
        .unwrap();
    let many = base
        .clone()
        .read_options(ReadOptions::new().threads(5))
        .align(fixture(GLOVE), mixed_vocab(&v))
        .unwrap();
    assert_eq!(one.table.weights(), many.table.weights());
    // Reordered (reserved rows kept first) and with one more word: every token keeps its row values.
    let mut shuffled = toks[2..].to_vec();
    pretrained_vectors::rng::Rng::new(3).shuffle(&mut shuffled);
    shuffled.push("anotherunseenword".into());
    let mut t2 = toks[..2].to_vec();
    t2.extend(shuffled);
    let voc2 = Vocab::new(t2).unwrap().padding(0).unwrap().oov(1).unwrap();
    let other = base.align(fixture(GLOVE), voc2).unwrap();
    for tok in &toks {
        assert_eq!(
            one.table.vector(tok).unwrap(),
            other.table.vector(tok).unwrap(),
            "{tok}"
        );
    }
    let reseeded = Aligner::new()
        .seed(43)
        .align(fixture(GLOVE), mixed_vocab(&v))
        .unwrap();
    assert_ne!(
        one.table.vector("zzqxjv").unwrap(),
        reseeded.table.vector("zzqxjv").unwrap()
    );
    assert_eq!(
        one.table.vector("the").unwrap(),
        reseeded.table.vector("the").unwrap()
    );
}

#[test]
fn every_format_and_path_gives_the_same_table() {
    let small = pretrained_vectors::read(fixture("small.glove.txt")).unwrap();
    let mut toks: Vec<String> = small.words().iter().step_by(7).cloned().collect();
    toks.extend(["Zzzq".to_string(), "The".to_string()]);
    let voc = Vocab::new(toks).unwrap();
    let want = Aligner::new().align_vectors(&small, voc.clone()).unwrap();
    for name in [
        "small.glove.txt",
        "small.glove.txt.gz",
        "small.w2v.txt",
        "small.w2v.txt.gz",
        "small.vec",
        "small.crlf.txt",
        "small.w2v.bin",
        "small.nonl.w2v.bin",
        "small.w2v.bin.gz",
        "small.multimember.txt.gz",
    ] {
        for threads in [1, 3] {
            let got = Aligner::new()
                .read_options(ReadOptions::new().threads(threads))
                .align(fixture(name), voc.clone())
                .unwrap();
            assert_eq!(got.table.weights(), want.table.weights(), "{name}");
            assert_eq!(got.table.origins(), want.table.origins(), "{name}");
            assert_eq!(got.report.found_exact, want.report.found_exact, "{name}");
        }
    }
}

#[test]
fn common_vocabulary_stops_early() {
    let v = glove();
    let toks: Vec<String> = v.words()[..300].to_vec();
    let a = Aligner::new()
        .align(fixture(GLOVE), Vocab::new(toks.clone()).unwrap())
        .unwrap();
    assert!(a.report.stopped_early);
    assert!(
        a.report.file_rows_scanned < 20_000,
        "{}",
        a.report.file_rows_scanned
    );
    assert_eq!(a.report.found_exact, 300);
    // A plain copy, mapped.
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("g.txt");
    std::fs::write(&plain, plain_bytes(&fixture(GLOVE))).unwrap();
    let a = Aligner::new()
        .align(&plain, Vocab::new(toks).unwrap())
        .unwrap();
    assert!(a.report.stopped_early && a.report.file_rows_scanned < 20_000);
}

#[test]
fn report_counts_coverage_and_top_missing() {
    let toks = ["the", "of", "zzqxjv", "blorptastic", "and"]
        .map(String::from)
        .to_vec();
    let voc = Vocab::new(toks)
        .unwrap()
        .counts(vec![100, 50, 7, 30, 13])
        .unwrap();
    let a = Aligner::new().align(fixture(GLOVE), voc).unwrap();
    let r = &a.report;
    assert_eq!((r.found_exact, r.missing), (3, 2));
    assert!((r.coverage_types - 0.6).abs() < 1e-12);
    assert!((r.coverage_tokens.unwrap() - 163.0 / 200.0).abs() < 1e-12);
    let top: Vec<(&str, Option<u64>)> = r
        .top_missing
        .iter()
        .map(|m| (m.token.as_str(), m.count))
        .collect();
    assert_eq!(top, vec![("blorptastic", Some(30)), ("zzqxjv", Some(7))]);
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(json["found_exact"], 3);
    assert_eq!(json["format"], "glove");
    assert_eq!(json["missing_init"]["kind"], "random");
}

#[test]
fn duplicate_file_words_first_wins() {
    let a = Aligner::new()
        .align(fixture("bad/duplicates.txt"), vocab(&[",", "the"]))
        .unwrap();
    let first = pretrained_vectors::read(fixture("small.glove.txt")).unwrap();
    assert_eq!(a.table.vector(",").unwrap(), first.get(",").unwrap());
    assert_eq!(a.report.duplicates_seen, 1);
}

#[test]
fn bad_rows_are_errors_with_positions() {
    // A ragged row the vocabulary needs is an error at its line ...
    let text = std::fs::read_to_string(fixture("bad/ragged_short.txt")).unwrap();
    let word4 = text
        .lines()
        .nth(3)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .to_string();
    let e = Aligner::new()
        .align(fixture("bad/ragged_short.txt"), vocab(&["the", &word4]))
        .unwrap_err();
    assert_eq!(e.position().unwrap().line, Some(4), "{e}");
    // ... one it does not need is never parsed.
    let a = Aligner::new()
        .align(fixture("bad/ragged_short.txt"), vocab(&["the"]))
        .unwrap();
    assert_eq!(a.report.found_exact, 1);
    // A bad value in a row the vocabulary needs.
    let e = Aligner::new()
        .align(fixture("bad/bad_float.txt"), vocab(&["the", "."]))
        .unwrap_err();
    assert_eq!(e.position().unwrap().line, Some(3));
}

#[test]
fn spaced_file_words_are_not_mistaken_for_their_first_word() {
    // `spaced.glove.txt` has `the the .` where the original has `the`.
    let path = fixture("spaced.glove.txt");
    let a = Aligner::new().align(&path, vocab(&["the", ","])).unwrap();
    assert_eq!(a.table.origins(), &[RowOrigin::Missing, RowOrigin::Exact]);
    let a = Aligner::new()
        .align(&path, vocab(&["the the .", ","]))
        .unwrap();
    assert_eq!(a.table.origins(), &[RowOrigin::Exact, RowOrigin::Exact]);
    let v = pretrained_vectors::read(&path).unwrap();
    assert_eq!(
        a.table.vector("the the .").unwrap(),
        v.get("the the .").unwrap()
    );
}

#[test]
fn table_from_vectors_moves_the_matrix_and_equals_align_vectors() {
    let v = glove();
    let words = v.words().to_vec();
    let cases: Vec<(Vec<String>, Option<usize>, Option<usize>)> = vec![
        (words.clone(), None, None),
        (
            [vec!["<pad>".to_string()], words[..500].to_vec()].concat(),
            Some(0),
            None,
        ),
        (
            [
                vec!["<pad>".to_string(), "<unk>".to_string()],
                words.clone(),
            ]
            .concat(),
            Some(0),
            Some(1),
        ),
        (
            vec!["<unk>".to_string(), "the".to_string(), "King".to_string()],
            None,
            Some(0),
        ),
    ];
    for (tokens, pad, oov) in cases {
        let mut vocab = Vocab::new(tokens).unwrap();
        if let Some(p) = pad {
            vocab = vocab.padding(p).unwrap();
        }
        if let Some(o) = oov {
            vocab = vocab.oov(o).unwrap();
        }
        let aligner = Aligner::new().seed(3).oov(OovInit::Random);
        let want = aligner.align_vectors(&v, vocab.clone()).unwrap();
        let got = aligner.table_from_vectors(v.clone(), vocab).unwrap();
        assert_eq!(got.table.weights(), want.table.weights());
        assert_eq!(got.table.origins(), want.table.origins());
        let (mut a, mut b) = (got.report.clone(), want.report.clone());
        a.seconds = 0.0;
        b.seconds = 0.0;
        assert_eq!(a, b);
    }
    // The file's dropped duplicates count when the vocabulary needs their word.
    let dups = pretrained_vectors::read(fixture("bad/duplicates.txt")).unwrap();
    let vocab = Vocab::new(dups.words().to_vec()).unwrap();
    let a = Aligner::new()
        .table_from_vectors(dups.clone(), vocab.clone())
        .unwrap();
    assert_eq!(a.report.duplicates_seen, 1);
    assert_eq!(
        Aligner::new()
            .align_vectors(&dups, vocab)
            .unwrap()
            .report
            .duplicates_seen,
        1
    );
}

#[test]
fn column_major_matrices_are_made_row_major_by_the_constructors() {
    // Issue 11.8: a Fortran-order matrix came out transposed or hit `expect("C order")`.
    let words: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
    let rows = ndarray::array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
    let fortran = rows.t().as_standard_layout().into_owned().reversed_axes();
    assert!(!fortran.is_standard_layout());
    assert_eq!(fortran, rows);
    let v = Vectors::new(words.clone(), fortran.clone()).unwrap();
    assert_eq!(v.get("b").unwrap().to_vec(), vec![3.0, 4.0]);
    let voc = vocab(&["c", "a", "zz"]);
    let by_file = Aligner::new().align_vectors(&v, voc.clone()).unwrap();
    assert_eq!(by_file.table.weights().row(0).to_vec(), vec![5.0, 6.0]);
    assert_eq!(by_file.table.weights().row(1).to_vec(), vec![1.0, 2.0]);
    let converted = Aligner::new()
        .table_from_vectors(v, vocab(&["a", "b", "c"]))
        .unwrap();
    assert_eq!(converted.table.weights(), rows);
    let table = pretrained_vectors::EmbeddingTable::new(
        fortran,
        vocab(&["a", "b", "c"]),
        vec![RowOrigin::Exact; 3],
    )
    .unwrap();
    assert!(table.weights().is_standard_layout());
    assert_eq!(table.weights(), rows);
}
