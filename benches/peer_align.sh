#!/usr/bin/env bash
# Whole-process side by side for the aligner: `glove-to-table` building the table
# of the fixed 20,000-token benchmark vocabulary (18,000 real words across all
# frequency ranks, 2,000 made up) from the real GloVe 6B 50d (text, .gz, word2vec
# binary), against the keras.io tutorial's Python loop and gensim load + lookup.
#
# usage: bash benches/peer_align.sh
#   env: RUNS=10 (ours), PEER_RUNS=3 (the Python peers; 0 keeps the last timings),
#        THREADS=2, SHARED=DIR, PV_BENCH_DATA=DIR (as benches/peer_read.sh)
# Prints a markdown table, also written to $PV_BENCH_DATA/peer_align.md.
set -euo pipefail

NAME=peer_align
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
# shellcheck source=benches/peer_common.sh
source "$ROOT/benches/peer_common.sh"
VOCAB=$DATA/vocab20k.txt
log "building glove-to-table (release)"
cargo build --quiet --release --bin glove-to-table
TOOL=$TARGET_DIR/release/glove-to-table

cat "$TXT" "$GZ" "$BIN" >/dev/null
OURS="$TOOL --vocab $VOCAB --threads $THREADS --force -q -o $OUT/table.npy"
bench ours-text "$RUNS" 1 "$OURS $TXT"
bench ours-gz "$RUNS" 1 "$OURS $GZ"
bench ours-bin "$RUNS" 1 "$OURS $BIN"
bench keras "$PEER_RUNS" 0 "$PY $ROOT/benches/peer_align.py keras $TXT $VOCAB"
bench gensim "$PEER_RUNS" 0 "$PY $ROOT/benches/peer_align.py gensim $TXT $VOCAB"

"$PY" - "$OUT" "$DATA/peer_align.md" "$THREADS" <<'PYEOF'
import json, os, platform, sys
out, md, threads = sys.argv[1:]
r = {f[:-5]: json.load(open(os.path.join(out, f)))["results"][0] for f in os.listdir(out) if f.endswith(".json")}
med = lambda k: r[k]["median"]
cpu = lambda k: r[k]["user"] + r[k]["system"]
runs = lambda k: len(r[k]["times"])
lines = [
    f"Whole processes: the 20,000-token benchmark vocabulary against GloVe 6B 50d "
    f"(400,000 x 50); medians in seconds; ours with {threads} threads, writing the .npy "
    f"and its sidecar; {os.cpu_count()} cores, {platform.machine()}.",
    "",
    "| run | median | runs | CPU | keras.io loop / this | gensim / this |",
    "|---|---|---|---|---|---|",
]
for k, name in [("ours-text", "glove-to-table, text"), ("ours-gz", "glove-to-table, .gz"),
                 ("ours-bin", "glove-to-table, word2vec binary"),
                 ("keras", "keras.io tutorial loop, text"), ("gensim", "gensim load + lookup, text")]:
    lines.append(f"| {name} | {med(k):.3f} | {runs(k)} | {cpu(k):.3f} | "
                 f"{med('keras') / med(k):.0f}x | {med('gensim') / med(k):.0f}x |")
text = "\n".join(lines) + "\n"
open(md, "w").write(text)
print(text)
PYEOF
log "written to $DATA/peer_align.md"
