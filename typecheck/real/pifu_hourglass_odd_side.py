# typecheck: ill-typed
"""Port of https://github.com/pytorch/pytorch/issues/9446 (PIFu): a new photograph
fails with `The size of tensor a (245) must match the size of tensor b (244) at
non-singleton dimension 2`. PIFu's image filter is a stride-2 stem, a pool, then
hourglass modules that add an upsampled low branch to an identity branch; it was
made for 512×512 images, and a 980×980 one reaches the hourglass 245 wide, which
the hourglass's pool and upsampling bring back as 244."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(image: Float[NamedArray, "batch:1 channels:3 height:980 width:980"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    stem = nn.Conv("height width", "channels:3", "channels:64", 7, stride=2, padding=3, key=k1)
    x = nn.AvgPool("height width", 2)(tl.relu(stem(image)))
    up1 = nn.Conv("height width", "channels:64", "channels:64", 3, padding="same", key=k2)(x)
    low = nn.MaxPool("height width", 2)(x)
    low = nn.Conv("height width", "channels:64", "channels:64", 3, padding="same", key=k3)(low)
    up2 = tl.upsample(low, {"height": 2, "width": 2})
    return up1 + up2  # E: axis `height` has size 245
