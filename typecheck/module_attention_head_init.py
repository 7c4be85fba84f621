# typecheck: well-typed
"""A `TypedModule` with its own `__init__`: four projections made by `tl.nn.init`
from three sizes, checked together after `__init__` (`d`, `h`, `k` shared by all
four fields). Its checked `__call__` does multi-head self-attention for a symbolic
batch and sequence; `seq'` is the keys' copy of `seq`."""

import math

import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


class SelfAttention(tl.TypedModule):
    Wq: Float[NamedArray, "embed:d heads:h key:k"]
    Wk: Float[NamedArray, "embed:d heads:h key:k"]
    Wv: Float[NamedArray, "embed:d heads:h key:k"]
    Wo: Float[NamedArray, "heads:h key:k embed:d"]

    def __init__(self, embed: int, heads: int, key_size: int, *, key: jax.Array) -> None:
        kq, kk, kv, ko = jax.random.split(key, 4)
        spec = f"embed:{embed} heads:{heads} key:{key_size}"
        self.Wq = tl.nn.init(kq, spec, fan_in="embed")
        self.Wk = tl.nn.init(kk, spec, fan_in="embed")
        self.Wv = tl.nn.init(kv, spec, fan_in="embed")
        self.Wo = tl.nn.init(ko, f"heads:{heads} key:{key_size} embed:{embed}", fan_in="heads key")

    @tl.typechecked
    def __call__(
        self, x: Float[NamedArray, "batch:b seq:n embed:d"]
    ) -> Float[NamedArray, "batch:b seq:n embed:d"]:
        Q = tl.dot(x, self.Wq, "embed")
        K = tl.rename(tl.dot(x, self.Wk, "embed"), {"seq": "seq'"})
        V = tl.rename(tl.dot(x, self.Wv, "embed"), {"seq": "seq'"})
        scores = tl.dot(Q, K, "key") / math.sqrt(Q.sizes["key"])
        return tl.dot(tl.dot(tl.softmax(scores, "seq'"), V, "seq'"), self.Wo, "heads key")


def program(x: Float[NamedArray, "batch:b seq:n embed:96"]):
    attention = SelfAttention(96, 6, 16, key=jax.random.PRNGKey(0))
    y = x + attention(x)
    assert y.sizes == x.sizes
    return y
