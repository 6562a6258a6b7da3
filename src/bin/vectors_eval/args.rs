//! The command line of `vectors-eval`: every flag, its default, and what it accepts.

use std::path::PathBuf;

use clap::Parser;
use pretrained_vectors::Format;

const EXAMPLES: &str = "\
Examples:
  # gensim's benchmarks (files in gensim/test/test_data/):
  vectors-eval glove.6B.50d.txt --analogies questions-words.txt --pairs wordsim353.tsv --pairs simlex999.txt

  # A fine-tuned table against the vectors it started from, with a JSON report:
  vectors-eval table.npy --drift start.npy --pairs simlex999.txt --json eval.json

Exit status: 0 on success, 1 on a data or I/O error, 2 on a usage error.";

/// Scores word vectors or an embedding table on word analogies and word-pair
/// similarity the way gensim does, and reports how far a fine-tuned table drifted.
///
/// Prints a short table on stdout; --json writes the scores as JSON.
#[derive(Debug, Parser)]
#[command(name = "vectors-eval", version, after_help = EXAMPLES)]
pub struct Args {
    /// The vectors: GloVe text, word2vec text or binary, fastText .vec (gzip
    /// detected), or a table (.npy or .safetensors) with its token list
    /// (TABLE.vocab.txt).
    #[arg(value_name = "VECTORS")]
    pub vectors: PathBuf,

    /// An analogy file in the questions-words.txt format (`: section` lines, then
    /// `a b c expected`); may be repeated.
    #[arg(long, value_name = "FILE")]
    pub analogies: Vec<PathBuf>,

    /// A word-pairs file, `word1<TAB>word2<TAB>score` (WordSim-353, SimLex-999; `#`
    /// comments); may be repeated.
    #[arg(long, value_name = "FILE")]
    pub pairs: Vec<PathBuf>,

    /// Look benchmark words up (and search answers) among the first N rows only,
    /// as gensim's restrict_vocab; 0 for every row.
    #[arg(long, value_name = "N", default_value_t = 300_000)]
    pub restrict_vocab: usize,

    /// Compare words exactly instead of upper-cased (gensim's case_insensitive=False).
    #[arg(long)]
    pub case_sensitive: bool,

    /// Answer analogies by 3CosMul (Levy and Goldberg 2014) instead of 3CosAdd.
    #[arg(long)]
    pub cosmul: bool,

    /// Write the scores as JSON to OUT (atomically; an existing file needs --force).
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,

    /// Overwrite an existing --json output.
    #[arg(long)]
    pub force: bool,

    /// Report the drift between VECTORS and TABLE2 (the same words before and after
    /// fine-tuning, any format VECTORS may have): each row's cosine to its start and
    /// the overlap of nearest neighbours.
    #[arg(long, value_name = "TABLE2", help_heading = "Drift")]
    pub drift: Option<PathBuf>,

    /// Words whose neighbours --drift compares (a seeded sample).
    #[arg(long, value_name = "N", default_value_t = 1000, help_heading = "Drift")]
    pub drift_sample: usize,

    /// Nearest neighbours compared per sampled word.
    #[arg(long, value_name = "K", default_value_t = 10, help_heading = "Drift")]
    pub drift_top_k: usize,

    /// Seed of the --drift sample.
    #[arg(long, value_name = "S", default_value_t = 0, help_heading = "Drift")]
    pub seed: u64,

    /// The format of vector files [default: detected from the bytes]: glove,
    /// word2vec-text or word2vec-binary.
    #[arg(long, value_name = "F", help_heading = "Input")]
    pub format: Option<Format>,

    /// The token list of a table VECTORS (.npy or .safetensors) [default: VECTORS
    /// with .vocab.txt, or the list a .safetensors names].
    #[arg(long, value_name = "FILE", help_heading = "Input")]
    pub vocab: Option<PathBuf>,

    /// Threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N", help_heading = "Input")]
    pub threads: Option<usize>,
}
