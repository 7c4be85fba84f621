# typecheck: well-typed
"""A CIFAR-10 CNN as a module of `tl.nn` layers: two `same` convolutions, each
followed by a 2×2 max-pool, then a `Linear` head sized for the 64 channels of 8×8
that reach it (`inp:4096`)."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


class CifarNet(eqx.Module):
    conv1: nn.Conv
    conv2: nn.Conv
    pool: nn.MaxPool
    head: nn.Linear

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.conv1 = nn.Conv("height width", "channels:3", "channels:32", 3, padding="same", key=k1)
        self.conv2 = nn.Conv(
            "height width", "channels:32", "channels:64", 3, padding="same", key=k2
        )
        self.pool = nn.MaxPool("height width", 2)
        self.head = nn.Linear("inp:4096", "class:10", key=k3)

    def __call__(self, x: NamedArray) -> NamedArray:
        h = self.pool(tl.relu(self.conv1(x)))
        h = self.pool(tl.relu(self.conv2(h)))
        flat = tl.flatten(h, "channels height width", "inp")
        return self.head(flat)


def program(images: Float[NamedArray, "batch:b channels:3 height:32 width:32"]):
    net = CifarNet(jax.random.PRNGKey(0))
    return net(images)
