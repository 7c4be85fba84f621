"""Random programs: chains of operations, right and wrong, against a numpy oracle.

A program starts from a NamedArray with drawn names, sizes (1–4) and storage
order, then applies 1–6 drawn steps. Each step is drawn against the *oracle
state*, a float64 numpy array and the names of its axes, so the generator always
knows whether the step it built is right:

- a right step carries the oracle's state after it, computed with plain numpy on
  axes aligned by name, or position by position with `oracle.table`, never with
  typedlenet's code. The library's result must have the same axes, sizes, dtype
  (float32) and values (`rtol=1e-4`, `atol=1e-4` times the values' magnitude);
- a wrong step (a missing axis, a size clash, a name collision, an index out of
  range, a size that is zero, negative, not an integer or does not fit, a bad
  name, a positional array) ends the program. The library must refuse it with a
  `tl.AxisError` that has its `op`, or a `TypeError` naming the argument. A raw
  JAX, numpy or Python error fails the test, and so does a returned value.

Each step draws "right" or (about one time in five) a kind of mistake, but
whether the step is right is then decided from its drawn arguments by the rules
written here (`ok = ...`), never by asking the library. Some programs run again
whole under `jax.eval_shape` or `jax.jit`, which must reach the same verdict.
Nothing divides by the state (it may be near 0); an `argmax` whose top two values
lie within float32 noise leaves the oracle unsure of the pick, and so do an
`argsort` or `top_k` positions over near-equal values or a NaN, and a `sign` of
a value near 0, so values are not compared after them (axes and sizes still
are). A function is drawn only for values its float32 result stays close on
(`sin` of at most 10, ...). `tl.random`'s numbers are not oracled: a step draws
twice with one key and turns what must hold at every position (the same
numbers, within the range; probabilities 0 and 1 drawn back) into a value the
oracle knows. A failing program prints as code.
"""

import itertools
import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import NAMES, assert_named_close, named_arrays, table

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # numpy's mean of nothing

BAD_NAMES = ["two words", "3d", "", "a:b", "_"]
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
SCALARS = [2, -1.5, 0.5, np.int64(3), np.float32(0.25), np.array(2.0), jnp.float32(-2)]


@dataclass
class State:
    """The oracle's tensor: `arr`, whose axes are `names`; `exact` while values are sure."""

    arr: np.ndarray
    names: tuple[str, ...]
    exact: bool = True

    @property
    def sizes(self) -> dict[str, int]:
        return dict(zip(self.names, self.arr.shape))

    def along(self, names) -> np.ndarray:
        """`arr` laid out along `names` (its axes, and maybe more of size 1)."""
        a = np.transpose(self.arr, [self.names.index(n) for n in names if n in self.names])
        return a.reshape([self.sizes.get(n, 1) for n in names])

    def at(self, p: dict[str, int]) -> float:
        return self.arr[tuple(p[n] for n in self.names)]

    def then(self, arr, names, exact=True) -> "State":
        return State(np.asarray(arr, np.float64), tuple(names), self.exact and exact)


@dataclass
class Step:
    """One step: how it reads, what it does, and the oracle's state after it."""

    text: str
    run: Callable[[tl.NamedArray], tl.NamedArray]
    after: State | None  # None: a wrong step, which must be refused
    says: str = "\0"  # what a TypeError refusing the wrong step must name


class Program:
    """A start, steps and a mode: "eager", or also run whole under "eval_shape" or "jit"."""

    def __init__(self, x0: tl.NamedArray, steps: list[Step], mode: str):
        self.x0, self.steps, self.mode = x0, steps, mode

    def __repr__(self) -> str:  # a reproduction to paste
        lines = [f"x = {show(self.x0)}"]
        lines += [s.text + "  # WRONG" * (not s.after) for s in self.steps]
        return f"Program({self.mode}):\n    " + "\n    ".join(lines)


def show(y: tl.NamedArray) -> str:
    """`y` as code when it is small, else its axes and sizes (in storage order)."""
    data = np.asarray(y.data).tolist()
    small = y.data.size <= 8
    return f"tl.named(jnp.array({data}, {y.dtype.name!r}), {y.names})" if small else repr(y)


# --- drawing the pieces of a step -------------------------------------------------


def how(draw, *kinds: str) -> str:
    """Either "right" or, about one time in five, one of the mistakes `kinds`."""
    return draw(st.sampled_from(kinds)) if draw(st.integers(0, 4)) == 4 else "right"


def unused(s: State) -> list[str]:
    return [n for n in NAMES if n not in s.names]


def fresh(draw, s: State, k: int = 1) -> list[str]:
    """`k` names of the pool that `s` lacks."""
    return draw(st.lists(st.sampled_from(unused(s)), min_size=k, max_size=k, unique=True))


def some(draw, names, min_size=0) -> list[str]:
    """A few of `names`, in a drawn order."""
    names = list(names)
    return draw(st.lists(st.sampled_from(names), min_size=min_size, unique=True)) if names else []


def axis_of(draw, s: State, missing: bool) -> str:
    """One of `s`'s axes; one it lacks when `missing` (or when it has none)."""
    return fresh(draw, s)[0] if missing or not s.names else draw(st.sampled_from(s.names))


def sized(draw, n):
    """A Python integer `n` as itself or as a numpy integer: both are sizes."""
    return draw(st.sampled_from([n, np.int64(n)])) if type(n) is int else n


def is_int(*values) -> bool:
    return all(isinstance(v, (int, np.integer)) for v in values)


def operand(draw, sizes: dict[str, int], positive=False):
    """A NamedArray with these axes in a drawn storage order, and its oracle state."""
    y = draw(named_arrays(names=list(sizes), sizes=sizes, positive=positive))
    return y, State(np.asarray(y.data, np.float64), y.names)


# --- the steps: each draws its arguments and decides whether they are right ----------


def binary(draw, s: State) -> Step:
    """`x ∘ y` for a scalar, `x` itself in another order, a NamedArray or a raw array."""
    sym = draw(st.sampled_from(sorted(OPERATORS)))
    f, kind = OPERATORS[sym], how(draw, "raw", "clash")
    kind = draw(st.sampled_from(["scalar", "self", "named"])) if kind == "right" else kind
    flip = sym != "/" and draw(st.booleans())  # never divide by the state: it may be ~0
    pair = (lambda a, b: (b, a)) if flip else (lambda a, b: (a, b))
    union, after = s.names, None
    if kind in ("raw", "scalar"):
        c = draw(st.sampled_from(SCALARS if kind == "scalar" else [np.ones(3), jnp.ones((2, 1))]))
        other, shown, value = (lambda x: c), repr(c), kind == "scalar" and float(c)
    elif kind == "self":
        perm = tuple(draw(st.permutations(s.names)))
        other, shown, value = (lambda x: x.align(perm)), f"x.align({perm})", s.arr
    else:
        sizes = {n: s.sizes[n] for n in some(draw, s.names)}
        if kind == "clash" and s.names:
            axis = draw(st.sampled_from(s.names))
            sizes[axis] = s.sizes[axis] + draw(st.integers(1, 2))
        sizes |= {n: draw(st.integers(1, 3)) for n in fresh(draw, s, draw(st.integers(0, 1)))}
        y, ys = operand(draw, sizes, positive=sym == "/")
        other, shown = (lambda x: y), show(y)
        union += tuple(n for n in ys.names if n not in s.names)
        ok = all(ys.sizes[n] == s.sizes[n] for n in ys.names if n in s.names)
        value = ok and ys.along(union)
    if value is not False:
        after = s.then(f(*pair(s.along(union), value)), union)
    run = lambda x: f(*pair(x, other(x)))  # noqa: E731
    return Step(f"x = {f' {sym} '.join(pair('x', shown))}", run, after)


def reduce(draw, s: State) -> Step:
    """`tl.sum/mean/max/min(x, over)` (over an axis string, a list, or None for all axes),
    or `tl.softmax(x, over)`, which keeps the axes."""
    op = draw(st.sampled_from(["sum", "mean", "max", "min", "softmax"]))
    kind = how(draw, "missing", "twice")
    over = some(draw, s.names)
    over += {"missing": fresh(draw, s), "twice": over[:1] or fresh(draw, s)}.get(kind, [])
    ok = set(over) <= set(s.names) and len(set(over)) == len(over)
    ok = ok and not (op in ("max", "min") and any(s.sizes[n] == 0 for n in over))
    everything = ok and len(over) == len(s.names) and op != "softmax"
    arg = draw(st.sampled_from([" ".join(over), over] + [None] * everything))
    pos = tuple(s.names.index(n) for n in over) if ok else ()
    if ok and op == "softmax":
        e = np.exp(s.arr - (np.max(s.arr, axis=pos, keepdims=True) if s.arr.size else 0))
        after = s.then(e / np.sum(e, axis=pos, keepdims=True), s.names)
    else:
        npf = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min}.get(op, np.sum)
        after = s.then(npf(s.arr, axis=pos), [n for n in s.names if n not in over]) if ok else None
    return Step(f"x = tl.{op}(x, {arg!r})", lambda x: getattr(tl, op)(x, arg), after)


def dot(draw, s: State) -> Step:
    """`tl.dot(x, y, over)`: y shares some axes of x, sums over some of those."""
    kind, shared = how(draw, "clash", "missing"), some(draw, s.names)
    over = some(draw, shared)
    sizes = {n: s.sizes[n] for n in shared}
    sizes |= {n: 2 for n in fresh(draw, s, draw(st.integers(0, 1)))}
    if kind == "clash" and shared:
        sizes[shared[0]] += 1
    elif kind != "right":  # over an axis one of them lacks
        over.append(draw(st.sampled_from([n for n in NAMES if n not in over])))
    y, ys = operand(draw, sizes)
    ok = set(over) <= set(s.names) & set(ys.names)
    ok = ok and all(ys.sizes[n] == s.sizes[n] for n in shared)
    out = [n for n in shared if n not in over] + [n for n in s.names if n not in shared]
    out += [n for n in ys.names if n not in s.names]
    ids = lambda names: [NAMES.index(n) for n in names]  # noqa: E731
    arr = ok and np.einsum(s.arr, ids(s.names), ys.arr, ids(ys.names), ids(out))
    after, arg = s.then(arr, out) if ok else None, draw(st.sampled_from([over, " ".join(over)]))
    return Step(f"x = tl.dot(x, y, {arg!r})  # y = {show(y)}", lambda x: tl.dot(x, y, arg), after)


def rename(draw, s: State) -> Step:
    kind = how(draw, "missing", "bad name", "collision")
    olds = some(draw, s.names, min_size=1) + fresh(draw, s) * (kind == "missing" or not s.names)
    pool = {"bad name": BAD_NAMES, "collision": list(s.names)}.get(kind, unused(s) + olds)
    unique = st.lists(st.sampled_from(pool), min_size=len(olds), max_size=len(olds), unique=True)
    news = draw(unique) if kind == "right" else [draw(st.sampled_from(pool or NAMES)) for _ in olds]
    mapping = dict(zip(olds, news))
    names = [mapping.get(n, n) for n in s.names]
    ok = set(olds) <= set(s.names) and len(set(names)) == len(names) and set(names) <= set(NAMES)
    after = s.then(s.arr, names) if ok else None
    return Step(f"x = tl.rename(x, {mapping!r})", lambda x: tl.rename(x, mapping), after)


def renamed(draw, s: State) -> Step:
    """`tl.named` again, in a new storage order; a bad name is refused there."""
    order = tuple(draw(st.permutations(s.names)))
    names = list(order)
    if how(draw, "bad name") != "right":  # replace a name, or add one
        i = draw(st.integers(0, len(names)))
        names[i : i + 1] = [draw(st.sampled_from(BAD_NAMES))]
    after = s if names == list(order) else None
    run = lambda x: tl.named(x.align(order).data, names)  # noqa: E731
    return Step(f"x = tl.named(x.align({order}).data, {names!r})", run, after)


def flatten(draw, s: State) -> Step:
    kind = how(draw, "missing", "twice", "bad name", "collision")
    axes = some(draw, s.names)
    axes += {"missing": fresh(draw, s), "twice": axes[:1] or fresh(draw, s)}.get(kind, [])
    rest = [n for n in s.names if n not in axes]
    pool = {"bad name": BAD_NAMES, "collision": rest}.get(kind, unused(s) + axes)
    into = draw(st.sampled_from(pool or NAMES))
    ok = set(axes) <= set(s.names) and len(set(axes)) == len(axes) and into not in rest
    ok, arg = ok and into in NAMES, draw(st.sampled_from([axes, " ".join(axes)]))
    shape = [s.sizes[n] for n in rest] + [math.prod(s.sizes[n] for n in axes)] if ok else []
    after = s.then(s.along(rest + axes).reshape(shape), [*rest, into]) if ok else None
    run = lambda x: tl.flatten(x, arg, into)  # noqa: E731
    return Step(f"x = tl.flatten(x, {arg!r}, {into!r})", run, after)


def unflatten(draw, s: State) -> Step:
    kind = how(draw, "missing", "product", "zero", "float", "collision")
    axis = axis_of(draw, s, kind == "missing")
    n, parts = s.sizes.get(axis, 1), []
    for _ in range(draw(st.integers(0, 2))):  # factor n
        parts.append(draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0] or [1])))
        n //= parts[-1]
    parts.append(n)
    new = fresh(draw, s, len(parts))
    new[-1] = draw(st.sampled_from([new[-1], axis]))  # the axis's own name may be reused
    rest = [m for m in s.names if m != axis]
    if kind == "collision" and rest:
        new[0] = draw(st.sampled_from(rest))
    wrong = {"product": parts[0] + 1, "zero": draw(st.sampled_from([0, -1])), "float": 1.0}
    parts[0] = wrong.get(kind, parts[0])
    sizes = {m: sized(draw, p) for m, p in zip(new, parts)}
    ok = axis in s.names and is_int(*parts) and min(parts) >= 0 and len(sizes) == len(new)
    ok = ok and math.prod(parts) == s.sizes[axis] and not set(new) & set(rest)
    shape = [s.sizes[m] for m in rest] + parts
    after = s.then(s.along([*rest, axis]).reshape(shape), rest + new) if ok else None
    run = lambda x: tl.unflatten(x, axis, sizes)  # noqa: E731
    return Step(f"x = tl.unflatten(x, {axis!r}, {sizes!r})", run, after, "sizes")


def unfold(draw, s: State) -> Step:
    """`U[axis=i, window=d] = x[axis=i*stride + d]`."""
    kind = how(draw, "missing", "too big", "zero", "float", "collision")
    axis = axis_of(draw, s, kind == "missing")
    n, window = s.sizes.get(axis, 0), fresh(draw, s)[0]
    k, stride = draw(st.integers(1, max(n, 1))), draw(st.integers(1, 3))
    if kind == "zero":  # a size or a stride that is not positive
        k, stride = draw(st.sampled_from([(0, stride), (-1, stride), (k, 0), (k, -2)]))
    k = {"too big": n + 1, "float": 1.0}.get(kind, k)
    window = draw(st.sampled_from(s.names or [window])) if kind == "collision" else window
    ok = axis in s.names and is_int(k) and 1 <= k <= n and stride >= 1 and window not in s.names
    after = None
    if ok:
        sizes = {**s.sizes, axis: (n - k) // stride + 1, window: k}
        after = s.then(*table(sizes, lambda p: s.at({**p, axis: p[axis] * stride + p[window]})))
    k, stride = sized(draw, k), sized(draw, stride)
    run = lambda x: tl.unfold(x, axis, window, k, stride)  # noqa: E731
    return Step(f"x = tl.unfold(x, {axis!r}, {window!r}, {k!r}, {stride!r})", run, after, "size")


def index(draw, s: State) -> Step:
    """`x[{axis: i}]` (the axis goes) or `x[{axis: slice(...)}]` (it stays)."""
    kind = how(draw, "missing", "out of range", "zero step", "float")
    axis = axis_of(draw, s, kind == "missing")
    n, pos = s.sizes.get(axis, 1), s.names.index(axis) if axis in s.names else 0
    if kind == "zero step" or (kind != "out of range" and draw(st.booleans())):
        parts = [draw(st.none() | st.integers(-5, 5)) for _ in "ab"]
        parts.append(0 if kind == "zero step" else draw(st.sampled_from([None, 1, 2, 3, -1, -2])))
        part = draw(st.integers(0, 2))
        parts[part] = 1.0 if kind == "float" else parts[part]
        where, says = slice(*(sized(draw, p) for p in parts)), ["start", "stop", "step"][part]
        ok = axis in s.names and parts[2] != 0 and kind != "float"
        after = s.then(s.arr[(slice(None),) * pos + (where,)], s.names) if ok else None
    else:
        i = draw(st.integers(-n, n - 1)) if n else 0
        wrong = {"out of range": draw(st.sampled_from([n, n + 1, -n - 1])), "float": i + 0.0}
        i = wrong.get(kind, i)
        where = draw(st.sampled_from([i, np.int64(i), jnp.int32(i)])) if is_int(i) else i
        ok, says = axis in s.names and is_int(i) and -n <= i < n, f"`{axis}`"
        rest = [m for m in s.names if m != axis]
        after = s.then(np.take(s.arr, i, axis=pos), rest) if ok else None
    return Step(f"x = x[{{{axis!r}: {where!r}}}]", lambda x: x[{axis: where}], after, says)


def pad(draw, s: State) -> Step:
    kind = how(draw, "missing", "negative", "float", "triple")
    mode = draw(st.sampled_from(["constant", "edge", "reflect"]))
    axes = some(draw, s.names) + fresh(draw, s) * (kind == "missing")
    pairs = {a: (draw(st.integers(0, 2)), draw(st.integers(0, 2))) for a in axes}
    one = lambda lo, hi: sized(draw, lo) if lo == hi else (lo, sized(draw, hi))  # noqa: E731
    widths = {a: one(*pair) for a, pair in pairs.items()}
    broken = axes and kind in ("negative", "float", "triple")
    if broken:
        widths[axes[0]] = {"negative": (-1, 1), "float": 1.0, "triple": (1, 1, 1)}[kind]
    ok = set(axes) <= set(s.names) and not broken
    ok = ok and all(s.sizes[a] >= 2 for a in axes) if mode == "reflect" else ok
    ok = ok and all(s.sizes[a] >= 1 for a in axes) if mode == "edge" else ok  # as reflect's
    if ok and s.names:  # numpy refuses to pad no axes
        after = s.then(np.pad(s.arr, [pairs.get(n, (0, 0)) for n in s.names], mode=mode), s.names)
    else:
        after = s if ok else None
    run = lambda x: tl.pad(x, widths, mode=mode)  # noqa: E731
    return Step(f"x = tl.pad(x, {widths!r}, mode={mode!r})", run, after, "width")


def join(draw, s: State) -> Step:
    """`tl.concatenate([x, y], axis)` (`axis` of another size in y) or `tl.stack`."""
    concat = bool(s.names) and draw(st.booleans())
    kind = how(draw, "other axis", "bad name", "clash", "axes")
    lacking = (kind == "other axis") == concat  # concatenate along an axis x has, stack a new one
    axis = draw(st.sampled_from(BAD_NAMES)) if kind == "bad name" else axis_of(draw, s, lacking)
    sizes = {**s.sizes} | ({axis: draw(st.integers(1, 3))} if concat and axis in s.names else {})
    others = [m for m in s.names if m != axis]
    if kind == "clash" and others:
        sizes[others[0]] += 1
    elif kind == "axes":
        sizes = {m: sizes[m] for m in sizes if m != others[0]} if others else {**sizes, "kh": 1}
    y, ys = operand(draw, sizes)
    first = draw(st.booleans())
    ok = set(ys.names) == set(s.names) and all(ys.sizes[m] == s.sizes[m] for m in others)
    ok = ok and (axis in s.names if concat else axis in NAMES and axis not in s.names)
    after, fn = None, tl.concatenate if concat else tl.stack
    if ok:
        arrs = [s.arr, ys.along(s.names)][:: 1 if first else -1]
        joined = np.concatenate(arrs, s.names.index(axis)) if concat else np.stack(arrs)
        after = s.then(joined, s.names if concat else (axis, *s.names))
    run = lambda x: fn([x, y] if first else [y, x], axis)  # noqa: E731
    shown = "[x, y]" if first else "[y, x]"
    return Step(f"x = tl.{fn.__name__}({shown}, {axis!r})  # y = {show(y)}", run, after)


def split(draw, s: State) -> Step:
    """`tl.split(x, axis, sizes)[j]`: sizes of the pieces, or a number of equal pieces."""
    kind = how(draw, "missing", "sum", "zero", "divide")
    axis = axis_of(draw, s, kind == "missing")
    n = s.sizes.get(axis, 1)
    if n and draw(st.booleans()):
        inner = st.integers(1, max(n - 1, 1))
        cuts = sorted(draw(st.lists(inner, max_size=min(n - 1, 2), unique=True)))
        parts = [b - a for a, b in zip([0, *cuts], [*cuts, n])]
        parts[-1] += {"sum": 1, "divide": 1, "zero": -parts[-1]}.get(kind, 0)
        ok, sizes = min(parts) >= 1 and sum(parts) == n, [sized(draw, p) for p in parts]
    else:
        k = draw(st.sampled_from([d for d in (1, 2, 3) if n % d == 0]))
        k = {"sum": n + 1, "divide": n + 1, "zero": draw(st.sampled_from([0, -1]))}.get(kind, k)
        ok = k >= 1 and n % k == 0
        parts, sizes = [n // k] * k if ok else [], sized(draw, k)
    ok = ok and axis in s.names
    j = draw(st.integers(0, len(parts) - 1)) if ok else 0
    piece = ok and np.split(s.arr, np.cumsum(parts)[:-1], axis=s.names.index(axis))[j]
    after = s.then(piece, s.names) if ok else None
    run = lambda x: tl.split(x, axis, sizes)[j]  # noqa: E731
    return Step(f"x = tl.split(x, {axis!r}, {sizes!r})[{j}]", run, after)


def take(draw, s: State) -> Step:
    """`tl.take(x, axis, I)` or `x[{axis: I}]`: I's axes replace `axis`, shared ones match."""
    kind = how(draw, "missing", "out of range", "own axis", "clash", "float")
    axis = axis_of(draw, s, kind == "missing")
    n = s.sizes.get(axis, 0)
    sizes = {m: s.sizes[m] for m in some(draw, [m for m in s.names if m != axis])[:1]}
    sizes |= {m: draw(st.integers(1, 3)) for m in fresh(draw, s, draw(st.integers(0, 2)))}
    sizes |= {axis: 1} if kind == "own axis" else {}
    if kind == "clash" and sizes:
        sizes[next(iter(sizes))] += 1
    names = draw(st.permutations(list(sizes)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    I = rng.integers(-max(n, 1), max(n, 1), [sizes[m] for m in names])
    if kind == "out of range" and I.size:
        I.flat[0] = draw(st.sampled_from([n, n + 2, -n - 1]))
    indices = tl.NamedArray(jnp.asarray(I, jnp.float32 if kind == "float" else jnp.int32), names)
    ok = kind != "float" and axis in s.names and axis not in sizes and ((-n <= I) & (I < n)).all()
    ok = ok and all(k == s.sizes[m] for m, k in sizes.items() if m in s.names)
    after = None
    if ok:
        out = {m: k for m, k in s.sizes.items() if m != axis} | sizes
        after = s.then(
            *table(out, lambda p: s.at({**p, axis: int(I[tuple(p[m] for m in names)]) % n}))
        )
    if draw(st.booleans()):
        text, run = f"tl.take(x, {axis!r}, I)", lambda x: tl.take(x, axis, indices)
    else:
        text, run = f"x[{{{axis!r}: I}}]", lambda x: x[{axis: indices}]
    return Step(f"x = {text}  # I = {show(indices)}", run, after)


def cumsum(draw, s: State) -> Step:
    """`tl.nmap(jnp.cumsum)(x.untag(axis)).tag(name)`; `name` may rename the axis."""
    kind = how(draw, "missing", "collision")
    axis = axis_of(draw, s, kind == "missing")
    names = s.names if kind == "collision" and s.names else [axis, *fresh(draw, s)]
    name = draw(st.sampled_from(names))
    ok = axis in s.names and (name == axis or name not in s.names)
    cum = ok and np.cumsum(s.arr, axis=s.names.index(axis))
    after = s.then(cum, [name if m == axis else m for m in s.names]) if ok else None
    run = lambda x: tl.nmap(jnp.cumsum)(x.untag(axis)).tag(name)  # noqa: E731
    return Step(f"x = tl.nmap(jnp.cumsum)(x.untag({axis!r})).tag({name!r})", run, after)


def one_hot(draw, s: State) -> Step:
    """`tl.one_hot(tl.argmax(x, axis), new, k)`: float data again, for the next steps."""
    kind = how(draw, "missing", "collision", "zero", "float")
    axis = axis_of(draw, s, kind == "missing")
    rest = [m for m in s.names if m != axis]
    new = draw(st.sampled_from(rest if kind == "collision" and rest else [axis, *fresh(draw, s)]))
    k = {"zero": draw(st.sampled_from([0, -1])), "float": 2.0}.get(kind, draw(st.integers(1, 4)))
    ok = axis in s.names and s.sizes[axis] > 0 and new not in rest and is_int(k) and k >= 1
    after = None
    if ok:
        pos, top = s.names.index(axis), np.sort(s.arr, axis=s.names.index(axis))
        gap = np.diff(top, axis=pos)[(slice(None),) * pos + (slice(-1, None),)]
        noise = 1e-4 * (1 + np.abs(top).max(initial=0))
        sure = not np.isnan(top).any() and bool((gap > noise).all())
        hot = np.expand_dims(np.argmax(s.arr, axis=pos), -1) == np.arange(k)
        after = s.then(hot, [*rest, new], exact=sure)
    k = sized(draw, k)
    run = lambda x: tl.one_hot(tl.argmax(x, axis), new, k)  # noqa: E731
    return Step(f"x = tl.one_hot(tl.argmax(x, {axis!r}), {new!r}, {k!r})", run, after, "size")


def along(draw, s: State) -> Step:
    """A named operation along one axis that keeps the axes: `tl.cumsum`,
    `tl.flip`, `tl.roll` (by any shift) or `tl.sort`."""
    kind = how(draw, "missing")
    axis = axis_of(draw, s, kind == "missing")
    op = draw(st.sampled_from(["cumsum", "flip", "roll", "sort"]))
    shift = draw(st.integers(-5, 5))
    after = None
    if axis in s.names:
        pos = s.names.index(axis)
        arr = {
            "cumsum": lambda a: np.cumsum(a, axis=pos),
            "flip": lambda a: np.flip(a, axis=pos),
            "roll": lambda a: np.roll(a, shift, axis=pos),
            "sort": lambda a: np.sort(a, axis=pos),
        }[op](s.arr)
        after = s.then(arr, s.names)
    runs = {
        "cumsum": (f"tl.cumsum(x, {axis!r})", lambda x: tl.cumsum(x, axis)),
        "flip": (f"tl.flip(x, {axis!r})", lambda x: tl.flip(x, axis)),
        "roll": (f"tl.roll(x, {axis!r}, {shift})", lambda x: tl.roll(x, axis, shift)),
        "sort": (f"tl.sort(x, {axis!r})", lambda x: tl.sort(x, axis)),
    }
    text, run = runs[op]
    return Step(f"x = {text}", run, after)


def repeat(draw, s: State) -> Step:
    """`tl.repeat(x, axis, r)` (each position r times), `tl.tile(x, axis, r)` (the
    whole axis r times) or `tl.upsample(x, {axis: r})` (nearest: each position)."""
    kind = how(draw, "missing", "negative", "float")
    axis = axis_of(draw, s, kind == "missing")
    op = draw(st.sampled_from(["repeat", "tile", "upsample"]))
    r = {"negative": -1, "float": 2.0}.get(kind, draw(st.integers(1, 3)))
    after = None
    if axis in s.names and is_int(r) and r >= 1:
        pos = s.names.index(axis)
        tiled = np.concatenate([s.arr] * r, axis=pos)
        after = s.then(tiled if op == "tile" else np.repeat(s.arr, r, axis=pos), s.names)
    r = sized(draw, r)
    runs = {
        "repeat": (f"tl.repeat(x, {axis!r}, {r!r})", lambda x: tl.repeat(x, axis, r)),
        "tile": (f"tl.tile(x, {axis!r}, {r!r})", lambda x: tl.tile(x, axis, r)),
        "upsample": (f"tl.upsample(x, {{{axis!r}: {r!r}}})", lambda x: tl.upsample(x, {axis: r})),
    }
    text, run = runs[op]
    return Step(f"x = {text}", run, after, "times" if op != "upsample" else "factor")


def sizes_arg(draw, sizes: dict, twice: bool = False):
    """`sizes` as a mapping or, when every size is an integer, as `"name:size ..."`
    (always a string when `twice`, the only form that can name an axis twice)."""
    items = [f"{n}:{k}" for n, k in sizes.items()]
    if twice:
        items.append(items[0] if items else "kh:1 kh:1")
    if twice or (is_int(*sizes.values()) and draw(st.booleans())):
        return " ".join(items)
    return {n: sized(draw, k) for n, k in sizes.items()}


def drawn_sizes(draw, s: State, kind: str, smallest: int = 1, most: int = 4) -> tuple[dict, bool]:
    """Named sizes: some of `s`'s axes at their sizes and new ones (at most `most`
    of each), with the mistake `kind` (a size that is negative or not an integer,
    a bad name, a size that clashes with `s`'s); and whether they are right."""
    sizes = {n: s.sizes[n] for n in some(draw, s.names)[:most]}
    new = fresh(draw, s, draw(st.integers(0, min(2, most))))
    sizes |= {n: draw(st.integers(smallest, 3)) for n in new}
    sizes = dict(draw(st.permutations(list(sizes.items()))))
    if kind in ("negative", "float", "bad name") and sizes:
        name = draw(st.sampled_from(list(sizes)))
        if kind == "bad name":
            sizes = {
                draw(st.sampled_from(BAD_NAMES)) if n == name else n: k for n, k in sizes.items()
            }
        else:
            sizes[name] = -1 if kind == "negative" else 1.5
    elif kind == "clash" and set(sizes) & set(s.names):
        name = draw(st.sampled_from([n for n in sizes if n in s.names]))
        sizes[name] += draw(st.integers(1, 2))
    ok = (
        set(sizes) <= set(NAMES) and is_int(*sizes.values()) and min(sizes.values(), default=0) >= 0
    )
    return sizes, ok and all(k == s.sizes[n] for n, k in sizes.items() if n in s.names)


def spread(s: State, sizes: dict) -> tuple[np.ndarray, list[str]]:
    """`s`'s array over its axes and then the new ones of `sizes`, copied along them."""
    union = [*s.names, *(n for n in sizes if n not in s.names)]
    every = s.sizes | sizes
    return np.broadcast_to(s.along(union), [every[n] for n in union]), union


def create(draw, s: State) -> Step:
    """Arrays made by name: `x + tl.zeros(sizes)`, `x * tl.ones(sizes)`,
    `x - tl.full(sizes, v)` (sizes: some of x's axes and new ones, as a mapping or
    a string), `x + tl.zeros_like/ones_like/full_like(x in another order)`, or
    `tl.broadcast_to(x, sizes)`."""
    op = draw(st.sampled_from(["zeros", "ones", "full", "like", "broadcast_to"]))
    v = draw(st.sampled_from(SCALARS))
    if op == "like":
        op = draw(st.sampled_from(["zeros_like", "ones_like", "full_like"]))
        fill = {"zeros_like": 0.0, "ones_like": 1.0}.get(op, float(v))
        wrong = op == "full_like" and how(draw, "array") != "right"
        v = draw(st.sampled_from([np.ones(2), jnp.ones((1, 2))])) if wrong else v
        perm = tuple(draw(st.permutations(s.names)))
        value = [v] if op == "full_like" else []
        after = None if wrong else s.then(s.arr + fill, s.names)
        run = lambda x: x + getattr(tl, op)(x.align(perm), *value)  # noqa: E731
        shown = f", {v!r}" * (op == "full_like")
        return Step(f"x = x + tl.{op}(x.align({perm}){shown})", run, after, "value")
    kind = how(draw, "negative", "float", "bad name", "twice", "clash")
    sizes, ok = drawn_sizes(draw, s, kind, smallest=0 if op == "broadcast_to" else 1)
    arg = sizes_arg(draw, sizes, twice=kind == "twice")
    ok = ok and kind != "twice"
    arr, union = spread(s, sizes) if ok else (None, [])
    if op == "broadcast_to":
        after = s.then(arr, union) if ok else None
        run = lambda x: tl.broadcast_to(x, arg)  # noqa: E731
        return Step(f"x = tl.broadcast_to(x, {arg!r})", run, after, "sizes")
    sym, f = {"zeros": ("+", operator.add), "ones": ("*", operator.mul)}.get(
        op, ("-", operator.sub)
    )
    c = {"zeros": 0.0, "ones": 1.0}.get(op, float(v))
    after = s.then(f(arr, c), union) if ok else None
    value = [v] if op == "full" else []
    run = lambda x: f(x, getattr(tl, op)(arg, *value))  # noqa: E731
    shown = f", {v!r}" * (op == "full")
    return Step(f"x = x {sym} tl.{op}({arg!r}{shown})", run, after, "sizes")


def unsure(a: np.ndarray, pos: int) -> bool:
    """Whether the order of `a` along `pos` is in doubt: a NaN, or two elements
    within float32 noise of each other (equal ones included)."""
    if np.isnan(a).any():
        return True
    gaps = np.diff(np.sort(a, axis=pos), axis=pos)
    return bool((gaps <= 1e-4 * (1 + np.abs(a).max(initial=0))).any())


def select(draw, s: State) -> Step:
    """`tl.sort(x, axis, descending=d)`, `tl.argsort` (positions, as float32), or
    `tl.top_k(x, axis, k, into=...)`'s values or positions (as float32)."""
    op = draw(st.sampled_from(["sort", "argsort", "top_k", "top_k"]))
    topk = ("too big", "negative", "float", "collision") if op == "top_k" else ()
    kind = how(draw, "missing", "bad name", *topk)
    axis = (
        draw(st.sampled_from(BAD_NAMES))
        if kind == "bad name"
        else axis_of(draw, s, kind == "missing")
    )
    down, n = draw(st.booleans()), s.sizes.get(axis, 0)
    k = {"too big": n + draw(st.integers(1, 2)), "negative": -1, "float": 1.0}.get(kind)
    k = draw(st.integers(0, n)) if k is None else k
    others = [m for m in s.names if m != axis]
    into = draw(
        st.sampled_from(others if kind == "collision" and others else [axis, *fresh(draw, s)])
    )
    ok = axis in s.names
    ok = ok and (is_int(k) and 0 <= k <= n and into not in others) if op == "top_k" else ok
    pos, after, j = s.names.index(axis) if ok else 0, None, draw(st.integers(0, 1))
    if ok:
        ascending = np.sort(s.arr, axis=pos)  # NaNs last, as in jnp.sort
        order = np.argsort(-s.arr if down or op == "top_k" else s.arr, axis=pos, kind="stable")
        values = np.flip(ascending, axis=pos) if down or op == "top_k" else ascending
        first = (slice(None),) * pos + (slice(0, k),)
        if op == "sort":
            after = s.then(values, s.names)
        elif op == "argsort":
            after = s.then(order, s.names, exact=not unsure(s.arr, pos))
        else:
            names = [into if m == axis else m for m in s.names]
            out, exact = (values, True) if j == 0 else (order, not unsure(s.arr, pos))
            after = s.then(out[first], names, exact=exact)
    if op == "top_k":
        text = f"tl.top_k(x, {axis!r}, {k!r}, into={into!r})[{j}]"
        k = sized(draw, k)
        run = lambda x: tl.top_k(x, axis, k, into=into)[j].astype(jnp.float32)  # noqa: E731
        return Step(f"x = {text}.astype(jnp.float32)", run, after, "k")
    if op == "sort":
        run = lambda x: tl.sort(x, axis, descending=down)  # noqa: E731
        return Step(f"x = tl.sort(x, {axis!r}, descending={down})", run, after)
    run = lambda x: tl.argsort(x, axis, descending=down).astype(jnp.float32)  # noqa: E731
    return Step(f"x = tl.argsort(x, {axis!r}, descending={down}).astype(jnp.float32)", run, after)


def scan(draw, s: State) -> Step:
    """`tl.cumsum`/`tl.cumprod(x, axis, reverse=r)`, `tl.roll(x, axis, shift)` (an
    int, a numpy or a 0-d JAX integer) or `tl.flip(x, axes)` over several axes."""
    op = draw(st.sampled_from(["cumsum", "cumprod", "roll", "flip"]))
    extra = {"roll": ("float",), "flip": ("twice",)}.get(op, ())
    kind = how(draw, "missing", "bad name", *extra)
    axis = (
        draw(st.sampled_from(BAD_NAMES))
        if kind == "bad name"
        else axis_of(draw, s, kind == "missing")
    )
    reverse, shift = draw(st.booleans()), draw(st.integers(-5, 5))
    axes = [axis] + [m for m in some(draw, s.names) if m != axis]
    axes += axes[:1] if kind == "twice" else []
    ok = axis in s.names and kind not in ("float", "twice")
    pos, after = s.names.index(axis) if ok else 0, None
    if ok and op in ("cumsum", "cumprod"):
        f = np.cumsum if op == "cumsum" else np.cumprod
        turn = (lambda a: np.flip(a, axis=pos)) if reverse else (lambda a: a)
        arr = turn(f(turn(s.arr), axis=pos))
        if op == "cumprod" and not np.abs(arr).max(initial=0) < 1e6:  # float32 would drift
            op, arr = "cumsum", turn(np.cumsum(turn(s.arr), axis=pos))
        after = s.then(arr, s.names)
    elif ok:
        positions = tuple(s.names.index(m) for m in axes)
        roll = op == "roll"
        after = s.then(np.roll(s.arr, shift, pos) if roll else np.flip(s.arr, positions), s.names)
    if op == "roll":
        by = (
            1.5
            if kind == "float"
            else draw(st.sampled_from([shift, np.int64(shift), jnp.int32(shift)]))
        )
        return Step(
            f"x = tl.roll(x, {axis!r}, {by!r})", lambda x: tl.roll(x, axis, by), after, "shift"
        )
    if op == "flip":
        arg = draw(st.sampled_from([axes, " ".join(axes)]) if kind != "bad name" else st.just(axes))
        return Step(f"x = tl.flip(x, {arg!r})", lambda x: tl.flip(x, arg), after)
    fn = getattr(tl, op)
    run = lambda x: fn(x, axis, reverse=reverse)  # noqa: E731
    return Step(f"x = tl.{op}(x, {axis!r}, reverse={reverse})", run, after)


def _erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a)


# name: (the call as text, the call, its oracle, the largest |x| it takes)
FUNCTIONS = {
    "abs": ("tl.abs(x)", lambda x: tl.abs(x), np.abs, math.inf),
    "sign": ("tl.sign(x)", lambda x: tl.sign(x), np.sign, math.inf),
    "square": ("tl.square(x)", lambda x: tl.square(x), np.square, 1e3),
    "rsqrt": (
        "tl.rsqrt(tl.abs(x) + 0.5)",
        lambda x: tl.rsqrt(tl.abs(x) + 0.5),
        lambda a: 1 / np.sqrt(np.abs(a) + 0.5),
        math.inf,
    ),
    "log1p": (
        "tl.log1p(tl.abs(x))",
        lambda x: tl.log1p(tl.abs(x)),
        lambda a: np.log1p(np.abs(a)),
        math.inf,
    ),
    "expm1": ("tl.expm1(x)", lambda x: tl.expm1(x), np.expm1, 20),
    "sin": ("tl.sin(x)", lambda x: tl.sin(x), np.sin, 10),
    "cos": ("tl.cos(x)", lambda x: tl.cos(x), np.cos, 10),
    "softplus": (
        "tl.softplus(x)",
        lambda x: tl.softplus(x),
        lambda a: np.logaddexp(0, a),
        math.inf,
    ),
    "silu": ("tl.silu(x)", lambda x: tl.silu(x), lambda a: a / (1 + np.exp(-a)), math.inf),
    "erf": ("tl.erf(x)", lambda x: tl.erf(x), _erf, math.inf),
}


def function(draw, s: State) -> Step:
    """An elementwise function of `tl` (`abs`, `sign`, `rsqrt` of a positive
    value, ...), drawn among those whose float32 result stays near the oracle's
    for the values at hand; or one given a positional array, refused."""
    big = np.nanmax(np.abs(s.arr), initial=0.0)
    name = draw(st.sampled_from([f for f, (*_, most) in FUNCTIONS.items() if big <= most]))
    text, call, oracle, _ = FUNCTIONS[name]
    if s.names and how(draw, "raw") != "right":
        raw = lambda x: call(x.data)  # noqa: E731
        return Step(f"x = {text.replace('x)', 'x.data)')}", raw, None)
    exact = name != "sign" or not (np.abs(s.arr) <= 1e-4 * (1 + big)).any()  # the sign of ~0
    return Step(f"x = {text}", call, s.then(oracle(s.arr), s.names, exact=exact))


def clip(draw, s: State) -> Step:
    """`tl.clip(x, lo, hi)`: each bound None, a scalar or a NamedArray over some of
    x's axes and maybe a new one (broadcast by name); or a positional bound."""
    kind = how(draw, "raw", "clash")
    bounds, shown, new = [], [], {}  # a new axis has one size in both bounds
    for _ in "lo", "hi":
        form = draw(st.sampled_from(["none", "scalar", "named"]))
        if form == "none":
            bounds.append(None)
            shown.append("None")
        elif form == "scalar":
            c = draw(st.sampled_from(SCALARS))
            bounds.append(c)
            shown.append(repr(c))
        else:
            sizes = {n: s.sizes[n] for n in some(draw, s.names)}
            for n in fresh(draw, s, draw(st.integers(0, 1))):
                sizes[n] = new.setdefault(n, draw(st.integers(1, 3)))
            y, _ = operand(draw, sizes)
            bounds.append(y)
            shown.append(show(y))
    if kind == "raw":
        bounds[0], shown[0] = np.ones(3), "np.ones(3)"
    elif kind == "clash" and s.names:
        axis = draw(st.sampled_from(s.names))
        bounds[0] = draw(named_arrays(names=[axis], sizes={axis: s.sizes[axis] + 1}))
        shown[0] = show(bounds[0])
    ok = kind == "right" or (kind == "clash" and not s.names)
    named = [b for b in bounds if isinstance(b, tl.NamedArray)]
    union = [*s.names, *dict.fromkeys(n for b in named for n in b.names if n not in s.names)]
    every = s.sizes | {n: k for b in named for n, k in b.sizes.items()}
    shape = [every[n] for n in union]

    def over(b):
        if isinstance(b, tl.NamedArray):
            return State(np.asarray(b.data, np.float64), b.names).along(union)
        return np.asarray(b, np.float64)

    after = None
    if ok:
        arr = np.broadcast_to(s.along(union), shape)
        if bounds[0] is not None:
            arr = np.maximum(arr, over(bounds[0]))
        if bounds[1] is not None:
            arr = np.minimum(arr, over(bounds[1]))
        after = s.then(np.broadcast_to(arr, shape), union)
    lo, hi = bounds
    run = lambda x: tl.clip(x, lo, hi)  # noqa: E731
    return Step(f"x = tl.clip(x, {shown[0]}, {shown[1]})", run, after)


def reads(n: int, m: int, method: str) -> list[list[tuple[int, float]]]:
    """For each of `m` positions resampled from `n`, the positions it reads and
    their weights: position `i` reads at `t = (i + ½)·n/m − ½` (centres aligned),
    the nearest position (a half rounds up), or the two around it (edges repeat)."""
    if method == "nearest":
        return [[((2 * i + 1) * n // (2 * m), 1.0)] for i in range(m)]
    out = []
    for i in range(m):
        t = min(max((i + 0.5) * n / m - 0.5, 0.0), n - 1.0)
        lo = math.floor(t)
        out.append([(lo, 1 - (t - lo)), (min(lo + 1, n - 1), t - lo)])
    return out


def resample(draw, s: State) -> Step:
    """`tl.resize(x, sizes, method)` (nearest, or linear without antialiasing, or
    with it when growing) or `tl.upsample(x, factors, method)` over some axes."""
    op = draw(st.sampled_from(["resize", "upsample"]))
    kind = how(draw, "missing", "zero", "float", "method", "empty")
    method = "cubic" if kind == "method" else draw(st.sampled_from(["nearest", "linear"]))
    full = [m for m in s.names if s.sizes[m] > 0]
    empty = [m for m in s.names if s.sizes[m] == 0] if kind == "empty" and op == "resize" else []
    axes = (empty[:1] or some(draw, full, min_size=1) if full else []) + fresh(draw, s) * (
        kind == "missing"
    )
    if not axes:
        axes = empty[:1] or fresh(draw, s)  # nothing to resize: a missing axis
    sizes = {a: draw(st.integers(1, 4)) for a in axes}
    if kind in ("zero", "float"):
        sizes[axes[0]] = {"zero": draw(st.sampled_from([0, -1])), "float": 1.5}[kind]
    antialias = draw(st.booleans())
    ok = set(axes) <= set(s.names) and is_int(*sizes.values()) and min(sizes.values()) >= 1
    ok = ok and method != "cubic" and (op == "upsample" or all(s.sizes[a] > 0 for a in axes))
    after = None
    if ok:
        target = {a: f * s.sizes[a] if op == "upsample" else f for a, f in sizes.items()}
        grows = all(target[a] >= s.sizes[a] for a in axes)
        how_read = {a: reads(s.sizes[a], target[a], method) for a in axes if s.sizes[a]}

        def value(p):
            total = 0.0
            for picks in itertools.product(*(how_read[a][p[a]] for a in how_read)):
                w = math.prod(wt for _, wt in picks)
                total += w * s.at(p | {a: j for a, (j, _) in zip(how_read, picks)})
            return total

        if op == "upsample" or method == "nearest" or not antialias or grows:
            after = s.then(*table(s.sizes | target, value))
        else:  # shrinking with antialiasing averages what it skips: axes and sizes only
            after = s.then(np.zeros([(s.sizes | target)[m] for m in s.names]), s.names, exact=False)
    sizes = {a: sized(draw, f) for a, f in sizes.items()}
    if op == "upsample":
        run = lambda x: tl.upsample(x, sizes, method)  # noqa: E731
        return Step(f"x = tl.upsample(x, {sizes!r}, {method!r})", run, after, "factor")
    run = lambda x: tl.resize(x, sizes, method, antialias=antialias)  # noqa: E731
    return Step(f"x = tl.resize(x, {sizes!r}, {method!r}, antialias={antialias})", run, after)


def expect(r: tl.NamedArray, sizes: dict, dtype, text: str) -> tl.NamedArray:
    """`r`, after checking (at trace time too) that it has these named sizes and dtype."""
    assert isinstance(r, tl.NamedArray) and r.sizes == sizes and r.dtype == dtype, (
        f"`{text}` gave {r!r}, not {sizes} of {jnp.dtype(dtype).name}"
    )
    return r


def random(draw, s: State) -> Step:
    """`tl.random.*(key, sizes, ...)` added to x by name. Their numbers are not
    oracled; what is checked is their axes and dtype, that the same key gives the
    same numbers, and a property held at every position, each made a value the
    oracle knows: `normal` gives `x + (r - r') + (|r| < 10)` for two draws `r`, `r'`
    with one key, `uniform` and `randint` `x + (lo <= r < hi)`, each `x + 1`; and
    `bernoulli` with probabilities 0 and 1 draws them back: `x + p`."""
    op = draw(st.sampled_from(["normal", "uniform", "bernoulli", "randint"]))
    extra = {"uniform": ("bound",), "bernoulli": ("bound", "no sizes"), "randint": ("order",)}
    kind = how(draw, "negative", "float", "bad name", "twice", "clash", "key", *extra.get(op, ()))
    # Each new shape compiles the generator anew (seconds): one axis of x, one new.
    sizes, ok = drawn_sizes(draw, s, kind, smallest=0, most=1)
    arg: Any = sizes_arg(draw, sizes, twice=kind == "twice") if kind != "no sizes" else None
    ok = ok and kind not in ("twice", "key", "bound", "order", "no sizes")
    seed = draw(st.integers(0, 2**16))
    impl = draw(st.sampled_from(["threefry2x32", "rbg"]))  # rbg compiles in half the time
    key = seed if kind == "key" else jax.random.key(seed, impl=impl)
    keyed = f"jax.random.key({seed}, impl={impl!r})" if kind != "key" else repr(seed)
    every = s.sizes | (sizes if ok else {})
    got = dict(sizes)  # checked only when the sizes are right
    if op == "normal":
        call = lambda: tl.random.normal(key, arg)  # noqa: E731
        text = f"tl.random.normal({keyed}, {arg!r})"

        def run(x):
            r, again = expect(call(), got, jnp.float32, text), call()
            return x + (r - again) + (tl.abs(r) < 10).astype(jnp.float32)

        after = s.then(spread(s, sizes)[0] + 1, spread(s, sizes)[1]) if ok else None
        shown = f"r = {text}; x = x + (r - r) + (tl.abs(r) < 10).astype(jnp.float32)"
        return Step(shown, run, after, "key" if kind == "key" else "sizes")
    if op in ("uniform", "randint"):
        lo = draw(st.integers(-3, 3))
        hi = lo + draw(st.integers(1, 3)) if kind != "order" else lo - draw(st.integers(0, 2))
        lo, hi = (float(lo), float(hi) + 0.5) if op == "uniform" else (lo, hi)
        bound = np.ones(2) if kind == "bound" else lo
        dtype = jnp.float32 if op == "uniform" else jnp.int32
        fn = getattr(tl.random, op)
        call = lambda: fn(key, arg, bound, hi)  # noqa: E731
        text = f"tl.random.{op}({keyed}, {arg!r}, {bound!r}, {hi!r})"

        def run(x):
            r, again = expect(call(), got, dtype, text), call()
            inside = (r >= lo) & (r < hi) & (r == again)
            return x + inside.astype(jnp.float32)

        after = s.then(spread(s, sizes)[0] + 1, spread(s, sizes)[1]) if ok else None
        says = {"key": "key", "bound": "minval"}.get(kind, "sizes")
        return Step(
            f"r = {text}; x = x + ((lo <= r) & (r < hi)).astype(jnp.float32)", run, after, says
        )
    # bernoulli: probabilities 0 and 1, a scalar or over some axes (x's of x's sizes)
    if kind == "no sizes" or draw(st.booleans()):
        p, p_sizes, p_arr = float(draw(st.integers(0, 1))), {}, None
    else:
        p_sizes = {n: every.get(n, draw(st.integers(1, 3))) for n in some(draw, NAMES, 1)[:2]}
        y, ys = operand(draw, p_sizes)
        p, p_arr = (y > 0).astype(jnp.float32), State((ys.arr > 0).astype(np.float64), ys.names)
    p = np.full(2, 0.5) if kind == "bound" else p
    sizes_mistake = kind in ("negative", "float", "bad name", "twice")
    if p_arr is not None and not sizes_mistake and draw(st.booleans()):
        sizes, arg = {}, None  # the axes are p's
    result = sizes | {n: k for n, k in p_sizes.items() if n not in sizes}
    after = None
    if ok:
        arr, union = spread(s, result)
        after = s.then(arr + (p if p_arr is None else p_arr.along(union)), union)
    p_shown = show(p) if isinstance(p, tl.NamedArray) else repr(p)
    text = f"tl.random.bernoulli({keyed}, {p_shown}, {arg!r})"
    call = lambda: tl.random.bernoulli(key, p, arg)  # noqa: E731

    def draws(x):
        b, again = expect(call(), result, jnp.bool_, text), call()
        return x + (b & (b == again)).astype(jnp.float32)

    says = {"key": "key", "bound": "`p`", "no sizes": "sizes"}.get(kind, "sizes")
    return Step(f"b = {text}; x = x + b.astype(jnp.float32)", draws, after, says)


STEPS = [binary, reduce, dot, rename, renamed, flatten, unflatten, unfold, index, pad]
STEPS += [join, split, take, cumsum, one_hot, along, repeat]
STEPS += [create, select, scan, function, clip, resample, random]
GROWING = {binary, dot, pad, join, take, unfold, unflatten, one_hot, flatten, repeat}
GROWING |= {create, clip, resample, random}
AXIS_FREE = [binary, reduce, dot, renamed, flatten, pad, join]  # for a state with no axes
AXIS_FREE += [create, function, clip, random]


@st.composite
def programs(draw) -> Program:
    names = draw(st.lists(st.sampled_from(NAMES), max_size=3, unique=True))
    x0, s = operand(draw, {n: draw(st.integers(1, 4)) for n in names})
    steps = []
    while not steps or (len(steps) < 6 and draw(st.integers(0, 4)) != 4):  # 1-6 steps
        room = s.arr.size <= 48 and s.arr.ndim <= 4
        choices = [f for f in (STEPS if s.names else AXIS_FREE) if room or f not in GROWING]
        op = draw(st.sampled_from(choices))
        steps.append(op(draw, s))
        event(f"step {op.__name__}: {'right' if steps[-1].after else 'wrong'}")
        if steps[-1].after is None:
            break
        s = steps[-1].after
    return Program(x0, steps, draw(st.sampled_from(["eager", "eager", "eval_shape", "jit"])))


# --- running a program ----------------------------------------------------------------


def refused(step: Step, fn: Callable, *args) -> None:
    """`fn(*args)`, which runs the wrong `step`, raises a typedlenet error, not a raw one."""
    try:
        out = fn(*args)
    except tl.AxisError as error:
        assert isinstance(error.op, str) and error.op, f"an AxisError without `op`: {error!r}"
        return
    except Exception as error:
        if isinstance(error, TypeError) and step.says in str(error):
            return
        raise AssertionError(f"`{step.text}` raised {type(error).__qualname__}: {error}") from error
    raise AssertionError(f"the wrong step `{step.text}` was accepted, giving {out!r}")


def agrees(x, s: State, after: str, values=True) -> None:
    """`x`, the result of the step `after`, is the oracle's `s`: axes, sizes, dtype, values."""
    assert isinstance(x, tl.NamedArray), f"`{after}` gave {x!r}"
    assert x.sizes == s.sizes and len(x.names) == len(s.names), (
        f"`{after}` gave {x!r}, not {s.sizes}"
    )
    assert x.dtype == jnp.float32, f"`{after}` gave {x!r}, not float32"
    if values and s.exact:
        scale = max(1.0, float(np.nanmax(np.abs(s.arr), initial=0.0)))
        assert_named_close(x, s.arr, s.names, rtol=1e-4, atol=1e-4 * scale)


def run_program(program: Program) -> None:
    last = program.steps[-1]
    event(f"program: {'right' if last.after else 'wrong'}")
    x = program.x0
    for step in program.steps:
        if step.after is None:
            refused(step, step.run, x)
            break
        try:
            x = step.run(x)
        except Exception as error:
            raise AssertionError(f"the right step `{step.text}` failed: {error!r}") from error
        agrees(x, step.after, step.text)
    if program.mode == "eager":
        return

    def whole(x):
        for step in program.steps:
            x = step.run(x)
        return x

    transform = jax.eval_shape if program.mode == "eval_shape" else lambda f, x: jax.jit(f)(x)
    if last.after is None:
        refused(last, transform, whole, program.x0)
    else:
        out = transform(whole, program.x0)
        agrees(out, last.after, f"{program.mode} of the program", values=program.mode == "jit")


@given(programs())
def test_random_programs(program):
    run_program(program)


@pytest.mark.slow
@settings(max_examples=3000)
@given(programs())
def test_many_random_programs(program):
    run_program(program)
