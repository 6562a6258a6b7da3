//! Properties over random inputs (issue 8):
//! - write -> read is the identity for every format, plain and gzip-compressed, on
//!   random tables (any finite `f32`: subnormals, both zeros, the extremes) and
//!   random Unicode words that the format can hold (spaces inside GloVe words);
//! - arbitrary bytes never panic a reader, alone, after a valid header, or
//!   behind a gzip header (each input goes through the fuzz targets' checks);
//! - the result of a read, rows or first error, does not depend on the number of
//!   threads.

mod fuzz_checks;

use std::collections::HashSet;
use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use ndarray::Array2;
use proptest::prelude::*;
use proptest::test_runner::Config;

use pretrained_vectors::vocab::{VocabKind, VocabOptions};
use pretrained_vectors::{npy, write, Format, ReadOptions, Vectors, Vocab};

// ----- strategies ------------------------------------------------------------------

/// Any finite `f32`, with the awkward ones (subnormals, -0, the extremes) common.
fn finite() -> impl Strategy<Value = f32> {
    use proptest::num::f32::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
    prop_oneof![
        4 => POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO,
        1 => prop::sample::select(vec![
            0.0,
            -0.0,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::from_bits(1),
            -f32::from_bits(1),
            1e-4,
            9.999999e15,
            1e16,
        ]),
        2 => (-1000i32..1000).prop_map(|i| i as f32 / 1000.0),
    ]
}

/// A piece of a word: no ASCII space or control character, no U+FEFF; anything
/// else (letters of any script, NBSP, U+2028, emoji, digits, punctuation).
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-z0-9.,'_-]{1,6}",
        2 => "[^\\x00-\\x20\\x7f\\u{feff}]{1,6}",
        1 => prop::sample::select(vec!["1990", "nan", "inf", "-0", "1e5", "+3", "0x1"])
            .prop_map(str::to_string),
    ]
}

/// Whether the GloVe reader takes `field` for a number.
fn is_number(field: &str) -> bool {
    fast_float2::parse::<f32, _>(field).is_ok()
}

/// A GloVe word: pieces joined by one or two spaces, not ending in a number when
/// spaced (a header-less reader would count that piece as a value).
fn glove_word() -> impl Strategy<Value = String> {
    (prop::collection::vec((piece(), 1..3usize), 1..4)).prop_filter_map(
        "a spaced word ending in a number",
        |parts| {
            let mut w = String::new();
            for (i, (p, gap)) in parts.iter().enumerate() {
                if i > 0 {
                    w.push_str(&" ".repeat(*gap));
                }
                w.push_str(p);
            }
            let last = parts.last().map(|(p, _)| p.as_str()).unwrap_or_default();
            (parts.len() == 1 || !is_number(last)).then_some(w)
        },
    )
}

/// A word2vec word: one piece (no white space at all).
fn w2v_word() -> impl Strategy<Value = String> {
    piece()
}

/// Unique words (the readers keep the first of duplicates) and a matching table.
fn table(
    word: impl Strategy<Value = String>,
    max_rows: usize,
    max_dims: usize,
) -> impl Strategy<Value = (Vec<String>, Array2<f32>)> {
    (prop::collection::vec(word, 1..max_rows), 1..=max_dims).prop_flat_map(|(words, dims)| {
        let mut seen = HashSet::new();
        let words: Vec<String> = words
            .into_iter()
            .filter(|w| seen.insert(w.clone()))
            .collect();
        let n = words.len();
        (
            Just(words),
            prop::collection::vec(finite(), n * dims)
                .prop_map(move |v| Array2::from_shape_vec((n, dims), v).unwrap()),
        )
    })
}

// ----- helpers ---------------------------------------------------------------------

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn bits(m: ndarray::ArrayView2<'_, f32>) -> Vec<u32> {
    m.iter().map(|x| x.to_bits()).collect()
}

/// Reads `bytes` as `format`, plain and gzip-compressed, and checks both give
/// `words` and `m` exactly.
fn assert_reads_back(
    bytes: &[u8],
    format: Format,
    words: &[String],
    m: &Array2<f32>,
) -> Result<(), TestCaseError> {
    for (how, input) in [("plain", bytes.to_vec()), ("gzip", gzip(bytes))] {
        let v = ReadOptions::new()
            .format(format)
            .read_bytes("".as_ref(), &input)
            .map_err(|e| TestCaseError::fail(format!("{how}: {e}")))?;
        prop_assert_eq!(v.words(), words, "{} words", how);
        prop_assert_eq!(v.matrix().dim(), m.dim(), "{} shape", how);
        prop_assert!(bits(v.matrix()) == bits(m.view()), "{} values", how);
        prop_assert!(v.info().duplicates.is_empty());
    }
    Ok(())
}

// ----- write -> read ---------------------------------------------------------------

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn glove_text_round_trips((words, m) in table(glove_word(), 12, 6)) {
        let mut out = Vec::new();
        write::write_glove_text(&mut out, &words, m.view()).unwrap();
        assert_reads_back(&out, Format::Glove, &words, &m)?;
    }

    #[test]
    fn word2vec_text_round_trips((words, m) in table(w2v_word(), 12, 6)) {
        let mut out = Vec::new();
        write::write_word2vec_text(&mut out, &words, m.view()).unwrap();
        assert_reads_back(&out, Format::Word2vecText, &words, &m)?;
    }

    #[test]
    fn word2vec_binary_round_trips((words, m) in table(w2v_word(), 12, 6)) {
        let mut out = Vec::new();
        write::write_word2vec_binary(&mut out, &words, m.view()).unwrap();
        assert_reads_back(&out, Format::Word2vecBinary, &words, &m)?;
    }

    #[test]
    fn npy_round_trips_any_value(
        (rows, cols) in (0..8usize, 0..8usize),
        seed in prop::collection::vec(any::<u32>(), 64),
    ) {
        // Any bit pattern, NaN payloads and infinities included: npy keeps them all.
        let m = Array2::from_shape_fn((rows, cols), |(r, c)| f32::from_bits(seed[r * 8 + c]));
        let mut out = Vec::new();
        npy::write_matrix(&mut out, m.view()).unwrap();
        let back = npy::from_bytes(Path::new(""), &out).unwrap();
        prop_assert_eq!(back.dim(), m.dim());
        prop_assert!(bits(back.view()) == bits(m.view()));
    }

    #[test]
    fn token_list_round_trips(
        words in prop::collection::vec("[^\\r\\n\\u{feff}][^\\r\\n]{0,8}", 1..30),
    ) {
        let mut seen = HashSet::new();
        let words: Vec<String> = words.into_iter().filter(|w| seen.insert(w.clone())).collect();
        let mut out = Vec::new();
        write::write_token_list(&mut out, &words).unwrap();
        let v = Vocab::from_bytes(Path::new(""), &out, &VocabOptions::new().kind(VocabKind::TokenList)).unwrap();
        prop_assert_eq!(v.tokens(), &words[..]);
    }
}

// ----- arbitrary bytes -------------------------------------------------------------

const TARGETS: [&str; 6] = [
    "text",
    "binary",
    "detect",
    "npy",
    "keras_json",
    "token_list",
];

/// Runs every fuzz target's checks on `flags` + `bytes`.
fn all_checks(flags: u8, bytes: &[u8]) {
    let mut data = vec![flags];
    data.extend_from_slice(bytes);
    for target in TARGETS {
        // npy and keras_json take no flag byte: give them the bytes alone too.
        fuzz_checks::run(target, &data);
        fuzz_checks::run(target, bytes);
    }
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        flags in any::<u8>(),
        bytes in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        all_checks(flags, &bytes);
    }

    #[test]
    fn arbitrary_bytes_after_a_valid_header_never_panic(
        flags in any::<u8>(),
        header in prop::sample::select(vec![
            &b"3 4\n"[..],
            b"1 1\n",
            b"2 300\n",
            b"\xEF\xBB\xBF2 2\n",
            b"the 0.1 0.2\n",
            b"{\"class_name\": \"Tokenizer\", \"config\": {\"word_index\": \"",
            b"<pad>\n<unk>\n",
        ]),
        rest in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut bytes = header.to_vec();
        bytes.extend_from_slice(&rest);
        all_checks(flags, &bytes);
        // And the same behind a gzip header: compressed, or as a corrupt stream.
        all_checks(flags & !4, &gzip(&bytes));
        let mut corrupt = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        corrupt.extend_from_slice(&rest);
        all_checks(flags & !4, &corrupt);
    }

    #[test]
    fn arbitrary_data_after_a_valid_npy_header_never_panics(
        (rows, cols) in (0..5usize, 0..5usize),
        descr in prop::sample::select(vec!["<f4", ">f4", "<f8", ">f8"]),
        fortran in any::<bool>(),
        data in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let dict = format!(
            "{{'descr': '{descr}', 'fortran_order': {}, 'shape': ({rows}, {cols}), }}",
            if fortran { "True" } else { "False" }
        );
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let pad = (64 - (10 + dict.len() + 1) % 64) % 64;
        let header = format!("{dict}{}\n", " ".repeat(pad));
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&data);
        fuzz_checks::run("npy", &bytes);
        // Exactly the right amount of data always reads.
        let item = if descr.ends_with('4') { 4 } else { 8 };
        let need = rows * cols * item;
        if data.len() >= need {
            bytes.truncate(bytes.len() - (data.len() - need));
            let m = npy::from_bytes(Path::new(""), &bytes);
            // f8 values beyond the f32 range are refused; anything else reads.
            prop_assert!(m.is_ok() || item == 8, "{:?}", m.err());
        }
    }
}

// ----- threads -----------------------------------------------------------------------

/// Reads `bytes` with 1 and with 3 threads; both give the same rows, or the same
/// first error.
fn same_for_any_threads(bytes: &[u8], format: Option<Format>) -> Result<(), TestCaseError> {
    let read = |n: usize| {
        ReadOptions::new()
            .format_opt(format)
            .threads(n)
            .read_bytes("".as_ref(), bytes)
    };
    let show = |r: &pretrained_vectors::Result<Vectors>| match r {
        Ok(v) => format!("{} rows, duplicates {:?}", v.len(), v.info().duplicates),
        Err(e) => e.to_string(),
    };
    let (one, three) = (read(1), read(3));
    // Tiny engine buffers: every chunk, segment and gzip block boundary inside.
    let small = ReadOptions::new()
        .format_opt(format)
        .threads(2)
        .small_buffers(true)
        .read_bytes("".as_ref(), bytes);
    prop_assert_eq!(show(&one), show(&three));
    prop_assert_eq!(show(&one), show(&small));
    for other in [&three, &small] {
        if let (Ok(a), Ok(b)) = (&one, other) {
            prop_assert_eq!(a.words(), b.words());
            prop_assert!(bits(a.matrix()) == bits(b.matrix()));
        }
    }
    Ok(())
}

/// A table big enough to be cut into several chunks (the mapped reader cuts at
/// 256 KiB at the least), as `format`, with `dup` repeating an earlier row and
/// `bad` (text only) breaking a value, both at positions chosen by the test.
fn big_file(format: Format, rows: usize, dup: Option<usize>, bad: Option<usize>) -> Vec<u8> {
    let dims = 40;
    let mut words: Vec<String> = (0..rows).map(|i| format!("w{i}")).collect();
    if let Some(d) = dup {
        words[d] = format!("w{}", d / 2);
    }
    let m = Array2::from_shape_fn((rows, dims), |(r, c)| {
        ((r * 31 + c * 7) % 1000) as f32 / 997.0 - 0.5
    });
    let mut out = Vec::new();
    match format {
        Format::Glove => {
            // The duplicate makes the writer's words non-unique, which it allows.
            write::write_glove_text(&mut out, &words, m.view()).unwrap()
        }
        Format::Word2vecText => write::write_word2vec_text(&mut out, &words, m.view()).unwrap(),
        Format::Word2vecBinary => write::write_word2vec_binary(&mut out, &words, m.view()).unwrap(),
        f => unreachable!("{f} is not a vector file format"),
    }
    if let (Some(row), true) = (bad, format != Format::Word2vecBinary) {
        let key = format!("\nw{row} ");
        if let Some(at) = out.windows(key.len()).position(|w| w == key.as_bytes()) {
            out[at + key.len()] = b'x';
        }
    }
    out
}

proptest! {
    #![proptest_config(Config { cases: 6, ..Config::default() })]

    #[test]
    fn results_do_not_depend_on_threads(
        format in prop::sample::select(vec![Format::Glove, Format::Word2vecText, Format::Word2vecBinary]),
        rows in 3000..4500usize,
        dup in prop::option::of(1..3000usize),
        bad in prop::option::of(1..3000usize),
        gz in any::<bool>(),
    ) {
        let bytes = big_file(format, rows, dup, bad);
        let bytes = if gz { gzip(&bytes) } else { bytes };
        same_for_any_threads(&bytes, None)?;
        same_for_any_threads(&bytes, Some(format))?;
    }
}
