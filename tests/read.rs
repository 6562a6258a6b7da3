//! Every format and reading path gives the same matrix as the reference reader.

mod common;

use common::*;
use pretrained_vectors::{Format, ReadOptions, Utf8Policy};

fn small_reference() -> (Vec<String>, Vec<Vec<f32>>) {
    reference_text(&plain_bytes(&fixture("small.glove.txt")))
}

#[test]
fn every_small_fixture_reads_like_the_reference() {
    let want = small_reference();
    let cases = [
        ("small.glove.txt", Format::Glove, false),
        ("small.glove.txt.gz", Format::Glove, true),
        ("small.w2v.txt", Format::Word2vecText, false),
        ("small.w2v.txt.gz", Format::Word2vecText, true),
        ("small.vec", Format::Word2vecText, false),
        ("small.crlf.txt", Format::Glove, false),
        ("small.bom.txt", Format::Glove, false),
        ("small.nofinalnl.txt", Format::Glove, false),
        ("small.w2v.bin", Format::Word2vecBinary, false),
        ("small.nonl.w2v.bin", Format::Word2vecBinary, false),
        ("small.w2v.bin.gz", Format::Word2vecBinary, true),
        ("small.multimember.txt.gz", Format::Glove, true),
    ];
    for (name, format, gzip) in cases {
        for threads in [1, 3] {
            let v = ReadOptions::new()
                .threads(threads)
                .read(fixture(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(v.info().format, Some(format), "{name}");
            assert_eq!(v.info().gzip, gzip, "{name}");
            assert_same(v.words(), v.matrix(), &want);
            // Forcing the right format gives the same result.
            let forced = ReadOptions::new()
                .format(format)
                .read(fixture(name))
                .unwrap();
            assert_eq!(forced.matrix(), v.matrix(), "{name} forced");
        }
    }
}

#[test]
fn binary_fixtures_match_the_binary_reference() {
    let bytes = plain_bytes(&fixture("small.w2v.bin"));
    let want = reference_binary(&bytes);
    let v = pretrained_vectors::read(fixture("small.w2v.bin")).unwrap();
    assert_same(v.words(), v.matrix(), &want);
    assert_eq!(v.info().header_rows, Some(300));
    assert!(!v.info().header_mismatch());
}

#[test]
fn real_20k_subset_is_exact_on_every_path_and_thread_count() {
    let gz = fixture("glove.6B.50d.20k.txt.gz");
    let bytes = plain_bytes(&gz);
    let want = reference_text(&bytes);
    assert_eq!(want.0.len(), 20_000);
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("glove.20k.txt");
    std::fs::write(&plain, &bytes).unwrap();
    let mut seen = Vec::new();
    for path in [&gz, &plain] {
        for threads in [1, 2, 7] {
            let v = ReadOptions::new().threads(threads).read(path).unwrap();
            assert_same(v.words(), v.matrix(), &want);
            seen.push(v.matrix().to_owned());
        }
    }
    // In-memory bytes too.
    let v = ReadOptions::new().read_bytes("".as_ref(), &bytes).unwrap();
    assert_same(v.words(), v.matrix(), &want);
    // Values as Stanford's file has them.
    let v = pretrained_vectors::read(&gz).unwrap();
    let the = v.get("the").unwrap();
    assert_eq!(
        &the.as_slice().unwrap()[..4],
        &[0.418f32, 0.24968, -0.41242, 0.1217]
    );
    assert_eq!(v.row(","), Some(1));
    assert_eq!(v.words()[19_999], want.0[19_999]);
}

#[test]
fn words_with_spaces_are_split_from_the_right() {
    let v = pretrained_vectors::read(fixture("spaced.glove.txt")).unwrap();
    assert_eq!(v.words()[0], "the the .");
    assert_eq!(v.words()[1], ",");
    let plain = reference_text(&plain_bytes(&fixture("small.glove.txt")));
    assert_eq!(v.words()[50], format!("{0} {0} .", plain.0[50]));
    let want = reference_text(&plain_bytes(&fixture("spaced.glove.txt")));
    assert_same(v.words(), v.matrix(), &want);
}

#[test]
fn duplicates_keep_the_first_and_are_reported() {
    let v = pretrained_vectors::read(fixture("bad/duplicates.txt")).unwrap();
    assert_eq!(v.len(), 5);
    let d = &v.info().duplicates;
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].word.as_str(), d[0].at, d[0].first), (",", 6, 2));
    let first = reference_text(&plain_bytes(&fixture("small.glove.txt")));
    assert_eq!(v.get(",").unwrap().to_vec(), first.1[1]);
    assert_eq!(v.info().file_rows, 6);
}

#[test]
fn header_disagreeing_with_rows_is_reported_not_fatal() {
    let mut text = b"250 50\n".to_vec();
    text.extend(plain_bytes(&fixture("small.glove.txt")));
    let v = ReadOptions::new().read_bytes("".as_ref(), &text).unwrap();
    assert_eq!(v.len(), 300);
    assert!(v.info().header_mismatch());
}

#[test]
fn lossy_utf8_replaces_bad_bytes() {
    let v = ReadOptions::new()
        .utf8(Utf8Policy::Lossy)
        .read(fixture("bad/bad_utf8.txt"))
        .unwrap();
    assert_eq!(v.words()[4], "caf\u{fffd}");
}

#[test]
fn non_finite_values_can_be_allowed() {
    let v = ReadOptions::new()
        .allow_non_finite(true)
        .read(fixture("bad/nan.txt"))
        .unwrap();
    assert!(v.matrix()[[3, 9]].is_nan());
}
