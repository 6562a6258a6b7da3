//! Words a vector file lacks still get meaningful vectors from a native fastText
//! model: the nearest neighbours of misspelt words, none of them in the model's
//! dictionary, computed from the rows of their character n-grams.
//!
//! ```text
//! cargo run --release --example misspelt [WORD...]
//! ```
//! The model is `fixtures/fasttext/docs.bin`, a real skip-gram model (32 dims,
//! n-grams of 3 to 6 characters, 4,625 words) that the official `fasttext`
//! package trained on Python's documentation and docstrings
//! (`fixtures/fasttext/make_models.py`). A `.vec` of the same model holds only
//! the dictionary's words: there, every word below would be a random row.
//! Similarity is the cosine, over every dictionary word's `getWordVector`.

use std::path::Path;
use std::sync::Arc;

use ndarray::{Array1, Array2, Axis};
use pretrained_vectors::{FastTextModel, Utf8Policy};

const TOP: usize = 5;

/// Misspelt words of Python's documentation (a letter dropped, doubled, swapped
/// or wrong).
const WORDS: &[&str] = &[
    "atribute",
    "modul",
    "dictonary",
    "paramter",
    "charachter",
    "directroy",
    "integr",
    "objct",
    "keywrod",
    "excepton",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fasttext/docs.bin");
    let model = Arc::new(FastTextModel::read(&path)?);
    let (minn, maxn) = model.ngram_lengths();
    println!(
        "{}: {} words, {} dims, n-grams of {minn} to {maxn} characters",
        path.file_name().unwrap_or_default().to_string_lossy(),
        model.word_count(),
        model.dims()
    );
    // Every dictionary word's vector, exactly as fastText computes it.
    let vectors = model.to_vectors(Utf8Policy::Strict)?;
    let unit = unit_rows(vectors.matrix().to_owned());

    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = if args.is_empty() {
        WORDS.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for &word in &words {
        let known = model.word_id(word.as_bytes()).is_some();
        let query = model.word_vector(word);
        let best = nearest(vectors.words(), &unit, &query, word);
        let names: Vec<&str> = best.iter().map(|(w, _)| w.as_str()).collect();
        println!(
            "{word:<12} -> {}{}",
            names.join(", "),
            if known { "   (in the dictionary)" } else { "" }
        );
    }
    Ok(())
}

/// Every row scaled to length 1 (a zero row stays zero).
fn unit_rows(mut m: Array2<f32>) -> Array2<f32> {
    for mut row in m.axis_iter_mut(Axis(0)) {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row /= norm;
        }
    }
    m
}

/// The `TOP` words most similar to `query`, the query word itself left out.
fn nearest(
    words: &[String],
    unit: &Array2<f32>,
    query: &Array1<f32>,
    skip: &str,
) -> Vec<(String, f32)> {
    let norm = query.dot(query).sqrt();
    if norm == 0.0 {
        return Vec::new();
    }
    let scores = unit.dot(&(query / norm));
    let mut ranked: Vec<(usize, f32)> = scores.iter().copied().enumerate().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked
        .into_iter()
        .filter(|&(i, _)| words[i] != skip)
        .take(TOP)
        .map(|(i, s)| (words[i].clone(), s))
        .collect()
}
