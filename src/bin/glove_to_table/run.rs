//! One run: the vocabulary from its source, the alignment, the outputs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub use crate::failure::Failure;
use pretrained_vectors::vocab::{self, PlainVocab, TokenFault, VocabOptions, VocabSetting};
use pretrained_vectors::write::{
    default_origins_path, write_token_list, AtomicGroup, OutputFormat, SaveOptions,
};
use pretrained_vectors::{AlignReport, Aligned, Aligner, Error, IoAction, ReadOptions, Vocab};
use serde::Serialize;

use crate::args::{Args, CorpusRules};
use crate::progress::Bar;

/// What a successful run made, for the summary.
pub struct Outcome {
    pub report: AlignReport,
    pub written: Vec<PathBuf>,
    pub source: String,
    /// Duplicate words of the file skipped in a plain conversion (the first wins).
    pub duplicates: Vec<(String, u64, u64, u64)>,
    pub seconds: f64,
    /// How the special-token rows were initialised.
    pub special_init: pretrained_vectors::OovInit,
    /// Things the run did that the user may not have meant, one line each.
    pub warnings: Vec<String>,
    /// The table written (its rows and reserved rows are summarised). `main` ends
    /// the process without freeing it: hundreds of thousands of words and a matrix
    /// the size of the output, which the system releases at exit in one step.
    pub table: pretrained_vectors::EmbeddingTable,
}

/// Where the vocabulary came from: its kind and file (none for a plain conversion).
struct Source {
    /// For the report: `--vocab-format`'s name of the kind, `corpus`, or
    /// `vector-file-words` for a plain conversion.
    kind: &'static str,
    /// For the summary.
    label: String,
    path: Option<PathBuf>,
}

/// The `--report` JSON: the tool, its inputs, then the library's coverage report.
/// The one builder of it, whether it goes to a file or to stdout (`--report -`).
#[derive(Serialize)]
struct RunReport<'a> {
    tool: &'static str,
    version: &'static str,
    inputs: &'a Inputs,
    #[serde(flatten)]
    report: &'a AlignReport,
}

impl<'a> RunReport<'a> {
    fn new(inputs: &'a Inputs, report: &'a AlignReport) -> Self {
        RunReport {
            tool: "glove-to-table",
            version: env!("CARGO_PKG_VERSION"),
            inputs,
            report,
        }
    }

    /// Pretty JSON, ending with a newline.
    fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a report always serialises");
        json.push('\n');
        json
    }
}

/// The input files of a run, as given on the command line.
#[derive(Serialize)]
struct Inputs {
    vectors: String,
    /// `--vocab-format`'s name of the kind (`keras-tokenizer`, `token-list`, ...),
    /// `corpus`, or `vector-file-words` for a plain conversion.
    vocabulary: &'static str,
    vocabulary_path: Option<String>,
}

/// The outputs of a run and how they are written.
struct Outputs {
    table: PathBuf,
    format: OutputFormat,
    /// The token list: always for npy and safetensors, for other formats only with
    /// `--vocab-out`.
    vocab: Option<PathBuf>,
    /// The row origins beside an npy table (safetensors holds them inside).
    origins: Option<PathBuf>,
    report: Option<PathBuf>,
    /// `--report -`: the report goes to standard output, after the files.
    report_stdout: bool,
    save: SaveOptions,
}

pub fn run(args: &Args, bar: &Bar) -> Result<Outcome, Failure> {
    let start = Instant::now();
    check_token_flags(args)?;
    let outputs = plan_outputs(args)?;
    #[cfg(unix)]
    if !args.no_mmap {
        crate::signals::report_input_changes(&args.vectors);
    }
    let mut read = ReadOptions::new()
        .format_opt(args.format.format())
        .utf8(args.utf8.policy())
        .max_decompressed_bytes(args.max_decompressed)
        .memory_map(!args.no_mmap)
        .strict_row_count(args.strict_row_count)
        .allow_non_finite(args.allow_non_finite);
    if let Some(n) = args.threads {
        read = read.threads(n);
    }
    let aligner = Aligner::new()
        .read_options(read.clone())
        .lowercase_fallback(!args.no_lowercase_fallback)
        .subwords(!args.no_subwords)
        .missing(args.missing)
        .oov(args.oov_init.init())
        .seed(args.seed);
    let aligner = match args.special_init {
        Some(init) => aligner.special(init.init()),
        None => aligner,
    };

    let mut duplicates = Vec::new();
    let (aligned, source) = match (&args.vocab, &args.corpus) {
        (Some(path), _) => {
            let (vocab, source) = vocab_file(args, path)?;
            let vocab = vocab.check_output(outputs.format)?;
            bar.reading(&args.vectors, true);
            let aligned = aligner
                .progress(bar.callback())
                .align(&args.vectors, vocab)?;
            (aligned, source)
        }
        (None, Some(path)) => {
            let vocab = corpus_vocab(args, path)?.check_output(outputs.format)?;
            let source = Source {
                kind: "corpus",
                label: format!("corpus {}", path.display()),
                path: Some(path.clone()),
            };
            bar.reading(&args.vectors, true);
            let aligned = aligner
                .progress(bar.callback())
                .align(&args.vectors, vocab)?;
            (aligned, source)
        }
        (None, None) => {
            bar.reading(&args.vectors, false);
            // The output's rule for words is checked as the file is read, once.
            let mut plain = PlainVocab::new().output(outputs.format);
            if let Some(p) = &args.pad_token {
                plain = plain.padding(p);
            }
            if let Some(o) = &args.oov_token {
                plain = plain.oov(o);
            }
            if let Some(n) = args.max_words {
                plain = plain.max_rows(n);
            }
            let vectors = plain.read(&args.vectors, &read)?;
            duplicates = vectors
                .info()
                .duplicates
                .iter()
                .map(|d| (d.word.clone(), d.at, d.first, d.repeats))
                .collect();
            let aligned = aligner.convert(&args.vectors, vectors, &plain)?;
            let source = Source {
                kind: "vector-file-words",
                label: "every word of the file".into(),
                path: Some(args.vectors.clone()),
            };
            (aligned, source)
        }
    };
    let warnings = lookalike_warnings(&source, &aligned);
    #[cfg(unix)]
    crate::signals::clean_up_on_signal();
    bar.writing(&outputs.table);
    let inputs = Inputs {
        vectors: args.vectors.to_string_lossy().into_owned(),
        vocabulary: source.kind,
        vocabulary_path: source
            .path
            .as_ref()
            .filter(|_| source.kind != "vector-file-words")
            .map(|p| p.to_string_lossy().into_owned()),
    };
    let written = write(&outputs, &aligned, inputs, &source.label)?;
    bar.done();
    Ok(Outcome {
        special_init: args.special_init.unwrap_or(args.oov_init).init(),
        warnings,
        report: aligned.report,
        table: aligned.table,
        written,
        source: source.label,
        duplicates,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Decides the outputs and checks them all before any work: distinct paths, folders
/// that exist, no input overwritten, nothing replaced without `--force`.
fn plan_outputs(args: &Args) -> Result<Outputs, Failure> {
    let stdout = |p: &Path| p.as_os_str() == "-";
    if stdout(&args.out) {
        return Err(Failure::Usage(
            "-o -: a table cannot be written to standard output (it is a file with a token \
             list beside it, and npy and safetensors are binary); give a file name, such as \
             -o table.npy (--report - writes the report to standard output)"
                .into(),
        ));
    }
    if args.vocab_out.as_deref().is_some_and(stdout) {
        return Err(Failure::Usage(
            "--vocab-out -: the token list cannot be written to standard output; give a file \
             name (--report - writes the report to standard output)"
                .into(),
        ));
    }
    let format = match args.out_format {
        Some(f) => f.format(),
        None => OutputFormat::from_extension(&args.out).map_err(|_| {
            Failure::Usage(format!(
                "cannot tell the output format of {} from its extension; expected .npy, \
                 .safetensors, .txt (GloVe), .vec (word2vec text) or .bin (word2vec binary), or \
                 give --out-format",
                args.out.display()
            ))
        })?,
    };
    if !format.holds(args.dtype) {
        return Err(Failure::Usage(match format {
            OutputFormat::Npy => format!(
                "--dtype {}: NumPy has no such type, so a .npy cannot hold it; give --dtype f16 \
                 or f32, or write a .safetensors",
                args.dtype.name()
            ),
            _ => format!(
                "--dtype {} applies to .npy and .safetensors outputs; {} holds f32 values only",
                args.dtype.name(),
                args.out.display()
            ),
        }));
    }
    let vocab = match &args.vocab_out {
        Some(p) => Some(p.clone()),
        None if format.has_token_sidecar() => {
            Some(pretrained_vectors::write::default_vocab_path(&args.out))
        }
        None => None,
    };
    let origins = (format == OutputFormat::Npy).then(|| default_origins_path(&args.out));
    let mut save = SaveOptions::new()
        .force(args.force)
        .input(&args.vectors)
        .dtype(args.dtype)
        .allow_non_finite(args.allow_non_finite);
    for input in [&args.vocab, &args.corpus].into_iter().flatten() {
        save = save.input(input);
    }
    if let Some(v) = &vocab {
        save = save.vocab_path(v);
    }
    let outputs = Outputs {
        table: args.out.clone(),
        format,
        vocab,
        origins,
        report: args.report.clone().filter(|p| !stdout(p)),
        report_stdout: args.report.as_deref().is_some_and(stdout),
        save,
    };
    let all: Vec<&PathBuf> = std::iter::once(&outputs.table)
        .chain(&outputs.vocab)
        .chain(&outputs.origins)
        .chain(&outputs.report)
        .collect();
    for (i, a) in all.iter().enumerate() {
        for b in &all[..i] {
            if std::path::absolute(a).ok() == std::path::absolute(b).ok() {
                return Err(Failure::Usage(format!(
                    "two outputs would be written to {}; give each output its own path",
                    a.display()
                )));
            }
        }
        outputs.save.policy().check_target(a)?;
    }
    Ok(outputs)
}

/// `--vocab`: any vocabulary kind, detected from its structure or named by
/// `--vocab-format`, read with the flags' reserved tokens and row limit.
fn vocab_file(args: &Args, path: &Path) -> Result<(Vocab, Source), Failure> {
    let options = vocab_options(args).kind_opt(args.vocab_format.map(|k| k.kind()));
    let vocab = Vocab::read(path, &options)?;
    let kind = vocab
        .get_kind()
        .expect("a vocabulary read from a file knows its kind");
    let source = Source {
        kind: kind.name(),
        label: format!("{} {}", kind.describe(), path.display()),
        path: Some(path.to_path_buf()),
    };
    Ok((vocab, source))
}

/// The vocabulary settings the flags give: `--pad-token`, `--oov-token`,
/// `--max-words`.
fn vocab_options(args: &Args) -> VocabOptions {
    let mut options = VocabOptions::new();
    if let Some(p) = &args.pad_token {
        options = options.padding(p);
    }
    if let Some(o) = &args.oov_token {
        options = options.oov(o);
    }
    if let Some(n) = args.max_words {
        options = options.max_words(n);
    }
    options
}

/// Words the report's look-alike rows: rows that look reserved, are not, and got
/// a random row because the vectors lack them.
fn lookalike_warnings(source: &Source, aligned: &Aligned) -> Vec<String> {
    let file = source.path.as_deref().unwrap_or(Path::new("")).display();
    aligned
        .report
        .lookalikes
        .iter()
        .map(|l| {
            let (what, flag, row_name) = match l.looks_like {
                VocabSetting::Padding => ("a padding", "--pad-token", "the zero padding row"),
                _ => ("an OOV", "--oov-token", "the OOV row"),
            };
            let place = match l.line {
                Some(line) => format!("line {line}"),
                None => format!("row {}", l.row),
            };
            format!(
                "{file}: {place} {:?} looks like {what} token but is an ordinary, random \
                 row; give {flag} {:?} to make it {row_name}",
                l.token, l.token
            )
        })
        .collect()
}

/// `--pad-token` and `--oov-token` must be tokens a table's token list can hold.
fn check_token_flags(args: &Args) -> Result<(), Failure> {
    for (flag, token) in [
        ("--pad-token", &args.pad_token),
        ("--oov-token", &args.oov_token),
    ] {
        let Some(token) = token else { continue };
        let Some(fault) = TokenFault::of(token) else {
            continue;
        };
        return Err(Failure::Usage(format!(
            "{flag} {token:?} {}; expected a token of at least one character, \
             without line breaks (the table's token list holds one token per line)",
            fault.describe()
        )));
    }
    Ok(())
}

/// `--corpus`: fit a vocabulary on the texts, one per line, by `--corpus-rules`.
fn corpus_vocab(args: &Args, path: &Path) -> Result<Vocab, Failure> {
    let rules = match args.corpus_rules {
        CorpusRules::TextVectorization => vocab::CorpusRules::TextVectorization,
        CorpusRules::KerasTokenizer => vocab::CorpusRules::KerasTokenizer,
    };
    Vocab::fit_corpus(path, rules, &vocab_options(args)).map_err(|e| match e {
        Error::InvalidOption { .. } if rules == vocab::CorpusRules::TextVectorization => {
            Failure::Usage(format!(
                "--max-words {} leaves no room for Keras 3's \"\" and [UNK] rows; expected at \
                 least 2",
                args.max_words.unwrap_or(0)
            ))
        }
        e => e.into(),
    })
}

/// Writes every output through one group: all of them appear, or none.
fn write(
    outputs: &Outputs,
    aligned: &Aligned,
    inputs: Inputs,
    source: &str,
) -> Result<Vec<PathBuf>, Failure> {
    let table = &aligned.table;
    let tokens = table.vocab().tokens();
    let mut group = AtomicGroup::new(outputs.save.policy().clone());
    let layout = outputs.save.layout().clone().metadata("vocabulary", source);
    table.add_outputs(&mut group, &outputs.table, outputs.format, &layout)?;
    if !outputs.format.has_token_sidecar() {
        if let Some(path) = &outputs.vocab {
            // Built in memory, then written, so that a failed write names its file.
            let mut list = Vec::new();
            write_token_list(&mut list, tokens)?;
            write_to(&mut group, path, &list)?;
        }
    }
    let json = RunReport::new(&inputs, &aligned.report).to_json();
    if let Some(path) = &outputs.report {
        write_to(&mut group, path, json.as_bytes())?;
    }
    let written = group.commit()?;
    if outputs.report_stdout {
        let mut out = std::io::stdout().lock();
        out.write_all(json.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| Error::Io {
                path: PathBuf::from("standard output"),
                action: IoAction::Write,
                source: e,
            })?;
    }
    Ok(written)
}

/// Writes `bytes` as the output `path` of `group`.
fn write_to(group: &mut AtomicGroup, path: &Path, bytes: &[u8]) -> Result<(), Error> {
    group.create(path)?.write_all(bytes).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        action: IoAction::Write,
        source: e,
    })
}
