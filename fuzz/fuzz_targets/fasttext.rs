//! Native fastText models (`.bin`, `.ftz`): the model reader and the conversion.
//!
//! The checks live in `tests/fuzz_checks/mod.rs`, shared with
//! `tests/fuzz_regressions.rs`, which replays the inputs that once failed.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/fuzz_checks/mod.rs"]
mod checks;

fuzz_target!(|data: &[u8]| checks::fasttext(data));
