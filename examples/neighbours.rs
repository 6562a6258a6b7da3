//! Nearest neighbours and analogies on the bundled real GloVe subset (6B, 50d, the
//! 20,000 most frequent words), to show the loaded vectors are right.
//!
//! ```text
//! cargo run --release --example neighbours
//! ```
//! Similarity is the cosine. The analogy `a - b + c` ranks every word but `a`, `b`
//! and `c` by cosine with `a - b + c` (the 3CosAdd rule of Mikolov et al. 2013):
//! `king - man + woman` should land near `queen`.

use std::path::Path;

use pretrained_vectors::ndarray::{Array1, Array2, ArrayView1, Axis};
use pretrained_vectors::Vectors;

const TOP: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/glove.6B.50d.20k.txt.gz");
    let vectors = pretrained_vectors::read(&path)?;
    println!(
        "read {} words x {} dims from {}",
        vectors.len(),
        vectors.dims(),
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    let unit = unit_rows(&vectors);

    for word in ["king", "frog", "computer", "paris"] {
        let v = vector(&vectors, word)?;
        let best = nearest(&vectors, &unit, v.view(), &[word]);
        println!("\nneighbours of {word}:");
        for (w, score) in best {
            println!("  {w:<12} {score:.4}");
        }
    }

    for [a, b, c] in [
        ["king", "man", "woman"],
        ["paris", "france", "italy"],
        ["walking", "walk", "swim"],
    ] {
        let q = &(&vector(&vectors, a)? - &vector(&vectors, b)?) + &vector(&vectors, c)?;
        let best = nearest(&vectors, &unit, q.view(), &[a, b, c]);
        println!("\n{a} - {b} + {c}:");
        for (w, score) in best {
            println!("  {w:<12} {score:.4}");
        }
    }
    Ok(())
}

fn vector(vectors: &Vectors, word: &str) -> Result<Array1<f32>, String> {
    vectors
        .get(word)
        .map(|v| v.to_owned())
        .ok_or_else(|| format!("{word:?} is not in the vectors"))
}

/// Every row scaled to length 1 (a zero row stays zero).
fn unit_rows(vectors: &Vectors) -> Array2<f32> {
    let mut m = vectors.matrix().to_owned();
    for mut row in m.axis_iter_mut(Axis(0)) {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row /= norm;
        }
    }
    m
}

/// The `TOP` words most similar to `query` by cosine, leaving out `exclude`.
fn nearest(
    vectors: &Vectors,
    unit: &Array2<f32>,
    query: ArrayView1<'_, f32>,
    exclude: &[&str],
) -> Vec<(String, f32)> {
    let norm = query.dot(&query).sqrt().max(f32::MIN_POSITIVE);
    let scores = unit.dot(&query) / norm;
    let mut order: Vec<usize> = (0..scores.len())
        .filter(|&i| !exclude.contains(&vectors.words()[i].as_str()))
        .collect();
    order.sort_by(|&i, &j| scores[j].total_cmp(&scores[i]).then(i.cmp(&j)));
    order
        .into_iter()
        .take(TOP)
        .map(|i| (vectors.words()[i].clone(), scores[i]))
        .collect()
}
