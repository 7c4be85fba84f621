# typecheck: ill-typed
"""Positional twin of typecheck/module_tree_at_edit.py: a layer's bias swapped with
`eqx.tree_at` for one 32 wide where the layer makes 64."""

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


@jaxtyped(typechecker=beartype)
class Dense(eqx.Module):
    W: Float[Array, "e h"]
    b: Float[Array, " h"] | None

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "*z e"]) -> Float[Array, "*z h"]:
        y = x @ self.W
        return y if self.b is None else y + self.b


def program(x: Float[Array, "b 32"]):
    dense = Dense(jax.random.normal(jax.random.PRNGKey(0), (32, 64)), jnp.zeros(64))
    tuned = eqx.tree_at(lambda m: m.b, dense, jnp.zeros(32))
    return tuned(x)  # E: bias 32 against 64
