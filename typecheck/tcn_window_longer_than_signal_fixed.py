# typecheck: well-typed
"""A temporal convolution network over sensor frames: a generic `conv1d` helper
whose return annotation writes `time:t-k+1` (so it verifies alone, for every `t >=
k`), stacked twice: windows of 9 and then 5 frames fit a 16-frame clip."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


@tl.typechecked
def conv1d(
    x: Float[NamedArray, "batch channels:c time:t"],
    W: Float[NamedArray, "channels' channels:c win:k"],
) -> Float[NamedArray, "batch channels time:t-k+1"]:
    windows = tl.unfold(x, "time", "win", W.sizes["win"])
    return tl.rename(tl.dot(windows, W, "channels win"), {"channels'": "channels"})


def program(frames: Float[NamedArray, "batch:b channels:6 time:16"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    W1 = nn.init(k1, "channels':32 channels:6 win:9", fan_in="channels win")
    W2 = nn.init(k2, "channels':32 channels:32 win:5", fan_in="channels win")
    h = tl.relu(conv1d(frames, W1))
    return conv1d(h, W2)
