"""conv2d, maxpool2d and mlp against numpy, in both implementations."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import examples, np_conv, np_pool

IMPLS = ["fast", "reference"]


def shuffled(x: tl.NamedArray, data) -> tl.NamedArray:
    return x.align(data.draw(st.permutations(list(x.names))))


@st.composite
def conv_case(draw):
    b, c, o = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    kh, kw = draw(st.integers(1, h)), draw(st.integers(1, w))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    X = rng.standard_normal((b, c, h, w)).astype(np.float32)
    W = rng.standard_normal((o, c, kh, kw)).astype(np.float32)
    return X, W


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=examples(20))  # each new shape compiles a convolution
@given(case=conv_case(), data=st.data())
def test_conv2d_matches_numpy(impl, case, data):
    X, W = case
    Xn = shuffled(tl.named(X, "batch channels height width"), data)
    Wn = shuffled(tl.named(W, "channels' channels kh kw"), data)
    y = tl.conv2d(Xn, Wn, impl=impl)
    np.testing.assert_allclose(
        y.align("batch channels' height width").data, np_conv(X, W), rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("impl", IMPLS)
def test_conv2d_is_lifted_over_any_axes(impl):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 3, 2, 6, 5)).astype(np.float32)  # batch time channels h w
    W = rng.standard_normal((4, 2, 2, 3, 2)).astype(np.float32)  # channels' group channels kh kw
    Xn = tl.named(X, "batch time channels height width")
    Wn = tl.named(W, "channels' group channels kh kw")
    y = tl.conv2d(Xn, Wn, impl=impl)
    expected = np_conv(X.reshape(6, 2, 6, 5), W.reshape(8, 2, 3, 2)).reshape(2, 3, 4, 2, 4, 4)
    got = y.align("batch time channels' group height width").data
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    # One image, one kernel: no lifted axes at all.
    one = tl.conv2d(Xn[{"batch": 0, "time": 0}], Wn[{"channels'": 0, "group": 0}], impl=impl)
    np.testing.assert_allclose(
        one.align("height width").data, expected[0, 0, 0, 0], rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("impl", IMPLS)
def test_conv2d_biases_broadcast_by_name(impl):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((2, 1, 6, 6)).astype(np.float32)
    W = rng.standard_normal((3, 1, 3, 3)).astype(np.float32)
    Xn, Wn = tl.named(X, "batch channels height width"), tl.named(W, "channels' channels kh kw")
    out = "batch channels' height width"
    per_position = rng.standard_normal((4, 4)).astype(np.float32)
    y = tl.conv2d(Xn, Wn, tl.named(per_position, "height width"), impl=impl)
    np.testing.assert_allclose(y.align(out).data, np_conv(X, W) + per_position, rtol=1e-4)
    per_channel = rng.standard_normal(3).astype(np.float32)
    y = tl.conv2d(Xn, Wn, tl.named(per_channel, "channels'"), impl=impl)
    expected = np_conv(X, W) + per_channel[None, :, None, None]
    np.testing.assert_allclose(y.align(out).data, expected, rtol=1e-4)
    with pytest.raises(tl.AxisError, match="`b` has the axis `time`, which the result lacks"):
        tl.conv2d(Xn, Wn, tl.named(jnp.ones(5), "time"), impl=impl)
    with pytest.raises(tl.AxisError, match="axis `height` has size 4 in the left operand and 6"):
        tl.conv2d(Xn, Wn, tl.named(jnp.ones(6), "height"), impl=impl)


def test_conv2d_errors():
    X = tl.named(jnp.ones((2, 1, 4, 6)), "batch channels height width")
    W = tl.named(jnp.ones((3, 1, 5, 5)), "channels' channels kh kw")
    with pytest.raises(tl.AxisError, match=r"`kh` \(=5\) is larger than `height` \(=4\)"):
        tl.conv2d(X, W)
    W2 = tl.named(jnp.ones((3, 2, 3, 3)), "channels' channels kh kw")
    with pytest.raises(tl.AxisTypeError, match="argument `W`, axis `channels`: expected size 1"):
        tl.conv2d(X, W2)
    with pytest.raises(tl.AxisTypeError, match="argument `X`: missing axis `channels`"):
        tl.conv2d(tl.rename(X, {"channels": "c"}), W2)
    with pytest.raises(ValueError, match="`impl`"):
        tl.conv2d(X, W2[{"channels": slice(0, 1)}], impl="slow")  # type: ignore[arg-type]


@pytest.mark.parametrize("impl", IMPLS)
@settings(max_examples=examples(20))
@given(data=st.data())
def test_maxpool2d_matches_numpy(impl, data):
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    h, w = kh * data.draw(st.integers(1, 4)), kw * data.draw(st.integers(1, 4))
    X = np.random.default_rng(data.draw(st.integers(0, 99))).standard_normal((2, 3, h, w))
    Xn = shuffled(tl.named(X.astype(np.float32), "batch channels height width"), data)
    y = tl.maxpool2d(Xn, kh, kw, impl=impl)
    expected = np_pool(X.astype(np.float32), kh, kw)
    np.testing.assert_array_equal(y.align("batch channels height width").data, expected)


@pytest.mark.parametrize("impl", IMPLS)
def test_maxpool2d_needs_a_divisor_unless_floor(impl):
    X = np.arange(2 * 7 * 6, dtype=np.float32).reshape(2, 1, 7, 6)
    Xn = tl.named(X, "batch channels height width")
    with pytest.raises(tl.AxisError, match=r"`kh` \(=2\) does not divide axis `height` \(=7\)"):
        tl.maxpool2d(Xn, 2, 2, impl=impl)
    y = tl.maxpool2d(Xn, 2, 2, floor=True, impl=impl)
    assert y.sizes["height"] == 3
    np.testing.assert_array_equal(y.align("batch channels height width").data, np_pool(X, 2, 2))


@given(data=st.data())
def test_mlp_matches_numpy(data):
    b, i, h, o = (data.draw(st.integers(1, 5)) for _ in range(4))
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    X, W1, b1, W2, b2 = (
        rng.standard_normal(s).astype(np.float32) for s in [(b, i), (i, h), (h,), (h, o), (o,)]
    )
    y = tl.mlp(
        shuffled(tl.named(X, "batch inp"), data),
        shuffled(tl.named(W1, "inp hidden"), data),
        tl.named(b1, "hidden"),
        shuffled(tl.named(W2, "hidden out"), data),
        tl.named(b2, "out"),
    )
    expected = np.maximum(X @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(y.align("batch out").data, expected, rtol=1e-4, atol=1e-4)


@settings(max_examples=examples(10))  # each example compiles two gradients
@given(case=conv_case(), data=st.data())
def test_conv2d_fast_equals_reference_values_and_gradients(case, data):
    X, W = case
    Xn = shuffled(tl.named(X, "batch channels height width"), data)
    Wn = shuffled(tl.named(W, "channels' channels kh kw"), data)
    out = tl.conv2d(Xn, Wn, impl="reference")
    rng = np.random.default_rng(0)
    cotangent = tl.NamedArray(jnp.asarray(rng.standard_normal(out.shape), jnp.float32), out.names)

    def loss(impl):
        return lambda X, W: tl.sum(tl.conv2d(X, W, impl=impl) * cotangent).data

    fast = jax.value_and_grad(loss("fast"), argnums=(0, 1))(Xn, Wn)
    ref = jax.value_and_grad(loss("reference"), argnums=(0, 1))(Xn, Wn)
    np.testing.assert_allclose(fast[0], ref[0], rtol=1e-4, atol=1e-4)
    for g_fast, g_ref in zip(fast[1], ref[1]):
        assert g_fast.names == g_ref.names
        np.testing.assert_allclose(g_fast.data, g_ref.data, rtol=1e-4, atol=1e-4)


@settings(max_examples=examples(10))
@given(data=st.data())
def test_maxpool2d_fast_equals_reference_values_and_gradients(data):
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    h, w = kh * data.draw(st.integers(1, 4)), kw * data.draw(st.integers(1, 4))
    # Distinct values, so that each window's maximum (and its gradient) is unique.
    values = np.random.default_rng(data.draw(st.integers(0, 99))).permutation(2 * 3 * h * w)
    X = shuffled(
        tl.named(values.reshape(2, 3, h, w).astype(np.float32), "batch channels height width"), data
    )

    def loss(impl):
        return lambda X: tl.sum(tl.maxpool2d(X, kh, kw, impl=impl) ** 2).data

    fast = jax.value_and_grad(loss("fast"))(X)
    ref = jax.value_and_grad(loss("reference"))(X)
    np.testing.assert_allclose(fast[0], ref[0], rtol=1e-6)
    assert fast[1].names == ref[1].names
    np.testing.assert_array_equal(fast[1].data, ref[1].data)


def test_maxpool2d_ties_share_the_gradient_like_the_reference():
    # All-equal windows: every position ties for the maximum.
    X = tl.named(jnp.zeros((2, 1, 4, 4)), "batch channels height width")

    def loss(impl):
        return lambda X: tl.sum(tl.maxpool2d(X, 2, 2, impl=impl) * 3.0).data

    fast = jax.grad(loss("fast"))(X)
    ref = jax.grad(loss("reference"))(X)
    np.testing.assert_array_equal(fast.data, ref.data)
    np.testing.assert_allclose(np.asarray(fast.data), 0.75)  # 3 shared by 4 ties


@pytest.mark.parametrize("h, w, kh, kw", [(8, 6, 3, 1), (7, 7, 2, 4), (9, 8, 3, 3), (6, 5, 5, 2)])
def test_one_channel_conv2d_by_output_phases_matches_the_seed(h, w, kh, kw):
    # One input channel and an even output size take the phase lowering under
    # differentiation (`_lowering._phases_conv`); odd sizes take im2col.
    rng = np.random.default_rng(h * w + kh)
    X = tl.named(
        rng.standard_normal((3, 1, h, w)).astype(np.float32), "batch channels height width"
    )
    W = tl.named(rng.standard_normal((4, 1, kh, kw)).astype(np.float32), "channels' channels kh kw")
    out = tl.conv2d(X, W, impl="reference")
    cotangent = tl.NamedArray(jnp.asarray(rng.standard_normal(out.shape), jnp.float32), out.names)

    def loss(impl):
        return lambda X, W: tl.sum(tl.conv2d(X, W, impl=impl) * cotangent).data

    want = jax.value_and_grad(loss("reference"), argnums=(0, 1))(X, W)
    for got in (
        jax.value_and_grad(loss("fast"), argnums=(0, 1))(X, W),
        jax.jit(jax.value_and_grad(loss("fast"), argnums=(0, 1)))(X, W),
    ):
        np.testing.assert_allclose(got[0], want[0], rtol=1e-5, atol=1e-5)
        for g_got, g_want in zip(got[1], want[1], strict=True):
            np.testing.assert_allclose(g_got.data, g_want.data, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(
        tl.conv2d(X, W).align(out.names).data, out.data, rtol=1e-5, atol=1e-5
    )
