"""Interop check: NumPy and gensim read glove-to-table's outputs back exactly.

Usage: check.py OUT_DIR GLOVE_GZ TOKENIZER_JSON

OUT_DIR holds what run.sh made from the GloVe fixture: table.npy (+ table.vocab.txt,
report.json) for the Keras tokenizer, and glove.vec / glove.bin, plain conversions.
The reference is computed here, by Python parsing the GloVe text itself. Exits 1 on
the first mismatch.
"""

import gzip
import json
import sys

import numpy as np
from gensim.models import KeyedVectors


def fail(message):
    print(f"interop: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def reference(path):
    words, rows = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ")
            words.append(parts[0])
            rows.append(np.array([float(x) for x in parts[1:]], dtype=np.float32))
    return words, np.stack(rows)


def check_npy(out, words, matrix, tokenizer_json):
    index = {w: i for i, w in enumerate(words)}
    table = np.load(f"{out}/table.npy")
    with open(f"{out}/table.vocab.txt", encoding="utf-8") as f:
        tokens = f.read().split("\n")[:-1]
    with open(f"{out}/report.json", encoding="utf-8") as f:
        report = json.load(f)
    with open(tokenizer_json, encoding="utf-8") as f:
        word_index = json.loads(json.load(f)["config"]["word_index"])
    if table.dtype != np.float32 or table.shape != (len(tokens), matrix.shape[1]):
        fail(f"table.npy is {table.dtype} {table.shape}, expected float32 ({len(tokens)}, 50)")
    if not table.flags["C_CONTIGUOUS"]:
        fail("table.npy is not C order")
    # Row i is Keras index i; row 0 is padding.
    for word, i in word_index.items():
        if tokens[i] != word:
            fail(f"row {i} is {tokens[i]!r}, the tokenizer says {word!r}")
    if not np.all(table[0] == 0):
        fail("the padding row is not zeros")
    exact = fallback = 0
    for r, tok in enumerate(tokens[1:], start=1):
        if tok in index:
            exact += 1
            if not np.array_equal(table[r], matrix[index[tok]]):
                fail(f"row {r} ({tok!r}) differs from the GloVe text")
        elif tok.lower() in index and tok != "<OOV>":
            fallback += 1
            if not np.array_equal(table[r], matrix[index[tok.lower()]]):
                fail(f"row {r} ({tok!r}) differs from GloVe's {tok.lower()!r}")
    if (report["found_exact"], report["found_fallback"]) != (exact, fallback):
        fail(f"report says {report['found_exact']} exact + {report['found_fallback']} fallback, "
             f"Python counts {exact} + {fallback}")
    if report["vocab_size"] != len(tokens):
        fail("report vocab_size differs from the sidecar")
    print(f"interop: numpy: table.npy {table.shape} float32, {exact} exact + {fallback} "
          f"fallback rows equal to the GloVe text, row order = Keras word_index")


def check_gensim(out, words, matrix):
    for name, binary in [("glove.vec", False), ("glove.bin", True)]:
        kv = KeyedVectors.load_word2vec_format(f"{out}/{name}", binary=binary)
        if kv.index_to_key != words:
            fail(f"{name}: gensim reads other words or another order")
        if kv.vectors.dtype != np.float32 or not np.array_equal(kv.vectors, matrix):
            bad = np.argwhere(kv.vectors != matrix)
            fail(f"{name}: gensim's vectors differ, first at {bad[:1].tolist()}")
        print(f"interop: gensim: {name} (binary={binary}) {kv.vectors.shape} identical")


def main():
    out, glove, tokenizer_json = sys.argv[1:4]
    words, matrix = reference(glove)
    check_npy(out, words, matrix, tokenizer_json)
    check_gensim(out, words, matrix)
    print("interop: OK")


if __name__ == "__main__":
    main()
