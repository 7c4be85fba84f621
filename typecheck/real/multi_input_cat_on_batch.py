# typecheck: ill-typed
"""Port of https://github.com/pytorch/pytorch/issues/139037: six images go through
one shared CNN and the six feature vectors are joined with `torch.cat(..., 0)`,
along the batch, before a classifier that expects the six joined side by side
(`mat1 and mat2 shapes cannot be multiplied`). Named: the features are
concatenated along `batch` instead of along `feature`."""

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(
    x1: Float[NamedArray, "batch:10 feature:128"],
    x2: Float[NamedArray, "batch:10 feature:128"],
    x3: Float[NamedArray, "batch:10 feature:128"],
    x4: Float[NamedArray, "batch:10 feature:128"],
    x5: Float[NamedArray, "batch:10 feature:128"],
    x6: Float[NamedArray, "batch:10 feature:128"],
):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    cnn = nn.Linear("feature:128", "feature:64", key=k1)
    sec = nn.Linear("feature:384", "class:5", key=k2)
    joined = tl.concatenate([cnn(x) for x in (x1, x2, x3, x4, x5, x6)], "batch")
    return sec(joined)  # E: axis `feature` has size 384 in the layer and 64 in `x`
