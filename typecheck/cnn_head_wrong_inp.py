# typecheck: ill-typed
"""A CIFAR-10 CNN as a module of `tl.nn` layers: two `same` convolutions, each
followed by a 2×2 max-pool, then a `Linear` head. Its constructor sizes the head
for 32 channels of 8×8 (`inp:2048`); the second convolution makes 64 channels, so
the flattened features hold 64·8·8 = 4096. The head's constructor is where the
wrong size was written; the call is where the two sizes meet."""

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
        self.head = nn.Linear("inp:2048", "class:10", key=k3)  # C: `inp:2048` first made here

    def __call__(self, x: NamedArray) -> NamedArray:
        h = self.pool(tl.relu(self.conv1(x)))
        h = self.pool(tl.relu(self.conv2(h)))
        flat = tl.flatten(h, "channels height width", "inp")
        return self.head(flat)  # E: axis `inp` has size 2048 in the layer and 4096 in `x`


def program(images: Float[NamedArray, "batch:b channels:3 height:32 width:32"]):
    net = CifarNet(jax.random.PRNGKey(0))
    return net(images)
