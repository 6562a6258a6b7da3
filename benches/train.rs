//! Training throughput in tokens per second at the sizes: vocabulary
//! 100,000, 300 dims, batches of 64 texts of 64 tokens, 2 threads.
//!
//! `cargo bench --bench train`. The PyTorch comparison is `benches/train_peer.sh`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::Array2;
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::{BagClassifier, Embedding, OptimConfig, Pooling, Trainability};
use std::hint::black_box;

const VOCAB: usize = 100_000;
const DIM: usize = 300;
const BATCH: usize = 64;
const SEQ: usize = 64;
const CLASSES: usize = 4;
const POOL: usize = 32;

/// A batch of ids and its labels.
type Batch = (Array2<i64>, Vec<usize>);

fn data() -> (Array2<f32>, Vec<Batch>) {
    let mut rng = Rng::new(0);
    let mut w = Array2::from_shape_simple_fn((VOCAB, DIM), || rng.normal() as f32);
    w.row_mut(0).fill(0.0);
    let batches = (0..POOL)
        .map(|_| {
            let ids = Array2::from_shape_simple_fn((BATCH, SEQ), || {
                1 + rng.below(VOCAB as u64 - 1) as i64
            });
            let labels = (0..BATCH)
                .map(|_| rng.below(CLASSES as u64) as usize)
                .collect();
            (ids, labels)
        })
        .collect();
    (w, batches)
}

fn bench(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let (weights, batches) = data();
    let mut g = c.benchmark_group("train");
    g.throughput(Throughput::Elements((BATCH * SEQ) as u64));
    g.sample_size(30);

    let emb = Embedding::new(weights.clone())
        .unwrap()
        .padding(Some(0))
        .unwrap();
    let mut it = batches.iter().cycle();
    g.bench_function("forward_pooled", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(
                    emb.forward_pooled(it.next().unwrap().0.view(), Pooling::Mean)
                        .unwrap(),
                )
            })
        })
    });
    let grad = Array2::<f32>::ones((BATCH, DIM));
    g.bench_function("backward_pooled", |b| {
        b.iter(|| {
            pool.install(|| {
                black_box(
                    emb.backward_pooled(it.next().unwrap().0.view(), grad.view(), Pooling::Mean)
                        .unwrap(),
                )
            })
        })
    });
    drop(emb);

    for (mode, t) in [
        ("frozen", Trainability::Frozen),
        ("trainable_sparse_adam", Trainability::Trainable),
    ] {
        let emb = Embedding::new(weights.clone())
            .unwrap()
            .padding(Some(0))
            .unwrap()
            .trainability(t)
            .unwrap();
        let mut model = BagClassifier::new(emb, CLASSES, 1)
            .unwrap()
            .optimizers(OptimConfig::adam(1e-3), OptimConfig::adam(1e-3))
            .unwrap();
        g.bench_function(BenchmarkId::new("step", mode), |b| {
            b.iter(|| {
                let (ids, labels) = it.next().unwrap();
                pool.install(|| black_box(model.train_step(ids.view(), labels).unwrap()))
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
