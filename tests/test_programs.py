"""Random programs: chains of operations, right and wrong, against a numpy oracle.

A program starts from a NamedArray with drawn names, sizes (1–4) and storage
order, then applies 1–6 drawn steps. Each step is drawn against the *oracle
state* — a float64 numpy array and the names of its axes — so the generator
always knows whether the step it built is right:

- a right step carries the oracle's state after it, computed here with plain
  numpy on axes aligned by name, or position by position with `oracle.table`
  (never with typedlenet's code); the library's result must have the same axes,
  sizes, dtype (float32) and values (`rtol=atol=1e-4`, atol scaled by magnitude);
- a wrong step (a missing axis, a size clash, a name collision, an index out of
  range, a size that is zero, negative, not an integer or does not fit, a bad
  name, a positional array) ends the program, and the library must refuse it
  with `tl.AxisError` (with its `op`) or a `TypeError` naming the argument; a raw
  JAX/numpy/Python error or a returned value fails the test.

Some programs are run again whole under `jax.eval_shape` or `jax.jit`, which
must reach the same verdict. An `argmax` whose top two values lie within float32
noise of each other leaves the oracle unsure of the pick, so values are not
compared after it (axes and sizes still are).
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import typedlenet as tl
from oracle import NAMES, named_arrays, table

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's mean of nothing

BAD_NAMES = ["two words", "3d", "", "a:b", "_"]
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
SCALARS = [2, -1.5, 0.5, np.int64(3), np.float32(0.25), np.array(2.0), jnp.float32(-2)]


@dataclass
class State:
    """The oracle's tensor: `arr` with axes `names`; `exact` once values are known."""

    arr: np.ndarray
    names: tuple[str, ...]
    exact: bool = True

    @property
    def sizes(self) -> dict[str, int]:
        return dict(zip(self.names, self.arr.shape))

    def along(self, names) -> np.ndarray:
        """`arr` laid out along `names` (a superset of its axes), size 1 where it lacks one."""
        a = np.transpose(self.arr, [self.names.index(n) for n in names if n in self.names])
        return a.reshape([self.sizes.get(n, 1) for n in names])

    def at(self, p: dict[str, int]) -> float:
        return self.arr[tuple(p[n] for n in self.names)]

    def then(self, arr, names) -> "State":
        return State(np.asarray(arr, np.float64), tuple(names), self.exact)


@dataclass
class Step:
    """One step: how it reads, what it does, and what the oracle says comes of it."""

    text: str
    run: Callable[[tl.NamedArray], tl.NamedArray]
    after: State | None = None  # None: a wrong step, which must be refused
    says: str = "\0"  # what a TypeError refusing a wrong step must name


@dataclass
class Program:
    x0: tl.NamedArray
    steps: list[Step]
    mode: str  # "eager", or also run whole under "eval_shape" or "jit"

    def __repr__(self) -> str:
        lines = [f"x = {self.x0!r}  # storage order {self.x0.names}"]
        lines += [s.text + ("" if s.after else "  # wrong: must be refused") for s in self.steps]
        return "\n    ".join(["Program(" + self.mode + "):", *lines])


# --- drawing pieces -------------------------------------------------------------


def wrong(draw) -> bool:
    return draw(st.integers(0, 5)) == 0


def fresh(draw, s: State, k: int = 1) -> list[str]:
    """`k` names from the pool that `s` does not have."""
    return draw(st.lists(st.sampled_from([n for n in NAMES if n not in s.names]), min_size=k,
                         max_size=k, unique=True))  # fmt: skip


def some(draw, names, min_size=0) -> list[str]:
    return draw(st.lists(st.sampled_from(names), min_size=min_size, unique=True)) if names else []


def size(draw, n):
    """`n` as a Python or a numpy integer (both are sizes)."""
    return draw(st.sampled_from([int(n), np.int64(n)]))


def operand(draw, sizes: dict[str, int], positive=False, dtype=None):
    """A NamedArray with these axes in a drawn storage order, and its oracle state."""
    y = draw(named_arrays(names=list(sizes), sizes=sizes, positive=positive))
    if dtype is not None:
        n = draw(st.integers(1, 4))
        y = tl.NamedArray(jnp.asarray(np.random.default_rng(n).integers(-n, n, y.shape)), y.names)
    return y, State(np.asarray(y.data, np.float64), y.names)


def others(draw, s: State, axis: str, clash: bool) -> dict[str, int]:
    """`s`'s sizes but for `axis`'s, the same as or (`clash`) unlike `s`'s."""
    return {**s.sizes, axis: s.sizes[axis] + (draw(st.integers(1, 2)) if clash else 0)}


# --- the steps ------------------------------------------------------------------


def binary(draw, s: State) -> Step:
    sym = draw(st.sampled_from(sorted(OPERATORS)))
    f, kind = OPERATORS[sym], draw(st.sampled_from(["scalar", "self", "named", "raw"]))
    left = sym != "/" and draw(st.booleans())  # never divide by the (maybe tiny) state
    order = (lambda a, b: (b, a)) if left else (lambda a, b: (a, b))
    if kind == "raw":
        y = draw(st.sampled_from([np.ones(3, np.float32), jnp.ones((2, 1))]))
        return Step(f"x = {'raw ' + sym + ' x' if left else 'x ' + sym + ' raw'}  # {y.shape}",
                    lambda x: f(*order(x, y)))  # fmt: skip
    if kind == "scalar":
        c = draw(st.sampled_from(SCALARS))
        return Step(f"x = {order('x', repr(c))[0]} {sym} {order('x', repr(c))[1]}",
                    lambda x: f(*order(x, c)), s.then(f(*order(s.arr, float(c))), s.names))  # fmt: skip
    if kind == "self" or not s.names and wrong(draw):
        perm = draw(st.permutations(s.names))
        return Step(f"x = x {sym} x.align({perm})", lambda x: f(x, x.align(perm)),
                    s.then(f(s.arr, s.arr), s.names))  # fmt: skip
    sizes = {n: s.sizes[n] for n in some(draw, s.names)}
    if s.names and wrong(draw):
        axis = draw(st.sampled_from(s.names))
        sizes[axis] = others(draw, s, axis, clash=True)[axis]
    sizes.update({n: draw(st.integers(1, 3)) for n in fresh(draw, s, draw(st.integers(0, 1)))})
    y, ys = operand(draw, sizes, positive=sym == "/")
    ok = all(ys.sizes[n] == s.sizes[n] for n in ys.names if n in s.names)
    union = s.names + tuple(n for n in ys.names if n not in s.names)
    after = s.then(f(*order(s.along(union), ys.along(union))), union) if ok else None
    return Step(
        f"x = {' {sym} '.join(order('x', 'y'))}  # y = {y!r}", lambda x: f(*order(x, y)), after
    )


def reduce(draw, s: State) -> Step:
    op = draw(st.sampled_from(["sum", "mean", "max", "min"]))
    over = some(draw, s.names)
    if wrong(draw):
        over.append(draw(st.sampled_from([*over, *fresh(draw, s)])) if over else fresh(draw, s)[0])
    ok = len(set(over)) == len(over) and set(over) <= set(s.names)
    ok = ok and not (op in ("max", "min") and any(s.sizes[n] == 0 for n in over))
    arg = draw(
        st.sampled_from([" ".join(over), over] + ([None] if len(over) == s.arr.ndim else []))
    )
    pos = tuple(s.names.index(n) for n in over) if ok else ()
    npf = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}[op]
    after = s.then(npf(s.arr, axis=pos), [n for n in s.names if n not in over]) if ok else None
    return Step(f"x = tl.{op}(x, {arg!r})", lambda x: getattr(tl, op)(x, arg), after)


def softmax(draw, s: State) -> Step:
    over = some(draw, s.names) + (fresh(draw, s) if wrong(draw) else [])
    if set(over) <= set(s.names):
        pos = tuple(s.names.index(n) for n in over)
        e = np.exp(s.arr - (np.max(s.arr, axis=pos, keepdims=True) if s.arr.size else 0))
        after = s.then(e / np.sum(e, axis=pos, keepdims=True), s.names)
    else:
        after = None
    return Step(f"x = tl.softmax(x, {' '.join(over)!r})", lambda x: tl.softmax(x, over), after)


def dot(draw, s: State) -> Step:
    shared = some(draw, s.names)
    over = some(draw, shared)
    sizes = {n: s.sizes[n] for n in shared} | {
        n: 2 for n in fresh(draw, s, draw(st.integers(0, 1)))
    }
    if wrong(draw):
        if shared and draw(st.booleans()):
            sizes[shared[0]] += 1
        else:
            over.append(draw(st.sampled_from([n for n in [*s.names, *sizes] if n not in over])))
    y, ys = operand(draw, sizes)
    ok = set(over) <= set(s.names) & set(ys.names)
    ok = ok and all(ys.sizes[n] == s.sizes[n] for n in shared)
    out = [*[n for n in shared if n not in over], *[n for n in s.names if n not in shared]]
    out += [n for n in ys.names if n not in s.names]
    ids = lambda names: [NAMES.index(n) for n in names]  # noqa: E731
    after = (
        s.then(np.einsum(s.arr, ids(s.names), ys.arr, ids(ys.names), ids(out)), out) if ok else None
    )
    return Step(
        f"x = tl.dot(x, y, {' '.join(over)!r})  # y = {y!r}", lambda x: tl.dot(x, y, over), after
    )


def rename(draw, s: State) -> Step:
    olds = some(draw, s.names, min_size=1) + (fresh(draw, s) if wrong(draw) else [])
    pool = NAMES + (BAD_NAMES if wrong(draw) else [])
    mapping = {old: draw(st.sampled_from(pool)) for old in olds}
    names = [mapping.get(n, n) for n in s.names]
    ok = set(olds) <= set(s.names) and len(set(names)) == len(names) and set(names) <= set(NAMES)
    return Step(f"x = tl.rename(x, {mapping!r})", lambda x: tl.rename(x, mapping),
                s.then(s.arr, names) if ok else None)  # fmt: skip


def flatten(draw, s: State) -> Step:
    axes = some(draw, s.names) + (
        draw(st.sampled_from([fresh(draw, s), s.names[:1]])) if wrong(draw) else []
    )
    into = draw(st.sampled_from(NAMES + (BAD_NAMES if wrong(draw) else [])))
    rest = [n for n in s.names if n not in axes]
    ok = (
        set(axes) <= set(s.names)
        and len(set(axes)) == len(axes)
        and into in NAMES
        and into not in rest
    )
    if ok:
        a = s.along(rest + axes).reshape([s.sizes[n] for n in rest] + [-1 if s.arr.size else 0])
        after = s.then(
            a.reshape([s.sizes[n] for n in rest] + [int(np.prod([s.sizes[n] for n in axes]))]),
            rest + [into],
        )
    return Step(f"x = tl.flatten(x, {' '.join(axes)!r}, {into!r})", lambda x: tl.flatten(x, axes, into),
                after if ok else None)  # fmt: skip
