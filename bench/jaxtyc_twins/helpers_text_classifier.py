# typecheck: well-typed
"""Positional twin of typecheck/helpers_text_classifier.py: embedding lookup with
positions, a masked mean over the sequence, a classifier and a loss, each a checked
helper, for a symbolic class count."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
def embed(
    E: Float[Array, "v d"], P: Float[Array, "p d"], tokens: Int[Array, "b n"]
) -> Float[Array, "b n d"]:
    positions = jnp.arange(tokens.shape[1])
    return E[tokens] + P[positions]


@jaxtyped(typechecker=beartype)
def masked_mean(X: Float[Array, "b n d"], tokens: Int[Array, "b n"]) -> Float[Array, "b d"]:
    keep = (tokens != 0).astype(jnp.float32)[..., None]
    return jnp.sum(X * keep, axis=1) / jnp.maximum(jnp.sum(keep, axis=1), 1.0)


@jaxtyped(typechecker=beartype)
def classify(h: Float[Array, "b d"], W: Float[Array, "d k"]) -> Float[Array, "b k"]:
    return h @ W


@jaxtyped(typechecker=beartype)
def loss(logits: Float[Array, "b k"], labels: Int[Array, " b"]) -> Float[Array, ""]:
    target = jax.nn.one_hot(labels, logits.shape[-1])
    return -jnp.mean(jnp.sum(target * jax.nn.log_softmax(logits, axis=-1), axis=-1))


def program(
    E: Float[Array, "30000 128"],
    P: Float[Array, "512 128"],
    W: Float[Array, "128 k"],
    tokens: Int[Array, "b n"],
    labels: Int[Array, " b"],
):
    return loss(classify(masked_mean(embed(E, P, tokens), tokens), W), labels)
