"""sort, argsort and top_k against the position-by-position oracle (ties included,
any storage order), their gradients against JAX's positional functions, their
errors eagerly, under `jax.jit` and under `jax.eval_shape`, and symbolic sizes."""

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


def with_ties(x: tl.NamedArray, ties: bool) -> tl.NamedArray:
    """`x`, or `x` rounded to halves so that equal elements are common (`+ 0.0`
    turns `-0.0` into `0.0`: `lax.top_k` orders the two zeros)."""
    return tl.NamedArray(jnp.round(x.data * 2) / 2 + 0.0, x.names) if ties else x


def order(x: tl.NamedArray, p: dict, axis: str, descending: bool) -> list[int]:
    """The positions of `axis` at the other axes' position `p`, sorted stably."""
    values = [float(at(x, {**p, axis: j})) for j in range(x.size_of(axis))]
    return sorted(range(len(values)), key=lambda j: -values[j] if descending else values[j])


@settings(max_examples=examples(30, quick=8), deadline=None)
@given(data=st.data(), ties=st.booleans(), descending=st.booleans())
def test_sort_and_argsort_by_position(data, ties, descending):
    x = with_ties(data.draw(named_arrays(min_axes=1, max_axes=3)), ties)
    axis = data.draw(st.sampled_from(x.names))
    s = tl.sort(x, axis, descending=descending)
    i = tl.argsort(x, axis, descending=descending)
    expected, names = table(
        x.sizes, lambda p: at(x, {**p, axis: order(x, p, axis, descending)[p[axis]]})
    )
    assert_named_close(s, expected, names)
    positions, names = table(x.sizes, lambda p: order(x, p, axis, descending)[p[axis]])
    assert_named_close(i, positions, names, rtol=0, atol=0)
    known = tl.index_range(i)
    assert known is not None and known.size == x.size_of(axis)


@settings(max_examples=examples(30, quick=8), deadline=None)
@given(data=st.data(), ties=st.booleans())
def test_top_k_by_position(data, ties):
    x = with_ties(data.draw(named_arrays(min_axes=1, max_axes=3)), ties)
    axis = data.draw(st.sampled_from(x.names))
    n = x.size_of(axis)
    k = data.draw(st.integers(0, n))
    into = data.draw(st.sampled_from([None, "best"]))
    values, indices = tl.top_k(x, axis, k, into=into)
    new = axis if into is None else into
    sizes = {a: s for a, s in x.sizes.items() if a != axis} | {new: k}

    def chosen(p):
        return order(x, {**p, axis: 0}, axis, True)[p[new]]

    positions, names = table(sizes, chosen)
    assert_named_close(indices, positions, names, rtol=0, atol=0)
    expected, names = table(sizes, lambda p: at(x, {**p, axis: chosen(p)}))
    assert_named_close(values, expected, names)
    known = tl.index_range(indices)
    assert known is not None and known.size == n


@pytest.mark.parametrize("op", ["sort", "top_k"])
def test_gradients_match_the_positional_functions(op):
    key1, key2 = jax.random.split(jax.random.key(0))
    x = tl.named(jax.random.normal(key1, (3, 5)), "seq batch")
    w = tl.named(jax.random.normal(key2, (5, 3 if op == "sort" else 2)), "batch seq")

    def named_loss(d):
        y = tl.named(d, "seq batch")
        out = tl.sort(y, "seq") if op == "sort" else tl.top_k(y, "seq", 2)[0]
        return tl.sum(out * w).data

    def positional_loss(d):  # the same loss with JAX's functions, `seq` on axis 0
        if op == "sort":
            return jnp.sum(jnp.sort(d, axis=0) * w.align("seq batch").data)
        return jnp.sum(jax.lax.top_k(d.T, 2)[0] * w.align("batch seq").data)

    np.testing.assert_allclose(
        jax.grad(named_loss)(x.data), jax.grad(positional_loss)(x.data), rtol=1e-6
    )


@pytest.mark.parametrize("mode", sorted(MODES))
def test_errors_name_the_axis_and_sizes(mode):
    x = tl.named(jnp.zeros((2, 3)), "batch seq")
    with pytest.raises(tl.AxisError, match="has no axis `time`") as caught:
        MODES[mode](lambda x: tl.sort(x, "time"), x)
    assert (caught.value.op, caught.value.axis) == ("sort", "time")
    with pytest.raises(tl.AxisError, match="no axis `time`"):
        MODES[mode](lambda x: tl.argsort(x, "time"), x)
    with pytest.raises(tl.AxisError, match=r"`k` \(=4\) is larger than axis `seq` \(=3\)") as big:
        MODES[mode](lambda x: tl.top_k(x, "seq", 4), x)
    fields = (big.value.op, big.value.argument, big.value.axis, big.value.expected)
    assert (*fields, big.value.actual) == ("top_k", "k", "seq", 3, 4)
    with pytest.raises(tl.AxisError, match=r"`into` .* is an axis of `x` already") as clash:
        MODES[mode](lambda x: tl.top_k(x, "seq", 2, into="batch"), x)
    assert (clash.value.argument, clash.value.axis) == ("into", "batch")
    with pytest.raises(TypeError, match="`k`"):
        MODES[mode](lambda x: tl.top_k(x, "seq", 1.5), x)
    with pytest.raises(TypeError, match="`axis`"):
        MODES[mode](lambda x: tl.sort(x, 0), x)  # pyright: ignore[reportArgumentType]


def test_symbolic_sizes_ask_for_the_constraint_and_indices_carry_their_range():
    with pytest.raises(tl.AxisError, match="cannot prove that n >= 2") as caught:
        tl.verify(lambda x: tl.top_k(x, "seq", 2), tl.abstract("batch:b seq:n"))
    assert (caught.value.op, caught.value.axis, caught.value.expected) == ("top_k", "seq", "n >= 2")
    dims = tl.symbols("b n k", constraints=("n >= k",))
    report = tl.verify(
        lambda x: tl.top_k(x, "seq", dims["k"], into="best"),
        tl.abstract("batch:b seq:n", sizes=dims),
    )
    assert str(report.tensors[-1][2].sizes["best"]) == "k"
    table16 = tl.named(jnp.zeros((16, 4)), "pos embed")

    def lookup(x):
        return table16[{"pos": tl.argsort(x, "seq")}]

    with pytest.raises(tl.AxisError, match="cannot prove that n <= 16"):
        tl.verify(lookup, tl.abstract("batch:b seq:n"))
    bounded = tl.symbols("b n", constraints=("n <= 16",))
    tl.verify(lookup, tl.abstract("batch:b seq:n", sizes=bounded))


def test_top_k_of_a_symbolic_k_matches_the_concrete_one_when_exported():
    x = tl.named(jax.random.normal(jax.random.key(3), (4, 6)), "batch seq")

    def best_of(d, pick):
        return tl.top_k(tl.named(d, "batch seq"), "seq", pick.shape[0])[0].data

    spec = jax.ShapeDtypeStruct(jax.export.symbolic_shape("k", constraints=("k <= 6",)), jnp.int8)
    exported = jax.export.export(jax.jit(best_of))(x.data, spec)
    out = exported.call(x.data, jnp.zeros(3, jnp.int8))
    np.testing.assert_allclose(out, jax.lax.top_k(x.data, 3)[0])
