# typecheck: ill-typed
"""Dense retrieval: a query embedding scored against 100 candidate documents,
ranked with `argsort` (descending), and the top 5 documents' embeddings gathered
for re-ranking. The gather reads from the cached embedding table of the first
shard, 64 documents, not the 100 that were scored."""

import typedlenet as tl
from typedlenet import Float, NamedArray


def program(
    query: Float[NamedArray, "batch:b embed:128"],
    candidates: Float[NamedArray, "doc:100 embed:128"],
    cache: Float[NamedArray, "doc:64 embed:128"],
):
    ranking = tl.argsort(tl.dot(query, candidates, "embed"), "doc", descending=True)
    best = tl.rename(ranking[{"doc": slice(0, 5)}], {"doc": "rank"})
    top = tl.take(cache, "doc", best)  # E: hold positions up to 99
    return tl.dot(query, top, "embed")
