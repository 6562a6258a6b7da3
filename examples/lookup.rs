//! The embedding layer is a lookup: `Y = E[X]`, ids of shape `(batch, seq)` give
//! vectors of shape `(batch, seq, dim)`, row `X[i, j]` of the table at `Y[i, j]`.
//!
//! ```text
//! cargo run --release --example lookup
//! ```
//! A 4 x 3 table for cat, dog, bird and fish; the sequence `[0, 1, 2, 0]` (cat dog
//! bird cat) gives four rows, the first and the last the same row of the table.
//! Then the formula is checked position by position on a random batch.

use pretrained_vectors::ndarray::{s, Array2};
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::Embedding;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let animals = ["cat", "dog", "bird", "fish"];
    let mut rng = Rng::new(3);
    let table = Array2::from_shape_simple_fn((animals.len(), 3), || rng.uniform(-1.0, 1.0) as f32);
    let embedding = Embedding::new(table)?;
    println!("E, {:?}:", embedding.weights().dim());
    for (id, row) in embedding.weights().rows().into_iter().enumerate() {
        println!(
            "E {id} {:>9.5} {:>9.5} {:>9.5}  {}",
            row[0], row[1], row[2], animals[id]
        );
    }

    let seq = Array2::from_shape_vec((1, 4), vec![0i64, 1, 2, 0])?;
    let y = embedding.forward(seq.view())?;
    println!("\nX = {:?} -> Y {:?}:", seq.row(0).to_vec(), y.dim());
    for (j, row) in y.slice(s![0, .., ..]).rows().into_iter().enumerate() {
        let id = seq[[0, j]] as usize;
        println!(
            "Y {j} {:>9.5} {:>9.5} {:>9.5}  {}",
            row[0], row[1], row[2], animals[id]
        );
    }
    let first = y.slice(s![0, 0, ..]);
    let last = y.slice(s![0, 3, ..]);
    println!("first and last rows identical: {}", first == last);

    // Y = E[X] on a batch: every position holds the table row of its id.
    let (batch, len) = (8, 6);
    let x = Array2::from_shape_simple_fn((batch, len), || rng.below(animals.len() as u64) as i64);
    let y = embedding.forward(x.view())?;
    let mut equal = 0;
    for ((i, j), &id) in x.indexed_iter() {
        if y.slice(s![i, j, ..]) == embedding.weights().row(id as usize) {
            equal += 1;
        }
    }
    println!(
        "\nshape: X {:?} (batch, seq) -> Y {:?} (batch, seq, dim)",
        x.dim(),
        y.dim()
    );
    println!("Y[i, j] == E[X[i, j]] at {equal} of {} positions", x.len());
    Ok(())
}
