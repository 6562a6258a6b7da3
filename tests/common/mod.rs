//! Shared test helpers: a deliberately simple reference reader that every fast path
//! is checked against. It uses std's `str::parse::<f32>` (an independent, correctly
//! rounded parser) and no chunking, mapping or threads.
#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The names of the entries of `dir` (temporary files included), sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The path of a fixture.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The file's bytes, gunzipped when compressed.
pub fn plain_bytes(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap();
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    }
}

/// Words and rows of a text file (GloVe or word2vec text), by the book.
pub fn reference_text(bytes: &[u8]) -> (Vec<String>, Vec<Vec<f32>>) {
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end())
        .filter(|l| !l.is_empty())
        .collect();
    let first: Vec<&str> = lines[0].split(' ').collect();
    let dims = if first.len() == 2 && first.iter().all(|f| f.parse::<u64>().is_ok()) {
        let d = first[1].parse().unwrap();
        lines.remove(0);
        d
    } else {
        // No header: a row has at least one word field, and some word has no space.
        lines
            .iter()
            .map(|l| l.split(' ').count() - 1)
            .min()
            .unwrap()
    };
    let mut words = Vec::new();
    let mut rows = Vec::new();
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        let (word, vals) = fields.split_at(fields.len() - dims);
        words.push(word.join(" "));
        rows.push(vals.iter().map(|v| v.parse::<f32>().unwrap()).collect());
    }
    (words, rows)
}

/// Words and rows of a word2vec binary file, by the book.
pub fn reference_binary(bytes: &[u8]) -> (Vec<String>, Vec<Vec<f32>>) {
    let nl = bytes.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&bytes[..nl]).unwrap();
    let dims: usize = header.split(' ').nth(1).unwrap().trim().parse().unwrap();
    let mut pos = nl + 1;
    let (mut words, mut rows) = (Vec::new(), Vec::new());
    while pos < bytes.len() {
        if bytes[pos] == b'\n' {
            pos += 1;
            continue;
        }
        let sp = pos + bytes[pos..].iter().position(|&b| b == b' ').unwrap();
        words.push(String::from_utf8(bytes[pos..sp].to_vec()).unwrap());
        let row = (0..dims)
            .map(|i| {
                let at = sp + 1 + 4 * i;
                f32::from_le_bytes(bytes[at..at + 4].try_into().unwrap())
            })
            .collect();
        rows.push(row);
        pos = sp + 1 + 4 * dims;
    }
    (words, rows)
}

/// Asserts that words and rows equal the reference, bit for bit.
pub fn assert_same(
    words: &[String],
    matrix: ndarray::ArrayView2<f32>,
    reference: &(Vec<String>, Vec<Vec<f32>>),
) {
    assert_eq!(words.len(), reference.0.len(), "row count");
    assert_eq!(words, &reference.0[..]);
    for (i, want) in reference.1.iter().enumerate() {
        let got = matrix.row(i);
        assert_eq!(got.len(), want.len(), "dims of row {i}");
        for (j, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(
                g.to_bits(),
                w.to_bits(),
                "row {i} ({}) col {j}: {g} vs {w}",
                words[i]
            );
        }
    }
}

/// Runs `glove-to-table` with `args` on 2 threads; it must print nothing on stdout.
pub fn run(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_glove-to-table"))
        .env("RAYON_NUM_THREADS", "2")
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .unwrap();
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
    out
}

/// The standard error of a run, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
