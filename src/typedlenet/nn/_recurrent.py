"""Recurrent layers by name: `GRUCell`, `LSTMCell`, and `RNN`, which scans a
cell over a named axis with an optional length mask."""

from __future__ import annotations

from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp

from .._core import errors, ops
from .._core.named import NamedArray
from .._core.sizes import as_names
from .._core.transforms import scan
from ._checks import expect_axes, free
from ._init import parse
from ._linear import Linear

__all__ = ["RNN", "GRUCell", "LSTMCell"]


def _hidden(spec: str, op: str) -> tuple[str, int]:
    sizes = parse(spec, op=op)
    if len(sizes) != 1:
        raise errors.bad_argument(op, "hidden", spec, must='name one axis ("hidden:64")')
    ((name, n),) = sizes.items()
    return name, n


def _zeros_state(cell: Any, x: NamedArray) -> NamedArray:
    """Zeros over `x`'s axes other than the cell's input axes, and the hidden axis."""
    name, n = cell.hidden
    keep = [a for a in x.names if a not in cell.gates_in.inp]
    shape = (*(x.size_of(a) for a in keep), n)
    return NamedArray(jnp.zeros(shape, x.dtype), (*keep, name))


def _gate(g: NamedArray, i: int) -> NamedArray:
    return g[{"gate": i}]


class GRUCell(eqx.Module):
    """One step of a gated recurrent unit, by name: with `σ` the sigmoid and
    `Wx = W ·_inp x + b`, `Uh = U ·_hidden h` (each with a `gate` axis of 3),

        r = σ(Wx_r + Uh_r + c_r),  z = σ(Wx_z + Uh_z + c_z)
        n = tanh(Wx_n + r ⊙ (Uh_n + c_n))
        h' = (1 - z) ⊙ n + z ⊙ h

    `GRUCell("embed:16", "hidden:32", key=key)`; `cell(x, h)` is `h'`, lifted over
    every other axis of `x` (`batch`, ...). `cell.initial(x)` is the zero state.

    Examples:
        >>> cell = nn.GRUCell("embed:3", "hidden:4", key=jax.random.PRNGKey(0))
        >>> x = tl.named(jnp.ones((2, 3)), "batch embed")
        >>> cell(x, cell.initial(x))
        f32[batch:2, hidden:4]
    """

    gates_in: Linear
    gates_rec: Linear
    hidden: tuple[str, int] = eqx.field(static=True)

    def __init__(self, inp: str, hidden: str, *, key: jax.Array) -> None:
        self.hidden = _hidden(hidden, "GRUCell")
        name, n = self.hidden
        k1, k2 = jax.random.split(key)
        self.gates_in = Linear(inp, f"gate:3 {name}:{n}", key=k1)
        self.gates_rec = Linear(f"{name}:{n}", f"gate:3 {name}:{n}", key=k2)

    def initial(self, x: NamedArray) -> NamedArray:
        """The zero state for input `x`: its other axes and the hidden axis."""
        return _zeros_state(self, x)

    def __call__(self, x: NamedArray, h: NamedArray) -> NamedArray:
        """The next state `h'` from the input `x` and the state `h`."""
        name, n = self.hidden
        expect_axes(h, {name: n}, "GRUCell", "h")
        free(x, ("gate",), "GRUCell", "which the gates would create")
        wx, uh = self.gates_in(x), self.gates_rec(h)
        r = ops.sigmoid(_gate(wx, 0) + _gate(uh, 0))
        z = ops.sigmoid(_gate(wx, 1) + _gate(uh, 1))
        candidate = ops.tanh(_gate(wx, 2) + r * _gate(uh, 2))
        return (1 - z) * candidate + z * h


class LSTMCell(eqx.Module):
    """One step of a long short-term memory, by name: with `Wx = W ·_inp x + b`,
    `Uh = U ·_hidden h` (each with a `gate` axis of 4: input, forget, cell, output),

        c' = σ(Wx_f + Uh_f) ⊙ c + σ(Wx_i + Uh_i) ⊙ tanh(Wx_g + Uh_g)
        h' = σ(Wx_o + Uh_o) ⊙ tanh(c')

    The state is the pair `(h, c)`; `cell(x, (h, c))` is `(h', c')`, lifted over
    every other axis of `x`. `cell.initial(x)` is the zero state.

    Examples:
        >>> cell = nn.LSTMCell("embed:3", "hidden:4", key=jax.random.PRNGKey(0))
        >>> x = tl.named(jnp.ones((2, 3)), "batch embed")
        >>> h, c = cell(x, cell.initial(x))
        >>> h, c
        (f32[batch:2, hidden:4], f32[batch:2, hidden:4])
    """

    gates_in: Linear
    gates_rec: Linear
    hidden: tuple[str, int] = eqx.field(static=True)

    def __init__(self, inp: str, hidden: str, *, key: jax.Array) -> None:
        self.hidden = _hidden(hidden, "LSTMCell")
        name, n = self.hidden
        k1, k2 = jax.random.split(key)
        self.gates_in = Linear(inp, f"gate:4 {name}:{n}", key=k1)
        self.gates_rec = Linear(f"{name}:{n}", f"gate:4 {name}:{n}", key=k2, bias=False)

    def initial(self, x: NamedArray) -> tuple[NamedArray, NamedArray]:
        """The zero state `(h, c)` for input `x`."""
        zero = _zeros_state(self, x)
        return zero, zero

    def __call__(
        self, x: NamedArray, state: tuple[NamedArray, NamedArray]
    ) -> tuple[NamedArray, NamedArray]:
        """The next state `(h', c')` from the input `x` and the state `(h, c)`."""
        name, n = self.hidden
        if not isinstance(state, tuple) or len(state) != 2:
            raise TypeError("LSTMCell: `state` is the pair (h, c)")
        h, c = state
        expect_axes(h, {name: n}, "LSTMCell", "h")
        expect_axes(c, {name: n}, "LSTMCell", "c")
        free(x, ("gate",), "LSTMCell", "which the gates would create")
        g = self.gates_in(x) + self.gates_rec(h)
        c = ops.sigmoid(_gate(g, 1)) * c + ops.sigmoid(_gate(g, 0)) * ops.tanh(_gate(g, 2))
        return ops.sigmoid(_gate(g, 3)) * ops.tanh(c), c


class RNN(eqx.Module):
    """A cell scanned over the named `axis` of its input: `state_t = cell(x_t,
    state_{t-1})`, one compiled step whatever the length.

    `RNN(nn.GRUCell("embed:16", "hidden:32", key=key), axis="time")`;
    `rnn(xs, state=None, mask=None)` returns `(outputs, final)`: the hidden state
    at every position of `axis` (for an LSTM, its `h`) and the last state. With
    `mask`, booleans over `axis` (and any of `xs`' other axes, `batch` say), a
    position where it is `False` leaves the state unchanged, so sequences of
    different lengths padded to one axis end with the state of their own last
    position, and their outputs there repeat it. `reverse=True` runs backwards.

    Examples:
        >>> rnn = nn.RNN(nn.GRUCell("embed:3", "hidden:4", key=jax.random.PRNGKey(0)))
        >>> xs = tl.named(jnp.ones((2, 5, 3)), "batch time embed")
        >>> lengths = tl.named(jnp.array([5, 2]), "batch")
        >>> outputs, last = rnn(xs, mask=tl.arange("time", 5) < lengths)
        >>> outputs, last
        (f32[time:5, batch:2, hidden:4], f32[batch:2, hidden:4])
    """

    cell: Any
    axis: str = eqx.field(static=True)

    def __init__(self, cell: Any, *, axis: str = "time") -> None:
        if not callable(cell) or not hasattr(cell, "initial"):
            raise TypeError(f"RNN: `cell` must be a cell such as nn.GRUCell, got {cell!r}")
        self.cell = cell
        (self.axis,) = as_names([axis], argument="axis", op="RNN")

    def __call__(
        self,
        xs: NamedArray,
        state: Any = None,
        *,
        mask: NamedArray | None = None,
        reverse: bool = False,
    ) -> tuple[NamedArray, Any]:
        """`(outputs, final)`: the cell scanned over `axis` of `xs` from `state`
        (the cell's zero state by default), `mask` keeping the state where `False`."""
        axis = self.axis
        if not isinstance(xs, NamedArray):
            raise TypeError(f"RNN: `xs` must be a NamedArray, got {type(xs).__name__}")
        xs.position(axis, op="RNN", argument="xs")
        if state is None:
            state = self.cell.initial(xs[{axis: 0}])
        if mask is not None:
            extra = [a for a in mask.names if a not in xs.names]
            if extra:
                raise errors.unexpected_axis(
                    "RNN", extra, argument="mask", detail="which `xs` lacks"
                )
            mask.position(axis, op="RNN", argument="mask")

        def step(carry: Any, sliced: Any) -> tuple[Any, NamedArray]:
            x, keep = sliced
            new = self.cell(x, carry)
            if keep is not None:
                new = jax.tree_util.tree_map(
                    lambda a, b: ops.where(keep, a, b).align(b.names),
                    new,
                    carry,
                    is_leaf=lambda v: isinstance(v, NamedArray),
                )
            return new, (new[0] if isinstance(new, tuple) else new)

        final, outputs = scan(step, state, (xs, mask), axis, reverse=reverse)
        return outputs, final
