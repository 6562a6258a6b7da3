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
