# typecheck: well-typed
"""Positional twin of typecheck/pad_causal_symbolic_kernel.py: a causal filter of
symbolic width `k`: pad by `(k-1, 0)` and correlate, so the length stays `t`."""

import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
def causal(x: Float[Array, "*z t"], W: Float[Array, " k"]) -> Float[Array, "*z t"]:
    k = W.shape[0]
    past = jnp.pad(x, [(0, 0)] * (x.ndim - 1) + [(k - 1, 0)])
    flat = past.reshape(-1, 1, past.shape[-1])
    y = jax.lax.conv_general_dilated(flat, W[None, None], (1,), "VALID")
    return y.reshape(x.shape)


def program(
    x: Float[Array, "b 4 t"],
    W1: Float[Array, " k"],
    W2: Float[Array, " k"],
):
    return causal(jax.nn.relu(causal(x, W1)), W2)
