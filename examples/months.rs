//! Month numbers as tokens: `Embedding(12 + 1, 3)` over sequences of length 1000,
//! with a Keras-style summary of the layer, trainable and frozen.
//!
//! ```text
//! cargo run --release --example months
//! ```
//! Months are ids 1 to 12. The `+ 1` is row 0, kept for padding: sequences shorter
//! than 1000 are filled with 0, and the layer's mask (Keras' `mask_zero=True`)
//! marks those positions so pooling and later layers skip them. Without it, the
//! largest id (12) would be past a 12-row table.

use pretrained_vectors::ndarray::Array2;
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::{Embedding, Trainability};

const SEQ_LEN: usize = 1000;

fn summary(embedding: &Embedding, output_shape: &[usize]) {
    let params = embedding.weights().len();
    let trainable = if embedding.is_frozen() { 0 } else { params };
    let shape = output_shape[1..]
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let rule = "_".repeat(62);
    println!("{rule}");
    println!(
        "{:<28}{:<24}{:>10}",
        "Layer (type)", "Output Shape", "Param #"
    );
    println!("{}", "=".repeat(62));
    println!(
        "{:<28}{:<24}{:>10}",
        "embedding (Embedding)",
        format!("(None, {shape})"),
        params
    );
    println!("{}", "=".repeat(62));
    println!("Total params: {params}");
    println!("Trainable params: {trainable}");
    println!("Non-trainable params: {}", params - trainable);
    println!("{rule}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let months = 12;
    let mut rng = Rng::new(7);
    let table = Array2::from_shape_simple_fn((months + 1, 3), || rng.uniform(-0.05, 0.05) as f32);
    let embedding = Embedding::new(table)?.padding(Some(0))?;

    // A batch of two sequences of month numbers: one full, one of 30 months
    // padded with 0 up to the length 1000.
    let mut ids = Array2::<i64>::zeros((2, SEQ_LEN));
    for j in 0..SEQ_LEN {
        ids[[0, j]] = 1 + rng.below(months as u64) as i64;
    }
    for j in 0..30 {
        ids[[1, j]] = 1 + (j % months) as i64;
    }
    let (out, mask) = embedding.forward_masked(ids.view())?;
    println!("input {:?} -> output {:?}", ids.dim(), out.dim());

    println!("\ntrainable:");
    summary(&embedding, out.shape());
    let frozen = embedding.clone().trainability(Trainability::Frozen)?;
    println!("\nfrozen (trainable=False):");
    summary(&frozen, out.shape());

    println!(
        "\nwhy {} rows for {months} months: ids run 1..={months} and row 0 is padding",
        embedding.rows()
    );
    let real: Vec<usize> = mask
        .rows()
        .into_iter()
        .map(|r| r.iter().filter(|&&m| m).count())
        .collect();
    println!(
        "mask: sequence 0 has {} real positions, sequence 1 has {} (the rest are padding, id 0)",
        real[0], real[1]
    );
    let too_small = Embedding::new(Array2::zeros((months, 3)))?;
    match too_small.forward(ids.view()) {
        Ok(_) => println!("a {months}-row table accepted the ids"),
        Err(e) => println!("a {months}-row table refuses them: {e}"),
    }
    Ok(())
}
