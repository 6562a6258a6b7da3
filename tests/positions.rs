//! The library names where a token came from when an output cannot hold it: the
//! line and byte (or record) of the word in a vector file, read by the engine
//! itself (mapped, gzip, binary), and the place of the token in a vocabulary file.

mod common;

use std::io::Write;
use std::path::Path;

use common::fixture;
use pretrained_vectors::vocab::PlainVocab;
use pretrained_vectors::write::OutputFormat;
use pretrained_vectors::{Aligner, Error, Position, ReadOptions};

/// `spaced.glove.txt` without its first line: its first spaced word is then deep
/// in the file. Returns the text, the word and the byte its line starts at.
fn spaced_text() -> (Vec<u8>, String, u64) {
    let bytes = std::fs::read(fixture("spaced.glove.txt")).unwrap();
    let body = bytes[memchr(&bytes, b'\n') + 1..].to_vec();
    let text = std::str::from_utf8(&body).unwrap();
    let (start, line) = text
        .split_inclusive('\n')
        .scan(0, |at, l| {
            let here = *at;
            *at += l.len();
            Some((here, l))
        })
        .find(|(_, l)| {
            l.split(' ')
                .nth(1)
                .is_some_and(|f| f.parse::<f32>().is_err())
        })
        .expect("a spaced word");
    let fields: Vec<&str> = line.trim_end().split(' ').collect();
    let word = fields[..fields.len() - 50].join(" ");
    (body, word, start as u64)
}

fn memchr(bytes: &[u8], b: u8) -> usize {
    bytes.iter().position(|&x| x == b).unwrap()
}

/// The line number of byte `at` of `bytes`.
fn line_of(bytes: &[u8], at: u64) -> u64 {
    bytes[..at as usize].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}

fn bad_token(e: &Error) -> (&Path, Position, &str) {
    match e {
        Error::BadToken {
            path, pos, token, ..
        } => (path.as_path(), *pos, &**token),
        other => panic!("expected a bad token, got {other}"),
    }
}

/// A plain conversion to word2vec text refuses a spaced word of a GloVe file
/// while reading it, at the line and byte of its row, with small buffers too
/// (chunk boundaries inside the rows), mapped or gzip-compressed.
#[test]
fn plain_conversion_names_the_vector_line_mapped_and_gzip() {
    let (body, word, start) = spaced_text();
    let line = line_of(&body, start);
    assert!(line > 10, "the word is deep in the file");
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("spaced.txt");
    std::fs::write(&txt, &body).unwrap();
    let gz = dir.path().join("spaced.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&body).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let plain = PlainVocab::new().output(OutputFormat::Word2vecText);
    for path in [&txt, &gz] {
        for small in [false, true] {
            let read = ReadOptions::new().small_buffers(small);
            let e = plain.read(path, &read).unwrap_err();
            let (p, pos, token) = bad_token(&e);
            assert_eq!(
                (p, pos, token),
                (path.as_path(), Position::line(line, start), word.as_str()),
                "{e}"
            );
            assert!(e.to_string().contains("white space"), "{e}");
        }
    }
    // GloVe text holds inner spaces: the same file converts to .txt.
    let plain = PlainVocab::new().output(OutputFormat::GloveText);
    let vectors = plain.read(&txt, &ReadOptions::new()).unwrap();
    let table = Aligner::new().convert(&txt, vectors, &plain).unwrap().table;
    assert!(table.vocab().get(&word).is_some());
}

/// A word2vec binary word that no output can hold is named by its record and the
/// byte of the word.
#[test]
fn plain_conversion_names_the_binary_record() {
    let mut bytes = std::fs::read(fixture("small.w2v.bin")).unwrap();
    let header = memchr(&bytes, b'\n') + 1;
    let dims: usize = std::str::from_utf8(&bytes[..header - 1])
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    // Walk to record 5 and put a carriage return into its word.
    let mut at = header;
    for _ in 0..4 {
        at += memchr(&bytes[at..], b' ') + 1 + 4 * dims;
        if bytes[at] == b'\n' {
            at += 1;
        }
    }
    let word_len = memchr(&bytes[at..], b' ');
    assert!(word_len >= 2, "a word of two bytes or more");
    bytes[at + 1] = b'\r';
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("cr.bin");
    std::fs::write(&bin, &bytes).unwrap();
    for format in [OutputFormat::Npy, OutputFormat::Word2vecBinary] {
        for small in [false, true] {
            let read = ReadOptions::new().small_buffers(small);
            let e = PlainVocab::new()
                .output(format)
                .read(&bin, &read)
                .unwrap_err();
            let (p, pos, token) = bad_token(&e);
            assert_eq!((p, pos), (bin.as_path(), Position::record(5, at as u64)));
            assert!(token.contains('\r'), "{e}");
        }
    }
}

/// A reserved name the output cannot hold is refused as an option, before the
/// table is built.
#[test]
fn reserved_names_meet_the_output_rule() {
    let path = fixture("small.glove.txt");
    let plain = PlainVocab::new()
        .padding("<pad> row")
        .output(OutputFormat::Word2vecBinary);
    let vectors = plain.read(&path, &ReadOptions::new()).unwrap();
    let e = Aligner::new().convert(&path, vectors, &plain).unwrap_err();
    assert!(matches!(e, Error::InvalidOption { .. }), "{e}");
    assert!(e.to_string().contains("\"<pad> row\""), "{e}");
}

/// Each row's place read back from the file: the line holding byte `byte` is
/// `line`, and the token (JSON-encoded in a JSON file, escaped once more inside
/// Keras' string-encoded `word_index`) starts there.
fn assert_placed(path: &Path, vocab: &pretrained_vectors::Vocab, json: bool) -> usize {
    let bytes = std::fs::read(path).unwrap();
    let mut placed = 0;
    for (row, token) in vocab.tokens().iter().enumerate() {
        let Some(pos) = vocab.position(row) else {
            assert!(vocab.is_reserved(row), "row {row} {token:?} has no place");
            continue;
        };
        let (line, byte) = (pos.line.unwrap(), pos.byte.unwrap() as usize);
        assert_eq!(line_of(&bytes, byte as u64), line, "{token:?}");
        let at = &bytes[byte..];
        let ok = if json {
            // A string literal there that decodes to the token, or (inside Keras'
            // string-encoded word_index) an escaped quote.
            let mut de = serde_json::Deserializer::from_slice(at).into_iter::<serde_json::Value>();
            match de.next() {
                Some(Ok(serde_json::Value::String(s))) => s == *token,
                _ => at.starts_with(b"\\\""),
            }
        } else {
            at.starts_with(token.as_bytes())
                && matches!(at.get(token.len()), None | Some(b'\n' | b'\r'))
        };
        assert!(ok, "{}: {token:?} at {pos}", path.display());
        placed += 1;
    }
    assert_eq!(vocab.source_path(), Some(path));
    placed
}

/// Token lists, BERT's vocab.txt, Keras' tokenizer JSON, Hugging Face
/// tokenizer.json and vocab.json keep each row's line and byte in their file.
#[test]
fn vocabulary_readers_keep_each_tokens_place() {
    use pretrained_vectors::vocab::{VocabKind, VocabOptions};
    use pretrained_vectors::Vocab;
    // A token list: Keras 3's saved vocabulary without its reserved first rows.
    let dir = tempfile::tempdir().unwrap();
    let keras3 = std::fs::read_to_string(fixture("keras3/vocabulary_default.txt")).unwrap();
    let list = dir.path().join("list.txt");
    std::fs::write(&list, keras3.lines().skip(2).collect::<Vec<_>>().join("\n")).unwrap();
    for (name, kind, json) in [
        (list.to_str().unwrap(), VocabKind::TokenList, false),
        (
            "keras3/vocabulary_default.txt",
            VocabKind::TextVectorization,
            false,
        ),
        ("hf/wordpiece/vocab.txt", VocabKind::BertVocab, false),
        ("keras/tokenizer_oov.json", VocabKind::KerasTokenizer, true),
        ("keras/word_index.json", VocabKind::KerasWordIndex, true),
        ("keras3/word_index.json", VocabKind::TextVectorization, true),
        ("hf/wordlevel.tokenizer.json", VocabKind::HfTokenizer, true),
        ("hf/wordpiece.tokenizer.json", VocabKind::HfTokenizer, true),
        ("hf/unigram.tokenizer.json", VocabKind::HfTokenizer, true),
        ("hf/bytelevel/vocab.json", VocabKind::HfVocabJson, true),
    ] {
        let path = fixture(name);
        let v = Vocab::read(&path, &VocabOptions::new()).unwrap();
        assert_eq!(v.get_kind(), Some(kind), "{name}");
        let placed = assert_placed(&path, &v, json);
        assert!(
            placed + 8 >= v.len(),
            "{name}: {placed} of {} placed",
            v.len()
        );
    }
}

/// A corpus fit names, for each word, the line of the first text it came from.
#[test]
fn corpus_rows_name_their_first_line() {
    use pretrained_vectors::vocab::{CorpusRules, KerasTokenizer, TextVectorization, VocabOptions};
    use pretrained_vectors::Vocab;
    for (name, rules) in [
        ("keras/corpus.txt", CorpusRules::KerasTokenizer),
        ("keras3/corpus.txt", CorpusRules::TextVectorization),
    ] {
        let path = fixture(name);
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let v = Vocab::fit_corpus(&path, rules, &VocabOptions::new()).unwrap();
        for row in (0..v.len()).filter(|&r| !v.is_reserved(r)) {
            let pos = v.position(row).unwrap();
            let (line, byte) = (pos.line.unwrap(), pos.byte.unwrap());
            assert_eq!(line_of(&bytes, byte), line);
            assert!(
                byte == 0 || bytes[byte as usize - 1] == b'\n',
                "a line start"
            );
            let word = v.tokens()[row].as_str();
            // No earlier line holds it, split by the same rules.
            let split = |t: &str| match rules {
                CorpusRules::KerasTokenizer => KerasTokenizer::new().tokenize(t),
                _ => TextVectorization::tokenize(t),
            };
            assert!(
                split(text[byte as usize..].lines().next().unwrap())
                    .iter()
                    .any(|w| w == word),
                "{name}: {word:?} not on line {line}"
            );
            assert!(
                !text[..byte as usize]
                    .lines()
                    .any(|l| split(l).iter().any(|w| w == word)),
                "{name}: {word:?} appears before line {line}"
            );
        }
    }
}

/// check_output names the vocabulary's file and the token's line and byte, for a
/// token list and for a JSON list (the byte of its element), before any vector
/// is read; the formats that can hold the token pass.
#[test]
fn check_output_names_the_vocabulary_place() {
    use pretrained_vectors::vocab::VocabOptions;
    use pretrained_vectors::Vocab;
    let dir = tempfile::tempdir().unwrap();
    let keras3 = std::fs::read_to_string(fixture("keras3/vocabulary_default.txt")).unwrap();
    let mut lines: Vec<&str> = keras3.lines().skip(2).take(6).collect();
    lines.insert(4, "new york");
    let list = dir.path().join("v.txt");
    std::fs::write(&list, lines.join("\n")).unwrap();
    let json = dir.path().join("v.json");
    std::fs::write(&json, serde_json::to_string_pretty(&lines).unwrap()).unwrap();
    for path in [&list, &json] {
        let v = Vocab::read(path, &VocabOptions::new()).unwrap();
        let e = v
            .clone()
            .check_output(OutputFormat::Word2vecBinary)
            .unwrap_err();
        let (p, pos, token) = bad_token(&e);
        assert_eq!((p, token), (path.as_path(), "new york"), "{e}");
        let bytes = std::fs::read(path).unwrap();
        let at = bytes.windows(8).position(|w| w == b"new york").unwrap() as u64;
        let at = if path == &json { at - 1 } else { at };
        assert_eq!(pos, Position::line(line_of(&bytes, at), at), "{e}");
        v.clone().check_output(OutputFormat::GloveText).unwrap();
        v.check_output(OutputFormat::Npy).unwrap();
    }
}

/// The key and position of a [`Error::JsonShape`].
fn json_shape(e: &Error) -> (&str, Option<Position>) {
    match e {
        Error::JsonShape { key, pos, .. } => (key, *pos),
        other => panic!("expected JsonShape, got {other:?}"),
    }
}

#[test]
fn json_shape_errors_name_the_line_and_byte_of_their_key() {
    use pretrained_vectors::vocab::{KerasTokenizer, VocabOptions};
    use pretrained_vectors::Vocab;
    let p = Path::new("v.json");
    let auto = VocabOptions::new();
    // (document, key, the text its position points at, line)
    for (doc, key, at, line) in [
        (
            "{\n  \"model\": {\"type\": \"WordLevel\",\n    \"vocab\": {\"a\": 0, \"b\": 2}}}",
            r#"model.vocab["b"]"#,
            r#""b": 2"#,
            3,
        ),
        (
            r#"{"model": {"type": "Wordy", "vocab": {}}}"#,
            "model.type",
            r#""type""#,
            1,
        ),
        (
            r#"{"added_tokens": [{"id": 1, "content": "a"}], "model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": []}}"#,
            "added_tokens[0].id",
            r#""id": 1"#,
            1,
        ),
        ("[\"a\",\n \"b\",\n \"a\"]", "[2]", r#""a"]"#, 3),
        ("\u{feff}[1, 2]", "$", "[1, 2]", 1),
        (
            r#"{"class_name": "Tokenizer", "config": {"word_index": "{\"a\": 1, \"b\": 0}"}}"#,
            r#"config.word_index["b"]"#,
            r#"\"b\": 0"#,
            1,
        ),
        // A word given twice: the repeat.
        (r#"{"a": 1, "b": 2, "a": 3}"#, r#""a""#, r#""a": 3"#, 1),
        // A gap, found once the table's vocabulary is made.
        (
            "{\"a\": 1,\n \"b\": 2,\n \"c\": 4}",
            r#""c""#,
            r#""c": 4"#,
            3,
        ),
    ] {
        let e = Vocab::from_bytes(p, doc.as_bytes(), &auto).unwrap_err();
        let (k, pos) = json_shape(&e);
        assert_eq!(k, key, "{doc}: {e}");
        let pos = pos.unwrap_or_else(|| panic!("{doc}: no position: {e}"));
        let byte = pos.byte.unwrap() as usize;
        assert!(
            doc.as_bytes()[byte..].starts_with(at.as_bytes()),
            "{doc}: {e}"
        );
        assert_eq!(pos.line, Some(line), "{doc}: {e}");
        assert_eq!(e.position(), Some(pos));
        assert!(e.to_string().contains(&format!("` at {pos}: ")), "{e}");
    }
    // A Keras tokenizer read on its own is placed the same.
    let path = fixture("bad/tokenizer_wrong_shape.json");
    let bytes = std::fs::read(&path).unwrap();
    let e = KerasTokenizer::read(&path).unwrap_err();
    let (_, pos) = json_shape(&e);
    let byte = pos.unwrap().byte.unwrap() as usize;
    assert!(bytes[byte..].starts_with(br#""word_index""#), "{e}");
    // No place for an absent key, nor for a tokenizer without its file's bytes.
    let e = KerasTokenizer::from_bytes(p, br#"{"class_name": "Tokenizer"}"#).unwrap_err();
    assert_eq!(json_shape(&e), ("config", None), "{e}");
    let tok = KerasTokenizer::from_bytes(p, br#"{"a": 1, "c": 3}"#).unwrap();
    let e = tok.vocab("<pad>").unwrap_err();
    assert_eq!(json_shape(&e), (r#""c""#, None), "{e}");
}
