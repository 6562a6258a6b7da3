"""PyTorch peer of examples/train_bench.rs: the same model, sizes and step.

EmbeddingBag(mode="mean", sparse=True, padding_idx=0) -> Linear -> cross-entropy,
SparseAdam on the embedding and Adam on the linear layer (trainable), or the
embedding with requires_grad=False and Adam on the linear layer only (frozen).
Prints one RESULT line per mode, in the format of the Rust example.

usage: python train_peer.py [vocab dim batch seq threads steps]
"""

import sys
import time

import torch
import torch.nn.functional as F

CLASSES = 4
POOL = 32


def main() -> None:
    args = [int(a) for a in sys.argv[1:]]
    defaults = [100_000, 300, 64, 64, 2, 200]
    vocab, dim, batch, seq, threads, steps = args + defaults[len(args):]
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    weights = torch.randn(vocab, dim, generator=gen)
    weights[0].zero_()
    batches = [
        (
            torch.randint(1, vocab, (batch, seq), generator=gen),
            torch.randint(0, CLASSES, (batch,), generator=gen),
        )
        for _ in range(POOL)
    ]
    for mode in ("frozen", "trainable"):
        emb = torch.nn.EmbeddingBag(vocab, dim, mode="mean", sparse=True, padding_idx=0)
        with torch.no_grad():
            emb.weight.copy_(weights)
        lin = torch.nn.Linear(dim, CLASSES)
        opts = [torch.optim.Adam(lin.parameters(), lr=1e-3)]
        if mode == "frozen":
            emb.weight.requires_grad_(False)
        else:
            opts.append(torch.optim.SparseAdam(list(emb.parameters()), lr=1e-3))

        def step(ids, labels):
            for o in opts:
                o.zero_grad(set_to_none=True)
            loss = F.cross_entropy(lin(emb(ids)), labels)
            loss.backward()
            for o in opts:
                o.step()

        warmup = max(steps // 10, 5)
        for i in range(warmup):
            step(*batches[i % POOL])
        start = time.perf_counter()
        for i in range(steps):
            step(*batches[i % POOL])
        elapsed = time.perf_counter() - start
        print(f"RESULT impl=torch-{torch.__version__} mode={mode} "
              f"tokens_per_s={steps * batch * seq / elapsed:.0f}", flush=True)


if __name__ == "__main__":
    main()
