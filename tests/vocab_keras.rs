//! Our Keras tokenizer against the real one: the reference files in
//! `fixtures/keras/` were made by `fixtures/keras/make_reference.py` with
//! `keras-preprocessing` (see `fixtures/README.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pretrained_vectors::vocab::{
    detect_kind, pad_sequences, KerasTokenizer, PadOptions, Side, TokenFault, VocabKind,
    VocabOptions,
};
use pretrained_vectors::{Error, JsonExpected, JsonFault, JsonKind, Position, Vocab};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/keras")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn json(name: &str) -> Value {
    serde_json::from_str(&read(name)).unwrap()
}

/// Texts as make_reference.py makes them: split on "\n", a final newline ends
/// the last text.
fn lines(name: &str) -> Vec<String> {
    let text = read(name);
    let text = text.strip_suffix('\n').unwrap_or(&text);
    text.split('\n').map(str::to_string).collect()
}

/// The tokenizer configurations of make_reference.py's CONFIGS.
fn configs() -> Vec<(&'static str, KerasTokenizer)> {
    let t = KerasTokenizer::new;
    vec![
        ("default", t()),
        ("num_words_oov", t().num_words(50).oov_token("<OOV>")),
        ("num_words", t().num_words(50)),
        ("oov", t().oov_token("<OOV>")),
        (
            "custom",
            t().lower(false).filters(".,!?").split("\t").unwrap(),
        ),
        ("char_level", t().char_level(true).oov_token("?")),
        ("oov_in_texts", t().oov_token("the")),
        (
            "num_words_oov_in_texts",
            t().num_words(20).oov_token("will"),
        ),
    ]
}

fn fitted() -> Vec<(&'static str, KerasTokenizer)> {
    let corpus = lines("corpus.txt");
    configs()
        .into_iter()
        .map(|(name, mut tok)| {
            tok.fit_on_texts(&corpus);
            (name, tok)
        })
        .collect()
}

fn keras_config(name: &str) -> serde_json::Map<String, Value> {
    match json(&format!("tokenizer_{name}.json")) {
        Value::Object(mut doc) => match doc.remove("config") {
            Some(Value::Object(c)) => c,
            other => panic!("{name}: config is {other:?}"),
        },
        other => panic!("{name}: {other:?}"),
    }
}

fn inner(config: &serde_json::Map<String, Value>, key: &str) -> Value {
    serde_json::from_str(config[key].as_str().unwrap()).unwrap()
}

#[test]
fn fit_matches_keras_word_index_counts_and_docs() {
    let corpus = lines("corpus.txt");
    assert!(corpus.len() > 300 && corpus.iter().any(String::is_empty));
    for (name, tok) in fitted() {
        let keras = keras_config(name);
        assert_eq!(
            tok.document_count(),
            keras["document_count"].as_u64().unwrap(),
            "{name}"
        );
        let ours: BTreeMap<&str, i64> = tok
            .word_index()
            .iter()
            .map(|(w, i)| (w.as_str(), *i))
            .collect();
        let theirs: BTreeMap<String, i64> =
            serde_json::from_value(inner(&keras, "word_index")).unwrap();
        assert_eq!(ours.len(), theirs.len(), "{name}");
        for (w, i) in &theirs {
            assert_eq!(ours.get(w.as_str()), Some(i), "{name}: word_index[{w:?}]");
        }
        let docs: BTreeMap<String, u64> =
            serde_json::from_value(inner(&keras, "word_docs")).unwrap();
        let our_docs: BTreeMap<String, u64> = tok.word_docs().iter().cloned().collect();
        assert_eq!(our_docs, docs, "{name}: word_docs");
        let idocs: BTreeMap<String, u64> =
            serde_json::from_value(inner(&keras, "index_docs")).unwrap();
        let our_idocs: BTreeMap<String, u64> = tok
            .index_docs()
            .iter()
            .map(|(i, c)| (i.to_string(), *c))
            .collect();
        assert_eq!(our_idocs, idocs, "{name}: index_docs");
    }
}

/// Our to_json is Keras' to_json byte for byte, except word_docs and index_docs
/// whose order Keras takes from a Python set: those are compared as maps. The
/// byte equality checks the word_counts and word_index orders (first seen; by
/// count with ties in first-seen order) and Python's JSON formatting.
#[test]
fn to_json_is_keras_to_json() {
    for (name, tok) in fitted() {
        let ours: Value = serde_json::from_str(&tok.to_json()).unwrap();
        let keras = keras_config(name);
        let ours = ours["config"].as_object().unwrap();
        assert_eq!(ours.len(), keras.len(), "{name}");
        for (key, value) in &keras {
            if key == "word_docs" || key == "index_docs" {
                assert_eq!(inner(ours, key), inner(&keras, key), "{name}: {key}");
            } else {
                assert_eq!(&ours[key], value, "{name}: config.{key}");
            }
        }
        let text = tok.to_json();
        assert!(
            text.is_ascii()
                && text.starts_with(r#"{"class_name": "Tokenizer", "config": {"num_words": "#)
        );
    }
}

/// Reading Keras' JSON gives Keras' word_index (and everything else), and
/// writing it again gives Keras' file back exactly.
#[test]
fn reading_keras_json_gives_the_same_tokenizer() {
    for (name, tok) in fitted() {
        let file = format!("tokenizer_{name}.json");
        let loaded = KerasTokenizer::read(fixture(&file)).unwrap();
        assert_eq!(loaded.word_index(), tok.word_index(), "{name}");
        assert_eq!(loaded.word_counts(), tok.word_counts(), "{name}");
        assert_eq!(loaded.document_count(), tok.document_count(), "{name}");
        assert_eq!(
            (
                loaded.get_num_words(),
                loaded.get_oov_token(),
                loaded.get_filters(),
                loaded.get_split()
            ),
            (
                tok.get_num_words(),
                tok.get_oov_token(),
                tok.get_filters(),
                tok.get_split()
            ),
            "{name}"
        );
        assert_eq!(
            (loaded.get_lower(), loaded.get_char_level()),
            (tok.get_lower(), tok.get_char_level())
        );
        assert_eq!(
            loaded.to_json(),
            read(&file).trim_end(),
            "{name}: round trip"
        );
        // Our own output is read back to the same tokenizer.
        let again = KerasTokenizer::from_bytes(Path::new(""), tok.to_json().as_bytes()).unwrap();
        assert_eq!(again.to_json(), tok.to_json(), "{name}");
    }
}

#[test]
fn texts_to_sequences_match_keras() {
    let mut texts = lines("corpus.txt");
    texts.extend(lines("probe.txt"));
    for (name, tok) in fitted() {
        let want: Vec<Vec<i64>> =
            serde_json::from_value(json(&format!("sequences_{name}.json"))).unwrap();
        assert_eq!(want.len(), texts.len());
        let got = tok.texts_to_sequences(&texts);
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{name}: text {i}: {:?}", texts[i]);
        }
        let loaded = KerasTokenizer::read(fixture(&format!("tokenizer_{name}.json"))).unwrap();
        assert_eq!(
            loaded.texts_to_sequences(&texts),
            want,
            "{name}: loaded from JSON"
        );
    }
}

#[test]
fn pad_sequences_match_keras() {
    let seqs: Vec<Vec<i64>> = serde_json::from_value(json("sequences_num_words_oov.json")).unwrap();
    let cases = json("padded.json");
    let cases = cases.as_array().unwrap();
    assert!(cases.len() >= 6);
    for case in cases {
        let args = &case["args"];
        let mut options = PadOptions::new();
        if let Some(m) = args.get("maxlen") {
            options = options.maxlen(m.as_u64().unwrap() as usize);
        }
        if let Some(p) = args.get("padding") {
            options = options.padding(p.as_str().unwrap().parse::<Side>().unwrap());
        }
        if let Some(t) = args.get("truncating") {
            options = options.truncating(t.as_str().unwrap().parse::<Side>().unwrap());
        }
        if let Some(v) = args.get("value") {
            options = options.value(v.as_i64().unwrap());
        }
        let want: Vec<Vec<i64>> = serde_json::from_value(case["result"].clone()).unwrap();
        let got = pad_sequences(&seqs, &options).unwrap();
        assert_eq!(got.nrows(), want.len());
        for (i, (row, w)) in got.rows().into_iter().zip(&want).enumerate() {
            assert_eq!(&row.to_vec(), w, "{}: row {i}", case["name"]);
        }
    }
}

#[test]
fn python_lowercasing_of_unicode_words() {
    let keras: BTreeMap<String, i64> = serde_json::from_value(json("word_index.json")).unwrap();
    let tok = &fitted()[0].1;
    // Final sigma, dotted capital I, sharp s, titlecase digraph, Roman numeral.
    for word in [
        "οδος",
        "σας",
        "σ",
        "i\u{307}stanbul",
        "ıi\u{307}ii",
        "straße",
        "ǆemal",
        "ⅻ",
    ] {
        assert!(keras.contains_key(word), "fixture lacks {word:?}");
        assert_eq!(tok.index_of(word), keras.get(word).copied(), "{word:?}");
    }
}

#[test]
fn bare_word_index_is_detected_and_read() {
    let bytes = std::fs::read(fixture("word_index.json")).unwrap();
    let path = Path::new("word_index.json");
    assert_eq!(
        detect_kind(path, &bytes).unwrap(),
        VocabKind::KerasWordIndex
    );
    let doc = std::fs::read(fixture("tokenizer_default.json")).unwrap();
    assert_eq!(detect_kind(path, &doc).unwrap(), VocabKind::KerasTokenizer);

    let bare = KerasTokenizer::from_bytes(path, &bytes).unwrap();
    let full = KerasTokenizer::from_bytes(path, &doc).unwrap();
    assert_eq!(bare.word_index(), full.word_index());
    let vocab = bare.vocab("<pad>").unwrap();
    assert_eq!(vocab.len(), full.word_index().len() + 1);
    for (word, index) in full.word_index() {
        assert_eq!(vocab.get(word), Some(*index as usize));
    }
    assert_eq!(vocab.get_counts(), None, "a bare word_index has no counts");
}

#[test]
fn vocab_for_a_table_follows_keras_indices_and_num_words() {
    let tok = KerasTokenizer::read(fixture("tokenizer_num_words_oov.json")).unwrap();
    let vocab = tok.vocab("<pad>").unwrap();
    assert_eq!(vocab.len(), 50, "rows 0..num_words");
    assert_eq!(
        (vocab.token(0), vocab.token(1)),
        (Some("<pad>"), Some("<OOV>"))
    );
    assert_eq!((vocab.get_padding(), vocab.get_oov()), (Some(0), Some(1)));
    let counts = vocab.get_counts().unwrap();
    for (row, token) in vocab.tokens().iter().enumerate().skip(1) {
        assert_eq!(tok.index_of(token), Some(row as i64));
        let want = tok
            .word_counts()
            .iter()
            .find(|(w, _)| w == token)
            .map_or(0, |c| c.1);
        assert_eq!(counts[row], want, "{token}");
    }
    // Every id texts_to_sequences produces is a row of the vocabulary.
    let ids = tok.texts_to_sequences(lines("probe.txt"));
    assert!(ids
        .iter()
        .flatten()
        .all(|&i| i >= 1 && (i as usize) < vocab.len()));

    // The sidecar token list reads back to the same rows.
    let mut out = Vec::new();
    pretrained_vectors::write::write_token_list(&mut out, vocab.tokens()).unwrap();
    let back = Vocab::from_bytes(
        Path::new("table.vocab.txt"),
        &out,
        &vocab.token_list_options(),
    )
    .unwrap();
    assert_eq!(back.tokens(), vocab.tokens());
    assert_eq!(
        (back.get_padding(), back.get_oov()),
        (vocab.get_padding(), vocab.get_oov())
    );
}

/// Every config, fitted here and read from Keras' JSON: each id of Keras' own
/// sequences is a row whose token is the word Keras encoded, or the OOV row. For
/// an OOV token that is also a word, Keras leaves index 1 unused: row 1 is then
/// the reserved unused row and the word's row the OOV row.
#[test]
fn table_rows_are_the_ids_keras_produces() {
    let mut texts = lines("corpus.txt");
    texts.extend(lines("probe.txt"));
    for (name, fitted) in fitted() {
        let loaded = KerasTokenizer::read(fixture(&format!("tokenizer_{name}.json"))).unwrap();
        let want: Vec<Vec<i64>> =
            serde_json::from_value(json(&format!("sequences_{name}.json"))).unwrap();
        for tok in [&fitted, &loaded] {
            let vocab = tok.vocab("<pad>").unwrap();
            let oov_row = vocab.get_oov();
            for (text, ids) in texts.iter().zip(&want) {
                let words = tok.tokenize(text);
                let mut known = words.iter().filter_map(|w| tok.index_of(w));
                for &id in ids {
                    let row = id as usize;
                    assert!(
                        row < vocab.len(),
                        "{name}: id {id} past {} rows",
                        vocab.len()
                    );
                    if Some(row) != oov_row {
                        assert_eq!(
                            vocab.token(row),
                            tok.word_index()
                                .iter()
                                .find(|(_, i)| *i == id)
                                .map(|(w, _)| w.as_str()),
                            "{name}"
                        );
                        assert!(known.any(|i| i == id), "{name}: {id} in {text:?}");
                    }
                }
            }
            let keras_oov = tok.get_oov_token().and_then(|t| tok.index_of(t));
            assert_eq!(oov_row.map(|r| r as i64), keras_oov, "{name}");
            // char_level's "?" is a character of the texts too.
            let in_texts = tok
                .get_oov_token()
                .is_some_and(|t| tok.word_counts().iter().any(|(w, _)| w == t));
            assert_eq!(
                in_texts,
                name.ends_with("oov_in_texts") || name == "char_level"
            );
            if in_texts {
                assert_eq!(vocab.get_unused(), Some(1), "{name}");
                assert_eq!(vocab.token(1), Some("<unused>"));
                assert!(ids_never(&want, 1), "{name}: Keras never emits 1");
                assert_eq!(vocab.token(oov_row.unwrap()), tok.get_oov_token());
            } else {
                assert_eq!(vocab.get_unused(), None, "{name}");
            }
        }
    }
}

fn ids_never(seqs: &[Vec<i64>], id: i64) -> bool {
    seqs.iter().flatten().all(|&i| i != id)
}

// ----- bad input --------------------------------------------------------------

fn keras_err(bytes: &str) -> Error {
    KerasTokenizer::from_bytes(Path::new("tok.json"), bytes.as_bytes()).unwrap_err()
}

/// The key and the fault of a [`Error::JsonShape`].
fn shape(e: &Error) -> (&str, &JsonFault) {
    match e {
        Error::JsonShape { key, fault, .. } => (key, fault),
        other => panic!("expected JsonShape, got {other:?}"),
    }
}

/// A [`JsonFault::WrongValue`] with the value's text, when the test needs it.
fn wrong(expected: JsonExpected, found: JsonKind, value: Option<&str>) -> JsonFault {
    JsonFault::WrongValue {
        expected,
        found,
        value: value.map(str::to_string),
    }
}

#[test]
fn text_that_is_not_json_names_line_and_column() {
    let text = "{\n  \"the\": 1,\n  \"cat\" 2\n}";
    let e = keras_err(text);
    match &e {
        Error::Json { pos, column, .. } => {
            assert_eq!((pos.line, *column), (Some(3), 9), "{e}");
            // The byte is the one the parser stopped at: the `2` after `"cat"`.
            let byte = pos.byte.unwrap() as usize;
            assert_eq!(&text[byte..byte + 1], "2", "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("tok.json: invalid JSON at line 3, column 9"),
        "{e}"
    );
}

#[test]
fn json_that_is_not_a_tokenizer_names_the_key() {
    assert_eq!(
        shape(&keras_err("[1, 2]")),
        (
            "$",
            &wrong(JsonExpected::KerasDocument, JsonKind::Array, None)
        )
    );
    assert_eq!(
        shape(&keras_err(
            r#"{"class_name": "TextVectorization", "config": {}}"#
        )),
        (
            "class_name",
            &wrong(
                JsonExpected::TokenizerClass,
                JsonKind::String,
                Some(r#""TextVectorization""#)
            )
        )
    );
    assert_eq!(
        shape(&keras_err(r#"{"class_name": "Tokenizer"}"#)),
        (
            "config",
            &JsonFault::Missing {
                expected: JsonExpected::TokenizerConfig
            }
        )
    );
    assert_eq!(
        shape(&keras_err(r#"{"class_name": "Tokenizer", "config": []}"#)),
        (
            "config",
            &wrong(JsonExpected::TokenizerConfig, JsonKind::Array, None)
        )
    );
    let doc = |config: &str| format!(r#"{{"class_name": "Tokenizer", "config": {config}}}"#);
    let e = keras_err(&doc(r#"{"lower": "yes", "word_index": "{}"}"#));
    assert_eq!(
        shape(&e),
        (
            "config.lower",
            &wrong(JsonExpected::Bool, JsonKind::String, Some(r#""yes""#))
        )
    );
    assert!(
        e.to_string()
            .contains("expected true or false, found \"yes\""),
        "{e}"
    );
    for (config, key, expected, found) in [
        (
            r#"{"filters": 1}"#,
            "config.filters",
            JsonExpected::String,
            JsonKind::Number,
        ),
        (
            r#"{"oov_token": 1}"#,
            "config.oov_token",
            JsonExpected::StringOrNull,
            JsonKind::Number,
        ),
        (
            r#"{"num_words": -1}"#,
            "config.num_words",
            JsonExpected::CountOrNull,
            JsonKind::Number,
        ),
        (
            r#"{"word_index": 1}"#,
            "config.word_index",
            JsonExpected::EncodedObject,
            JsonKind::Number,
        ),
        (
            r#"{"index_docs": "{\"x\": 1}"}"#,
            r#"config.index_docs["x"]"#,
            JsonExpected::IndexKey,
            JsonKind::String,
        ),
        (
            r#"{"index_docs": "{\"1\": true}"}"#,
            r#"config.index_docs["1"]"#,
            JsonExpected::Count,
            JsonKind::Bool,
        ),
    ] {
        let e = keras_err(&doc(config));
        let (k, fault) = shape(&e);
        assert!(
            k == key
                && matches!(fault, JsonFault::WrongValue { expected: x, found: f, .. }
                    if (*x, *f) == (expected, found)),
            "{config}: {e}"
        );
    }
    let e = keras_err(&doc(r#"{"word_index": "{\"a\": 1,"}"#));
    assert!(
        matches!(
            shape(&e),
            ("config.word_index", JsonFault::EncodedJson { .. })
        ),
        "{e}"
    );
    let e = keras_err(&doc(r#"{"word_index": "{\"a\": 1, \"b\": 0}"}"#));
    assert_eq!(
        shape(&e),
        (
            r#"config.word_index["b"]"#,
            &wrong(JsonExpected::PositiveIndex, JsonKind::Number, Some("0"))
        )
    );
    let e = keras_err(&doc(
        r#"{"word_counts": "{\"a\": -1}", "word_index": "{}"}"#,
    ));
    assert_eq!(
        shape(&e),
        (
            r#"config.word_counts["a"]"#,
            &wrong(JsonExpected::Count, JsonKind::Number, Some("-1"))
        )
    );
    let e = keras_err(&doc(
        r#"{"word_docs": "{\"a\": 1, \"a\": 2}", "word_index": "{}"}"#,
    ));
    assert_eq!(
        shape(&e),
        (
            r#"config.word_docs["a"]"#,
            &JsonFault::DuplicateWord { word: "a".into() }
        )
    );
    let e = keras_err(&doc(r#"{"split": "", "word_index": "{}"}"#));
    assert_eq!(
        shape(&e),
        (
            "config.split",
            &wrong(
                JsonExpected::NonEmptySeparator,
                JsonKind::String,
                Some(r#""""#)
            )
        )
    );
    assert!(
        e.to_string().starts_with("tok.json: key `config.split`"),
        "{e}"
    );
}

#[test]
fn bad_word_index_entries_name_their_key() {
    for value in [r#""2""#, "2.5"] {
        let e = keras_err(&format!(r#"{{"a": 1, "b": {value}}}"#));
        assert!(
            matches!(
                shape(&e),
                (
                    r#""b""#,
                    JsonFault::WrongValue {
                        expected: JsonExpected::PositiveIndex,
                        ..
                    }
                )
            ),
            "{e}"
        );
    }
    assert_eq!(
        shape(&keras_err(r#"{"a": 1, "b": 2, "a": 3}"#)),
        (r#""a""#, &JsonFault::DuplicateWord { word: "a".into() })
    );
    let e = keras_err(r#"{"a": 1, "b": 2, "c": 2}"#);
    assert_eq!(
        shape(&e),
        (
            r#""c""#,
            &JsonFault::DuplicateId {
                id: 2,
                token: "b".into()
            }
        )
    );
    // Gaps are refused when the table's vocabulary is made.
    let tok =
        KerasTokenizer::from_bytes(Path::new("wi.json"), br#"{"a": 1, "b": 2, "c": 4}"#).unwrap();
    let e = tok.vocab("<pad>").unwrap_err();
    assert_eq!(
        shape(&e),
        (r#""c""#, &JsonFault::IndexGap { index: 4, due: 3 })
    );
    assert!(
        e.to_string()
            .starts_with("wi.json: key `\"c\"`: expected indices 1, 2, 3"),
        "{e}"
    );
    // A word a token list cannot hold.
    let tok = KerasTokenizer::from_bytes(Path::new("wi.json"), br#"{"a": 1, "b\nc": 2}"#).unwrap();
    assert_eq!(
        shape(&tok.vocab("<pad>").unwrap_err()),
        (
            r#""b\nc""#,
            &JsonFault::BadToken {
                token: "b\nc".into(),
                id: 2,
                fault: TokenFault::LineBreak
            }
        )
    );
}

#[test]
fn empty_vocabularies_are_refused() {
    let tok = KerasTokenizer::from_bytes(Path::new("wi.json"), b"{}").unwrap();
    let e = tok.vocab("<pad>").unwrap_err();
    assert!(matches!(e, Error::EmptyVocab { .. }), "{e}");
    assert_eq!(e.path(), Some(Path::new("wi.json")));
    let e = Vocab::from_bytes(Path::new("v.txt"), b"", &VocabOptions::new()).unwrap_err();
    assert!(matches!(e, Error::EmptyVocab { .. }), "{e}");
}

#[test]
fn token_list_errors_name_file_and_line() {
    let o = VocabOptions::new().kind(VocabKind::TokenList);
    let e = Vocab::from_bytes(Path::new("v.txt"), b"the\ncat\nthe\n", &o).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"v.txt: line 3, byte 8: duplicate token "the" (first at line 1, byte 0); expected each token once"#
    );
    let e = Vocab::from_bytes(Path::new("v.txt"), b"the\ncat\rdog\n", &o).unwrap_err();
    assert!(
        matches!(e, Error::BadToken { pos, .. } if pos == Position::line(2, 4)),
        "{e}"
    );
    let e = Vocab::from_bytes(Path::new("v.txt"), b"the\n\ncat\n", &o).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("v.txt: line 2, byte 4: bad token \"\": blank line"),
        "{e}"
    );
}
