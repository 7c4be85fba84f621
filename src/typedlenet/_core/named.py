"""`NamedArray`: a JAX array whose axes have names, and arithmetic by name."""

from __future__ import annotations

import contextlib
import contextvars
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from . import errors
from .annotations import Shaped
from .call_checks import typechecked
from .indexing import index_one
from .methods import Methods
from .ranges import keep_range
from .sizes import Names, as_names, check_unique, clash, fmt

__all__ = ["NamedArray", "Names", "as_names", "named"]

_SHORT_DTYPES = {
    "float64": "f64",
    "float32": "f32",
    "float16": "f16",
    "bfloat16": "bf16",
    "int64": "i64",
    "int32": "i32",
    "int16": "i16",
    "int8": "i8",
    "uint64": "u64",
    "uint32": "u32",
    "uint16": "u16",
    "uint8": "u8",
    "complex64": "c64",
    "complex128": "c128",
}


# The callable told of every NamedArray built, while `typedlenet trace` runs
# (`observing`); None otherwise. A context variable: no global list to mutate.
_OBSERVER: contextvars.ContextVar[Callable[[Any], None] | None] = contextvars.ContextVar(
    "typedlenet_observer", default=None
)


@contextlib.contextmanager
def observing(observe: Callable[[Any], None]) -> Iterator[None]:
    """Within the block, call `observe(x)` with every NamedArray `x` made."""
    token = _OBSERVER.set(observe)
    try:
        yield
    finally:
        _OBSERVER.reset(token)


# Operations built on NamedArray that are also its methods (`x.untag`, `x.rename`,
# `x[{"vocab": tokens}]`): the modules that define them register them here, so
# that this module imports none of them (no import cycle).
_METHODS: dict[str, Callable[..., Any]] = {}


def method_of_named_array(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register a function as what `NamedArray.<name>` calls."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _METHODS[name] = fn
        return fn

    return register


def _built_on(name: str) -> Callable[..., Any]:
    return _METHODS[name]


def _operator_pair(
    fn: Callable[..., Any], symbol: str
) -> tuple[Callable[[NamedArray, Any], NamedArray], Callable[[NamedArray, Any], NamedArray]]:
    """The forward (`x ∘ other`) and reflected (`other ∘ x`) operator methods for `fn`."""

    def forward(self: NamedArray, other: Any) -> NamedArray:
        return _binary(fn, self, other, symbol)

    def reflected(self: NamedArray, other: Any) -> NamedArray:
        return _binary(fn, other, self, symbol)

    return forward, reflected


def _unary(fn: Callable[[Any], Any]) -> Callable[[NamedArray], NamedArray]:
    def method(self: NamedArray) -> NamedArray:
        return NamedArray(fn(self.data), self.names)

    return method


class NamedArray(eqx.Module, Methods):
    """A JAX array with one name per axis; the order of the axes carries no meaning.

    A pytree: `data` is the leaf, `names` is static. Build one with `named`.

    Attributes:
        data: the positional JAX array.
        names: one name per axis of `data`, in storage order.

    Examples:
        >>> x = tl.named(jnp.ones((2, 3)), "batch features")
        >>> x
        f32[batch:2, features:3]
        >>> x.sizes
        {'batch': 2, 'features': 3}
        >>> x + tl.named(jnp.arange(3.0), "features")  # broadcast by name
        f32[batch:2, features:3]
    """

    data: jax.Array
    names: tuple[str, ...] = eqx.field(static=True)

    __named_axes__: ClassVar[bool] = True

    if not TYPE_CHECKING:
        # equinox wraps every attribute read of a module in Python (to make bound
        # methods pytrees); a NamedArray's methods need no such thing, and its
        # reads run on every flatten: at each jitted call, for each leaf of a
        # model and its optimizer state (a third of a Transformer step's dispatch).
        __getattribute__ = object.__getattribute__

    def __init__(self, data: Any, names: Names) -> None:
        names = as_names(names)
        if isinstance(data, NamedArray):
            raise TypeError(f"named: `array` is already a NamedArray ({data!r}); use `rename`")
        if not hasattr(data, "shape") or not hasattr(data, "dtype"):
            data = jnp.asarray(data)
        if len(names) != len(data.shape):
            raise errors.axes_mismatch(
                "named",
                argument="names",
                expected=len(data.shape),
                actual=len(names),
                problem=f"{names!r} has {len(names)} names but the array has "
                f"{len(data.shape)} axes (shape {tuple(data.shape)})",
            )
        check_unique(names, "named")
        self.data = data
        self.names = names
        observe = _OBSERVER.get()
        if observe is not None:  # `typedlenet trace` records each tensor made
            observe(self)

    # --- what a NamedArray is ---------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes of the axes in storage order (positional; prefer `sizes`)."""
        return tuple(self.data.shape)

    @property
    def dtype(self) -> Any:
        """The element type."""
        return self.data.dtype

    @property
    def ndim(self) -> int:
        """The number of axes."""
        return len(self.names)

    @property
    def sizes(self) -> dict[str, int]:
        """A mapping from each axis name to its size."""
        return dict(zip(self.names, self.data.shape))

    def size_of(self, axis: str) -> int:
        """The size of axis `axis`; an `AxisError` names it when absent.

        Examples:
            >>> tl.named(jnp.zeros((2, 3)), "batch features").size_of("features")
            3
        """
        return self.data.shape[self.position(axis)]

    def position(self, axis: str, *, op: str = "position", argument: str = "x") -> int:
        """Where `axis` is stored; an `AxisError` names it when absent."""
        try:
            return self.names.index(axis)
        except ValueError:
            raise errors.missing_axis(op, axis, argument=argument, present=self.names) from None

    def align(self, names: Names) -> NamedArray:
        """The same tensor with its axes stored in the order `names` gives.

        Examples:
            >>> x = tl.named(jnp.zeros((2, 3)), "batch features")
            >>> x.align("features batch").shape
            (3, 2)
        """
        order = as_names(names)
        if sorted(order) != sorted(self.names) or len(set(order)) != len(order):
            raise errors.axes_mismatch(
                "align",
                argument="names",
                expected=self.names,
                actual=order,
                problem=f"{order!r} is not an ordering of the axes {self.names!r}",
            )
        if order == self.names:
            return self
        perm = tuple(self.names.index(n) for n in order)
        return keep_range(self, NamedArray(jnp.transpose(self.data, perm), order))

    def untag(self, *names: Names) -> Any:
        """The axes `names` made positional, for `nmap` (see `tl.untag`)."""
        return _built_on("untag")(self, *names)

    def rename(self, *args: Any, **renames: str) -> NamedArray:
        """The same data with axes renamed (see `tl.rename`):
        `x.rename({"a": "b"})` or `x.rename(a="b")`."""
        return _built_on("rename")(self, *args, **renames)

    def astype(self, dtype: Any) -> NamedArray:
        """The same axes, the elements converted to `dtype`."""
        return keep_range(self, NamedArray(self.data.astype(dtype), self.names))

    def __repr__(self) -> str:
        dtype = np.dtype(self.dtype).name if hasattr(self, "data") else "?"
        axes = ", ".join(
            f"{n}:{fmt(s, grouped=False)}" for n, s in zip(self.names, self.data.shape)
        )
        return f"{_SHORT_DTYPES.get(dtype, dtype)}[{axes}]"

    __str__ = __repr__

    # --- indexing by name ---------------------------------------------------

    def __getitem__(self, index: Mapping[str, Any]) -> NamedArray:
        """`x[{"height": 3}]` takes one position (the axis goes);
        `x[{"height": slice(2, 10)}]` takes a slice (the axis stays, shorter);
        `x[{"vocab": tokens}]`, `tokens` a NamedArray of integers, is `take`.

        A concrete position past the end is an `AxisError`; a traced one (under
        `jax.jit`) cannot be checked and is clamped into range, as in JAX.

        Examples:
            >>> x = tl.named(jnp.arange(12.0).reshape(3, 4), "height width")
            >>> x[{"height": 1}]
            f32[width:4]
            >>> x[{"width": slice(0, 2)}]
            f32[height:3, width:2]
            >>> x[{"height": tl.named(jnp.array([0, 2, 2]), "pick")}]
            f32[pick:3, width:4]
        """
        if not isinstance(index, Mapping):
            raise TypeError(
                "index a NamedArray by name, e.g. x[{'height': 3}] or "
                f"x[{{'width': slice(0, 4)}}]; got {index!r}"
            )
        out = self
        for axis, where in index.items():
            if isinstance(where, NamedArray):
                out = _built_on("take")(out, axis, where)
            else:
                out = keep_range(out, NamedArray(*index_one(out.data, out.names, axis, where)))
        return out

    # --- arithmetic by name: a table of forward and reflected operators ------

    __add__, __radd__ = _operator_pair(jnp.add, "+")
    __sub__, __rsub__ = _operator_pair(jnp.subtract, "-")
    __mul__, __rmul__ = _operator_pair(jnp.multiply, "*")
    __truediv__, __rtruediv__ = _operator_pair(jnp.true_divide, "/")
    __floordiv__, __rfloordiv__ = _operator_pair(jnp.floor_divide, "//")
    __mod__, __rmod__ = _operator_pair(jnp.mod, "%")
    __pow__, __rpow__ = _operator_pair(jnp.power, "**")
    __and__, __rand__ = _operator_pair(jnp.bitwise_and, "&")
    __or__, __ror__ = _operator_pair(jnp.bitwise_or, "|")
    __xor__, __rxor__ = _operator_pair(jnp.bitwise_xor, "^")
    __lshift__, __rlshift__ = _operator_pair(jnp.left_shift, "<<")
    __rshift__, __rrshift__ = _operator_pair(jnp.right_shift, ">>")
    # Comparisons have no reflected form: Python swaps `a < b` into `b > a`.
    __lt__ = _operator_pair(jnp.less, "<")[0]
    __le__ = _operator_pair(jnp.less_equal, "<=")[0]
    __gt__ = _operator_pair(jnp.greater, ">")[0]
    __ge__ = _operator_pair(jnp.greater_equal, ">=")[0]

    def __eq__(self, other: Any) -> NamedArray:  # type: ignore[override]
        return _binary(jnp.equal, self, other, "==")

    def __ne__(self, other: Any) -> NamedArray:  # type: ignore[override]
        return _binary(jnp.not_equal, self, other, "!=")

    __invert__ = _unary(jnp.invert)
    __neg__ = _unary(jnp.negative)
    __abs__ = _unary(jnp.abs)

    def __pos__(self) -> NamedArray:
        return self

    __hash__ = None  # type: ignore[assignment]  # elementwise `==`, like jax.Array

    # --- meeting positional code ------------------------------------------------

    # numpy defers to the NamedArray's reflected operator (`np.ones(3) + x` is
    # `x.__radd__`), which refuses a positional operand with a hint.
    __array_ufunc__ = None

    def __jax_array__(self) -> Any:
        # A jax.Array operator (`jnp.float32(2) * x`) asks first: decline, so that
        # Python calls the NamedArray's reflected operator, which broadcasts by name.
        caller = sys._getframe(1).f_code.co_name
        if caller.startswith("_operator_") or caller == "deferring_binary_op":
            return NotImplemented
        raise TypeError(
            f"a NamedArray ({self!r}) was passed to a positional JAX function, which would "
            "lose its axis names. Lift the function by name instead: `tl.lift(f)(x)` for an "
            'elementwise f, `tl.nmap(f)(x.untag("axis"))` to give f the axes it works on '
            "positionally; or pass `x.data` to leave named code on purpose."
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        if self.names:
            raise TypeError(
                f"numpy cannot take a NamedArray with axes ({self!r}): its order would be "
                "a guess. Use `x.align(names).data` to choose it."
            )
        return np.asarray(self.data, dtype=dtype)

    def item(self) -> Any:
        """The value of a 0-axis NamedArray as a Python scalar.

        Examples:
            >>> tl.sum(tl.named(jnp.arange(4.0), "x")).item()
            6.0
        """
        if self.names:
            raise errors.unexpected_axis(
                "item",
                self.names,
                argument=None,
                holder="the NamedArray",
                detail="but only a NamedArray with no axes is a scalar",
            )
        return self.data.item()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __bool__(self) -> bool:
        return bool(self.item())


@typechecked
def named(array: Any, names: Names) -> Shaped[NamedArray, "..."]:
    """Name the axes of `array` (anything `jnp.asarray` takes), in storage order.

    `names` is a space-separated string (`"batch channels height width"`) or a
    sequence of strings; any string is a legal name (`"channels'"`), but no name
    may appear twice and there must be one name per axis.

    Args:
        array: the data: a JAX or numpy array, a nested list, a scalar.
        names: one name per axis of `array`, in storage order.

    Returns:
        The NamedArray of `array` with those names.

    Raises:
        AxisError: the number of names is not the number of axes, or a name repeats.

    Examples:
        >>> tl.named(jnp.zeros((2, 3)), "batch features")
        f32[batch:2, features:3]
        >>> tl.named(3.0, "")
        f32[]
    """
    data = array if isinstance(array, jax.Array) else jnp.asarray(array)
    return NamedArray(data, as_names(names))


# --- broadcasting by name -----------------------------------------------------

_OPERAND = ("the left operand", "the right operand")


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (int, float, complex, bool, np.number, np.bool_)) or (
        hasattr(x, "shape") and not isinstance(x, NamedArray) and len(x.shape) == 0
    )


def broadcast(
    operands: Sequence[Any], op: str, labels: Sequence[str] | None = None
) -> tuple[list[Any], tuple[str, ...]]:
    """Line up `operands` by name: the union of their axes, shared axes of one size.

    Returns each operand's data stored in the result's axis order with size-1
    axes where it lacks one (scalars pass as they are), and the result's names.
    An axis shared with different sizes raises an `AxisError` naming the axis,
    the operands and both sizes.
    """
    labels = labels or (
        _OPERAND if len(operands) == 2 else [f"operand {i}" for i in range(len(operands))]
    )
    result: list[str] = []
    size: dict[str, tuple[int, str]] = {}
    for x, label in zip(operands, labels):
        if isinstance(x, NamedArray):
            for name, n in zip(x.names, x.data.shape):
                if name not in size:
                    size[name] = (n, label)
                    result.append(name)
                elif size[name][0] != n:
                    first, where = size[name]
                    raise clash(op, name, first, where, n, label)
        elif not _is_scalar(x):
            raise errors.bad_argument(
                op,
                label,
                must="be a NamedArray or a scalar",
                detail=f"it is a positional array of shape {getattr(x, 'shape', '?')}; name "
                'its axes first with `tl.named(array, "axis ...")`',
            )
    names = tuple(result)
    datas = [_expand_to(x, names) if isinstance(x, NamedArray) else x for x in operands]
    return datas, names


def _expand_to(x: NamedArray, names: tuple[str, ...]) -> Any:
    """`x`'s data transposed to follow `names`, with size-1 axes for those it lacks."""
    order = [n for n in names if n in x.names]
    data = x.data
    if tuple(order) != x.names:
        data = jnp.transpose(data, [x.names.index(n) for n in order])
    if len(order) != len(names):
        sizes = dict(zip(x.names, x.data.shape))
        data = jnp.reshape(data, [sizes.get(n, 1) for n in names])
    return data


def _binary(fn: Callable[..., Any], a: Any, b: Any, op: str) -> NamedArray:
    (da, db), names = broadcast((a, b), f"`{op}`")
    return NamedArray(fn(da, db), names)
