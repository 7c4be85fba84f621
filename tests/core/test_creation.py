"""zeros, ones, full, their `_like` forms and broadcast_to by position, with int
and symbolic sizes (a GRU's initial state sized from its input under
`jax.eval_shape`), and their errors eagerly, under `jax.jit` and `jax.eval_shape`."""

import jax
import jax.numpy as jnp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import NAMES, assert_named_close, at, examples, named_arrays, table

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


@settings(max_examples=examples(20, quick=5), deadline=None)
@given(
    sizes=st.dictionaries(st.sampled_from(NAMES), st.integers(0, 3), max_size=3),
    as_text=st.booleans(),
)
def test_made_arrays_by_position(sizes, as_text):
    spec = " ".join(f"{a}:{n}" for a, n in sizes.items()) if as_text else sizes
    for made, value in ((tl.zeros(spec), 0.0), (tl.ones(spec), 1.0), (tl.full(spec, 2.5), 2.5)):
        expected, names = table(sizes, lambda p, value=value: value)
        assert_named_close(made, expected, names)
        assert made.dtype == jnp.float32
    assert tl.zeros(spec, jnp.int8).dtype == jnp.int8 and tl.full(spec, 3).dtype == jnp.int32


@settings(max_examples=examples(20, quick=5), deadline=None)
@given(data=st.data())
def test_like_and_broadcast_to_by_position(data):
    x = data.draw(named_arrays(max_axes=2))
    extra = data.draw(
        st.dictionaries(st.sampled_from([n for n in NAMES if n not in x.names]), st.integers(1, 3))
    )
    kept = data.draw(st.lists(st.sampled_from(x.names), unique=True)) if x.names else []
    sizes = {**{a: x.size_of(a) for a in kept}, **extra}
    y = tl.broadcast_to(x, sizes)
    expected, names = table({**x.sizes, **extra}, lambda p: at(x, p))
    assert_named_close(y, expected, names)
    for made, value in ((tl.zeros_like(x), 0.0), (tl.ones_like(x), 1.0), (tl.full_like(x, -1), -1)):
        expected, names = table(x.sizes, lambda p, value=value: value)
        assert_named_close(made, expected, names)
        assert made.dtype == x.dtype
    assert tl.zeros_like(x, jnp.int32).dtype == jnp.int32


def test_a_gru_initial_state_takes_its_batch_from_the_input_under_eval_shape():
    def initial_state(data):
        x = tl.named(data, "batch seq embed")
        return tl.zeros({"batch": x.sizes["batch"], "hidden": 64})

    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("b, 7, 16"), jnp.float32)
    state = jax.eval_shape(initial_state, spec)
    assert str(state.sizes["batch"]) == "b" and state.sizes["hidden"] == 64

    def model(x):
        h = tl.zeros({"batch": x.sizes["batch"], "hidden": 64})
        return tl.broadcast_to(h, {**x.sizes, "hidden": 64}) + tl.ones_like(x)

    report = tl.verify(model, tl.abstract("batch:b seq:n"))
    out = report.tensors[-1][2]
    assert {a: str(s) for a, s in out.sizes.items()} == {"batch": "b", "hidden": "64", "seq": "n"}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_errors_name_the_argument_and_axis(mode):
    x = tl.named(jnp.zeros((2, 3)), "batch seq")
    with pytest.raises(tl.AxisError, match="axis `seq` has size 3 in `x` and 4") as caught:
        MODES[mode](lambda x: tl.broadcast_to(x, {"seq": 4, "hidden": 2}), x)
    fields = (caught.value.op, caught.value.argument, caught.value.axis)
    assert (*fields, caught.value.expected, caught.value.actual) == (
        "broadcast_to",
        "sizes",
        "seq",
        3,
        4,
    )
    with pytest.raises(tl.AxisError, match="must be at least 0") as negative:
        MODES[mode](lambda x: tl.zeros({"batch": -1}) + x, x)
    assert (negative.value.argument, negative.value.actual) == ("sizes['batch']", -1)
    with pytest.raises(tl.AxisError, match="`name:size`") as text:
        MODES[mode](lambda x: tl.ones("batch:b hidden:4") + x, x)
    fields = (text.value.argument, text.value.axis, text.value.actual)
    assert fields == ("sizes", "batch", "batch:b")
    with pytest.raises(tl.AxisError, match="appears twice"):
        MODES[mode](lambda x: tl.ones("a:1 a:2") + x, x)
    with pytest.raises(TypeError, match="`sizes`"):
        MODES[mode](lambda x: tl.zeros(3) + x, x)  # pyright: ignore[reportArgumentType]
    with pytest.raises(TypeError, match="`value` must be a scalar"):
        MODES[mode](lambda x: tl.full_like(x, x), x)
    with pytest.raises(TypeError, match="sizes\\['batch'\\]"):
        MODES[mode](lambda x: tl.zeros({"batch": 2.0}) + x, x)


def test_a_symbolic_size_that_may_differ_asks_for_the_constraint():
    dims = tl.symbols("b m n")

    def model(x):
        return tl.broadcast_to(x, {"seq": dims["n"]})

    with pytest.raises(tl.AxisError, match=r"cannot prove that .*m == n"):
        tl.verify(model, tl.abstract("batch:b seq:m", sizes=dims))
