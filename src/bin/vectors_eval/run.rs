//! One run: read the vectors, score every file, print the table, write the JSON.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::failure::Failure;
use pretrained_vectors::eval::{
    drift, Analogies, AnalogyScore, DriftOptions, DriftReport, Embeddings, EvalOptions, PairScore,
    Pairs, Space,
};
use pretrained_vectors::table::SavedTable;
use pretrained_vectors::vocab::VocabOptions;
use pretrained_vectors::write::{AtomicFile, WritePolicy};
use pretrained_vectors::{Error, FileKind, IoAction, ReadOptions, Vectors};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::args::Args;

/// Vectors read from a file, or a saved table (and which kind of file it is).
enum Loaded {
    Vectors(Vectors),
    Table(SavedTable, FileKind),
}

impl Loaded {
    fn embeddings(&self) -> &dyn Embeddings {
        match self {
            Loaded::Vectors(v) => v,
            Loaded::Table(t, _) => t,
        }
    }

    fn describe(&self) -> String {
        let e = self.embeddings();
        let (rows, dims) = e.matrix().dim();
        let kind = match self {
            Loaded::Vectors(v) => {
                let i = v.info();
                let format = i.format.map_or("in memory".into(), |f| f.to_string());
                format!("{format}{}", if i.gzip { ", gzip" } else { "" })
            }
            Loaded::Table(_, FileKind::Safetensors) => "safetensors table".into(),
            Loaded::Table(..) => "npy table".into(),
        };
        format!("{rows} words x {dims} dims ({kind})")
    }
}

/// Everything that was scored, in the order asked.
struct Results {
    analogies: Vec<(String, AnalogyScore)>,
    pairs: Vec<(String, PairScore)>,
    drift: Option<DriftReport>,
}

impl Serialize for Results {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Named<'a, T>(&'a [(String, T)]);
        impl<T: Serialize> Serialize for Named<'_, T> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (name, score) in self.0 {
                    map.serialize_entry(name, score)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("analogies", &Named(&self.analogies))?;
        map.serialize_entry("pairs", &Named(&self.pairs))?;
        if let Some(d) = &self.drift {
            map.serialize_entry("drift", d)?;
        }
        map.end()
    }
}

pub fn run(args: &Args) -> Result<(), Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| Failure::Usage(format!("--threads: {e}")))?;
    pool.install(|| run_in_pool(args))
}

fn run_in_pool(args: &Args) -> Result<(), Failure> {
    let start = Instant::now();
    if args.analogies.is_empty() && args.pairs.is_empty() && args.drift.is_none() {
        return Err(Failure::Usage(
            "nothing to evaluate: give --analogies FILE, --pairs FILE or --drift TABLE2".into(),
        ));
    }
    let names = |files: &[PathBuf], flag: &str| -> Result<Vec<String>, Failure> {
        let mut seen = HashSet::new();
        files
            .iter()
            .map(|f| {
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .ok_or_else(|| Failure::Usage(format!("{flag} {}: not a file name", f.display())))?;
                if !seen.insert(name.clone()) {
                    return Err(Failure::Usage(format!(
                        "{flag}: two files are named {name:?}; the JSON report names scores by file name"
                    )));
                }
                Ok(name)
            })
            .collect()
    };
    let analogy_names = names(&args.analogies, "--analogies")?;
    let pair_names = names(&args.pairs, "--pairs")?;
    // Parse the benchmark files first: a bad line fails before the long read.
    let analogies: Vec<Analogies> = args
        .analogies
        .iter()
        .map(Analogies::read)
        .collect::<Result<_, _>>()?;
    let pairs: Vec<Pairs> = args
        .pairs
        .iter()
        .map(Pairs::read)
        .collect::<Result<_, _>>()?;
    let json = match &args.json {
        Some(path) => {
            let mut save = WritePolicy::new().force(args.force).input(&args.vectors);
            for f in args.analogies.iter().chain(&args.pairs).chain(&args.drift) {
                save = save.input(f);
            }
            Some(AtomicFile::create(path, &save)?)
        }
        None => None,
    };

    let loaded = load(args, &args.vectors, args.vocab.as_deref())?;
    let space = Space::new(loaded.embeddings());
    let options = EvalOptions::new()
        .restrict_vocab((args.restrict_vocab > 0).then_some(args.restrict_vocab))
        .case_insensitive(!args.case_sensitive)
        .cosmul(args.cosmul);
    let mut results = Results {
        analogies: Vec::new(),
        pairs: Vec::new(),
        drift: None,
    };
    for (name, set) in analogy_names.into_iter().zip(&analogies) {
        results
            .analogies
            .push((name, space.evaluate_analogies(set, &options)?));
    }
    for (name, set) in pair_names.into_iter().zip(&pairs) {
        results
            .pairs
            .push((name, space.evaluate_pairs(set, &options)?));
    }
    drop(space);
    if let Some(other) = &args.drift {
        let after = load(args, other, None)?;
        let opts = DriftOptions::new()
            .sample(args.drift_sample)
            .top_k(args.drift_top_k)
            .seed(args.seed);
        results.drift = Some(drift(loaded.embeddings(), after.embeddings(), &opts)?);
    }

    let mut out = String::new();
    print_table(&mut out, args, &loaded, &results);
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| write_failed(Path::new("<stdout>"), e))?;
    if let Some(mut file) = json {
        let path = file.target().to_path_buf();
        serde_json::to_writer_pretty(&mut file, &results)
            .map_err(|e| write_failed(&path, e.into()))?;
        file.write_all(b"\n").map_err(|e| write_failed(&path, e))?;
        file.commit()?;
    }
    eprintln!("time {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}

fn write_failed(path: &Path, source: std::io::Error) -> Failure {
    Failure::Data(Error::Io {
        path: path.to_path_buf(),
        action: IoAction::Write,
        source,
    })
}

/// Reads `path`: a table (.npy or .safetensors, told by its bytes) with its token
/// list, or vectors.
fn load(args: &Args, path: &Path, vocab: Option<&Path>) -> Result<Loaded, Failure> {
    let mut head = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| f.read(&mut head));
    let kind = read
        .ok()
        .and_then(|n| FileKind::of(&head[..n]))
        .filter(|k| matches!(k, FileKind::Npy | FileKind::Safetensors));
    if let Some(kind) = kind {
        let table = match vocab {
            Some(vocab) => SavedTable::read_with_vocab(path, vocab, &VocabOptions::new())?,
            // TABLE.vocab.txt, or the list a safetensors table names.
            None => SavedTable::read(path, &VocabOptions::new())?,
        };
        return Ok(Loaded::Table(table, kind));
    }
    if vocab.is_some() {
        return Err(Failure::Usage(format!(
            "--vocab names the token list of a table (.npy or .safetensors), but {} is not one",
            path.display()
        )));
    }
    Ok(Loaded::Vectors(
        ReadOptions::new().format_opt(args.format).read(path)?,
    ))
}

fn print_table(out: &mut String, args: &Args, loaded: &Loaded, r: &Results) {
    use std::fmt::Write as _;
    let restrict = if args.restrict_vocab == 0 {
        "every row".to_string()
    } else {
        format!("restrict_vocab {}", args.restrict_vocab)
    };
    let _ = writeln!(
        out,
        "{}: {}, {restrict}{}",
        args.vectors.display(),
        loaded.describe(),
        if args.case_sensitive {
            ", case-sensitive"
        } else {
            ""
        }
    );
    if !r.analogies.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<32} {:>7} {:>8} {:>10} {:>8}",
            if args.cosmul {
                "analogies (3CosMul)"
            } else {
                "analogies (3CosAdd)"
            },
            "score",
            "correct",
            "incorrect",
            "skipped"
        );
        for (name, a) in &r.analogies {
            let _ = writeln!(
                out,
                "{:<32} {:>7.4} {:>8} {:>10} {:>8}",
                name,
                a.score(),
                a.correct(),
                a.incorrect(),
                a.skipped()
            );
            for s in &a.sections {
                let _ = writeln!(
                    out,
                    "  {:<30} {:>7.4} {:>8} {:>10} {:>8}",
                    s.name,
                    s.score(),
                    s.correct,
                    s.incorrect,
                    s.skipped
                );
            }
        }
    }
    if !r.pairs.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<32} {:>7} {:>8} {:>10} {:>8}",
            "pairs", "pearson", "spearman", "unknown", "scored"
        );
        for (name, p) in &r.pairs {
            let _ = writeln!(
                out,
                "{:<32} {:>7.4} {:>8.4} {:>9.1}% {:>8}",
                name, p.pearson, p.spearman, p.oov_percent, p.scored
            );
        }
    }
    if let Some(d) = &r.drift {
        let _ = write!(out, "\n{d}");
    }
}
