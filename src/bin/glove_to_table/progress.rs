//! The progress bar on stderr: shown only when stderr is a terminal and not `--quiet`.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pretrained_vectors::align::Progress;

/// A progress bar, or nothing when there is no one to watch it.
pub struct Bar {
    bar: Option<ProgressBar>,
}

const SPINNER: &str = "{spinner} {msg} {bytes} ({binary_bytes_per_sec}), {elapsed}";
const BAR: &str = "{msg} [{bar:32}] {bytes}/{total_bytes} ({binary_bytes_per_sec}), {eta} left";

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("a valid template")
        .progress_chars("=> ")
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        let shown = !quiet && std::io::stderr().is_terminal();
        Bar {
            bar: shown.then(|| {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(style(SPINNER));
                bar
            }),
        }
    }

    /// Starts the reading phase; `counted` when the callback will report bytes.
    pub fn reading(&self, path: &Path, counted: bool) {
        if let Some(bar) = &self.bar {
            if !counted {
                bar.set_style(style("{spinner} {msg}, {elapsed}"));
            }
            bar.set_message(format!("reading {}", path.display()));
            bar.enable_steady_tick(Duration::from_millis(120));
        }
    }

    /// The aligner's callback: bytes scanned, and the total once known.
    pub fn callback(&self) -> Progress {
        let bar = self.bar.clone();
        let sized = AtomicBool::new(false);
        Arc::new(move |done, total| {
            let Some(bar) = &bar else { return };
            if let Some(total) = total {
                if !sized.swap(true, Ordering::Relaxed) {
                    bar.set_style(style(BAR));
                    bar.set_length(total);
                }
            }
            bar.set_position(done);
        })
    }

    /// Starts the writing phase.
    pub fn writing(&self, path: &Path) {
        if let Some(bar) = &self.bar {
            bar.set_style(style("{spinner} {msg}, {elapsed}"));
            bar.set_message(format!("writing {}", path.display()));
        }
    }

    /// Removes the bar (before the summary or an error is printed).
    pub fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
