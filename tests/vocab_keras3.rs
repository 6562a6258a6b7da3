//! Keras 3 `TextVectorization` against the real library: the fixtures in
//! fixtures/keras3/ were made by Keras 3.15 on TensorFlow 2.21
//! (fixtures/keras3/make_reference.py).

mod common;

use common::fixture;
use pretrained_vectors::vocab::{TextVectorization, VocabKind, VocabOptions};
use pretrained_vectors::{Aligner, RowOrigin, Vocab};

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("keras3/{name}"))).unwrap()
}

/// `get_vocabulary()`: the saved file's lines (it has no final newline).
fn keras_vocabulary(name: &str) -> Vec<String> {
    let t = text(&format!("vocabulary_{name}.txt"));
    assert!(!t.ends_with('\n'), "Keras 3 writes no final newline");
    t.split('\n').map(String::from).collect()
}

#[test]
fn the_saved_vocabulary_file_reads_with_padding_and_oov_rows() {
    for name in ["default", "max_tokens_50", "max_tokens_20_seq_len_5"] {
        let want = keras_vocabulary(name);
        let path = fixture(&format!("keras3/vocabulary_{name}.txt"));
        let v = Vocab::read(&path, &VocabOptions::new()).unwrap();
        assert_eq!(v.get_kind(), Some(VocabKind::TextVectorization), "{name}");
        assert_eq!(v.tokens(), want, "{name}");
        assert_eq!((v.get_padding(), v.get_oov()), (Some(0), Some(1)), "{name}");
    }
}

#[test]
fn the_word_index_dict_of_keras_io_reads_to_the_same_rows() {
    let path = fixture("keras3/word_index.json");
    let v = Vocab::read(&path, &VocabOptions::new()).unwrap();
    assert_eq!(v.get_kind(), Some(VocabKind::TextVectorization));
    assert_eq!(v.tokens(), keras_vocabulary("default"));
    assert_eq!((v.get_padding(), v.get_oov()), (Some(0), Some(1)));
}

#[test]
fn the_table_has_exactly_the_vocabularys_rows() {
    // keras.io sizes its matrix len(voc) + 2; ours is len(voc), row i for id i.
    let want = keras_vocabulary("default");
    let path = fixture("keras3/word_index.json");
    let v = Vocab::read(&path, &VocabOptions::new()).unwrap();
    let a = Aligner::new()
        .align(fixture("glove.6B.50d.20k.txt.gz"), v)
        .unwrap();
    let t = a.table;
    assert_eq!(t.rows(), want.len());
    assert_eq!(&t.origins()[..2], &[RowOrigin::Padding, RowOrigin::Oov]);
    assert!(t.weights().row(0).iter().all(|&x| x == 0.0));
    assert_eq!(a.report.vocab_kind, Some(VocabKind::TextVectorization));
    let glove = pretrained_vectors::read(fixture("glove.6B.50d.20k.txt.gz")).unwrap();
    let the = want.iter().position(|w| w == "the").unwrap();
    assert_eq!(t.weights().row(the), glove.get("the").unwrap());
}

fn texts(path: &str) -> Vec<String> {
    let t = std::fs::read_to_string(fixture(path)).unwrap();
    let mut out: Vec<String> = t.split('\n').map(String::from).collect();
    if out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

fn configs() -> Vec<(&'static str, TextVectorization)> {
    vec![
        ("default", TextVectorization::new()),
        ("max_tokens_50", TextVectorization::new().max_tokens(50)),
        (
            "seq_len_8",
            TextVectorization::new().output_sequence_length(8),
        ),
        (
            "max_tokens_20_seq_len_5",
            TextVectorization::new()
                .max_tokens(20)
                .output_sequence_length(5),
        ),
    ]
}

#[test]
fn adapt_gives_keras_3s_vocabulary_ties_included() {
    let bytes = std::fs::read(fixture("keras3/corpus.txt")).unwrap();
    for (name, mut tv) in configs() {
        tv.adapt_corpus(&fixture("keras3/corpus.txt"), &bytes)
            .unwrap();
        assert_eq!(tv.vocabulary(), keras_vocabulary(name), "{name}");
        let v = tv.vocab().unwrap();
        assert_eq!(v.tokens(), keras_vocabulary(name), "{name}");
        assert_eq!(
            (v.get_padding(), v.get_oov(), v.get_kind()),
            (Some(0), Some(1), Some(VocabKind::TextVectorization))
        );
    }
}

#[test]
fn encoding_is_keras_3s_with_output_sequence_length() {
    let mut encode = texts("keras3/corpus.txt");
    encode.extend(texts("keras/probe.txt"));
    let corpus = texts("keras3/corpus.txt");
    for (name, mut tv) in configs() {
        tv.adapt(&corpus);
        let want: Vec<Vec<i64>> =
            serde_json::from_str(&text(&format!("sequences_{name}.json"))).unwrap();
        let got = tv.encode(&encode);
        assert_eq!(got.len(), want.len(), "{name}");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{name}: text {i} {:?}", encode[i]);
        }
    }
}
