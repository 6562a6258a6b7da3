//! `glove-to-table --vocab` with every vocabulary kind: detection by structure,
//! `--vocab-format`, the kind in summary and report, special rows and pieces.
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Output;

use common::{fixture, run, stderr};
use pretrained_vectors::{npy, read};

const GLOVE: &str = "glove.6B.50d.20k.txt.gz";

fn ok(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    stderr(o)
}

fn report(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn keras_3_vocabulary_file_gives_exactly_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let vocab = fixture("keras3/vocabulary_default.txt");
    let out = dir.path().join("t.npy");
    let rep = dir.path().join("r.json");
    let summary = ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &vocab,
        &"-o",
        &out,
        &"--report",
        &rep,
    ]));
    assert!(
        summary.contains("Keras 3 TextVectorization vocabulary"),
        "{summary}"
    );
    let lines = std::fs::read_to_string(&vocab).unwrap().split('\n').count();
    let table = npy::read(&out).unwrap();
    assert_eq!(table.nrows(), lines);
    assert!(table.row(0).iter().all(|&x| x == 0.0));
    assert_eq!(report(&rep)["vocab_kind"], "text-vectorization");
    // The sidecar is Keras' own layout: an empty first line, then [UNK].
    let sidecar = std::fs::read_to_string(dir.path().join("t.vocab.txt")).unwrap();
    assert!(sidecar.starts_with("\n[UNK]\n"), "{sidecar:?}");
}

#[test]
fn hf_tokenizer_reports_pieces_and_special_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.npy");
    let rep = dir.path().join("r.json");
    let vocab = fixture("hf/wordpiece.tokenizer.json");
    let summary = ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &vocab,
        &"--special-init",
        &"zeros",
        &"-o",
        &out,
        &"--report",
        &rep,
    ]));
    assert!(summary.contains("Hugging Face tokenizer.json"), "{summary}");
    assert!(summary.contains("4 special (zeros)"), "{summary}");
    assert!(summary.contains("continuation"), "{summary}");
    let r = report(&rep);
    assert_eq!(r["vocab_kind"], "hf-tokenizer");
    let kinds: Vec<&str> = r["pieces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["word", "continuation", "special"]);
    let table = npy::read(&out).unwrap();
    for row in [2, 3, 4] {
        assert!(
            table.row(row).iter().all(|&x| x == 0.0),
            "[CLS] [SEP] [MASK]"
        );
    }
}

#[test]
fn token_lists_that_look_like_json_and_json_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let glove = read(fixture(GLOVE)).unwrap();
    // Issue 11 item 6: a first token `{` is a token, not JSON.
    let list = dir.path().join("braces.txt");
    std::fs::write(&list, "{\nthe\n}\ncat\n").unwrap();
    let out = dir.path().join("a.npy");
    let summary = ok(&run(&[&fixture(GLOVE), &"--vocab", &list, &"-o", &out]));
    assert!(summary.contains("token list"), "{summary}");
    let t = npy::read(&out).unwrap();
    assert_eq!(t.nrows(), 4);
    assert_eq!(t.row(1), glove.get("the").unwrap());
    // A JSON array of strings is a token list, one row per element.
    let json = dir.path().join("list.json");
    std::fs::write(&json, r#"["<pad>", "the", "cat", "New York"]"#).unwrap();
    let out = dir.path().join("b.npy");
    let summary = ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &json,
        &"--pad-token",
        &"<pad>",
        &"-o",
        &out,
    ]));
    assert!(summary.contains("JSON token list"), "{summary}");
    let t = npy::read(&out).unwrap();
    assert_eq!(t.nrows(), 4);
    assert_eq!(t.row(2), glove.get("cat").unwrap());
    // --vocab-format insists: the same file read as lines is one row.
    let out = dir.path().join("c.npy");
    ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &json,
        &"--vocab-format",
        &"token-list",
        &"-o",
        &out,
    ]));
    assert_eq!(npy::read(&out).unwrap().nrows(), 1);
    // A kind the file is not: a positioned error, exit 1.
    let out = dir.path().join("d.npy");
    let o = run(&[
        &fixture(GLOVE),
        &"--vocab",
        &list,
        &"--vocab-format",
        &"hf-tokenizer",
        &"-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("invalid JSON at line 2"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("drop --vocab-format"), "{}", stderr(&o));
    // --max-words is for Keras 2 tokenizers only.
    let o = run(&[
        &fixture(GLOVE),
        &"--vocab",
        &json,
        &"--max-words",
        &"2",
        &"-o",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("JSON token list"), "{}", stderr(&o));
}

#[test]
fn gpt2_vocab_json_and_bert_vocab_txt() {
    let dir = tempfile::tempdir().unwrap();
    let glove = read(fixture(GLOVE)).unwrap();
    let out = dir.path().join("g.npy");
    let rep = dir.path().join("g.json");
    let vocab = fixture("hf/bytelevel/vocab.json");
    let summary = ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &vocab,
        &"-o",
        &out,
        &"--report",
        &rep,
    ]));
    assert!(summary.contains("Hugging Face vocab.json"), "{summary}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&vocab).unwrap()).unwrap();
    let the = v["Ġthe"].as_u64().unwrap() as usize;
    assert_eq!(npy::read(&out).unwrap().row(the), glove.get("the").unwrap());
    assert_eq!(report(&rep)["vocab_kind"], "hf-vocab-json");

    let out = dir.path().join("b.npy");
    let summary = ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &fixture("hf/wordpiece/vocab.txt"),
        &"-o",
        &out,
    ]));
    assert!(summary.contains("BERT vocab.txt"), "{summary}");
    assert!(summary.contains("padding (zeros), OOV"), "{summary}");
}

#[test]
fn corpus_with_text_vectorization_rules_is_keras_3s_vocabulary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.npy");
    let corpus = fixture("keras3/corpus.txt");
    ok(&run(&[
        &fixture(GLOVE),
        &"--corpus",
        &corpus,
        &"--corpus-rules",
        &"text-vectorization",
        &"--max-words",
        &"50",
        &"-o",
        &out,
    ]));
    let keras = std::fs::read_to_string(fixture("keras3/vocabulary_max_tokens_50.txt")).unwrap();
    let sidecar = std::fs::read_to_string(dir.path().join("t.vocab.txt")).unwrap();
    assert_eq!(sidecar, keras + "\n");
    assert_eq!(npy::read(&out).unwrap().nrows(), 50);
    let o = run(&[
        &fixture(GLOVE),
        &"--corpus",
        &corpus,
        &"--corpus-rules",
        &"text-vectorization",
        &"--oov-token",
        &"<unk>",
        &"-o",
        &dir.path().join("u.npy"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("[UNK]"), "{}", stderr(&o));
}

/// Reserved-token and `--max-words` settings the vocabulary cannot take: the
/// library's `ReservedToken` / `NotForKind` (checked by their fields), which the CLI
/// words with the flag, exit 2, before any output.
#[test]
fn settings_the_vocabulary_cannot_take_are_usage_errors_naming_the_flag() {
    use pretrained_vectors::vocab::{VocabKind, VocabOptions, VocabSetting};
    use pretrained_vectors::{Error, Vocab};

    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("tokens.txt");
    std::fs::write(&list, "the\nof\nand\n").unwrap();
    let e = Vocab::read(&list, &VocabOptions::new().padding("<pad>")).unwrap_err();
    assert!(
        matches!(&e, Error::ReservedToken { path, setting: VocabSetting::Padding, asked, kind: VocabKind::TokenList, has: None }
            if path == &list && asked == "<pad>"),
        "{e:?}"
    );
    let oov = fixture("keras/tokenizer_oov.json");
    let e = Vocab::read(&oov, &VocabOptions::new().oov("<unk>")).unwrap_err();
    assert!(
        matches!(&e, Error::ReservedToken { setting: VocabSetting::Oov, asked, has: Some(has), .. }
            if asked == "<unk>" && has == "<OOV>"),
        "{e:?}"
    );
    let e = Vocab::read(&list, &VocabOptions::new().max_words(2)).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::NotForKind {
                setting: VocabSetting::MaxWords,
                kind: VocabKind::TokenList,
                ..
            }
        ),
        "{e:?}"
    );

    let glove = fixture(GLOVE);
    let corpus = fixture("keras/corpus.txt");
    let plain = fixture("keras/tokenizer_default.json");
    let out = dir.path().join("t.npy");
    let cases: [(&[&dyn AsRef<std::ffi::OsStr>], &str); 5] = [
        (
            &[&"--vocab", &list, &"--pad-token", &"<pad>"],
            "--pad-token \"<pad>\" is not a token of this",
        ),
        (
            &[&"--vocab", &oov, &"--oov-token", &"<unk>"],
            "the tokenizer's OOV token is \"<OOV>\", not \"<unk>\"; drop --oov-token",
        ),
        (
            &[&"--vocab", &plain, &"--oov-token", &"<unk>"],
            "the tokenizer has no OOV token",
        ),
        (
            &[&"--vocab", &list, &"--max-words", &"2"],
            "--max-words applies to",
        ),
        (
            &[
                &"--corpus",
                &corpus,
                &"--corpus-rules",
                &"text-vectorization",
                &"--pad-token",
                &"x",
            ],
            "--pad-token does not apply to --corpus-rules text-vectorization",
        ),
    ];
    for (extra, expected) in cases {
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&glove, &"-o", &out];
        args.extend_from_slice(extra);
        let o = run(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(expected), "expected {expected:?} in {err}");
        assert!(!err.contains("::"), "library terms in {err}");
        assert!(!out.exists(), "no output after {err}");
    }
}

#[test]
fn broken_json_vocabularies_name_the_key_and_hint_only_when_of_no_kind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.npy");
    let vocab = dir.path().join("wi.json");
    // A Keras word_index with a gap: of a known kind, broken inside.
    let json = r#"{"the": 1, "cat": 2, "dog": 4}"#;
    std::fs::write(&vocab, json).unwrap();
    let o = run(&[&fixture(GLOVE), &"--vocab", &vocab, &"-o", &out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let at = json.find(r#""dog""#).unwrap();
    let want = format!("key `\"dog\"` at line 1, byte {at}: expected indices 1, 2, 3");
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    assert!(!stderr(&o).contains("hint:"), "{}", stderr(&o));
    // JSON of no vocabulary kind: the hint lists the kinds.
    std::fs::write(&vocab, "[1, 2]").unwrap();
    let o = run(&[&fixture(GLOVE), &"--vocab", &vocab, &"-o", &out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("key `$`"), "{}", stderr(&o));
    assert!(stderr(&o).contains("hint: --vocab takes"), "{}", stderr(&o));
    assert!(!out.exists());
}
