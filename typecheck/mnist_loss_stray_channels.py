# typecheck: ill-typed
"""An MNIST MLP trained with `tl.cross_entropy`: the images' `height width` are
flattened into `inp:784`, but `channels:1` is left out of the flatten, so the
logits keep a stray `channels:1` that the labels do not have. The loss refuses
the axis instead of averaging over it."""

import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray, nn


def program(
    images: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    labels: Int[NamedArray, "batch:b"],
):
    mlp = nn.MLP("inp:784", "hidden:256", "class:10", key=jax.random.PRNGKey(0))
    logits = mlp(tl.flatten(images, "height width", "inp"))
    return tl.cross_entropy(logits, labels, axis="class")  # E: channels
