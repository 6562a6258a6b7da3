//! Training throughput of the bag-of-embeddings classifier, printed the way
//! `benches/train_peer.py` prints PyTorch's, so `benches/train_peer.sh` can put the
//! two side by side.
//!
//! ```text
//! cargo run --release --example train_bench -- [vocab dim batch seq threads steps]
//! ```
//! Defaults: 100000 300 64 64 2 200. Prints one `RESULT` line per mode.

use std::time::Instant;

use pretrained_vectors::ndarray::Array2;
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::{BagClassifier, Embedding, OptimConfig, Trainability};

const CLASSES: usize = 4;
const POOL: usize = 32;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let arg = |i: usize, default: usize| args.get(i).copied().unwrap_or(default);
    let (vocab, dim, batch, seq) = (arg(0, 100_000), arg(1, 300), arg(2, 64), arg(3, 64));
    let (threads, steps) = (arg(4, 2), arg(5, 200));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()?;

    let mut rng = Rng::new(0);
    let mut weights = Array2::from_shape_simple_fn((vocab, dim), || rng.normal() as f32);
    weights.row_mut(0).fill(0.0);
    // A fixed pool of batches, cycled: ids in 1..vocab (0 is padding), labels random.
    let batches: Vec<(Array2<i64>, Vec<usize>)> = (0..POOL)
        .map(|_| {
            let ids = Array2::from_shape_simple_fn((batch, seq), || {
                1 + rng.below(vocab as u64 - 1) as i64
            });
            let labels = (0..batch)
                .map(|_| rng.below(CLASSES as u64) as usize)
                .collect();
            (ids, labels)
        })
        .collect();

    for (mode, trainability) in [
        ("frozen", Trainability::Frozen),
        ("trainable", Trainability::Trainable),
    ] {
        let emb = Embedding::new(weights.clone())?
            .padding(Some(0))?
            .trainability(trainability)?;
        let mut model = BagClassifier::new(emb, CLASSES, 1)?
            .optimizers(OptimConfig::adam(1e-3), OptimConfig::adam(1e-3))?;
        let tokens_per_s = pool.install(|| -> pretrained_vectors::Result<f64> {
            let warmup = (steps / 10).max(5);
            for (ids, labels) in batches.iter().cycle().take(warmup) {
                model.train_step(ids.view(), labels)?;
            }
            let start = Instant::now();
            for (ids, labels) in batches.iter().cycle().take(steps) {
                model.train_step(ids.view(), labels)?;
            }
            Ok((steps * batch * seq) as f64 / start.elapsed().as_secs_f64())
        })?;
        println!("RESULT impl=rust mode={mode} tokens_per_s={tokens_per_s:.0}");
    }
    Ok(())
}
