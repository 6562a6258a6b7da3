//! Signals while the tool runs: remove our temporary outputs, then end as the
//! signal would have ended us, or with a message.
//!
//! Outputs are written to hidden temporaries named `.NAME.PID.N.tmp` beside each
//! target and renamed when all are complete, so an interrupted run never leaves a
//! partial target; without these handlers it would leave those hidden files.
//!
//! - SIGINT, SIGTERM and SIGHUP (the terminal closed): remove the temporaries,
//!   restore the default action and re-raise, so the parent sees the signal. A
//!   signal the parent set to be ignored (`nohup`, `trap '' HUP`) stays ignored.
//! - SIGBUS: the input is memory-mapped, and another program truncated (or
//!   rewrote) it while it was read, so a page of the map no longer exists. Remove
//!   the temporaries, say so on stderr, exit 1.
//!
//! The temporaries in progress are the library's to know:
//! [`remove_temp_files`] unlinks them. The handlers only call async-signal-safe
//! functions (that one, `write`, `signal`, `raise`, `_exit`) on data fully built
//! before they are installed. SIGKILL cannot be caught: it may leave a temporary
//! file, never a partial target.

use std::path::Path;
use std::sync::OnceLock;

use pretrained_vectors::write::remove_temp_files;

/// Whether the handlers for the ending signals are installed.
static INSTALLED: OnceLock<()> = OnceLock::new();
static BUS_MESSAGE: OnceLock<Vec<u8>> = OnceLock::new();

/// The signals that end the run and get their temporaries removed first.
const ENDING: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Installs the handlers for SIGINT, SIGTERM and SIGHUP, which remove the
/// temporaries in progress. Call before writing; later calls do nothing.
pub fn clean_up_on_signal() {
    if INSTALLED.set(()).is_err() {
        return;
    }
    for signal in ENDING {
        if !ignored(signal) {
            install(signal, on_signal);
        }
    }
}

/// Installs the SIGBUS handler for a run reading `input` (mapped). Call before
/// reading.
pub fn report_input_changes(input: &Path) {
    let message = format!(
        "error: {}: the input changed while it was read (truncated or rewritten by another \
         program); no output was written\n",
        input.display()
    );
    if BUS_MESSAGE.set(message.into_bytes()).is_ok() {
        install(libc::SIGBUS, on_bus_error);
    }
}

/// Whether `signal` is currently ignored (as the parent may have set it).
fn ignored(signal: libc::c_int) -> bool {
    // SAFETY: a zeroed sigaction is a valid out-parameter; a null `act` only
    // queries the current action.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(signal, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_IGN
    }
}

fn install(signal: libc::c_int, handler: extern "C" fn(libc::c_int)) {
    // SAFETY: the handlers only call async-signal-safe functions on data built
    // before they are installed (see the module documentation).
    unsafe {
        libc::signal(
            signal,
            handler as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    remove_temp_files();
    // SAFETY: restoring the default action and re-raising are async-signal-safe.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

extern "C" fn on_bus_error(_: libc::c_int) {
    remove_temp_files();
    if let Some(message) = BUS_MESSAGE.get() {
        // SAFETY: a valid buffer; write and _exit are async-signal-safe. Nothing
        // can be done about a failed write: the exit code still says it.
        unsafe {
            libc::write(2, message.as_ptr().cast(), message.len());
        }
    }
    // SAFETY: _exit ends the process at once, without running the faulting code
    // on.
    unsafe { libc::_exit(1) }
}
