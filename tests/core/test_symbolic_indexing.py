"""Positions and slices on symbolic axes: from the end (`-1`), negative steps,
proven in range for every size or asking for the constraint that would prove it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax import export

import typedlenet as tl

from oracle import examples

# Within the proven size (n >= 4): every bound lies on the axis for every n.
BOUNDS = st.none() | st.integers(-4, 3)


@settings(max_examples=examples(25, quick=10), deadline=None)
@given(
    n=st.integers(4, 9),
    start=BOUNDS,
    stop=BOUNDS,
    step=st.sampled_from([None, 1, 2, 3, -1, -2]),
)
def test_a_slice_of_a_symbolic_axis_matches_numpy_at_every_size(n, start, stop, step):
    where = slice(start, stop, step)
    seq = tl.symbols("n", constraints=("n >= 4",))["n"]

    def sliced(data):
        return tl.named(data, "seq e")[{"seq": where}].align(("seq", "e")).data

    abstract = jax.ShapeDtypeStruct((seq, 2), jnp.float32)
    # One bound from the start and one from the end: whether the slice is empty
    # depends on n, and only a constraint can decide it.
    depends_on_n = start is not None and stop is not None and (start < 0) != (stop < 0)
    try:
        compiled = export.export(jax.jit(sliced))(abstract)
    except tl.AxisError as error:
        assert depends_on_n and "cannot prove that" in str(error), error
        return
    data = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    np.testing.assert_array_equal(compiled.call(data), data[where])


@settings(max_examples=examples(20, quick=8), deadline=None)
@given(n=st.integers(3, 8), i=st.integers(-3, 2))
def test_a_position_of_a_symbolic_axis_matches_numpy(n, i):
    seq = tl.symbols("n", constraints=("n >= 3",))["n"]

    def indexed(data):
        return tl.named(data, "seq e")[{"seq": i}].data

    compiled = export.export(jax.jit(indexed))(jax.ShapeDtypeStruct((seq, 2), jnp.float32))
    data = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    np.testing.assert_array_equal(compiled.call(data), data[i])


def test_the_last_position_holds_for_every_size():
    report = tl.verify(lambda x: x[{"seq": -1}], tl.abstract("batch:b seq:n embed:4"))
    assert report.tensors[-1][2].sizes == {"batch": report.tensors[0][2].sizes["batch"], "embed": 4}
    reversed_ = tl.verify(lambda x: x[{"seq": slice(None, None, -1)}], tl.abstract("seq:n"))
    assert str(reversed_.tensors[-1][2].sizes["seq"]) == "n"


@pytest.mark.parametrize("mode", ["eager", "jit", "eval_shape"])
@pytest.mark.parametrize(
    "where, claim", [(-2, "n >= 2"), (3, "n >= 4"), (slice(-3, None), "n >= 3")]
)
def test_an_unproven_position_asks_for_its_constraint(where, claim, mode):
    """Symbolic sizes exist only under abstract evaluation: each mode runs
    `eval_shape` of a function that is itself eager code, jitted code, or nested
    `eval_shape`."""

    def pick(x):
        return x[{"seq": where}]

    inner = {"eager": pick, "jit": jax.jit(pick), "eval_shape": lambda x: jax.eval_shape(pick, x)}
    with pytest.raises(tl.AxisError, match=f"cannot prove that {claim}") as caught:
        tl.verify(inner[mode], tl.abstract("seq:n embed:2"))
    assert caught.value.axis == "seq" and caught.value.op == "index"


def test_a_constraint_proves_it():
    dims = tl.symbols("n", constraints=("n >= 4",))
    report = tl.verify(lambda x: x[{"seq": 3}], tl.abstract("seq:n embed:2", sizes=dims))
    assert report.tensors[-1][2].sizes == {"embed": 2}


def test_concrete_positions_out_of_range_still_fail_eagerly_under_jit_and_eval_shape():
    x = tl.named(jnp.zeros((3, 2)), "seq embed")
    for run in (lambda f: f(x), lambda f: jax.jit(f)(x), lambda f: jax.eval_shape(f, x)):
        with pytest.raises(tl.AxisError, match="out of range"):
            run(lambda x: x[{"seq": -4}])
