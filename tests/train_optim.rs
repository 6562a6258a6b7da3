//! Sparse optimizers against scalar references written from PyTorch's formulas,
//! and the errors of the training API.

use ndarray::{array, Array2};
use pretrained_vectors::train::*;
use pretrained_vectors::{Error, ShapeFault};

fn grad(rows: Vec<usize>, g: Array2<f32>) -> SparseGrad {
    SparseGrad { rows, grads: g }
}

/// PyTorch `SparseAdam` for one value: returns the new (w, m, v).
fn adam_ref(w: f64, m: f64, v: f64, g: f64, t: i32, lr: f64) -> (f64, f64, f64) {
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    let m = m + (g - m) * (1.0 - b1);
    let v = v + (g * g - v) * (1.0 - b2);
    let step = lr * (1.0 - f64::powi(b2, t)).sqrt() / (1.0 - f64::powi(b1, t));
    (w - step * (m / (v.sqrt() + eps)), m, v)
}

fn close(a: f32, b: f64) -> bool {
    (f64::from(a) - b).abs() <= 1e-5 * (1.0 + b.abs())
}

fn run_adam(bias: BiasCorrection) -> (Array2<f32>, [f64; 2]) {
    let mut emb = Embedding::new(array![[0.5f32], [1.0], [-2.0], [3.0]]).unwrap();
    let mut opt = SparseOptimizer::new(OptimConfig::adam(0.1))
        .unwrap()
        .bias_correction(bias);
    // Row 1 is in every step; row 2 in steps 1 and 3 only; rows 0 and 3 never.
    opt.step(&mut emb, &grad(vec![1, 2], array![[0.3], [-1.0]]))
        .unwrap();
    opt.step(&mut emb, &grad(vec![1], array![[0.2]])).unwrap();
    opt.step(&mut emb, &grad(vec![1, 2], array![[-0.4], [0.5]]))
        .unwrap();
    assert_eq!(opt.steps(), 3);
    let mut r1 = (1.0, 0.0, 0.0);
    for (t, g) in [(1, 0.3), (2, 0.2), (3, -0.4)] {
        r1 = adam_ref(r1.0, r1.1, r1.2, g, t, 0.1);
    }
    // Row 2's state is untouched at step 2 (lazy); its step count at step 3 is the
    // table's (3) or its own (2).
    let t3 = if bias == BiasCorrection::PerTable {
        3
    } else {
        2
    };
    let r2 = adam_ref(-2.0, 0.0, 0.0, -1.0, 1, 0.1);
    let r2 = adam_ref(r2.0, r2.1, r2.2, 0.5, t3, 0.1);
    (emb.into_weights(), [r1.0, r2.0])
}

#[test]
fn sparse_adam_is_lazy_and_matches_pytorch_formulas() {
    for bias in [BiasCorrection::PerTable, BiasCorrection::PerRow] {
        let (w, want) = run_adam(bias);
        assert!(
            close(w[[1, 0]], want[0]),
            "{bias:?} row 1: {} vs {}",
            w[[1, 0]],
            want[0]
        );
        assert!(
            close(w[[2, 0]], want[1]),
            "{bias:?} row 2: {} vs {}",
            w[[2, 0]],
            want[1]
        );
        assert_eq!(
            (w[[0, 0]], w[[3, 0]]),
            (0.5, 3.0),
            "rows without gradient keep their bits"
        );
    }
    let (a, _) = run_adam(BiasCorrection::PerTable);
    let (b, _) = run_adam(BiasCorrection::PerRow);
    assert_ne!(
        a[[2, 0]],
        b[[2, 0]],
        "the two corrections differ for a skipped row"
    );
}

#[test]
fn adagrad_and_sgd_match_their_formulas() {
    let mut emb = Embedding::new(array![[1.0f32, -1.0], [2.0, 0.0]]).unwrap();
    let mut opt = SparseOptimizer::new(OptimConfig::adagrad(0.5)).unwrap();
    opt.step(&mut emb, &grad(vec![0], array![[2.0, -3.0]]))
        .unwrap();
    opt.step(&mut emb, &grad(vec![0], array![[1.0, 1.0]]))
        .unwrap();
    // s = 4 then 5; w = 1 - 0.5*2/2 - 0.5*1/sqrt(5)
    let want0 = 1.0 - 0.5 - 0.5 / 5f64.sqrt();
    // s = 9 then 10; w = -1 + 0.5*3/3 - 0.5/sqrt(10)
    let want1 = -1.0 + 0.5 - 0.5 / 10f64.sqrt();
    assert!(close(emb.weights()[[0, 0]], want0) && close(emb.weights()[[0, 1]], want1));
    assert_eq!(emb.weights().row(1).to_vec(), vec![2.0, 0.0]);

    let mut emb = Embedding::new(array![[1.0f32, 1.0]]).unwrap();
    SparseOptimizer::new(OptimConfig::sgd(0.25))
        .unwrap()
        .step(&mut emb, &grad(vec![0], array![[4.0, -4.0]]))
        .unwrap();
    assert_eq!(emb.weights(), &array![[0.0, 2.0]]);
}

#[test]
fn max_norm_renormalises_updated_rows_only() {
    let mut emb = Embedding::new(array![[3.0f32, 4.0], [30.0, 40.0]]).unwrap();
    let mut opt = SparseOptimizer::new(OptimConfig::sgd(1.0))
        .unwrap()
        .max_norm(1.0)
        .unwrap();
    opt.step(&mut emb, &grad(vec![0], array![[0.0, 0.0]]))
        .unwrap();
    let n0 = emb.weights().row(0).mapv(|x| x * x).sum().sqrt();
    assert!((n0 - 1.0).abs() < 1e-5, "{n0}");
    assert_eq!(emb.weights().row(1).to_vec(), vec![30.0, 40.0]);
    // A row already inside the ball is left as it is.
    let mut small = Embedding::new(array![[0.3f32, 0.4]]).unwrap();
    opt = SparseOptimizer::new(OptimConfig::sgd(1.0))
        .unwrap()
        .max_norm(1.0)
        .unwrap();
    opt.step(&mut small, &grad(vec![0], array![[0.0, 0.0]]))
        .unwrap();
    assert_eq!(small.weights(), &array![[0.3, 0.4]]);
}

#[test]
fn anchor_pulls_rows_back_to_pretrained_values() {
    let pretrained = array![[1.0f32, 1.0], [0.0, 0.0]];
    let mut emb = Embedding::new(array![[3.0f32, -1.0], [5.0, 5.0]]).unwrap();
    let mut opt = SparseOptimizer::new(OptimConfig::sgd(0.1))
        .unwrap()
        .anchor(pretrained, 2.0)
        .unwrap();
    opt.step(&mut emb, &grad(vec![0], array![[0.0, 0.0]]))
        .unwrap();
    // w -= 0.1 * 2 * (w - w0): 3 -> 2.6, -1 -> -0.6; row 1 is not in the gradient.
    assert!(close(emb.weights()[[0, 0]], 2.6) && close(emb.weights()[[0, 1]], -0.6));
    assert_eq!(emb.weights().row(1).to_vec(), vec![5.0, 5.0]);
}

#[test]
fn dense_optimizer_agrees_with_the_sparse_one_on_a_full_gradient() {
    let w0 = array![[0.1f32, -0.2, 0.3], [1.0, 2.0, -3.0]];
    let g = array![[0.5f32, -0.5, 0.25], [1.0, -2.0, 0.0]];
    for config in [
        OptimConfig::sgd(0.1),
        OptimConfig::adagrad(0.1),
        OptimConfig::adam(0.1),
    ] {
        let mut emb = Embedding::new(w0.clone()).unwrap();
        let mut sparse = SparseOptimizer::new(config).unwrap();
        let mut dense_w = w0.clone();
        let mut dense = DenseOptimizer::new(config, 6).unwrap();
        for _ in 0..3 {
            sparse.step(&mut emb, &grad(vec![0, 1], g.clone())).unwrap();
            dense
                .step(dense_w.as_slice_mut().unwrap(), g.as_slice().unwrap())
                .unwrap();
        }
        if matches!(config.method, Method::Adam { .. }) {
            // SparseAdam adds eps before the bias correction, Adam after it.
            assert_ne!(emb.weights(), &dense_w);
            let diff = (emb.weights() - &dense_w).mapv(f32::abs);
            assert!(diff.iter().all(|&d| d < 1e-6), "{diff}");
        } else {
            assert_eq!(emb.weights(), &dense_w, "{config:?}");
        }
    }
}

#[test]
fn every_sparse_step_counts_even_without_an_update() {
    let mut emb = Embedding::new(array![[1.0f32], [2.0]])
        .unwrap()
        .trainability(Trainability::mask(&[true, false]))
        .unwrap();
    let mut opt = SparseOptimizer::new(OptimConfig::adam(0.1)).unwrap();
    opt.step(&mut emb, &grad(vec![], Array2::zeros((0, 1))))
        .unwrap();
    opt.step(&mut emb, &grad(vec![1], array![[1.0]])).unwrap();
    assert_eq!(opt.steps(), 2, "as SparseAdam's state[\"step\"]");
    assert_eq!(emb.weights(), &array![[1.0], [2.0]]);
    // The first update is then corrected as step 3.
    opt.step(&mut emb, &grad(vec![0], array![[0.5]])).unwrap();
    let want = adam_ref(1.0, 0.0, 0.0, 0.5, 3, 0.1).0;
    assert!(
        close(emb.weights()[[0, 0]], want),
        "{} vs {want}",
        emb.weights()[[0, 0]]
    );
    // A failed step changes nothing, the count included.
    assert!(opt.step(&mut emb, &grad(vec![2], array![[0.5]])).is_err());
    assert_eq!(opt.steps(), 3);
}

#[test]
fn bad_gradients_and_settings_are_errors() {
    let mut emb = Embedding::new(Array2::zeros((4, 2))).unwrap();
    let mut opt = SparseOptimizer::new(OptimConfig::adam(0.1)).unwrap();
    for g in [
        grad(vec![2, 1], Array2::zeros((2, 2))),
        grad(vec![1, 1], Array2::zeros((2, 2))),
        grad(vec![4], Array2::zeros((1, 2))),
    ] {
        let e = opt.step(&mut emb, &g).unwrap_err();
        assert!(
            matches!(&e, Error::ShapeFault { fault, .. }
                if matches!(**fault, ShapeFault::UnsortedRows { below: 4, .. })),
            "{e}"
        );
    }
    for g in [
        grad(vec![1], Array2::zeros((1, 3))),
        grad(vec![1, 2], Array2::zeros((1, 2))),
    ] {
        let e = opt.step(&mut emb, &g).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e}");
    }
    assert_eq!(emb.weights(), &Array2::<f32>::zeros((4, 2)));
    // One optimizer's state belongs to one table shape.
    opt.step(&mut emb, &grad(vec![1], Array2::ones((1, 2))))
        .unwrap();
    let mut other = Embedding::new(Array2::zeros((5, 2))).unwrap();
    assert!(matches!(
        opt.step(&mut other, &grad(vec![1], Array2::ones((1, 2)))),
        Err(Error::Shape { .. })
    ));
    let mut anchored = SparseOptimizer::new(OptimConfig::sgd(0.1))
        .unwrap()
        .anchor(Array2::zeros((3, 2)), 1.0)
        .unwrap();
    assert!(matches!(
        anchored.step(&mut emb, &grad(vec![1], Array2::ones((1, 2)))),
        Err(Error::Shape { .. })
    ));

    for config in [
        OptimConfig::sgd(f32::NAN),
        OptimConfig::sgd(0.0),
        OptimConfig {
            method: Method::Adam {
                beta1: 1.0,
                beta2: 0.9,
                eps: 1e-8,
            },
            lr: 0.1,
        },
        OptimConfig {
            method: Method::Adagrad {
                eps: -1.0,
                initial_accumulator: 0.0,
            },
            lr: 0.1,
        },
    ] {
        assert!(
            matches!(
                SparseOptimizer::new(config),
                Err(Error::InvalidOption { .. })
            ),
            "{config:?}"
        );
    }
    let sgd = || SparseOptimizer::new(OptimConfig::sgd(0.1)).unwrap();
    assert!(matches!(
        sgd().max_norm(0.0),
        Err(Error::InvalidOption { .. })
    ));
    assert!(matches!(
        sgd().anchor(Array2::zeros((4, 2)), -1.0),
        Err(Error::InvalidOption { .. })
    ));
    let e = Embedding::new(Array2::zeros((3, 2)))
        .unwrap()
        .padding(Some(3))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidOption { .. }), "{e}");
    let e = Embedding::new(Array2::zeros((0, 2))).unwrap_err();
    assert!(
        matches!(&e, Error::ShapeFault { fault, .. }
            if matches!(**fault, ShapeFault::RowsOutOfRange { rows: 0, .. })),
        "{e}"
    );
}

#[test]
fn classifier_refuses_bad_labels_and_batches() {
    let emb = Embedding::new(Array2::zeros((4, 2))).unwrap();
    assert!(matches!(
        BagClassifier::new(emb.clone(), 1, 0),
        Err(Error::InvalidOption { .. })
    ));
    let mut m = BagClassifier::new(emb, 3, 0).unwrap();
    let ids = array![[1i64, 2], [3, 0]];
    let e = m.train_step(ids.view(), &[0]).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    let e = m.train_step(ids.view(), &[0, 3]).unwrap_err();
    assert!(e.to_string().contains("label 3 of sequence 1"), "{e}");
    let e = m
        .train(
            ids.view(),
            &[0, 1],
            &TrainOptions::new().epochs(1).batch_size(0).seed(0),
        )
        .unwrap_err();
    assert!(matches!(e, Error::InvalidOption { .. }), "{e}");
    // An id error reports its place in the whole data set, not in a shuffled batch.
    let bad = array![[1i64, 2], [3, 9]];
    match m
        .train(
            bad.view(),
            &[0, 1],
            &TrainOptions::new().epochs(1).batch_size(1).seed(0),
        )
        .unwrap_err()
    {
        Error::IdOutOfRange {
            batch, position, ..
        } => assert_eq!((batch, position), (1, 1)),
        other => panic!("{other}"),
    }
}
