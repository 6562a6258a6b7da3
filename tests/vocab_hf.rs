//! Hugging Face vocabularies against the real `tokenizers` library: the fixtures in
//! fixtures/hf/ were trained and saved by it (fixtures/hf/make_reference.py), and
//! its `get_vocab()` and `decode()` are the truth for rows and word forms.

mod common;

use std::path::Path;

use common::fixture;
use pretrained_vectors::vocab::{PieceKind, TokenFault, VocabKind, VocabOptions};
use pretrained_vectors::{Aligner, Error, JsonExpected, JsonFault, JsonKind, RowOrigin, Vocab};
use serde_json::Value;

struct Truth {
    vocab: Vec<String>,
    special: Vec<usize>,
    pad: Option<String>,
    decoded: Vec<String>,
}

fn truth(name: &str) -> Truth {
    let text = std::fs::read_to_string(fixture(&format!("hf/{name}.truth.json"))).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let strings = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    Truth {
        vocab: strings("vocab"),
        special: v["special"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_u64().unwrap() as usize)
            .collect(),
        pad: v["pad"].as_str().map(String::from),
        decoded: strings("decoded"),
    }
}

fn read(path: &Path) -> Vocab {
    Vocab::read(path, &VocabOptions::new()).unwrap_or_else(|e| panic!("{e}"))
}

/// The word form `decode([id])` implies for a piece: no leading space, nothing for
/// bytes that are not a whole character.
fn expected_form<'a>(name: &str, token: &'a str, decoded: &'a str) -> Option<&'a str> {
    if decoded.contains('\u{fffd}') {
        return None;
    }
    // WordPiece's decoder keeps `##` on a piece decoded alone.
    let form = match name {
        "wordpiece" => token
            .strip_prefix("##")
            .filter(|r| !r.is_empty())
            .unwrap_or(token),
        _ => decoded.strip_prefix(' ').unwrap_or(decoded),
    };
    (!form.is_empty()).then_some(form)
}

const MODELS: [(&str, Option<usize>); 5] = [
    ("wordlevel", Some(1)),
    ("wordpiece", Some(1)),
    ("bytelevel", None),
    ("bpe_suffix", Some(1)),
    ("unigram", Some(1)),
];

#[test]
fn tokenizer_json_rows_are_get_vocab_order_with_reserved_rows() {
    for (name, unk) in MODELS {
        let t = truth(name);
        let v = read(&fixture(&format!("hf/{name}.tokenizer.json")));
        assert_eq!(v.get_kind(), Some(VocabKind::HfTokenizer), "{name}");
        assert_eq!(v.tokens(), t.vocab, "{name}");
        let pad = t
            .pad
            .as_deref()
            .map(|p| t.vocab.iter().position(|x| x == p).unwrap());
        assert_eq!(v.get_padding(), pad, "{name}");
        assert_eq!(v.get_oov(), unk, "{name}");
        let specials: Vec<usize> = t
            .special
            .iter()
            .copied()
            .filter(|&s| Some(s) != pad && Some(s) != unk)
            .collect();
        assert_eq!(v.get_specials(), specials, "{name}");
        // Tokens added after training (not special) come after the model's rows and
        // are looked up as written.
        let added = v.get("New York").unwrap();
        assert_eq!(added, t.vocab.len() - 2, "{name}");
        assert_eq!(
            (v.piece_kind(added), v.lookup_form(added)),
            (PieceKind::Word, Some("New York")),
            "{name}"
        );
    }
}

#[test]
fn pieces_are_looked_up_by_the_form_the_tokenizer_decodes_them_to() {
    for (name, _) in MODELS {
        let t = truth(name);
        let v = read(&fixture(&format!("hf/{name}.tokenizer.json")));
        let mut kinds = std::collections::BTreeMap::new();
        for r in 0..v.len() {
            let kind = v.piece_kind(r);
            *kinds.entry(kind).or_insert(0) += 1;
            if v.is_reserved(r) {
                assert_eq!(
                    (kind, v.lookup_form(r)),
                    (PieceKind::Special, None),
                    "{name} {r}"
                );
                continue;
            }
            if r >= t.vocab.len() - 3 {
                // Added after training: matched as written.
                assert_eq!(
                    (kind, v.lookup_form(r)),
                    (PieceKind::Word, Some(&*t.vocab[r]))
                );
                continue;
            }
            let want = expected_form(name, &t.vocab[r], &t.decoded[r]);
            assert_eq!(v.lookup_form(r), want, "{name} row {r} {:?}", t.vocab[r]);
            if t.decoded[r].contains('\u{fffd}') {
                assert_eq!(kind, PieceKind::Bytes, "{name} row {r}");
            }
        }
        let expected: &[PieceKind] = match name {
            "wordlevel" => &[PieceKind::Word],
            "wordpiece" => &[PieceKind::Word, PieceKind::Continuation],
            "bytelevel" => &[
                PieceKind::WordStart,
                PieceKind::Continuation,
                PieceKind::Bytes,
            ],
            "bpe_suffix" => &[PieceKind::Continuation, PieceKind::WordEnd],
            _ => &[PieceKind::WordStart, PieceKind::Continuation],
        };
        for k in expected {
            assert!(kinds.contains_key(k), "{name}: no {k:?} piece in {kinds:?}");
        }
    }
}

#[test]
fn bert_vocab_txt_and_gpt2_vocab_json() {
    let t = truth("wordpiece");
    let v = read(&fixture("hf/wordpiece/vocab.txt"));
    assert_eq!(v.get_kind(), Some(VocabKind::BertVocab));
    // model.save() writes the model's vocabulary: the rows before the added tokens.
    assert_eq!(v.tokens(), &t.vocab[..v.len()]);
    assert_eq!(v.len(), t.vocab.len() - 3);
    assert_eq!(
        (v.get_padding(), v.get_oov(), v.get_specials()),
        (Some(0), Some(1), &[2, 3, 4][..])
    );
    let r = (0..v.len())
        .find(|&r| t.vocab[r].starts_with("##"))
        .unwrap();
    assert_eq!(v.piece_kind(r), PieceKind::Continuation);
    assert_eq!(v.lookup_form(r), Some(&t.vocab[r][2..]));

    let t = truth("bytelevel");
    let v = read(&fixture("hf/bytelevel/vocab.json"));
    assert_eq!(v.get_kind(), Some(VocabKind::HfVocabJson));
    assert_eq!(v.tokens(), &t.vocab[..v.len()]);
    assert_eq!(
        (v.get_padding(), v.get_oov(), v.get_specials()),
        (None, None, &[0][..])
    );
    for r in 1..v.len() {
        assert_eq!(
            v.lookup_form(r),
            expected_form("bytelevel", &t.vocab[r], &t.decoded[r]),
            "row {r}"
        );
    }
    let e = Vocab::read(fixture("hf/bytelevel/merges.txt"), &VocabOptions::new()).unwrap_err();
    assert!(matches!(e, Error::WrongFormat { .. }), "{e}");
}

#[test]
fn aligned_pieces_take_the_vectors_of_their_word_forms() {
    let glove = pretrained_vectors::read(fixture("glove.6B.50d.20k.txt.gz")).unwrap();
    for (name, _) in MODELS {
        let v = read(&fixture(&format!("hf/{name}.tokenizer.json")));
        let a = Aligner::new().align_vectors(&glove, v.clone()).unwrap();
        let t = &a.table;
        assert_eq!(a.report.vocab_kind, Some(VocabKind::HfTokenizer));
        let pieces = a.report.pieces.as_ref().unwrap();
        assert_eq!(
            pieces.iter().map(|p| p.rows).sum::<usize>(),
            v.len(),
            "{name}"
        );
        let mut continuations = 0;
        for r in 0..v.len() {
            let origin = t.origins()[r];
            if v.is_special(r) {
                assert_eq!(origin, RowOrigin::Special, "{name} {r}");
                // As the OOV row: the mean of the vectors found.
                assert_eq!(
                    t.weights().row(r),
                    t.weights().row(v.get_oov().unwrap_or(r))
                );
            }
            if origin == RowOrigin::Exact {
                let form = v.lookup_form(r).unwrap();
                assert_eq!(
                    t.weights().row(r),
                    glove.get(form).unwrap(),
                    "{name} {form}"
                );
                continuations += usize::from(v.piece_kind(r) == PieceKind::Continuation);
            }
        }
        if name != "wordlevel" {
            assert!(continuations > 0, "{name}: no continuation piece found");
        }
    }
}

#[test]
fn options_override_the_files_reserved_names() {
    let path = fixture("hf/unigram.tokenizer.json");
    let v = Vocab::read(&path, &VocabOptions::new().padding("</s>").oov("<s>")).unwrap();
    assert_eq!((v.get_padding(), v.get_oov()), (Some(3), Some(2)));
    // `<pad>` is still special (an added special token), now a special row.
    assert!(v.is_special(0));
}

#[test]
fn hostile_tokenizer_json_gives_errors() {
    let p = Path::new("tokenizer.json");
    let o = VocabOptions::new().kind(VocabKind::HfTokenizer);
    let wrong = |expected, found| JsonFault::WrongValue {
        expected,
        found,
        value: None,
    };
    let number = |expected, value: &str| JsonFault::WrongValue {
        expected,
        found: JsonKind::Number,
        value: Some(value.into()),
    };
    let bad_token = |token: &str, id| JsonFault::BadToken {
        token: token.into(),
        id,
        fault: TokenFault::LineBreak,
    };
    for (json, key, fault) in [
        (
            r#"{"model": 3}"#,
            "model",
            number(JsonExpected::TokenizerModel, "3"),
        ),
        (
            r#"{"model": {"type": "BPE", "vocab": []}}"#,
            "model.vocab",
            wrong(JsonExpected::IdObject, JsonKind::Array),
        ),
        (
            r#"{"model": {"type": "Unigram", "vocab": {}}}"#,
            "model.vocab",
            wrong(JsonExpected::UnigramPairs, JsonKind::Object),
        ),
        (
            r#"{"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": 3}}"#,
            "model.unk_token",
            number(JsonExpected::StringOrNull, "3"),
        ),
        (
            r#"{"model": {"type": "Unigram", "vocab": [["a", 0.0]], "unk_id": 9}}"#,
            "model.unk_id",
            JsonFault::IdOutOfRange { id: 9, tokens: 1 },
        ),
        (
            r#"{"added_tokens": [{"id": 1}], "model": {"type": "WordLevel", "vocab": {"a": 0}}}"#,
            "added_tokens[0]",
            wrong(JsonExpected::AddedToken, JsonKind::Object),
        ),
        (
            r#"{"added_tokens": [{"id": 99999999999, "content": "b"}], "model": {"type": "WordLevel", "vocab": {"a": 0}}}"#,
            "added_tokens[0]",
            JsonFault::IdOutOfRange {
                id: 99999999999,
                tokens: 2,
            },
        ),
        (
            r#"{"added_tokens": [{"id": 1, "content": "b"}, {"id": 2, "content": "b"}], "model": {"type": "WordLevel", "vocab": {"a": 0}}}"#,
            "added_tokens[1]",
            JsonFault::DuplicateToken {
                token: "b".into(),
                first: "added_tokens[0]".into(),
            },
        ),
        (
            r#"{"added_tokens": 1, "model": {"type": "WordLevel", "vocab": {"a": 0}}}"#,
            "added_tokens",
            number(JsonExpected::AddedTokens, "1"),
        ),
        (
            r#"{"model": {"type": "Unigram", "vocab": [["a", 0.0], ["\r", -1.0]]}}"#,
            "model.vocab[1]",
            bad_token("\r", 1),
        ),
        (
            r#"{"model": {"type": "WordLevel", "vocab": {"a": 0, "b\nc": 1}}}"#,
            r#"model.vocab["b\nc"]"#,
            bad_token("b\nc", 1),
        ),
    ] {
        let e = Vocab::from_bytes(p, json.as_bytes(), &o).unwrap_err();
        assert!(
            matches!(&e, Error::JsonShape { key: k, fault: f, .. } if k == key && **f == fault),
            "{json}: {e:?}"
        );
    }
}
