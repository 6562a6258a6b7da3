//! `src/eval` against gensim 4.4 itself: the expected scores in `fixtures/eval/` were
//! computed by gensim's `evaluate_word_analogies` and `evaluate_word_pairs` with
//! `fixtures/eval/make_reference.py` on the bundled real GloVe vectors.

mod common;

use std::path::{Path, PathBuf};

use pretrained_vectors::eval::{Analogies, EvalOptions, Pairs, Query, Space};
use pretrained_vectors::Vectors;
use serde_json::Value;

fn glove20k() -> Vectors {
    pretrained_vectors::read(common::fixture("glove.6B.50d.20k.txt.gz")).unwrap()
}

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(common::fixture("eval").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Our scores for the files of `want`, found in `dir`, compared with gensim's.
/// Section counts may differ by `slack` questions (float rounding in near-ties).
fn compare(space: &Space<'_>, want: &Value, dir: &Path, slack: i64) {
    let options = EvalOptions::new();
    for (name, w) in want["analogies"].as_object().unwrap() {
        let got = space
            .evaluate_analogies(&Analogies::read(dir.join(name)).unwrap(), &options)
            .unwrap();
        let sections = w["sections"].as_object().unwrap();
        assert_eq!(sections.len(), got.sections.len(), "{name}");
        for s in &got.sections {
            let c = &sections[&s.name];
            let (wc, wi) = (c[0].as_i64().unwrap(), c[1].as_i64().unwrap());
            assert!(
                (s.correct as i64 - wc).abs() <= slack && (s.incorrect as i64 - wi).abs() <= slack,
                "{name} {}: ours {}/{}, gensim {wc}/{wi}",
                s.name,
                s.correct,
                s.incorrect
            );
        }
        let score = w["score"].as_f64().unwrap();
        assert!(
            (got.score() - score).abs() <= 2.0 * slack as f64 / 100.0 + 1e-12,
            "{name}: {} vs {score}",
            got.score()
        );
        eprintln!("{name}: ours {:.6}, gensim {score:.6}", got.score());
    }
    for (name, w) in want["pairs"].as_object().unwrap() {
        let got = space
            .evaluate_pairs(&Pairs::read(dir.join(name)).unwrap(), &options)
            .unwrap();
        for (key, ours) in [("pearson", got.pearson), ("spearman", got.spearman)] {
            let theirs = w[key].as_f64().unwrap();
            assert!(
                (ours - theirs).abs() < 1e-4,
                "{name} {key}: ours {ours}, gensim {theirs}"
            );
        }
        let oov = w["oov_percent"].as_f64().unwrap();
        assert!(
            (got.oov_percent - oov).abs() < 1e-9,
            "{name}: oov {} vs {oov}",
            got.oov_percent
        );
    }
}

#[test]
fn committed_slices_score_as_in_gensim() {
    let v = glove20k();
    compare(
        &Space::new(&v),
        &expected("expected.20k.slices.json"),
        &common::fixture("eval"),
        0,
    );
}

/// The real data folder: `PV_BENCH_DATA`, or `target/bench-data` (see
/// tests/large_real.rs).
fn bench_data() -> PathBuf {
    std::env::var_os("PV_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"))
}

/// gensim's own test data, where a venv with gensim is (the shared data script makes
/// one in target/bench-data/venv).
fn gensim_test_data() -> Option<PathBuf> {
    let lib = bench_data().join("venv/lib");
    for py in std::fs::read_dir(&lib).ok()?.flatten() {
        let dir = py.path().join("site-packages/gensim/test/test_data");
        if dir.join("questions-words.txt").exists() {
            return Some(dir);
        }
    }
    None
}

#[test]
fn full_benchmark_files_score_as_in_gensim() {
    let Some(dir) = gensim_test_data() else {
        eprintln!("skipped: no gensim test data (see tests/large_real.rs for the data set)");
        return;
    };
    let v = glove20k();
    compare(
        &Space::new(&v),
        &expected("expected.20k.full.json"),
        &dir,
        0,
    );
}

/// The agreement check: the full GloVe 6B 50d with the full benchmark files,
/// section counts within 2 questions of gensim's, correlations within 1e-4.
#[test]
fn full_glove_scores_as_in_gensim() {
    let glove = bench_data().join("glove.6B.50d.txt");
    let (Some(dir), true) = (gensim_test_data(), glove.exists()) else {
        eprintln!(
            "skipped: no real GloVe 6B 50d set with a gensim venv in {} (see tests/large_real.rs)",
            bench_data().display()
        );
        return;
    };
    let v = pretrained_vectors::read(&glove).unwrap();
    compare(
        &Space::new(&v),
        &expected("expected.glove.6B.50d.json"),
        &dir,
        2,
    );
}

#[test]
fn queries_on_real_vectors() {
    let v = glove20k();
    let space = Space::new(&v);
    let best = space
        .most_similar(
            &Query::new()
                .positive(["king", "woman"])
                .negative(["man"])
                .topn(3),
        )
        .unwrap();
    assert_eq!(best[0].word, "queen");
    assert!(best
        .iter()
        .all(|n| !["king", "woman", "man"].contains(&n.word.as_str())));
    let cosmul = space
        .most_similar_cosmul(
            &Query::new()
                .positive(["king", "woman"])
                .negative(["man"])
                .topn(1),
        )
        .unwrap();
    assert_eq!(cosmul[0].word, "queen");
    // restrict_vocab searches the first rows only.
    let near = space
        .most_similar(&Query::new().positive(["frog"]).topn(5).restrict_vocab(1000))
        .unwrap();
    assert!(near.iter().all(|n| n.row < 1000));
    let e = space.similarity("king", "no-such-word").unwrap_err();
    assert!(e.to_string().contains("no-such-word"), "{e}");
}
