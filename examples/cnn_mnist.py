"""A CNN built from `typedlenet.nn` (stride, "same" padding, layer norm, dropout),
trained with optax on the embedded mnist-5k (4,500 training and 500 test images).

    python examples/cnn_mnist.py               # train (about 98.5% test accuracy)
    python examples/cnn_mnist.py --epochs 1 --limit 256   # a short run (the tests)

Augmentation is by name too: each image is shifted by up to 2 pixels, a
per-example crop lifted over `batch` by `tl.nmap`.
"""

from __future__ import annotations

import argparse
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

import typedlenet as tl
from typedlenet import nn
from typedlenet.train import data


class CNN(eqx.Module):
    """conv 3×3 → conv 3×3 stride 2 → conv 3×3 stride 2 (each "same", ReLU, then a
    layer norm over `channels`), flatten, dropout, and a linear readout to `class`."""

    convs: tuple[nn.Conv, ...]
    norms: tuple[nn.LayerNorm, ...]
    dropout: nn.Dropout
    readout: nn.Linear

    def __init__(self, key: jax.Array, widths: tuple[int, int, int] = (16, 32, 32)) -> None:
        keys = jax.random.split(key, 4)
        channels = (1, *widths)
        self.convs = tuple(
            nn.Conv(
                "height width",
                f"channels:{channels[i]}",
                f"channels:{channels[i + 1]}",
                3,
                stride=1 if i == 0 else 2,
                padding="same",
                key=keys[i],
            )
            for i in range(3)
        )
        self.norms = tuple(nn.LayerNorm(f"channels:{w}") for w in widths)
        self.dropout = nn.Dropout(0.3)
        self.readout = nn.Linear(f"inp:{widths[2] * 7 * 7}", "class:10", key=keys[3])

    def __call__(self, X: tl.NamedArray, *, key: jax.Array | None = None) -> tl.NamedArray:
        for conv, norm in zip(self.convs, self.norms):
            X = norm(tl.relu(conv(X)))
        X = tl.flatten(X, "channels height width", "inp")
        return self.readout(self.dropout(X, key=key, inference=key is None))


def shifted(key: jax.Array, X: tl.NamedArray, most: int = 2) -> tl.NamedArray:
    """Each image of `X` moved by its own random offset of up to `most` pixels."""
    n = X.sizes["batch"]
    padded = tl.pad(X, {"height": most, "width": most})
    dy, dx = (
        tl.named(jax.random.randint(k, (n,), 0, 2 * most + 1), "batch")
        for k in jax.random.split(key)
    )
    size = (X.sizes["height"], X.sizes["width"])

    def crop(image: jax.Array, y: jax.Array, x: jax.Array) -> jax.Array:
        return jax.lax.dynamic_slice(image, (y, x), size)

    return tl.nmap(crop)(padded.untag("height", "width"), dy, dx).tag("height", "width")


def loss(model: CNN, X: tl.NamedArray, labels: tl.NamedArray, key: jax.Array) -> tl.NamedArray:
    k1, k2 = jax.random.split(key)
    return tl.cross_entropy(model(shifted(k1, X), key=k2), labels)


@eqx.filter_jit
def predictions(model: CNN, X: tl.NamedArray) -> tl.NamedArray:
    return tl.argmax(model(X), "class")


def accuracy(model: CNN, images: np.ndarray, labels: np.ndarray) -> float:
    right = 0
    for X, y in data.batches(images, labels, 500):
        right += int(tl.sum((predictions(model, X) == y).astype(jnp.int32)))
    return right / len(labels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--limit", type=int, default=None, help="use only this many training images"
    )
    args = parser.parse_args(argv)
    mnist = data.load("mnist-5k")
    train_images, train_labels = mnist.train_images[: args.limit], mnist.train_labels[: args.limit]
    key, init_key = jax.random.split(jax.random.PRNGKey(args.seed))
    model = CNN(init_key)
    print(tl.summary(model))
    report = tl.verify(model, tl.abstract("batch:b channels:1 height:28 width:28"))
    print(f"verified for every batch size b: logits {report.tensor('output')}")
    steps = args.epochs * (len(train_labels) // args.batch_size)
    optimizer = optax.adam(optax.cosine_decay_schedule(args.lr, max(steps, 1)))
    step = eqx.filter_jit(tl.make_step(optimizer, loss))
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    start, value, test = time.perf_counter(), float("nan"), 0.0
    for epoch in range(1, args.epochs + 1):
        for X, labels in data.batches(
            train_images, train_labels, args.batch_size, seed=args.seed + epoch, drop_last=True
        ):
            key, sub = jax.random.split(key)
            model, opt_state, value = step(model, opt_state, X, labels, sub)
        test = accuracy(model, mnist.test_images, mnist.test_labels)
        print(f"epoch {epoch}: loss {float(value):.4f}, test accuracy {100 * test:.2f}%")
    seconds = time.perf_counter() - start
    print(f"done: {args.epochs} epochs in {seconds:.1f} s, test accuracy {100 * test:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
