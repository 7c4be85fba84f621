"""`Linear`, `MLP`, `Embedding`, `LayerNorm` and `Dropout`: layers by name."""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp

from .._core import errors, ops
from .._core.named import NamedArray
from .._core.structure import take
from ._checks import expect_axes, free, primed
from ._init import init, ones, parse, zeros

__all__ = ["MLP", "Dropout", "Embedding", "LayerNorm", "Linear"]


class Linear(eqx.Module):
    """`Linear(x) = W ·_{inp} x + b`: contracts the named input axes of `x`,
    produces the named output axes; every other axis of `x` is lifted.

    `Linear("embed:64", "hidden:256", key=key)`; an output axis may share its
    input's name (`Linear("embed:64", "embed:64")`): the weight then calls it
    `embed'`. `W` has the axes `inp + out` (primed), `b` the axes `out`.

    Examples:
        >>> layer = tl.nn.Linear("features:3", "hidden:8", key=jax.random.PRNGKey(0))
        >>> layer(tl.named(jnp.ones((2, 3)), "batch features"))
        f32[batch:2, hidden:8]
    """

    W: NamedArray
    b: NamedArray | None
    inp: dict[str, int] = eqx.field(static=True)
    out: dict[str, int] = eqx.field(static=True)

    def __init__(self, inp: str, out: str, *, key: jax.Array, bias: bool = True) -> None:
        self.inp, self.out = parse(inp, op="Linear"), parse(out, op="Linear")
        w_out = primed(tuple(self.out), tuple(self.inp))
        spec = " ".join(
            [f"{n}:{s}" for n, s in self.inp.items()]
            + [f"{n}:{s}" for n, s in zip(w_out, self.out.values())]
        )
        k1, k2 = jax.random.split(key)
        self.W = init(k1, spec, fan_in=" ".join(self.inp))
        fan_in = 1
        for n in self.inp.values():
            fan_in *= n
        self.b = init(k2, out, scale=fan_in**-0.5) if bias else None

    def __check_init__(self) -> None:
        w_out = primed(tuple(self.out), tuple(self.inp))
        expect_axes(self.W, {**self.inp, **dict(zip(w_out, self.out.values()))}, "Linear", "W")
        if self.b is not None:
            expect_axes(self.b, self.out, "Linear", "b")

    def __call__(self, x: NamedArray) -> NamedArray:
        """`W ·_{inp} x + b`: `x` has the input axes (and any others, which are kept).

        Raises:
            AxisError: `x` lacks an input axis, has it with another size, or already
                has an output axis.
        """
        expect_axes(x, self.inp, "Linear")
        free(x, tuple(n for n in self.out if n not in self.inp), "Linear", "which it would create")
        # Data first: the result keeps `x`'s storage order, the new axes stored last.
        y = ops.dot(x, self.W, tuple(self.inp))
        w_out = primed(tuple(self.out), tuple(self.inp))
        y = ops.rename(y, {p: n for p, n in zip(w_out, self.out) if p != n})
        return y if self.b is None else y + self.b


class MLP(eqx.Module):
    """`MLP(x) = Linear_2(act(Linear_1(x)))`: `inp` → `hidden` → `out`, by name.

    Examples:
        >>> mlp = tl.nn.MLP("features:3", "hidden:16", "classes:10", key=jax.random.PRNGKey(0))
        >>> mlp(tl.named(jnp.ones((2, 3)), "batch features"))
        f32[batch:2, classes:10]
    """

    first: Linear
    second: Linear
    activation: Callable[[NamedArray], NamedArray] = eqx.field(static=True)

    def __init__(
        self,
        inp: str,
        hidden: str,
        out: str,
        *,
        key: jax.Array,
        activation: Callable[[NamedArray], NamedArray] = ops.gelu,
    ) -> None:
        k1, k2 = jax.random.split(key)
        self.first = Linear(inp, hidden, key=k1)
        self.second = Linear(hidden, out, key=k2)
        self.activation = activation

    def __call__(self, x: NamedArray) -> NamedArray:
        """`second(activation(first(x)))`; the axes of `x` but `inp` are kept."""
        return self.second(self.activation(self.first(x)))


class Embedding(eqx.Module):
    """`Embedding(tokens) = E_{vocab=tokens}`: one gather (`take`), O(tokens).

    `Embedding("vocab:1000", "embed:64", key=key)`; the result has the tokens'
    axes and `embed`.

    Examples:
        >>> embed = tl.nn.Embedding("vocab:100", "embed:8", key=jax.random.PRNGKey(0))
        >>> embed(tl.named(jnp.array([[1, 5, 7]]), "batch seq"))
        f32[batch:1, seq:3, embed:8]
    """

    E: NamedArray
    vocab: str = eqx.field(static=True)

    def __init__(self, vocab: str, embed: str, *, key: jax.Array) -> None:
        (self.vocab,) = tuple(parse(vocab, op="Embedding"))
        self.E = init(key, f"{vocab} {embed}", dist="normal", scale=1.0)

    def __call__(self, tokens: NamedArray) -> NamedArray:
        """The rows of `E` at `tokens`, a NamedArray of integers; its axes are kept.

        Raises:
            TypeError: `tokens` is not a NamedArray of integers.
        """
        if not isinstance(tokens, NamedArray) or not jnp.issubdtype(tokens.dtype, jnp.integer):
            what = tokens.dtype if isinstance(tokens, NamedArray) else type(tokens).__name__
            raise TypeError(f"Embedding: `tokens` must be a NamedArray of integers, got {what}")
        free(
            tokens,
            tuple(n for n in self.E.names if n != self.vocab),
            "Embedding",
            "which the embedding would create",
            "tokens",
        )
        return take(self.E, self.vocab, tokens)


class LayerNorm(eqx.Module):
    """`LayerNorm(x) = (x - mean_axes x) / sqrt(var_axes x + eps) ⊙ g + b` over the
    named `axes` (`LayerNorm("embed:64")`); `g`, `b` have those axes.

    Examples:
        >>> norm = tl.nn.LayerNorm("embed:4")
        >>> y = norm(tl.named(jnp.arange(8.0).reshape(2, 4), "seq embed"))
        >>> [round(float(v), 3) for v in tl.mean(y, "embed").data]
        [0.0, 0.0]
    """

    g: NamedArray | None
    b: NamedArray | None
    axes: dict[str, int] = eqx.field(static=True)
    eps: float = eqx.field(static=True)

    def __init__(self, axes: str, *, eps: float = 1e-5, affine: bool = True) -> None:
        self.axes = parse(axes, op="LayerNorm")
        self.eps = eps
        self.g = ones(axes) if affine else None
        self.b = zeros(axes) if affine else None

    def __call__(self, x: NamedArray) -> NamedArray:
        """`x` normalised over the layer's axes, which it must have; other axes are kept."""
        expect_axes(x, self.axes, "LayerNorm")
        over = tuple(self.axes)
        y = (x - ops.mean(x, over)) / ops.sqrt(ops.var(x, over) + self.eps)
        if self.g is not None and self.b is not None:
            y = y * self.g + self.b
        return y


class Dropout(eqx.Module):
    """`Dropout(x) = x ⊙ m / (1 - p)`, `m` independent Bernoulli(1 - p) at every
    position; the identity in inference mode (`inference=True` here or at call).

    Examples:
        >>> dropout = tl.nn.Dropout(0.5)
        >>> x = tl.named(jnp.ones((2, 4)), "batch features")
        >>> dropout(x, key=jax.random.PRNGKey(0))
        f32[batch:2, features:4]
        >>> bool(tl.max(dropout(x, inference=True)) == 1.0)
        True
    """

    p: float = eqx.field(static=True)
    inference: bool = eqx.field(static=True)

    def __init__(self, p: float = 0.5, *, inference: bool = False) -> None:
        if not 0 <= p < 1:
            raise errors.bad_argument("Dropout", "p", p, must="be in [0, 1)")
        self.p, self.inference = p, inference

    def __call__(
        self, x: NamedArray, *, key: jax.Array | None = None, inference: bool | None = None
    ) -> NamedArray:
        """`x` with each position dropped with probability `p` (the rest scaled by
        `1 / (1 - p)`), or `x` itself in inference mode.

        Args:
            x: any NamedArray.
            key: the PRNG key for the mask; needed unless in inference mode.
            inference: overrides the layer's own `inference` for this call.
        """
        off = self.inference if inference is None else inference
        if off or self.p == 0:
            return x
        if key is None:
            raise TypeError("Dropout: training mode needs `key=` (or pass inference=True)")
        keep = jax.random.bernoulli(key, 1 - self.p, x.shape)
        return NamedArray(jnp.where(keep, x.data / (1 - self.p), 0).astype(x.dtype), x.names)
