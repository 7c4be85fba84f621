"""A GPT-style decoder language model built from `typedlenet.nn`, trained with
optax to continue sequences that repeat themselves: a random prefix of
`PREFIX` tokens, a separator, then the prefix again. Each copied token can only
be predicted by attending back `PREFIX + 1` positions, which causal attention
allows and nothing else in the model does.

    python examples/decoder_lm.py            # train to >= 99% next-token accuracy
    python examples/decoder_lm.py --steps 20 # a short run (the tests)

The accuracy is measured on the copied half of 1,000 held-out sequences. The
output head is tied to the token embedding: `logits = h ·_embed E`. The model
and its training step are verified for a symbolic batch and length first.
"""

from __future__ import annotations

import argparse
import math
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

import typedlenet as tl
from typedlenet import Bool, Float, Int, NamedArray, nn

VOCAB, PREFIX, EMBED, HEADS, KEY_SIZE, HIDDEN, LAYERS = 16, 8, 64, 4, 16, 128, 2
LENGTH = 2 * PREFIX  # the inputs: prefix, separator, prefix but its last token
SEPARATOR = 0  # the prefixes draw from 1 .. VOCAB - 1


class Block(eqx.Module):
    """`X + CausalAtt(RMSNorm(X))`, then `X + MLP(RMSNorm(X))` (pre-norm)."""

    norm1: nn.RMSNorm
    attention: nn.MultiHeadAttention
    norm2: nn.RMSNorm
    mlp: nn.MLP

    def __init__(self, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.norm1 = nn.RMSNorm(f"embed:{EMBED}")
        self.attention = nn.MultiHeadAttention(
            f"embed:{EMBED}", HEADS, KEY_SIZE, key=k1, causal=True
        )
        self.norm2 = nn.RMSNorm(f"embed:{EMBED}")
        self.mlp = nn.MLP(f"embed:{EMBED}", f"hidden:{HIDDEN}", f"embed:{EMBED}", key=k2)

    def __call__(
        self, X: Float[NamedArray, "batch seq embed:64"]
    ) -> Float[NamedArray, "batch seq embed:64"]:
        X = X + self.attention(self.norm1(X))
        return X + self.mlp(self.norm2(X))


@tl.constraints(f"n <= {LENGTH}")
class DecoderLM(eqx.Module):
    """Token and learned position embeddings, `LAYERS` causal blocks scanned over,
    a final RMS norm, and logits against the token table itself (weight tying):
    `logits[batch, seq, vocab]`, position `i` predicting token `i + 1`."""

    tokens: nn.Embedding
    positions: nn.Embedding
    blocks: nn.Stacked
    norm: nn.RMSNorm

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.tokens = nn.Embedding(f"vocab:{VOCAB}", f"embed:{EMBED}", key=k1)
        self.positions = nn.Embedding(f"pos:{LENGTH}", f"embed:{EMBED}", key=k2)
        self.blocks = nn.Stacked(Block, LAYERS, key=k3)
        self.norm = nn.RMSNorm(f"embed:{EMBED}")

    def __call__(
        self, tokens: Int[NamedArray, "batch seq:n"]
    ) -> Float[NamedArray, "batch seq:n vocab:16"]:
        X = self.tokens(tokens) + self.positions(tl.arange("seq", tokens.sizes["seq"]))
        H = self.norm(self.blocks(X))
        return tl.dot(H, self.tokens.E, "embed") / math.sqrt(EMBED)


def build() -> DecoderLM:
    """The model as the examples train it (`typedlenet check` builds it from here)."""
    return DecoderLM(jax.random.PRNGKey(0))


def batch(key: jax.Array, size: int) -> tuple[NamedArray, NamedArray, NamedArray]:
    """`(tokens, targets, scored)`: `tokens` a prefix, the separator and the
    prefix again (less its last token), `targets` the next token at each
    position, and `scored` true where the target is a copied token."""
    prefix = tl.random.randint(key, {"batch": size, "seq": PREFIX}, 1, VOCAB)
    separator = tl.full({"batch": size, "seq": 1}, SEPARATOR, jnp.int32)
    sequence = tl.concatenate([prefix, separator, prefix], "seq")
    tokens = sequence[{"seq": slice(None, LENGTH)}]
    targets = sequence[{"seq": slice(1, None)}]
    return tokens, targets, tl.arange("seq", LENGTH) >= PREFIX


def loss(
    model: DecoderLM,
    tokens: Int[NamedArray, "batch seq:n"],
    targets: Int[NamedArray, "batch seq:n"],
    scored: Bool[NamedArray, "seq:n"],
) -> Float[NamedArray, ""]:
    """Cross-entropy of the next token, on the copied positions only."""
    return tl.cross_entropy(model(tokens), targets, axis="vocab", where=scored)


@jax.jit
def accuracy(
    model: DecoderLM, tokens: NamedArray, targets: NamedArray, scored: NamedArray
) -> NamedArray:
    """The fraction of copied tokens predicted right."""
    right = tl.mean((tl.argmax(model(tokens), "vocab") == targets).astype(jnp.float32), "batch")
    return tl.sum(tl.where(scored, right, 0.0)) / tl.sum(scored.astype(jnp.float32))


def main(argv: list[str] | None = None) -> int:
    """Verify the model and its training step, then train and report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    key, init_key, test_key = jax.random.split(jax.random.PRNGKey(args.seed), 3)
    model = DecoderLM(init_key)
    print(tl.summary(model))
    warmup = min(100, args.steps // 10)
    schedule = optax.warmup_cosine_decay_schedule(0.0, args.lr, warmup, max(args.steps, warmup + 1))
    optimizer = optax.adamw(schedule)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    step = tl.make_step(optimizer, loss)
    # The position table has LENGTH rows: every length up to it, stated.
    sizes = tl.symbols("b n", constraints=(f"n <= {LENGTH}",))
    tokens = targets = tl.abstract("batch:b seq:n", jnp.int32, sizes=sizes)
    logits = tl.verify(model, tokens).tensor("output")
    scored = tl.abstract("seq:n", jnp.bool_, sizes=sizes)
    # the step returns (model, opt_state, loss): the report lists the loss last
    trained = tl.verify(step, model, opt_state, tokens, targets, scored).tensors[-1][2]
    print(
        f"verified for every batch b and length n <= {LENGTH}: logits {logits}; "
        f"training step: loss {trained.dtype}{list(trained.shape)}"
    )
    step = jax.jit(step)  # every leaf of the model and optimizer state is an array
    make = jax.jit(batch, static_argnums=1)  # one compiled maker per batch size
    test = make(test_key, 1000)
    start = time.perf_counter()
    for i in range(1, args.steps + 1):
        key, sub = jax.random.split(key)
        model, opt_state, value = step(model, opt_state, *make(sub, args.batch_size))
        if i % 100 == 0 or i == args.steps:
            score = 100 * float(accuracy(model, *test))
            print(f"step {i}: loss {float(value):.4f}, test next-token accuracy {score:.2f}%")
    seconds = time.perf_counter() - start
    final = float(accuracy(model, *test))
    print(
        f"done: {args.steps} steps in {seconds:.1f} s, test next-token accuracy {100 * final:.2f}%"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
