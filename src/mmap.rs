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
    let options = MmapOptions::new();
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

/// Asks for transparent huge pages under `buf`, a large buffer about to be
/// filled: its first touch then costs one fault per 2 MiB instead of one per 4 KiB
/// page (the kernel zeroes the same bytes either way). Best effort: without huge
/// pages (or off Linux) nothing changes.
pub(crate) fn advise_huge_pages<T>(buf: &mut [T]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = buf.as_mut_ptr() as usize;
        let end = start + std::mem::size_of_val(buf);
        let first = start.next_multiple_of(HUGE);
        if end < first + HUGE {
            return;
        }
        let len = (end - first) / HUGE * HUGE;
        // SAFETY: the range lies inside `buf`, memory this process owns and borrows
        // mutably here. MADV_HUGEPAGE only changes how the kernel backs the pages
        // (never their contents) and fails harmlessly when unsupported.
        let _ = unsafe { libc::madvise(first as *mut libc::c_void, len, libc::MADV_HUGEPAGE) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}
