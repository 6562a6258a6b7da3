//! Software prefetch of table rows.
//!
//! Gathering and updating rows scattered over a table of 100 MB or more waits on
//! memory, not on arithmetic: each row starts with a cache miss that the hardware
//! prefetcher cannot foresee. Asking for the row a few tokens ahead hides most of
//! that wait. A prefetch is only a hint, so this is the one `unsafe` call of the
//! training code, and a no-op off x86-64.

/// Asks the CPU to bring `bytes` bytes from `addr` into the cache.
///
/// Takes an address rather than a reference so that callers may name rows they
/// hold no borrow of (rows another rayon task is updating); nothing is read.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn prefetch(addr: usize, bytes: usize) {
    use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    let end = addr.wrapping_add(bytes);
    let mut a = addr;
    while a < end {
        // SAFETY: PREFETCHT0 is a hint: it never faults, whatever the address, and
        // writes nothing; SSE, which provides it, is part of every x86-64 CPU.
        #[allow(unused_unsafe)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(a as *const i8)
        };
        a = a.wrapping_add(64);
    }
}

/// No-op off x86-64.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(crate) fn prefetch(_addr: usize, _bytes: usize) {}

/// How many rows ahead to prefetch.
pub(crate) const AHEAD: usize = 4;
