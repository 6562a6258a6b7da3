#!/usr/bin/env bash
# Whole-process side by side: `vectors-eval` against gensim 4.4's
# evaluate_word_analogies on the real GloVe 6B 50d text and gensim's own
# questions-words.txt, restrict_vocab 300000 (gensim's default) for both.
#
# usage: bash benches/peer_eval.sh            (from anywhere inside the repository)
#   env: RUNS=5        runs of ours
#        PEER_RUNS=1   runs of gensim (3 minutes or more each; 0 keeps the previous
#                      run's gensim timing)
#        THREADS=2     threads ours uses
#        SHARED=DIR    the shared folder (default: ../shared beside the repository)
#        PV_BENCH_DATA=DIR  where the real files are made (default target/bench-data)
#
# gensim is timed twice in each of its runs: the whole process (import, load of the
# text, evaluation) by the timing harness, and the evaluate_word_analogies call alone
# by fixtures/eval/make_reference.py (which also writes gensim's scores). Prints a
# markdown table of medians and ratios, also written to $PV_BENCH_DATA/peer_eval.md.
set -euo pipefail

NAME=peer_eval
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
RUNS=${RUNS:-5}
PEER_RUNS=${PEER_RUNS:-1}
# shellcheck source=benches/peer_common.sh
source "$ROOT/benches/peer_common.sh"

log "building vectors-eval (release)"
cargo build --quiet --release --bin vectors-eval
EVAL=$TARGET_DIR/release/vectors-eval
QW=$("$PY" -c 'import gensim, os; print(os.path.join(os.path.dirname(gensim.__file__), "test", "test_data", "questions-words.txt"))')

cat "$TXT" >/dev/null
bench ours "$RUNS" 1 "$EVAL $TXT --analogies $QW --restrict-vocab 300000 -j $THREADS --json $OUT/ours-scores.json --force"
bench gensim "$PEER_RUNS" 0 "$PY $ROOT/fixtures/eval/make_reference.py expected $TXT $OUT/gensim-scores.json --analogies $QW --restrict-vocab 300000"

"$PY" - "$OUT" "$DATA/peer_eval.md" <<'PYEOF'
import json, os, sys
out, md = sys.argv[1:]
r = {k: json.load(open(os.path.join(out, k + ".json")))["results"][0] for k in ("ours", "gensim")}
g = json.load(open(os.path.join(out, "gensim-scores.json")))
o = json.load(open(os.path.join(out, "ours-scores.json")))
call = g["seconds"]["analogies questions-words.txt"]
med = lambda k: r[k]["median"]
cpu = lambda k: r[k]["user"] + r[k]["system"]
name = "questions-words.txt"
diff = max(abs(a - b) for s in o["analogies"][name]["sections"]
           for a, b in zip(o["analogies"][name]["sections"][s], g["analogies"][name]["sections"][s]))
lines = [
    "| what | wall s (median) | CPU s | runs |",
    "|---|---|---|---|",
    f"| ours, whole process (read + 19,544 questions) | {med('ours'):.2f} | {cpu('ours'):.2f} | {len(r['ours']['times'])} |",
    f"| gensim, whole process (import + load + evaluate) | {med('gensim'):.1f} | {cpu('gensim'):.1f} | {len(r['gensim']['times'])} |",
    f"| gensim, evaluate_word_analogies call alone | {call:.1f} | | |",
    "",
    f"gensim's call / our whole process: **{call / med('ours'):.0f}x**; whole process / whole process: "
    f"**{med('gensim') / med('ours'):.0f}x**. Scores: ours {o['analogies'][name]['score']:.6f}, "
    f"gensim {g['analogies'][name]['score']:.6f}; largest section count difference: {diff}.",
]
open(md, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PYEOF
