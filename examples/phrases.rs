//! The embedding layer on two phrases: "Hope to see you soon" and "Nice to see you
//! again", integer-encoded by order of appearance, looked up in `Embedding(7, 2)`
//! with input length 5.
//!
//! ```text
//! cargo run --release --example phrases
//! ```
//! The 7 x 2 table starts random (Keras' default, uniform in [-0.05, 0.05)); each
//! phrase becomes a 5 x 2 matrix, one table row per word. The words the phrases
//! share ("to see you") get the same rows.

use std::collections::HashMap;

use pretrained_vectors::ndarray::{Array2, Axis};
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::Embedding;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let phrases = ["Hope to see you soon", "Nice to see you again"];

    // Each new word gets the next id, in order of appearance.
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut words: Vec<String> = Vec::new();
    let mut encoded = Vec::new();
    for phrase in phrases {
        let seq: Vec<i64> = phrase
            .split_whitespace()
            .map(|w| {
                let w = w.to_lowercase();
                *ids.entry(w.clone()).or_insert_with(|| {
                    words.push(w);
                    words.len() as i64 - 1
                })
            })
            .collect();
        println!("{phrase:?} -> {seq:?}");
        encoded.push(seq);
    }
    let input_length = encoded[0].len();
    let batch = Array2::from_shape_fn((encoded.len(), input_length), |(i, j)| encoded[i][j]);

    // Embedding(input_dim = 7, output_dim = 2).
    let mut rng = Rng::new(42);
    let table = Array2::from_shape_simple_fn((words.len(), 2), || rng.uniform(-0.05, 0.05) as f32);
    let embedding = Embedding::new(table)?;
    println!();
    println!(
        "Embedding({}, {}), input length {input_length}: the table",
        embedding.rows(),
        embedding.dims()
    );
    for (id, row) in embedding.weights().rows().into_iter().enumerate() {
        println!(
            "table {id} {:>10.6} {:>10.6}  {}",
            row[0], row[1], words[id]
        );
    }

    let out = embedding.forward(batch.view())?;
    println!();
    println!("forward: ids {:?} -> output {:?}", batch.dim(), out.dim());
    println!("the second phrase, {:?}:", phrases[1]);
    let second = out.index_axis(Axis(0), 1);
    for (pos, row) in second.rows().into_iter().enumerate() {
        let id = batch[[1, pos]];
        println!(
            "phrase2 {pos} {:>10.6} {:>10.6}  (row {id}, {})",
            row[0], row[1], words[id as usize]
        );
    }
    Ok(())
}
