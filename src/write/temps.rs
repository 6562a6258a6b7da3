//! The temporary files of this process that are in progress, for a program that
//! must remove them without running destructors: a signal handler.
//!
//! Every [`AtomicFile`](super::AtomicFile) enters its temporary name here before
//! creating the file and leaves once the name is gone (renamed over its target,
//! removed, or withdrawn). [`remove_temp_files`] unlinks the names present.
//!
//! The registry is a fixed table of slots, each a state and a pointer to a name
//! built before the slot goes live. [`remove_temp_files`] uses only atomic
//! operations and `unlink(2)`, allocates nothing and takes no lock, so it is
//! async-signal-safe. A slot it is unlinking cannot be emptied (and its name freed)
//! by its owner until it is done: the owner waits for the slot instead.

use std::path::Path;
#[cfg(any(test, not(unix)))]
use std::path::PathBuf;
use std::sync::atomic::{AtomicPtr, AtomicU8, Ordering};

/// How many temporary files can be registered at once. An [`AtomicFile`]
/// created while every slot is taken still works; only its temporary name is left
/// to its destructor.
///
/// [`AtomicFile`]: super::AtomicFile
const SLOTS: usize = 256;

/// Nobody's.
const FREE: u8 = 0;
/// Being filled or emptied by its owner.
const OWNED: u8 = 1;
/// Holds the name of a temporary file that may exist.
const LIVE: u8 = 2;
/// [`remove_temp_files`] is unlinking the name.
const REMOVING: u8 = 3;
/// The name was unlinked by [`remove_temp_files`]; the owner still has to empty it.
const REMOVED: u8 = 4;

/// A temporary name, ready for `unlink(2)`.
struct Name {
    #[cfg(unix)]
    c: std::ffi::CString,
    #[cfg(not(unix))]
    path: PathBuf,
}

struct Slot {
    state: AtomicU8,
    name: AtomicPtr<Name>,
}

static REGISTRY: [Slot; SLOTS] = [const {
    Slot {
        state: AtomicU8::new(FREE),
        name: AtomicPtr::new(std::ptr::null_mut()),
    }
}; SLOTS];

/// A temporary name in the registry, for as long as this lives (dropping it takes
/// the name out).
#[derive(Debug)]
pub(super) struct Registered(usize);

/// Enters `temp` in the registry; `None` when every slot is taken (or the name
/// cannot be passed to the system: it holds a NUL byte).
pub(super) fn register(temp: &Path) -> Option<Registered> {
    let name = Box::new(name_of(temp)?);
    for (i, slot) in REGISTRY.iter().enumerate() {
        if slot
            .state
            .compare_exchange(FREE, OWNED, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            slot.name.store(Box::into_raw(name), Ordering::Release);
            slot.state.store(LIVE, Ordering::Release);
            return Some(Registered(i));
        }
    }
    None
}

#[cfg(unix)]
fn name_of(temp: &Path) -> Option<Name> {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(temp.as_os_str().as_bytes())
        .ok()
        .map(|c| Name { c })
}

#[cfg(not(unix))]
fn name_of(temp: &Path) -> Option<Name> {
    Some(Name {
        path: temp.to_path_buf(),
    })
}

impl Drop for Registered {
    fn drop(&mut self) {
        let slot = &REGISTRY[self.0];
        loop {
            match slot
                .state
                .compare_exchange(LIVE, OWNED, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(REMOVED) => {
                    slot.state.store(OWNED, Ordering::Release);
                    break;
                }
                // Another thread is unlinking the name (its handler ends once it has):
                // the name must outlive that.
                Err(_) => std::thread::yield_now(),
            }
        }
        let name = slot.name.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !name.is_null() {
            // SAFETY: the pointer came from `Box::into_raw` in `register`, and the slot
            // is OWNED by this registration: no other code reads it until it is FREE.
            drop(unsafe { Box::from_raw(name) });
        }
        slot.state.store(FREE, Ordering::Release);
    }
}

/// Removes the temporary files that this process's [`AtomicFile`]s and
/// [`AtomicGroup`]s have in progress (written, not yet committed or dropped);
/// returns how many names it unlinked.
///
/// Meant for a signal handler or a signal-handling thread that ends the process
/// (a Ctrl-C handler): the targets are never touched, and the temporaries, which
/// destructors would have removed, do not stay behind. It is async-signal-safe on
/// unix (atomic operations and `unlink(2)` only: no allocation, no lock). A file
/// whose temporary was removed fails to commit ([`Error::Io`](crate::Error::Io)),
/// so a program that goes on after calling it writes no partial output either.
/// Temporaries created after the call are not removed.
///
/// ```
/// use std::io::Write;
/// use pretrained_vectors::write::{remove_temp_files, AtomicGroup, WritePolicy};
/// let dir = tempfile::tempdir()?;
/// let mut group = AtomicGroup::new(WritePolicy::new());
/// group.create(dir.path().join("t.txt"))?.write_all(b"half of it")?;
/// // A signal arrives: (in a handler)
/// remove_temp_files();
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 0);
/// assert!(group.commit().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`AtomicFile`]: super::AtomicFile
/// [`AtomicGroup`]: super::AtomicGroup
pub fn remove_temp_files() -> usize {
    let mut removed = 0;
    for_each_live(REMOVED, |name| {
        if unlink(name) {
            removed += 1;
        }
    });
    removed
}

/// Calls `f` on the name of every live slot, holding the slot as REMOVING meanwhile
/// (its owner then waits instead of freeing the name), and leaves the slot in
/// state `after`. Allocates nothing, so a signal handler may call it.
fn for_each_live(after: u8, mut f: impl FnMut(&Name)) {
    for slot in &REGISTRY {
        if slot
            .state
            .compare_exchange(LIVE, REMOVING, Ordering::AcqRel, Ordering::Relaxed)
            .is_err()
        {
            continue;
        }
        let name = slot.name.load(Ordering::Acquire);
        if !name.is_null() {
            // SAFETY: a LIVE slot holds a name from `register`, and while the slot is
            // REMOVING its owner waits instead of freeing it.
            f(unsafe { &*name });
        }
        slot.state.store(after, Ordering::Release);
    }
}

#[cfg(unix)]
fn unlink(name: &Name) -> bool {
    // SAFETY: a valid NUL-terminated path; unlink is async-signal-safe.
    unsafe { libc::unlink(name.c.as_ptr()) == 0 }
}

#[cfg(not(unix))]
fn unlink(name: &Name) -> bool {
    std::fs::remove_file(&name.path).is_ok()
}

/// The registered names (for tests: other tests' files stay untouched).
#[cfg(test)]
pub(super) fn live() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for_each_live(LIVE, |name| {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            out.push(PathBuf::from(std::ffi::OsStr::from_bytes(
                name.c.as_bytes(),
            )));
        }
        #[cfg(not(unix))]
        out.push(name.path.clone());
    });
    out
}
