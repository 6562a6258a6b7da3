#!/usr/bin/env bash
# Interop check: builds glove-to-table, converts the real GloVe fixture, then checks
# in a Python venv (target/interop-venv: numpy, gensim, safetensors) that NumPy,
# gensim and Hugging Face's safetensors (its numpy API; no torch) read the outputs
# back exactly. Exits non-zero on any mismatch.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=${INTEROP_VENV:-target/interop-venv}
if ! "$venv/bin/python" -c "import numpy, gensim" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet numpy gensim
fi
# The light safetensors package (a Rust extension, no torch), by name.
if ! "$venv/bin/python" -c "import safetensors.numpy" 2>/dev/null; then
    "$venv/bin/pip" install --quiet safetensors
fi

cargo build --quiet --bin glove-to-table
bin=target/debug/glove-to-table
glove=fixtures/glove.6B.50d.20k.txt.gz
tokenizer=fixtures/keras/tokenizer_oov.json
out=target/interop
rm -rf "$out"
mkdir -p "$out"

"$bin" "$glove" --vocab "$tokenizer" -o "$out/table.npy" --report "$out/report.json" -q
for dtype in f32 f16 bf16; do
    "$bin" "$glove" --vocab "$tokenizer" -o "$out/table.$dtype.safetensors" --dtype "$dtype" -q
done
"$bin" "$glove" --vocab "$tokenizer" -o "$out/half.npy" --dtype f16 -q
"$bin" "$glove" -o "$out/glove.vec" -q
"$bin" "$glove" -o "$out/glove.bin" -q

"$venv/bin/python" tests/interop/check.py "$out" "$glove" "$tokenizer"
