# typecheck: well-typed
"""A token tagger (named-entity recognition): the tag head scores each token's
state of a Transformer encoder, one prediction per token as the labels have one tag
per token."""

import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray, nn


def program(
    states: Float[NamedArray, "batch:b seq:n embed:64"],
    tags: Int[NamedArray, "batch:b seq:n"],
):
    head = nn.Linear("embed:64", "tag:9", key=jax.random.PRNGKey(0))
    logits = head(states)
    return tl.cross_entropy(logits, tags, axis="tag")
