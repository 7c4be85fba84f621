# typecheck: ill-typed
"""A per-channel `jnp.convolve` lifted by `nmap`: the signal has 8 channels, the
filters 4, and the shared named axis `channels` must have one size."""

import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    x: Float[NamedArray, "batch:b channels:8 time:t"],
    taps: Float[NamedArray, "channels:4 tap:5"],
):
    convolve = tl.nmap(jnp.convolve)
    signal, filters = x.untag("time"), taps.untag("tap")
    filtered = convolve(signal, filters)  # E: nmap(convolve): axis `channels` has size 8
    return filtered.tag("time")
