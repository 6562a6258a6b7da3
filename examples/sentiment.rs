//! Pretrained against learned vectors, on real data: predict whether a word is
//! positive or negative from its embedding alone, and measure it on words the model
//! never saw in training.
//!
//! ```text
//! cargo run --release --example sentiment
//! cargo run --release --example sentiment -- 7     # another seed (default 2024)
//! ```
//! Labels come from the VADER sentiment lexicon (`fixtures/vader/`, MIT): a word is
//! positive when its mean human rating is at least 0.5, negative when at most -0.5,
//! and dropped otherwise. The vectors are the bundled GloVe 6B 50d subset (its
//! 20,000 most frequent words). Words are split 70/30 into train and held-out test
//! with a fixed seed, and the bag-of-embeddings classifier (one word per "text") is
//! trained four ways: a random table, trainable; the pretrained table frozen; the
//! pretrained table trainable; the pretrained table with only its missing rows
//! trainable.
//!
//! A held-out word's row never receives a gradient (its id is in no training
//! batch), so whatever the model knows about it comes from the table it started
//! with. The accuracy is also split by whether the word was found in GloVe.

use std::collections::HashSet;
use std::path::Path;
use std::time::Instant;

use pretrained_vectors::ndarray::Array2;
use pretrained_vectors::rng::Rng;
use pretrained_vectors::train::{
    BagClassifier, Embedding, OptimConfig, TrainOptions, Trainability,
};
use pretrained_vectors::{Aligner, EmbeddingTable, Vocab};

/// The seed when none is given on the command line.
const SEED: u64 = 2024;
const EPOCHS: usize = 30;
const BATCH: usize = 32;
const LR: f32 = 0.01;
const NEGATIVE: usize = 0;
const POSITIVE: usize = 1;

/// The held-out words of one kind and their labels.
struct Split {
    ids: Array2<i64>,
    labels: Vec<usize>,
}

impl Split {
    fn new(rows: &[usize], labels: &[usize]) -> Split {
        Split {
            ids: Array2::from_shape_fn((rows.len(), 1), |(i, _)| rows[i] as i64),
            labels: rows.iter().map(|&r| labels[r]).collect(),
        }
    }

    fn len(&self) -> usize {
        self.labels.len()
    }

    /// The share of the most common class: what always guessing it would score.
    fn majority(&self) -> f32 {
        let pos = self.labels.iter().filter(|&&l| l == POSITIVE).count();
        pos.max(self.len() - pos) as f32 / self.len().max(1) as f32
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.parse().map_err(|e| format!("seed {arg:?}: {e}"))?,
        None => SEED,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lexicon = std::fs::read_to_string(root.join("fixtures/vader/vader_lexicon.txt"))?;
    let (words, labels_by_word, repeats) = polar_words(&lexicon)?;

    // Row 0 pads; row r > 0 is word r - 1. Labels are indexed by row.
    let mut tokens = vec!["<pad>".to_string()];
    tokens.extend(words.iter().cloned());
    let mut labels = vec![NEGATIVE];
    labels.extend(labels_by_word);
    let vocab = Vocab::new(tokens)?.padding(0)?;
    let aligned = Aligner::new()
        .seed(seed)
        .align(root.join("fixtures/glove.6B.50d.20k.txt.gz"), vocab)?;
    let (table, report) = (aligned.table, aligned.report);

    let mut rows: Vec<usize> = (1..table.rows()).collect();
    Rng::for_key(seed, b"sentiment split").shuffle(&mut rows);
    let n_train = rows.len() * 7 / 10;
    let (train_rows, test_rows) = rows.split_at(n_train);
    let in_glove: HashSet<usize> = (0..table.rows())
        .filter(|&r| table.origins()[r].is_pretrained())
        .collect();
    let (found, missing): (Vec<usize>, Vec<usize>) =
        test_rows.iter().partition(|r| in_glove.contains(r));
    let train = Split::new(train_rows, &labels);
    let tests = [
        ("all", Split::new(test_rows, &labels)),
        ("in_glove", Split::new(&found, &labels)),
        ("not_in_glove", Split::new(&missing, &labels)),
    ];

    println!(
        "lexicon: {} polar words ({} positive, {} negative; {} repeated entries dropped)",
        words.len(),
        labels[1..].iter().filter(|&&l| l == POSITIVE).count(),
        labels[1..].iter().filter(|&&l| l == NEGATIVE).count(),
        repeats
    );
    println!(
        "glove: {} found exactly, {} by lower case, {} missing ({:.1}% coverage), aligned in {:.2} s",
        report.found_exact,
        report.found_fallback,
        report.missing,
        100.0 * report.coverage_types,
        report.seconds
    );
    println!(
        "split: {} train words ({} in glove), {} held-out words ({} in glove, {} not)",
        train.len(),
        train_rows.iter().filter(|r| in_glove.contains(r)).count(),
        tests[0].1.len(),
        tests[1].1.len(),
        tests[2].1.len()
    );
    println!(
        "majority baseline (held-out): all {:.3}  in_glove {:.3}  not_in_glove {:.3}",
        tests[0].1.majority(),
        tests[1].1.majority(),
        tests[2].1.majority()
    );
    println!(
        "training: {EPOCHS} epochs, batch {BATCH}, Adam lr {LR} for the embedding and the head, seed {seed}"
    );
    println!();
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>12} {:>8}",
        "run", "train_acc", "test_all", "test_in", "test_not_in", "seconds"
    );

    let runs: [(&str, Embedding); 4] = [
        ("random_trainable", random_embedding(&table, seed)?),
        (
            "pretrained_frozen",
            Embedding::from_table(&table)?.trainability(Trainability::Frozen)?,
        ),
        ("pretrained_trainable", Embedding::from_table(&table)?),
        (
            "pretrained_missing_only",
            Embedding::from_table(&table)?
                .trainability(Trainability::oov_and_random(table.origins()))?,
        ),
    ];
    for (name, embedding) in runs {
        let start = Instant::now();
        let mut model = BagClassifier::new(embedding, 2, seed)?
            .optimizers(OptimConfig::adam(LR), OptimConfig::adam(LR))?;
        model.train(
            train.ids.view(),
            &train.labels,
            &TrainOptions::new()
                .epochs(EPOCHS)
                .batch_size(BATCH)
                .seed(seed),
        )?;
        let seconds = start.elapsed().as_secs_f64();
        let train_acc = model.accuracy(train.ids.view(), &train.labels)?;
        let mut acc = [0.0f32; 3];
        for (a, (_, split)) in acc.iter_mut().zip(&tests) {
            *a = model.accuracy(split.ids.view(), &split.labels)?;
        }
        println!(
            "{name:<24} {train_acc:>9.3} {:>9.3} {:>9.3} {:>12.3} {seconds:>8.2}",
            acc[0], acc[1], acc[2]
        );
    }
    Ok(())
}

/// The polar words of the lexicon in file order with their labels, and how many
/// repeated entries were dropped (the lexicon lists a few tokens twice; the first
/// entry is kept).
fn polar_words(lexicon: &str) -> Result<(Vec<String>, Vec<usize>, usize), String> {
    let mut seen = HashSet::new();
    let (mut words, mut labels, mut repeats) = (Vec::new(), Vec::new(), 0);
    for (i, line) in lexicon.lines().enumerate() {
        let mut fields = line.split('\t');
        let (Some(token), Some(mean)) = (fields.next(), fields.next()) else {
            return Err(format!("vader line {}: expected token<TAB>mean", i + 1));
        };
        let mean: f32 = mean
            .parse()
            .map_err(|e| format!("vader line {}: mean {mean:?}: {e}", i + 1))?;
        if !seen.insert(token) {
            repeats += 1;
            continue;
        }
        let label = if mean >= 0.5 {
            POSITIVE
        } else if mean <= -0.5 {
            NEGATIVE
        } else {
            continue;
        };
        words.push(token.to_string());
        labels.push(label);
    }
    Ok((words, labels, repeats))
}

/// A table learned from scratch: every row drawn from Keras' default initialiser,
/// uniform in [-0.05, 0.05), the padding row zero.
fn random_embedding(
    table: &EmbeddingTable,
    seed: u64,
) -> Result<Embedding, pretrained_vectors::Error> {
    let mut rng = Rng::for_key(seed, b"sentiment random table");
    let mut w =
        Array2::from_shape_simple_fn(table.weights().dim(), || rng.uniform(-0.05, 0.05) as f32);
    w.row_mut(0).fill(0.0);
    Embedding::new(w)?.padding(Some(0))
}
