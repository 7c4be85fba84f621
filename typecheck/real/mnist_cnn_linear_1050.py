# typecheck: ill-typed
"""Port of https://androidkt.com/fix-runtimeerror-mat1-and-mat2-shapes-cannot-be-multiplied/
: an MNIST CNN of two 5×5 `padding=2` convolutions (16, then 32 channels), each
with a 2×2 max-pool, flattened into `nn.Linear(1050, 10)`; the features hold
32·7·7 = 1568 (`mat1 and mat2 shapes cannot be multiplied (2×1568 and 1050×10)`)."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


class CNN(eqx.Module):
    conv1: nn.Conv
    conv2: nn.Conv
    pool: nn.MaxPool
    out: nn.Linear

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.conv1 = nn.Conv("height width", "channels:1", "channels:16", 5, padding=2, key=k1)
        self.conv2 = nn.Conv("height width", "channels:16", "channels:32", 5, padding=2, key=k2)
        self.pool = nn.MaxPool("height width", 2)
        self.out = nn.Linear("inp:1050", "class:10", key=k3)  # C: `inp:1050` first made here

    def __call__(self, x: NamedArray) -> NamedArray:
        x = self.pool(tl.relu(self.conv1(x)))
        x = self.pool(tl.relu(self.conv2(x)))
        x = tl.flatten(x, "channels height width", "inp")
        return self.out(x)  # E: axis `inp` has size 1050 in the layer and 1568 in `x`


def program(images: Float[NamedArray, "batch:2 channels:1 height:28 width:28"]):
    return CNN(jax.random.PRNGKey(0))(images)
