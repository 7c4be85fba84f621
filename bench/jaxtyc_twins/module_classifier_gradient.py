# typecheck: well-typed
"""Positional twin of typecheck/module_classifier_gradient.py: a bag-of-embeddings
classifier as an equinox module with jaxtyping fields, its cross-entropy and the loss's
gradient by `eqx.filter_grad`, for a symbolic batch and sequence."""

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, Int, jaxtyped


@jaxtyped(typechecker=beartype)
class BagOfEmbeddings(eqx.Module):
    E: Float[Array, "v d"]
    W: Float[Array, "d k"]
    b: Float[Array, " k"]

    @jaxtyped(typechecker=beartype)
    def __call__(self, tokens: Int[Array, "b n"]) -> Float[Array, "b k"]:
        pooled = jnp.mean(self.E[tokens], axis=1)
        return pooled @ self.W + self.b


def cross_entropy(model, tokens, labels):
    logits = model(tokens)
    target = jax.nn.one_hot(labels, logits.shape[-1])
    return -jnp.mean(jnp.sum(target * jax.nn.log_softmax(logits, axis=-1), axis=-1))


def program(tokens: Int[Array, "b n"], labels: Int[Array, " b"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    model = BagOfEmbeddings(
        jax.random.normal(k1, (5000, 64)), jax.random.normal(k2, (64, 4)) / 8.0, jnp.zeros(4)
    )
    grads = eqx.filter_grad(lambda m: cross_entropy(m, tokens, labels))(model)
    assert isinstance(grads, BagOfEmbeddings)
    assert grads.E.shape == (5000, 64)
    return grads
