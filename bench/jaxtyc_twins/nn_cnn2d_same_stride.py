# typecheck: well-typed
"""Positional twin of typecheck/nn_cnn2d_same_stride.py: a 2-D CNN from `eqx.nn` on
32×32 RGB images: two Conv2d with `padding="SAME"` and stride 2, each followed by a
LayerNorm over the channels and an inference-mode Dropout, an AvgPool2d by 2, then a
flatten for a Linear head."""

import equinox as eqx
import jax
from jaxtyping import Array, Float


class Stage(eqx.Module):
    conv: eqx.nn.Conv2d
    norm: eqx.nn.LayerNorm
    dropout: eqx.nn.Dropout

    def __init__(self, inp: int, out: int, *, key: Array) -> None:
        self.conv = eqx.nn.Conv2d(inp, out, 3, stride=2, padding="SAME", key=key)
        self.norm = eqx.nn.LayerNorm(out)
        self.dropout = eqx.nn.Dropout(0.2, inference=True)

    def __call__(self, x: Array) -> Array:
        y = self.conv(x)
        per_pixel = jax.vmap(jax.vmap(self.norm, in_axes=1, out_axes=1), in_axes=2, out_axes=2)
        return self.dropout(jax.nn.gelu(per_pixel(y)))


def program(X: Float[Array, "b 3 32 32"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    stage1 = Stage(3, 16, key=k1)
    stage2 = Stage(16, 32, key=k2)
    Y = jax.vmap(stage1)(X)
    assert Y.shape[1:] == (16, 16, 16)
    Z = jax.vmap(eqx.nn.AvgPool2d(2, 2))(jax.vmap(stage2)(Y))
    assert Z.shape[1:] == (32, 4, 4)
    head = eqx.nn.Linear(512, 10, key=k3)
    logits = jax.vmap(head)(Z.transpose(0, 2, 3, 1).reshape(Z.shape[0], -1))
    assert logits.shape == (X.shape[0], 10)
    return logits
