//! Native fastText models against the official tool: every committed model's
//! probe words and sample of dictionary words, bit for bit as the official
//! `fasttext` package's `get_word_vector` wrote them
//! (fixtures/fasttext/make_models.py).

mod common;

use common::fixture;
use pretrained_vectors::fasttext::{FastTextModel, ModelKind};
use pretrained_vectors::{Format, ReadOptions};
use serde_json::Value;

/// Models and the reference file of their official vectors.
const MODELS: &[(&str, &str)] = &[
    ("skipgram.bin", "skipgram.bin.json"),
    // The model of examples/misspelt.rs.
    ("docs.bin", "docs.bin.json"),
    ("cbow.bin", "cbow.bin.json"),
    // The format before the current one: the same values as cbow.bin.
    ("old.bin", "cbow.bin.json"),
    ("maxn0.bin", "maxn0.bin.json"),
    ("sup.bin", "sup.bin.json"),
    ("prefix.bin", "prefix.bin.json"),
    ("sup.ftz", "sup.ftz.json"),
    ("pruned.ftz", "pruned.ftz.json"),
    ("qout.ftz", "qout.ftz.json"),
    ("v11.ftz", "v11.ftz.json"),
];

fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(&format!("fasttext/{name}"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn bits(hex: &str) -> Vec<u32> {
    hex.split(' ')
        .map(|h| {
            let b = u32::from_str_radix(h, 16).unwrap();
            b.swap_bytes() // little-endian bytes written as hex
        })
        .collect()
}

fn model(name: &str) -> FastTextModel {
    FastTextModel::read(fixture(&format!("fasttext/{name}"))).unwrap()
}

#[test]
fn every_model_matches_the_official_vectors_bit_for_bit() {
    for &(name, refname) in MODELS {
        let m = model(name);
        let r = reference(refname);
        assert_eq!(m.dims() as u64, r["dim"].as_u64().unwrap(), "{name}");
        assert_eq!(
            m.word_count() as u64,
            r["words"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            m.label_count() as u64,
            r["labels"].as_u64().unwrap(),
            "{name}"
        );
        assert_eq!(
            m.is_quantized(),
            r["quantized"].as_bool().unwrap(),
            "{name}"
        );
        let (minn, maxn) = m.ngram_lengths();
        assert_eq!(
            (minn as u64, maxn as u64, m.buckets() as u64),
            (
                r["minn"].as_u64().unwrap(),
                r["maxn"].as_u64().unwrap(),
                r["bucket"].as_u64().unwrap()
            ),
            "{name}"
        );
        let mut checked = 0;
        for group in ["probes", "sample"] {
            for p in r[group].as_array().unwrap() {
                let word = p["word"].as_str().unwrap();
                let got: Vec<u32> = m.word_vector(word).iter().map(|v| v.to_bits()).collect();
                assert_eq!(got, bits(p["bits"].as_str().unwrap()), "{name}: {word:?}");
                checked += 1;
            }
        }
        assert!(checked > 100, "{name}: {checked}");
    }
}

#[test]
fn kinds_versions_and_formats() {
    let cases = [
        (
            "skipgram.bin",
            ModelKind::Skipgram,
            Some(12),
            Format::FastTextBin,
            false,
        ),
        (
            "cbow.bin",
            ModelKind::Cbow,
            Some(12),
            Format::FastTextBin,
            false,
        ),
        ("old.bin", ModelKind::Cbow, None, Format::FastTextBin, false),
        (
            "sup.bin",
            ModelKind::Supervised,
            Some(12),
            Format::FastTextBin,
            false,
        ),
        (
            "sup.ftz",
            ModelKind::Supervised,
            Some(12),
            Format::FastTextFtz,
            false,
        ),
        (
            "pruned.ftz",
            ModelKind::Supervised,
            Some(12),
            Format::FastTextFtz,
            true,
        ),
        (
            "v11.ftz",
            ModelKind::Supervised,
            Some(11),
            Format::FastTextFtz,
            false,
        ),
    ];
    for (name, kind, version, format, pruned) in cases {
        let m = model(name);
        assert_eq!(
            (m.kind(), m.version(), m.format(), m.is_pruned()),
            (kind, version, format, pruned),
            "{name}"
        );
    }
    // Labels are not words.
    let m = model("sup.bin");
    assert!(m.words().all(|w| !w.starts_with(b"__label__")));
    let mut labels: Vec<&[u8]> = m.labels().collect();
    labels.sort();
    assert_eq!(labels, vec![&b"__label__neg"[..], b"__label__pos"]);
    assert_eq!(
        m.word_id(b"__label__pos").map(|i| i >= m.word_count()),
        Some(true)
    );
}

#[test]
fn reading_a_model_converts_its_words_exactly() {
    for &(name, refname) in MODELS {
        let path = fixture(&format!("fasttext/{name}"));
        let v = ReadOptions::new().read(&path).unwrap();
        let m = model(name);
        assert_eq!(v.len(), m.word_count(), "{name}");
        assert_eq!(v.info().format, Some(m.format()));
        for (i, w) in m.words().enumerate().step_by(37) {
            let w = std::str::from_utf8(w).unwrap();
            assert_eq!(v.words()[i], w);
            let want = m.word_vector(w);
            assert_eq!(v.matrix().row(i), want, "{name}: {w}");
        }
        // And any other word through the model.
        let r = reference(refname);
        for p in r["probes"].as_array().unwrap() {
            let word = p["word"].as_str().unwrap();
            let want = bits(p["bits"].as_str().unwrap());
            let got = v.word_vector(word);
            if want.iter().all(|&b| b == 0) {
                continue;
            }
            let got: Vec<u32> = got.unwrap().iter().map(|x| x.to_bits()).collect();
            assert_eq!(got, want, "{name}: {word:?}");
        }
        // The format can be asked for, and the bytes in memory read the same.
        let forced = ReadOptions::new()
            .format(Format::FastTextBin)
            .read(&path)
            .unwrap();
        assert_eq!(forced.matrix(), v.matrix());
        let mem = ReadOptions::new()
            .read_bytes(&path, &std::fs::read(&path).unwrap())
            .unwrap();
        assert_eq!(mem.matrix(), v.matrix());
    }
}

fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    for part in parts {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(part).unwrap();
        out.extend(e.finish().unwrap());
    }
    out
}

/// A gzip-compressed model (`.bin.gz`, also in several members) reads as the
/// model itself: the same words and bit-identical vectors, from a file (detected,
/// or asked for), from bytes in memory, and for the aligner's subword rows.
#[test]
fn gzip_compressed_models_read_as_the_models_themselves() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["cbow.bin", "sup.ftz", "old.bin"] {
        let path = fixture(&format!("fasttext/{name}"));
        let raw = std::fs::read(&path).unwrap();
        let cut = raw.len() / 3;
        for (k, zipped) in [gzip(&[&raw]), gzip(&[&raw[..cut], &raw[cut..]])]
            .into_iter()
            .enumerate()
        {
            let gz = dir.path().join(format!("{name}.{k}.gz"));
            std::fs::write(&gz, &zipped).unwrap();
            let want = ReadOptions::new().read(&path).unwrap();
            for got in [
                ReadOptions::new().read(&gz).unwrap(),
                ReadOptions::new()
                    .format(Format::FastTextBin)
                    .read(&gz)
                    .unwrap(),
                ReadOptions::new().read_bytes(&gz, &zipped).unwrap(),
            ] {
                assert_eq!(got.words(), want.words(), "{name}");
                let bits = |v: &pretrained_vectors::Vectors| {
                    v.matrix().iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                };
                assert_eq!(bits(&got), bits(&want), "{name}");
                assert_eq!(got.info().format, want.info().format);
                assert!(got.info().gzip && !want.info().gzip);
            }
            let m = FastTextModel::read(&gz).unwrap();
            assert_eq!(m.word_vector("zzqxjv"), model(name).word_vector("zzqxjv"));
            let vocab = pretrained_vectors::Vocab::new(vec!["zzqxjv".into()]).unwrap();
            let a = pretrained_vectors::Aligner::new()
                .align(&gz, vocab.clone())
                .unwrap();
            let b = pretrained_vectors::Aligner::new()
                .align(&path, vocab)
                .unwrap();
            assert_eq!(a.table.weights(), b.table.weights(), "{name}");
            assert_eq!(a.report.subword, b.report.subword);
            assert!(a.report.gzip && !b.report.gzip);
        }
    }
}

/// A gzip-compressed model cut short names the decompressed byte where it broke,
/// and a limit on the decompressed size holds for models as for vector files.
#[test]
fn a_truncated_or_oversized_gzip_model_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read(fixture("fasttext/cbow.bin")).unwrap();
    let zipped = gzip(&[&raw]);
    let cut = dir.path().join("cut.bin.gz");
    std::fs::write(&cut, &zipped[..zipped.len() / 2]).unwrap();
    let e = ReadOptions::new().read(&cut).unwrap_err();
    assert!(matches!(e, pretrained_vectors::Error::Gzip { .. }), "{e}");
    let whole = dir.path().join("whole.bin.gz");
    std::fs::write(&whole, &zipped).unwrap();
    let e = ReadOptions::new()
        .max_decompressed_bytes(1000)
        .read(&whole)
        .unwrap_err();
    assert!(
        matches!(e, pretrained_vectors::Error::TooLarge { limit: 1000, .. }),
        "{e}"
    );
}

fn bytes_of(name: &str) -> Vec<u8> {
    std::fs::read(fixture(&format!("fasttext/{name}"))).unwrap()
}

fn put_i32(b: &mut [u8], at: usize, v: i32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// The error of reading `bytes` as a model, with its field and byte.
fn bad(bytes: Vec<u8>) -> (String, u64, String) {
    let e = FastTextModel::from_bytes("".as_ref(), bytes).unwrap_err();
    let msg = e.to_string();
    match e {
        pretrained_vectors::Error::BadModel { fault, pos, .. } => {
            (fault.field().to_string(), pos.byte.unwrap(), msg)
        }
        pretrained_vectors::Error::ModelTruncated { what, pos, .. } => {
            (what.to_string(), pos.byte.unwrap(), msg)
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[test]
fn every_truncation_is_a_positioned_error() {
    let full = bytes_of("pruned.ftz");
    for len in 0..full.len() {
        let e = FastTextModel::from_bytes("".as_ref(), full[..len].to_vec()).unwrap_err();
        assert!(e.position().is_some(), "{len}: {e}");
        assert!(
            e.position().unwrap().byte.unwrap() <= len as u64,
            "{len}: {e}"
        );
    }
    let mut longer = full.clone();
    longer.push(0);
    let (field, byte, msg) = bad(longer);
    assert_eq!(
        (field.as_str(), byte),
        ("file length", full.len() as u64),
        "{msg}"
    );
    assert!(msg.contains("1 more bytes"), "{msg}");
}

#[test]
fn hostile_counts_are_refused_before_allocating() {
    let sup = bytes_of("sup.bin");
    // Signature and arguments: magic 0, version 4, dim 8, ..., bucket 40, minn 44,
    // maxn 48; dictionary size 64, nwords 68, nlabels 72.
    let cases: Vec<(usize, i32, &str)> = vec![
        (4, 13, "version"),
        (8, 0, "dim"),
        (8, -3, "dim"),
        (8, i32::MAX, "dim"),
        (32, 9, "loss"),
        (36, 0, "model"),
        (40, -1, "bucket"),
        (44, -1, "minn"),
        (48, -2, "maxn"),
        (64, -1, "dictionary size"),
        (68, 1 << 30, "nwords"),
        (72, 5, "nlabels"),
    ];
    for (at, v, field) in cases {
        let mut b = sup.clone();
        put_i32(&mut b, at, v);
        let (f, byte, msg) = bad(b);
        assert_eq!((f.as_str(), byte), (field, at as u64), "{msg}");
    }
    // A dictionary larger than the file, its counts consistent.
    let mut b = sup.clone();
    put_i32(&mut b, 64, i32::MAX);
    put_i32(&mut b, 72, i32::MAX - 7510);
    let (f, byte, msg) = bad(b);
    assert_eq!((f.as_str(), byte), ("dictionary size", 64), "{msg}");
    // The bucket count shapes the matrix: one more bucket than the rows hold.
    let mut b = sup.clone();
    put_i32(&mut b, 40, 5001);
    let (f, _, msg) = bad(b);
    assert_eq!(f, "input matrix shape", "{msg}");
    assert!(
        msg.contains("7512 x 10") || msg.contains("12511 x 10"),
        "{msg}"
    );
    // A word marked as a label.
    let mut b = sup.clone();
    let first_type = 92 + b[92..].iter().position(|&c| c == 0).unwrap() + 1 + 8;
    b[first_type] = 1;
    let e = FastTextModel::from_bytes("".as_ref(), b).unwrap_err();
    assert_eq!(e.position().unwrap().record, Some(1), "{e}");
    assert_eq!(e.position().unwrap().byte, Some(first_type as u64), "{e}");
    // Not a flag.
    let mut b = bytes_of("cbow.bin");
    let m = model("cbow.bin");
    let flag = {
        let last = m.word(m.word_count() - 1);
        let at = b
            .windows(last.len() + 1)
            .rposition(|w| &w[..last.len()] == last && w[last.len()] == 0)
            .unwrap();
        at + last.len() + 1 + 9
    };
    b[flag] = 7;
    let (f, byte, _) = bad(b);
    assert_eq!((f.as_str(), byte), ("quantized input flag", flag as u64));
}

#[test]
fn quantizer_fields_are_checked() {
    // sup.ftz: the codes' size must be rows x nsubq, the quantizer must cover dim.
    let b = bytes_of("sup.ftz");
    let m = model("sup.ftz");
    let last = m.labels().last().unwrap().to_vec();
    let at = b
        .windows(last.len() + 1)
        .rposition(|w| w[..last.len()] == last[..] && w[last.len()] == 0)
        .unwrap();
    // entry end, quant flag, qnorm, rows, cols, codesize
    let quant_flag = at + last.len() + 1 + 9;
    let codesize_at = quant_flag + 1 + 1 + 16;
    let codesize = i32::from_le_bytes(b[codesize_at..codesize_at + 4].try_into().unwrap());
    let mut c = b.clone();
    put_i32(&mut c, codesize_at, codesize - 1);
    let (f, _, msg) = bad(c);
    assert!(f == "code size" || f == "quantizer dim", "{f}: {msg}");
    let pq_at = codesize_at + 4 + codesize as usize;
    for (off, v, field) in [
        (0, 11, "quantizer dim"),
        (4, 0, "quantizer nsubq, dsub, lastdsub"),
        (8, 3, "quantizer nsubq, dsub, lastdsub"),
        (12, 0, "quantizer nsubq, dsub, lastdsub"),
    ] {
        let mut c = b.clone();
        put_i32(&mut c, pq_at + off, v);
        let (f, byte, msg) = bad(c);
        assert_eq!(f, field, "{msg}");
        assert!(
            byte == (pq_at + off) as u64 || byte == (pq_at + 4) as u64,
            "{msg}"
        );
    }
}

fn probe_bits(refname: &str, word: &str) -> Vec<u32> {
    let r = reference(refname);
    let p = r["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["word"] == word)
        .unwrap_or_else(|| panic!("{word} not probed"));
    bits(p["bits"].as_str().unwrap())
}

fn row_bits(t: &pretrained_vectors::EmbeddingTable, r: usize) -> Vec<u32> {
    t.weights().row(r).iter().map(|v| v.to_bits()).collect()
}

#[test]
fn the_aligner_gives_missing_tokens_their_official_subword_vectors() {
    use pretrained_vectors::{Aligner, RowOrigin::*, Vocab};
    let tokens = [
        "<pad>", "<unk>", "function", "Module", "fucntion", "café", "😀", "</s>",
    ];
    let vocab = || {
        Vocab::new(tokens.iter().map(|t| t.to_string()).collect())
            .unwrap()
            .padding(0)
            .unwrap()
            .oov(1)
            .unwrap()
    };
    let path = fixture("fasttext/skipgram.bin");
    let aligned = Aligner::new().align(&path, vocab()).unwrap();
    let (t, r) = (&aligned.table, &aligned.report);
    let m = model("skipgram.bin");
    let module_is_word = m.word_id(b"Module").is_some();
    assert_eq!(t.origins()[2], Exact);
    assert_eq!(
        t.origins()[3],
        if module_is_word { Exact } else { Fallback }
    );
    assert_eq!(&t.origins()[4..], &[Subword, Subword, Subword, Exact]);
    assert_eq!(r.subword, 3);
    assert_eq!(r.format, Some(Format::FastTextBin));
    // Bit for bit the official vectors: of the token, or (fallback) of the word.
    for (row, word) in [
        (2, "function"),
        (4, "fucntion"),
        (5, "café"),
        (6, "😀"),
        (7, "</s>"),
    ] {
        assert_eq!(
            row_bits(t, row),
            probe_bits("skipgram.bin.json", word),
            "{word}"
        );
    }
    if !module_is_word {
        assert_eq!(row_bits(t, 3), probe_bits("skipgram.bin.json", "module"));
    }
    // The same through a loaded model.
    let again = Aligner::new().align_model(&m, vocab());
    assert_eq!(again.table.weights(), t.weights());
    // Off: missing rows as usual.
    let off = Aligner::new()
        .subwords(false)
        .align(&path, vocab())
        .unwrap();
    assert_eq!(&off.table.origins()[4..7], &[Missing; 3]);
    assert_eq!(off.report.subword, 0);
    assert_eq!(off.table.weights().row(2), t.weights().row(2));
    // A model without n-grams has no subword rows: the unknown token is missing.
    let off = Aligner::new()
        .align(fixture("fasttext/maxn0.bin"), vocab())
        .unwrap();
    assert_eq!(off.table.origins()[4], Missing);
    // Quantized and pruned: the same rules, the official vectors.
    let v = Vocab::new(vec!["good".into(), "happpy".into(), "qwzxv".into()]).unwrap();
    for name in ["sup.ftz", "pruned.ftz", "qout.ftz"] {
        let a = Aligner::new()
            .align(fixture(&format!("fasttext/{name}")), v.clone())
            .unwrap();
        let refname = format!("{name}.json");
        for (row, word) in [(0, "good"), (1, "happpy"), (2, "qwzxv")] {
            let want = probe_bits(&refname, word);
            if want.iter().any(|&b| b != 0) {
                assert_eq!(row_bits(&a.table, row), want, "{name}: {word}");
            } else {
                assert_eq!(a.table.origins()[row], Missing, "{name}: {word}");
            }
        }
    }
}

/// Reads a tokenizer of fixtures/hf as a vocabulary.
fn tokenizer(name: &str) -> pretrained_vectors::Vocab {
    use pretrained_vectors::vocab::VocabOptions;
    pretrained_vectors::Vocab::read(
        fixture(&format!("hf/{name}.tokenizer.json")),
        &VocabOptions::new(),
    )
    .unwrap()
}

#[test]
fn continuation_pieces_get_the_vectors_of_their_n_grams_inside_a_word() {
    use pretrained_vectors::fasttext::WordBounds;
    use pretrained_vectors::vocab::PieceKind;
    use pretrained_vectors::{Aligner, RowOrigin};
    use std::collections::HashMap;
    // Built by fixtures/fasttext/make_models.py from the official n-gram ids and
    // input rows, for the continuation pieces of real tokenizers.
    let r = reference("pieces.json");
    for (name, per) in r["models"].as_object().unwrap() {
        let m = model(name);
        for (tok, rows) in per.as_object().unwrap() {
            let want: HashMap<&str, (u64, Vec<u32>)> = rows
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let bits = bits(p["bits"].as_str().unwrap());
                    (
                        p["form"].as_str().unwrap(),
                        (p["rows"].as_u64().unwrap(), bits),
                    )
                })
                .collect();
            let lacks = r["tokenizers"][tok.as_str()].as_str().unwrap();
            let bounds = if lacks == "start" {
                WordBounds::NotStart
            } else {
                WordBounds::NotEnd
            };
            let vocab = tokenizer(tok);
            let a = Aligner::new().align_model(&m, vocab.clone());
            let t = &a.table;
            let (mut subword, mut missing, mut exact) = (0, 0, 0);
            for row in 0..vocab.len() {
                if vocab.piece_kind(row) != PieceKind::Continuation {
                    continue;
                }
                let form = vocab.lookup_form(row).unwrap();
                let (n, bits) = want
                    .get(form)
                    .unwrap_or_else(|| panic!("{name} {tok}: no reference for {form:?}"));
                match t.origins()[row] {
                    RowOrigin::Subword => {
                        assert_eq!(&row_bits(t, row), bits, "{name} {tok} {form:?}");
                        subword += 1;
                    }
                    RowOrigin::Missing => {
                        assert_eq!(*n, 0, "{name} {tok} {form:?} has n-gram rows");
                        missing += 1;
                    }
                    // The form is a word of the model: its own vector.
                    RowOrigin::Exact | RowOrigin::Fallback => exact += 1,
                    o => panic!("{name} {tok} {form:?}: {o:?}"),
                }
                // The library call gives the same, whether or not the form is a word.
                let direct = m.piece_vector(form, bounds);
                let direct: Vec<u32> = direct.iter().map(|v| v.to_bits()).collect();
                assert_eq!(&direct, bits, "{name} {tok} {form:?}");
            }
            assert!(subword > 0, "{name} {tok}: {subword} subword rows");
            assert_eq!(
                subword + missing + exact,
                want.len(),
                "{name} {tok}: every continuation piece of the tokenizer"
            );
            // The report counts them as subword rows of their kind.
            let kinds = a.report.pieces.as_ref().unwrap();
            let c = kinds
                .iter()
                .find(|p| p.kind == PieceKind::Continuation)
                .unwrap();
            assert_eq!((c.subword, c.found), (subword, exact), "{name} {tok}");
            assert_eq!(
                kinds.iter().map(|p| p.subword).sum::<usize>(),
                a.report.subword,
                "{name} {tok}"
            );
        }
    }
}

#[test]
fn whole_word_pieces_and_byte_pieces_keep_fasttexts_own_rules() {
    use pretrained_vectors::vocab::PieceKind;
    use pretrained_vectors::{Aligner, RowOrigin};
    let m = model("skipgram.bin");
    for tok in ["unigram", "bytelevel", "wordpiece", "bpe_suffix"] {
        let vocab = tokenizer(tok);
        let a = Aligner::new().align_model(&m, vocab.clone());
        let mut seen = 0;
        for row in 0..vocab.len() {
            let kind = vocab.piece_kind(row);
            let origin = a.table.origins()[row];
            match kind {
                // A piece with no word form is never computed from n-grams.
                PieceKind::Bytes => assert_eq!(origin, RowOrigin::Missing, "{tok} {row}"),
                PieceKind::Word | PieceKind::WordStart | PieceKind::WordEnd
                    if origin == RowOrigin::Subword =>
                {
                    // fastText's own getWordVector of the word form.
                    let form = vocab.lookup_form(row).unwrap();
                    assert_eq!(
                        a.table.weights().row(row),
                        m.word_vector(form),
                        "{tok} {form}"
                    );
                    seen += 1;
                }
                _ => {}
            }
        }
        assert!(
            seen > 0 || tok == "wordpiece",
            "{tok}: no whole-word subword row"
        );
    }
}
