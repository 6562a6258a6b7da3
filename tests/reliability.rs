//! Library results that used to be silently wrong (issue 11): infinite random
//! rows from finite input, matched rows copied from one vector, row counts short
//! of the header, coverage after `num_words`, and hostile training settings.

use pretrained_vectors::{Aligner, Error, MissingInit, RowOrigin, Vocab};

fn vocab(tokens: &[&str]) -> Vocab {
    Vocab::new(tokens.iter().map(|t| t.to_string()).collect()).unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Tokens the files below lack, enough to see the random rows' spread.
fn with_missing(found: &[&str], n: usize) -> (Vocab, Vec<String>) {
    let mut tokens: Vec<String> = found.iter().map(|t| t.to_string()).collect();
    let missing: Vec<String> = (0..n).map(|i| format!("zz{i}")).collect();
    tokens.extend(missing.iter().cloned());
    (Vocab::new(tokens).unwrap(), missing)
}

#[test]
fn values_near_the_f32_limit_never_give_infinite_rows() {
    // Issue 11.4: matched rows (mean + std * z in f32) overflowed to inf.
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "huge.txt",
        b"a 3e38 -3e38 1\nb -3e38 3e38 2\nc 3.4e38 -3.4e38 3\n",
    );
    let (voc, _) = with_missing(&["a", "b", "c"], 500);
    for init in [
        MissingInit::Matched,
        MissingInit::Normal { std: 3e38 },
        MissingInit::Normal { std: f32::MAX },
        MissingInit::Uniform {
            low: -f32::MAX,
            high: f32::MAX,
        },
    ] {
        let a = Aligner::new()
            .missing(init)
            .align(&path, voc.clone())
            .unwrap();
        let w = a.table.weights();
        assert!(w.iter().all(|x| x.is_finite()), "{init:?}");
        // Still random: the rows are not all clamped to one value.
        let col: Vec<f32> = w.column(0).iter().skip(3).copied().collect();
        assert!(col.iter().any(|&x| x != col[0]), "{init:?}");
    }
    // Parameters that cannot give finite values are refused, on every entry point.
    for init in [
        MissingInit::Normal { std: f32::NAN },
        MissingInit::Normal { std: f32::INFINITY },
        MissingInit::Normal { std: -1.0 },
        MissingInit::Uniform {
            low: f32::NEG_INFINITY,
            high: 0.0,
        },
        MissingInit::Uniform {
            low: 1.0,
            high: f32::NAN,
        },
        MissingInit::Uniform {
            low: 1.0,
            high: -1.0,
        },
    ] {
        let aligner = Aligner::new().missing(init);
        let e = aligner.align(&path, voc.clone()).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidOption {
                    option: "missing",
                    ..
                }
            ),
            "{e}"
        );
        let v = pretrained_vectors::read(&path).unwrap();
        assert!(aligner.align_vectors(&v, voc.clone()).is_err());
        assert!(aligner.table_from_vectors(v, vocab(&["a"])).is_err());
    }
}

#[test]
fn one_vector_found_gives_keras_uniform_rows_not_copies() {
    // Issue 11.5: with one vector found, every matched row was a copy of it.
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "one.txt", b"the 0.5 -0.25 3\nof 1 2 3\n");
    let (voc, missing) = with_missing(&["the"], 50);
    let a = Aligner::new().seed(3).align(&path, voc).unwrap();
    assert_eq!(a.report.missing_init, MissingInit::KERAS_UNIFORM);
    assert_eq!(a.report.matched_flat_dims, 3);
    let w = a.table.weights();
    let rows: Vec<Vec<f32>> = (1..=missing.len()).map(|r| w.row(r).to_vec()).collect();
    assert!(rows.iter().flatten().all(|x| (-0.05..0.05).contains(x)));
    assert!(
        rows.iter().skip(1).all(|r| r != &rows[0]),
        "rows are copies"
    );
    assert!(rows.iter().all(|r| r != &[0.5, -0.25, 3.0]));
}

#[test]
fn a_dimension_without_spread_is_drawn_from_keras_uniform() {
    // Dim 2 is the same in every vector found: matched rows would all copy it.
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "flat.txt", b"a 1 7 -2\nb 3 7 2\nc 5 7 0\n");
    let (voc, missing) = with_missing(&["a", "b", "c"], 200);
    let a = Aligner::new().seed(1).align(&path, voc).unwrap();
    assert_eq!(a.report.missing_init, MissingInit::Matched);
    assert_eq!(a.report.matched_flat_dims, 1);
    let w = a.table.weights();
    let flat: Vec<f32> = (3..3 + missing.len()).map(|r| w[[r, 1]]).collect();
    assert!(flat.iter().all(|x| (-0.05..0.05).contains(x)), "{flat:?}");
    assert!(flat.iter().any(|&x| x != flat[0]));
    // The other dimensions still follow the statistics (mean 3, std 1.63).
    let first: Vec<f32> = (3..3 + missing.len()).map(|r| w[[r, 0]]).collect();
    let mean = first.iter().sum::<f32>() / first.len() as f32;
    assert!((mean - 3.0).abs() < 0.5, "{mean}");
    assert!(a.table.origins()[3..]
        .iter()
        .all(|&o| o == RowOrigin::Missing));
    // Other initialisers never report flat dimensions.
    let (voc, _) = with_missing(&["a"], 2);
    let z = Aligner::new()
        .missing(MissingInit::Zeros)
        .align(&path, voc)
        .unwrap();
    assert_eq!(z.report.matched_flat_dims, 0);
}

#[test]
fn coverage_counts_words_past_num_words_as_oov() {
    // Issue 11.7: with num_words, words Keras maps to OOV were left out of the
    // token coverage, which then said 100%.
    use pretrained_vectors::vocab::KerasTokenizer;
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "v.txt", b"a 1 2\nb 3 4\nc 5 6\nd 7 8\n");
    let mut tok = KerasTokenizer::new().num_words(3);
    tok.fit_on_texts(["a a a b b c d"]);
    let voc = tok.vocab("<pad>").unwrap();
    assert_eq!(voc.tokens(), ["<pad>", "a", "b"]);
    assert_eq!(voc.get_unlisted_count(), 2);
    let a = Aligner::new().align(&path, voc).unwrap();
    assert_eq!(a.report.coverage_types, 1.0);
    assert_eq!(a.report.coverage_tokens, Some(5.0 / 7.0));
    // With an OOV token the same words become OOV ids: still not covered.
    let mut tok = KerasTokenizer::new().num_words(3).oov_token("<unk>");
    tok.fit_on_texts(["a a a b b c d"]);
    let voc = tok.vocab("<pad>").unwrap();
    assert_eq!(voc.tokens(), ["<pad>", "<unk>", "a"]);
    assert_eq!(voc.get_unlisted_count(), 4); // b, c, d
    let a = Aligner::new().align(&path, voc).unwrap();
    assert_eq!(a.report.coverage_tokens, Some(3.0 / 7.0));
    // Without num_words nothing is unlisted.
    let mut tok = KerasTokenizer::new();
    tok.fit_on_texts(["a a a b b c d"]);
    assert_eq!(tok.vocab("<pad>").unwrap().get_unlisted_count(), 0);
}

#[test]
fn huge_maxlen_is_an_error_not_an_abort() {
    // Issue 11.18: a huge maxlen aborted the process (allocation failure) or
    // panicked in ndarray.
    use pretrained_vectors::vocab::{pad_sequences, PadOptions};
    let seqs = vec![vec![1i64, 2], vec![3]];
    for maxlen in [usize::MAX, usize::MAX / 2, 1 << 60, 1 << 50] {
        let e = pad_sequences(&seqs, &PadOptions::new().maxlen(maxlen)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidOption {
                    option: "maxlen",
                    ..
                }
            ),
            "{maxlen}: {e}"
        );
    }
    let ok = pad_sequences(&seqs, &PadOptions::new().maxlen(3)).unwrap();
    assert_eq!(ok, ndarray::array![[0, 1, 2], [0, 0, 3]]);
}

#[test]
fn training_refuses_what_would_silently_give_nan() {
    // Issue 11.18: NaN or infinite weights, a learning rate of 1e30 and a switch
    // past the last epoch were accepted.
    use pretrained_vectors::train::{
        BagClassifier, Embedding, OptimConfig, TrainOptions, Trainability,
    };
    let good = ndarray::Array2::from_shape_fn((6, 4), |(r, c)| (r * 4 + c) as f32 * 0.01);
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let mut w = good.clone();
        w[[3, 2]] = bad;
        let e = Embedding::new(w).unwrap_err();
        assert!(e.to_string().contains("weights[3, 2]"), "{e}");
    }
    for lr in [1e30f32, f32::MAX, f32::INFINITY, 0.0, -1.0] {
        for cfg in [
            OptimConfig::sgd(lr),
            OptimConfig::adam(lr),
            OptimConfig::adagrad(lr),
        ] {
            let e = cfg.check().unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidOption {
                        option: "learning rate",
                        ..
                    }
                ),
                "{lr}: {e}"
            );
            let model = BagClassifier::new(Embedding::new(good.clone()).unwrap(), 2, 1).unwrap();
            assert!(model.optimizers(cfg, OptimConfig::adam(0.01)).is_err());
        }
    }
    let ids = ndarray::array![[1i64, 2], [3, 4], [5, 1], [2, 3]];
    let labels = [0, 1, 0, 1];
    let mut model = BagClassifier::new(Embedding::new(good.clone()).unwrap(), 2, 1).unwrap();
    for at in [3, 4, 100] {
        let opts = TrainOptions::new()
            .epochs(3)
            .batch_size(2)
            .seed(0)
            .switch_at(at, Trainability::Frozen);
        let e = model.train(ids.view(), &labels, &opts).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidOption {
                    option: "switch_at",
                    ..
                }
            ),
            "{at}: {e}"
        );
    }
    let opts = TrainOptions::new()
        .epochs(3)
        .batch_size(2)
        .seed(0)
        .switch_at(2, Trainability::Frozen);
    model.train(ids.view(), &labels, &opts).unwrap();
    // A rate within the bound that still diverges: an error, not NaN weights.
    let mut model = BagClassifier::new(Embedding::new(good * 1e3).unwrap(), 2, 1)
        .unwrap()
        .optimizers(OptimConfig::sgd(1e6), OptimConfig::sgd(1e6))
        .unwrap();
    let e = model
        .train(
            ids.view(),
            &labels,
            &TrainOptions::new().epochs(50).batch_size(1).seed(0),
        )
        .unwrap_err();
    assert!(e.to_string().contains("diverged"), "{e}");
}
