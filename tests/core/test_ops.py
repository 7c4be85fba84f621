"""The notation's operations against the position-by-position oracle."""

import math
import operator

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import typedlenet as tl

from oracle import NAMES, assert_named_close, at, named_arrays, positions, table


@st.composite
def two_arrays(draw, min_axes=0):
    """Two NamedArrays over a common pool of sizes, so shared axes agree."""
    sizes = {n: draw(st.integers(1, 3)) for n in NAMES}
    a = draw(named_arrays(sizes=sizes, min_axes=min_axes, max_axes=3))
    b = draw(named_arrays(sizes=sizes, min_axes=min_axes, max_axes=3))
    return a, b


def union(*xs):
    sizes = {}
    for x in xs:
        sizes.update(x.sizes)
    return sizes


BINARY = [
    (operator.add, np.add),
    (operator.sub, np.subtract),
    (operator.mul, np.multiply),
    (operator.truediv, np.divide),
    (operator.lt, np.less),
    (operator.ge, np.greater_equal),
    (operator.eq, np.equal),
    (tl.maximum, np.maximum),
]


@pytest.mark.parametrize("op, oracle", BINARY)
@given(pair=two_arrays())
def test_binary_broadcasts_by_name(op, oracle, pair):
    a, b = pair
    y = op(a, b)
    sizes = union(a, b)
    assert y.sizes == sizes
    expected, names = table(sizes, lambda p: oracle(at(a, p), at(b, p)))
    assert_named_close(y, expected, names)


@given(named_arrays())
def test_scalars_broadcast(x):
    assert_named_close(2.0 * x + 1, 2.0 * np.asarray(x.data) + 1, x.names)
    assert_named_close(1 - x, 1 - np.asarray(x.data), x.names)


@pytest.mark.parametrize(
    "fn, oracle",
    [
        (tl.relu, lambda v: np.maximum(v, 0)),
        (tl.exp, np.exp),
        (tl.tanh, np.tanh),
        (tl.lift(jnp.sin), np.sin),
        (tl.lift(jax.nn.softplus), lambda v: np.log1p(np.exp(v))),
    ],
)
@given(x=named_arrays())
def test_lifted_unary(fn, oracle, x):
    assert_named_close(fn(x), oracle(np.asarray(x.data, np.float64)), x.names)


@given(two_arrays())
def test_where(pair):
    a, b = pair
    y = tl.where(a > 0, a, b)
    expected, names = table(union(a, b), lambda p: at(a, p) if at(a, p) > 0 else at(b, p))
    assert_named_close(y, expected, names)


@given(pair=two_arrays(), data=st.data())
def test_dot_is_product_then_sum(pair, data):
    a, b = pair
    shared = [n for n in a.names if n in b.names]
    over = data.draw(st.lists(st.sampled_from(shared), unique=True) if shared else st.just([]))
    y = tl.dot(a, b, over)
    sizes = {n: s for n, s in union(a, b).items() if n not in over}
    assert y.sizes == sizes
    over_sizes = {n: a.sizes[n] for n in over}

    def value(p):
        return sum(at(a, {**p, **q}) * at(b, {**p, **q}) for q in positions(over_sizes))

    expected, names = table(sizes, value)
    assert_named_close(y, expected, names, rtol=1e-4, atol=1e-4)


REDUCTIONS = [
    (tl.sum, np.sum),
    (tl.mean, np.mean),
    (tl.max, np.max),
    (tl.min, np.min),
    (tl.logsumexp, lambda v: np.log(np.sum(np.exp(v)))),
]


@pytest.mark.parametrize("fn, oracle", REDUCTIONS)
@given(x=named_arrays(), data=st.data())
def test_reductions(fn, oracle, x, data):
    over = data.draw(st.lists(st.sampled_from(x.names), unique=True) if x.names else st.just([]))
    y = fn(x, over)
    kept = {n: s for n, s in x.sizes.items() if n not in over}
    over_sizes = {n: x.sizes[n] for n in over}

    def value(p):
        return oracle(np.array([at(x, {**p, **q}) for q in positions(over_sizes)], np.float64))

    expected, names = table(kept, value)
    assert_named_close(y, expected, names)


def test_reduction_over_everything_by_default():
    x = tl.named(jnp.arange(6.0).reshape(2, 3), "a b")
    assert tl.sum(x).names == () and float(tl.sum(x).data) == 15.0


@pytest.mark.parametrize("log", [False, True])
@given(x=named_arrays(min_axes=1), data=st.data())
def test_softmax(log, x, data):
    over = data.draw(st.lists(st.sampled_from(x.names), unique=True, min_size=1))
    y = (tl.log_softmax if log else tl.softmax)(x, over)
    over_sizes = {n: x.sizes[n] for n in over}

    def value(p):
        z = sum(np.exp(np.float64(at(x, {**p, **q}))) for q in positions(over_sizes))
        v = np.exp(np.float64(at(x, p))) / z
        return np.log(v) if log else v

    expected, names = table(x.sizes, value)
    assert_named_close(y, expected, names)


@given(x=named_arrays(min_axes=1), data=st.data())
def test_rename(x, data):
    old = data.draw(st.lists(st.sampled_from(x.names), unique=True, min_size=1))
    fresh = [f"new{i}" for i in range(len(old))]
    new = data.draw(st.permutations(fresh + [n for n in old]))[: len(old)]
    mapping = dict(zip(old, new))
    if len(set(mapping.get(n, n) for n in x.names)) < len(x.names):
        with pytest.raises(tl.AxisError, match="rename: renaming"):
            tl.rename(x, mapping)
        return
    y = tl.rename(x, mapping)
    for p in positions(x.sizes):
        assert at(y, {mapping.get(n, n): i for n, i in p.items()}) == at(x, p)


def test_rename_swaps_and_collisions():
    x = tl.named(jnp.zeros((2, 3)), "a b")
    assert tl.rename(x, {"a": "b", "b": "a"}).sizes == {"b": 2, "a": 3}
    with pytest.raises(tl.AxisError, match="collides with the existing axis `b`"):
        tl.rename(x, {"a": "b"})
    with pytest.raises(tl.AxisError, match="has no axis `c`"):
        tl.rename(x, {"c": "d"})


@given(x=named_arrays(min_axes=1), data=st.data())
def test_flatten_row_major_in_listed_order(x, data):
    axes = data.draw(st.lists(st.sampled_from(x.names), unique=True, min_size=1))
    y = tl.flatten(x, axes, "inp")
    rest = {n: s for n, s in x.sizes.items() if n not in axes}
    assert y.sizes == {**rest, "inp": math.prod(x.sizes[n] for n in axes)}
    for p in positions(y.sizes):
        idx = np.unravel_index(p["inp"], [x.sizes[n] for n in axes])
        q = {**{n: p[n] for n in rest}, **dict(zip(axes, map(int, idx)))}
        assert at(y, p) == at(x, q)
    back = tl.unflatten(y, "inp", {n: x.sizes[n] for n in axes})
    assert_named_close(back, np.asarray(x.data), x.names, rtol=0, atol=0)


def test_flatten_errors():
    x = tl.named(jnp.zeros((2, 3, 4)), "a b c")
    with pytest.raises(tl.AxisError, match="has no axis `d`"):
        tl.flatten(x, "a d", "inp")
    with pytest.raises(tl.AxisError, match="collides"):
        tl.flatten(x, "a b", "c")
    with pytest.raises(tl.AxisError, match="multiply to 6, not to the size of axis `c` \\(=4\\)"):
        tl.unflatten(x, "c", {"p": 2, "q": 3})
    with pytest.raises(tl.AxisError, match="new axis `a` collides"):
        tl.unflatten(x, "c", {"a": 2, "q": 2})


@given(x=named_arrays(min_axes=1), data=st.data())
def test_unfold(x, data):
    axis = data.draw(st.sampled_from(x.names))
    n = x.sizes[axis]
    size = data.draw(st.integers(1, n))
    stride = data.draw(st.sampled_from([1, 2, 3, size]))
    y = tl.unfold(x, axis, "win", size, stride)
    assert y.sizes == {**x.sizes, axis: (n - size) // stride + 1, "win": size}
    for p in positions(y.sizes):
        q = {k: v for k, v in p.items() if k != "win"}
        q[axis] = p[axis] * stride + p["win"]
        assert at(y, p) == at(x, q)


def test_unfold_errors():
    x = tl.named(jnp.zeros((2, 4)), "batch height")
    with pytest.raises(tl.AxisError, match=r"`size` \(=5\) is larger than axis `height` \(=4\)"):
        tl.unfold(x, "height", "kh", 5)
    with pytest.raises(tl.AxisError, match=r"`stride` \(=0\) must be at least 1"):
        tl.unfold(x, "height", "kh", 2, 0)
    with pytest.raises(tl.AxisError, match="`window`"):
        tl.unfold(x, "height", "batch", 2)


def test_dot_errors():
    a = tl.named(jnp.zeros((2, 3)), "a b")
    b = tl.named(jnp.zeros((3, 4)), "b c")
    with pytest.raises(tl.AxisError, match="`b` has no axis `a`"):
        tl.dot(a, b, "a")
    with pytest.raises(tl.AxisError, match="axis `b` has size 3 in `a` and 2 in `b`"):
        tl.dot(a, tl.named(jnp.zeros((2,)), "b"), "b")


def test_broadcast_rejects_positional_arrays():
    x = tl.named(jnp.zeros((3,)), "a")
    with pytest.raises(tl.AxisError, match="positional array of shape \\(3,\\)"):
        _ = x + jnp.zeros((3,))


def test_where_keeps_the_layout_of_its_values():
    """A mask over fewer axes than the scores leaves the scores' storage order."""
    import jax.numpy as jnp

    import typedlenet as tl

    scores = tl.named(jnp.arange(24.0).reshape(2, 3, 4), "batch seq seq'")
    mask = tl.arange("seq", 3) >= tl.arange("seq'", 4)
    out = tl.where(mask, scores, -1.0)
    assert out.names == ("batch", "seq", "seq'")
    expected = jnp.where(mask.align("seq seq'").data[None], scores.data, -1.0)
    assert (out.data == expected).all()
    # a condition axis the values lack is stored after theirs
    wide = tl.where(tl.named(jnp.array([True, False]), "k"), scores, 0.0)
    assert wide.names == ("batch", "seq", "seq'", "k")
    assert float(tl.sum(wide[{"k": 1}])) == 0.0


def test_named_array_methods_are_plain_bound_methods():
    """Attribute reads of a NamedArray bypass equinox's per-read wrapper (it runs on
    every flatten at each jitted call); flattening still gives the data alone."""
    import types

    import jax
    import jax.numpy as jnp

    import typedlenet as tl

    x = tl.named(jnp.ones((2, 3)), "batch features")
    assert type(x.align) is types.MethodType
    leaves, tree = jax.tree_util.tree_flatten(x)
    assert len(leaves) == 1 and leaves[0] is x.data
    back = jax.tree_util.tree_unflatten(tree, leaves)
    assert back.names == x.names and back.align("features batch").shape == (3, 2)
