# typecheck: well-typed
"""A ViT embedding: 16×16 patches of a 3-channel image projected to 64 wide, plus
a learned position table read at `arange` over the patches, with a row for each
of the up to 16·16 = 256 patches of an image 16·p pixels on a side (p <= 16)."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn

CONSTRAINTS = ("p <= 16",)


class PatchEmbed(eqx.Module):
    project: nn.Linear
    positions: nn.Embedding

    def __init__(self, key: jax.Array) -> None:
        k1, k2 = jax.random.split(key)
        self.project = nn.Linear("inp:768", "embed:64", key=k1)
        self.positions = nn.Embedding("pos:256", "embed:64", key=k2)

    def __call__(self, x: NamedArray) -> NamedArray:
        x = tl.unflatten(x, "height", {"ph": x.sizes["height"] // 16, "py": 16})
        x = tl.unflatten(x, "width", {"pw": x.sizes["width"] // 16, "px": 16})
        x = tl.flatten(tl.flatten(x, "ph pw", "seq"), "channels py px", "inp")
        where = tl.arange("seq", x.sizes["seq"])
        return self.project(x) + self.positions(where)


def program(images: Float[NamedArray, "batch:b channels:3 height:16*p width:16*p"]):
    return PatchEmbed(jax.random.PRNGKey(0))(images)
