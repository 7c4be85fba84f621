"""A Transformer encoder built from `typedlenet.nn`, trained with optax to reverse
digit sequences (position i of the output is the input's position n-1-i: the
model must attend by position, which is what attention is for).

    python examples/transformer_reverse.py            # train to >= 99% sequence accuracy
    python examples/transformer_reverse.py --steps 20 # a short run (the tests)

Every line is named: no `.data`, no positional axis. The model and its training
step are verified abstractly for a symbolic batch and sequence length first.
"""

from __future__ import annotations

import argparse
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

import typedlenet as tl
from typedlenet import nn

VOCAB, LENGTH, EMBED, HEADS, KEY_SIZE, HIDDEN, LAYERS = 10, 8, 64, 4, 16, 128, 2


class Block(eqx.Module):
    """`X + Att(LN(X))`, then `X + MLP(LN(X))` (pre-norm)."""

    norm1: nn.LayerNorm
    attention: nn.MultiHeadAttention
    norm2: nn.LayerNorm
    mlp: nn.MLP

    def __init__(self, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.norm1 = nn.LayerNorm(f"embed:{EMBED}")
        self.attention = nn.MultiHeadAttention(f"embed:{EMBED}", HEADS, KEY_SIZE, key=k1)
        self.norm2 = nn.LayerNorm(f"embed:{EMBED}")
        self.mlp = nn.MLP(f"embed:{EMBED}", f"hidden:{HIDDEN}", f"embed:{EMBED}", key=k2)

    def __call__(self, X: tl.NamedArray) -> tl.NamedArray:
        X = X + self.attention(self.norm1(X))
        return X + self.mlp(self.norm2(X))


class Encoder(eqx.Module):
    """Token and position embeddings, `LAYERS` blocks scanned over, and a readout
    to the vocabulary: `logits[batch, seq, vocab]`."""

    tokens: nn.Embedding
    positions: nn.Embedding
    blocks: nn.Stacked
    norm: nn.LayerNorm
    readout: nn.Linear

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3, k4 = jax.random.split(key, 4)
        self.tokens = nn.Embedding(f"vocab:{VOCAB}", f"embed:{EMBED}", key=k1)
        self.positions = nn.Embedding(f"pos:{LENGTH}", f"embed:{EMBED}", key=k2)
        self.blocks = nn.Stacked(Block, LAYERS, key=k3)
        self.norm = nn.LayerNorm(f"embed:{EMBED}")
        self.readout = nn.Linear(f"embed:{EMBED}", f"vocab:{VOCAB}", key=k4)

    def __call__(self, digits: tl.NamedArray) -> tl.NamedArray:
        where = tl.arange("seq", digits.sizes["seq"])
        X = self.tokens(digits) + self.positions(where)
        return self.readout(self.norm(self.blocks(X)))


def batch(key: jax.Array, size: int) -> tuple[tl.NamedArray, tl.NamedArray]:
    digits = tl.named(jax.random.randint(key, (size, LENGTH), 0, VOCAB), "batch seq")
    return digits, digits[{"seq": slice(None, None, -1)}]


def loss(model: Encoder, digits: tl.NamedArray, target: tl.NamedArray) -> tl.NamedArray:
    return tl.cross_entropy(model(digits), target, axis="vocab")


def accuracy(model: Encoder, digits: tl.NamedArray, target: tl.NamedArray) -> float:
    right = tl.argmax(model(digits), "vocab") == target
    return float(tl.mean(tl.min(right.astype(jnp.float32), "seq")))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    key, init_key, test_key = jax.random.split(jax.random.PRNGKey(args.seed), 3)
    model = Encoder(init_key)
    print(tl.summary(model))
    # The position table has LENGTH rows: every length up to it, stated.
    sizes = tl.symbols("b n", constraints=(f"n <= {LENGTH}",))
    report = tl.verify(model, tl.abstract("batch:b seq:n", jnp.int32, sizes=sizes))
    print(f"verified for every batch b and length n <= {LENGTH}: logits {report.tensor('output')}")
    warmup = min(100, args.steps // 10)
    schedule = optax.warmup_cosine_decay_schedule(0.0, args.lr, warmup, max(args.steps, warmup + 1))
    optimizer = optax.adamw(schedule)
    # Every leaf of the model and of the optimizer state is an array, so plain
    # `jax.jit` applies; `eqx.filter_jit` would split the pytree on every call.
    step = jax.jit(tl.make_step(optimizer, loss))
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    test = batch(test_key, 1000)
    start = time.perf_counter()
    for i in range(1, args.steps + 1):
        key, sub = jax.random.split(key)
        model, opt_state, value = step(model, opt_state, *batch(sub, args.batch_size))
        if i % 250 == 0 or i == args.steps:
            score = 100 * accuracy(model, *test)
            print(f"step {i}: loss {float(value):.4f}, test sequence accuracy {score:.2f}%")
    seconds = time.perf_counter() - start
    final = accuracy(model, *test)
    print(f"done: {args.steps} steps in {seconds:.1f} s, test sequence accuracy {100 * final:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
