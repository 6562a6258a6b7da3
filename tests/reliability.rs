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
