"""resize and upsample by name against numpy read position by position; gradients
against positional JAX; errors eagerly, under jit and eval_shape; symbolic sizes."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import examples, named_arrays, positions

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


def source(i: int, n: int, m: int) -> float:
    """Where position i of m reads an axis of n (pixel centres aligned)."""
    return (i + 0.5) * n / m - 0.5


@settings(max_examples=examples(30, quick=10), deadline=None)
@given(x=named_arrays(min_axes=1, max_axes=3), data=st.data())
def test_upsample_nearest_repeats_each_position(x, data):
    axes = data.draw(st.lists(st.sampled_from(x.names), min_size=1, unique=True))
    factors = {a: data.draw(st.integers(1, 3)) for a in axes}
    y = tl.upsample(x, factors)
    assert y.sizes == {a: n * factors.get(a, 1) for a, n in x.sizes.items()}
    values = np.asarray(x.data)
    for p in positions(y.sizes):
        read = tuple(p[a] // factors.get(a, 1) for a in x.names)
        assert np.asarray(y.data)[tuple(p[a] for a in y.names)] == values[read]


@settings(max_examples=examples(30, quick=10), deadline=None)
@given(x=named_arrays(min_axes=1, max_axes=2), data=st.data())
def test_linear_growth_interpolates_between_the_two_nearest(x, data):
    axis = data.draw(st.sampled_from(x.names))
    n = x.size_of(axis)
    m = data.draw(st.integers(n, 3 * n))  # growing: no antialiasing
    y = tl.resize(x, {axis: m})
    values = np.asarray(x.data, np.float64)
    k = x.names.index(axis)
    for p in positions(y.sizes):
        s = min(max(source(p[axis], n, m), 0.0), n - 1.0)
        lo, frac = math.floor(s), s - math.floor(s)
        hi = min(lo + 1, n - 1)
        at = [p[a] for a in x.names]
        a_lo, a_hi = list(at), list(at)
        a_lo[k], a_hi[k] = lo, hi
        expected = (1 - frac) * values[tuple(a_lo)] + frac * values[tuple(a_hi)]
        got = np.asarray(y.data)[tuple(p[a] for a in y.names)]
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_gradient_matches_positional_jax():
    data = jax.random.normal(jax.random.PRNGKey(0), (2, 3, 4))

    def named(d):
        x = tl.named(d, "batch height width")
        return tl.sum(tl.resize(tl.upsample(x, {"height": 2}), {"width": 7}) ** 2).data

    def positional(d):
        up = jnp.repeat(d, 2, axis=1)
        return jnp.sum(jax.image.resize(up, (2, 6, 7), "linear") ** 2)

    np.testing.assert_allclose(jax.grad(named)(data), jax.grad(positional)(data), rtol=1e-5)


def test_symbolic_sizes():
    report = tl.verify(
        lambda x: tl.upsample(x, {"height": 2, "width": 2}, "linear"),
        tl.abstract("batch:b height:h width:w"),
    )
    assert {a: str(n) for a, n in report.tensors[-1][2].sizes.items()} == {
        "batch": "b",
        "height": "2*h",
        "width": "2*w",
    }


ERRORS = {
    "no such axis": (lambda x: tl.upsample(x, {"depth": 2}), "depth", "x"),
    "zero factor": (lambda x: tl.upsample(x, {"height": 0}), "height", "factors"),
    "unknown method": (lambda x: tl.resize(x, {"height": 4}, "cubic"), None, "method"),
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_name_the_argument(case, mode):
    call, axis, argument = ERRORS[case]
    x = tl.named(jnp.ones((2, 3)), "height width")
    with pytest.raises(tl.AxisError) as caught:
        MODES[mode](call, x)
    assert caught.value.axis == axis and caught.value.argument == argument


@pytest.mark.parametrize("mode", sorted(MODES))
def test_an_empty_axis_is_not_resized(mode):
    x = tl.named(jnp.ones((0, 3)), "height width")
    with pytest.raises(tl.AxisError) as caught:
        MODES[mode](lambda x: tl.resize(x, {"height": 2}, "nearest"), x)
    error = caught.value
    assert (error.kind, error.axis, error.argument, error.actual) == ("bad_size", "height", "x", 0)
    assert "empty" in str(error)


@pytest.mark.parametrize("method", ["nearest", "linear"])
def test_upsampling_an_empty_axis_leaves_it_empty(method):
    x = tl.named(jnp.ones((0, 3)), "height width")
    y = tl.upsample(x, {"height": 2, "width": 2}, method)
    assert y.sizes == {"height": 0, "width": 6} and y.dtype == jnp.float32
