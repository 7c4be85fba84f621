# typecheck: ill-typed
"""Positional twin of typecheck/module_fields_disagree.py: a feed-forward module whose
bias was made for 512 hidden units while `W` and `V` have 256; jaxtyping checks the
fields at construction."""

import equinox as eqx
import jax
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
class FeedForward(eqx.Module):
    W: Float[Array, "d f"]
    b: Float[Array, " f"]
    V: Float[Array, "f d"]

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "*z d"]) -> Float[Array, "*z d"]:
        return jax.nn.relu(x @ self.W + self.b) @ self.V


def program(
    x: Float[Array, "b 64"],
    W: Float[Array, "64 256"],
    b: Float[Array, " 512"],
    V: Float[Array, "256 64"],
):
    ff = FeedForward(W, b, V)  # E: field b has 512, W binds f to 256
    return ff(x)
