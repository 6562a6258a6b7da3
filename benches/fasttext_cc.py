"""Generates a model in the layout of fastText's English Common Crawl model
(cc.en.300.bin) with random values, and a 20,000-token vocabulary for it.

    python3 benches/fasttext_cc.py DIR [--words N] [--buckets N]

Writes DIR/cc.bin: format version 12, skip-gram arguments as the published
model's (dim 300, minn 5, maxn 5, 2,000,000 buckets), 2,000,000 words, a dense
input matrix of (words + buckets) x 300 float32 (4.8 GB) with uniform random
values in [-0.1, 0.1), then the output matrix (words x 300), which no word
vector reads, as zeros (a sparse region of the file). The words are the 400,000
of GloVe 6B (/work/bench-data/glove.6B.50d.vocab.txt, or PV_BENCH_DATA) then
random lower-case words up to the count, by falling counts as fastText sorts
them. DIR/vocab.txt: 10,000 dictionary words spread over all ranks and 10,000
words the dictionary lacks (GloVe words with two letters swapped, or a letter
dropped), interleaved. Needs numpy.
"""
import argparse
import os
import struct

import numpy as np

DIM = 300


def dictionary(count, rng):
    data = os.environ.get("PV_BENCH_DATA", "/work/bench-data")
    with open(os.path.join(data, "glove.6B.50d.vocab.txt"), encoding="utf-8") as f:
        words = [w for w in f.read().split("\n") if w]
    seen = set(words)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
    while len(words) < count:
        n = count - len(words)
        lengths = rng.integers(5, 13, size=n)
        codes = letters[rng.integers(0, 26, size=(n, 12))]
        for row, length in zip(codes, lengths):
            w = row[:length].tobytes().decode()
            if w not in seen:
                seen.add(w)
                words.append(w)
    return words[:count], seen


def unknown(words, seen, count, rng):
    """Misspelt GloVe words the dictionary lacks."""
    out, used = [], set()
    alpha = [w for w in words[:400000] if w.isalpha() and len(w) >= 4]
    while len(out) < count:
        w = alpha[int(rng.integers(0, len(alpha)))]
        i = int(rng.integers(0, len(w) - 1))
        if rng.random() < 0.5:
            m = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        else:
            m = w[:i] + w[i + 1:]
        if m not in seen and m not in used:
            used.add(m)
            out.append(m)
    return out


def write_model(path, words, buckets, rng):
    nwords = len(words)
    with open(path + ".partial", "wb") as f:
        f.write(struct.pack("<ii", 0x2F4F16BA, 12))
        # dim ws epoch minCount neg wordNgrams loss(ns) model(sg) bucket minn maxn
        # lrUpdateRate, then t
        f.write(struct.pack("<12id", DIM, 5, 5, 5, 10, 1, 2, 2, buckets, 5, 5, 100, 1e-4))
        ntokens = 0
        entries = bytearray()
        for i, w in enumerate(words):
            c = 10 * (nwords - i) + 5
            ntokens += c
            entries += w.encode() + b"\0" + struct.pack("<qb", c, 0)
        f.write(struct.pack("<iiiqq", nwords, nwords, 0, ntokens, -1))
        f.write(entries)
        f.write(b"\0")  # not quantized
        rows = nwords + buckets
        f.write(struct.pack("<qq", rows, DIM))
        block = 100_000
        for start in range(0, rows, block):
            n = min(block, rows - start)
            v = rng.random((n, DIM), dtype=np.float32)
            v *= np.float32(0.2)
            v -= np.float32(0.1)
            f.write(v.tobytes())
        f.write(b"\0")  # dense output matrix
        f.write(struct.pack("<qq", nwords, DIM))
        end = f.tell() + nwords * DIM * 4
        f.truncate(end)
    os.replace(path + ".partial", path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--words", type=int, default=2_000_000)
    p.add_argument("--buckets", type=int, default=2_000_000)
    a = p.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    rng = np.random.default_rng(12)
    words, seen = dictionary(a.words, rng)
    step = max(1, len(words) // 10_000)
    known = words[::step][:10_000]
    missing = unknown(words, seen, 10_000, rng)
    with open(os.path.join(a.dir, "vocab.txt"), "w", encoding="utf-8") as f:
        for k, m in zip(known, missing):
            f.write(k + "\n" + m + "\n")
    write_model(os.path.join(a.dir, "cc.bin"), words, a.buckets, rng)


if __name__ == "__main__":
    main()
