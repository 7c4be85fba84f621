# typecheck: well-typed
"""Positional twin of typecheck/module_method_helper_symbol.py: a classifier module whose
checked method calls a checked `rms_norm` helper."""

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def rms_norm(x: Float[Array, "*z d"], g: Float[Array, " d"]) -> Float[Array, "*z d"]:
    return x / jnp.sqrt(jnp.mean(x * x, axis=-1, keepdims=True) + 1e-6) * g


@jaxtyped(typechecker=beartype)
class Classifier(eqx.Module):
    g: Float[Array, " d"]
    W: Float[Array, "d k"]
    b: Float[Array, " k"]

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "b n d"]) -> Float[Array, "b k"]:
        pooled = jnp.mean(rms_norm(x, self.g), axis=1)
        return jax.nn.log_softmax(pooled @ self.W + self.b, axis=-1)


def program(
    X: Float[Array, "b n 128"],
    g: Float[Array, " 128"],
    W: Float[Array, "128 k"],
    b: Float[Array, " k"],
):
    logp = Classifier(g, W, b)(X)
    assert logp.shape[-1] == W.shape[-1]
    return logp
