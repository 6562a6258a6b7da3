"""The peer of `glove-to-table MODEL --vocab VOCAB -o OUT.npy` in gensim: load a
native fastText model with `load_facebook_vectors`, look up every token of the
vocabulary (in-dictionary words and unknown words alike, as gensim computes
subword vectors for the latter) and save the table.

    python benches/fasttext_cc_gensim.py MODEL VOCAB OUT.npy [OURS.npy]

With OURS.npy, also prints the largest difference from our table (gensim divides
where fastText multiplies, so the two agree to a few ulps, not bit for bit).
"""
import sys
import time

import numpy as np
from gensim.models.fasttext import load_facebook_vectors

model, vocab, out = sys.argv[1:4]
t0 = time.perf_counter()
kv = load_facebook_vectors(model)
t1 = time.perf_counter()
with open(vocab, encoding="utf-8") as f:
    tokens = f.read().split("\n")[:-1]
table = np.stack([kv[t] for t in tokens]).astype(np.float32)
np.save(out, table)
t2 = time.perf_counter()
print(f"gensim: load {t1 - t0:.2f} s, {len(tokens)} lookups + save {t2 - t1:.2f} s", file=sys.stderr)
if len(sys.argv) > 4:
    ours = np.load(sys.argv[4])
    print(f"largest difference from ours: {np.abs(ours - table).max():.3g}", file=sys.stderr)
