#!/usr/bin/env bash
# fastText's English Common Crawl model, in size: our table of a 20,000-token
# vocabulary (half of it words the model lacks) against gensim's
# load_facebook_vectors + lookups of the same tokens, on the same file in the same
# run, each with its wall time and peak resident memory (/usr/bin/time -v); then
# subword vectors per second on one thread (benches/fasttext_subwords.rs).
#
#   benches/fasttext_cc.sh [DIR]    (default /work/bench-ft; never inside the repo)
#
# DIR gets the generated model (benches/fasttext_cc.py: 7.2 GB of file, 4.8 GB of
# it the input matrix) and is deleted at the end unless KEEP=1. PY is a Python
# with numpy and gensim (default /work/bench-data/venv/bin/python).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DIR=${1:-/work/bench-ft}
PY=${PY:-/work/bench-data/venv/bin/python}
log() { printf '[fasttext_cc] %s\n' "$*" >&2; }

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
avail_disk=$(df --output=avail -B1G "$DIR" | tail -1 | tr -d ' ')
avail_mem=$(awk '/MemAvailable/ {print int($2 / 1048576)}' /proc/meminfo)
log "disk free ${avail_disk} GiB, memory available ${avail_mem} GiB"
if [[ ! -s $DIR/cc.bin ]]; then
    ((avail_disk >= 12)) || { log "need 12 GiB of disk for the model and tables"; exit 1; }
    log "generating $DIR/cc.bin"
    /usr/bin/time -f '%e s' "$PY" benches/fasttext_cc.py "$DIR"
fi
# gensim holds the input matrix and a vector per word: about 12 GiB.
((avail_mem >= 14)) || { log "need 14 GiB of available memory for gensim"; exit 1; }

cargo build --release --bin glove-to-table >&2
BIN=$(cargo metadata --format-version 1 --no-deps |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/glove-to-table

# measure NAME COMMAND...: wall seconds and peak RSS of COMMAND
measure() {
    local name=$1
    shift
    /usr/bin/time -v "$@" 2>"$DIR/$name.time" >/dev/null || { cat "$DIR/$name.time" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
        for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$DIR/$name.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$DIR/$name.time")
    grep -E '^(gensim|largest|wrote|  rows|  time)' "$DIR/$name.time" >&2 || true
    printf '%-8s %8.2f s %8s MiB peak\n' "$name" "$wall" "$rss"
}

rm -f "$DIR"/t.npy "$DIR"/t.*.npy "$DIR"/t.vocab.txt "$DIR"/g.npy
measure ours "$BIN" "$DIR/cc.bin" --vocab "$DIR/vocab.txt" -o "$DIR/t.npy"
measure gensim "$PY" benches/fasttext_cc_gensim.py "$DIR/cc.bin" "$DIR/vocab.txt" "$DIR/g.npy" "$DIR/t.npy"
rm -f "$DIR"/t.npy "$DIR"/t.*.npy "$DIR"/t.vocab.txt
measure ours2 "$BIN" "$DIR/cc.bin" --vocab "$DIR/vocab.txt" -o "$DIR/t.npy"
PV_FT_MODEL=$DIR/cc.bin cargo bench --bench fasttext_subwords 2>/dev/null | grep -v '^$'

if [[ ${KEEP:-0} != 1 ]]; then
    log "deleting $DIR (KEEP=1 keeps it)"
    rm -rf "$DIR"
fi
