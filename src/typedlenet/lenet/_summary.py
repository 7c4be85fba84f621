"""`summary`: LeNet's tensors and parameters with their named sizes, like torchinfo."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

from .._core.call_checks import typechecked
from .._core.named import NamedArray
from .._core.report import register_summary, table
from .._core.sizes import fmt
from ._model import LeNet

__all__ = ["PARAMETERS", "READING_ORDER", "TENSORS", "summary"]

# Each tensor of the seed's Model: its label, its key in `LeNet.forward`, its
# equation, and its axes' sizes in the seed's symbols (shared with `verify`).
TENSORS = [
    ("X^0", "X0", "input", "batch:b channels:c1 height:h width:w"),
    (
        "X^1",
        "X1",
        "[ReLU(conv2d(X^0; W^1))]_{channels'→channels}",
        "batch:b channels:c2 height:h-kh1+1 width:w-kw1+1",
    ),
    (
        "X^2",
        "X2",
        "maxpool2d(X^1, ph1, pw1)",
        "batch:b channels:c2 height:(h-kh1+1)/ph1 width:(w-kw1+1)/pw1",
    ),
    (
        "X^3",
        "X3",
        "[ReLU(conv2d(X^2; W^2))]_{channels'→channels}",
        "batch:b channels:c3 height:(h-kh1+1)/ph1-kh2+1 width:(w-kw1+1)/pw1-kw2+1",
    ),
    (
        "X^4",
        "X4",
        "maxpool2d(X^3, ph2, pw2)",
        "batch:b channels:c3 height:((h-kh1+1)/ph1-kh2+1)/ph2 width:((w-kw1+1)/pw1-kw2+1)/pw2",
    ),
    ("X^5", "X5", "X^4_{height,width,channels} → inp", "batch:b inp:h1"),
    ("O", "O", "softmax_class [MLP(X^5; U, V)]_{out→class}", "batch:b class:h3"),
]
"""The seed's tensors in order: `(label, key in LeNet.forward, equation, named sizes
in the seed's symbols)`."""

# The order reports list axes in: storage order means nothing, so LeNet's
# reports follow the seed's reading order.
READING_ORDER = ("batch", "channels'", "channels", "height", "width", "kh", "kw", "inp")
READING_ORDER += ("hidden", "out", "class")

PARAMETERS = [
    ("W^1", "W1", "channels':c2 channels:c1 kh:kh1 kw:kw1"),
    ("W^2", "W2", "channels':c3 channels:c2 kh:kh2 kw:kw2"),
    ("B^1", "B1", "channels':c2"),
    ("B^2", "B2", "channels':c3"),
    ("U", "U", "inp:h1 hidden:h2"),
    ("b^1", "b1", "hidden:h2"),
    ("V", "V", "hidden:h2 out:h3"),
    ("b^2", "b2", "out:h3"),
]
"""The seed's parameters: `(label, field of LeNet, named sizes in the seed's symbols)`."""


def _axes(x: NamedArray | jax.ShapeDtypeStruct, symbols: str) -> str:
    sym = dict(token.split(":", 1) for token in symbols.split())
    sizes = dict(zip(x.names, x.shape)) if isinstance(x, NamedArray) else {}
    order = [n for n in sym if n in sizes] + [n for n in sizes if n not in sym]
    return ", ".join(
        f"{n}:{fmt(sizes[n], grouped=False)}"
        + (f" ({sym[n]})" if n in sym and not sym[n].isdigit() else "")
        for n in order
    )


@register_summary(LeNet)
@typechecked
def summary(model: LeNet, batch: int = 1) -> str:
    """A table of X^0..X^5 and O with their named sizes (and the seed's symbols),
    then every parameter's named shape and count.

    The tensors are found by abstract evaluation (`jax.eval_shape`): nothing is
    computed.

    Examples:
        >>> table = tl.lenet.summary(tl.LeNet(key=jax.random.PRNGKey(0)))
        >>> "X^5" in table and "W^1" in table
        True
    """
    cfg = model.config
    X0 = NamedArray(
        jax.ShapeDtypeStruct((batch, cfg.channels[0], cfg.height, cfg.width), jnp.float32),
        "batch channels height width",
    )
    tensors = jax.eval_shape(model.forward, X0)
    lines = [
        f"LeNet (the seed's Model; impl={cfg.impl!r})",
        "",
        *table(
            [("tensor", "equation", "named sizes")]
            + [(label, eq, _axes(tensors[key], sym)) for label, key, eq, sym in TENSORS]
        ),
        "",
    ]
    rows = [("parameter", "named shape", "count")]
    total = 0
    for label, field, sym in PARAMETERS:
        p = getattr(model, field)
        if p is None:
            continue
        count = math.prod(p.shape)
        total += count
        rows.append((label, _axes(p, sym), f"{count:,}"))
    rows.append(("total", "", f"{total:,}"))
    lines += table(rows)
    h4, w4 = cfg.sizes()["X4"]
    lines += [
        "",
        f"h={cfg.height} w={cfg.width} c1,c2,c3={cfg.channels} kh1,kw1={cfg.kernel1} "
        f"kh2,kw2={cfg.kernel2} ph1,pw1={cfg.pool1} ph2,pw2={cfg.pool2} h2={cfg.hidden} "
        f"h3={cfg.classes}",
        f"h1 = c3 · height · width of X^4 = {cfg.channels[2]}·{h4}·{w4} = {cfg.inp}",
    ]
    return "\n".join(lines)
