//! Memory mapping: the crate's one `unsafe` operation, kept in this small file.
//!
//! Mapping a file lets the parsers borrow its bytes as one `&[u8]` without copying
//! them, and lets a saved table be reopened without reading it. Where mapping fails
//! (a pipe, a file system that cannot map, an empty file) the callers fall back to
//! reading the file into memory.

use std::fs::File;
use std::io;

use memmap2::{Mmap, MmapOptions};

/// Maps all of `file` read-only.
///
/// # Errors
/// Whatever the operating system says (an empty file cannot be mapped on some
/// systems, a pipe never can).
pub(crate) fn map(file: &File) -> io::Result<Mmap> {
    map_with(file, false)
}

/// Maps all of `file` read-only and faults every page in at once, for callers that
/// will read all of it (one bulk operation instead of a fault per page run).
pub(crate) fn map_populated(file: &File) -> io::Result<Mmap> {
    map_with(file, true)
}

fn map_with(file: &File, populate: bool) -> io::Result<Mmap> {
    let mut options = MmapOptions::new();
    if populate {
        options.populate();
    }
    // SAFETY: the map is read-only and private to this process. The one way it can
    // go wrong is another process truncating or rewriting the file while it is
    // mapped, which would change or unmap the bytes under us; like ripgrep and every
    // mmap-based reader, we accept that risk for files the user hands us, and our
    // own outputs are never modified in place (they are written to a temporary file
    // and renamed over, which leaves an existing mapping of the old file intact).
    let map = unsafe { options.map(file)? };
    // Sequential access is the common case: let the kernel read ahead generously.
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Sequential);
    Ok(map)
}

/// Drops the pages of `map` before byte `end` from this process's resident set,
/// once a scan is past them, so scanning a file larger than memory costs memory in
/// proportion to what is kept, not to the file. The pages stay in the page cache.
#[cfg(unix)]
pub(crate) fn release_before(map: &Mmap, end: usize) {
    let end = end.min(map.len());
    if end == 0 {
        return;
    }
    // SAFETY: `map` is a private, read-only mapping of a file that this process never
    // writes. MADV_DONTNEED on such pages only removes them from our page tables: a
    // later access (through a slice still borrowed from `map`) faults the same bytes
    // back in from the file, so no reference ever sees changed or missing data.
    let r = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, end) };
    let _ = r;
}

/// Without `madvise`, pages are left to the operating system.
#[cfg(not(unix))]
pub(crate) fn release_before(_map: &Mmap, _end: usize) {}
