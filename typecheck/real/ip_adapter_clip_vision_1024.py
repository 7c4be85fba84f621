# typecheck: ill-typed
"""Port of https://github.com/XLabs-AI/x-flux-comfyui/issues/153: applying the Flux
IP-Adapter fails in `self.proj(embeds)` with `mat1 and mat2 shapes cannot be
multiplied (1x1024 and 768x16384)`: the image embeds came from a CLIP vision
model 1024 wide, where the adapter's projection (to 4 tokens of 4096) was built
for 768."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(embeds: Float[NamedArray, "batch:1 clip:1024"]):
    proj = nn.Linear("clip:768", "proj:16384", key=jax.random.PRNGKey(0))
    tokens = proj(embeds)  # E: axis `clip` has size 768 in the layer and 1024
    return tl.unflatten(tokens, "proj", {"token": 4, "embed": 4096})
