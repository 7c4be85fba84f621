# typecheck: well-typed
"""Positional twin of typecheck/nn_cnn1d_strided_time.py: a strided 1-D CNN from
`eqx.nn` (Conv1d kernel 5 stride 2, MaxPool1d by 2, a padded Conv1d kernel 3), a mean
over time and a Linear head; the checked encoder's return spells the pool's formula
(the corpus adds `t >= 7`; jaxtyping cannot)."""

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


class Encoder(eqx.Module):
    conv1: eqx.nn.Conv1d
    pool: eqx.nn.MaxPool1d
    conv2: eqx.nn.Conv1d

    @jaxtyped(typechecker=beartype)
    def __call__(self, x: Float[Array, "b 4 t"]) -> Float[Array, "b 32 ((t-5)//2-1)//2+1"]:
        def one(x):
            y = self.pool(jax.nn.relu(self.conv1(x)))
            return jax.nn.relu(self.conv2(y))

        return jax.vmap(one)(x)


def program(x: Float[Array, "b 4 t"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    encoder = Encoder(
        eqx.nn.Conv1d(4, 16, 5, stride=2, key=k1),
        eqx.nn.MaxPool1d(2, 2),
        eqx.nn.Conv1d(16, 32, 3, padding=1, key=k2),
    )
    head = eqx.nn.Linear(32, 5, key=k3)
    logits = jax.vmap(head)(jnp.mean(encoder(x), axis=-1))
    assert logits.shape == (x.shape[0], 5)
    return logits
