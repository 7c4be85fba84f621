"""`x.sum("seq")` is `tl.sum(x, "seq")`: each method of NamedArray gives exactly what
the function of the same name gives, raises the same errors (eagerly, under jit and
under eval_shape), and numpy's functions still refuse to guess an axis order."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import examples

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: eqx.filter_jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


def _seq_embed(x):
    return {"seq": x.sizes["seq"], "embed": x.sizes["embed"]}


# name: (method call, function call) on x with axes batch, seq, embed.
CALLS = {
    "sum": (lambda x: x.sum("seq"), lambda x: tl.sum(x, "seq")),
    "sum all": (lambda x: x.sum(), lambda x: tl.sum(x)),
    "mean": (lambda x: x.mean("seq embed"), lambda x: tl.mean(x, "seq embed")),
    "max": (lambda x: x.max("embed"), lambda x: tl.max(x, "embed")),
    "min": (lambda x: x.min("batch"), lambda x: tl.min(x, "batch")),
    "var": (lambda x: x.var("seq"), lambda x: tl.var(x, "seq")),
    "argmax": (lambda x: x.argmax("seq"), lambda x: tl.argmax(x, "seq")),
    "cumsum": (lambda x: x.cumsum("seq"), lambda x: tl.cumsum(x, "seq")),
    "clip": (lambda x: x.clip(-0.5, 0.5), lambda x: tl.clip(x, -0.5, 0.5)),
    "argsort": (lambda x: x.argsort("embed"), lambda x: tl.argsort(x, "embed")),
    "logsumexp": (lambda x: x.logsumexp("embed"), lambda x: tl.logsumexp(x, "embed")),
    "softmax": (lambda x: x.softmax("embed"), lambda x: tl.softmax(x, "embed")),
    "log_softmax": (lambda x: x.log_softmax("seq"), lambda x: tl.log_softmax(x, "seq")),
    "dot": (lambda x: x.dot(x, "embed"), lambda x: tl.dot(x, x, "embed")),
    "flatten": (
        lambda x: x.flatten("seq embed", "flat"),
        lambda x: tl.flatten(x, "seq embed", "flat"),
    ),
    "unflatten": (
        lambda x: x.flatten("seq embed", "flat").unflatten("flat", _seq_embed(x)),
        lambda x: tl.unflatten(tl.flatten(x, "seq embed", "flat"), "flat", _seq_embed(x)),
    ),
    "pad": (lambda x: x.pad({"seq": (1, 0)}), lambda x: tl.pad(x, {"seq": (1, 0)})),
    "sort": (
        lambda x: x.sort("seq", descending=True),
        lambda x: tl.sort(x, "seq", descending=True),
    ),
    "top_k": (lambda x: x.top_k("embed", 2)[0], lambda x: tl.top_k(x, "embed", 2)[0]),
    "roll": (lambda x: x.roll("seq", 1), lambda x: tl.roll(x, "seq", 1)),
    "flip": (lambda x: x.flip("seq embed"), lambda x: tl.flip(x, "seq embed")),
    "broadcast_to": (
        lambda x: x.broadcast_to({"head": 2}),
        lambda x: tl.broadcast_to(x, {"head": 2}),
    ),
    "tile": (lambda x: x.tile("seq", 2), lambda x: tl.tile(x, "seq", 2)),
}


@settings(max_examples=examples(20, quick=5), deadline=None)
@given(
    call=st.sampled_from(sorted(CALLS)),
    batch=st.integers(1, 3),
    seq=st.integers(1, 4),
    embed=st.integers(2, 4),
    seed=st.integers(0, 2**16),
)
def test_a_method_is_its_function(call, batch, seq, embed, seed):
    data = np.random.default_rng(seed).standard_normal((batch, seq, embed)).astype(np.float32)
    x = tl.named(data, "batch seq embed")
    method, function = CALLS[call]
    got, expected = method(x), function(x)
    assert got.names == expected.names
    np.testing.assert_array_equal(np.asarray(got.data), np.asarray(expected.data))


def test_a_method_differentiates_as_its_function():
    x = tl.named(jnp.linspace(-1.0, 1.0, 12).reshape(2, 6), "batch seq")

    def through_method(d):
        return tl.named(d, "batch seq").softmax("seq").max("seq").sum().data

    def positional(d):
        return jnp.sum(jnp.max(jax.nn.softmax(d, axis=1), axis=1))

    np.testing.assert_allclose(
        jax.grad(through_method)(x.data), jax.grad(positional)(x.data), rtol=1e-6
    )


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_method_raises_its_function_s_error(mode):
    x = tl.named(jnp.ones((2, 3)), "batch seq")
    with pytest.raises(tl.AxisError) as caught:
        MODES[mode](lambda x: x.softmax("embed"), x)
    assert (caught.value.kind, caught.value.axis) == ("missing_axis", "embed")
    with pytest.raises(tl.AxisError) as caught:
        MODES[mode](lambda x: x.sum("time"), x)
    assert caught.value.axis == "time"


def test_numpy_still_refuses_to_guess_an_axis_order():
    """numpy calls `x.sum(axis=None, ...)` on any array-like: that is not a named
    call, and a NamedArray with axes has no order numpy may assume."""
    x = tl.named(jnp.ones((2, 3)), "batch seq")
    for fn in (np.sum, np.mean, np.max, np.min, np.argmax, np.cumsum, np.argsort, np.var):
        with pytest.raises(TypeError, match="order would be a guess"):
            fn(x)
    assert np.sum(x.sum()) == 6.0  # no axes: nothing to guess
