//! What each fuzz target checks, shared by `fuzz/fuzz_targets/*.rs` (which call
//! these on every input) and `tests/fuzz_regressions.rs` (which replays the inputs
//! that once failed, kept under `fixtures/fuzz/<target>/`).
//!
//! Every check must not panic on any input; beyond that, whatever a reader accepts
//! must satisfy the invariants of its result, and must survive write -> read.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use pretrained_vectors::npy::{self, NpyHeader};
use pretrained_vectors::vocab::detect_kind;
use pretrained_vectors::vocab::{KerasTokenizer, VocabKind, VocabOptions};
use pretrained_vectors::{write, Format, ReadOptions, Utf8Policy, Vectors, Vocab};

/// Runs the check of the fuzz target named `target` on `data`.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "text" => text(data),
        "binary" => binary(data),
        "detect" => detect(data),
        "npy" => npy(data),
        "keras_json" => keras_json(data),
        "token_list" => token_list(data),
        "fasttext" => fasttext(data),
        other => panic!("no fuzz target {other}"),
    }
}

/// The invariants of any `Vectors` a reader returns.
fn check_vectors(v: &Vectors, allow_non_finite: bool) {
    let m = v.matrix();
    assert!(v.dims() > 0, "zero dims");
    assert_eq!(m.ncols(), v.dims());
    assert_eq!(m.nrows(), v.words().len());
    let info = v.info();
    assert_eq!(info.dims, v.dims());
    assert_eq!(info.file_rows, v.len() as u64 + info.repeated_rows());
    for (i, w) in v.words().iter().enumerate() {
        assert!(!w.is_empty(), "empty word at row {i}");
        assert!(!w.contains('\n'), "line break in word {w:?}");
        assert_eq!(v.row(w), Some(i), "word {w:?} not indexed at its row");
    }
    if !allow_non_finite {
        assert!(m.iter().all(|x| x.is_finite()), "non-finite value accepted");
    }
}

/// Asserts two reads gave the same words and bit-identical values (duplicates are
/// not compared: a file written from `Vectors` has none).
fn assert_same(a: &Vectors, b: &Vectors, what: &str) {
    assert_eq!(a.words(), b.words(), "{what}: words differ");
    assert_eq!(a.dims(), b.dims(), "{what}: dims differ");
    let bits = |v: &Vectors| v.matrix().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert!(bits(a) == bits(b), "{what}: values differ");
}

/// Reading options from a flag byte: bit 0 lossy UTF-8, bit 1 allow non-finite.
fn options(flags: u8, format: Option<Format>) -> ReadOptions {
    ReadOptions::new()
        .format_opt(format)
        .utf8(if flags & 1 != 0 {
            Utf8Policy::Lossy
        } else {
            Utf8Policy::Strict
        })
        .allow_non_finite(flags & 2 != 0)
        .max_decompressed_bytes(64 << 20)
}

/// GloVe and word2vec text, format forced. Byte 0: bit 0 lossy, bit 1 allow
/// non-finite, bit 2 word2vec text instead of GloVe; the rest is the file.
/// Strict success implies the same result in lossy mode; whatever the writer
/// accepts reads back the same, and so do its rows with runs of spaces and tabs
/// for separators (bits 3-7 choose the runs).
pub fn text(data: &[u8]) {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let format = if flags & 4 != 0 {
        Format::Word2vecText
    } else {
        Format::Glove
    };
    let opts = options(flags, Some(format));
    let Ok(v) = opts.read_bytes("".as_ref(), bytes) else {
        return;
    };
    check_vectors(&v, flags & 2 != 0);
    if flags & 1 == 0 {
        let lossy = opts
            .clone()
            .utf8(Utf8Policy::Lossy)
            .read_bytes("".as_ref(), bytes);
        let lossy = lossy.expect("lossy refused what strict read");
        assert_same(&v, &lossy, "lossy");
        assert_eq!(v.info().duplicates, lossy.info().duplicates);
    }
    let mut out = Vec::new();
    let written = match format {
        Format::Glove => write::write_glove_text(&mut out, v.words(), v.matrix()),
        _ => write::write_word2vec_text(&mut out, v.words(), v.matrix()),
    };
    if written.is_ok() {
        let back = opts
            .read_bytes("".as_ref(), &out)
            .unwrap_or_else(|e| panic!("cannot read back what was written: {e}"));
        assert_same(&v, &back, "write -> read");
        // Runs of spaces and tabs are one separator (issue 11.1): the same rows
        // with other white space between, before and after the fields, and CRLF,
        // read the same. The runs are chosen by the flag byte's high bits.
        if v.matrix().iter().any(|x| !x.is_finite()) {
            return; // NaN signs and payloads have no portable text
        }
        let runs: [&[u8]; 4] = [b"  ", b"\t", b" \t ", b"\t\t "];
        let run = |k: usize| runs[(usize::from(flags >> 3) + k) % runs.len()];
        let mut spaced = Vec::new();
        if format == Format::Word2vecText {
            spaced.extend_from_slice(format!("{}", v.len()).as_bytes());
            spaced.extend_from_slice(run(0));
            spaced.extend_from_slice(format!("{}\r\n", v.dims()).as_bytes());
        }
        for (i, word) in v.words().iter().enumerate() {
            if i % 2 == 1 {
                spaced.extend_from_slice(run(i));
            }
            spaced.extend_from_slice(word.as_bytes());
            for (j, x) in v.matrix().row(i).iter().enumerate() {
                spaced.extend_from_slice(run(i + j + 1));
                spaced.extend_from_slice(format!("{x:?}").as_bytes());
            }
            spaced.extend_from_slice(if i % 3 == 0 { b" \t\r\n" } else { b"\n" });
        }
        let back = opts
            .read_bytes("".as_ref(), &spaced)
            .unwrap_or_else(|e| panic!("cannot read the rows with runs of white space: {e}"));
        assert_same(&v, &back, "runs of white space");
        // A header claiming more dims than the rows hold (issue 11.2): detection
        // must not take the text rows for word2vec binary; reading reports the
        // first row as ragged.
        let printable = v
            .words()
            .iter()
            .all(|w| !w.bytes().any(|b| b < 0x20 || b == 0x7f));
        if format == Format::Word2vecText && printable {
            let body = &out[out.iter().position(|&b| b == b'\n').unwrap() + 1..];
            let extra = 1 + usize::from(flags >> 5);
            let mut lying = format!("{} {}\n", v.len(), v.dims() + extra).into_bytes();
            lying.extend_from_slice(body);
            match options(flags, None).read_bytes("".as_ref(), &lying) {
                // A numeric word before too few values reads as a missing word.
                Err(
                    pretrained_vectors::Error::RaggedRow { pos, .. }
                    | pretrained_vectors::Error::MissingWord { pos, .. },
                ) => assert_eq!(pos.line, Some(2), "lying header: error not at line 2"),
                other => panic!("lying header read as {:?}", other.map(|v| v.info().format)),
            }
        }
    }
}

/// word2vec binary, format forced. Byte 0: bit 0 lossy, bit 1 allow non-finite.
pub fn binary(data: &[u8]) {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let opts = options(flags, Some(Format::Word2vecBinary));
    let Ok(v) = opts.read_bytes("".as_ref(), bytes) else {
        return;
    };
    check_vectors(&v, flags & 2 != 0);
    let mut out = Vec::new();
    if write::write_word2vec_binary(&mut out, v.words(), v.matrix()).is_ok() {
        let back = opts
            .read_bytes("".as_ref(), &out)
            .unwrap_or_else(|e| panic!("cannot read back what was written: {e}"));
        assert_same(&v, &back, "write -> read");
    }
}

fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(part).unwrap();
        out.extend(e.finish().unwrap());
    }
    out
}

/// Detection and the gzip path. Byte 0: bit 0 lossy, bit 1 allow non-finite,
/// bit 2 gzip-wrap the rest after byte 1, bit 3 as two gzip members cut where
/// byte 1 says. Unwrapped input may itself be gzip. Wrapped, the in-memory path
/// and the streaming gzip path must agree.
pub fn detect(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let opts = options(flags, None);
    let allow = flags & 2 != 0;
    if flags & 4 == 0 {
        if let Ok(v) = opts.read_bytes("".as_ref(), rest) {
            check_vectors(&v, allow);
        }
        return;
    }
    let Some((&cut, bytes)) = rest.split_first() else {
        return;
    };
    let gz = if flags & 8 != 0 && !bytes.is_empty() {
        let (a, b) = bytes.split_at(usize::from(cut) % bytes.len());
        gzip(&[a, b])
    } else {
        gzip(&[bytes])
    };
    let plain = opts.read_bytes("".as_ref(), bytes);
    let streamed = opts.read_bytes("".as_ref(), &gz);
    if let Ok(v) = &plain {
        check_vectors(v, allow);
    }
    if let Ok(v) = &streamed {
        check_vectors(v, allow);
        assert!(v.info().gzip);
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        // Plain, these are gzip; wrapped, they are what the stream holds: the two
        // reads are of different things (we decompress one level, as zcat does).
        return;
    }
    match (&plain, &streamed) {
        (Ok(a), Ok(b)) => {
            assert_same(a, b, "plain vs gzip");
            assert_eq!(a.info().format, b.info().format);
            assert_eq!(a.info().duplicates, b.info().duplicates);
            assert_eq!(a.info().header_rows, b.info().header_rows);
        }
        (Ok(_), Err(e)) => panic!("gzip path refused what the plain path read: {e}"),
        (Err(e), Ok(_)) => panic!("plain path refused what the gzip path read: {e}"),
        (Err(_), Err(_)) => {}
    }
}

/// The npy header parser and reader: a matrix that reads matches its header and
/// survives write -> read bit for bit.
pub fn npy(data: &[u8]) {
    let path = Path::new("");
    let header = NpyHeader::from_bytes(path, data);
    let matrix = npy::from_bytes(path, data);
    let (Ok(h), Ok(m)) = (header, matrix) else {
        return;
    };
    assert_eq!(m.dim(), (h.rows, h.cols));
    assert!(h.data_offset <= data.len());
    assert_eq!(
        data.len() - h.data_offset,
        h.rows * h.cols * h.descr.item_size()
    );
    let mut out = Vec::new();
    npy::write_matrix(&mut out, m.view()).unwrap();
    let back = npy::from_bytes(path, &out).expect("read back what was written");
    let bits = |a: &ndarray::Array2<f32>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(back.dim(), m.dim());
    assert!(bits(&back) == bits(&m), "values changed in write -> read");
}

/// Keras tokenizer JSON: a tokenizer that loads is used and written back with
/// `to_json`, which must load again to the same word index.
pub fn keras_json(data: &[u8]) {
    let path = Path::new("");
    let _ = detect_kind(path, data);
    let Ok(tok) = KerasTokenizer::from_bytes(path, data) else {
        return;
    };
    if let Ok(v) = tok.vocab("<pad-fuzz>") {
        assert_eq!(v.get_padding(), Some(0));
        // Row 0 pads; with an OOV token that is also a word of the texts, Keras leaves
        // index 1 unused by `word_index` (it stays the OOV row), so one more row.
        assert!(v.len() <= tok.word_index().len() + 2);
    }
    let _ = tok.texts_to_sequences(["The cat sat on the mat.", "", "a\tb c"]);
    let json = tok.to_json();
    let back = KerasTokenizer::from_bytes(path, json.as_bytes())
        .unwrap_or_else(|e| panic!("to_json output does not load: {e}\n{json}"));
    assert_eq!(back.word_index(), tok.word_index(), "word_index changed");
    assert_eq!(back.get_num_words(), tok.get_num_words());
    assert_eq!(back.get_oov_token(), tok.get_oov_token());
}

/// Token lists. Byte 0 picks reserved names (bit 0 padding `<pad>`, bit 1 OOV
/// `<unk>`, bit 2 OOV `<pad>`, which clashes); a vocabulary that loads writes
/// back to a list that loads to the same vocabulary.
pub fn token_list(data: &[u8]) {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    let mut options = VocabOptions::new().kind(VocabKind::TokenList);
    if flags & 1 != 0 {
        options = options.padding("<pad>");
    }
    if flags & 2 != 0 {
        options = options.oov("<unk>");
    }
    if flags & 4 != 0 {
        options = options.oov("<pad>");
    }
    let Ok(v) = Vocab::from_bytes(Path::new(""), bytes, &options) else {
        return;
    };
    assert!(!v.is_empty());
    for (i, t) in v.tokens().iter().enumerate() {
        assert_eq!(v.get(t), Some(i));
    }
    let mut out = Vec::new();
    pretrained_vectors::write::write_token_list(&mut out, v.tokens()).unwrap();
    let back = Vocab::from_bytes(Path::new(""), &out, &v.token_list_options())
        .expect("read back what was written");
    assert_eq!(back, v);
}

/// A native fastText model (`.bin` / `.ftz`) from any bytes: never a panic; a model
/// that is accepted answers for its words, labels and arbitrary strings with
/// vectors of its dims, and its conversion to `Vectors` holds exactly those.
pub fn fasttext(data: &[u8]) {
    use pretrained_vectors::FastTextModel;
    let Ok(model) = FastTextModel::from_bytes("".as_ref(), data.to_vec()) else {
        // The reader's own entry point, format forced, must refuse it too.
        let forced = ReadOptions::new()
            .format(Format::FastTextBin)
            .read_bytes("".as_ref(), data);
        assert!(
            forced.is_err(),
            "read_bytes accepts what the model reader refuses"
        );
        return;
    };
    let dims = model.dims();
    assert!(dims > 0);
    let mut out = vec![0f32; dims];
    for w in model.words().take(64) {
        assert!(
            model.word_vector_into(w, &mut out) > 0,
            "a word without its row"
        );
    }
    for w in model.labels().take(8) {
        assert!(model.word_id(w).is_some(), "a label not found");
        model.word_vector_into(w, &mut out);
    }
    for w in [
        "",
        "</s>",
        "a",
        "café",
        "日本語",
        "\u{1F600}x",
        "abcdefghij",
    ] {
        let n = model.word_vector_into(w.as_bytes(), &mut out);
        if n == 0 {
            assert!(out.iter().all(|&v| v == 0.0), "no rows but not zeros");
        }
    }
    let Ok(v) = ReadOptions::new()
        .utf8(Utf8Policy::Lossy)
        .format(Format::FastTextBin)
        .read_bytes("".as_ref(), data)
    else {
        panic!("the model reads but does not convert");
    };
    assert_eq!(v.len() + v.info().duplicates.len(), model.word_count());
    assert_eq!(v.dims(), dims);
    for (i, w) in v.words().iter().enumerate().take(64) {
        assert_eq!(v.row(w), Some(i));
    }
}
