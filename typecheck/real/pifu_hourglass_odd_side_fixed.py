# typecheck: well-typed
"""Fix of https://github.com/pytorch/pytorch/issues/9446 (PIFu): the photograph is
resized to the 512×512 input PIFu was made for, so the hourglass sees 128×128 and
its two branches add up."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(image: Float[NamedArray, "batch:1 channels:3 height:512 width:512"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    stem = nn.Conv("height width", "channels:3", "channels:64", 7, stride=2, padding=3, key=k1)
    x = nn.AvgPool("height width", 2)(tl.relu(stem(image)))
    up1 = nn.Conv("height width", "channels:64", "channels:64", 3, padding="same", key=k2)(x)
    low = nn.MaxPool("height width", 2)(x)
    low = nn.Conv("height width", "channels:64", "channels:64", 3, padding="same", key=k3)(low)
    up2 = tl.upsample(low, {"height": 2, "width": 2})
    return up1 + up2
