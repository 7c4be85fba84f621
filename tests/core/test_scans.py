"""cumsum, cumprod, roll and flip against the position-by-position oracle (any
storage order), their gradients against JAX's positional functions, their errors
eagerly, under `jax.jit` and under `jax.eval_shape`, and symbolic sizes."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import assert_named_close, at, examples, named_arrays, table

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


@settings(max_examples=examples(30, quick=8), deadline=None)
@given(data=st.data(), reverse=st.booleans(), op=st.sampled_from(["cumsum", "cumprod"]))
def test_scans_by_position(data, reverse, op):
    x = data.draw(named_arrays(min_axes=1, max_axes=3))
    axis = data.draw(st.sampled_from(x.names))
    n = x.size_of(axis)
    combine = sum if op == "cumsum" else math.prod

    def value(p):
        span = range(p[axis], n) if reverse else range(p[axis] + 1)
        return combine(float(at(x, {**p, axis: j})) for j in span)

    expected, names = table(x.sizes, value)
    assert_named_close(getattr(tl, op)(x, axis, reverse=reverse), expected, names, rtol=1e-4)


@settings(max_examples=examples(30, quick=8), deadline=None)
@given(data=st.data(), shift=st.integers(-7, 7))
def test_roll_and_flip_by_position(data, shift):
    x = data.draw(named_arrays(min_axes=1, max_axes=3))
    axis = data.draw(st.sampled_from(x.names))
    n = x.size_of(axis)
    expected, names = table(x.sizes, lambda p: at(x, {**p, axis: (p[axis] - shift) % n}))
    assert_named_close(tl.roll(x, axis, shift), expected, names)
    assert_named_close(tl.roll(x, axis, jnp.int32(shift)), expected, names)
    axes = data.draw(st.lists(st.sampled_from(x.names), unique=True))

    def mirrored(p):
        return at(x, {**p, **{a: x.size_of(a) - 1 - p[a] for a in axes}})

    expected, names = table(x.sizes, mirrored)
    assert_named_close(tl.flip(x, axes), expected, names)


def test_a_boolean_mask_counts_as_integers():
    mask = tl.named(jnp.array([True, False, True]), "seq")
    np.testing.assert_array_equal(tl.cumsum(mask, "seq").data, [1, 1, 2])


@pytest.mark.parametrize("op", ["cumsum", "cumprod", "roll", "flip"])
def test_gradients_match_the_positional_functions(op):
    key1, key2 = jax.random.split(jax.random.key(1))
    x = tl.named(jax.random.normal(key1, (4, 3)), "seq batch")
    w = tl.named(jax.random.normal(key2, (3, 4)), "batch seq")
    named = {
        "cumsum": lambda y: tl.cumsum(y, "seq", reverse=True),
        "cumprod": lambda y: tl.cumprod(y, "seq"),
        "roll": lambda y: tl.roll(y, "seq", -1),
        "flip": lambda y: tl.flip(y, "seq batch"),
    }[op]
    positional = {  # `seq` on axis 0, `batch` on axis 1
        "cumsum": lambda d: jax.lax.cumsum(d, 0, reverse=True),
        "cumprod": lambda d: jnp.cumprod(d, axis=0),
        "roll": lambda d: jnp.roll(d, -1, axis=0),
        "flip": lambda d: jnp.flip(d, (0, 1)),
    }[op]
    wd = w.align("seq batch").data
    got = jax.grad(lambda d: tl.sum(named(tl.named(d, "seq batch")) * w).data)(x.data)
    want = jax.grad(lambda d: jnp.sum(positional(d) * wd))(x.data)
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_errors_name_the_axis(mode):
    x = tl.named(jnp.zeros((2, 3)), "batch seq")
    for fn in (
        lambda x: tl.cumsum(x, "time"),
        lambda x: tl.cumprod(x, "time", reverse=True),
        lambda x: tl.roll(x, "time", 1),
        lambda x: tl.flip(x, "seq time"),
    ):
        with pytest.raises(tl.AxisError, match="has no axis `time`") as caught:
            MODES[mode](fn, x)
        assert caught.value.axis == "time" and caught.value.argument == "x"
    with pytest.raises(tl.AxisError, match="appears twice in `axes`") as twice:
        MODES[mode](lambda x: tl.flip(x, "seq seq"), x)
    assert (twice.value.op, twice.value.argument, twice.value.axis) == ("flip", "axes", "seq")
    with pytest.raises(TypeError, match="`shift` must be an integer"):
        MODES[mode](lambda x: tl.roll(x, "seq", 1.5), x)


def test_symbolic_sizes_keep_their_axes():
    def model(x):
        return (
            tl.cumsum(x, "seq"),
            tl.cumprod(x, "seq", reverse=True),
            tl.roll(x, "seq", 3),
            tl.flip(x, "batch seq"),
        )

    report = tl.verify(model, tl.abstract("batch:b seq:n"))
    for _, _, out in report.tensors[-4:]:
        assert {a: str(s) for a, s in out.sizes.items()} == {"batch": "b", "seq": "n"}


def test_a_roll_of_a_symbolic_axis_is_the_concrete_roll_when_exported():
    def shifted(d):
        return tl.roll(tl.named(d, "batch seq"), "seq", 2).data

    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("b, n"), jnp.float32)
    exported = jax.export.export(jax.jit(shifted))(spec)
    data = jnp.arange(10.0).reshape(2, 5)
    np.testing.assert_array_equal(exported.call(data), jnp.roll(data, 2, axis=1))
