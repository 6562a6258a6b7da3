//! Fields separated by runs of spaces or tabs, as Python's `str.split()` reads
//! them (issue 11.1): every text format, every reading path and the aligner give
//! the rows that were written, whatever the white space between, before and after
//! the fields.

use std::io::Write;

use pretrained_vectors::rng::Rng;
use pretrained_vectors::{Aligner, Error, Format, ReadOptions, Vocab};

/// The separators written between fields.
const RUNS: [&str; 7] = [" ", "  ", "\t", " \t ", "   ", "\t\t", " \t"];

/// Words of every kind the rule must keep: plain, numeric, with single and double
/// inner spaces (GloVe 840B has `. . .`), and punctuation.
const WORDS: [&str; 10] = [
    "the", "of", "1990", ". . .", "new york", "a  b", "-", "0.5x", "naïve", "e.g.",
];

struct Case {
    bytes: Vec<u8>,
    words: Vec<String>,
    rows: Vec<Vec<f32>>,
}

/// A text file of `WORDS` with random separators, value styles and line ends.
fn case(rng: &mut Rng, dims: usize, header: bool) -> Case {
    let mut out = Vec::new();
    let pick = |rng: &mut Rng, n: usize| rng.below(n as u64) as usize;
    if header {
        let run = RUNS[pick(rng, RUNS.len())];
        writeln!(out, "{}{run}{dims}", WORDS.len()).unwrap();
    }
    let crlf = rng.below(2) == 0;
    let (mut words, mut rows) = (Vec::new(), Vec::new());
    for word in WORDS {
        // Spaced words need a GloVe reader's right split; a leading run is white
        // space at the start of the line, not part of the word.
        if rng.below(4) == 0 {
            out.extend_from_slice(RUNS[pick(rng, RUNS.len())].as_bytes());
        }
        out.extend_from_slice(word.as_bytes());
        let mut row = Vec::new();
        for _ in 0..dims {
            out.extend_from_slice(RUNS[pick(rng, RUNS.len())].as_bytes());
            let v = (rng.below(2_000_001) as f64 - 1_000_000.0) / 1_000_003.0;
            // Fixed width (`%9.6f`, `%10.6f`: positive values carry a leading
            // space, which joins the run), or shortest.
            let text = match rng.below(3) {
                0 => format!("{v:9.6}"),
                1 => format!("{v:10.6}"),
                _ => format!("{}", v as f32),
            };
            out.extend_from_slice(text.as_bytes());
            row.push(text.trim().parse::<f32>().unwrap());
        }
        if rng.below(3) == 0 {
            out.extend_from_slice(RUNS[pick(rng, RUNS.len())].as_bytes());
        }
        out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        words.push(word.to_string());
        rows.push(row);
    }
    Case {
        bytes: out,
        words,
        rows,
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn check(c: &Case, v: &pretrained_vectors::Vectors, what: &str) {
    assert_eq!(v.words(), &c.words[..], "{what}");
    for (i, want) in c.rows.iter().enumerate() {
        let got: Vec<f32> = v.matrix().row(i).to_vec();
        assert_eq!(&got, want, "{what}: row {i} ({})", c.words[i]);
    }
}

#[test]
fn runs_tabs_and_fixed_width_values_read_on_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(2024);
    for round in 0..40 {
        let dims = 1 + (round % 5);
        let header = round % 2 == 1;
        let c = case(&mut rng, dims, header);
        let shown = String::from_utf8_lossy(&c.bytes).into_owned();
        let format = if header {
            Format::Word2vecText
        } else {
            Format::Glove
        };
        let plain = dir.path().join(format!("r{round}.txt"));
        let gz = dir.path().join(format!("r{round}.txt.gz"));
        std::fs::write(&plain, &c.bytes).unwrap();
        std::fs::write(&gz, gzip(&c.bytes)).unwrap();
        for threads in [1, 3] {
            for path in [&plain, &gz] {
                let v = ReadOptions::new()
                    .threads(threads)
                    .read(path)
                    .unwrap_or_else(|e| panic!("{e}\n{shown}"));
                assert_eq!((v.info().format, v.dims()), (Some(format), dims), "{shown}");
                check(&c, &v, &shown);
                let forced = ReadOptions::new().format(format).read(path).unwrap();
                check(&c, &forced, &shown);
            }
        }
        check(
            &c,
            &ReadOptions::new()
                .read_bytes("".as_ref(), &c.bytes)
                .unwrap(),
            &shown,
        );

        // The aligner finds every word, spaced or not, on both paths.
        for path in [&plain, &gz] {
            for tokens in [
                vec!["of", "the", "1990", "missing"],
                WORDS.iter().rev().copied().collect(),
            ] {
                let vocab = Vocab::new(tokens.iter().map(|t| t.to_string()).collect()).unwrap();
                let a = Aligner::new()
                    .align(path, vocab)
                    .unwrap_or_else(|e| panic!("{e}\n{shown}"));
                for (r, tok) in tokens.iter().enumerate() {
                    if let Some(i) = c.words.iter().position(|w| w == tok) {
                        let got: Vec<f32> = a.table.weights().row(r).to_vec();
                        assert_eq!(got, c.rows[i], "aligned {tok}\n{shown}");
                    }
                }
            }
        }
    }
}

#[test]
fn the_word_before_a_run_is_the_vocabularys_word() {
    // The report: `of  0.3 0.4` read as the word "of " and `of` went missing.
    let bytes = b"the 0.1 0.2\nof  0.3 0.4\n";
    let v = ReadOptions::new().read_bytes("".as_ref(), bytes).unwrap();
    assert_eq!(v.words(), ["the", "of"]);
    assert_eq!(v.get("of").unwrap().to_vec(), vec![0.3, 0.4]);
    // Fixed width: every value of `%9.6f` but negatives has a leading space.
    let bytes = b"the  0.100000 -0.200000  0.300000\nof -0.400000  0.500000  0.600000\n";
    let v = ReadOptions::new().read_bytes("".as_ref(), bytes).unwrap();
    assert_eq!(v.dims(), 3);
    assert_eq!(v.get("the").unwrap().to_vec(), vec![0.1, -0.2, 0.3]);
}

#[test]
fn a_wrong_count_says_what_was_seen() {
    // Runs count as one separator in the message too.
    let bytes = b"2 3\nthe  0.1\t0.2 0.3\nof 0.3  0.4\n";
    match ReadOptions::new().read_bytes("".as_ref(), bytes) {
        Err(Error::RaggedRow {
            pos,
            expected: 3,
            found: 2,
            ..
        }) => assert_eq!((pos.line, pos.byte), (Some(3), Some(21))),
        other => panic!("{other:?}"),
    }
    let bytes = b"2 2\nthe  0.1\t0.2 0.3\nof 0.3  0.4\n";
    match ReadOptions::new().read_bytes("".as_ref(), bytes) {
        Err(
            e @ Error::RaggedRow {
                expected: 2,
                found: 3,
                ..
            },
        ) => assert!(e.to_string().contains("found 3"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_header_claiming_more_dims_than_the_rows_is_a_ragged_row_not_binary() {
    // Issue 11.2: `2 3` over rows of 2 values was decoded as word2vec binary.
    for (bytes, expected, found) in [
        (&b"2 3\nthe 0.1 0.2\nof 0.3 0.4\n"[..], 3, 2),
        (b"2 50\nthe 0.1 0.2\nof 0.3 0.4\n", 50, 2),
        (b"2 7\nthe\t0.1\t0.2\t0.3\nof 0.3 0.4 0.5\n", 7, 3),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("lying.txt");
        let gz = dir.path().join("lying.txt.gz");
        std::fs::write(&plain, bytes).unwrap();
        std::fs::write(&gz, gzip(bytes)).unwrap();
        for path in [&plain, &gz] {
            let e = ReadOptions::new().read(path).unwrap_err();
            match &e {
                Error::RaggedRow {
                    pos,
                    expected: x,
                    found: f,
                    ..
                } => {
                    assert_eq!((*x, *f), (expected, found), "{e}");
                    assert_eq!(pos.line, Some(2), "{e}");
                }
                other => panic!("{other:?}"),
            }
            let vocab = Vocab::new(vec!["the".into()]).unwrap();
            let e = Aligner::new().align(path, vocab).unwrap_err();
            assert!(matches!(e, Error::RaggedRow { .. }), "{e}");
        }
    }
}
