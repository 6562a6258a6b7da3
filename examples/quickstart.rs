//! The library in one example: vocabulary -> table -> embedding -> train.
//!
//! ```text
//! cargo run --release --example quickstart
//! ```
//! A Keras-style tokenizer is fitted on six short reviews, its vocabulary is aligned
//! to the bundled GloVe subset, and a bag-of-embeddings classifier is trained with
//! the pretrained rows frozen and only the rows GloVe lacked trainable.

use pretrained_vectors::train::{
    BagClassifier, Embedding, OptimConfig, TrainOptions, Trainability,
};
use pretrained_vectors::vocab::{pad_sequences, KerasTokenizer, PadOptions};
use pretrained_vectors::Aligner;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let texts = [
        "a wonderful, lovely film",
        "great acting and a happy end",
        "I loved it",
        "a terrible, sooo boring film",
        "awful acting, unwatchable",
        "I hated it",
    ];
    let labels = [1, 1, 1, 0, 0, 0];
    let mut tokenizer = KerasTokenizer::new();
    tokenizer.fit_on_texts(texts);
    let ids = pad_sequences(
        &tokenizer.texts_to_sequences(texts),
        &PadOptions::new().with_maxlen(6),
    );
    let glove = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/glove.6B.50d.20k.txt.gz"
    );
    let aligned = Aligner::new()
        .seed(1)
        .align(glove, tokenizer.vocab("<pad>")?)?;
    let r = &aligned.report;
    println!(
        "{} rows: {} found in GloVe, {} missing (trainable)",
        r.vocab_size,
        r.found(),
        r.missing
    );
    let embedding = Embedding::from_table(&aligned.table)?
        .with_trainability(Trainability::oov_and_random(aligned.table.origins()))?;
    let mut model = BagClassifier::new(embedding, 2, 1)?
        .with_optimizers(OptimConfig::adam(0.05), OptimConfig::adam(0.05))?;
    let history = model.train(ids.view(), &labels, &TrainOptions::new(40, 2, 1))?;
    let last = history.last().expect("40 epochs");
    println!(
        "loss {:.4} after {} epochs, accuracy {:.2}",
        last.loss,
        history.len(),
        model.accuracy(ids.view(), &labels)?
    );
    Ok(())
}
