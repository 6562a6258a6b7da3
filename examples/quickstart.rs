//! The library in one example: vocabulary -> table -> embedding -> train.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```
//! A Keras-style tokenizer is fitted on six short reviews, its vocabulary is aligned
//! to the bundled GloVe subset, and a bag-of-embeddings classifier is trained with
//! the pretrained rows frozen and only the rows GloVe lacked trainable. The README
//! shows this file from `use` to the end; `tests/examples.rs` checks they agree.

use pretrained_vectors::train::{
    BagClassifier, Embedding, OptimConfig, TrainOptions, Trainability,
};
use pretrained_vectors::vocab::{pad_sequences, KerasTokenizer, PadOptions};
use pretrained_vectors::{Aligned, Aligner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let texts = [
        "a lovely film",
        "I loved it",
        "sooo good",
        "a dull film",
        "I hated it",
        "unwatchable",
    ];
    let labels = [1, 1, 1, 0, 0, 0];
    let mut tokenizer = KerasTokenizer::new();
    tokenizer.fit_on_texts(texts);
    let ids = pad_sequences(
        &tokenizer.texts_to_sequences(texts),
        &PadOptions::new().maxlen(4),
    )?;
    let glove = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/glove.6B.50d.20k.txt.gz"
    );
    let Aligned { table, report } = Aligner::new().align(glove, tokenizer.vocab("<pad>")?)?;
    println!(
        "{} rows: {} found in GloVe, {} missing",
        table.rows(),
        report.found,
        report.missing
    );
    let trainable = Trainability::oov_and_random(table.origins()); // only the missing rows
    let embedding = Embedding::from_table(&table)?.trainability(trainable)?;
    let mut model = BagClassifier::new(embedding, 2, 1)?
        .optimizers(OptimConfig::adam(0.05), OptimConfig::adam(0.05))?;
    model.train(
        ids.view(),
        &labels,
        &TrainOptions::new().epochs(40).batch_size(2).seed(1),
    )?;
    println!(
        "training accuracy {:.2}",
        model.accuracy(ids.view(), &labels)?
    );
    Ok(())
}
