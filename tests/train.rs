//! The training side against naive references, finite differences and its promises
//! (frozen rows stay put, the padding row never moves, any thread count gives the
//! same bits).

use ndarray::{Array2, Array3, ArrayView2};
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::*;
use pretrained_vectors::{EmbeddingTable, Error, RowOrigin, Vocab};

fn random(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    let mut r = Rng::new(seed);
    Array2::from_shape_simple_fn((rows, cols), || r.uniform(-1.0, 1.0) as f32)
}

fn random_ids(b: usize, s: usize, rows: usize, seed: u64) -> Array2<i64> {
    let mut r = Rng::new(seed);
    Array2::from_shape_simple_fn((b, s), || r.below(rows as u64) as i64)
}

/// A padded layer: row 0 is padding (zeros), ids use every row.
fn layer(rows: usize, dims: usize, seed: u64) -> Embedding {
    let mut w = random(rows, dims, seed);
    w.row_mut(0).fill(0.0);
    Embedding::new(w).unwrap().padding(Some(0)).unwrap()
}

fn naive_pooled(emb: &Embedding, ids: ArrayView2<i64>, pooling: Pooling) -> Array2<f32> {
    let mut out = Array2::zeros((ids.nrows(), emb.dims()));
    for (i, r) in ids.rows().into_iter().enumerate() {
        let kept: Vec<i64> = r
            .iter()
            .copied()
            .filter(|&id| Some(id as usize) != emb.get_padding())
            .collect();
        for &id in &kept {
            let row = emb.weights().row(id as usize).to_owned();
            let mut o = out.row_mut(i);
            o += &row;
        }
        if pooling == Pooling::Mean && !kept.is_empty() {
            out.row_mut(i).mapv_inplace(|x| x / kept.len() as f32);
        }
    }
    out
}

// ----- forward ---------------------------------------------------------------------

#[test]
fn forward_gathers_rows_and_masks_padding() {
    let emb = layer(7, 3, 1);
    let ids = ndarray::array![[1i64, 0, 6], [6, 6, 2]];
    let (y, mask) = emb.forward_masked(ids.view()).unwrap();
    for ((i, j), &id) in ids.indexed_iter() {
        assert_eq!(
            y.slice(ndarray::s![i, j, ..]),
            emb.weights().row(id as usize)
        );
    }
    assert_eq!(
        mask,
        ndarray::array![[true, false, true], [true, true, true]]
    );
    let no_pad = Embedding::new(random(3, 2, 2)).unwrap();
    assert!(no_pad
        .mask(ndarray::array![[0i64, 1]].view())
        .iter()
        .all(|&m| m));
}

#[test]
fn out_of_range_ids_are_errors_with_their_place() {
    let emb = layer(5, 2, 1);
    for (bad, at) in [(5i64, (1, 2)), (-1, (0, 1))] {
        let mut ids = Array2::<i64>::ones((2, 3));
        ids[at] = bad;
        for e in [
            emb.forward(ids.view()).unwrap_err(),
            emb.forward_pooled(ids.view(), Pooling::Mean).unwrap_err(),
            emb.backward_pooled(ids.view(), Array2::zeros((2, 2)).view(), Pooling::Mean)
                .unwrap_err(),
            emb.backward(ids.view(), Array3::zeros((2, 3, 2)).view())
                .unwrap_err(),
        ] {
            match e {
                Error::IdOutOfRange {
                    id,
                    batch,
                    position,
                    rows,
                } => {
                    assert_eq!((id, batch, position, rows), (bad, at.0, at.1, 5));
                }
                other => panic!("{other}"),
            }
        }
    }
}

#[test]
fn pooled_forward_matches_naive_mean_and_sum() {
    let emb = layer(50, 9, 3);
    let mut ids = random_ids(17, 13, 50, 4);
    ids.row_mut(3).fill(0); // a sequence of padding only
    for pooling in [Pooling::Mean, Pooling::Sum] {
        let fast = emb.forward_pooled(ids.view(), pooling).unwrap();
        let slow = naive_pooled(&emb, ids.view(), pooling);
        assert!(
            fast.iter().zip(&slow).all(|(a, b)| (a - b).abs() < 1e-5),
            "{pooling:?}"
        );
        assert!(fast.row(3).iter().all(|&x| x == 0.0));
    }
}

// ----- backward --------------------------------------------------------------------

#[test]
fn backward_equals_dense_scatter_add_without_padding() {
    let emb = layer(20, 4, 5);
    let ids = random_ids(6, 11, 20, 6);
    let g = {
        let mut r = Rng::new(7);
        Array3::from_shape_simple_fn((6, 11, 4), || r.uniform(-1.0, 1.0) as f32)
    };
    let sparse = emb.backward(ids.view(), g.view()).unwrap();
    assert!(sparse.rows.windows(2).all(|p| p[0] < p[1]));
    assert!(
        !sparse.rows.contains(&0),
        "the padding row gets no gradient"
    );
    let mut dense = Array2::<f32>::zeros((20, 4));
    for ((i, j), &id) in ids.indexed_iter() {
        if id != 0 {
            for k in 0..4 {
                dense[[id as usize, k]] += g[[i, j, k]];
            }
        }
    }
    let got = sparse.to_dense(20);
    assert!(got.iter().zip(&dense).all(|(a, b)| (a - b).abs() < 1e-5));
}

#[test]
fn frozen_layer_computes_no_gradient() {
    let emb = layer(10, 3, 1).trainability(Trainability::Frozen).unwrap();
    let ids = random_ids(2, 4, 10, 2);
    assert!(emb
        .backward_pooled(ids.view(), Array2::ones((2, 3)).view(), Pooling::Mean)
        .unwrap()
        .is_empty());
    let e = emb
        .backward_pooled(ids.view(), Array2::ones((3, 3)).view(), Pooling::Mean)
        .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
}

/// Central finite difference of `f` with respect to weight `(r, k)`.
fn numeric(emb: &Embedding, r: usize, k: usize, f: &dyn Fn(&Embedding) -> f64) -> f64 {
    let h = 1e-2f32;
    let mut plus = emb.clone();
    let mut minus = emb.clone();
    let w = emb.weights()[[r, k]];
    let set = |e: &mut Embedding, v: f32| {
        let mut ws = e.weights().clone();
        ws[[r, k]] = v;
        *e = Embedding::new(ws)
            .unwrap()
            .padding(emb.get_padding())
            .unwrap();
    };
    set(&mut plus, w + h);
    set(&mut minus, w - h);
    (f(&plus) - f(&minus)) / (2.0 * f64::from(h))
}

fn check_close(analytic: f32, numeric: f64, what: &str) {
    let tol = 2e-3 * (1.0 + numeric.abs());
    assert!(
        (f64::from(analytic) - numeric).abs() < tol,
        "{what}: analytic {analytic}, numeric {numeric}"
    );
}

#[test]
fn layer_gradient_matches_finite_differences() {
    let emb = layer(8, 3, 11);
    let ids = ndarray::array![[1i64, 2, 2, 0], [7, 1, 0, 0]];
    let target = random(8, 3, 12).into_shape_with_order((2, 4, 3)).unwrap();
    // L = sum(Y - T)^2 / 2, dL/dY = Y - T.
    let loss = |e: &Embedding| {
        let y = e.forward(ids.view()).unwrap();
        y.iter()
            .zip(&target)
            .map(|(a, b)| f64::from(a - b).powi(2) / 2.0)
            .sum::<f64>()
    };
    let dy = emb.forward(ids.view()).unwrap() - &target;
    // Without a padding row, so every used row's gradient can be checked.
    let open = Embedding::new(emb.weights().clone()).unwrap();
    let g = open.backward(ids.view(), dy.view()).unwrap().to_dense(8);
    for r in [0, 1, 2, 5, 7] {
        for k in 0..3 {
            check_close(
                g[[r, k]],
                numeric(&open, r, k, &loss),
                &format!("row {r} dim {k}"),
            );
        }
    }
}

#[test]
fn pooled_gradient_matches_finite_differences() {
    for pooling in [Pooling::Mean, Pooling::Sum] {
        let emb = layer(9, 4, 21);
        let ids = ndarray::array![[1i64, 3, 3, 0, 0], [8, 0, 1, 2, 4], [0, 0, 0, 0, 0]];
        let target = random(3, 4, 22);
        let loss = |e: &Embedding| {
            let p = e.forward_pooled(ids.view(), pooling).unwrap();
            p.iter()
                .zip(&target)
                .map(|(a, b)| f64::from(a - b).powi(2) / 2.0)
                .sum::<f64>()
        };
        let dp = emb.forward_pooled(ids.view(), pooling).unwrap() - &target;
        let g = emb
            .backward_pooled(ids.view(), dp.view(), pooling)
            .unwrap()
            .to_dense(9);
        for r in [1, 2, 3, 4, 5, 8] {
            for k in 0..4 {
                check_close(
                    g[[r, k]],
                    numeric(&emb, r, k, &loss),
                    &format!("{pooling:?} row {r} dim {k}"),
                );
            }
        }
        assert!(g.row(0).iter().all(|&x| x == 0.0));
    }
}

#[test]
fn classifier_gradient_matches_finite_differences() {
    let emb = layer(12, 5, 31);
    let model = BagClassifier::new(emb, 3, 32).unwrap();
    let ids = ndarray::array![[1i64, 4, 4, 0], [11, 2, 3, 5], [6, 0, 0, 0]];
    let labels = [2, 0, 1];
    let (_, g) = model.gradients(ids.view(), &labels).unwrap();
    let dense = g.embedding.to_dense(12);
    let loss = |e: &Embedding| {
        let m = BagClassifier::new(e.clone(), 3, 32).unwrap();
        f64::from(m.loss(ids.view(), &labels).unwrap())
    };
    for r in [1, 4, 6, 11] {
        for k in 0..5 {
            check_close(
                dense[[r, k]],
                numeric(model.embedding(), r, k, &loss),
                &format!("emb {r},{k}"),
            );
        }
    }
    let h = 1e-2f32;
    for c in 0..3 {
        let shifted = |dw: f32, db: f32| {
            let mut m = model.clone();
            m.bias_mut()[c] += db;
            m.weight_mut()[[c, 2]] += dw;
            f64::from(m.loss(ids.view(), &labels).unwrap())
        };
        let nb = (shifted(0.0, h) - shifted(0.0, -h)) / (2.0 * f64::from(h));
        let nw = (shifted(h, 0.0) - shifted(-h, 0.0)) / (2.0 * f64::from(h));
        check_close(g.bias[c], nb, &format!("bias {c}"));
        check_close(g.weight[[c, 2]], nw, &format!("weight {c},2"));
    }
}

// ----- trainability -------------------------------------------------------------------

fn toy_data(n: usize, rows: usize, seed: u64) -> (Array2<i64>, Vec<usize>) {
    // Class 0 uses the lower half of the ids, class 1 the upper half; some padding.
    let mut r = Rng::new(seed);
    let half = (rows - 1) / 2;
    let mut ids = Array2::zeros((n, 6));
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let y = (r.below(2)) as usize;
        labels.push(y);
        let len = 3 + r.below(4) as usize;
        for j in 0..len {
            ids[[i, j]] = (1 + y * half + r.below(half as u64) as usize) as i64;
        }
    }
    (ids, labels)
}

#[test]
fn classifier_learns_a_separable_task() {
    let (ids, labels) = toy_data(200, 21, 41);
    let mut model = BagClassifier::new(layer(21, 8, 42), 2, 43)
        .unwrap()
        .optimizers(OptimConfig::adam(0.05), OptimConfig::adam(0.05))
        .unwrap();
    let h = model
        .train(
            ids.view(),
            &labels,
            &TrainOptions::new().epochs(15).batch_size(16).seed(44),
        )
        .unwrap();
    assert!(h[14].loss < h[0].loss, "{h:?}");
    assert!(h[14].accuracy > 0.95, "{h:?}");
    assert!(model.accuracy(ids.view(), &labels).unwrap() > 0.95);
    assert_eq!(
        h.iter().map(|s| s.epoch).collect::<Vec<_>>(),
        (0..15).collect::<Vec<_>>()
    );
}

#[test]
fn frozen_rows_stay_bit_identical_and_the_head_still_learns() {
    let (ids, labels) = toy_data(64, 21, 51);
    let emb = layer(21, 8, 52).trainability(Trainability::Frozen).unwrap();
    let before = emb.weights().clone();
    let mut model = BagClassifier::new(emb, 2, 53).unwrap();
    let head = model.weight().clone();
    model
        .train(
            ids.view(),
            &labels,
            &TrainOptions::new().epochs(3).batch_size(8).seed(54),
        )
        .unwrap();
    assert_eq!(model.embedding().weights(), &before);
    assert_ne!(model.weight(), &head);
}

#[test]
fn per_row_mode_moves_only_allowed_rows() {
    let (ids, labels) = toy_data(64, 21, 61);
    let mask: Vec<bool> = (0..21).map(|r| r % 3 == 1).collect();
    let emb = layer(21, 8, 62)
        .trainability(Trainability::mask(&mask))
        .unwrap();
    let before = emb.weights().clone();
    let mut model = BagClassifier::new(emb, 2, 63)
        .unwrap()
        .optimizers(OptimConfig::adam(0.01), OptimConfig::adam(0.01))
        .unwrap();
    model
        .train(
            ids.view(),
            &labels,
            &TrainOptions::new().epochs(2).batch_size(8).seed(64),
        )
        .unwrap();
    let after = model.embedding().weights();
    for (r, &trains) in mask.iter().enumerate() {
        if trains {
            assert_ne!(after.row(r), before.row(r), "row {r} should train");
        } else {
            assert_eq!(after.row(r), before.row(r), "row {r} must stay");
        }
    }
}

#[test]
fn row_factors_scale_the_update() {
    let emb = Embedding::new(Array2::zeros((3, 2))).unwrap();
    let mut emb = emb
        .trainability(Trainability::per_row(vec![1.0, 0.5, 0.0]).unwrap())
        .unwrap();
    let ids = ndarray::array![[0i64, 1, 2]];
    let g = emb
        .backward_pooled(
            ids.view(),
            ndarray::array![[1.0f32, 2.0]].view(),
            Pooling::Sum,
        )
        .unwrap();
    assert_eq!(g.rows, vec![0, 1], "a zero factor leaves the row out");
    SparseOptimizer::new(OptimConfig::sgd(1.0))
        .unwrap()
        .step(&mut emb, &g)
        .unwrap();
    assert_eq!(
        emb.weights(),
        &ndarray::array![[-1.0, -2.0], [-0.5, -1.0], [0.0, 0.0]]
    );
}

#[test]
fn padding_row_never_moves_even_when_not_zero() {
    let (ids, labels) = toy_data(64, 21, 71);
    let mut w = random(21, 8, 72);
    w.row_mut(0).fill(0.25);
    let emb = Embedding::new(w).unwrap().padding(Some(0)).unwrap();
    let mut model = BagClassifier::new(emb, 2, 73).unwrap();
    model
        .train(
            ids.view(),
            &labels,
            &TrainOptions::new().epochs(2).batch_size(8).seed(74),
        )
        .unwrap();
    assert!(model
        .embedding()
        .weights()
        .row(0)
        .iter()
        .all(|&x| x == 0.25));
    // A hand-made gradient naming the padding row does not move it either.
    let mut emb = model.into_embedding();
    let g = SparseGrad {
        rows: vec![0],
        grads: Array2::ones((1, 8)),
    };
    SparseOptimizer::new(OptimConfig::sgd(1.0))
        .unwrap()
        .step(&mut emb, &g)
        .unwrap();
    assert!(emb.weights().row(0).iter().all(|&x| x == 0.25));
}

#[test]
fn unfreezing_after_n_epochs_trains_from_then_on() {
    let (ids, labels) = toy_data(64, 21, 81);
    let emb = layer(21, 8, 82).trainability(Trainability::Frozen).unwrap();
    let before = emb.weights().clone();
    let mut model = BagClassifier::new(emb, 2, 83).unwrap();
    model
        .train(
            ids.view(),
            &labels,
            &TrainOptions::new().epochs(2).batch_size(8).seed(84),
        )
        .unwrap();
    assert_eq!(model.embedding().weights(), &before);
    let mut model2 = BagClassifier::new(
        layer(21, 8, 82).trainability(Trainability::Frozen).unwrap(),
        2,
        83,
    )
    .unwrap();
    let opts = TrainOptions::new()
        .epochs(3)
        .batch_size(8)
        .seed(84)
        .switch_at(2, Trainability::Trainable);
    model2.train(ids.view(), &labels, &opts).unwrap();
    assert_ne!(model2.embedding().weights(), &before);
    assert_eq!(
        model2.embedding().get_trainability(),
        &Trainability::Trainable
    );
}

#[test]
fn presets_from_a_table_lock_the_pretrained_rows() {
    use RowOrigin::*;
    let origins = vec![Padding, Oov, Exact, Fallback, Missing, Exact];
    let vocab = Vocab::new(
        ["<pad>", "<unk>", "the", "The", "zyx", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    )
    .unwrap()
    .padding(0)
    .unwrap()
    .oov(1)
    .unwrap();
    let mut w = random(6, 4, 91);
    w.row_mut(0).fill(0.0);
    let table = EmbeddingTable::new(w.clone(), vocab.clone(), origins.clone()).unwrap();
    let emb = Embedding::from_table(&table).unwrap();
    assert_eq!(emb.get_padding(), Some(0));
    let ids = ndarray::array![[0i64, 1, 2, 3, 4, 5]];
    for (preset, moving) in [
        (Trainability::oov_and_random(&origins), vec![1, 4]),
        (Trainability::not_in_file(&origins), vec![1, 3, 4]),
    ] {
        let mut e = emb.clone().trainability(preset).unwrap();
        let g = e
            .backward_pooled(ids.view(), Array2::ones((1, 4)).view(), Pooling::Mean)
            .unwrap();
        SparseOptimizer::new(OptimConfig::adam(0.1))
            .unwrap()
            .step(&mut e, &g)
            .unwrap();
        for r in 0..6 {
            assert_eq!(
                e.weights().row(r) != w.row(r),
                moving.contains(&r),
                "row {r}"
            );
        }
        let out = e.into_table().unwrap();
        assert_eq!(out.origins(), &origins[..]);
        assert_eq!(out.vocab(), &vocab);
    }
    let mut copy = table.clone();
    let bad = Embedding::new(Array2::zeros((2, 4))).unwrap();
    assert!(matches!(bad.copy_into(&mut copy), Err(Error::Shape { .. })));
    assert!(bad.into_table().is_err(), "a plain layer has no vocabulary");
}

// ----- determinism ---------------------------------------------------------------------

fn train_with_threads(threads: usize) -> (Array2<f32>, Array2<f32>) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        // Wide enough that rayon splits the work.
        let (ids, labels) = toy_data(256, 401, 101);
        let mut model = BagClassifier::new(layer(401, 64, 102), 2, 103).unwrap();
        model
            .train(
                ids.view(),
                &labels,
                &TrainOptions::new().epochs(2).batch_size(128).seed(104),
            )
            .unwrap();
        (model.embedding().weights().clone(), model.weight().clone())
    })
}

#[test]
fn same_seed_gives_identical_bits_with_one_and_four_threads() {
    let one = train_with_threads(1);
    let four = train_with_threads(4);
    assert_eq!(one.0.as_slice().unwrap(), four.0.as_slice().unwrap());
    assert_eq!(one.1.as_slice().unwrap(), four.1.as_slice().unwrap());
    assert_ne!(
        one.0,
        layer(401, 64, 102).into_weights(),
        "training did move rows"
    );
}

#[test]
fn backward_is_identical_across_thread_counts() {
    let emb = layer(300, 32, 111);
    let ids = random_ids(64, 64, 300, 112);
    let g = random(64, 32, 113);
    let run = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .unwrap()
            .install(|| {
                emb.backward_pooled(ids.view(), g.view(), Pooling::Mean)
                    .unwrap()
            })
    };
    assert_eq!(run(1), run(4));
}

// ----- fast paths against the naive reference, on random shapes ------------------------

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn pooled_paths_match_the_naive_reference(
        rows in 1usize..40,
        dims in 1usize..8,
        batch in 1usize..6,
        seq in 0usize..9,
        padded in proptest::bool::ANY,
        seed in 0u64..1000,
        sum in proptest::bool::ANY,
    ) {
        let pooling = if sum { Pooling::Sum } else { Pooling::Mean };
        let mask: Vec<bool> = (0..rows).map(|r| (r as u64 + seed) % 3 != 0).collect();
        let mut emb = Embedding::new(random(rows, dims, seed)).unwrap()
            .trainability(Trainability::mask(&mask)).unwrap();
        if padded {
            emb = emb.padding(Some(0)).unwrap();
        }
        let ids = random_ids(batch, seq, rows, seed + 1);
        let fast = emb.forward_pooled(ids.view(), pooling).unwrap();
        let slow = naive_pooled(&emb, ids.view(), pooling);
        proptest::prop_assert!(fast.iter().zip(&slow).all(|(a, b)| (a - b).abs() < 1e-5));

        let g = random(batch, dims, seed + 2);
        let sparse = emb.backward_pooled(ids.view(), g.view(), pooling).unwrap();
        let mut dense = Array2::<f32>::zeros((rows, dims));
        for (i, r) in ids.rows().into_iter().enumerate() {
            let kept: Vec<usize> = r.iter().map(|&id| id as usize)
                .filter(|&id| Some(id) != emb.get_padding()).collect();
            let scale = match pooling {
                Pooling::Sum => 1.0,
                Pooling::Mean => 1.0 / kept.len().max(1) as f32,
            };
            for &id in kept.iter().filter(|&&id| mask[id]) {
                for k in 0..dims {
                    dense[[id, k]] += scale * g[[i, k]];
                }
            }
        }
        proptest::prop_assert!(sparse.rows.windows(2).all(|p| p[0] < p[1]));
        proptest::prop_assert!(sparse.rows.iter().all(|&r| mask[r] && Some(r) != emb.get_padding()));
        let got = sparse.to_dense(rows);
        proptest::prop_assert!(got.iter().zip(&dense).all(|(a, b)| (a - b).abs() < 1e-5));
    }
}
