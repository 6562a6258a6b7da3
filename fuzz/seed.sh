#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with small seeds cut from fixtures/ (the corpus is
# git-ignored). Seeds are kept under 4 KiB so that libFuzzer's max_len stays small
# and executions fast. Each seed starts with the flag byte its target reads first.
# Run from anywhere: `bash fuzz/seed.sh`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fx="$root/fixtures"
corpus="$root/fuzz/corpus"
max=3000

# put TARGET NAME FLAGS FILE: the flag byte(s) (octal escapes), then the first
# $max bytes of FILE, cut back to the last whole line for text.
put() {
    local target=$1 name=$2 flags=$3 file=$4
    mkdir -p "$corpus/$target"
    { printf "$flags"; head -c "$max" "$file"; } > "$corpus/$target/$name"
}
plain() { # a fixture's bytes, gunzipped if needed
    case "$1" in *.gz) gzip -dc "$1" 2>/dev/null || true ;; *) cat "$1" ;; esac
}
cut_lines() { head -c "$max" | sed '$d'; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Text readers: GloVe (flag 0) and word2vec text (flag 4), strict and lossy.
for f in small.glove.txt small.bom.txt small.crlf.txt small.nofinalnl.txt spaced.glove.txt \
         bad/bad_float.txt bad/bad_utf8.txt bad/blank.txt bad/duplicates.txt bad/empty.txt \
         bad/inf.txt bad/missing_word.txt bad/nan.txt bad/ragged_long.txt bad/ragged_short.txt; do
    n=$(basename "$f")
    cut_lines < "$fx/$f" > "$tmp/$n"
    put text "glove-$n" '\000' "$tmp/$n"
    put text "glove-lossy-$n" '\001' "$tmp/$n"
done
for f in small.vec small.w2v.txt bad/dims_mismatch.vec bad/header_huge.vec bad/header_negative.vec \
         bad/header_nonnumeric.vec bad/header_only.vec bad/header_zero.vec; do
    n=$(basename "$f")
    cut_lines < "$fx/$f" > "$tmp/$n"
    put text "w2v-$n" '\004' "$tmp/$n"
    put text "w2v-nonfinite-$n" '\006' "$tmp/$n"
done

# word2vec binary (whole records are not needed: the fuzzer finds the boundaries).
for f in small.w2v.bin small.nonl.w2v.bin bad/binary_as_text.bin bad/header_huge_dims.bin \
         bad/nonfinite.bin bad/truncated.bin; do
    n=$(basename "$f")
    put binary "$n" '\000' "$fx/$f"
    put binary "nonfinite-$n" '\002' "$fx/$f"
done
plain "$fx/small.w2v.bin.gz" | head -c "$max" > "$tmp/gunzipped.bin"
put binary gunzipped.bin '\000' "$tmp/gunzipped.bin"

# Detection: every kind of file, raw (flag 0), gzip-wrapped (flag 4, then the cut
# byte) and split into two gzip members (flag 12), and real small gzip files.
for f in small.glove.txt small.vec small.w2v.txt small.w2v.bin small.crlf.txt small.bom.txt \
         spaced.glove.txt bad/binary_as_text.bin bad/header_only.vec bad/header_huge.vec bad/empty.txt; do
    n=$(basename "$f")
    head -c "$max" "$fx/$f" > "$tmp/$n"
    put detect "raw-$n" '\000' "$tmp/$n"
    put detect "gz-$n" '\004\000' "$tmp/$n"
    put detect "gz2-$n" '\014\100' "$tmp/$n"
done
for n in glove vec w2v.bin; do
    case $n in glove) src=small.glove.txt ;; vec) src=small.vec ;; *) src=small.w2v.bin ;; esac
    head -c 2000 "$fx/$src" | gzip -c > "$tmp/$n.gz"
    put detect "real-$n.gz" '\000' "$tmp/$n.gz"
done
head -c 1500 "$fx/small.glove.txt" | gzip -c > "$tmp/a.gz"
head -c 1500 "$fx/small.vec" | gzip -c >> "$tmp/a.gz"
put detect real-multimember.gz '\000' "$tmp/a.gz"
head -c 400 "$fx/bad/truncated.txt.gz" > "$tmp/t.gz"
put detect real-truncated.gz '\000' "$tmp/t.gz"

# npy: matrices written by the crate's own tests are not at hand, so make a few
# with the header layout NumPy uses (C and Fortran order, f4 and f8, both ends).
npy() { # npy NAME DESCR FORTRAN ROWS COLS VERSION
    local dict="{'descr': '$2', 'fortran_order': $3, 'shape': ($4, $5), }"
    local size=${2:2:1}
    python3 - "$corpus/npy/$1" "$dict" "$(( $4 * $5 * size ))" "$6" <<'PY'
import struct, sys
path, d, nbytes, version = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pre = 10 if version == 1 else 12
total = -(-(pre + len(d) + 1) // 64) * 64
hdr = d.encode() + b" " * (total - pre - len(d) - 1) + b"\n"
lenb = struct.pack("<H", len(hdr)) if version == 1 else struct.pack("<I", len(hdr))
data = bytes((i * 37 + 11) % 256 for i in range(nbytes))
open(path, "wb").write(b"\x93NUMPY" + bytes([version, 0]) + lenb + hdr + data)
PY
}
mkdir -p "$corpus/npy"
npy c-f4.npy '<f4' False 3 4 1
npy f-f4.npy '<f4' True 2 5 1
npy be-f4.npy '>f4' False 2 2 1
npy c-f8.npy '<f8' False 2 3 1
npy be-f8-v2.npy '>f8' True 1 3 2
npy empty-v3.npy '<f4' False 0 7 3

# Keras JSON: the small documents whole; the big ones are left out (their size
# would slow every execution down), a cut of word_index.json stands in.
mkdir -p "$corpus/keras_json"
cp "$fx/keras/tokenizer_char_level.json" "$corpus/keras_json/"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(dict(list(d.items())[:150])))' \
    "$fx/keras/word_index.json" > "$corpus/keras_json/word_index_cut.json"
printf '%s' '{"class_name": "Tokenizer", "config": {"num_words": 3, "filters": "!", "lower": true, "split": " ", "char_level": false, "oov_token": "<OOV>", "document_count": 2, "word_counts": "{\"the\": 2, \"cat\": 1}", "word_docs": "{\"the\": 2, \"cat\": 1}", "index_docs": "{\"2\": 2, \"3\": 1}", "index_word": "{\"1\": \"<OOV>\", \"2\": \"the\", \"3\": \"cat\"}", "word_index": "{\"<OOV>\": 1, \"the\": 2, \"cat\": 3}"}}' \
    > "$corpus/keras_json/small_tokenizer.json"
printf '%s' '{"the": 1, "cat": 2}' > "$corpus/keras_json/bare.json"

# Token lists: tokens of the Keras corpus, one per line, with and without reserved names.
mkdir -p "$corpus/token_list"
head -c 1500 "$fx/keras/corpus.txt" | tr ' ' '\n' | awk 'NF && !seen[$0]++' > "$tmp/tokens.txt"
put token_list plain.txt '\000' "$tmp/tokens.txt"
{ printf '<pad>\r\n<unk>\r\n'; head -n 50 "$tmp/tokens.txt"; } > "$tmp/reserved.txt"
put token_list reserved.txt '\003' "$tmp/reserved.txt"
{ printf '\357\273\277'; head -n 20 "$tmp/tokens.txt"; } > "$tmp/bom.txt"
put token_list bom.txt '\001' "$tmp/bom.txt"

# Native fastText models: one whole small model (pruned, quantized) and the heads of
# others (the fuzzer finds the boundaries).
mkdir -p "$corpus/fasttext"
cp "$fx/fasttext/pruned.ftz" "$corpus/fasttext/pruned.ftz"
for f in cbow.bin old.bin sup.ftz; do
    head -c "$max" "$fx/fasttext/$f" > "$corpus/fasttext/head-$f"
done

for t in "$corpus"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) seeds"; done
