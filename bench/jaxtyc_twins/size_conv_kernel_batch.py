# typecheck: ill-typed
"""Positional twin of typecheck/size_conv_kernel_batch.py: a kernel per example mapped
with the images: batch sizes `b` and `n` differ."""

import jax
from jaxtyping import Array, Float


def program(
    X: Float[Array, "b 1 8 8"],
    W: Float[Array, "n 1 3 3"],
):
    per_example = jax.vmap(lambda x, w: jax.lax.conv(x[None], w[None], (1, 1), "VALID")[0])
    return per_example(X, W)  # E: b against n
