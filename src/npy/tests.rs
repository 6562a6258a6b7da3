use std::path::Path;
use std::process::Command;

use ndarray::{array, Array2, ArrayView2};

use super::header::wrap_header;
use super::*;
use crate::error::IoAction;

const P: &str = "";

/// A file with the given version and dict, the header length exact (no padding).
fn raw(version: (u8, u8), dict: &str, data: &[u8]) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&[version.0, version.1]);
    if version.0 == 1 {
        b.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    } else {
        b.extend_from_slice(&(dict.len() as u32).to_le_bytes());
    }
    b.extend_from_slice(dict.as_bytes());
    b.extend_from_slice(data);
    b
}

fn le(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn write(m: &Array2<f32>) -> Vec<u8> {
    let mut out = Vec::new();
    write_matrix(&mut out, m.view()).unwrap();
    out
}

/// The `Error::Npy` fields, or a panic naming what came instead.
fn npy_error(bytes: &[u8]) -> (u64, String, String) {
    match from_bytes(Path::new("t.npy"), bytes) {
        Err(Error::Npy { pos, fault, .. }) => (pos.byte.unwrap(), fault.expected(), fault.found()),
        other => panic!("expected an Npy error, got {other:?}"),
    }
}

#[test]
fn writer_bytes_match_a_hand_built_file() {
    let m = array![[1.0f32, -2.0, 0.5], [0.0, 3.0, -0.25]];
    // The dict is 59 bytes; 10 + 59 + 1 > 64, so the header is padded to 128 bytes:
    // 128 - 10 - 59 - 1 = 58 spaces, then the newline. NumPy 2 writes these very
    // bytes for `np.save(f, np.zeros((2, 3), np.float32))`.
    let mut expected = b"\x93NUMPY\x01\x00\x76\x00".to_vec();
    expected.extend_from_slice(b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    expected.extend_from_slice(&[b' '; 58]);
    expected.push(b'\n');
    assert_eq!(expected.len(), 128);
    // 1.0, -2.0, 0.5, 0.0, 3.0, -0.25 as little-endian IEEE 754 singles.
    expected.extend_from_slice(&[
        0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x3f, //
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x40, 0x00, 0x00, 0x80, 0xbe,
    ]);
    assert_eq!(write(&m), expected);
}

#[test]
fn writer_uses_c_order_for_any_layout() {
    let m = array![[1.0f32, 2.0], [3.0, 4.0]];
    let t = m.t(); // Fortran-laid-out view of the transpose
    let mut out = Vec::new();
    write_matrix(&mut out, t).unwrap();
    assert_eq!(&out[128..], le(&[1.0, 3.0, 2.0, 4.0]).as_slice());
}

#[test]
fn data_starts_at_a_multiple_of_64_and_round_trips() {
    for (rows, cols) in [
        (0, 0),
        (0, 5),
        (1, 1),
        (3, 7),
        (12345, 300),
        (usize::MAX / 8, 2),
    ] {
        let h = header_bytes(rows, cols);
        assert_eq!(h.len() % 64, 0, "{rows}x{cols}");
        assert_eq!(h.last(), Some(&b'\n'));
        assert_eq!(&h[6..8], &[1, 0]);
    }
    let m = Array2::from_shape_fn((5, 3), |(i, j)| i as f32 * 0.1 - j as f32 * 7.5e-12);
    let bytes = write(&m);
    let back = from_bytes(Path::new(P), &bytes).unwrap();
    assert_eq!(back, m);
}

#[test]
fn huge_dicts_get_version_2() {
    let dict = format!(
        "{{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }}{}",
        " ".repeat(70_000)
    );
    let h = wrap_header(&dict);
    assert_eq!(&h[6..8], &[2, 0]);
    assert_eq!(h.len() % 64, 0);
    let len = u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize;
    assert_eq!(12 + len, h.len());
    let mut file = h.clone();
    file.extend_from_slice(&le(&[4.5]));
    let header = NpyHeader::from_bytes(Path::new(P), &file).unwrap();
    assert_eq!((header.version, header.rows, header.cols), ((2, 0), 1, 1));
    // Just below the limit stays 1.0.
    let small = wrap_header(&" ".repeat(65_535 - 1 - 64));
    assert_eq!(&small[6..8], &[1, 0]);
}

#[test]
fn parser_accepts_python_dict_variants() {
    let data = le(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    for dict in [
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
        "{\"shape\": (2, 3), \"descr\": \"<f4\", \"fortran_order\": False}",
        "{'fortran_order':False,'shape':(2,3,),'descr':'<f4'}\n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }   \n",
        "{ 'descr' : '<f4' ,\n 'fortran_order' : False , 'shape' : ( 2 , 3 ) , }",
    ] {
        for version in [(1, 0), (2, 0), (3, 0)] {
            let m = from_bytes(Path::new(P), &raw(version, dict, &data))
                .unwrap_or_else(|e| panic!("{dict}: {e}"));
            assert_eq!(m, array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]], "{dict}");
        }
    }
}

#[test]
fn other_byte_orders_widths_and_layouts_convert() {
    let want = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let be: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let d = "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3)}";
    assert_eq!(
        from_bytes(Path::new(P), &raw((1, 0), d, &be)).unwrap(),
        want
    );

    let fortran = le(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let d = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3)}";
    let m = from_bytes(Path::new(P), &raw((1, 0), d, &fortran)).unwrap();
    assert_eq!(m, want);
    assert!(m.is_standard_layout());

    let f8: Vec<u8> = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let d = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}";
    assert_eq!(
        from_bytes(Path::new(P), &raw((1, 0), d, &f8)).unwrap(),
        want
    );
    let f8be: Vec<u8> = [1.0f64, 4.0, 2.0, 5.0, 3.0, 6.0]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let d = "{'descr': '>f8', 'fortran_order': True, 'shape': (2, 3)}";
    assert_eq!(
        from_bytes(Path::new(P), &raw((1, 0), d, &f8be)).unwrap(),
        want
    );
}

#[test]
fn f8_values_beyond_f32_are_refused_at_their_byte() {
    let f8: Vec<u8> = [1.0f64, 1e300]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let d = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2)}";
    let file = raw((1, 0), d, &f8);
    let (byte, expected, found) = npy_error(&file);
    assert_eq!(byte as usize, 10 + d.len() + 8);
    assert!(expected.contains("f32 range"), "{expected}");
    assert_eq!(found, "1e300");
}

#[test]
fn bad_magic() {
    let (byte, expected, found) = npy_error(b"PK\x03\x04 not an npy file");
    assert_eq!(byte, 0);
    assert!(expected.contains("magic"), "{expected}");
    assert!(found.starts_with("\"PK\\x03\\x04"), "{found}");
    let (byte, _, _) = npy_error(b"");
    assert_eq!(byte, 0);
}

#[test]
fn bad_version() {
    let mut file = raw((1, 0), "{}", &[]);
    file[6] = 4;
    let (byte, expected, found) = npy_error(&file);
    assert_eq!((byte, found.as_str()), (6, "version 4.0"));
    assert!(expected.contains("1.0, 2.0 or 3.0"));
}

#[test]
fn truncated_header() {
    let (byte, expected, found) = npy_error(b"\x93NUMPY\x01\x00\x10");
    assert_eq!(byte, 8);
    assert!(expected.contains("2-byte header length"), "{expected}");
    assert_eq!(found, "the file ends at byte 9");
    let (byte, ..) = npy_error(b"\x93NUMPY\x02\x00\x10\x00\x00");
    assert_eq!(byte, 8);
    let (byte, ..) = npy_error(b"\x93NUMPY\x01");
    assert_eq!(byte, 6);
}

#[test]
fn header_length_past_the_file() {
    let mut file = raw((1, 0), "{'descr': '<f4'}", &[]);
    file[8] = 200;
    let (byte, expected, found) = npy_error(&file);
    assert_eq!(byte, 8);
    assert_eq!(expected, "a header of 200 bytes, ending at byte 210");
    assert_eq!(found, format!("the file ends at byte {}", file.len()));
    let mut file = raw((2, 0), "{}", &[]);
    file[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(npy_error(&file).0, 8);
}

#[test]
fn bad_dicts_point_at_the_offending_byte() {
    let cases: &[(&str, usize, &str)] = &[
        ("'descr': '<f4'}", 0, "`{`"),
        ("{'descr' '<f4'}", 9, "`:`"),
        ("{'descr': <f4}", 10, "a string, True"),
        ("{'descr': '<f4}", 10, "closed on the same line"),
        ("{'descr': '<f4' 'shape': (1, 1)}", 16, "`,` or `}`"),
        ("{'shape': (1; 1)}", 12, "`,` or `)`"),
        ("{'shape': (1, -1)}", 14, "a non-negative integer"),
        ("{'fortran_order': false}", 18, "a string, True"),
        ("{'descr': '<f4'} x", 17, "only white space"),
        ("{descr: '<f4'}", 1, "a quoted string"),
        ("{'descr': 'a\\'b'}", 12, "without escapes"),
        ("{'shape': (99999999999999999999, 1)}", 11, "below 2^64"),
        ("{'descr': '<f4', 'descr': '<f4'}", 17, "each key once"),
        ("{'descr': '<f4', 'extra': True}", 17, "only the keys"),
        ("{'fortran_order': (1,)}", 18, "True or False"),
        ("{'shape': '<f4'}", 10, "a tuple"),
        ("{'descr': [('a', '<f4')]}", 10, "a string, True"),
    ];
    for &(dict, at, expect) in cases {
        let (byte, expected, found) = npy_error(&raw((1, 0), dict, &[]));
        assert_eq!(byte as usize, 10 + at, "{dict}: {expected} / {found}");
        assert!(expected.contains(expect), "{dict}: {expected}");
    }
}

#[test]
fn key_faults_name_the_key() {
    use crate::error::NpyKey;
    let fault = |dict: &str| match from_bytes(Path::new("t.npy"), &raw((1, 0), dict, &[])) {
        Err(Error::Npy { pos, fault, .. }) => (pos.byte.unwrap(), *fault),
        other => panic!("expected an Npy error, got {other:?}"),
    };
    let f = |key| NpyFault::ValueType { key };
    assert_eq!(fault("{'descr': (1,)}"), (20, f(NpyKey::Descr)));
    assert_eq!(
        fault("{'fortran_order': 'C'}"),
        (28, f(NpyKey::FortranOrder))
    );
    assert_eq!(fault("{'shape': '<f4'}"), (20, f(NpyKey::Shape)));
    let m = |key| (10, NpyFault::MissingKey { key });
    assert_eq!(
        fault("{'fortran_order': False, 'shape': (1, 1)}"),
        m(NpyKey::Descr)
    );
    assert_eq!(
        fault("{'descr': '<f4', 'shape': (1, 1)}"),
        m(NpyKey::FortranOrder)
    );
    assert_eq!(
        fault("{'descr': '<f4', 'fortran_order': False}"),
        m(NpyKey::Shape)
    );
}

#[test]
fn syntax_faults_name_what_was_expected() {
    use crate::error::NpyExpected as E;
    let cases: &[(&str, usize, E)] = &[
        ("'descr': '<f4'}", 0, E::DictOpen),
        ("{descr: '<f4'}", 1, E::QuotedString),
        ("{'descr': 'a\\'b'}", 12, E::NoEscapes),
        ("{'descr': '<f4}", 10, E::ClosedString),
        ("{'descr' '<f4'}", 9, E::Colon),
        ("{'fortran_order': false}", 18, E::Value),
        ("{'shape': (1, -1)}", 14, E::Integer),
        (
            "{'shape': (99999999999999999999, 1)}",
            11,
            E::SmallDimension,
        ),
        ("{'shape': (1; 1)}", 12, E::CommaOrTupleClose),
        ("{'descr': '<f4' 'shape': (1, 1)}", 16, E::CommaOrDictClose),
        ("{'descr': '<f4'} x", 17, E::EndOfHeader),
    ];
    for &(dict, at, want) in cases {
        match from_bytes(Path::new("t.npy"), &raw((1, 0), dict, &[])) {
            Err(Error::Npy { pos, fault, .. }) => {
                assert_eq!(pos.byte, Some(10 + at as u64), "{dict}");
                assert!(
                    matches!(*fault, NpyFault::Syntax { expected, .. } if expected == want),
                    "{dict}: {fault:?}"
                );
            }
            other => panic!("{dict}: expected an Npy error, got {other:?}"),
        }
    }
    // What was found: the bytes from there, or the end of the header.
    match from_bytes(Path::new("t.npy"), &raw((1, 0), "{'descr': '<f4'", &[])) {
        Err(Error::Npy { fault, .. }) => assert_eq!(
            *fault,
            NpyFault::Syntax {
                expected: E::CommaOrDictClose,
                found: "the end of the header".into()
            }
        ),
        other => panic!("expected an Npy error, got {other:?}"),
    }
}

#[test]
fn missing_key() {
    let (byte, expected, found) = npy_error(&raw(
        (1, 0),
        "{'descr': '<f4', 'shape': (1, 1)}",
        &le(&[1.0]),
    ));
    assert_eq!(byte, 10);
    assert!(expected.contains("'fortran_order'"));
    assert_eq!(found, "no 'fortran_order'");
}

#[test]
fn unsupported_descr() {
    for descr in ["|f4", "<i4", "|f2", "f4", "<c8", "|O", "<e"] {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': (1, 1)}}");
        let (byte, expected, found) = npy_error(&raw((1, 0), &dict, &[0; 4]));
        assert_eq!(byte, 20, "{descr}");
        assert!(expected.contains("'<f4'"), "{expected}");
        assert_eq!(found, format!("'{descr}'"));
    }
}

#[test]
fn shapes_must_be_2d() {
    let d = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 1)}";
    let (byte, expected, found) = npy_error(&raw((1, 0), d, &le(&[0.0; 4])));
    assert_eq!(byte as usize, 10 + d.find('(').unwrap());
    assert!(expected.contains("2-D"), "{expected}");
    assert_eq!(found, "a 3-D shape (2, 2, 1)");
    let d = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}";
    let (_, expected, found) = npy_error(&raw((1, 0), d, &le(&[0.0; 4])));
    assert!(expected.contains("2-D shape (rows, cols)"), "{expected}");
    assert_eq!(found, "a 1-D shape (4,)");
    let d = "{'descr': '<f4', 'fortran_order': False, 'shape': ()}";
    assert_eq!(npy_error(&raw((1, 0), d, &le(&[0.0]))).2, "a 0-D shape ()");
}

#[test]
fn data_must_match_the_shape_exactly() {
    let d = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}";
    let start = 10 + d.len();
    let short = raw((1, 0), d, &le(&[0.0; 5]));
    let (byte, expected, found) = npy_error(&short);
    assert_eq!(byte as usize, short.len());
    assert_eq!(
        expected,
        "24 bytes of data for shape (2, 3) of <f4 after the header"
    );
    assert_eq!(
        found,
        format!("20 bytes from byte {start} to the end of the file")
    );

    let long = raw((1, 0), d, &le(&[0.0; 7]));
    let (byte, _, found) = npy_error(&long);
    assert_eq!(byte as usize, start + 24);
    assert!(found.starts_with("28 bytes"), "{found}");
    // One stray byte is enough.
    let mut odd = raw((1, 0), d, &le(&[0.0; 6]));
    odd.push(0);
    assert_eq!(npy_error(&odd).0 as usize, start + 24);
}

#[test]
fn huge_shapes_fail_before_allocating() {
    let d = "{'descr': '<f4', 'fortran_order': False, 'shape': (18446744073709551615, 3)}";
    let (byte, expected, _) = npy_error(&raw((1, 0), d, &[]));
    assert_eq!(byte as usize, 10 + d.find('(').unwrap());
    assert!(expected.starts_with("more than 2^64 bytes"), "{expected}");
    // Fits in u64 but not in the file: refused by the exact-length check.
    let d = "{'descr': '<f8', 'fortran_order': False, 'shape': (1073741824, 1073741824)}";
    let file = raw((1, 0), d, &[0; 8]);
    let (byte, expected, _) = npy_error(&file);
    assert_eq!(byte as usize, file.len());
    assert!(
        expected.starts_with("9223372036854775808 bytes"),
        "{expected}"
    );
}

#[test]
fn errors_name_the_file_and_byte() {
    let e = from_bytes(Path::new("table.npy"), b"nope").unwrap_err();
    assert_eq!(
        e.to_string(),
        "table.npy: bad npy at byte 0: expected the npy magic \"\\x93NUMPY\", found \"nope\""
    );
}

#[test]
fn open_views_in_place_or_copies() {
    let dir = tempfile::tempdir().unwrap();
    let m = Array2::from_shape_fn((4, 5), |(i, j)| (i * 5 + j) as f32 - 0.5);

    let path = dir.path().join("c.npy");
    std::fs::write(&path, write(&m)).unwrap();
    let opened = NpyMatrix::read(&path).unwrap();
    assert_eq!(opened.is_zero_copy(), cfg!(target_endian = "little"));
    assert_eq!(opened.view(), m.view());
    assert_eq!((opened.rows(), opened.cols()), (4, 5));
    assert_eq!(opened.to_owned(), m);
    assert_eq!(opened.into_array(), m);

    let fortran: Vec<f32> = m.t().iter().copied().collect();
    let d = "{'descr': '<f4', 'fortran_order': True, 'shape': (4, 5), }";
    let path = dir.path().join("f.npy");
    std::fs::write(&path, raw((1, 0), d, &le(&fortran))).unwrap();
    let opened = NpyMatrix::read(&path).unwrap();
    assert!(!opened.is_zero_copy());
    assert_eq!(opened.view(), m.view());
    assert!(opened.header().fortran_order);

    // An unaligned data offset still reads, by copying.
    let d = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 5)}";
    assert_ne!((10 + d.len()) % 4, 0);
    let path = dir.path().join("odd.npy");
    std::fs::write(&path, raw((1, 0), d, &le(m.as_slice().unwrap()))).unwrap();
    let opened = NpyMatrix::read(&path).unwrap();
    assert!(!opened.is_zero_copy());
    assert_eq!(opened.view(), m.view());
    assert_eq!(read(&path).unwrap(), m);
}

#[test]
fn every_reading_path_gives_the_same_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let m = Array2::from_shape_fn((6, 3), |(i, j)| (i as f32 - 2.5) * 10f32.powi(j as i32 - 1));
    let bytes = write(&m);
    let path = dir.path().join("m.npy");
    std::fs::write(&path, &bytes).unwrap();
    let mapped = NpyMatrix::read(&path).unwrap();
    let read = NpyMatrix::from_reader(&path, std::fs::File::open(&path).unwrap()).unwrap();
    let in_memory = from_bytes(&path, &bytes).unwrap();
    assert!(!read.is_zero_copy());
    assert_eq!(mapped.view(), m.view());
    assert_eq!(read.view(), m.view());
    assert_eq!(in_memory, m);
    // The fallback reports errors like the mapped path.
    let cut = &bytes[..bytes.len() - 1];
    let a = NpyMatrix::from_reader(&path, cut).unwrap_err().to_string();
    std::fs::write(&path, cut).unwrap();
    assert_eq!(NpyMatrix::read(&path).unwrap_err().to_string(), a);
}

#[test]
fn hostile_bytes_never_panic() {
    // Every prefix of a valid file, and random corruptions of its header.
    let good = write(&Array2::from_shape_fn((3, 2), |(i, j)| (i + j) as f32));
    for end in 0..good.len() {
        assert!(
            from_bytes(Path::new(P), &good[..end]).is_err(),
            "prefix {end}"
        );
    }
    let mut rng = crate::rng::Rng::new(3);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let mut b = good.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(128) as usize;
            let syntax = b"{}()[]',:\" \nTrueFals0123456789L";
            b[at] = match rng.below(3) {
                0 => rng.next_u64() as u8,
                1 => syntax[rng.below(syntax.len() as u64) as usize],
                _ => b' ',
            };
        }
        if let Ok(h) = NpyHeader::from_bytes(Path::new(P), &b) {
            accepted += 1;
            assert_eq!(
                h.data_offset + h.rows * h.cols * h.descr.item_size(),
                b.len()
            );
            let _ = from_bytes(Path::new(P), &b);
        }
        // The same header read as a vector of codes: an error, never a panic.
        let _ = int_vector(Path::new(P), &b);
    }
    assert!(accepted > 0, "some corruptions (padding) are harmless");
}

#[test]
fn open_reports_missing_and_empty_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.npy");
    match NpyMatrix::read(&missing) {
        Err(Error::Io { path, action, .. }) => {
            assert_eq!((path, action), (missing, IoAction::Open))
        }
        other => panic!("{other:?}"),
    }
    let empty = dir.path().join("empty.npy");
    std::fs::write(&empty, b"").unwrap();
    match NpyMatrix::read(&empty) {
        Err(Error::Npy { path, pos, .. }) if pos.byte == Some(0) => assert_eq!(path, empty),
        other => panic!("{other:?}"),
    }
}

/// Runs `script` with python3 if numpy imports; `None` (after a note) otherwise.
pub(crate) fn python_numpy(script: &str, args: &[&Path]) -> Option<String> {
    let ok = Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("note: skipping the numpy check: `python3 -c \"import numpy\"` fails");
        return None;
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn numpy_reads_ours_and_we_read_numpys() {
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.npy");
    let m = Array2::from_shape_fn((3, 4), |(i, j)| {
        [0.1f32, -1e-30, 3.4e38, -0.0, 1.5, f32::MIN_POSITIVE / 8.0][(i * 4 + j) % 6]
            * (i + 1) as f32
    });
    std::fs::write(&ours, write(&m)).unwrap();
    let c = dir.path().join("c.npy");
    let f = dir.path().join("f.npy");
    let b = dir.path().join("be.npy");
    let script = r#"
import sys, numpy as np
a = np.load(sys.argv[1])
assert a.dtype == np.float32 and a.shape == (3, 4), (a.dtype, a.shape)
print(' '.join(str(int(x)) for x in a.view(np.uint32).ravel()))
np.save(sys.argv[2], a)
np.save(sys.argv[3], np.asfortranarray(a))
np.save(sys.argv[4], a.astype('>f4'))
"#;
    let Some(out) = python_numpy(script, &[&ours, &c, &f, &b]) else {
        return;
    };
    let bits: Vec<u32> = out.split_whitespace().map(|s| s.parse().unwrap()).collect();
    let want: Vec<u32> = m.iter().map(|x| x.to_bits()).collect();
    assert_eq!(bits, want);
    for path in [&c, &f, &b] {
        let got = NpyMatrix::read(path).unwrap();
        let got_bits: Vec<u32> = got.view().iter().map(|x| x.to_bits()).collect();
        assert_eq!(got_bits, want, "{}", path.display());
    }
    assert!(NpyMatrix::read(&f).unwrap().header().fortran_order);
    assert_eq!(
        NpyMatrix::read(&c).unwrap().is_zero_copy(),
        cfg!(target_endian = "little")
    );
    // NumPy writes exactly our header for a C-order float32 matrix.
    assert_eq!(std::fs::read(&c).unwrap(), std::fs::read(&ours).unwrap());
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/npy")
        .join(name)
}

fn bits(m: ArrayView2<'_, f32>) -> Vec<u32> {
    m.iter().map(|x| x.to_bits()).collect()
}

/// Half-precision tables written by NumPy (`fixtures/npy/make_fixtures.py`) read as
/// NumPy's own `astype(np.float32)` of them, bit for bit, in either byte order and
/// layout.
#[test]
fn f2_tables_widen_exactly_as_numpy_does() {
    let want = read(fixture("glove8.f2.as_f32.npy")).unwrap();
    assert_eq!(want.dim(), (8, 50));
    for name in ["glove8.f2.npy", "glove8.f2be.fortran.npy"] {
        let m = NpyMatrix::read(fixture(name)).unwrap();
        assert!(!m.is_zero_copy());
        assert_eq!(bits(m.view()), bits(want.view()), "{name}");
    }
    let h = NpyMatrix::read(fixture("glove8.f2be.fortran.npy")).unwrap();
    assert_eq!(
        (h.header().descr, h.header().fortran_order),
        (Descr::F2Be, true)
    );
    // Every f16 bit pattern but NaNs (whose payloads f32 keeps) widens to the f32
    // that half's conversion gives; NaNs stay NaN.
    let all: Vec<u8> = (0..=u16::MAX).flat_map(u16::to_le_bytes).collect();
    let mut file = header_for("<f2", &[256, 256]);
    file.extend_from_slice(&all);
    let m = from_bytes(Path::new(P), &file).unwrap();
    for (i, x) in m.iter().enumerate() {
        let h = half::f16::from_bits(i as u16);
        if h.is_nan() {
            assert!(x.is_nan(), "{i:#x}");
        } else {
            assert_eq!(x.to_bits(), h.to_f32().to_bits(), "{i:#x}");
        }
    }
}

/// Row origins as NumPy writes them, in any integer type, read to the same codes;
/// other types and shapes are refused at the byte of the offending value.
#[test]
fn integer_vectors_of_any_numpy_type() {
    let path = fixture("keras_table.origins.npy");
    let want = int_vector(&path, &std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(want.len(), 10);
    assert!(want.iter().all(|&c| (0..8).contains(&c)), "{want:?}");
    for name in ["origins.u1.npy", "origins.i4be.npy", "origins.u2.npy"] {
        let path = fixture(name);
        let got = int_vector(&path, &std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(got, want, "{name}");
    }
    // Signed values keep their sign; big-endian values their order.
    let mut file = header_for(">i2", &[2]);
    file.extend_from_slice(&[0xff, 0xfe, 0x01, 0x02]);
    assert_eq!(int_vector(Path::new(P), &file).unwrap(), [-2, 0x0102]);
    let codes_error = |bytes: &[u8]| match int_vector(Path::new("o.npy"), bytes) {
        Err(Error::Npy { pos, fault, .. }) => (pos.byte.unwrap(), fault.expected(), fault.found()),
        other => panic!("expected an Npy error, got {other:?}"),
    };
    let d = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}";
    let (byte, expected, found) = codes_error(&raw((1, 0), d, &le(&[0.0; 2])));
    assert_eq!(byte as usize, 10 + d.find("'<f4'").unwrap());
    assert!(expected.contains("integer"), "{expected}");
    assert_eq!(found, "'<f4'");
    let d = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 1)}";
    let (byte, expected, found) = codes_error(&raw((1, 0), d, &[0, 0]));
    assert_eq!(byte as usize, 10 + d.find('(').unwrap());
    assert!(expected.contains("1-D"), "{expected}");
    assert_eq!(found, "a 2-D shape (2, 1)");
    let d = "{'descr': '<i8', 'fortran_order': False, 'shape': (3,)}";
    let (_, expected, _) = codes_error(&raw((1, 0), d, &[0; 16]));
    assert_eq!(
        expected,
        "24 bytes of data for shape (3,) of <i8 after the header"
    );
}

#[test]
fn origins_must_be_one_d_integers_and_the_error_says_where() {
    let path = Path::new("t.origins.npy");
    let floats = raw(
        (1, 0),
        "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
        &le(&[0.0, 1.0]),
    );
    let e = int_vector(path, &floats).unwrap_err();
    let Error::Npy {
        path: p,
        pos,
        fault,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(p, path);
    assert!(pos.byte.is_some_and(|b| b > 10 && b < 30), "{pos:?}");
    assert!(
        matches!(&**fault, NpyFault::NotIntegers { found } if found == "<f4"),
        "{e:?}"
    );
    assert!(e.to_string().contains("t.origins.npy"), "{e}");

    let two_d = raw(
        (1, 0),
        "{'descr': '<i8', 'fortran_order': False, 'shape': (1, 2), }",
        &[0; 16],
    );
    let e = int_vector(path, &two_d).unwrap_err();
    assert!(
        matches!(&e, Error::Npy { fault, .. } if matches!(**fault, NpyFault::NotOneD { dims: 2, .. })),
        "{e:?}"
    );
    let one_d = raw(
        (1, 0),
        "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
        &[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0],
    );
    assert_eq!(int_vector(path, &one_d).unwrap(), [1, 2]);
}
