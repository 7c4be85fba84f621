"""Index arrays that know their range: `take` checks it against the axis it takes
from (concrete and symbolic sizes; eagerly, under jit and eval_shape), and a checked
mode turns a traced index out of range into an error instead of NaN."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax.experimental import checkify

import typedlenet as tl
from typedlenet import nn

from oracle import examples

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


@settings(max_examples=examples(30, quick=10), deadline=None)
@given(m=st.integers(1, 6), n=st.integers(1, 6), mode=st.sampled_from(sorted(MODES)))
def test_positions_from_arange_fit_the_axis_or_are_refused(m, n, mode):
    table = tl.named(np.arange(n * 2, dtype=np.float32).reshape(n, 2), "pos embed")

    def lookup(table):
        return table[{"pos": tl.arange("seq", m)}]

    if m <= n:
        out = MODES[mode](lookup, table)
        if mode != "eval_shape":  # the oracle: row i of the table at position i of seq
            expected = np.asarray(table.data)[np.arange(m)]
            np.testing.assert_array_equal(np.asarray(out.align(("seq", "embed")).data), expected)
        assert out.sizes == {"seq": m, "embed": 2}
    else:
        with pytest.raises(tl.AxisError, match=f"arange over seq:{m}") as caught:
            MODES[mode](lookup, table)
        assert (caught.value.axis, caught.value.expected, caught.value.actual) == ("pos", n, m)


@settings(max_examples=examples(30, quick=10), deadline=None)
@given(k=st.integers(1, 6), n=st.integers(1, 6), mode=st.sampled_from(sorted(MODES)))
def test_a_router_built_for_k_experts_takes_from_n_only_when_k_fits(k, n, mode):
    scores = tl.named(np.random.default_rng(k).standard_normal((3, k)), "batch expert")
    experts = tl.named(np.arange(n * 2, dtype=np.float32).reshape(n, 2), "expert d")

    def route(scores, experts):
        return tl.take(experts, "expert", tl.argmax(scores, "expert"))

    if k <= n:
        out = MODES[mode](route, scores, experts)
        if mode != "eval_shape":
            best = np.argmax(np.asarray(scores.data), axis=1)
            expected = np.asarray(experts.data)[best]
            np.testing.assert_array_equal(np.asarray(out.align(("batch", "d")).data), expected)
    else:
        with pytest.raises(tl.AxisError, match=f"argmax over expert:{k}"):
            MODES[mode](route, scores, experts)


def test_a_position_table_needs_the_sequence_to_fit_for_every_length():
    positions = nn.Embedding("pos:16", "embed:8", key=jax.random.PRNGKey(0))

    def model(x):
        return positions(tl.arange("seq", x.sizes["seq"]))

    with pytest.raises(tl.AxisError, match="cannot prove that n <= 16") as caught:
        tl.verify(model, tl.abstract("batch:b seq:n"))
    assert caught.value.op == "take" and caught.value.axis == "pos"
    dims = tl.symbols("b n", constraints=("n <= 16",))
    report = tl.verify(model, tl.abstract("batch:b seq:n", sizes=dims))
    assert str(report.tensors[-1][2].sizes["seq"]) == "n"
    with pytest.raises(tl.AxisError, match="up to 19"):
        jax.jit(model)(tl.named(jnp.zeros((2, 20)), "batch seq"))


def test_the_range_survives_renames_orders_slices_and_integer_casts_only():
    idx = tl.argmax(tl.named(jnp.zeros((3, 6)), "batch expert"), "expert")
    known = tl.index_range(idx)
    assert known is not None and known.size == 6
    assert tl.index_range(idx.rename(batch="row")) == known
    assert tl.index_range(idx[{"batch": slice(0, 2)}]) == known
    assert tl.index_range(idx.astype(jnp.int16)) == known
    assert tl.index_range(idx.astype(jnp.float32)) is None
    assert tl.index_range(idx + 1) is None  # arithmetic may move it anywhere


def test_checked_indices_turns_a_traced_index_out_of_range_into_an_error():
    table = tl.named(jnp.arange(8.0).reshape(4, 2), "pos embed")

    def lookup(table, i):
        return table[{"pos": i}]

    inside = tl.named(jnp.array([0, 3]), "seq")
    outside = tl.named(jnp.array([1, 4]), "seq")
    # Under plain jit an index out of range cannot be seen: the fill value, NaN.
    assert np.isnan(np.asarray(jax.jit(lookup)(table, outside).data)).any()
    checked = tl.checked_indices(lookup)
    np.testing.assert_array_equal(
        np.asarray(checked(table, inside).align(("seq", "embed")).data),
        np.asarray(table.data)[[0, 3]],
    )
    with pytest.raises(checkify.JaxRuntimeError, match="out of range for axis `pos`"):
        checked(table, outside)
