//! What the user sees at the end: the summary of a run, or an error with a hint.

use std::io::Read;
use std::path::Path;

use pretrained_vectors::vocab::{VocabKind, VocabSetting};
use pretrained_vectors::{
    Error, FileKind, Format, FormatFault, HeaderFault, IoAction, JsonFault, MissingInit, OovInit,
};

use crate::args::{Args, InFormat};
use crate::failure::{format_hint, message};
use crate::run::{Failure, Outcome};

/// Prints the summary of a successful run on stderr.
pub fn summary(o: &Outcome) {
    let r = &o.report;
    let vocab = o.table.vocab();
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    let (table, others) = o.written.split_first().expect("the table is written");
    line(format!(
        "wrote {}: {} rows x {} dims",
        table.display(),
        o.table.rows(),
        r.dims
    ));
    line(format!("  vocabulary  {}", o.source));
    let mut rows = format!("{} exact", r.found_exact);
    if r.found_fallback > 0 {
        rows += &format!(", {} by lower case", r.found_fallback);
    }
    if r.subword > 0 {
        rows += &format!(", {} subword (from character n-grams)", r.subword);
    }
    rows += &format!(", {} missing", r.missing);
    if r.missing > 0 {
        rows += &format!(" ({})", describe_missing(r.missing_init, r.seed));
        if r.matched_flat_dims == r.dims {
            rows += &format!(
                "; Keras' default instead of matched random: {} vector(s) found, too few or \
                 too alike to match",
                r.found
            );
        } else if r.matched_flat_dims > 0 {
            rows += &format!(
                "; {} of {} dims have no spread over the vectors found and are Keras' \
                 uniform [-0.05, 0.05)",
                r.matched_flat_dims, r.dims
            );
        }
    }
    line(format!("  rows        {rows}"));
    let mut reserved = Vec::new();
    if vocab.get_padding().is_some() {
        reserved.push("padding (zeros)".to_string());
    }
    if vocab.get_oov().is_some() {
        reserved.push(format!("OOV ({})", describe_oov(r.oov_init)));
    }
    if let Some(row) = vocab.get_unused() {
        reserved.push(format!(
            "unused row {row} (zeros: the OOV token is also a word, so Keras never emits {row})"
        ));
    }
    if !vocab.get_specials().is_empty() {
        reserved.push(format!(
            "{} special ({})",
            vocab.get_specials().len(),
            describe_oov(o.special_init)
        ));
    }
    if !reserved.is_empty() {
        line(format!("  reserved    {}", reserved.join(", ")));
    }
    if let Some(pieces) = &r.pieces {
        let parts: Vec<String> = pieces
            .iter()
            .filter(|p| p.kind != pretrained_vectors::vocab::PieceKind::Special)
            .map(|p| {
                let mut s = format!("{} {}/{}", p.kind.name().replace('_', " "), p.found, p.rows);
                if p.subword > 0 {
                    s += &format!(" (+{} subword)", p.subword);
                }
                s
            })
            .collect();
        line(format!(
            "  pieces      {} (found/rows, by word form)",
            parts.join(", ")
        ));
    }
    let mut coverage = format!("{:.1}% of the vocabulary", 100.0 * r.coverage_types);
    if let Some(t) = r.coverage_tokens {
        coverage += &format!(", {:.1}% of word occurrences (by counts)", 100.0 * t);
    }
    line(format!("  coverage    {coverage}"));
    if !others.is_empty() {
        let names: Vec<String> = others.iter().map(|p| p.display().to_string()).collect();
        line(format!("  also wrote  {}", names.join(", ")));
    }
    let mut read = r
        .format
        .map_or("vectors in memory".into(), |f| f.to_string());
    if r.gzip {
        read += ", gzip";
    }
    read += &format!(", {} rows scanned", r.file_rows_scanned);
    if r.stopped_early {
        read += "; stopped early: every token found";
    }
    line(format!("  time        {:.2} s ({read})", o.seconds));
    if let Some((word, at, first, _)) = o.duplicates.first() {
        let rows: u64 = o.duplicates.iter().map(|d| d.3).sum();
        line(format!(
            "note: {rows} duplicate word(s) skipped, the first occurrence kept (e.g. {word:?} on \
             line/record {at}, first on {first})"
        ));
    }
    match r.header_rows {
        Some(h) if !r.stopped_early && h > r.file_rows_scanned => line(format!(
            "warning: the header claims {h} rows, but the file has {}: was it cut short? \
             (--strict-row-count makes this an error)",
            r.file_rows_scanned
        )),
        Some(h) if !r.stopped_early && h < r.file_rows_scanned => line(format!(
            "warning: the header claims {h} rows, but the file has {}; all were read \
             (--strict-row-count makes this an error)",
            r.file_rows_scanned
        )),
        _ => {}
    }
    for w in &o.warnings {
        line(format!("warning: {w}"));
    }
    let wanted = r.vocab_size - r.reserved;
    if wanted > 0 && r.found == 0 {
        line(
            "warning: no token of the vocabulary is in the vector file; is it the right \
             language, tokenizer or casing?"
                .into(),
        );
    }
    say(&out);
}

/// Writes `text` to stderr, ignoring failure: a full disk or a closed pipe on
/// stderr must not turn a finished run into a panic (exit 101). The exit code then
/// still says how the work went.
pub fn say(text: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

fn describe_missing(init: MissingInit, seed: u64) -> String {
    match init {
        MissingInit::Matched => format!("random, matched to the vectors found, seed {seed}"),
        MissingInit::Uniform { low, high } => format!("uniform [{low}, {high}), seed {seed}"),
        MissingInit::Normal { std } => format!("normal, std {std}, seed {seed}"),
        MissingInit::Zeros => "zeros".into(),
    }
}

fn describe_oov(init: OovInit) -> &'static str {
    match init {
        OovInit::Mean => "mean of the vectors found",
        OovInit::Random => "random",
        OovInit::Zeros => "zeros",
    }
}

/// Prints an error (and a hint where one helps) on stderr; returns the exit code.
pub fn failure(f: &Failure, args: &Args) -> u8 {
    match f {
        Failure::Usage(message) => {
            say(&format!(
                "error: {message}\n  (see glove-to-table --help)\n"
            ));
            2
        }
        Failure::Data(e) if in_flags(e, args).is_some() => {
            let message = in_flags(e, args).unwrap_or_default();
            say(&format!(
                "error: {message}\n  (see glove-to-table --help)\n"
            ));
            2
        }
        Failure::Data(e) => {
            let mut text = format!("error: {}\n", message(e));
            if let Some(h) = hint(e, args) {
                text += &format!("  hint: {h}\n");
            }
            say(&text);
            1
        }
    }
}

/// The library's refusals of a vocabulary setting, in the words of the flags that
/// gave it (a usage error), told by the error's variant and fields.
fn in_flags(e: &Error, args: &Args) -> Option<String> {
    let flag = |s: VocabSetting| match s {
        VocabSetting::Padding => "--pad-token",
        VocabSetting::Oov => "--oov-token",
        _ => "--max-words",
    };
    Some(match e {
        Error::NotForKind {
            setting: VocabSetting::MaxWords,
            path,
            kind,
        } => format!(
            "--max-words applies to a Keras tokenizer JSON, a --corpus, or a plain conversion; \
             {} is a {} (keep its first rows instead)",
            path.display(),
            kind.describe()
        ),
        Error::NotForKind {
            setting,
            kind: VocabKind::TextVectorization,
            ..
        } if args.corpus.is_some() => format!(
            "{0} does not apply to --corpus-rules text-vectorization: Keras 3 names its padding \
             row \"\" (id 0) and its OOV row [UNK] (id 1); drop {0}",
            flag(*setting)
        ),
        Error::ReservedToken {
            path,
            asked,
            kind: VocabKind::KerasTokenizer | VocabKind::KerasWordIndex,
            has: Some(has),
            ..
        } => format!(
            "{}: the tokenizer's OOV token is {has:?}, not {asked:?}; drop --oov-token or give \
             --oov-token {has:?}",
            path.display()
        ),
        Error::ReservedToken {
            path,
            asked,
            kind: VocabKind::KerasTokenizer | VocabKind::KerasWordIndex,
            has: None,
            ..
        } => format!(
            "{}: the tokenizer has no OOV token, so its sequences never use {asked:?}; drop \
             --oov-token (or refit the tokenizer with oov_token={asked:?})",
            path.display()
        ),
        Error::ReservedToken {
            path,
            setting,
            asked,
            kind,
            ..
        } => format!(
            "{}: {} {asked:?} is not a token of this {}; add it where its row belongs, or drop \
             {}",
            path.display(),
            flag(*setting),
            kind.describe(),
            flag(*setting)
        ),
        _ => return None,
    })
}

/// A hint for errors whose fix is not in the message itself: the flag that
/// does what the library's message names, told by the error's variant and fields.
pub fn hint(e: &Error, args: &Args) -> Option<String> {
    let on_vectors = e.path() == Some(args.vectors.as_path());
    let early = e.position().is_none_or(|p| p.line.is_some_and(|l| l <= 2));
    match e {
        Error::WrongFormat {
            fault: FormatFault::OtherKind(kind),
            suggest,
            ..
        } => Some(kind_hint(*kind, *suggest)),
        Error::WrongFormat {
            suggest: Some(_), ..
        }
        | Error::BadHeader {
            fault: HeaderFault::Missing { suggest: Some(_) },
            ..
        } => format_hint(e),
        Error::WrongFormat { .. }
        | Error::BadUtf8 { .. }
        | Error::RaggedRow { .. }
        | Error::BadFloat { .. }
        | Error::MissingWord { .. }
        | Error::BadHeader { .. }
            if on_vectors
                && early
                && args.format != InFormat::Word2vecBinary
                && looks_binary(&args.vectors) =>
        {
            Some(
                "this looks like word2vec binary; try --format word2vec-binary (or leave \
                 --format out: detection tells the formats apart)"
                    .into(),
            )
        }
        Error::BadUtf8 { lossy: true, .. } => {
            Some("try --utf8 lossy to replace invalid bytes in words with U+FFFD".into())
        }
        Error::BadUtf8 { .. } => Some("vocabulary and corpus files must be UTF-8 text".into()),
        Error::NonFinite { .. } => Some(
            "glove-to-table refuses NaN and infinite values; fix or remove that row, or keep \
             them with --allow-non-finite (text outputs then write them as nan, inf and -inf)"
                .into(),
        ),
        Error::OutputExists { .. } => Some("add --force to replace it".into()),
        Error::Gzip { .. } | Error::TruncatedRecord { .. } => {
            Some("the file looks cut short; was the download complete?".into())
        }
        Error::RaggedRow { .. } if on_vectors && args.format == InFormat::Auto => Some(
            "every row must have as many values as the first rows; if the file is another \
             format, say which with --format"
                .into(),
        ),
        Error::Io {
            action: IoAction::OpenOutputFolder,
            ..
        } => Some("create the folder first; glove-to-table does not create folders".into()),
        Error::EmptyVocab { path } if Some(path) == args.corpus.as_ref() => Some(
            "no line of --corpus has a word left once Keras' filters (punctuation, tabs, \
             newlines) are removed and the text is split on spaces"
                .into(),
        ),
        Error::Json { .. } | Error::JsonShape { .. } if args.vocab_format.is_some() => Some(
            "the file is not of the kind --vocab-format names; drop --vocab-format to detect \
             the kind from the file's structure"
                .into(),
        ),
        // JSON of no vocabulary kind; a file of a known kind that is broken inside
        // gets no list of kinds: its message names the key and what it must hold.
        Error::JsonShape { fault, .. } if !matches!(**fault, JsonFault::NotAVocabulary { .. }) => {
            None
        }
        Error::Json { .. } | Error::JsonShape { .. } => Some(
            "--vocab takes a token list (one token per line, or a JSON array of strings), a \
             Keras 3 TextVectorization vocabulary or word_index, a Keras tokenizer JSON, a Hugging \
             Face tokenizer.json or vocab.json, or BERT's vocab.txt; --vocab-format says which"
                .into(),
        ),
        _ => None,
    }
}

/// What to do with a file of another kind than vectors.
fn kind_hint(kind: FileKind, suggest: Option<Format>) -> String {
    match kind {
        FileKind::Npy => "an .npy holds a matrix without words (a table glove-to-table wrote is \
                          an output): give the vector file with words it came from"
            .into(),
        FileKind::Utf16Le | FileKind::Utf16Be => {
            "convert it to UTF-8 first: iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8".into()
        }
        FileKind::Utf32Le | FileKind::Utf32Be => {
            "convert it to UTF-8 first: iconv -f UTF-32 -t UTF-8 FILE > FILE.utf8".into()
        }
        FileKind::FastTextModel => format!(
            "read it as a model: --format {} (or leave --format out)",
            suggest.unwrap_or(Format::FastTextBin)
        ),
        FileKind::NestedGzip => "decompress it once (gunzip -c FILE > FILE.inner.gz) and give \
                                 the result, which is gzip-compressed vectors"
            .into(),
        FileKind::Safetensors => "a safetensors file holds tensors without words: give the \
                                  vector file with words it came from"
            .into(),
        _ => {
            "give a vector file: GloVe or word2vec text, word2vec binary or a fastText model".into()
        }
    }
}

/// Whether the (decompressed) start of a file holds bytes no text file has.
fn looks_binary(path: &Path) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(4096);
    let mut magic = [0u8; 2];
    let gz = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    if reader.take(4096).read_to_end(&mut head).is_err() {
        return false;
    }
    let odd = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    odd * 100 > head.len()
}
