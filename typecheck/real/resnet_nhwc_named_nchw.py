# typecheck: ill-typed
"""Port of https://github.com/jax-ml/jax/issues/3289: a ResNet stem fails with
`conv_general_dilated lhs feature dimension size divided by feature_group_count
must equal the rhs input feature dimension size`; as a reply found, the ResNet
expected NCHW and the data source had the colour channels last. Named: each
image's 32·32·3 values, stored NHWC, are unflattened with the NCHW names."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(records: Float[NamedArray, "batch:8 data:3072"]):
    x = tl.unflatten(records, "data", {"channels": 32, "height": 32, "width": 3})
    stem = nn.Conv(
        "height width",
        "channels:3",
        "channels:64",
        7,
        stride=2,
        padding=3,
        key=jax.random.PRNGKey(0),
    )
    return stem(x)  # E: axis `channels` has size 3 in the layer and 32
