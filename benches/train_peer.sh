#!/usr/bin/env bash
# Training throughput of this crate against PyTorch on the same machine and data
# sizes: EmbeddingBag(mode="mean", sparse=True) + Linear, SparseAdam/Adam, frozen
# and trainable, vocabulary 100,000, 300 dims, batches of 64 texts x 64 tokens,
# 2 threads. Makes a venv with torch under target/bench-venv-torch the first time
# (a large download). Runs each side ROUNDS times, alternating, and reports the
# median tokens/s of each and their ratio.
#
# usage: benches/train_peer.sh [vocab dim batch seq threads steps]
set -euo pipefail
cd "$(dirname "$0")/.."

ARGS=("${@:-}")
[ -z "${ARGS[0]}" ] && ARGS=(100000 300 64 64 2 200)
ROUNDS="${ROUNDS:-3}"
VENV=target/bench-venv-torch

if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
    echo "creating $VENV with torch (once; large download)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet torch numpy
fi
cargo build --quiet --release --example train_bench

OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for _ in $(seq "$ROUNDS"); do
    "$VENV/bin/python" benches/train_peer.py "${ARGS[@]}" >> "$OUT"
    target/release/examples/train_bench "${ARGS[@]}" >> "$OUT"
done

echo "sizes: vocab dim batch seq threads steps = ${ARGS[*]}; median of $ROUNDS rounds"
python3 - "$OUT" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT"):
        continue
    f = dict(kv.split("=", 1) for kv in line.split()[1:])
    impl = "rust" if f["impl"] == "rust" else "torch"
    runs.setdefault((impl, f["mode"]), []).append(float(f["tokens_per_s"]))
    if impl == "torch":
        torch_name = f["impl"]
print(f"{'mode':<10} {torch_name + ' tok/s':>28} {'pretrained-vectors tok/s':>26} {'ratio':>7}")
for mode in ("frozen", "trainable"):
    t = statistics.median(runs[("torch", mode)])
    r = statistics.median(runs[("rust", mode)])
    print(f"{mode:<10} {t:>28,.0f} {r:>26,.0f} {r / t:>6.2f}x")
PY
