//! The command line: every flag, its default, and the values it accepts.
//!
//! The doc comments on the flags are clap's `--help` text, printed verbatim: tokens
//! such as `[UNK]` and `<pad>` are meant literally there, so rustdoc must not read
//! them as links or HTML (escaping them would print the backslashes in `--help`).
#![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use pretrained_vectors::vocab::VocabKind;
use pretrained_vectors::write::{Dtype, OutputFormat};
use pretrained_vectors::{Format, MissingInit, OovInit, Utf8Policy};

const EXAMPLES: &str = "\
Examples:
  # A Keras tokenizer's table, with a coverage report:
  glove-to-table glove.6B.100d.txt --vocab tokenizer.json -o table.npy \\
      --report report.json

  # The vocabulary of a corpus (Keras Tokenizer rules), 20000 rows at most:
  glove-to-table glove.6B.100d.txt --corpus train.txt --max-words 20000 \\
      --oov-token '<OOV>' -o table.npy

  # A token list (one token per line) whose first lines are the reserved rows:
  glove-to-table cc.en.300.vec.gz --vocab vocab.txt --pad-token '<pad>' \\
      --oov-token '<unk>' -o table.npy

  # Plain conversion, every word of the file: GloVe text to word2vec binary:
  glove-to-table glove.6B.100d.txt -o glove.6B.100d.bin

Load the .npy table in Python:
  import numpy as np
  matrix = np.load(\"table.npy\")
  import keras                      # Keras 3, or tf.keras
  layer = keras.layers.Embedding(
      *matrix.shape, trainable=False,
      embeddings_initializer=keras.initializers.Constant(matrix))
  import torch                      # PyTorch
  layer = torch.nn.Embedding.from_pretrained(
      torch.from_numpy(matrix), freeze=True, padding_idx=0)

Exit status: 0 on success, 1 on a data or I/O error, 2 on a usage error.";

/// Turns pretrained word vectors into an embedding table aligned to a vocabulary.
///
/// Row i of the table is the vector of token i of the vocabulary (a Keras tokenizer, a
/// token list, or a corpus), so the table can be handed straight to an Embedding layer.
/// Without --vocab or --corpus every word of the file becomes a row, in file order: a
/// plain format conversion.
#[derive(Debug, Parser)]
#[command(name = "glove-to-table", version, after_help = EXAMPLES)]
pub struct Args {
    /// Pretrained vectors: GloVe text, word2vec text or binary, fastText .vec (gzip is
    /// detected), or a native fastText model (.bin, quantized .ftz).
    #[arg(value_name = "VECTORS")]
    pub vectors: PathBuf,

    /// The table to write: .npy (float32, with a token list and the row origins beside
    /// it), .safetensors (tensors embeddings and origins, with a token list beside it),
    /// .txt (GloVe), .vec (word2vec text) or .bin (word2vec binary), by extension or
    /// --out-format.
    #[arg(short, long, value_name = "OUT")]
    pub out: PathBuf,

    /// The format of VECTORS [default: detected from the bytes].
    #[arg(long, value_enum, value_name = "F", default_value_t = InFormat::Auto, hide_default_value = true)]
    pub format: InFormat,

    /// The vocabulary, its kind detected from its structure: a token list (one token
    /// per line, or a JSON array of strings), BERT vocab.txt, Keras 3 TextVectorization
    /// (vocabulary file or word_index dict), Keras Tokenizer.to_json() or word_index,
    /// Hugging Face tokenizer.json or vocab.json.
    #[arg(long, value_name = "FILE", help_heading = "Vocabulary")]
    pub vocab: Option<PathBuf>,

    /// The kind of --vocab, instead of detecting it.
    #[arg(
        long,
        value_enum,
        value_name = "KIND",
        requires = "vocab",
        help_heading = "Vocabulary"
    )]
    pub vocab_format: Option<VocabFormat>,

    /// Build the vocabulary from a text corpus (one text per line) by Keras Tokenizer
    /// rules: words by frequency, row 0 padding.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "vocab",
        help_heading = "Vocabulary"
    )]
    pub corpus: Option<PathBuf>,

    /// The rules that fit --corpus: keras-tokenizer (Keras 2 Tokenizer: row 0 padding,
    /// words by frequency, ties in first-seen order) or text-vectorization (Keras 3
    /// TextVectorization defaults: row 0 "", row 1 [UNK], ties by UTF-8 bytes
    /// descending; --max-words is max_tokens).
    #[arg(long, value_enum, value_name = "R", default_value_t = CorpusRules::KerasTokenizer, requires = "corpus", help_heading = "Vocabulary")]
    pub corpus_rules: CorpusRules,

    /// Keras num_words: at most N rows, padding included (Keras keeps ids below N).
    /// With --corpus or a tokenizer JSON; without a vocabulary, the first file words.
    #[arg(long, value_name = "N", help_heading = "Vocabulary")]
    pub max_words: Option<usize>,

    /// Name of the OOV row: given to the tokenizer with --corpus, looked up in a token
    /// list, prepended without a vocabulary; a tokenizer JSON must agree with it.
    #[arg(long, value_name = "TOK", help_heading = "Vocabulary")]
    pub oov_token: Option<String>,

    /// Name of the padding row: looked up in a token list, prepended without a
    /// vocabulary; names row 0 of a Keras vocabulary [Keras default: <pad>].
    #[arg(long, value_name = "TOK", help_heading = "Vocabulary")]
    pub pad_token: Option<String>,

    /// Use only exact matches: a token absent from the file does not take the vector
    /// of its lower-case form.
    #[arg(long, help_heading = "Rows")]
    pub no_lowercase_fallback: bool,

    /// With a native fastText model: a token the model lacks is initialised as
    /// --missing says, instead of getting its subword vector (from the rows of its
    /// character n-grams).
    #[arg(long, help_heading = "Rows")]
    pub no_subwords: bool,

    /// Rows for tokens the file lacks: random (normal, matched to each dimension's
    /// mean and spread over the vectors found), uniform (Keras' [-0.05, 0.05); or
    /// uniform:A for [-A, A)), normal (std 0.05, Keras' RandomNormal; or normal:S),
    /// zeros.
    #[arg(long, value_name = "M", default_value = "random", value_parser = parse_missing, help_heading = "Rows")]
    pub missing: MissingInit,

    /// The OOV row: mean (of the vectors found), random (as --missing), zeros.
    #[arg(long, value_enum, value_name = "I", default_value_t = OovArg::Mean, help_heading = "Rows")]
    pub oov_init: OovArg,

    /// Special-token rows ([CLS], [SEP], <s>... of a Hugging Face or BERT vocabulary):
    /// mean, random or zeros, as --oov-init [default: as the OOV row].
    #[arg(long, value_enum, value_name = "I", help_heading = "Rows")]
    pub special_init: Option<OovArg>,

    /// Seed of the random rows; each row depends only on the seed and its token.
    #[arg(long, value_name = "N", default_value_t = 0, help_heading = "Rows")]
    pub seed: u64,

    /// Words that are not valid UTF-8: strict refuses them, lossy replaces bad bytes.
    #[arg(long, value_enum, value_name = "P", default_value_t = Utf8Arg::Strict)]
    pub utf8: Utf8Arg,

    /// Stop with an error once a gzip input has inflated past SIZE bytes (suffixes
    /// K, M, G, T: powers of 1024), so a hostile stream cannot run for hours.
    #[arg(long, value_name = "SIZE", default_value = "64G", value_parser = parse_size)]
    pub max_decompressed: u64,

    /// Threads for parsing, 1 to 8 per core (at least 64) [default: all cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// Refuse a word2vec file whose rows disagree with its header's row count (a
    /// download cut short), as gensim does; without it the run warns.
    #[arg(long)]
    pub strict_row_count: bool,

    /// Keep NaN and infinite values of VECTORS instead of refusing them. Text
    /// outputs write them as nan, inf and -inf (as NumPy does; gensim reads them
    /// back), word2vec binary and .npy/.safetensors keep their bits.
    #[arg(long)]
    pub allow_non_finite: bool,

    /// Read VECTORS into memory instead of mapping it. A mapped input that another
    /// program truncates while it is read ends the run with an error (exit 1);
    /// read into memory, it cannot change under the reader.
    #[arg(long)]
    pub no_mmap: bool,

    /// The format of OUT, whatever its extension.
    #[arg(long, value_enum, value_name = "F", help_heading = "Outputs")]
    pub out_format: Option<OutFormat>,

    /// The value type of a .npy or .safetensors table: f32, f16 or bf16 (safetensors
    /// only; NumPy has no bfloat16), rounded to nearest, ties to even.
    #[arg(long, value_name = "T", default_value = "f32", value_parser = parse_dtype, help_heading = "Outputs")]
    pub dtype: Dtype,

    /// The row-order vocabulary, one token per line [default for .npy: OUT with its
    /// extension replaced, table.npy -> table.vocab.txt; other formats hold their
    /// words and get one only when asked].
    #[arg(long, value_name = "FILE", help_heading = "Outputs")]
    pub vocab_out: Option<PathBuf>,

    /// Write the coverage report as JSON (`-`: to standard output, after the files
    /// are written; the summary stays on stderr).
    #[arg(long, value_name = "FILE", help_heading = "Outputs")]
    pub report: Option<PathBuf>,

    /// Replace existing outputs (refused otherwise). An input is never replaced.
    #[arg(long, help_heading = "Outputs")]
    pub force: bool,

    /// No progress bar, no summary: only errors on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A byte count with an optional binary suffix: `500M`, `64G`, `1T`, `123`.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, shift) = match t.as_bytes().last().map(u8::to_ascii_uppercase) {
        Some(b'K') => (&t[..t.len() - 1], 10),
        Some(b'M') => (&t[..t.len() - 1], 20),
        Some(b'G') => (&t[..t.len() - 1], 30),
        Some(b'T') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?}: expected a byte count such as 500M, 64G or 1T"))?;
    n.checked_mul(1 << shift)
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{s:?}: expected a positive byte count below 16 EiB"))
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InFormat {
    /// Detected from the bytes.
    Auto,
    /// GloVe text: no header.
    Glove,
    /// word2vec text or fastText .vec: a `rows dims` header.
    Word2vecText,
    /// word2vec binary.
    Word2vecBinary,
    /// A native fastText model, .bin or quantized .ftz (either name reads both).
    FasttextBin,
    /// A quantized native fastText model (.ftz); the same as fasttext-bin.
    FasttextFtz,
}

impl InFormat {
    pub fn format(self) -> Option<Format> {
        match self {
            InFormat::Auto => None,
            InFormat::Glove => Some(Format::Glove),
            InFormat::Word2vecText => Some(Format::Word2vecText),
            InFormat::Word2vecBinary => Some(Format::Word2vecBinary),
            InFormat::FasttextBin => Some(Format::FastTextBin),
            InFormat::FasttextFtz => Some(Format::FastTextFtz),
        }
    }
}

/// `--corpus-rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CorpusRules {
    /// Keras 2 `Tokenizer()` with its defaults.
    KerasTokenizer,
    /// Keras 3 `TextVectorization()` with its defaults.
    TextVectorization,
}

/// `--vocab-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VocabFormat {
    /// One token per line.
    TokenList,
    /// A JSON array of token strings.
    JsonList,
    /// BERT's vocab.txt: [PAD] padding, [UNK] OOV, [CLS]/[SEP]/[MASK] special, ## pieces.
    BertVocab,
    /// Keras 3 TextVectorization: vocabulary file ("" then [UNK]) or word_index dict.
    TextVectorization,
    /// Keras 2 Tokenizer.to_json().
    KerasTokenizer,
    /// Keras 2 word_index (ids from 1).
    KerasWordIndex,
    /// Hugging Face tokenizer.json.
    HfTokenizer,
    /// Hugging Face / GPT-2 vocab.json (ids from 0).
    HfVocabJson,
}

impl VocabFormat {
    pub fn kind(self) -> VocabKind {
        match self {
            VocabFormat::TokenList => VocabKind::TokenList,
            VocabFormat::JsonList => VocabKind::JsonList,
            VocabFormat::BertVocab => VocabKind::BertVocab,
            VocabFormat::TextVectorization => VocabKind::TextVectorization,
            VocabFormat::KerasTokenizer => VocabKind::KerasTokenizer,
            VocabFormat::KerasWordIndex => VocabKind::KerasWordIndex,
            VocabFormat::HfTokenizer => VocabKind::HfTokenizer,
            VocabFormat::HfVocabJson => VocabKind::HfVocabJson,
        }
    }
}

/// `--out-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// NumPy float32 matrix.
    Npy,
    /// GloVe text.
    Glove,
    /// word2vec text (also read as fastText .vec).
    Word2vecText,
    /// word2vec binary.
    Word2vecBinary,
    /// safetensors: tensors `embeddings` and `origins`, with metadata.
    Safetensors,
}

impl OutFormat {
    pub fn format(self) -> OutputFormat {
        match self {
            OutFormat::Npy => OutputFormat::Npy,
            OutFormat::Glove => OutputFormat::GloveText,
            OutFormat::Word2vecText => OutputFormat::Word2vecText,
            OutFormat::Word2vecBinary => OutputFormat::Word2vecBinary,
            OutFormat::Safetensors => OutputFormat::Safetensors,
        }
    }
}

/// `--oov-init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OovArg {
    Mean,
    Random,
    Zeros,
}

impl OovArg {
    pub fn init(self) -> OovInit {
        match self {
            OovArg::Mean => OovInit::Mean,
            OovArg::Random => OovInit::Random,
            OovArg::Zeros => OovInit::Zeros,
        }
    }
}

/// `--utf8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Utf8Arg {
    Strict,
    Lossy,
}

impl Utf8Arg {
    pub fn policy(self) -> Utf8Policy {
        match self {
            Utf8Arg::Strict => Utf8Policy::Strict,
            Utf8Arg::Lossy => Utf8Policy::Lossy,
        }
    }
}

/// Parses `-j`: a thread count from 1 to the library's bound.
fn parse_threads(s: &str) -> Result<usize, String> {
    let max = pretrained_vectors::read::max_threads();
    match s.parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a thread count from 1 to {max} (8 per core of this machine, at least 64)"
        )),
    }
}

/// Parses `--missing`: `random`, `uniform[:A]`, `normal[:S]`, `zeros`.
fn parse_missing(s: &str) -> Result<MissingInit, String> {
    let (name, param) = match s.split_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    let number = |default: f32| -> Result<f32, String> {
        match param {
            None => Ok(default),
            Some(p) => match p.parse::<f32>() {
                Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
                _ => Err(format!("{p:?} is not a positive number")),
            },
        }
    };
    match name.to_ascii_lowercase().as_str() {
        "random" | "matched" if param.is_none() => Ok(MissingInit::Matched),
        "uniform" => {
            let a = number(0.05)?;
            Ok(MissingInit::Uniform { low: -a, high: a })
        }
        "normal" => Ok(MissingInit::Normal { std: number(0.05)? }),
        "zeros" | "zero" if param.is_none() => Ok(MissingInit::Zeros),
        _ => Err("expected random, uniform, uniform:A, normal, normal:S or zeros".into()),
    }
}

/// `--dtype`.
fn parse_dtype(s: &str) -> Result<Dtype, String> {
    Dtype::parse(s).ok_or_else(|| format!("expected f32, f16 or bf16, found {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_is_well_formed() {
        Args::command().debug_assert();
    }

    #[test]
    fn vocab_formats_are_the_librarys_kinds() {
        for v in VocabFormat::value_variants() {
            let name = v.to_possible_value().unwrap().get_name().to_string();
            assert_eq!(v.kind().name(), name);
        }
        assert_eq!(VocabFormat::value_variants().len(), VocabKind::ALL.len());
    }

    #[test]
    fn missing_values() {
        assert_eq!(parse_missing("random"), Ok(MissingInit::Matched));
        assert_eq!(parse_missing("uniform"), Ok(MissingInit::KERAS_UNIFORM));
        assert_eq!(
            parse_missing("uniform:0.25"),
            Ok(MissingInit::Uniform {
                low: -0.25,
                high: 0.25
            })
        );
        assert_eq!(
            parse_missing("normal:1"),
            Ok(MissingInit::Normal { std: 1.0 })
        );
        assert_eq!(parse_missing("zeros"), Ok(MissingInit::Zeros));
        assert!(parse_missing("normal:-1").is_err());
        assert!(parse_missing("normal:nan").is_err());
        assert!(parse_missing("zeros:1").is_err());
        assert!(parse_missing("gaussian").is_err());
    }
}
