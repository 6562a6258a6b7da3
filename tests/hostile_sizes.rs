//! Hostile sizes (issue 8): counts read from a file are checked against its length
//! before anything is allocated, and a gzip stream that inflates without end stops
//! at the configured limit.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use pretrained_vectors::{npy, Error, Format, ReadOptions};

/// `head` followed by `fill` repeated to about `n` bytes, gzip-compressed (a small
/// file that inflates to far more).
fn bomb(head: &[u8], fill: &[u8], n: usize) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(head).unwrap();
    let chunk = fill.repeat((1 << 20) / fill.len());
    for _ in 0..n / chunk.len() {
        e.write_all(&chunk).unwrap();
    }
    e.finish().unwrap()
}

#[test]
fn a_gzip_bomb_stops_at_the_decompressed_limit() {
    const LIMIT: u64 = 6 << 20;
    // (what, the file's start, the pattern it repeats, the format forced)
    type Case<'a> = (&'a str, &'a [u8], &'a [u8], Option<Format>);
    let cases: [Case<'_>; 4] = [
        ("blank lines", b"the 0.5 0.25\n", b"\n", None),
        ("a line without end", b"the 0.5 0.25\nof ", b"7", None),
        ("text rows", b"the 0.5 0.25\n", b"of 1 2\n", None),
        (
            "binary records",
            b"1000 1\n",
            b"ab \0\0\0\0",
            Some(Format::Word2vecBinary),
        ),
    ];
    for (what, head, fill, format) in cases {
        let gz = bomb(head, fill, 32 << 20);
        assert!(gz.len() < 64 << 10, "{what}: the bomb is small");
        let e = ReadOptions::new()
            .format_opt(format)
            .max_decompressed_bytes(LIMIT)
            .read_bytes("".as_ref(), &gz)
            .unwrap_err();
        match &e {
            Error::TooLarge {
                what: "decompressed size",
                limit,
                pos,
                ..
            } => {
                assert_eq!(*limit, LIMIT, "{what}");
                assert!(
                    pos.byte
                        .is_some_and(|b| b > LIMIT && b <= LIMIT + (4 << 20)),
                    "{what}: {e}"
                );
            }
            other => panic!("{what}: expected TooLarge, got {other}"),
        }
    }
}

#[test]
fn a_header_claim_beyond_the_file_fails_before_allocating() {
    // 10^12 rows would need terabytes: refused from the header alone,
    // plain and compressed (where the bound is what the compressed size can hold).
    let file = b"1000000000000 1\nthe 0.5\n";
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(file).unwrap();
    let gz = e.finish().unwrap();
    for format in [Format::Word2vecText, Format::Word2vecBinary] {
        for (how, input) in [("plain", &file[..]), ("gzip", &gz[..])] {
            let e = ReadOptions::new()
                .format(format)
                .read_bytes("".as_ref(), input)
                .unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::HeaderTooLarge {
                        rows: 1_000_000_000_000,
                        dims: 1,
                        ..
                    }
                ),
                "{format} {how}: {e}"
            );
        }
    }
}

#[test]
fn an_npy_shape_beyond_the_file_fails_before_allocating() {
    for shape in [
        "(4294967296, 4294967296)",
        "(18446744073709551615, 2)",
        "(1000000, 1000000)",
    ] {
        let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let header = format!("{dict}\n");
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(&[0; 64]);
        let e = npy::from_bytes(Path::new(""), &bytes).unwrap_err();
        assert!(
            matches!(&e, Error::Npy { fault, .. }
                if matches!(**fault, pretrained_vectors::NpyFault::DataSize { .. })),
            "{shape}: {e}"
        );
    }
}
