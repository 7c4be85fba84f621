"""`MultiHeadAttention` as *Named Tensor Notation* defines attention, and
`Stacked`: layers with a `layer` axis, scanned over."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._core import errors, ops
from .._core.named import NamedArray
from .._core.sizes import Size, as_names, size
from .._core.structure import arange
from .._core.transforms import scan
from ._batched_dot import batched_dot
from ._checks import expect_axes, free
from ._init import init, parse, zeros

__all__ = ["MultiHeadAttention", "Stacked", "causal_mask"]


def causal_mask(n: Size, m: Size | None = None, *, seq: str = "seq") -> NamedArray:
    """`mask_{seq=i, seq'=j} = (j <= i)`: each position attends to itself and the
    positions before it, for `n` queries over `m` keys (`m = n` by default; sizes
    may be symbolic).

    Examples:
        >>> nn.causal_mask(3).align(("seq", "seq'")).data
        Array([[ True, False, False],
               [ True,  True, False],
               [ True,  True,  True]], dtype=bool)
    """
    (seq,) = as_names([seq], argument="seq", op="causal_mask")
    n = size(n, op="causal_mask", argument="n")
    m = n if m is None else size(m, op="causal_mask", argument="m")
    return arange(seq, n) >= arange(f"{seq}'", m)


class MultiHeadAttention(eqx.Module):
    """`Att(Q, K, V) = softmax_{seq'}(Q ·_key K / sqrt|key|) ·_{seq'} V`, lifted over
    `heads`; `Q = W^Q ·_embed X`, `K`, `V` likewise from the context with `seq`
    renamed `seq'`, and the result `W^O ·_{heads,key} Att`.

    `MultiHeadAttention("embed:64", heads=4, key_size=16, key=key)`. `mask`, if
    given, is a boolean NamedArray over axes of the scores (`seq'`, and `seq`,
    `batch`, `heads` as needed): `False` positions get no attention.
    `causal=True` adds `causal_mask` (a decoder: no position sees a later one);
    `use_bias=True` adds a bias to each projection (`bq`, `bk`, `bv` over
    `heads key`, `bo` over `embed`).

    Examples:
        >>> att = nn.MultiHeadAttention("embed:8", 2, 4, key=jax.random.PRNGKey(0), causal=True)
        >>> att(tl.named(jnp.ones((3, 5, 8)), "batch seq embed"))
        f32[batch:3, seq:5, embed:8]
    """

    Wq: NamedArray
    Wk: NamedArray
    Wv: NamedArray
    Wo: NamedArray
    bq: NamedArray | None
    bk: NamedArray | None
    bv: NamedArray | None
    bo: NamedArray | None
    embed: tuple[str, int] = eqx.field(static=True)
    seq: str = eqx.field(static=True)
    causal: bool = eqx.field(static=True)

    def __init__(
        self,
        embed: str,
        heads: int,
        key_size: int,
        *,
        key: jax.Array,
        seq: str = "seq",
        causal: bool = False,
        use_bias: bool = False,
    ) -> None:
        ((name, n),) = parse(embed, op="MultiHeadAttention").items()
        heads = size(heads, op="MultiHeadAttention", argument="heads")
        key_size = size(key_size, op="MultiHeadAttention", argument="key_size")
        (self.seq,) = as_names([seq], argument="seq", op="MultiHeadAttention")
        self.embed = (name, n)
        kq, kk, kv, ko = jax.random.split(key, 4)
        projection = f"{name}:{n} heads:{heads} key:{key_size}"
        self.Wq = init(kq, projection, fan_in=name)
        self.Wk = init(kk, projection, fan_in=name)
        self.Wv = init(kv, projection, fan_in=name)
        self.Wo = init(ko, f"heads:{heads} key:{key_size} {name}:{n}", fan_in="heads key")
        head_bias = zeros(f"heads:{heads} key:{key_size}") if use_bias else None
        self.bq, self.bk, self.bv = head_bias, head_bias, head_bias
        self.bo = zeros(f"{name}:{n}") if use_bias else None
        self.causal = bool(causal)

    def __call__(
        self, x: NamedArray, context: NamedArray | None = None, mask: NamedArray | None = None
    ) -> NamedArray:
        """Attention of `x` (axes `seq` and `embed`, any others lifted) to `context`.

        Args:
            x: the queries' input.
            context: the keys' and values' input (its `seq` may have another size);
                `x` itself (self-attention) when None.
            mask: an optional boolean NamedArray over axes of the scores; `False`
                positions get no attention.

        Returns:
            A NamedArray with the axes of `x`.
        """
        op, (embed, n), seq = "MultiHeadAttention", self.embed, self.seq
        context = x if context is None else context
        for argument, value in (("x", x), ("context", context)):
            expect_axes(value, {embed: n}, op, argument)
            value.position(seq, op=op, argument=argument)
            free(value, ("heads", "key", f"{seq}'"), op, "which attention would create", argument)
        # Data first in each contraction, so that every result keeps the input's
        # storage order with the new axes last (batch, heads, seq, seq'), as a
        # positional implementation would lay them out: no transposes between steps.
        Q = _biased(ops.dot(x, self.Wq, embed), self.bq)
        K = ops.rename(_biased(ops.dot(context, self.Wk, embed), self.bk), {seq: f"{seq}'"})
        V = ops.rename(_biased(ops.dot(context, self.Wv, embed), self.bv), {seq: f"{seq}'"})
        # The two batched contractions through `batched_dot`: the same values, with
        # gradients in the form XLA:CPU runs fast (see `_batched_dot`).
        scores = ops.contract(Q, K, "key", batched_dot) / math.sqrt(Q.size_of("key"))
        if self.causal:
            causal = causal_mask(x.size_of(seq), context.size_of(seq), seq=seq)
            mask = causal if mask is None else mask & causal
        if mask is not None:
            extra = [a for a in mask.names if a not in scores.names]
            if extra:
                raise errors.unexpected_axis(
                    op,
                    extra[:1],
                    argument="mask",
                    detail=f"which the scores ({', '.join(scores.names)}) lack",
                )
            scores = ops.where(mask, scores, jnp.finfo(scores.dtype).min)
        attention = ops.softmax(scores, f"{seq}'")
        mixed = ops.contract(attention, V, f"{seq}'", batched_dot)
        return _biased(ops.dot(mixed, self.Wo, "heads key"), self.bo)


def _biased(x: NamedArray, b: NamedArray | None) -> NamedArray:
    return x if b is None else x + b


class Stacked(eqx.Module):
    """`n` layers of one kind, their parameters stacked along a named `axis`, applied
    in turn by `scan` (one compiled body, whatever `n`).

    `Stacked(lambda k: Block(key=k), 6, key=key)`; `stacked(x, *args)` is
    `layer_{n-1}(... layer_0(x, *args) ..., *args)`; every NamedArray of the
    layers has the `layer` axis (`stacked.layer(i)` is one layer).

    Examples:
        >>> make = lambda k: tl.nn.Linear("embed:4", "embed:4", key=k)
        >>> stacked = tl.nn.Stacked(make, 3, key=jax.random.PRNGKey(0))
        >>> stacked.layers.W
        f32[layer:3, embed:4, embed':4]
        >>> stacked(tl.named(jnp.ones((2, 4)), "batch embed"))
        f32[batch:2, embed:4]
    """

    layers: Any
    axis: str = eqx.field(static=True)

    def __init__(
        self, make: Callable[[jax.Array], Any], n: int, *, key: jax.Array, axis: str = "layer"
    ) -> None:
        n = size(n, op="Stacked", argument="n")
        (self.axis,) = as_names([axis], argument="axis", op="Stacked")
        built = eqx.filter_vmap(make)(jax.random.split(key, n))
        self.layers = jax.tree_util.tree_map(
            lambda leaf: _with_axis(leaf, self.axis), built, is_leaf=_is_named
        )

    def layer(self, i: int) -> Any:
        """Layer `i` alone (its arrays without the `layer` axis)."""
        return jax.tree_util.tree_map(
            lambda leaf: leaf[{self.axis: i}] if _is_named(leaf) else leaf,
            self.layers,
            is_leaf=_is_named,
        )

    def __call__(self, x: Any, *args: Any, **kwargs: Any) -> Any:
        """`layer_{n-1}(... layer_0(x, *args, **kwargs) ..., *args, **kwargs)`, by `scan`
        over the stacked axis: `args` and `kwargs` go to every layer.
        """

        def step(h: Any, layer: Any) -> tuple[Any, None]:
            return layer(h, *args, **kwargs), None

        return scan(step, x, self.layers, self.axis)[0]


def _is_named(x: Any) -> bool:
    return isinstance(x, NamedArray)


def _with_axis(leaf: Any, axis: str) -> Any:
    if _is_named(leaf):
        if axis in leaf.names:
            raise errors.duplicate_axis(
                "Stacked", axis, detail=f"a layer already has the axis `{axis}`"
            )
        return NamedArray(leaf.data, (axis, *leaf.names))
    if isinstance(leaf, jax.Array):
        raise TypeError(
            f"Stacked: a layer holds a positional array of shape {leaf.shape}; name its axes"
        )
    return leaf
