# typecheck: ill-typed
"""Port of https://github.com/pochih/FCN-pytorch/issues/15: FCN trained on a
dataset of 32 classes with `n_class = 20` left from the example: `Target size
(torch.Size([2, 32, 480, 640])) must be the same as input size (torch.Size([2, 20,
480, 640]))`. The one-hot labels have 32 classes, the head's 1×1 convolution
scores 20."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn

N_CLASS = 20


def program(
    features: Float[NamedArray, "batch:2 channels:32 height:480 width:640"],
    labels: Float[NamedArray, "batch:2 class:32 height:480 width:640"],
):
    classifier = nn.Conv(
        "height width", "channels:32", f"class:{N_CLASS}", 1, key=jax.random.PRNGKey(0)
    )
    outputs = classifier(features)
    loss = tl.softplus(outputs) - outputs * labels  # E: axis `class` has size 20
    return tl.mean(loss, "batch class height width")
