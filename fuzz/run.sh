#!/usr/bin/env bash
# Runs one fuzz target, single job, with the limits that turn unbounded
# allocations and hangs into findings: `bash fuzz/run.sh TARGET SECONDS [RUNS]`.
# Uses the stable toolchain with RUSTC_BOOTSTRAP=1 (cargo-fuzz needs nightly
# flags) and AddressSanitizer. Seeds the corpus first if it is missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target=$1 seconds=$2 runs=${3:-10000000}
[ -d "$root/fuzz/corpus/$target" ] || bash "$root/fuzz/seed.sh"
cd "$root"
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -O "$target" -- \
    -runs="$runs" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -print_final_stats=1
