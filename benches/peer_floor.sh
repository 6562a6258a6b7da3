#!/usr/bin/env bash
# Whole processes against the floor: how far each of our jobs is from just reading
# the same bytes (`wc -l` of the text, `cat` of the binary), on the real GloVe 6B 50d
# files, all timed in one run so that the ratios share the machine's state.
#
# usage: bash benches/peer_floor.sh           (from anywhere inside the repository)
#   env: RUNS=10       runs of each command
#        THREADS=2     threads ours uses
#        SHARED=DIR    the shared folder (default: ../shared beside the repository)
#        PV_BENCH_DATA=DIR  where the real files are made (default target/bench-data)
#
# The jobs (issue 16's goals in brackets):
#   read      the library's full read of the text (examples/load.rs --quiet) [<= 6x wc -l]
#   convert   `glove-to-table TEXT -o t.npy`, every word [<= 1.3x read, <= 8x wc -l]
#   convert-bin  `glove-to-table BIN -o t.npy` of the word2vec binary [<= 4x cat]; also
#             against `cat BIN > file`, which pays the same copy into the page cache
#   vocab20k  `glove-to-table TEXT --vocab vocab20k.txt -o t.npy` [<= 2x wc -l]
# Prints a markdown table of medians and ratios, also written to
# $PV_BENCH_DATA/peer_floor.md. A few minutes in all.
set -euo pipefail

NAME=peer_floor
ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
# shellcheck source=benches/peer_common.sh
source "$ROOT/benches/peer_common.sh"

log "building glove-to-table and examples/load.rs (release)"
cargo build --quiet --release --bin glove-to-table --example load
LOAD=$TARGET_DIR/release/examples/load
G2T=$TARGET_DIR/release/glove-to-table
VOCAB=$DATA/vocab20k.txt
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat "$TXT" "$BIN" "$VOCAB" >/dev/null

bench wc "$RUNS" 1 "wc -l $TXT > /dev/null"
bench cat "$RUNS" 1 "cat $BIN > /dev/null"
# Writing the output is part of every conversion: the same bytes copied into a file.
bench cat-to-file "$RUNS" 1 "cat $BIN > $T/copy.bin"
# Our outputs are synced before they are renamed into place (a power cut leaves
# the old file or the new one): the same copy, made durable.
bench cat-synced "$RUNS" 1 "dd if=$BIN of=$T/copy.bin bs=1M conv=fsync status=none"
bench read "$RUNS" 1 "$LOAD --quiet --threads $THREADS $TXT"
bench convert "$RUNS" 1 "$G2T $TXT -o $T/all.npy --force -j $THREADS 2>/dev/null"
bench convert-bin "$RUNS" 1 "$G2T $BIN -o $T/bin.npy --force -j $THREADS 2>/dev/null"
bench vocab20k "$RUNS" 1 "$G2T $TXT --vocab $VOCAB -o $T/v.npy --force -j $THREADS 2>/dev/null"

"$PY" - "$OUT" "$DATA/peer_floor.md" <<'EOF'
import json, os, sys
out, md = sys.argv[1:]
r = {f[:-5]: json.load(open(os.path.join(out, f)))["results"][0]
     for f in os.listdir(out) if f.endswith(".json")}
med = lambda k: r[k]["median"]
cpu = lambda k: r[k]["user"] + r[k]["system"]
rows = [
    ("`wc -l` of the text (floor)", "wc", None, None, None),
    ("`cat` of the binary (floor)", "cat", None, None, None),
    ("`cat` of the binary into a file (floor with the write)", "cat-to-file", None, None, None),
    ("the same copy synced (`dd conv=fsync`, floor with a durable write)", "cat-synced", None, None, None),
    ("library full read of the text (`examples/load.rs`)", "read", "wc", 6.0, None),
    ("plain conversion of the text to `.npy`", "convert", "wc", 8.0, ("read", 1.3)),
    ("conversion of the word2vec binary to `.npy`", "convert-bin", "cat", 4.0, None),
    ("same, against `cat` into a file", "convert-bin", "cat-to-file", 4.0, None),
    ("same, against the synced copy", "convert-bin", "cat-synced", 4.0, None),
    ("20k-vocabulary table from the text", "vocab20k", "wc", 2.0, None),
]
lines = ["| job | median s | CPU s | ratio to the floor | goal | ratio to the read | goal |",
         "|---|---|---|---|---|---|---|"]
for label, k, floor, goal, vs in rows:
    cells = [label, f"{med(k):.3f}", f"{cpu(k):.3f}"]
    if floor:
        x = med(k) / med(floor)
        cells += [f"{x:.1f}x `{ {'wc': 'wc -l', 'cat': 'cat', 'cat-to-file': 'cat > file', 'cat-synced': 'dd conv=fsync'}[floor] }`",
                  f"<= {goal:g}x: {'met' if x <= goal else 'not met'}"]
    else:
        cells += ["", ""]
    if vs:
        y = med(k) / med(vs[0])
        cells += [f"{y:.2f}x", f"<= {vs[1]:g}x: {'met' if y <= vs[1] else 'not met'}"]
    else:
        cells += ["", ""]
    lines.append("| " + " | ".join(cells) + " |")
lines.append("")
lines.append(f"Medians of {len(r['wc']['times'])} runs each, one run of `bash benches/peer_floor.sh`.")
open(md, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
