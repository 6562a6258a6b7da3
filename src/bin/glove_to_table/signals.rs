//! Ctrl-C and SIGTERM while writing: remove our temporary outputs, then die of the
//! signal as usual.
//!
//! Outputs are written to hidden temporaries named `.NAME.PID.N.tmp` beside each
//! target and renamed when all are complete, so an interrupted run never leaves a
//! partial target; without this handler it would leave those hidden files. The
//! handler only calls `unlink` (async-signal-safe) on names prepared beforehand,
//! all holding our PID, then restores the default action and re-raises the signal.
//! SIGKILL cannot be caught: it may leave a temporary file, never a partial target.

use std::ffi::CString;
use std::path::Path;
use std::sync::OnceLock;

/// Temporary names this process may create (`N` below this bound).
const MAX_COUNTER: u32 = 32;

static TEMPS: OnceLock<Vec<CString>> = OnceLock::new();

/// Installs the handler for SIGINT and SIGTERM, covering the temporaries of
/// `targets`. Call once, before writing.
pub fn clean_up_on_signal<'a>(targets: impl IntoIterator<Item = &'a Path>) {
    use std::os::unix::ffi::OsStrExt;
    let pid = std::process::id();
    let mut names = Vec::new();
    for target in targets {
        for n in 0..MAX_COUNTER {
            let temp = pretrained_vectors::write::temp_path(target, pid, n);
            if let Ok(c) = CString::new(temp.as_os_str().as_bytes()) {
                names.push(c);
            }
        }
    }
    if TEMPS.set(names).is_err() {
        return;
    }
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: `on_signal` only calls async-signal-safe functions (unlink, signal,
    // raise) on data fully built before the handler is installed.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    if let Some(names) = TEMPS.get() {
        for name in names {
            // SAFETY: a valid NUL-terminated path; unlink is async-signal-safe.
            unsafe { libc::unlink(name.as_ptr()) };
        }
    }
    // SAFETY: restoring the default action and re-raising are async-signal-safe.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}
