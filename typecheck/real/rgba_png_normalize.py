# typecheck: ill-typed
"""Port of https://github.com/VITA-Group/ShapeMatchingGAN/issues/23: `test.py` on a
PNG fails with `The size of tensor a (4) must match the size of tensor b (3) at
non-singleton dimension 0`: the PNG is 32-bit, RGBA, and the per-channel
normalisation has three means and deviations."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray

MEAN = tl.named(jnp.array([0.5, 0.5, 0.5]), "channels")
STD = tl.named(jnp.array([0.5, 0.5, 0.5]), "channels")


def program(png: Float[NamedArray, "channels:4 height:256 width:256"]):
    image = png
    return (image - MEAN) / STD  # E: axis `channels` has size 4
