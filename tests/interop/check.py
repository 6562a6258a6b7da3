"""Interop check: NumPy and gensim read glove-to-table's outputs back exactly.

Usage: check.py OUT_DIR GLOVE_GZ TOKENIZER_JSON

OUT_DIR holds what run.sh made from the GloVe fixture: table.npy (+ table.vocab.txt,
table.origins.npy, report.json) for the Keras tokenizer, the same table as
table.{f32,f16,bf16}.safetensors and as half.npy (f16), and glove.vec / glove.bin,
plain conversions.
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


ORIGIN_CODES = {"0": "exact", "1": "fallback", "2": "missing", "3": "padding", "4": "oov", "5": "unused"}


def expected_origins(tokens, index):
    """The row origins Python works out for the Keras tokenizer's table."""
    codes = []
    for r, tok in enumerate(tokens):
        if r == 0:
            codes.append(3)
        elif tok == "<OOV>":
            codes.append(4)
        elif tok in index:
            codes.append(0)
        elif tok.lower() in index:
            codes.append(1)
        else:
            codes.append(2)
    return np.array(codes, dtype=np.uint8)


def bf16_bits(a):
    """float32 -> bfloat16 bit patterns, round to nearest, ties to even."""
    bits = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def check_origins(out, words):
    index = {w: i for i, w in enumerate(words)}
    table = np.load(f"{out}/table.npy")
    with open(f"{out}/table.vocab.txt", encoding="utf-8") as f:
        tokens = f.read().split("\n")[:-1]
    origins = np.load(f"{out}/table.origins.npy")
    want = expected_origins(tokens, index)
    if origins.dtype != np.uint8 or origins.shape != (table.shape[0],):
        fail(f"table.origins.npy is {origins.dtype} {origins.shape}, expected uint8 ({table.shape[0]},)")
    if not np.array_equal(origins, want):
        bad = np.argwhere(origins != want)[:1].ravel().tolist()
        fail(f"table.origins.npy differs from Python's origins first at row {bad}")
    half = np.load(f"{out}/half.npy")
    if half.dtype != np.float16 or not np.array_equal(half.view(np.uint16), table.astype(np.float16).view(np.uint16)):
        fail("half.npy is not numpy's own float16 rounding of table.npy")
    print(f"interop: numpy: table.origins.npy = Python's origins ({np.bincount(origins).tolist()} per code); "
          f"half.npy = table.astype(float16) bit for bit")
    return table, tokens, want


def check_safetensors(out, table, tokens, origins):
    from safetensors import safe_open
    from safetensors.numpy import load_file

    for dtype in ["f32", "f16", "bf16"]:
        path = f"{out}/table.{dtype}.safetensors"
        with safe_open(path, framework="np") as f:
            meta = f.metadata()
            keys = sorted(f.keys())
            emb = f.get_slice("embeddings")
            shape, st_dtype = emb.get_shape(), emb.get_dtype()
        if keys != ["embeddings", "origins"]:
            fail(f"{path}: tensors {keys}, expected embeddings and origins")
        if list(shape) != list(table.shape) or st_dtype != dtype.upper():
            fail(f"{path}: embeddings {st_dtype} {shape}, expected {dtype.upper()} {list(table.shape)}")
        # Codes never change meaning; new origins may add codes after these.
        codes = json.loads(meta["origin_codes"])
        if any(codes.get(k) != v for k, v in ORIGIN_CODES.items()):
            fail(f"{path}: origin_codes {meta['origin_codes']}, expected them to extend {ORIGIN_CODES}")
        if (meta["padding_row"], meta["oov_row"], meta["dtype"]) != ("0", str(tokens.index("<OOV>")), dtype):
            fail(f"{path}: metadata {meta}")
        if not meta["vocabulary"].startswith("Keras tokenizer "):
            fail(f"{path}: vocabulary metadata {meta['vocabulary']!r}")
        with open(f"{out}/{meta['tokens_file']}", encoding="utf-8") as f:
            if f.read().split("\n")[:-1] != tokens:
                fail(f"{path}: its tokens_file differs from table.vocab.txt")
        if dtype == "bf16":
            # NumPy has no bfloat16: safetensors' numpy API cannot load the values, so
            # take the bytes the header points at, as torch would see them.
            raw = open(path, "rb").read()
            n = int.from_bytes(raw[:8], "little")
            header = json.loads(raw[8:8 + n])
            start, end = header["embeddings"]["data_offsets"]
            got = np.frombuffer(raw[8 + n + start:8 + n + end], "<u2").reshape(table.shape)
            if not np.array_equal(got, bf16_bits(table)):
                fail(f"{path}: bf16 values differ from round-to-nearest-even of table.npy")
            start, end = header["origins"]["data_offsets"]
            got_origins = np.frombuffer(raw[8 + n + start:8 + n + end], np.uint8)
        else:
            tensors = load_file(path)
            want = table if dtype == "f32" else table.astype(np.float16)
            got = tensors["embeddings"]
            if got.dtype != want.dtype or not np.array_equal(got.view(np.uint8), want.view(np.uint8)):
                fail(f"{path}: values differ from table.npy{'' if dtype == 'f32' else '.astype(float16)'}")
            got_origins = tensors["origins"]
        if got_origins.dtype != np.uint8 or not np.array_equal(got_origins, origins):
            fail(f"{path}: origins differ from Python's")
        print(f"interop: safetensors: {path.split('/')[-1]} {st_dtype} {list(shape)} + origins, "
              f"metadata and tokens as expected")


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
    table, tokens, origins = check_origins(out, words)
    check_safetensors(out, table, tokens, origins)
    check_gensim(out, words, matrix)
    print("interop: OK")


if __name__ == "__main__":
    main()
