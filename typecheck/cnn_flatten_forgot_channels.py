# typecheck: ill-typed
"""An MNIST CNN module: two valid 5×5 convolutions with 2×2 max-pools leave 16
channels of 4×4, flattened for a `Linear` head over `inp:256`. The forward pass
flattens `height width` only, so `inp` holds 16 and `channels` rides along."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


class MnistNet(eqx.Module):
    conv1: nn.Conv
    conv2: nn.Conv
    pool: nn.MaxPool
    fc: nn.Linear

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.conv1 = nn.Conv("height width", "channels:1", "channels:6", 5, key=k1)
        self.conv2 = nn.Conv("height width", "channels:6", "channels:16", 5, key=k2)
        self.pool = nn.MaxPool("height width", 2)
        self.fc = nn.Linear("inp:256", "class:10", key=k3)

    def __call__(self, x: NamedArray) -> NamedArray:
        h = self.pool(tl.relu(self.conv1(x)))
        h = self.pool(tl.relu(self.conv2(h)))
        flat = tl.flatten(h, "height width", "inp")  # C: `inp:16` first made here
        return self.fc(flat)  # E: axis `inp` has size 256 in the layer and 16 in `x`


def program(images: Float[NamedArray, "batch:b channels:1 height:28 width:28"]):
    return MnistNet(jax.random.PRNGKey(0))(images)
