//! `glove-to-table`: pretrained word vectors -> an embedding table aligned to a
//! vocabulary. Parses the command line, calls the library, returns an exit code:
//! 0 on success, 1 on a data or I/O error, 2 on a usage error.

use std::process::ExitCode;

use clap::Parser;

#[path = "glove_to_table/args.rs"]
mod args;
#[path = "glove_to_table/explain.rs"]
mod explain;
#[path = "common/failure.rs"]
mod failure;
#[path = "glove_to_table/progress.rs"]
mod progress;
#[path = "glove_to_table/run.rs"]
mod run;
#[cfg(unix)]
#[path = "glove_to_table/signals.rs"]
mod signals;

fn main() -> ExitCode {
    // clap prints --help and --version (exit 0) and usage errors (exit 2) itself.
    let args = args::Args::parse();
    let bar = progress::Bar::new(args.quiet);
    let result = run::run(&args, &bar);
    bar.done();
    match result {
        Ok(outcome) => {
            if !args.quiet {
                explain::summary(&outcome);
            }
            // Every output is in place and synced: end here rather than free the
            // table word by word (milliseconds for a large file), which the system
            // does at exit in one step. `exit` still flushes standard output.
            std::process::exit(0)
        }
        Err(failure) => ExitCode::from(explain::failure(&failure, &args)),
    }
}
