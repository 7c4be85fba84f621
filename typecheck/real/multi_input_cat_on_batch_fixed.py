# typecheck: well-typed
"""Fix of https://github.com/pytorch/pytorch/issues/139037: the six feature
vectors of the shared CNN are concatenated along `feature` (`torch.cat(..., 1)`),
64 · 6 = 384 features for the classifier."""

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
    joined = tl.concatenate([cnn(x) for x in (x1, x2, x3, x4, x5, x6)], "feature")
    return sec(joined)
