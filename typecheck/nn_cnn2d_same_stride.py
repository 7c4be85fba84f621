# typecheck: well-typed
"""A 2-D CNN from `tl.nn` on 32×32 RGB images, symbolic batch: two `Conv`s with
`padding="same"` and stride 2 (`ceil(32/2) = 16`, then 8), each followed by a
`LayerNorm` over `channels` and a `Dropout` in inference mode, an `AvgPool` by 2,
then `height width channels` flattened into `inp` for a `Linear` head."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray


class Stage(eqx.Module):
    conv: tl.nn.Conv
    norm: tl.nn.LayerNorm
    dropout: tl.nn.Dropout

    def __init__(self, inp: str, out: str, *, key: jax.Array) -> None:
        self.conv = tl.nn.Conv("height width", inp, out, 3, stride=2, padding="same", key=key)
        self.norm = tl.nn.LayerNorm(out)
        self.dropout = tl.nn.Dropout(0.2, inference=True)

    def __call__(self, x: NamedArray) -> NamedArray:
        return self.dropout(tl.gelu(self.norm(self.conv(x))))


def program(X: Float[NamedArray, "batch:b channels:3 height:32 width:32"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    stage1 = Stage("channels:3", "channels:16", key=k1)
    stage2 = Stage("channels:16", "channels:32", key=k2)
    Y = stage1(X)
    assert (Y.sizes["height"], Y.sizes["width"], Y.sizes["channels"]) == (16, 16, 16)
    Z = tl.nn.AvgPool("height width", 2)(stage2(Y))
    assert (Z.sizes["height"], Z.sizes["width"], Z.sizes["channels"]) == (4, 4, 32)
    head = tl.nn.Linear("inp:512", "class:10", key=k3)
    logits = head(tl.flatten(Z, "height width channels", "inp"))
    assert logits.sizes == {"batch": X.sizes["batch"], "class": 10}
    return logits
