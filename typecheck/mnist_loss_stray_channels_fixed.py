# typecheck: well-typed
"""An MNIST MLP trained with `tl.cross_entropy`: the images' `channels height
width` are flattened into `inp:784`, so the logits have `batch class` as the
labels have `batch`."""

import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray, nn


def program(
    images: Float[NamedArray, "batch:b channels:1 height:28 width:28"],
    labels: Int[NamedArray, "batch:b"],
):
    mlp = nn.MLP("inp:784", "hidden:256", "class:10", key=jax.random.PRNGKey(0))
    logits = mlp(tl.flatten(images, "channels height width", "inp"))
    return tl.cross_entropy(logits, labels, axis="class")
