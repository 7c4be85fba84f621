"""repeat and tile against the position-by-position oracle (any storage order),
their gradients against `jnp.repeat` / `jnp.tile`, their errors eagerly, under
`jax.jit` and under `jax.eval_shape`, and symbolic sizes and counts."""

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
@given(data=st.data(), times=st.integers(0, 3))
def test_repeat_and_tile_by_position(data, times):
    x = data.draw(named_arrays(min_axes=1, max_axes=3))
    axis = data.draw(st.sampled_from(x.names))
    n = x.size_of(axis)
    grown = {**x.sizes, axis: n * times}
    expected, names = table(grown, lambda p: at(x, {**p, axis: p[axis] // times}))
    assert_named_close(tl.repeat(x, axis, times), expected, names)
    expected, names = table(grown, lambda p: at(x, {**p, axis: p[axis] % n}))
    assert_named_close(tl.tile(x, axis, np.int64(times)), expected, names)


@pytest.mark.parametrize("op", ["repeat", "tile"])
def test_gradients_match_the_positional_functions(op):
    key1, key2 = jax.random.split(jax.random.key(4))
    x = tl.named(jax.random.normal(key1, (3, 2)), "seq batch")
    w = tl.named(jax.random.normal(key2, (2, 9)), "batch seq")
    positional = {  # `seq` on axis 0
        "repeat": lambda d: jnp.repeat(d, 3, axis=0),
        "tile": lambda d: jnp.tile(d, (3, 1)),
    }[op]
    wd = w.align("seq batch").data
    got = jax.grad(lambda d: tl.sum(getattr(tl, op)(tl.named(d, "seq batch"), "seq", 3) * w).data)
    want = jax.grad(lambda d: jnp.sum(positional(d) * wd))
    np.testing.assert_allclose(got(x.data), want(x.data), rtol=1e-6)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("op", ["repeat", "tile"])
def test_errors_name_the_argument_and_axis(mode, op):
    x = tl.named(jnp.zeros((2, 3)), "batch seq")
    fn = getattr(tl, op)
    with pytest.raises(tl.AxisError, match="has no axis `time`") as caught:
        MODES[mode](lambda x: fn(x, "time", 2), x)
    assert (caught.value.op, caught.value.axis) == (op, "time")
    with pytest.raises(tl.AxisError, match=r"`times` \(=-1\) must be at least 0") as negative:
        MODES[mode](lambda x: fn(x, "seq", -1), x)
    assert (negative.value.argument, negative.value.actual) == ("times", -1)
    with pytest.raises(TypeError, match="`times`"):
        MODES[mode](lambda x: fn(x, "seq", 1.5), x)


def test_symbolic_sizes_and_counts():
    dims = tl.symbols("b n r")

    def model(x):
        return tl.repeat(x, "seq", dims["r"]), tl.tile(x, "batch", 2)

    report = tl.verify(model, tl.abstract("batch:b seq:n", sizes=dims))
    repeated, tiled = (t[2] for t in report.tensors[-2:])
    assert str(repeated.sizes["seq"]) == "n*r" and str(tiled.sizes["batch"]) == "2*b"

    def repeated_twice(d):
        return tl.repeat(tl.named(d, "seq"), "seq", 2).data

    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("n"), jnp.float32)
    exported = jax.export.export(jax.jit(repeated_twice))(spec)
    np.testing.assert_array_equal(exported.call(jnp.arange(3.0)), [0, 0, 1, 1, 2, 2])
