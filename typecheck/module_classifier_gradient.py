# typecheck: well-typed
"""A bag-of-embeddings classifier as a `TypedModule` (`E`, `W`, `b` share `d` and
`k`), its loss `tl.cross_entropy(model, tokens, labels)` and the loss's gradient
by `eqx.filter_grad`, all for a symbolic batch and sequence: the gradient is a
module of the same type whose fields pass `check_fields`."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, Int, NamedArray


class BagOfEmbeddings(tl.TypedModule):
    E: Float[NamedArray, "vocab:v embed:d"]
    W: Float[NamedArray, "embed:d class:k"]
    b: Float[NamedArray, "class:k"]

    @tl.typechecked
    def __call__(
        self, tokens: Int[NamedArray, "batch:b seq:n"]
    ) -> Float[NamedArray, "batch:b class:k"]:
        pooled = tl.mean(tl.take(self.E, "vocab", tokens), "seq")
        return tl.dot(pooled, self.W, "embed") + self.b


def program(tokens: Int[NamedArray, "batch:b seq:n"], labels: Int[NamedArray, "batch:b"]):
    k1, k2 = jax.random.split(jax.random.PRNGKey(0))
    model = BagOfEmbeddings(
        tl.nn.init(k1, "vocab:5000 embed:64", dist="normal", scale=1.0),
        tl.nn.init(k2, "embed:64 class:4"),
        tl.nn.zeros("class:4"),
    )
    grads = eqx.filter_grad(lambda m: tl.cross_entropy(m, tokens, labels))(model)
    assert isinstance(grads, BagOfEmbeddings)
    assert tl.check_fields(grads).E.sizes == {"vocab": 5000, "embed": 64}
    return grads
