//! Fine-tunes a small embedding table with the bag-of-embeddings classifier:
//! first only the rows the vector file did not have, then every row.
//!
//! ```text
//! cargo run --release --example fine_tune
//! ```
//! A real program would get its table from the aligner and save the result with
//! the crate's writers; here the table is made in memory so the example runs
//! anywhere.

use pretrained_vectors::ndarray::Array2;
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::{
    BagClassifier, Embedding, OptimConfig, TrainOptions, Trainability,
};
use pretrained_vectors::{EmbeddingTable, RowOrigin, Vocab};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 2 reserved rows, then 40 words; a quarter of them "missing from the file".
    let rows = 42;
    let mut tokens = vec!["<pad>".to_string(), "<unk>".to_string()];
    tokens.extend((0..40).map(|i| format!("word{i}")));
    let vocab = Vocab::new(tokens)?.padding(0)?.oov(1)?;
    let origins: Vec<RowOrigin> = (0..rows)
        .map(|r| match r {
            0 => RowOrigin::Padding,
            1 => RowOrigin::Oov,
            r if r % 4 == 0 => RowOrigin::Missing,
            _ => RowOrigin::Exact,
        })
        .collect();
    let mut rng = Rng::new(1);
    let mut weights = Array2::from_shape_simple_fn((rows, 16), || rng.normal() as f32 * 0.1);
    weights.row_mut(0).fill(0.0);
    let table = EmbeddingTable::new(weights, vocab, origins)?;

    // Texts of words 2..22 are class 0, of words 22..42 class 1; padded to 8.
    let n = 400;
    let mut ids = Array2::<i64>::zeros((n, 8));
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let y = rng.below(2) as usize;
        labels.push(y);
        for j in 0..(3 + rng.below(6) as usize) {
            ids[[i, j]] = (2 + 20 * y as u64 + rng.below(20)) as i64;
        }
    }

    let emb = Embedding::from_table(&table)?
        .trainability(Trainability::oov_and_random(table.origins()))?;
    let mut model = BagClassifier::new(emb, 2, 7)?
        .optimizers(OptimConfig::adam(0.05), OptimConfig::adam(0.05))?;
    let opts = TrainOptions::new()
        .epochs(6)
        .batch_size(32)
        .seed(7)
        .switch_at(3, Trainability::Trainable);
    for e in model.train(ids.view(), &labels, &opts)? {
        println!(
            "epoch {}: loss {:.4}, accuracy {:.3}",
            e.epoch, e.loss, e.accuracy
        );
    }
    let tuned = model.into_embedding().into_table()?;
    let moved = (0..rows)
        .filter(|&r| tuned.weights().row(r) != table.weights().row(r))
        .count();
    println!("{moved} of {rows} rows moved; the padding row stayed zero");
    Ok(())
}
