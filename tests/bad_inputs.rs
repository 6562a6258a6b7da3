//! The bad-input catalogue: every class of broken input gets its exact error, with
//! the position a user needs to find it. Fixtures are in `fixtures/bad/`, made by
//! `fixtures/make_fixtures.py`; README.md has the table.

mod common;

use common::*;
use pretrained_vectors::{
    Error, Format, IoAction, JsonExpected, JsonFault, JsonKind, Position, ReadOptions, Vocab,
};

fn read_err(name: &str) -> Error {
    read_err_with(ReadOptions::new(), name)
}

fn read_err_with(opts: ReadOptions, name: &str) -> Error {
    let path = fixture(name);
    let e = opts.read(&path).expect_err(name);
    assert_eq!(e.path(), Some(path.as_path()), "{name}: {e}");
    e
}

/// Byte offset where `needle` first occurs in the fixture.
fn offset_of(name: &str, needle: &[u8]) -> u64 {
    let bytes = std::fs::read(fixture(name)).unwrap();
    bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap() as u64
}

/// Byte offset of the start of 1-based `line`.
fn line_start(name: &str, line: u64) -> u64 {
    let bytes = std::fs::read(fixture(name)).unwrap();
    if line == 1 {
        return 0;
    }
    bytes
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(line as usize - 2)
        .unwrap()
        .0 as u64
        + 1
}

#[test]
fn empty_and_blank_files() {
    assert!(matches!(read_err("bad/empty.txt"), Error::Empty { .. }));
    assert!(matches!(read_err("bad/blank.txt"), Error::Empty { .. }));
}

#[test]
fn header_only() {
    let e = read_err("bad/header_only.vec");
    assert!(
        matches!(
            e,
            Error::HeaderOnly {
                rows: 300,
                dims: 50,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn broken_headers() {
    for name in [
        "bad/header_nonnumeric.vec",
        "bad/header_negative.vec",
        "bad/header_zero.vec",
    ] {
        let e = read_err(name);
        assert!(matches!(e, Error::BadHeader { .. }), "{name}: {e}");
        assert_eq!(e.position(), Some(Position::line(1, 0)), "{name}");
    }
}

#[test]
fn hostile_header_fails_before_allocating() {
    let e = read_err("bad/header_huge.vec");
    assert!(
        matches!(
            e,
            Error::HeaderTooLarge {
                rows: 1_000_000_000_000,
                dims: 50,
                ..
            }
        ),
        "{e}"
    );
    let e = read_err("bad/header_huge_dims.bin");
    assert!(
        matches!(
            e,
            Error::TooLarge {
                what: "dims in the header",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn ragged_rows() {
    let e = read_err("bad/ragged_short.txt");
    assert!(
        matches!(
            e,
            Error::RaggedRow {
                expected: 50,
                found: 39,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.position(),
        Some(Position::line(4, line_start("bad/ragged_short.txt", 4)))
    );
    let e = read_err("bad/ragged_long.txt");
    assert!(
        matches!(
            e,
            Error::RaggedRow {
                expected: 50,
                found: 51,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        e.position(),
        Some(Position::line(3, line_start("bad/ragged_long.txt", 3)))
    );
    // A header whose dims disagree with the rows.
    let e = read_err("bad/dims_mismatch.vec");
    assert!(
        matches!(
            e,
            Error::RaggedRow {
                expected: 49,
                found: 50,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(e.position().unwrap().line, Some(2));
}

#[test]
fn unparsable_float_names_line_field_and_byte() {
    let e = read_err("bad/bad_float.txt");
    let Error::BadFloat {
        field,
        ref text,
        pos,
        ..
    } = e
    else {
        panic!("{e}")
    };
    assert_eq!((field, text.as_str()), (7, "0.3x1"));
    assert_eq!(
        pos,
        Position::line(3, offset_of("bad/bad_float.txt", b"0.3x1"))
    );
}

#[test]
fn nan_and_inf_are_refused_by_default() {
    let e = read_err("bad/nan.txt");
    let Error::NonFinite { field, pos, .. } = e else {
        panic!("{e}")
    };
    assert_eq!(field, 10);
    assert_eq!(pos, Position::line(4, offset_of("bad/nan.txt", b"nan")));
    let e = read_err("bad/inf.txt");
    assert!(matches!(e, Error::NonFinite { field: 20, .. }), "{e}");
    assert_eq!(e.position().unwrap().line, Some(2));
    let e = read_err("bad/nonfinite.bin");
    assert!(matches!(e, Error::NonFinite { field: 5, .. }), "{e}");
    assert_eq!(e.position().unwrap().record, Some(3));
}

#[test]
fn bad_utf8_names_the_byte() {
    let e = read_err("bad/bad_utf8.txt");
    let at = offset_of("bad/bad_utf8.txt", b"\xe9");
    assert!(matches!(e, Error::BadUtf8 { lossy: true, .. }), "{e}");
    assert_eq!(e.position(), Some(Position::line(5, at)));
    assert!(e.to_string().contains("Utf8Policy::Lossy"), "{e}");
}

#[test]
fn bad_utf8_in_a_token_list_or_corpus_asks_for_utf8_not_a_lossy_read() {
    use pretrained_vectors::vocab::{CorpusRules, VocabOptions};
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("vocab.txt");
    std::fs::write(&list, b"the\ncaf\xe9\n").unwrap();
    let e = Vocab::read(&list, &VocabOptions::new()).unwrap_err();
    assert!(matches!(e, Error::BadUtf8 { lossy: false, .. }), "{e}");
    assert_eq!(e.position(), Some(Position::line(2, 7)));
    assert!(!e.to_string().contains("Lossy"), "{e}");
    let corpus = dir.path().join("corpus.txt");
    std::fs::write(&corpus, b"a fine day\nun caf\xe9\n").unwrap();
    let e = Vocab::fit_corpus(&corpus, CorpusRules::default(), &VocabOptions::new()).unwrap_err();
    assert!(matches!(e, Error::BadUtf8 { lossy: false, .. }), "{e}");
    assert_eq!(e.position(), Some(Position::line(2, 17)));
}

#[test]
fn missing_word() {
    let e = read_err("bad/missing_word.txt");
    assert!(matches!(e, Error::MissingWord { expected: 50, .. }), "{e}");
    assert_eq!(
        e.position(),
        Some(Position::line(2, line_start("bad/missing_word.txt", 2)))
    );
}

#[test]
fn truncated_binary_record() {
    let bytes = std::fs::read(fixture("bad/truncated.bin")).unwrap();
    let e = read_err("bad/truncated.bin");
    let Error::TruncatedRecord {
        pos,
        expected,
        available,
        ..
    } = e
    else {
        panic!("{e}")
    };
    assert_eq!(pos.record, Some(5));
    assert_eq!(available, bytes.len() as u64 - pos.byte.unwrap());
    assert!(expected > available);
}

/// Files of another kind are named by what their bytes say, through the public
/// reader, with a suggested format only where one reads them.
#[test]
fn other_kinds_of_file_are_named() {
    use pretrained_vectors::{FileKind, FormatFault};
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let gzip = |bytes: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(bytes).unwrap();
        z.finish().unwrap()
    };
    let text = std::fs::read_to_string(fixture("small.glove.txt")).unwrap();
    let mut npy = Vec::new();
    pretrained_vectors::npy::write_matrix(&mut npy, ndarray::Array2::<f32>::ones((2, 3)).view())
        .unwrap();
    let utf16: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let model = std::fs::read(fixture("fasttext/cbow.bin")).unwrap();
    let nested = gzip(&std::fs::read(fixture("small.glove.txt.gz")).unwrap());
    let cases = [
        (write("t.npy", &npy), None, FileKind::Npy, None),
        (write("u.txt", &utf16), None, FileKind::Utf16Be, None),
        (write("n.txt.gz", &nested), None, FileKind::NestedGzip, None),
        (
            write("m.bin", &model),
            Some(Format::Glove),
            FileKind::FastTextModel,
            Some(Format::FastTextBin),
        ),
        // A gzip-compressed model reads as a model; asked for as text, it is named.
        (
            write("m.bin.gz", &gzip(&model)),
            Some(Format::Word2vecText),
            FileKind::FastTextModel,
            Some(Format::FastTextBin),
        ),
    ];
    for (path, format, want, suggested) in cases {
        let e = ReadOptions::new()
            .format_opt(format)
            .read(&path)
            .unwrap_err();
        match &e {
            Error::WrongFormat {
                fault: FormatFault::OtherKind(kind),
                suggest,
                pos,
                path: p,
            } => {
                assert_eq!((*kind, *suggest), (want, suggested), "{e}");
                assert_eq!((p, *pos), (&path, Position::byte(0)), "{e}");
            }
            other => panic!("{}: {other:?}", path.display()),
        }
        assert!(!e.to_string().contains("--"), "library terms only: {e}");
    }
}

#[test]
fn binary_read_as_text_gets_a_hint() {
    let e = read_err_with(
        ReadOptions::new().format(Format::Word2vecText),
        "bad/binary_as_text.bin",
    );
    // One suggestion, the format the bytes read as, in the library's terms.
    assert!(
        matches!(
            e,
            Error::WrongFormat {
                fault: pretrained_vectors::FormatFault::RowsNotText,
                suggest: Some(Format::Word2vecBinary),
                ..
            }
        ),
        "{e}"
    );
    assert!(
        !e.to_string().contains("--"),
        "no CLI flag in a library message: {e}"
    );
    // Detected, it is valid.
    assert_eq!(
        pretrained_vectors::read(fixture("bad/binary_as_text.bin"))
            .unwrap()
            .len(),
        5
    );
}

#[test]
fn broken_gzip() {
    for name in ["bad/truncated.txt.gz", "bad/corrupt.txt.gz"] {
        let e = read_err(name);
        assert!(matches!(e, Error::Gzip { .. }), "{name}: {e}");
    }
}

#[test]
fn directory_and_missing_path() {
    let dir = tempfile::tempdir().unwrap();
    let e = pretrained_vectors::read(dir.path()).unwrap_err();
    assert!(matches!(e, Error::NotAFile { .. }), "{e}");
    let e = pretrained_vectors::read(dir.path().join("nope.txt")).unwrap_err();
    assert!(
        matches!(
            e,
            Error::Io {
                action: IoAction::Open,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("nope.txt"), "{e}");
}

#[test]
fn valid_oddities_are_accepted() {
    // BOM, CRLF, trailing spaces, no final newline, binary without newlines.
    for name in [
        "small.bom.txt",
        "small.crlf.txt",
        "small.vec",
        "small.nofinalnl.txt",
        "small.nonl.w2v.bin",
    ] {
        assert_eq!(
            pretrained_vectors::read(fixture(name)).unwrap().len(),
            300,
            "{name}"
        );
    }
}

#[test]
fn errors_print_file_position_and_expectation() {
    let e = read_err("bad/ragged_short.txt");
    let msg = e.to_string();
    assert!(
        msg.contains("ragged_short.txt") && msg.contains("line 4, byte"),
        "{msg}"
    );
    assert!(msg.contains("expected 50 values"), "{msg}");
}

// ----- tables, vocabularies and outputs --------------------------------------

#[test]
fn npy_with_a_lying_header() {
    let path = fixture("bad/lying_header.npy");
    let e = pretrained_vectors::npy::NpyMatrix::read(&path).unwrap_err();
    let Error::Npy { pos, ref fault, .. } = e else {
        panic!("{e}")
    };
    let byte = pos.byte.unwrap();
    let (expected, found) = (fault.expected(), fault.found());
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(byte > 0 && byte <= len, "{e}");
    assert!(
        expected.contains("2000") || found.contains(&len.to_string()),
        "{e}"
    );
}

#[test]
fn tokenizer_json_of_the_wrong_shape() {
    let path = fixture("bad/tokenizer_wrong_shape.json");
    let e = pretrained_vectors::vocab::KerasTokenizer::read(&path).unwrap_err();
    let Error::JsonShape {
        ref key, ref fault, ..
    } = e
    else {
        panic!("{e}")
    };
    assert_eq!(key, "config.word_index", "{e}");
    assert_eq!(
        **fault,
        JsonFault::WrongValue {
            expected: JsonExpected::EncodedObject,
            found: JsonKind::Array,
            value: None,
        },
        "{e}"
    );
    assert_eq!(e.path(), Some(path.as_path()));
}

#[test]
fn duplicate_token_and_empty_vocabulary() {
    use pretrained_vectors::vocab::{VocabKind, VocabOptions};
    let list = VocabOptions::new().kind(VocabKind::TokenList);
    let e =
        pretrained_vectors::Vocab::read(fixture("bad/duplicate_tokens.txt"), &list).unwrap_err();
    assert!(
        matches!(
            e,
            Error::DuplicateToken { pos, ref first, .. }
                if (pos, **first) == (Position::line(5, 17), Position::line(2, 6))
        ),
        "{e}"
    );
    let e = pretrained_vectors::Vocab::read(fixture("bad/empty_vocab.txt"), &list).unwrap_err();
    assert!(matches!(e, Error::EmptyVocab { .. }), "{e}");
}

#[test]
fn output_in_a_missing_or_read_only_folder() {
    use pretrained_vectors::write::SaveOptions;
    use pretrained_vectors::{EmbeddingTable, RowOrigin, Vocab};
    let table = EmbeddingTable::new(
        ndarray::array![[1.0f32, 2.0]],
        Vocab::new(vec!["x".into()]).unwrap(),
        vec![RowOrigin::Exact],
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/t.npy");
    let e = table.save(&missing, &SaveOptions::new()).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("no/such/folder"), "{e}");
    assert!(!dir.path().join("no").exists());

    // A read-only folder (root ignores the mode bits, so check it really is one).
    use std::os::unix::fs::PermissionsExt;
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), b"").is_err() {
        let e = table
            .save(ro.join("t.npy"), &SaveOptions::new())
            .unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e}");
        assert_eq!(
            std::fs::read_dir(&ro).unwrap().count(),
            0,
            "nothing left behind"
        );
    } else if std::fs::write("/sys/pv-probe", b"").is_err() {
        // Root ignores mode bits; sysfs refuses new files even to root.
        let e = table.save("/sys/t.npy", &SaveOptions::new()).unwrap_err();
        assert!(matches!(e, Error::Io { .. }), "{e}");
        assert!(e.to_string().contains("/sys"), "{e}");
    } else {
        eprintln!("skipped the read-only case: no folder here refuses this user");
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}
