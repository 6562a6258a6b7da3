//! Every reading path of the one engine (mapped text in chunks or waves, mapped
//! binary in segments, gzip text and records across blocks; the full reader and
//! the aligner; 1 and 3 threads; default and tiny buffers) against the simple
//! reference reader of `common`, on inputs small enough that, with the hidden
//! `small_buffers` setting, every chunk, segment and gzip-block boundary falls
//! inside them. Errors must carry the same absolute position on every path.

mod common;

use std::io::Write;

use common::{reference_binary, reference_text};
use pretrained_vectors::{Aligner, Error, Format, Position, ReadOptions, Vectors, Vocab};

/// Words and rows, duplicates dropped (the first wins), of at most `limit` rows.
type Table = (Vec<String>, Vec<Vec<f32>>);

fn dedup(t: &Table, limit: usize) -> Table {
    let mut seen = std::collections::HashSet::new();
    let (mut w, mut r) = (Vec::new(), Vec::new());
    for (word, row) in t.0.iter().zip(&t.1).take(limit) {
        if seen.insert(word.clone()) {
            w.push(word.clone());
            r.push(row.clone());
        }
    }
    (w, r)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

/// Two gzip members, cut in the middle of a row.
fn gzip_two_members(bytes: &[u8]) -> Vec<u8> {
    let half = bytes.len() / 2 + 1;
    let mut out = gzip(&bytes[..half]);
    out.extend(gzip(&bytes[half..]));
    out
}

/// A GloVe text with blank lines, CRLF, repeats, a spaced word and a BOM.
fn glove(rows: usize) -> Vec<u8> {
    let mut s = String::from("\u{feff}");
    for i in 0..rows {
        let word = match i % 11 {
            3 => format!("w{}", i / 2), // a repeat of an earlier word (or new)
            5 => ". . .".to_string(),
            7 => format!("Cap{i}"),
            _ => format!("w{i}"),
        };
        let end = if i % 4 == 0 { "\r\n" } else { "\n" };
        s += &format!("{word} {}.5 -{}e-3 {}{end}", i, i * 7, i % 13);
        if i % 9 == 0 {
            s += "\n";
        }
    }
    s.into_bytes()
}

fn w2v_text(rows: usize) -> Vec<u8> {
    let mut s = format!("{rows} 2\n");
    for i in 0..rows {
        s += &format!("w{} {} {}.25  \n", i % (rows - 3).max(1), i, i * 3);
    }
    s.into_bytes()
}

fn w2v_binary(rows: usize, newline: bool) -> Vec<u8> {
    let mut out = format!("{rows} 3\n").into_bytes();
    for i in 0..rows {
        out.extend(format!("w{} ", i % (rows - 2).max(1)).as_bytes());
        for j in 0..3 {
            out.extend(((i * 3 + j) as f32 * 0.37 - 1.0).to_le_bytes());
        }
        if newline {
            out.push(b'\n');
        }
    }
    out
}

/// Every way of reading `bytes` (mapped file, bytes in memory; tiny and default
/// buffers; 1 and 3 threads), each with `opts` applied.
fn every_read(
    bytes: &[u8],
    opts: impl Fn(ReadOptions) -> ReadOptions,
) -> Vec<(String, pretrained_vectors::Result<Vectors>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v");
    std::fs::write(&path, bytes).unwrap();
    let mut out = Vec::new();
    for small in [true, false] {
        for threads in [1, 3] {
            let o = opts(ReadOptions::new().small_buffers(small).threads(threads));
            let name = format!("small={small} threads={threads}");
            out.push((format!("file {name}"), o.read(&path)));
            out.push((format!("bytes {name}"), o.read_bytes("".as_ref(), bytes)));
        }
    }
    out
}

fn bits(v: &Vectors) -> Vec<Vec<u32>> {
    v.matrix()
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|x| x.to_bits()).collect())
        .collect()
}

fn assert_table(v: &Vectors, want: &Table, name: &str) {
    assert_eq!(v.words(), &want.0[..], "{name}");
    let want_bits: Vec<Vec<u32>> = want
        .1
        .iter()
        .map(|r| r.iter().map(|x| x.to_bits()).collect())
        .collect();
    assert_eq!(bits(v), want_bits, "{name}");
}

/// The inputs: (name, plain bytes, reference table).
fn inputs() -> Vec<(&'static str, Vec<u8>, Table)> {
    let g = glove(60);
    let t = w2v_text(40);
    let b = w2v_binary(40, true);
    let bn = w2v_binary(25, false);
    vec![
        ("glove", g.clone(), reference_text(&g)),
        ("w2v text", t.clone(), reference_text(&t)),
        ("w2v binary", b.clone(), reference_binary(&b)),
        (
            "w2v binary without newlines",
            bn.clone(),
            reference_binary(&bn),
        ),
    ]
}

#[test]
fn every_path_reads_what_the_reference_reads() {
    for (name, plain, reference) in inputs() {
        let want = dedup(&reference, usize::MAX);
        for (kind, bytes) in [
            ("plain", plain.clone()),
            ("gzip", gzip(&plain)),
            ("gzip members", gzip_two_members(&plain)),
        ] {
            for (path, got) in every_read(&bytes, |o| o) {
                let v = got.unwrap_or_else(|e| panic!("{name} {kind} {path}: {e}"));
                assert_table(&v, &want, &format!("{name} {kind} {path}"));
                let info = v.info();
                assert_eq!(info.file_rows, reference.0.len() as u64, "{name}");
                assert_eq!(
                    info.file_rows,
                    v.len() as u64 + info.repeated_rows(),
                    "{name} {kind} {path}"
                );
            }
        }
    }
}

#[test]
fn max_rows_stops_after_that_many_file_rows_on_every_path() {
    for (name, plain, reference) in inputs() {
        for limit in [1, 2, 4, 13, 1000] {
            let want = dedup(&reference, limit);
            for bytes in [plain.clone(), gzip(&plain)] {
                for (path, got) in every_read(&bytes, |o| o.max_rows(limit as u64)) {
                    let v = got.unwrap();
                    assert_table(&v, &want, &format!("{name} limit {limit} {path}"));
                    let rows = (limit as u64).min(reference.0.len() as u64);
                    assert_eq!(v.info().file_rows, rows, "{name} {limit} {path}");
                }
            }
        }
    }
}

#[test]
fn max_rows_never_reaches_a_bad_row_after_the_limit() {
    let mut bytes = glove(40);
    bytes.extend(b"broken 1 2\n");
    for (path, got) in every_read(&bytes, |o| o.max_rows(40)) {
        assert_eq!(got.unwrap().info().file_rows, 40, "{path}");
    }
    for (path, got) in every_read(&bytes, |o| o.max_rows(45)) {
        assert!(matches!(got, Err(Error::RaggedRow { .. })), "{path}");
    }
}

/// The line and byte of the first line of `bytes` that starts with `prefix`.
fn line_of(bytes: &[u8], prefix: &[u8]) -> Position {
    let mut at = 0;
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let bom = if line.starts_with("\u{feff}".as_bytes()) {
            3
        } else {
            0
        };
        if line[bom..].starts_with(prefix) {
            return Position::line(i as u64 + 1, (at + bom) as u64);
        }
        at += line.len() + 1;
    }
    panic!("no such line")
}

#[test]
fn errors_carry_the_same_absolute_position_on_every_path() {
    for row in [0, 1, 7, 23, 58] {
        let mut bytes = glove(60);
        let key = format!("w{row} ");
        let Some(i) = bytes.windows(key.len()).position(|w| w == key.as_bytes()) else {
            continue;
        };
        // The first value of the row becomes `x.5`.
        bytes[i + key.len()] = b'x';
        let line = line_of(&bytes, key.as_bytes());
        let want = Position {
            byte: line.byte.map(|b| b + key.len() as u64),
            ..line
        };
        for b in [bytes.clone(), gzip(&bytes), gzip_two_members(&bytes)] {
            for (path, got) in every_read(&b, |o| o) {
                match got {
                    Err(e @ Error::BadFloat { .. }) => {
                        assert_eq!(e.position(), Some(want), "row {row} {path}: {e}")
                    }
                    other => panic!("row {row} {path}: {:?}", other.map(|v| v.len())),
                }
            }
            // The aligner parses the values of the rows it needs: the same error.
            for small in [true, false] {
                let vocab = Vocab::new(vec![format!("w{row}"), "nowhere".into()]).unwrap();
                let opts = ReadOptions::new().small_buffers(small).threads(3);
                let e = Aligner::new()
                    .read_options(opts.clone())
                    .align(write_temp(&b).path(), vocab)
                    .unwrap_err();
                assert_eq!(e.position(), Some(want), "aligner row {row}: {e}");
            }
        }
    }
}

#[test]
fn binary_errors_carry_the_record_and_byte_on_every_path() {
    let mut bytes = w2v_binary(30, true);
    // Record 12 gets a NaN as its second value.
    let rec = 12;
    let (_, start) = record_start(&bytes, rec);
    let word_len = bytes[start..].iter().position(|&b| b == b' ').unwrap();
    let v = start + word_len + 1 + 4;
    bytes[v..v + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    for b in [bytes.clone(), gzip(&bytes)] {
        for (path, got) in every_read(&b, |o| o) {
            let e = got.unwrap_err();
            assert!(matches!(e, Error::NonFinite { .. }), "{path}: {e}");
            assert_eq!(
                e.position(),
                Some(Position::record(rec, start as u64)),
                "{path}: {e} {:?}",
                e.position()
            );
        }
    }
    // Cut inside record 20: a truncated record, at its start, on every path.
    let bytes = w2v_binary(30, true);
    let (_, cut) = record_start(&bytes, 20);
    let short = &bytes[..cut + 5];
    for b in [short.to_vec(), gzip(short)] {
        for (path, got) in every_read(&b, |o| o) {
            let e = got.unwrap_err();
            assert!(matches!(e, Error::TruncatedRecord { .. }), "{path}: {e}");
            assert_eq!(
                e.position(),
                Some(Position::record(20, cut as u64)),
                "{path}"
            );
        }
    }
}

/// The 1-based record `n` of a dims-3 binary with newlines, and its offset.
fn record_start(bytes: &[u8], n: u64) -> (u64, usize) {
    let mut pos = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    for _ in 1..n {
        let sp = pos + bytes[pos..].iter().position(|&b| b == b' ').unwrap();
        pos = sp + 1 + 12 + 1;
    }
    (n, pos)
}

fn write_temp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f
}

#[test]
fn the_aligner_equals_aligning_the_full_read_on_every_path() {
    for (name, plain, _) in inputs() {
        let full = ReadOptions::new().read_bytes("".as_ref(), &plain).unwrap();
        // Some words of the file (early, late, repeated), a lower-case fallback,
        // and tokens it lacks.
        let mut tokens: Vec<String> = full
            .words()
            .iter()
            .step_by(3)
            .map(|w| {
                if w.starts_with("Cap") {
                    w.to_lowercase()
                } else {
                    w.clone()
                }
            })
            .collect();
        tokens.push("absent".into());
        let all_found: Vec<String> = full.words().iter().take(5).cloned().collect();
        for vocab_tokens in [tokens, all_found] {
            let vocab = Vocab::new(vocab_tokens).unwrap();
            let want = Aligner::new()
                .seed(3)
                .align_vectors(&full, vocab.clone())
                .unwrap();
            for bytes in [plain.clone(), gzip(&plain), gzip_two_members(&plain)] {
                let file = write_temp(&bytes);
                for small in [true, false] {
                    for threads in [1, 3] {
                        let opts = ReadOptions::new().small_buffers(small).threads(threads);
                        let got = Aligner::new()
                            .seed(3)
                            .read_options(opts)
                            .align(file.path(), vocab.clone())
                            .unwrap();
                        let what = format!("{name} small={small} threads={threads}");
                        assert_eq!(got.table.weights(), want.table.weights(), "{what}");
                        assert_eq!(got.table.origins(), want.table.origins(), "{what}");
                        let (g, w) = (&got.report, &want.report);
                        assert_eq!(
                            (g.found_exact, g.found_fallback, g.missing),
                            (w.found_exact, w.found_fallback, w.missing),
                            "{what}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_vocabulary_found_early_stops_the_scan_before_a_later_bad_row() {
    let mut bytes = glove(60);
    bytes.extend(b"broken x 2 3\n");
    for b in [bytes.clone(), gzip(&bytes)] {
        let file = write_temp(&b);
        for small in [true, false] {
            let vocab = Vocab::new(vec!["w0".into(), "w1".into()]).unwrap();
            let a = Aligner::new()
                .read_options(ReadOptions::new().small_buffers(small))
                .align(file.path(), vocab)
                .unwrap();
            assert_eq!(a.report.found_exact, 2);
            let vocab = Vocab::new(vec!["w0".into(), "broken".into()]).unwrap();
            let e = Aligner::new()
                .read_options(ReadOptions::new().small_buffers(small))
                .align(file.path(), vocab)
                .unwrap_err();
            assert!(matches!(e, Error::BadFloat { .. }), "{e}");
        }
    }
}

#[test]
fn a_gzip_bomb_of_one_repeated_row_keeps_one_row() {
    let row = b"the 0.1 0.2\n";
    let mut plain = Vec::with_capacity(row.len() * 100_000);
    for _ in 0..100_000 {
        plain.extend_from_slice(row);
    }
    let v = ReadOptions::new()
        .read_bytes("".as_ref(), &gzip(&plain))
        .unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v.info().file_rows, 100_000);
    assert_eq!(v.info().duplicates.len(), 1, "one entry per repeated word");
    assert_eq!(v.info().duplicates[0].repeats, 99_999);
    assert_eq!(
        (v.info().duplicates[0].first, v.info().duplicates[0].at),
        (1, 2)
    );
}

#[test]
fn a_truncated_gzip_names_the_exact_decompressed_byte() {
    let plain = glove(3000);
    let gz = gzip(&plain);
    let cut = &gz[..gz.len() / 2];
    // What a plain decoder gets out of the cut file before it fails.
    let mut decoded = Vec::new();
    let res = std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(cut), &mut decoded);
    assert!(res.is_err());
    for (path, got) in every_read(cut, |o| o) {
        match got {
            Err(Error::Gzip { pos, .. }) => {
                assert_eq!(pos, Position::byte(decoded.len() as u64), "{path}")
            }
            other => panic!("{path}: {:?}", other.map(|v| v.len())),
        }
    }
}

#[test]
fn bytes_after_a_complete_gzip_stream_are_named_as_such() {
    let plain = glove(30);
    let mut gz = gzip(&plain);
    let end = gz.len() as u64;
    gz.extend(b"garbage");
    for (path, got) in every_read(&gz, |o| o) {
        match got {
            Err(e @ Error::GzipTrailing { .. }) => {
                let msg = e.to_string();
                assert!(
                    msg.contains("7 bytes after the end of the gzip data"),
                    "{msg}"
                );
                assert!(msg.contains(&format!("compressed byte {end}")), "{msg}");
                assert_eq!(e.position(), Some(Position::byte(plain.len() as u64)));
            }
            other => panic!("{path}: {:?}", other.map(|v| v.len())),
        }
    }
}

#[test]
fn a_long_gzip_line_without_a_break_is_read_once() {
    // 4 MiB of one line: with a rescan per block this took quadratic time.
    let mut plain = b"word".to_vec();
    plain.extend(std::iter::repeat_n(*b" 1", 2 << 20).flatten());
    let gz = gzip(&plain);
    // Detection sees the first MiB only, so the row is ragged: the point is that
    // the error comes at once, at the line's start.
    let e = ReadOptions::new()
        .format(Format::Glove)
        .read_bytes("".as_ref(), &gz)
        .unwrap_err();
    assert!(matches!(e, Error::RaggedRow { .. }), "{e}");
    assert_eq!(e.position(), Some(Position::line(1, 0)));
}
