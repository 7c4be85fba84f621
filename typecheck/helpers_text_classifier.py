# typecheck: well-typed
"""A text classifier spread over four checked helpers: embedding lookup, positions
from `arange`, a masked mean over `seq`, and a loss for a symbolic class count."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, Int, NamedArray

# The position table has 512 rows: sequences up to that length.
CONSTRAINTS = ("n <= 512",)


@tl.constraints("n <= p")  # positions 0..n-1 must be rows of P
@tl.typechecked
def embed(
    E: Float[NamedArray, "vocab:v embed:d"],
    P: Float[NamedArray, "pos:p embed:d"],
    tokens: Int[NamedArray, "batch:b seq:n"],
) -> Float[NamedArray, "batch:b seq:n embed:d"]:
    positions = tl.arange("seq", tokens.sizes["seq"])
    return E[{"vocab": tokens}] + tl.take(P, "pos", positions)


@tl.typechecked
def masked_mean(
    X: Float[NamedArray, "batch:b seq:n embed:d"], tokens: Int[NamedArray, "batch:b seq:n"]
) -> Float[NamedArray, "batch:b embed:d"]:
    keep = tl.astype(tokens != 0, jnp.float32)
    return tl.sum(X * keep, "seq") / tl.maximum(tl.sum(keep, "seq"), 1.0)


@tl.typechecked
def classify(
    h: Float[NamedArray, "batch:b embed:d"], W: Float[NamedArray, "embed:d class:k"]
) -> Float[NamedArray, "batch:b class:k"]:
    return tl.dot(h, W, "embed")


@tl.typechecked
def loss(
    logits: Float[NamedArray, "batch:b class:k"], labels: Int[NamedArray, "batch:b"]
) -> Float[NamedArray, ""]:
    target = tl.one_hot(labels, "class", logits.sizes["class"])
    return -tl.mean(tl.sum(target * tl.log_softmax(logits, "class"), "class"))


def program(
    E: Float[NamedArray, "vocab:30000 embed:128"],
    P: Float[NamedArray, "pos:512 embed:128"],
    W: Float[NamedArray, "embed:128 class:k"],
    tokens: Int[NamedArray, "batch:b seq:n"],
    labels: Int[NamedArray, "batch:b"],
):
    return loss(classify(masked_mean(embed(E, P, tokens), tokens), W), labels)
