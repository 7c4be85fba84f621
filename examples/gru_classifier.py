"""A GRU sequence classifier built from `typedlenet.nn`, trained with optax on
sequences of different lengths padded to one `time` axis: does the marker
token occur in the sequence?

    python examples/gru_classifier.py            # train to >= 98% test accuracy
    python examples/gru_classifier.py --steps 20 # a short run (the tests)

Half the sequences hold one marker, anywhere among their own tokens; the
padding after each sequence's end is filled with random tokens, markers among
them. Only the length mask, `tl.arange("time", T) < lengths`, tells the two
apart (a marker anywhere on the padded axis matches the label only about 60%
of the time): the recurrent state is carried unchanged through the padding, and the
class is read off the final state. The model and its training step are
verified for a symbolic batch and length first.
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
from typedlenet import Float, Int, NamedArray, nn

VOCAB, MARKER, TIME, SHORTEST, EMBED, HIDDEN = 8, 1, 24, 4, 16, 64


class GRUClassifier(eqx.Module):
    """Embedding, a GRU over `time` that stops at each sequence's length, and a
    linear readout of the final state to `class:2` (marker or not)."""

    embed: nn.Embedding
    rnn: nn.RNN
    readout: nn.Linear

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.embed = nn.Embedding(f"vocab:{VOCAB}", f"embed:{EMBED}", key=k1)
        self.rnn = nn.RNN(nn.GRUCell(f"embed:{EMBED}", f"hidden:{HIDDEN}", key=k2), axis="time")
        self.readout = nn.Linear(f"hidden:{HIDDEN}", "class:2", key=k3)

    def __call__(
        self, tokens: Int[NamedArray, "batch time"], lengths: Int[NamedArray, "batch"]
    ) -> Float[NamedArray, "batch class:2"]:
        valid = tl.arange("time", tokens.sizes["time"]) < lengths
        _, final = self.rnn(self.embed(tokens), mask=valid)
        return self.readout(final)


def build() -> GRUClassifier:
    """The model as the examples train it (`typedlenet check` builds it from here)."""
    return GRUClassifier(jax.random.PRNGKey(0))


def batch(key: jax.Array, size: int) -> tuple[NamedArray, NamedArray, NamedArray]:
    """`(tokens, lengths, labels)`: random tokens other than the marker, lengths
    from `SHORTEST` to `TIME`, a marker at a random valid position of half the
    sequences (label 1), and random tokens, markers included, in the padding."""
    keys = jax.random.split(key, 6)
    rows, grid = {"batch": size}, {"batch": size, "time": TIME}
    lengths = tl.random.randint(keys[0], rows, SHORTEST, TIME + 1)
    tokens = tl.random.randint(keys[1], grid, MARKER + 1, VOCAB)
    marked = tl.random.bernoulli(keys[2], 0.5, rows)
    at = (tl.random.uniform(keys[3], rows) * lengths).astype(jnp.int32)
    time_ = tl.arange("time", TIME)
    garbage = tl.random.bernoulli(keys[4], 0.3, grid) & (time_ >= lengths)
    tokens = tl.where((marked & (time_ == at)) | garbage, MARKER, tokens)
    return tokens, lengths, marked.astype(jnp.int32)


def loss(
    model: GRUClassifier,
    tokens: Int[NamedArray, "batch time"],
    lengths: Int[NamedArray, "batch"],
    labels: Int[NamedArray, "batch"],
) -> Float[NamedArray, ""]:
    """Cross-entropy of the class."""
    return tl.cross_entropy(model(tokens, lengths), labels, axis="class")


@jax.jit
def accuracy(
    model: GRUClassifier, tokens: NamedArray, lengths: NamedArray, labels: NamedArray
) -> NamedArray:
    """The fraction of sequences classified right."""
    return tl.mean((tl.argmax(model(tokens, lengths), "class") == labels).astype(jnp.float32))


def main(argv: list[str] | None = None) -> int:
    """Verify the model and its training step, then train and report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    key, init_key, test_key = jax.random.split(jax.random.PRNGKey(args.seed), 3)
    model = GRUClassifier(init_key)
    print(tl.summary(model))
    optimizer = optax.adam(optax.cosine_decay_schedule(args.lr, max(args.steps, 1)))
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    step = tl.make_step(optimizer, loss)
    sizes = tl.symbols("b t")
    tokens = tl.abstract("batch:b time:t", jnp.int32, sizes=sizes)
    lengths = labels = tl.abstract("batch:b", jnp.int32, sizes=sizes)
    logits = tl.verify(model, tokens, lengths).tensor("output")
    # the step returns (model, opt_state, loss): the report lists the loss last
    trained = tl.verify(step, model, opt_state, tokens, lengths, labels).tensors[-1][2]
    print(
        f"verified for every batch b and length t: logits {logits}; "
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
            print(f"step {i}: loss {float(value):.4f}, test accuracy {score:.2f}%")
    seconds = time.perf_counter() - start
    final = float(accuracy(model, *test))
    print(f"done: {args.steps} steps in {seconds:.1f} s, test accuracy {100 * final:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
