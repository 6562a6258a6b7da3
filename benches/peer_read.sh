#!/usr/bin/env bash
# Whole-process side by side: our loader against gensim's
# KeyedVectors.load_word2vec_format on the real GloVe 6B 50d files (text, .gz and
# word2vec binary), with `zcat` and `wc -l` for reference.
#
# usage: bash benches/peer_read.sh            (from anywhere inside the repository)
#   env: RUNS=10       runs of each of our loads and of the reference commands
#        PEER_RUNS=3   runs of each gensim load (30-50 s each on 2 cores); 0 keeps
#                      the gensim timings of the previous run (to re-time ours only)
#        THREADS=2     threads our loader uses
#        SHARED=DIR    the shared folder (default: ../shared beside the repository)
#        PV_BENCH_DATA=DIR  where the real files are made (default target/bench-data)
#
# Makes the real files and a venv with gensim (shared/data/make-glove-6b-50d.sh,
# about a minute the first time, 1.2 GB), builds `examples/load.rs` in release,
# installs hyperfine with apt-get when it is missing (else falls back to a plain
# timing loop), times every command, and prints a markdown table of medians and
# ratios, also written to $PV_BENCH_DATA/peer_read.md. Expect 10-15 minutes in all,
# nearly all of it gensim.
set -euo pipefail

NAME=peer_read
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
# shellcheck source=benches/peer_common.sh
source "$ROOT/benches/peer_common.sh"

log "building examples/load.rs (release)"
cargo build --quiet --release --example load
LOAD=$TARGET_DIR/release/examples/load

# Warm the page cache so every command reads from memory.
cat "$TXT" "$GZ" "$BIN" >/dev/null

OURS="$LOAD --quiet --threads $THREADS"
GENSIM="$PY -c 'import sys; from gensim.models import KeyedVectors as K; K.load_word2vec_format"
bench ours-text "$RUNS" 1 "$OURS $TXT"
bench ours-gz "$RUNS" 1 "$OURS $GZ"
bench ours-bin "$RUNS" 1 "$OURS $BIN"
bench zcat "$RUNS" 1 "zcat $GZ > /dev/null"
bench wc "$RUNS" 1 "wc -l $TXT > /dev/null"
bench gensim-import "$RUNS" 1 "$PY -c 'import gensim.models'"
bench gensim-text "$PEER_RUNS" 0 "$GENSIM(sys.argv[1], no_header=True)' $TXT"
bench gensim-gz "$PEER_RUNS" 0 "$GENSIM(sys.argv[1], no_header=True)' $GZ"
bench gensim-bin "$PEER_RUNS" 0 "$GENSIM(sys.argv[1], binary=True)' $BIN"

# ---- report -----------------------------------------------------------------
"$PY" - "$OUT" "$DATA/peer_read.md" "$THREADS" "$TXT" "$GZ" "$BIN" <<'EOF'
import json, os, platform, sys
out, md, threads, txt, gz, binf = sys.argv[1:]
r = {}
for f in os.listdir(out):
    if f.endswith(".json"):
        res = json.load(open(os.path.join(out, f)))["results"][0]
        r[f[:-5]] = res
med = lambda k: r[k]["median"]
cpu = lambda k: r[k]["user"] + r[k]["system"]
runs = lambda k: len(r[k]["times"])
mb = lambda p: f"{os.path.getsize(p) / 1e6:.1f} MB"
rows = [
    ("GloVe text", txt, "text", "<= 0.25 s", lambda: med("ours-text") <= 0.25),
    ("GloVe .gz", gz, "gz", "< zcat", lambda: med("ours-gz") < med("zcat")),
    ("word2vec binary", binf, "bin", "<= 0.10 s", lambda: med("ours-bin") <= 0.10),
]
lines = [
    f"Whole processes, GloVe 6B 50d (400,000 x 50); medians in seconds; ours with "
    f"{threads} threads; {os.cpu_count()} cores, {platform.machine()}.",
    "",
    "| input | size | ours | gensim | gensim / ours | ours CPU | gensim CPU | CPU ratio | target | met |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
for name, path, k, target, ok in rows:
    o, g = f"ours-{k}", f"gensim-{k}"
    lines.append(
        f"| {name} | {mb(path)} | {med(o):.3f} ({runs(o)} runs) | "
        f"{med(g):.1f} ({runs(g)} runs) | {med(g) / med(o):.0f}x | {cpu(o):.3f} | "
        f"{cpu(g):.1f} | {cpu(g) / cpu(o):.0f}x | {target} | {'yes' if ok() else 'no'} |")
lines += [
    "",
    "| reference | median | CPU | ratio |",
    "|---|---|---|---|",
    f"| `zcat` of the .gz | {med('zcat'):.3f} | {cpu('zcat'):.3f} | ours .gz / zcat = {med('ours-gz') / med('zcat'):.2f} |",
    f"| `wc -l` of the text | {med('wc'):.3f} | {cpu('wc'):.3f} | ours text / wc -l = {med('ours-text') / med('wc'):.1f} |",
    f"| python `import gensim.models` | {med('gensim-import'):.3f} | {cpu('gensim-import'):.3f} | part of every gensim time |",
    "",
    "CPU is user + system seconds (mean of the runs). On a busy machine it is steadier",
    "than wall time; ours runs on several threads, so its wall time can be below it.",
]
text = "\n".join(lines) + "\n"
open(md, "w").write(text)
print(text)
EOF
log "written to $DATA/peer_read.md"
