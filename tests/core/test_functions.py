"""The elementwise functions against numpy/scipy-free scalar definitions at every
position (any storage order), their gradients against JAX's positional functions,
`clip`'s bounds broadcast by name, and their errors eagerly, under `jax.jit` and
under `jax.eval_shape`."""

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

# Each function's meaning at one scalar, written with Python's math module; the
# positive functions are given positive inputs.
SCALAR = {
    "abs": abs,
    "sign": lambda v: float(np.sign(v)),
    "square": lambda v: v * v,
    "sin": math.sin,
    "cos": math.cos,
    "softplus": lambda v: math.log1p(math.exp(v)),
    "silu": lambda v: v / (1 + math.exp(-v)),
    "erf": math.erf,
    "expm1": math.expm1,
}
POSITIVE = {"rsqrt": lambda v: 1 / math.sqrt(v), "log1p": math.log1p}
POSITIONAL = {
    "abs": jnp.abs,
    "square": jnp.square,
    "sin": jnp.sin,
    "cos": jnp.cos,
    "softplus": jax.nn.softplus,
    "silu": jax.nn.silu,
    "erf": jax.scipy.special.erf,
    "expm1": jnp.expm1,
    "rsqrt": jax.lax.rsqrt,
    "log1p": jnp.log1p,
}


@settings(max_examples=examples(20, quick=5), deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(SCALAR | POSITIVE)))
def test_each_function_by_position(data, name):
    x = data.draw(named_arrays(max_axes=3, positive=name in POSITIVE))
    y = getattr(tl, name)(x)
    expected, names = table(x.sizes, lambda p: (SCALAR | POSITIVE)[name](float(at(x, p))))
    assert_named_close(y, expected, names, rtol=1e-5, atol=1e-6)


@settings(max_examples=examples(20, quick=5), deadline=None)
@given(data=st.data())
def test_clip_broadcasts_its_bounds_by_name(data):
    x = data.draw(named_arrays(min_axes=1, max_axes=3))
    axis = data.draw(st.sampled_from(x.names))
    lo = tl.NamedArray(-jnp.linspace(0.1, 1.0, x.size_of(axis)), (axis,))
    hi = data.draw(st.sampled_from([0.5, None]))
    y = tl.clip(x, lo, hi)

    def value(p):
        v = max(float(at(x, p)), float(at(lo, p)))
        return v if hi is None else min(v, hi)

    expected, names = table(x.sizes, value)
    assert_named_close(y, expected, names)
    expected, names = table(x.sizes, lambda p: min(float(at(x, p)), 0.25))
    assert_named_close(tl.clip(x, hi=0.25), expected, names)


def test_integers_become_floating_where_the_function_needs_it():
    counts = tl.named(jnp.array([1, 4]), "seq")
    np.testing.assert_allclose(tl.rsqrt(counts).data, [1.0, 0.5])
    assert tl.erf(counts).dtype == jnp.float32
    assert tl.abs(counts).dtype == jnp.int32 and tl.square(counts).dtype == jnp.int32


@pytest.mark.parametrize("name", sorted(POSITIONAL))
def test_gradients_match_the_positional_functions(name):
    x = tl.named(jax.random.uniform(jax.random.key(2), (2, 3), minval=0.2, maxval=2.0), "a b")
    got = jax.grad(lambda d: tl.sum(getattr(tl, name)(tl.named(d, "a b"))).data)(x.data)
    want = jax.grad(lambda d: jnp.sum(POSITIONAL[name](d)))(x.data)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_clip_gradient_is_one_inside_the_bounds_and_zero_outside():
    x = jnp.array([-2.0, 0.5, 3.0])
    got = jax.grad(lambda d: tl.sum(tl.clip(tl.named(d, "seq"), 0.0, 1.0)).data)(x)
    np.testing.assert_array_equal(got, jax.grad(lambda d: jnp.sum(jnp.clip(d, 0.0, 1.0)))(x))


@pytest.mark.parametrize("mode", sorted(MODES))
def test_errors_name_the_axis_and_sizes(mode):
    x = tl.named(jnp.zeros((2, 3)), "batch seq")
    lo = tl.named(jnp.zeros(4), "seq")
    with pytest.raises(tl.AxisError, match=r"axis `seq` has size 3 .* and 4") as caught:
        MODES[mode](lambda x: tl.clip(x, lo, 1.0), x)
    assert (caught.value.axis, caught.value.expected, caught.value.actual) == ("seq", 3, 4)
    assert MODES[mode](lambda x: tl.clip(x), x).sizes == x.sizes  # no bound: x itself
    with pytest.raises(tl.AxisError, match="positional array"):
        MODES[mode](lambda x: tl.sin(x.data), x)


def test_symbolic_sizes_keep_their_axes():
    report = tl.verify(
        lambda x: tl.silu(tl.clip(x, -1.0, tl.rsqrt(tl.square(x) + 1.0))),
        tl.abstract("batch:b seq:n"),
    )
    assert {a: str(s) for a, s in report.tensors[-1][2].sizes.items()} == {"batch": "b", "seq": "n"}
