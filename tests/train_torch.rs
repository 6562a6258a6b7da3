//! The optimizers and the classifier against real PyTorch on identical inputs:
//! `fixtures/torch/adam_reference.json` was made by
//! `fixtures/torch/make_reference.py` with `torch.optim.Adam`,
//! `torch.optim.SparseAdam` and an `EmbeddingBag` + `Linear` model (see
//! `fixtures/README.md`).

use ndarray::{Array1, Array2};
use pretrained_vectors::train::*;
use serde_json::Value;

fn reference() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/torch/adam_reference.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn vec1(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn mat(v: &Value) -> Array2<f32> {
    let rows: Vec<Vec<f32>> = v.as_array().unwrap().iter().map(vec1).collect();
    let cols = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).unwrap()
}

/// The Adam of `reference()`'s constants, as the fixture's (float32) values.
fn adam(r: &Value) -> OptimConfig {
    let betas = vec1(&r["betas"]);
    OptimConfig {
        method: Method::Adam {
            beta1: betas[0],
            beta2: betas[1],
            eps: r["eps"].as_f64().unwrap() as f32,
        },
        lr: r["lr"].as_f64().unwrap() as f32,
    }
}

/// Largest |a - b| / (1 + |b|).
fn worst(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x - y).abs() / (1.0 + f64::from(y).abs()))
        .fold(0.0, f64::max)
}

const TOL: f64 = 1e-6;

#[test]
fn dense_adam_is_torch_optim_adam() {
    let r = reference();
    let case = &r["dense_adam"];
    let mut params = vec1(&case["params"]);
    let mut opt = DenseOptimizer::new(adam(&r), params.len()).unwrap();
    let mut worst_seen: f64 = 0.0;
    for (t, (g, want)) in case["grads"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["after_each_step"].as_array().unwrap())
        .enumerate()
    {
        opt.step(&mut params, &vec1(g)).unwrap();
        let err = worst(&params, &vec1(want));
        assert!(err < TOL, "step {}: {err:e}\n{params:?}\n{want}", t + 1);
        worst_seen = worst_seen.max(err);
    }
    eprintln!("dense Adam vs torch.optim.Adam: worst relative difference {worst_seen:e}");
}

#[test]
fn sparse_adam_is_torch_sparse_adam_and_counts_empty_steps() {
    let r = reference();
    let case = &r["sparse_adam"];
    let mut emb = Embedding::new(mat(&case["weights"])).unwrap();
    let mut opt = SparseOptimizer::new(adam(&r)).unwrap();
    let steps = case["steps"].as_array().unwrap();
    assert!(steps
        .iter()
        .any(|s| s["rows"].as_array().unwrap().is_empty()));
    for (t, (s, want)) in steps
        .iter()
        .zip(case["after_each_step"].as_array().unwrap())
        .enumerate()
    {
        let rows: Vec<usize> = s["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        let grads = if rows.is_empty() {
            Array2::zeros((0, emb.dims()))
        } else {
            mat(&s["grads"])
        };
        opt.step(&mut emb, &SparseGrad { rows, grads }).unwrap();
        let want = mat(want);
        let err = worst(emb.weights().as_slice().unwrap(), want.as_slice().unwrap());
        assert!(err < TOL, "step {}: {err:e}", t + 1);
    }
    assert_eq!(opt.steps(), case["step_count"].as_u64().unwrap());
}

/// The whole model: pooled forward, sparse gradients with locked rows left out,
/// SparseAdam on the embedding and Adam on the head; batches that touch no
/// trainable row still count as SparseAdam steps.
#[test]
fn classifier_with_locked_rows_trains_as_pytorch() {
    let r = reference();
    let case = &r["classifier"];
    let trainable: Vec<bool> = case["trainable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_bool().unwrap())
        .collect();
    let emb = Embedding::new(mat(&case["embedding"]))
        .unwrap()
        .padding(Some(0))
        .unwrap()
        .trainability(Trainability::mask(&trainable))
        .unwrap();
    let weight = mat(&case["linear_weight"]);
    let mut model = BagClassifier::new(emb, weight.nrows(), 0)
        .unwrap()
        .optimizers(adam(&r), adam(&r))
        .unwrap();
    *model.weight_mut() = weight;
    *model.bias_mut() = Array1::from(vec1(&case["linear_bias"]));
    let mut idle = 0;
    for (b, (batch, loss)) in case["batches"]
        .as_array()
        .unwrap()
        .iter()
        .zip(case["losses"].as_array().unwrap())
        .enumerate()
    {
        let ids = mat(&batch["ids"]).mapv(|x| x as i64);
        let labels: Vec<usize> = batch["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        idle += usize::from(ids.iter().all(|&i| !trainable[i as usize]));
        let (ours, _) = model.train_step(ids.view(), &labels).unwrap();
        let theirs = loss.as_f64().unwrap();
        assert!(
            (f64::from(ours) - theirs).abs() < 1e-5,
            "batch {b}: loss {ours} vs {theirs}"
        );
    }
    assert!(idle >= 5, "{idle} batches without a trainable row");
    for (ours, key) in [
        (model.embedding().weights().clone(), "final_embedding"),
        (model.weight().clone(), "final_linear_weight"),
    ] {
        let want = mat(&case[key]);
        let err = worst(ours.as_slice().unwrap(), want.as_slice().unwrap());
        assert!(err < TOL, "{key}: {err:e}");
    }
    let err = worst(
        model.bias().as_slice().unwrap(),
        &vec1(&case["final_linear_bias"]),
    );
    assert!(err < TOL, "bias: {err:e}");
}
