# typecheck: well-typed
"""Fix of https://github.com/XLabs-AI/x-flux-comfyui/issues/153: the image embeds
come from the CLIP vision model the adapter was trained with, 768 wide, projected
to 4 tokens of 4096."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(embeds: Float[NamedArray, "batch:1 clip:768"]):
    proj = nn.Linear("clip:768", "proj:16384", key=jax.random.PRNGKey(0))
    tokens = proj(embeds)
    return tl.unflatten(tokens, "proj", {"token": 4, "embed": 4096})
