//! `vectors-eval`: word vectors or an embedding table scored on word analogies and
//! word-pair similarity by gensim's rules, and the drift of a fine-tuned table.
//! Parses the command line, calls the library, returns an exit code: 0 on success,
//! 1 on a data or I/O error, 2 on a usage error.

use std::process::ExitCode;

use clap::Parser;

#[path = "vectors_eval/args.rs"]
mod args;
#[path = "common/failure.rs"]
mod failure;
#[path = "vectors_eval/run.rs"]
mod run;

fn main() -> ExitCode {
    // clap prints --help and --version (exit 0) and usage errors (exit 2) itself.
    let args = args::Args::parse();
    match run::run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure::Failure::Usage(message)) => {
            eprintln!("error: {message}");
            eprintln!("  (see vectors-eval --help)");
            ExitCode::from(2)
        }
        Err(failure::Failure::Data(e)) => {
            eprintln!("error: {}", failure::message(&e));
            // The library names its own options; the flags that set them are ours.
            if let Some(hint) = failure::format_hint(&e) {
                eprintln!("  hint: {hint}");
            } else if let pretrained_vectors::Error::OutputExists { .. } = e {
                eprintln!("  hint: add --force to replace it");
            }
            ExitCode::from(1)
        }
    }
}
