"""`batched_dot`, attention's contraction: the values of `lax.dot_general`
position by position (numpy), its gradients those of JAX's own rule, eagerly,
under jit and under eval_shape, for any placement of the batch, contracted and
free axes; and MultiHeadAttention's gradients unchanged by it."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax import lax

import typedlenet as tl
from typedlenet import nn
from typedlenet.nn._batched_dot import batched_dot

from oracle import examples


@st.composite
def layouts(draw):
    """Two operands' shapes and dimension numbers: each axis batch, contracted or
    free, in a random storage order on each side."""
    roles = draw(st.lists(st.sampled_from(["batch", "contract", "a", "b"]), min_size=1, max_size=5))
    sizes = [draw(st.integers(1, 4)) for _ in roles]
    a_axes = [i for i, r in enumerate(roles) if r != "b"]
    b_axes = [i for i, r in enumerate(roles) if r != "a"]
    a_axes = draw(st.permutations(a_axes))
    b_axes = draw(st.permutations(b_axes))
    batch = [i for i, r in enumerate(roles) if r == "batch"]
    contract = [i for i, r in enumerate(roles) if r == "contract"]
    dims = (
        (tuple(a_axes.index(i) for i in contract), tuple(b_axes.index(i) for i in contract)),
        (tuple(a_axes.index(i) for i in batch), tuple(b_axes.index(i) for i in batch)),
    )
    return [sizes[i] for i in a_axes], [sizes[i] for i in b_axes], dims, roles, a_axes, b_axes


def oracle(a, b, roles, a_axes, b_axes):
    """Position by position: out[batch, a free, b free] = sum over contracted."""
    sizes = {}
    for axes, x in ((a_axes, a), (b_axes, b)):
        for p, i in enumerate(axes):
            sizes[i] = x.shape[p]
    batch = [i for i, r in enumerate(roles) if r == "batch"]
    a_free = [i for i in a_axes if roles[i] == "a"]
    b_free = [i for i in b_axes if roles[i] == "b"]
    contract = [i for i, r in enumerate(roles) if r == "contract"]
    out_axes = batch + a_free + b_free
    out = np.zeros([sizes[i] for i in out_axes], np.float64)
    for index in np.ndindex(*out.shape) if out.size else ():
        where = dict(zip(out_axes, index))
        total = 0.0
        for c in np.ndindex(*[sizes[i] for i in contract]):
            where.update(zip(contract, c))
            total += float(a[tuple(where[i] for i in a_axes)]) * float(
                b[tuple(where[i] for i in b_axes)]
            )
        out[index] = total
    return out


MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
}


@settings(max_examples=examples(40, quick=10), deadline=None)
@given(layout=layouts(), seed=st.integers(0, 2**16), mode=st.sampled_from(sorted(MODES)))
def test_values_and_gradients_are_dot_generals(layout, seed, mode):
    a_shape, b_shape, dims, roles, a_axes, b_axes = layout
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    run = MODES[mode]
    got = run(lambda a, b: batched_dot(a, b, dims), a, b)
    np.testing.assert_allclose(got, oracle(a, b, roles, a_axes, b_axes), rtol=1e-5, atol=1e-5)
    g = rng.standard_normal(got.shape).astype(np.float32)

    def grads(fn):
        return run(lambda a, b, g: jax.vjp(fn, a, b)[1](g), a, b, g)

    ours = grads(lambda a, b: batched_dot(a, b, dims))
    jaxs = grads(lambda a, b: lax.dot_general(a, b, dims))
    for x, y in zip(ours, jaxs):
        assert x.shape == y.shape
        np.testing.assert_allclose(x, y, rtol=1e-5, atol=1e-5)
    shapes = jax.eval_shape(
        lambda a, b, g: jax.vjp(lambda a, b: batched_dot(a, b, dims), a, b)[1](g), a, b, g
    )
    assert [s.shape for s in shapes] == [tuple(a_shape), tuple(b_shape)]


def test_the_slow_gradient_form_is_gone():
    """The compiled gradient of attention's `A ·_seq' V` holds no dot whose left
    operand is contracted over an axis that is not its last."""
    A, V, G = (jnp.ones((8, 4, 16, 16)) for _ in range(3))
    dims = (((3,), (2,)), ((0, 1), (0, 1)))

    def lhs_contractions(fn):
        gradients = jax.jit(lambda A, V, G: jax.vjp(fn, A, V)[1](G))
        text = gradients.lower(A, V, G).compile()
        return [
            line.split("lhs_contracting_dims={")[1].split("}")[0]
            for line in str(text.as_text()).splitlines()
            if " dot(" in line and "lhs_batch_dims={0,1}" in line
        ]

    assert "2" in lhs_contractions(lambda A, V: lax.dot_general(A, V, dims))  # JAX's rule
    assert "2" not in lhs_contractions(lambda A, V: batched_dot(A, V, dims))


def test_attention_gradients_match_the_positional_rule(monkeypatch):
    """MultiHeadAttention through `batched_dot` against the same layer with every
    contraction by `lax.dot_general` (JAX's own gradients)."""
    layer = nn.MultiHeadAttention(
        "embed:8", heads=2, key_size=4, causal=True, use_bias=True, key=jax.random.PRNGKey(0)
    )
    x = tl.named(np.random.default_rng(0).standard_normal((3, 5, 8), np.float32), "batch seq embed")

    def loss(layer, x):
        return tl.sum(layer(x) * layer(x)).data

    ours = eqx.filter_grad(loss)(layer, x)
    from typedlenet.nn import _attention

    monkeypatch.setattr(_attention, "batched_dot", lambda a, b, dims: lax.dot_general(a, b, dims))
    theirs = eqx.filter_grad(loss)(layer, x)
    for x_, y_ in zip(jax.tree.leaves(ours), jax.tree.leaves(theirs)):
        np.testing.assert_allclose(np.asarray(x_), np.asarray(y_), rtol=1e-4, atol=1e-5)


def test_forward_mode_is_refused_with_jaxs_message():
    """As for `max_pool`: forward-mode differentiation is not defined for it."""
    a = jnp.ones((2, 3, 4))
    dims = (((2,), (2,)), ((0,), (0,)))
    with pytest.raises(TypeError, match="forward-mode"):
        jax.jvp(lambda a: batched_dot(a, a, dims), (a,), (a,))
