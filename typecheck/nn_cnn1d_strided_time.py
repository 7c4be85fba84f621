# typecheck: well-typed
"""A strided 1-D CNN over `time` from `tl.nn`: `Conv` (kernel 5, stride 2), `MaxPool`
by 2, a padded `Conv` (kernel 3, padding 1), then a mean over `time` and a `Linear`
head. For a symbolic length `t >= 7` (the least for which the pool has a window):
the checked encoder's return says `time` is `((t-5)//2-1)//2+1`, pooling's
`(n-2)//2+1` of the conv's `n = (t-5)//2+1` (JAX's symbolic sizes do not prove it
equal to `((t-5)//2+1)//2`, so the annotation spells the pool's own formula)."""

import equinox as eqx
import jax

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 7",)


class Encoder(eqx.Module):
    conv1: tl.nn.Conv
    pool: tl.nn.MaxPool
    conv2: tl.nn.Conv

    @tl.typechecked
    def __call__(
        self, x: Float[NamedArray, "batch:b channels:4 time:t"]
    ) -> Float[NamedArray, "batch:b channels:32 time:((t-5)//2-1)//2+1"]:
        y = self.pool(tl.relu(self.conv1(x)))
        return tl.relu(self.conv2(y))


def program(x: Float[NamedArray, "batch:b channels:4 time:t"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    encoder = Encoder(
        tl.nn.Conv("time", "channels:4", "channels:16", 5, stride=2, key=k1),
        tl.nn.MaxPool("time", 2),
        tl.nn.Conv("time", "channels:16", "channels:32", 3, padding=1, key=k2),
    )
    head = tl.nn.Linear("channels:32", "class:5", key=k3)
    logits = head(tl.mean(encoder(x), "time"))
    assert logits.sizes == {"batch": x.sizes["batch"], "class": 5}
    return logits
