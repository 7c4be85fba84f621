# typecheck: well-typed
"""Fix of https://github.com/pochih/FCN-pytorch/issues/15: `n_class` is the
dataset's 32 classes ("just change your num_class to correct one"), so the head
scores as many classes as the one-hot labels have."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn

N_CLASS = 32


def program(
    features: Float[NamedArray, "batch:2 channels:32 height:480 width:640"],
    labels: Float[NamedArray, "batch:2 class:32 height:480 width:640"],
):
    classifier = nn.Conv(
        "height width", "channels:32", f"class:{N_CLASS}", 1, key=jax.random.PRNGKey(0)
    )
    outputs = classifier(features)
    loss = tl.softplus(outputs) - outputs * labels
    return tl.mean(loss, "batch class height width")
