"""GRUCell, LSTMCell and RNN against numpy written step by step; RMSNorm and causal
attention; gradients against positional JAX; errors eagerly, under jit and eval_shape."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl
from typedlenet import nn

from oracle import examples

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def weights(linear: nn.Linear, inp: str, hidden: str):
    """A Linear's weight as numpy (inp, gate, hidden) and bias (gate, hidden)."""
    out = f"{hidden}'" if inp == hidden else hidden
    W = np.asarray(linear.W.align((inp, "gate", out)).data, np.float64)
    b = None if linear.b is None else np.asarray(linear.b.align(("gate", hidden)).data, np.float64)
    return W, b


def gru_oracle(cell, xs, lengths):
    """h for each batch row, one step at a time, with the formulas written out."""
    Wi, bi = weights(cell.gates_in, "embed", "hidden")
    Wh, bh = weights(cell.gates_rec, "hidden", "hidden")
    batch, time, _ = xs.shape
    outs = np.zeros((batch, time, Wi.shape[2]))
    last = np.zeros((batch, Wi.shape[2]))
    for b in range(batch):
        h = np.zeros(Wi.shape[2])
        for t in range(time):
            if t < lengths[b]:
                gx = np.einsum("e,egh->gh", xs[b, t], Wi) + bi
                gh = np.einsum("k,kgh->gh", h, Wh) + bh
                r, z = sigmoid(gx[0] + gh[0]), sigmoid(gx[1] + gh[1])
                n = np.tanh(gx[2] + r * gh[2])
                h = (1 - z) * n + z * h
            outs[b, t] = h
        last[b] = h
    return outs, last


def lstm_oracle(cell, xs, lengths):
    Wi, bi = weights(cell.gates_in, "embed", "hidden")
    Wh, _ = weights(cell.gates_rec, "hidden", "hidden")
    batch, time, _ = xs.shape
    outs = np.zeros((batch, time, Wi.shape[2]))
    last = np.zeros((batch, Wi.shape[2]))
    for b in range(batch):
        h = c = np.zeros(Wi.shape[2])
        for t in range(time):
            if t < lengths[b]:
                g = np.einsum("e,egh->gh", xs[b, t], Wi) + bi + np.einsum("k,kgh->gh", h, Wh)
                c = sigmoid(g[1]) * c + sigmoid(g[0]) * np.tanh(g[2])
                h = sigmoid(g[3]) * np.tanh(c)
            outs[b, t] = h
        last[b] = h
    return outs, last


CELLS = {"gru": (nn.GRUCell, gru_oracle), "lstm": (nn.LSTMCell, lstm_oracle)}


@pytest.mark.parametrize("kind", sorted(CELLS))
@settings(max_examples=examples(15, quick=5), deadline=None)
@given(
    batch=st.integers(1, 3),
    time=st.integers(1, 5),
    embed=st.integers(1, 3),
    hidden=st.integers(1, 4),
    seed=st.integers(0, 2**16),
    data=st.data(),
)
def test_a_masked_rnn_matches_the_step_by_step_oracle(kind, batch, time, embed, hidden, seed, data):
    make, oracle = CELLS[kind]
    cell = make(f"embed:{embed}", f"hidden:{hidden}", key=jax.random.PRNGKey(seed))
    xs = np.random.default_rng(seed).standard_normal((batch, time, embed)).astype(np.float32)
    lengths = np.array(data.draw(st.lists(st.integers(0, time), min_size=batch, max_size=batch)))
    order = data.draw(st.permutations(["batch", "time", "embed"]))
    named = tl.named(xs, "batch time embed").align(order)
    mask = tl.arange("time", time) < tl.named(jnp.asarray(lengths), "batch")
    outputs, final = nn.RNN(cell)(named, mask=mask)
    expected_outs, expected_last = oracle(cell, xs.astype(np.float64), lengths)
    np.testing.assert_allclose(
        outputs.align(("batch", "time", "hidden")).data, expected_outs, rtol=1e-4, atol=1e-5
    )
    h = final[0] if isinstance(final, tuple) else final
    np.testing.assert_allclose(
        h.align(("batch", "hidden")).data, expected_last, rtol=1e-4, atol=1e-5
    )


def test_gru_gradient_matches_positional_jax():
    cell = nn.GRUCell("embed:3", "hidden:4", key=jax.random.PRNGKey(0))
    xs = jax.random.normal(jax.random.PRNGKey(1), (2, 5, 3))

    def named(xs):
        outputs, _ = nn.RNN(cell)(tl.named(xs, "batch time embed"))
        return tl.sum(outputs * outputs).data

    Wi, bi = (jnp.asarray(a, jnp.float32) for a in weights(cell.gates_in, "embed", "hidden"))
    Wh, bh = (jnp.asarray(a, jnp.float32) for a in weights(cell.gates_rec, "hidden", "hidden"))

    def positional(xs):
        def step(h, x):
            gx = jnp.einsum("be,egh->bgh", x, Wi) + bi[None]
            gh = jnp.einsum("bk,kgh->bgh", h, Wh) + bh[None]
            r = jax.nn.sigmoid(gx[:, 0] + gh[:, 0])
            z = jax.nn.sigmoid(gx[:, 1] + gh[:, 1])
            h = (1 - z) * jnp.tanh(gx[:, 2] + r * gh[:, 2]) + z * h
            return h, h

        _, hs = jax.lax.scan(step, jnp.zeros((2, 4)), jnp.swapaxes(xs, 0, 1))
        return jnp.sum(hs * hs)

    np.testing.assert_allclose(jax.grad(named)(xs), jax.grad(positional)(xs), rtol=1e-5)


def test_rnn_is_verified_for_every_batch_and_length():
    rnn = nn.RNN(nn.LSTMCell("embed:3", "hidden:4", key=jax.random.PRNGKey(0)))
    report = tl.verify(lambda xs: rnn(xs), tl.abstract("batch:b time:t embed:3"))
    outputs, (h, c) = report.tensors[-3][2], (report.tensors[-2][2], report.tensors[-1][2])
    assert {k: str(v) for k, v in outputs.sizes.items()} == {
        "time": "t",
        "batch": "b",
        "hidden": "4",
    }
    assert h.sizes == c.sizes


ERRORS = {
    "input without the input axis": (
        lambda rnn, xs: rnn(xs.rename(embed="feature")),
        "embed",
        "x",
    ),
    "mask with an axis xs lacks": (
        lambda rnn, xs: rnn(xs, mask=tl.named(jnp.ones((5, 7), bool), "time other")),
        "other",
        "mask",
    ),
    "no such axis": (lambda rnn, xs: nn.RNN(rnn.cell, axis="step")(xs), "step", "xs"),
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_rnn_errors_name_the_axis(case, mode):
    call, axis, argument = ERRORS[case]
    rnn = nn.RNN(nn.GRUCell("embed:3", "hidden:4", key=jax.random.PRNGKey(0)))
    xs = tl.named(jnp.ones((2, 5, 3)), "batch time embed")
    with pytest.raises(tl.AxisError) as caught:
        MODES[mode](lambda xs: call(rnn, xs), xs)
    assert caught.value.axis == axis and caught.value.argument == argument


@settings(max_examples=examples(20, quick=8), deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=2, max_size=2), seed=st.integers(0, 2**16))
def test_rmsnorm_matches_numpy(shape, seed):
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    norm = nn.RMSNorm(f"embed:{shape[1]}")
    got = norm(tl.named(x, "batch embed").align(("embed", "batch")))
    expected = x / np.sqrt(np.mean(x.astype(np.float64) ** 2, axis=1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(got.align(("batch", "embed")).data, expected, rtol=1e-5, atol=1e-6)


def test_causal_attention_never_looks_ahead():
    att = nn.MultiHeadAttention(
        "embed:8", 2, 4, key=jax.random.PRNGKey(0), causal=True, use_bias=True
    )
    x = jax.random.normal(jax.random.PRNGKey(1), (1, 6, 8))
    full = att(tl.named(x, "batch seq embed")).align(("batch", "seq", "embed")).data
    # Changing the last positions leaves the earlier outputs as they were.
    changed = x.at[:, 4:].set(100.0)
    again = att(tl.named(changed, "batch seq embed")).align(("batch", "seq", "embed")).data
    np.testing.assert_allclose(full[:, :4], again[:, :4], rtol=1e-5, atol=1e-5)
    assert not np.allclose(full[:, 4:], again[:, 4:])
    mask = nn.causal_mask(4).align(("seq", "seq'")).data
    np.testing.assert_array_equal(mask, np.tril(np.ones((4, 4), bool)))
