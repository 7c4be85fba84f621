# typecheck: well-typed
"""A ResNet basic block that widens 64 → 128 channels: two 3×3 convolutions on
the main path and a 1×1 projection to 128 channels on the shortcut, summed."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


class BasicBlock(eqx.Module):
    conv1: nn.Conv
    conv2: nn.Conv
    project: nn.Conv

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.conv1 = nn.Conv(
            "height width", "channels:64", "channels:128", 3, padding="same", key=k1
        )
        self.conv2 = nn.Conv(
            "height width", "channels:128", "channels:128", 3, padding="same", key=k2
        )
        self.project = nn.Conv("height width", "channels:64", "channels:128", 1, key=k3)

    def __call__(self, x: NamedArray) -> NamedArray:
        h = self.conv2(tl.relu(self.conv1(x)))
        return tl.relu(h + self.project(x))


def program(x: Float[NamedArray, "batch:b channels:64 height:h width:w"]):
    return BasicBlock(jax.random.PRNGKey(0))(x)
