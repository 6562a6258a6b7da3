//! Loads a vector file and shows what is in it: format, shape, load time, header and
//! duplicates, coverage of a small sample vocabulary, and nearest neighbours.
//!
//! ```sh
//! cargo run --release --example load                      # the bundled real fixture
//! cargo run --release --example load -- glove.6B.50d.txt  # any GloVe/word2vec/fastText file
//! cargo run --release --example load -- --quiet --threads 2 FILE  # load only (for timing)
//! ```
//!
//! `--quiet` only loads the file and prints its shape, so that timing the whole
//! process measures loading (`benches/peer_read.sh` uses it).

use std::process::ExitCode;
use std::time::Instant;

use pretrained_vectors::ndarray::ArrayView1;
use pretrained_vectors::{ReadOptions, Vectors};

/// The file read when none is given: the 20,000 most frequent words of GloVe 6B 50d.
const DEFAULT_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/glove.6B.50d.20k.txt.gz"
);

/// Common English words, then made-up ones that no real vocabulary has.
const SAMPLE: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "was",
    "for",
    "on",
    "with",
    "king",
    "queen",
    "man",
    "woman",
    "frog",
    "computer",
    "city",
    "water",
    "music",
    "money",
    "zqxwv",
    "blorptastic",
    "oovword0001x",
    "glarbnik",
];

/// Words whose nearest neighbours are shown.
const PROBES: &[&str] = &["king", "frog", "computer"];

const USAGE: &str = "usage: load [--quiet] [--threads N] [PATH]";

struct Args {
    path: String,
    quiet: bool,
    threads: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        path: DEFAULT_PATH.to_string(),
        quiet: false,
        threads: None,
    };
    let mut it = std::env::args().skip(1);
    let mut path = None;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quiet" | "-q" => args.quiet = true,
            "--threads" | "-t" => {
                let n = it.next().ok_or("--threads needs a number")?;
                let n = n.parse().map_err(|_| format!("bad --threads: {n}"))?;
                args.threads = Some(n);
            }
            "--help" | "-h" => return Err(USAGE.to_string()),
            _ if a.starts_with('-') => return Err(format!("unknown option {a}\n{USAGE}")),
            _ if path.is_some() => return Err(format!("one path only\n{USAGE}")),
            _ => path = Some(a),
        }
    }
    if let Some(p) = path {
        args.path = p;
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    let mut opts = ReadOptions::new();
    if let Some(n) = args.threads {
        opts = opts.threads(n);
    }
    let start = Instant::now();
    let vectors = match opts.read(&args.path) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let secs = start.elapsed().as_secs_f64();
    if args.quiet {
        println!("{} x {}", vectors.len(), vectors.dims());
        // Timing mode: leave the memory to the operating system, which takes it
        // back at exit at once, instead of freeing 400,000 words one by one (about
        // 30 ms for GloVe 6B 50d), as command-line tools commonly do. The load
        // itself is what is timed.
        std::mem::forget(vectors);
        return ExitCode::SUCCESS;
    }
    describe(&args.path, &vectors, secs);
    ExitCode::SUCCESS
}

/// Prints the report for `vectors`, read from `path` in `secs` seconds.
fn describe(path: &str, vectors: &Vectors, secs: f64) {
    let info = vectors.info();
    println!("{path}");
    println!(
        "  format     {}{}",
        info.format.map_or("in memory".into(), |f| f.to_string()),
        if info.gzip { " (gzip)" } else { "" }
    );
    println!(
        "  shape      {} words x {} dims",
        vectors.len(),
        vectors.dims()
    );
    println!("  read in    {secs:.3} s");
    match info.header_rows {
        Some(h) if info.header_mismatch() => println!(
            "  header     claims {h} rows, the file has {}",
            info.file_rows
        ),
        Some(h) => println!("  header     {h} rows (agrees)"),
        None => println!("  header     none"),
    }
    println!(
        "  duplicates {} dropped (the first wins)",
        info.duplicates.len()
    );
    for d in info.duplicates.iter().take(3) {
        println!(
            "             {:?} at {} (first at {})",
            d.word, d.at, d.first
        );
    }

    let missing: Vec<&str> = SAMPLE
        .iter()
        .copied()
        .filter(|w| vectors.get(w).is_none())
        .collect();
    let found = SAMPLE.len() - missing.len();
    println!(
        "  coverage   {found} of {} sample words found ({:.1}%), {} missing: {}",
        SAMPLE.len(),
        100.0 * found as f64 / SAMPLE.len() as f64,
        missing.len(),
        missing.join(", ")
    );

    let norms: Vec<f32> = vectors.matrix().rows().into_iter().map(norm).collect();
    println!("  nearest neighbours (cosine):");
    for &word in PROBES {
        match nearest(vectors, &norms, word, 5) {
            Some(near) => {
                let list: Vec<String> = near.iter().map(|(w, c)| format!("{w} {c:.3}")).collect();
                println!("    {word:<10} {}", list.join(", "));
            }
            None => println!("    {word:<10} (not in the vocabulary)"),
        }
    }
}

fn norm(v: ArrayView1<'_, f32>) -> f32 {
    v.dot(&v).sqrt()
}

/// The `k` words closest to `word` by cosine similarity, best first.
fn nearest<'v>(
    vectors: &'v Vectors,
    norms: &[f32],
    word: &str,
    k: usize,
) -> Option<Vec<(&'v str, f32)>> {
    let row = vectors.row(word)?;
    let m = vectors.matrix();
    let q = m.row(row);
    let qn = norms[row];
    let mut scored: Vec<(usize, f32)> = m
        .rows()
        .into_iter()
        .zip(norms)
        .enumerate()
        .filter(|&(i, (_, &n))| i != row && n > 0.0)
        .map(|(i, (r, &n))| (i, r.dot(&q) / (n * qn)))
        .collect();
    let k = k.min(scored.len());
    if k == 0 {
        return Some(Vec::new());
    }
    scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
    scored.truncate(k);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    Some(
        scored
            .into_iter()
            .map(|(i, c)| (vectors.words()[i].as_str(), c))
            .collect(),
    )
}
