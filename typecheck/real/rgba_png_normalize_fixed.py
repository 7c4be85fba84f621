# typecheck: well-typed
"""Fix of https://github.com/VITA-Group/ShapeMatchingGAN/issues/23: the alpha
channel of the 32-bit PNG is dropped (as converting it to a 24-bit JPG does)
before the per-channel normalisation."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray

MEAN = tl.named(jnp.array([0.5, 0.5, 0.5]), "channels")
STD = tl.named(jnp.array([0.5, 0.5, 0.5]), "channels")


def program(png: Float[NamedArray, "channels:4 height:256 width:256"]):
    image = png[{"channels": slice(0, 3)}]
    return (image - MEAN) / STD
