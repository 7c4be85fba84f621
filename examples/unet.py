"""A small U-Net built from `typedlenet.nn`, trained with optax to segment bright
rectangles from a noisy background: a label per pixel, rectangle or not.

    python examples/unet.py              # train to >= 96% test pixel accuracy
    python examples/unet.py --steps 10   # a short run (the tests)

Two 3×3 convolutions and a 2×2 max pool per level on the way down, a stride-2
transposed convolution per level on the way up, each joined to the level's
skip connection by `tl.concatenate` along `channels`. A pixel cannot be told
from its own value alone (the noise is as strong as the contrast): the network
has to look at its neighbourhood. The model and its training step are verified
for a symbolic batch and every height and width that are multiples of 4.
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

SIZE, NOISE, WIDTHS = 32, 1.0, (16, 32, 64)


def conv(inp: int, out: int, key: jax.Array, kernel: int = 3) -> nn.Conv:
    """A "same" convolution from `inp` channels to `out`."""
    return nn.Conv(
        "height width", f"channels:{inp}", f"channels:{out}", kernel, padding="same", key=key
    )


class UNet(eqx.Module):
    """Down: conv, conv, pool; conv, pool; conv. Up: transposed conv, concatenate
    the skip, conv; twice. Then a 1×1 readout to `class:2` at every pixel."""

    down: tuple[nn.Conv, ...]
    pool: nn.MaxPool
    up: tuple[nn.ConvTranspose, ...]
    merge: tuple[nn.Conv, ...]
    readout: nn.Conv

    def __init__(self, key: jax.Array) -> None:
        c1, c2, c3 = WIDTHS
        keys = iter(jax.random.split(key, 9))
        self.down = tuple(
            conv(i, o, next(keys)) for i, o in ((1, c1), (c1, c1), (c1, c2), (c2, c3))
        )
        self.pool = nn.MaxPool("height width", 2)
        self.up = tuple(
            nn.ConvTranspose(
                "height width", f"channels:{i}", f"channels:{o}", 2, stride=2, key=next(keys)
            )
            for i, o in ((c3, c2), (c2, c1))
        )
        self.merge = (conv(2 * c2, c2, next(keys)), conv(2 * c1, c1, next(keys)))
        self.readout = nn.Conv(
            "height width", f"channels:{c1}", "class:2", 1, padding="same", key=next(keys)
        )

    def __call__(
        self, X: Float[NamedArray, "batch channels:1 height:4*m width:4*k"]
    ) -> Float[NamedArray, "batch class:2 height:4*m width:4*k"]:
        first, second, third, bottom = self.down
        skip1 = tl.relu(second(tl.relu(first(X))))  # height h
        skip2 = tl.relu(third(self.pool(skip1)))  # h / 2
        H = tl.relu(bottom(self.pool(skip2)))  # h / 4
        for up, merge, skip in zip(self.up, self.merge, (skip2, skip1)):
            H = tl.relu(merge(tl.concatenate([tl.relu(up(H)), skip], "channels")))
        return self.readout(H)


def build() -> UNet:
    """The model as the examples train it (`typedlenet check` builds it from here)."""
    return UNet(jax.random.PRNGKey(0))


def batch(key: jax.Array, size: int) -> tuple[NamedArray, NamedArray]:
    """`(images, labels)`: two rectangles of brightness 1 on a dark background,
    both under Gaussian noise of standard deviation `NOISE`; labels 1 inside."""
    keys = jax.random.split(key, 9)
    inside = tl.zeros({"batch": size, "height": SIZE, "width": SIZE}, jnp.bool_)
    for r in range(2):
        rect = {}
        for j, axis in enumerate(("height", "width")):
            extent = tl.random.randint(keys[4 * r + 2 * j], {"batch": size}, 4, SIZE // 2)
            start = tl.random.randint(keys[4 * r + 2 * j + 1], {"batch": size}, 0, SIZE // 2)
            where = tl.arange(axis, SIZE)
            rect[axis] = (where >= start) & (where < start + extent)
        inside = inside | (rect["height"] & rect["width"])
    noise = tl.random.normal(keys[8], {"batch": size, "channels": 1, "height": SIZE, "width": SIZE})
    return inside.astype(jnp.float32) + NOISE * noise, inside.astype(jnp.int32)


def loss(
    model: UNet,
    images: Float[NamedArray, "batch channels:1 height:4*m width:4*k"],
    labels: Int[NamedArray, "batch height:4*m width:4*k"],
) -> Float[NamedArray, ""]:
    """Cross-entropy of the class at every pixel."""
    return tl.cross_entropy(model(images), labels, axis="class")


@jax.jit
def accuracy(model: UNet, images: NamedArray, labels: NamedArray) -> NamedArray:
    """The fraction of pixels classified right."""
    return tl.mean((tl.argmax(model(images), "class") == labels).astype(jnp.float32))


def main(argv: list[str] | None = None) -> int:
    """Verify the model and its training step, then train and report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    key, init_key, test_key = jax.random.split(jax.random.PRNGKey(args.seed), 3)
    model = UNet(init_key)
    print(tl.summary(model))
    optimizer = optax.adam(optax.cosine_decay_schedule(args.lr, max(args.steps, 1)))
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    step = tl.make_step(optimizer, loss)
    # Two pools halve height and width twice: every multiple of 4, stated.
    s = tl.symbols("b m k")
    sizes = {"b": s["b"], "h": 4 * s["m"], "w": 4 * s["k"]}
    images = tl.abstract("batch:b channels:1 height:h width:w", sizes=sizes)
    labels = tl.abstract("batch:b height:h width:w", jnp.int32, sizes=sizes)
    logits = tl.verify(model, images).tensor("output")
    # the step returns (model, opt_state, loss): the report lists the loss last
    trained = tl.verify(step, model, opt_state, images, labels).tensors[-1][2]
    print(
        f"verified for every batch b, height 4*m and width 4*k: logits {logits}; "
        f"training step: loss {trained.dtype}{list(trained.shape)}"
    )
    step = jax.jit(step)  # every leaf of the model and optimizer state is an array
    make = jax.jit(batch, static_argnums=1)  # one compiled maker per batch size
    test = make(test_key, 256)
    start = time.perf_counter()
    for i in range(1, args.steps + 1):
        key, sub = jax.random.split(key)
        model, opt_state, value = step(model, opt_state, *make(sub, args.batch_size))
        if i % 100 == 0 or i == args.steps:
            score = 100 * float(accuracy(model, *test))
            print(f"step {i}: loss {float(value):.4f}, test pixel accuracy {score:.2f}%")
    seconds = time.perf_counter() - start
    final = float(accuracy(model, *test))
    print(f"done: {args.steps} steps in {seconds:.1f} s, test pixel accuracy {100 * final:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
