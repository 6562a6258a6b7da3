"""The peers of the aligner: build the embedding matrix of a token list from GloVe.

usage: peer_align.py keras|gensim GLOVE_TXT VOCAB_TXT
  keras   the keras.io tutorial "Using pre-trained word embeddings": a dict of every
          line's vector, then a loop over the vocabulary (word_index = row + 1).
  gensim  KeyedVectors.load_word2vec_format(no_header=True), then the same lookups.
Prints the matrix shape and how many words were found, so the runs can be compared.
"""
import sys

import numpy as np

mode, glove, vocab_path = sys.argv[1:]
words = open(vocab_path, encoding="utf-8").read().split("\n")[:-1]
word_index = {w: i + 1 for i, w in enumerate(words)}  # Keras: index 0 is padding

if mode == "keras":
    embeddings_index = {}
    with open(glove, encoding="utf-8") as f:
        for line in f:
            word, coefs = line.split(maxsplit=1)
            embeddings_index[word] = np.fromstring(coefs, "f", sep=" ")
    dim = len(next(iter(embeddings_index.values())))
    get = embeddings_index.get
else:
    from gensim.models import KeyedVectors

    kv = KeyedVectors.load_word2vec_format(glove, no_header=True)
    dim = kv.vector_size
    get = lambda w: kv[w] if w in kv.key_to_index else None

matrix = np.zeros((len(word_index) + 1, dim), dtype=np.float32)
hits = 0
for word, i in word_index.items():
    v = get(word)
    if v is not None:
        matrix[i] = v
        hits += 1
print(mode, matrix.shape, "found", hits)
