# typecheck: ill-typed
"""A token tagger (named-entity recognition): a Transformer encoder's states are
mean-pooled over `seq` before the tag head, as in the sentence classifier the
code was copied from, so there is one prediction per sentence while the labels
have one tag per token. `tl.cross_entropy` refuses `seq`, an axis the labels have
and the logits do not, instead of broadcasting the sentence's logits to every
token."""

import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray, nn


def program(
    states: Float[NamedArray, "batch:b seq:n embed:64"],
    tags: Int[NamedArray, "batch:b seq:n"],
):
    head = nn.Linear("embed:64", "tag:9", key=jax.random.PRNGKey(0))
    logits = head(tl.mean(states, "seq"))
    return tl.cross_entropy(logits, tags, axis="tag")  # E: seq
