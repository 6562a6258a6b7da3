//! The `glove-to-table` binary, run for real on the fixtures: every input and output
//! format, every vocabulary source, the report, exit codes, refusals, and a run
//! killed while writing.
#![cfg(feature = "cli")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, stderr};
use pretrained_vectors::vocab::{KerasTokenizer, VocabKind, VocabOptions};
use pretrained_vectors::{npy, read, Vectors, Vocab};

const GLOVE: &str = "glove.6B.50d.20k.txt.gz";

fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_glove-to-table"));
    c.env("RAYON_NUM_THREADS", "2");
    c
}

/// Runs the tool with `args`; stdout must stay empty whatever happens.
fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let out = cmd()
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
    out
}

/// Runs `INPUT -o OUT EXTRA...`, which must fail with exit 1; its stderr.
fn fails_on(input: impl AsRef<Path>, extra: &[&str], out: &Path) -> String {
    let input = input.as_ref();
    let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&input, &"-o", &out];
    for e in extra {
        args.push(e);
    }
    let o = run(&args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{}: {err}", input.display());
    err
}

fn ok(o: &Output) {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Asserts that each found row of the table equals the file's vector bit for bit,
/// and that reserved padding rows are zeros.
fn check_rows(table: &ndarray::Array2<f32>, tokens: &[String], vectors: &Vectors) {
    assert_eq!(table.nrows(), tokens.len());
    for (r, tok) in tokens.iter().enumerate() {
        if let Some(v) = vectors.get(tok) {
            assert_eq!(table.row(r), v, "row {r} {tok}");
        }
    }
}

#[test]
fn help_shows_examples_and_every_flag() {
    let o = cmd().arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let help = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "Examples:",
        "--format",
        "--vocab",
        "--corpus",
        "--max-words",
        "--oov-token",
        "--pad-token",
        "--no-lowercase-fallback",
        "--missing",
        "--seed",
        "--utf8",
        "--out-format",
        "--vocab-out",
        "--report",
        "--force",
        "--quiet",
        "nn.Embedding.from_pretrained",
        "keras.initializers.Constant",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}

#[test]
fn every_input_format_converts_to_the_same_npy() {
    let dir = tmp();
    let reference = read(fixture("small.glove.txt")).unwrap();
    for (i, name) in [
        "small.glove.txt",
        "small.glove.txt.gz",
        "small.w2v.txt",
        "small.w2v.txt.gz",
        "small.vec",
        "small.w2v.bin",
        "small.w2v.bin.gz",
        "small.crlf.txt",
        "small.bom.txt",
    ]
    .iter()
    .enumerate()
    {
        let out = dir.path().join(format!("t{i}.npy"));
        let o = run(&[&fixture(name), &"-o", &out, &"-q"]);
        ok(&o);
        assert!(o.stderr.is_empty(), "--quiet, yet: {}", stderr(&o));
        let table = npy::read(&out).unwrap();
        let vocab = lines(&dir.path().join(format!("t{i}.vocab.txt")));
        assert_eq!(vocab, reference.words(), "{name}");
        assert_eq!(table, reference.matrix(), "{name}");
    }
    // An explicit format agrees with detection.
    let out = dir.path().join("forced.npy");
    ok(&run(&[
        &fixture("small.w2v.bin"),
        &"--format",
        &"word2vec-binary",
        &"-o",
        &out,
    ]));
    assert_eq!(npy::read(&out).unwrap(), reference.matrix());
}

#[test]
fn every_output_format_reads_back_exactly() {
    let dir = tmp();
    let input = fixture("small.glove.txt");
    let reference = read(&input).unwrap();
    for ext in ["txt", "vec", "bin"] {
        let out = dir.path().join(format!("out.{ext}"));
        ok(&run(&[&input, &"-o", &out]));
        let back = read(&out).unwrap();
        assert_eq!(back.words(), reference.words(), "{ext}");
        assert_eq!(back.matrix(), reference.matrix(), "{ext}");
        // The words are in the file: no sidecar unless asked.
        assert!(!dir.path().join("out.vocab.txt").exists(), "{ext}");
    }
    // --out-format wins over the extension; --vocab-out adds a token list.
    let out = dir.path().join("vectors.data");
    let side = dir.path().join("words.list");
    ok(&run(&[
        &input,
        &"-o",
        &out,
        &"--out-format",
        &"word2vec-binary",
        &"--vocab-out",
        &side,
    ]));
    assert_eq!(read(&out).unwrap().matrix(), reference.matrix());
    assert_eq!(lines(&side), reference.words());
    // An npy sidecar goes where --vocab-out says.
    let out = dir.path().join("t.npy");
    let side = dir.path().join("rows.txt");
    ok(&run(&[&input, &"-o", &out, &"--vocab-out", &side]));
    assert_eq!(lines(&side), reference.words());
    assert!(!dir.path().join("t.vocab.txt").exists());
}

#[test]
fn keras_tokenizer_json_gives_keras_rows_and_a_report() {
    let dir = tmp();
    let out = dir.path().join("table.npy");
    let report = dir.path().join("report.json");
    let json = fixture("keras/tokenizer_oov.json");
    let o = run(&[
        &fixture(GLOVE),
        &"--vocab",
        &json,
        &"-o",
        &out,
        &"--report",
        &report,
    ]);
    ok(&o);
    let summary = stderr(&o);
    for needle in [
        "table.npy",
        "rows x 50 dims",
        "exact",
        "missing",
        "coverage",
    ] {
        assert!(
            summary.contains(needle),
            "summary lacks {needle}: {summary}"
        );
    }
    let expected = KerasTokenizer::read(&json).unwrap().vocab("<pad>").unwrap();
    let tokens = lines(&dir.path().join("table.vocab.txt"));
    assert_eq!(tokens, expected.tokens());
    assert_eq!((tokens[0].as_str(), tokens[1].as_str()), ("<pad>", "<OOV>"));
    let table = npy::read(&out).unwrap();
    let glove = read(fixture(GLOVE)).unwrap();
    check_rows(&table, &tokens, &glove);
    assert!(table.row(0).iter().all(|&x| x == 0.0));

    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["format"], "glove");
    assert_eq!(r["gzip"], true);
    assert_eq!(r["dims"], 50);
    assert_eq!(r["vocab_size"], tokens.len());
    assert_eq!(r["reserved"], 2);
    let (exact, fallback, missing) = (
        r["found_exact"].as_u64().unwrap(),
        r["found_fallback"].as_u64().unwrap(),
        r["missing"].as_u64().unwrap(),
    );
    assert_eq!(exact + fallback + missing + 2, tokens.len() as u64);
    let found = tokens[2..]
        .iter()
        .filter(|t| glove.get(t).is_some())
        .count() as u64;
    assert_eq!(exact, found);
    let types = r["coverage_types"].as_f64().unwrap();
    assert!((types - (exact + fallback) as f64 / (tokens.len() - 2) as f64).abs() < 1e-12);
    assert!(r["coverage_tokens"].as_f64().unwrap() > types);
    assert_eq!(r["missing_init"]["kind"], "random");
    assert_eq!(r["oov_init"], "mean");
    assert_eq!(r["seed"], 0);
    assert!(r["top_missing"].as_array().unwrap().len() <= 20);
}

#[test]
fn bare_word_index_and_max_words() {
    let dir = tmp();
    let out = dir.path().join("t.npy");
    ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &fixture("keras/word_index.json"),
        &"--max-words",
        &"50",
        &"--pad-token",
        &"[PAD]",
        &"-o",
        &out,
    ]));
    let tokens = lines(&dir.path().join("t.vocab.txt"));
    let expected = KerasTokenizer::read(fixture("keras/word_index.json"))
        .unwrap()
        .num_words(50)
        .vocab("[PAD]")
        .unwrap();
    assert_eq!(tokens, expected.tokens());
    assert_eq!(tokens.len(), 50);
    assert_eq!(npy::read(&out).unwrap().nrows(), 50);
}

#[test]
fn corpus_builds_the_keras_vocabulary() {
    let dir = tmp();
    let out = dir.path().join("t.vec");
    let side = dir.path().join("t.tokens");
    let corpus = fixture("keras/corpus.txt");
    ok(&run(&[
        &fixture(GLOVE),
        &"--corpus",
        &corpus,
        &"--max-words",
        &"100",
        &"--oov-token",
        &"<unk>",
        &"-o",
        &out,
        &"--vocab-out",
        &side,
    ]));
    let mut tok = KerasTokenizer::new().oov_token("<unk>").num_words(100);
    tok.fit_on_corpus(&corpus, &std::fs::read(&corpus).unwrap())
        .unwrap();
    let expected = tok.vocab("<pad>").unwrap();
    assert_eq!(lines(&side), expected.tokens());
    let back = read(&out).unwrap();
    assert_eq!(back.words(), expected.tokens());
    check_rows(
        &back.matrix().to_owned(),
        expected.tokens(),
        &read(fixture(GLOVE)).unwrap(),
    );
}

#[test]
fn token_list_with_reserved_rows_and_options() {
    let dir = tmp();
    let list = dir.path().join("vocab.txt");
    std::fs::write(&list, "<pad>\n<unk>\nthe\nParis\nzzqxjvblorp\n").unwrap();
    let out = dir.path().join("t.npy");
    let report = dir.path().join("r.json");
    ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &list,
        &"--pad-token",
        &"<pad>",
        &"--oov-token",
        &"<unk>",
        &"--missing",
        &"zeros",
        &"--oov-init",
        &"zeros",
        &"-o",
        &out,
        &"--report",
        &report,
    ]));
    let table = npy::read(&out).unwrap();
    let glove = read(fixture(GLOVE)).unwrap();
    assert_eq!(table.row(2), glove.get("the").unwrap());
    assert_eq!(
        table.row(3),
        glove.get("paris").unwrap(),
        "lower-case fallback"
    );
    for r in [0, 1, 4] {
        assert!(table.row(r).iter().all(|&x| x == 0.0), "row {r}");
    }
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(
        (&r["found_exact"], &r["found_fallback"], &r["missing"]),
        (&1.into(), &1.into(), &1.into())
    );
    // Without the fallback, Paris is missing; the seed changes random rows only.
    let out2 = dir.path().join("t2.npy");
    ok(&run(&[
        &fixture(GLOVE),
        &"--vocab",
        &list,
        &"--no-lowercase-fallback",
        &"--seed",
        &"7",
        &"-o",
        &out2,
    ]));
    let t2 = npy::read(&out2).unwrap();
    assert_ne!(t2.row(3), glove.get("paris").unwrap());
    assert_eq!(t2.row(2), glove.get("the").unwrap());
    let v = Vocab::read(
        dir.path().join("t2.vocab.txt"),
        &VocabOptions::new().kind(VocabKind::TokenList),
    )
    .unwrap();
    assert_eq!(v.len(), 5);
}

#[test]
fn plain_conversion_prepends_reserved_rows() {
    let dir = tmp();
    let out = dir.path().join("t.npy");
    let input = fixture("small.glove.txt");
    ok(&run(&[
        &input,
        &"--pad-token",
        &"<pad>",
        &"--oov-token",
        &"<unk>",
        &"--max-words",
        &"12",
        &"-o",
        &out,
    ]));
    let v = read(&input).unwrap();
    let tokens = lines(&dir.path().join("t.vocab.txt"));
    assert_eq!(tokens[..2], ["<pad>", "<unk>"]);
    assert_eq!(tokens[2..], v.words()[..10]);
    let t = npy::read(&out).unwrap();
    assert!(t.row(0).iter().all(|&x| x == 0.0));
    // The OOV row is the mean of the vectors found.
    let mean = v
        .matrix()
        .slice(ndarray::s![..10, ..])
        .mapv(f64::from)
        .mean_axis(ndarray::Axis(0))
        .unwrap();
    for (a, b) in t.row(1).iter().zip(mean.iter()) {
        assert!((f64::from(*a) - b).abs() < 1e-6);
    }
    check_rows(&t, &tokens, &v);
    // A reserved name that is also a word is refused.
    let o = run(&[
        &input,
        &"--pad-token",
        &"the",
        &"-o",
        &dir.path().join("x.npy"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("\"the\" is also word 1"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_2() {
    let dir = tmp();
    let out = dir.path().join("t.npy");
    let glove = fixture("small.glove.txt");
    let (wi, corpus, tok, probe) = (
        fixture("keras/word_index.json"),
        fixture("keras/corpus.txt"),
        fixture("keras/tokenizer_oov.json"),
        fixture("keras/probe.txt"),
    );
    let cases: Vec<Vec<&dyn AsRef<std::ffi::OsStr>>> = vec![
        vec![&glove],                          // no -o
        vec![&glove, &"-o", &out, &"--bogus"], // unknown flag
        vec![&glove, &"-o", &"t.csv"],         // unknown extension
        vec![&glove, &"-o", &out, &"--missing", &"gaussian"],
        vec![&glove, &"-o", &out, &"--format", &"xml"],
        vec![&glove, &"-o", &out, &"--vocab", &wi, &"--corpus", &corpus],
        vec![
            &glove,
            &"-o",
            &out,
            &"--vocab",
            &tok,
            &"--oov-token",
            &"<unk>",
        ],
        vec![
            &glove,
            &"-o",
            &out,
            &"--vocab",
            &probe,
            &"--max-words",
            &"3",
        ],
        vec![&glove, &"-o", &out, &"--report", &out], // two outputs, one path
    ];
    for args in cases {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{:?}: {}", o.status, stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
    assert_eq!(common::listing(dir.path()), Vec::<String>::new());
}

/// A file of another kind than vectors is named for what its bytes say, with one
/// hint (never two contradictory ones), exit 1, and no output.
#[test]
fn files_of_another_kind_are_named_with_one_hint() {
    use std::io::Write;
    let dir = tmp();
    let path = |name: &str| dir.path().join(name);
    let out = path("out.npy");
    let glove = fixture("small.glove.txt");
    let text = std::fs::read_to_string(&glove).unwrap();
    // A table the tool wrote, given back as input.
    let (table, tensors) = (path("t.npy"), path("s.safetensors"));
    ok(&run(&[&glove, &"-o", &table]));
    ok(&run(&[&glove, &"-o", &tensors]));
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(path(name), bytes).unwrap();
        path(name)
    };
    let utf16 = write(
        "utf16.txt",
        [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
    );
    let utf32 = write(
        "utf32.txt",
        [0, 0, 0xFE, 0xFF]
            .into_iter()
            .chain(text.chars().flat_map(|c| (c as u32).to_be_bytes()))
            .collect(),
    );
    let gzip = |bytes: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(bytes).unwrap();
        z.finish().unwrap()
    };
    let nested = write(
        "nested.txt.gz",
        gzip(&std::fs::read(fixture("small.glove.txt.gz")).unwrap()),
    );
    let model = fixture("fasttext/cbow.bin");
    let zipped_model = write("cbow.bin.gz", gzip(&std::fs::read(&model).unwrap()));
    let w2v = fixture("small.w2v.bin");
    let cases: [(&Path, &[&str], &str, &str); 8] = [
        (
            &table,
            &[],
            "this is a NumPy array (.npy)",
            "give the vector file",
        ),
        (
            &tensors,
            &[],
            "this is a safetensors file",
            "give the vector file",
        ),
        (
            &utf16,
            &[],
            "UTF-16 text (little-endian, byte-order mark FF FE)",
            "iconv -f UTF-16",
        ),
        (
            &utf32,
            &[],
            "UTF-32 text (big-endian, byte-order mark 00 00 FE FF)",
            "iconv -f UTF-32",
        ),
        (&nested, &[], "gzip inside gzip", "decompress it once"),
        (
            &model,
            &["--format", "glove"],
            "native fastText model",
            "--format fasttext-bin",
        ),
        (
            &zipped_model,
            &["--format", "word2vec-text"],
            "native fastText model",
            "--format fasttext-bin",
        ),
        (
            &w2v,
            &["--format", "glove"],
            "not a GloVe row",
            "try --format word2vec-binary",
        ),
    ];
    for (input, extra, what, hint) in cases {
        let err = fails_on(input, extra, &out);
        let mut lines = err.lines();
        let first = lines.next().unwrap();
        assert!(
            first.starts_with("error: ") && first.contains(what),
            "{what}: {err}"
        );
        assert!(first.contains(&input.display().to_string()), "{err}");
        let second = lines.next().unwrap_or_default();
        assert!(
            second.starts_with("  hint: ") && second.contains(hint),
            "{hint}: {err}"
        );
        assert_eq!(lines.next(), None, "one hint only: {err}");
        // Never a second, contradictory format.
        let named = ["glove", "word2vec-text", "word2vec-binary", "fasttext-bin"]
            .iter()
            .filter(|f| err.contains(&format!("--format {f}")))
            .count();
        assert!(named <= 1, "{err}");
        assert!(!out.exists(), "{err}");
    }
}

/// `--allow-non-finite` keeps NaN and infinities (ReadOptions::allow_non_finite);
/// without it they are refused, with a hint naming the flag.
#[test]
fn allow_non_finite_keeps_nan() {
    let dir = tmp();
    let out = dir.path().join("t.npy");
    let nan = fixture("bad/nan.txt");
    let o = run(&[&nan, &"-o", &out]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("non-finite value at line"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("--allow-non-finite"),
        "{err}"
    );
    assert!(!out.exists());
    ok(&run(&[&nan, &"--allow-non-finite", &"-o", &out]));
    let table = npy::NpyMatrix::read(&out).unwrap().to_owned();
    let want = pretrained_vectors::ReadOptions::new()
        .allow_non_finite(true)
        .read(&nan)
        .unwrap();
    assert_eq!(table.shape(), want.matrix().shape());
    assert!(table.iter().any(|v| v.is_nan()), "the NaN is kept");
    for (a, b) in table.iter().zip(want.matrix().iter()) {
        assert!(a == b || (a.is_nan() && b.is_nan()));
    }
}

/// With `--allow-non-finite`, every output keeps NaN and infinities: the GloVe and
/// word2vec text outputs as `nan`, `inf`, `-inf`, word2vec binary as bits; each reads
/// back (allowing them) to the same values as the input.
#[test]
fn allow_non_finite_round_trips_through_text_and_binary_outputs() {
    let dir = tmp();
    // The fixture's `nan`, plus an infinity of each sign on other rows.
    let text = std::fs::read_to_string(fixture("bad/nan.txt")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for (row, value) in [(1, "inf"), (2, "-Infinity")] {
        let mut fields: Vec<&str> = lines[row].split(' ').collect();
        fields[3] = value;
        lines[row] = fields.join(" ");
    }
    let input = dir.path().join("in.txt");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let opts = pretrained_vectors::ReadOptions::new().allow_non_finite(true);
    let want = opts.read(&input).unwrap();
    let non_finite = want.matrix().iter().filter(|v| !v.is_finite()).count();
    assert_eq!(non_finite, 3);
    for ext in ["txt", "vec", "bin"] {
        let out = dir.path().join(format!("t.{ext}"));
        let o = run(&[&input, &"-o", &out]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(!out.exists(), "no output without the flag");
        ok(&run(&[&input, &"--allow-non-finite", &"-o", &out]));
        let back = opts.read(&out).unwrap();
        assert_eq!(back.words(), want.words(), "{ext}");
        let same = back
            .matrix()
            .iter()
            .zip(want.matrix().iter())
            .all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
        assert!(same, "{ext}: the values read back as they were");
        if ext != "bin" {
            let written = std::fs::read_to_string(&out).unwrap();
            for word in [" nan ", " inf ", " -inf "] {
                assert!(written.contains(word), "{ext}: {word:?}");
            }
        }
    }
}

#[test]
fn data_errors_exit_1_naming_file_and_position_with_a_hint() {
    let dir = tmp();
    let out = dir.path().join("t.npy");
    let cases: [(PathBuf, &[&str], &str, &str); 6] = [
        (
            fixture("bad/ragged_short.txt"),
            &[],
            "ragged_short.txt: ragged row at line",
            "",
        ),
        (
            fixture("bad/bad_utf8.txt"),
            &[],
            "bad_utf8.txt: invalid UTF-8 at line 5",
            "hint: try --utf8 lossy",
        ),
        (
            fixture("small.w2v.bin"),
            &["--format", "glove"],
            "small.w2v.bin: at line 1",
            "hint: the bytes read as word2vec-binary; try --format word2vec-binary",
        ),
        (
            fixture("bad/nan.txt"),
            &[],
            "nan.txt: non-finite value at line",
            "hint:",
        ),
        (
            fixture("bad/truncated.txt.gz"),
            &[],
            "truncated.txt.gz",
            "download",
        ),
        (
            dir.path().join("absent.txt"),
            &[],
            "absent.txt: cannot open",
            "",
        ),
    ];
    for (input, extra, first, hint) in cases {
        let err = fails_on(&input, extra, &out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(first), "expected {first:?} in {err}");
        assert!(err.contains(hint), "expected {hint:?} in {err}");
        assert!(err.lines().count() <= 2, "{err}");
    }
    // Lossy UTF-8 then reads the same file.
    ok(&run(&[
        &fixture("bad/bad_utf8.txt"),
        &"--utf8",
        &"lossy",
        &"-o",
        &out,
    ]));
    // A missing output folder is named, and not created.
    let o = run(&[
        &fixture("small.glove.txt"),
        &"-o",
        &dir.path().join("no/such/t.npy"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot open the output folder"));
    assert!(!dir.path().join("no").exists());
}

#[test]
fn existing_outputs_need_force_and_inputs_are_never_replaced() {
    let dir = tmp();
    let input = dir.path().join("in.txt");
    std::fs::copy(fixture("small.glove.txt"), &input).unwrap();
    let out = dir.path().join("t.npy");
    let side = dir.path().join("t.vocab.txt");
    std::fs::write(&side, b"old sidecar\n").unwrap();
    // The sidecar exists: nothing at all is written, the table included.
    let o = run(&[&input, &"-o", &out]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("t.vocab.txt: output exists"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--force"));
    assert!(!out.exists());
    assert_eq!(std::fs::read(&side).unwrap(), b"old sidecar\n");
    ok(&run(&[&input, &"-o", &out, &"--force"]));
    assert_eq!(lines(&side)[0], "the");
    // Output over the input: refused even with --force, the input untouched.
    let before = std::fs::read(&input).unwrap();
    for target in [&input, &dir.path().join(".").join("in.txt")] {
        let o = run(&[&input, &"-o", target, &"--force"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains("would overwrite the input"));
    }
    let list = dir.path().join("vocab.txt");
    std::fs::write(&list, "the\n").unwrap();
    let o = run(&[
        &input,
        &"--vocab",
        &list,
        &"-o",
        &out,
        &"--report",
        &list,
        &"--force",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    assert_eq!(std::fs::read(&list).unwrap(), b"the\n");
    assert!(common::listing(dir.path())
        .iter()
        .all(|n| !n.ends_with(".tmp")));
}

/// A word2vec binary input of `rows` x `dims` seeded values.
fn synthetic_binary(path: &Path, rows: usize, dims: usize) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "{rows} {dims}").unwrap();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for r in 0..rows {
        write!(f, "w{r} ").unwrap();
        for _ in 0..dims {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = ((state >> 40) as f32 / (1u64 << 24) as f32) - 0.5;
            f.write_all(&x.to_le_bytes()).unwrap();
        }
        f.write_all(b"\n").unwrap();
    }
}

/// Starts a conversion to `out`, waits for its temporary file, kills it (SIGKILL)
/// and returns the folder's names afterwards.
fn kill_while_writing(input: &Path, out: &Path, force: bool) -> Vec<String> {
    interrupt_while_writing(input, out, force, |child| child.kill().unwrap())
}

/// As [`kill_while_writing`], stopping the child with `stop`.
fn interrupt_while_writing(
    input: &Path,
    out: &Path,
    force: bool,
    stop: impl FnOnce(&mut std::process::Child),
) -> Vec<String> {
    let dir = out.parent().unwrap();
    let mut c = cmd();
    c.arg(input).arg("-o").arg(out).arg("-q");
    if force {
        c.arg("--force");
    }
    let mut child = c.stderr(Stdio::null()).spawn().unwrap();
    let start = Instant::now();
    let temp_seen = loop {
        let temp = common::listing(dir)
            .into_iter()
            .any(|n| n.ends_with(".tmp"));
        if temp || child.try_wait().unwrap().is_some() {
            break temp;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no temp file");
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(
        temp_seen,
        "the run ended before writing could be interrupted"
    );
    stop(&mut child);
    let status = child.wait().unwrap();
    assert!(!status.success());
    common::listing(dir)
}

#[test]
fn a_run_killed_while_writing_leaves_no_partial_output() {
    let dir = tmp();
    let input = dir.path().join("big.bin");
    synthetic_binary(&input, 60_000, 100);
    let outs = dir.path().join("out");
    std::fs::create_dir(&outs).unwrap();
    let out = outs.join("table.txt");
    let names = kill_while_writing(&input, &out, false);
    assert!(!out.exists(), "a partial output: {names:?}");
    // SIGKILL cannot be caught: at most the hidden temporary file remains.
    assert!(
        names.iter().all(|n| n.starts_with(".table.txt.")),
        "{names:?}"
    );
    for n in names {
        std::fs::remove_file(outs.join(n)).unwrap();
    }
    // With --force over an older output, the older output stays whole.
    std::fs::write(&out, b"previous output\n").unwrap();
    kill_while_writing(&input, &out, true);
    assert_eq!(std::fs::read(&out).unwrap(), b"previous output\n");
}

#[cfg(unix)]
#[test]
fn ctrl_c_or_sigterm_while_writing_removes_the_temporaries() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tmp();
    let input = dir.path().join("big.bin");
    synthetic_binary(&input, 60_000, 100);
    let outs = dir.path().join("out");
    std::fs::create_dir(&outs).unwrap();
    let out = outs.join("table.txt");
    // SIGHUP is the terminal closing (issue 11.12): it cleans up as SIGTERM does.
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let names = interrupt_while_writing(&input, &out, false, |child| {
            // SAFETY: sending a signal to our own child process.
            assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
            let status = child.wait().unwrap();
            assert_eq!(status.signal(), Some(signal), "{status:?}");
        });
        assert_eq!(names, Vec::<String>::new(), "signal {signal}");
    }
}

#[cfg(unix)]
#[test]
fn a_signal_the_parent_ignores_stays_ignored() {
    // `nohup` and `trap '' HUP` ignore SIGHUP for their child: the run goes on.
    let dir = tmp();
    let input = dir.path().join("big.bin");
    synthetic_binary(&input, 60_000, 100);
    let out = dir.path().join("table.txt");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("trap '' HUP; exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_glove-to-table"))
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .arg("-q")
        .env("RAYON_NUM_THREADS", "2")
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !common::listing(dir.path())
        .iter()
        .any(|n| n.ends_with(".tmp"))
    {
        assert!(child.try_wait().unwrap().is_none(), "ended before writing");
        assert!(start.elapsed() < Duration::from_secs(120), "no temp file");
        std::thread::sleep(Duration::from_millis(5));
    }
    // SAFETY: sending a signal to our own child process.
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGHUP) },
        0
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(common::listing(dir.path()), ["big.bin", "table.txt"]);
}

#[test]
fn missing_rows_follow_the_chosen_initialiser_and_seed() {
    let dir = tmp();
    let list = dir.path().join("vocab.txt");
    std::fs::write(&list, "the\nqqzzxv\nwwkkjj\n").unwrap();
    let glove = fixture("small.glove.txt");
    let table = |extra: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> =
            vec![&glove, &"--vocab", &list, &"-o", &out, &"-j", &"1"];
        let owned: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        for e in &owned {
            args.push(e);
        }
        ok(&run(&args));
        npy::read(&out).unwrap()
    };
    let u = table(&["--missing", "uniform:0.25"], "u.npy");
    assert!(u
        .row(1)
        .iter()
        .chain(u.row(2))
        .all(|x| (-0.25..0.25).contains(x)));
    assert!(
        u.row(1).iter().any(|x| x.abs() > 0.05),
        "not the default range"
    );
    let z = table(&["--missing", "zeros"], "z.npy");
    assert!(z.row(1).iter().all(|&x| x == 0.0));
    let a = table(&["--missing", "normal:2"], "a.npy");
    let b = table(&["--missing", "normal:2"], "b.npy");
    let c = table(&["--missing", "normal:2", "--seed", "1"], "c.npy");
    assert_eq!(a, b, "same seed, same rows");
    assert_ne!(a.row(1), c.row(1), "another seed, other rows");
    assert_eq!(a.row(0), c.row(0), "found rows never depend on the seed");
    assert!(a.row(1).iter().any(|x| x.abs() > 0.5), "std 2 is wide");
}

#[test]
fn max_words_without_a_vocabulary_stops_reading_after_those_rows() {
    let dir = tmp();
    let input = dir.path().join("v.txt");
    // Three good rows (one repeated), then a broken one that is never reached.
    std::fs::write(&input, "a 1 2\nb 3 4\na 5 6\nc 7 8\nbroken x 2\n").unwrap();
    let out = dir.path().join("t.npy");
    ok(&run(&[
        &input,
        &"--max-words",
        &"4",
        &"--pad-token",
        &"<pad>",
        &"-o",
        &out,
    ]));
    assert_eq!(
        lines(&dir.path().join("t.vocab.txt")),
        ["<pad>", "a", "b", "c"]
    );
    assert_eq!(npy::read(&out).unwrap().row(3).to_vec(), [7.0, 8.0]);
    // Past the good rows, the broken one is read and refused.
    let o = run(&[&input, &"--max-words", &"9", &"-o", &out, &"--force"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

#[test]
fn max_decompressed_bounds_a_gzip_input() {
    let dir = tmp();
    let out = dir.path().join("t.npy");
    let o = run(&[&fixture(GLOVE), &"--max-decompressed", &"1K", &"-o", &out]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("decompressed size exceeds the limit of 1024"),
        "{}",
        stderr(&o)
    );
    assert!(common::listing(dir.path()).is_empty());
    let o = run(&[&fixture(GLOVE), &"--max-decompressed", &"lots", &"-o", &out]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

// ----- issue 12: messages and Keras' OOV-token-in-texts state -----------------------

/// Keras accepts an OOV token that is also a word of the texts: its index is the
/// word's frequency rank, index 1 is never produced. `--corpus` and a tokenizer
/// JSON Keras wrote in that state both give a table whose rows are Keras' ids.
#[test]
fn oov_token_that_is_also_a_word_gives_keras_rows() {
    let dir = tmp();
    let glove = fixture(GLOVE);
    let vectors = read(&glove).unwrap();
    let corpus = fixture("keras/corpus.txt");
    let json = fixture("keras/tokenizer_oov_in_texts.json");
    let keras = KerasTokenizer::read(&json).unwrap();
    let sources: [Vec<&dyn AsRef<std::ffi::OsStr>>; 2] = [
        vec![&"--corpus", &corpus, &"--oov-token", &"the"],
        vec![&"--vocab", &json],
    ];
    for (i, source) in sources.into_iter().enumerate() {
        let out = dir.path().join(format!("t{i}.npy"));
        let mut args: Vec<&dyn AsRef<std::ffi::OsStr>> = vec![&glove, &"-o", &out];
        args.extend(source);
        let o = run(&args);
        ok(&o);
        assert!(stderr(&o).contains("unused row 1"), "{}", stderr(&o));
        let tokens = lines(&dir.path().join(format!("t{i}.vocab.txt")));
        let table = npy::NpyMatrix::read(&out).unwrap().to_owned();
        assert_eq!(table.nrows(), keras.word_index().len() + 2);
        assert_eq!(tokens[..3], ["<pad>", "<unused>", "the"]);
        assert!(
            table.row(1).iter().all(|&x| x == 0.0),
            "unused row is zeros"
        );
        // Every id is the row of Keras' word; words other than the OOV one have
        // the file's vector.
        for (word, id) in keras.word_index() {
            let row = *id as usize;
            assert_eq!(tokens[row], *word);
            if let Some(v) = vectors.get(word).filter(|_| row != 2) {
                assert_eq!(table.row(row), v, "{word}");
            }
        }
    }
}

/// Splits a shell command line on spaces, honouring single quotes (all the
/// examples use).
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => (word, any) = (word + &c.to_string(), true),
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// `--help`'s examples fit 80 columns, so no terminal (nor clap, which wraps at
/// 100 without one) breaks a command in two; each command, joined across its
/// trailing `\`, is accepted as it stands: run where its files do not exist, it
/// fails on the first file (exit 1), never on its flags (exit 2).
#[test]
fn help_examples_fit_80_columns_and_are_valid_commands() {
    let o = cmd().arg("--help").output().unwrap();
    let help = String::from_utf8(o.stdout).unwrap();
    let examples = &help[help.find("Examples:").unwrap()..help.find("Exit status").unwrap()];
    let mut commands = Vec::new();
    let mut open: Option<String> = None;
    for line in examples.lines() {
        assert!(line.chars().count() <= 80, "{} columns: {line}", line.len());
        let text = line.trim();
        if let Some(cmd) = open.as_mut() {
            cmd.push(' ');
            cmd.push_str(text.trim_end_matches('\\').trim());
        } else if text.starts_with("glove-to-table ") {
            open = Some(text.trim_end_matches('\\').trim().to_string());
        }
        if !text.ends_with('\\') {
            commands.extend(open.take());
        }
    }
    assert_eq!(commands.len(), 4, "{commands:?}");
    let dir = tmp();
    for command in commands {
        let words = shell_words(&command);
        assert_eq!(words[0], "glove-to-table");
        let o = cmd()
            .args(&words[1..])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{command}: {err}");
        assert!(err.contains("cannot"), "{command}: {err}");
    }
    assert!(examples.contains("padding_idx=0)") && examples.contains("Constant(matrix))"));
}

/// The report names the tool, its version and the inputs, and calls the missing
/// rows' initialiser by the name the flag and the summary use; token-list lines
/// that look reserved but are not, and got random rows, are warned about.
#[test]
fn report_names_inputs_and_version_and_lookalike_tokens_are_warned() {
    let dir = tmp();
    let list = dir.path().join("v.txt");
    std::fs::write(&list, "<pad>\n[UNK]\nthe\n<unk>\nof\nand\n").unwrap();
    let (out, report) = (dir.path().join("t.npy"), dir.path().join("r.json"));
    let glove = fixture(GLOVE);
    let o = run(&[&glove, &"--vocab", &list, &"-o", &out, &"--report", &report]);
    ok(&o);
    let err = stderr(&o);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["tool"], "glove-to-table");
    assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(r["inputs"]["vectors"], glove.to_str().unwrap());
    assert_eq!(r["inputs"]["vocabulary"], "token-list");
    assert_eq!(r["inputs"]["vocabulary_path"], list.to_str().unwrap());
    assert_eq!(r["found_exact"], 3, "the report's own fields follow");
    let kind = r["missing_init"]["kind"].as_str().unwrap();
    assert!(
        err.contains(&format!("missing ({kind}, ")),
        "{kind} vs {err}"
    );
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 3, "{err}");
    // The report lists the same rows, with their lines.
    let lookalikes = r["lookalikes"].as_array().unwrap();
    assert_eq!(lookalikes.len(), 3, "{r}");
    assert_eq!(
        (
            &lookalikes[0]["token"],
            &lookalikes[0]["looks_like"],
            &lookalikes[0]["line"]
        ),
        (&"<pad>".into(), &"padding".into(), &1.into())
    );
    assert!(warnings[0].contains("v.txt: line 1 \"<pad>\" looks like a padding token"));
    assert!(warnings[0].contains("--pad-token \"<pad>\""));
    assert!(warnings[1].contains("line 2 \"[UNK]\" looks like an OOV token"));
    assert!(warnings[2].contains("line 4 \"<unk>\""));
    // Once the flags name the reserved rows, other look-alikes are plain tokens.
    let o = run(&[
        &glove,
        &"--vocab",
        &list,
        &"-o",
        &out,
        &"--force",
        &"--pad-token",
        &"<pad>",
        &"--oov-token",
        &"[UNK]",
    ]);
    ok(&o);
    let warnings: Vec<String> = stderr(&o)
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(String::from)
        .collect();
    assert_eq!(warnings, Vec::<String>::new());
    // A plain conversion names no vocabulary file.
    let o = run(&[
        &fixture("small.glove.txt"),
        &"-o",
        &out,
        &"--force",
        &"--report",
        &report,
    ]);
    ok(&o);
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["inputs"]["vocabulary"], "vector-file-words");
    assert!(r["inputs"]["vocabulary_path"].is_null());
}

/// Errors about inputs given as flags or files name that file (with the line)
/// or that flag, never `<memory>` or line 0; a flag's bad value is a usage error.
#[test]
fn messages_name_the_file_and_flag_involved() {
    let dir = tmp();
    let path = |name: &str| dir.path().join(name);
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
    write("cr.txt", b"the 1 2\n\nbad\rword 3 4\nc 5 6\n");
    write("punct.txt", b"!!! ...\n,,; --\n");
    write("spaced.txt", b"the\ncat\nnew york\n");
    write("spaced.glove.txt", b"the 1 2\nnew york 3 4\n");
    let glove = fixture("small.glove.txt");
    let (cr, punct, spaced) = (path("cr.txt"), path("punct.txt"), path("spaced.txt"));
    let spaced_glove = path("spaced.glove.txt");
    let (npy, vec, bin) = (path("t.npy"), path("t.vec"), path("t.bin"));
    let cases: Vec<(Vec<&dyn AsRef<std::ffi::OsStr>>, i32, String)> = vec![
        // A vector word with a carriage return, in a plain conversion.
        (
            vec![&cr, &"-o", &npy],
            1,
            format!(
                "{}: line 3, byte 9: bad token \"bad\\rword\": contains a line break",
                cr.display()
            ),
        ),
        // A corpus with no word at all.
        (
            vec![&glove, &"--corpus", &punct, &"-o", &npy],
            1,
            format!("{}: empty vocabulary", punct.display()),
        ),
        // Empty or multi-line reserved names are the flags' fault.
        (
            vec![&glove, &"--pad-token", &"", &"-o", &npy],
            2,
            "--pad-token \"\" is empty".into(),
        ),
        (
            vec![
                &glove,
                &"--corpus",
                &punct,
                &"--pad-token",
                &"",
                &"-o",
                &npy,
            ],
            2,
            "--pad-token \"\" is empty".into(),
        ),
        (
            vec![&glove, &"--oov-token", &"a\nb", &"-o", &npy],
            2,
            "--oov-token \"a\\nb\" holds a line break".into(),
        ),
        // A vocabulary token the output cannot hold names the vocabulary, not OUT.
        (
            vec![&glove, &"--vocab", &spaced, &"-o", &vec],
            1,
            format!(
                "{}: line 3, byte 8: bad token \"new york\": contains white space",
                spaced.display()
            ),
        ),
        (
            vec![&spaced_glove, &"-o", &bin],
            1,
            format!(
                "{}: line 2, byte 8: bad token \"new york\"",
                spaced_glove.display()
            ),
        ),
    ];
    for (args, code, want) in cases {
        let o = run(&args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{want}: {err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(&want), "expected {want:?} in {err}");
        assert!(
            !err.contains("<memory>") && !err.contains("line 0"),
            "{err}"
        );
    }
    // Which outputs can hold the spaced token is said, and the .npy indeed does.
    let o = run(&[&glove, &"--vocab", &spaced, &"-o", &vec]);
    assert!(
        stderr(&o).contains("npy or safetensors, with their token list, can hold it"),
        "{}",
        stderr(&o)
    );
    ok(&run(&[&glove, &"--vocab", &spaced, &"-o", &npy]));
    assert_eq!(lines(&path("t.vocab.txt"))[2], "new york");
    // The refused outputs were never written.
    assert!(!vec.exists() && !bin.exists());
}

/// The library's names (`Format::X`, `SaveOptions::force`, `allow_non_finite`...)
/// never reach the user of the CLI: each error that the library words with them is
/// said in flag terms, with the flag in one hint.
#[test]
fn messages_name_flags_not_library_items() {
    let dir = tmp();
    let out = dir.path().join("t.npy");
    let exists = dir.path().join("exists.npy");
    std::fs::write(&exists, b"").unwrap();
    let bin = fixture("small.w2v.bin");
    let glove = fixture("small.glove.txt");
    let nan = fixture("bad/nan.txt");
    let cases: [(&[&dyn AsRef<std::ffi::OsStr>], &str, &str); 4] = [
        (
            &[&bin, &"--format", &"glove", &"-o", &out],
            "line 1 is a word2vec header",
            "try --format word2vec-binary",
        ),
        (
            &[&glove, &"--format", &"word2vec-text", &"-o", &out],
            "bad header at line 1",
            "try --format glove",
        ),
        (
            &[&nan, &"-o", &out],
            "non-finite value at line",
            "--allow-non-finite",
        ),
        (&[&glove, &"-o", &exists], "output exists", "--force"),
    ];
    for (args, message, flag) in cases {
        let o = run(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(message), "{err}");
        assert_eq!(err.matches("hint:").count(), 1, "{err}");
        assert!(err.contains(flag), "{err}");
        for term in ["::", "`allow_non_finite`"] {
            assert!(!err.contains(term), "{term} in {err}");
        }
        assert!(!out.exists(), "{err}");
    }
    // vectors-eval says the same in its own flags.
    let o = Command::new(env!("CARGO_BIN_EXE_vectors-eval"))
        .args([bin.as_os_str(), "--format".as_ref(), "glove".as_ref()])
        .args([
            "--analogies".as_ref(),
            fixture("eval/questions-words.slice.txt").as_os_str(),
        ])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("hint: the bytes read as word2vec-binary; try --format word2vec-binary"),
        "{err}"
    );
    assert!(!err.contains("::"), "{err}");
}
