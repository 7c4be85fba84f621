"""`typedlenet.nn` against positional oracles: each layer's values (and, for the
layers with two paths, fast against reference in values and gradients)."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl
from typedlenet import nn

from oracle import examples

KEY = jax.random.PRNGKey(0)


def rand(shape, names, seed=1):
    return tl.named(jax.random.normal(jax.random.PRNGKey(seed), shape), names)


def data(x, order):
    return np.asarray(x.align(order).data)


def test_linear_contracts_named_inputs_into_named_outputs():
    layer = nn.Linear("embed:4 pos:3", "hidden:5", key=KEY)
    x = rand((2, 3, 4), "batch pos embed")
    W, b = data(layer.W, "embed pos hidden"), data(layer.b, "hidden")
    expected = np.einsum("bpe,eph->bh", data(x, "batch pos embed"), W) + b
    np.testing.assert_allclose(data(layer(x), "batch hidden"), expected, rtol=1e-5, atol=1e-5)


def test_linear_may_keep_its_axis_name_and_mlp_composes():
    layer = nn.Linear("embed:4", "embed:4", key=KEY)
    assert layer.W.names == ("embed", "embed'")
    x = rand((3, 4), "seq embed")
    expected = data(x, "seq embed") @ data(layer.W, "embed embed'") + data(layer.b, "embed")[None]
    np.testing.assert_allclose(data(layer(x), "seq embed"), expected, rtol=1e-5, atol=1e-5)
    mlp = nn.MLP("embed:4", "hidden:8", "embed:4", key=KEY)
    h = jax.nn.gelu(
        data(x, "seq embed") @ data(mlp.first.W, "embed hidden") + data(mlp.first.b, "hidden")[None]
    )
    out = h @ data(mlp.second.W, "hidden embed") + data(mlp.second.b, "embed")[None]
    np.testing.assert_allclose(data(mlp(x), "seq embed"), out, rtol=1e-5, atol=1e-5)


def test_linear_errors_name_the_layer_and_axis():
    layer = nn.Linear("embed:4", "hidden:5", key=KEY)
    with pytest.raises(tl.AxisError, match="Linear: axis `embed` has size 4 in the layer and 3"):
        layer(rand((2, 3), "batch embed"))
    with pytest.raises(tl.AxisError, match="already has an axis `hidden`"):
        layer(rand((5, 4), "hidden embed"))
    with pytest.raises(tl.AxisError, match="an integer size"):
        nn.Linear("embed", "hidden:5", key=KEY)


def test_embedding_is_a_lookup():
    emb = nn.Embedding("vocab:10", "embed:3", key=KEY)
    tokens = np.array([[1, 9, 0], [4, 4, 2]])
    got = emb(tl.named(jnp.asarray(tokens, jnp.uint8), "batch seq"))
    np.testing.assert_allclose(data(got, "batch seq embed"), data(emb.E, "vocab embed")[tokens])


def test_layer_norm_over_named_axes():
    norm = nn.LayerNorm("embed:4")
    x = rand((4, 3), "embed seq")  # stored with embed first
    a = data(x, "seq embed")
    expected = (a - a.mean(1, keepdims=True)) / np.sqrt(a.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(data(norm(x), "seq embed"), expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(tl.AxisError, match="no axis `embed`"):
        norm(rand((3,), "seq"))


def test_dropout_scales_what_it_keeps_and_is_off_in_inference():
    x = tl.named(jnp.ones((200, 50)), "batch embed")
    drop = nn.Dropout(0.25)
    y = np.asarray(drop(x, key=KEY).data)
    assert np.all(np.isclose(y, 0.0) | np.isclose(y, 1 / 0.75))
    assert 0.2 < (y == 0).mean() < 0.3
    assert drop(x, inference=True) is x and nn.Dropout(0.25, inference=True)(x) is x
    with pytest.raises(TypeError, match="needs `key=`"):
        drop(x)
    with pytest.raises(tl.AxisError, match=r"`p` \(=1.5\)"):
        nn.Dropout(1.5)


@st.composite
def conv_cases(draw):
    spatial = draw(st.sampled_from([("time",), ("height", "width")]))
    groups = draw(st.sampled_from([1, 2]))
    cin, cout = 2 * draw(st.integers(1, 2)), 2 * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in spatial)
    stride = tuple(draw(st.integers(1, 2)) for _ in spatial)
    dilation = tuple(draw(st.integers(1, 2)) for _ in spatial)
    padding = draw(st.sampled_from(["valid", "same", 1, "before-after"]))
    if padding == "before-after":
        padding = {a: (0, 2) for a in spatial}
    sizes = tuple(draw(st.integers(6, 8)) for _ in spatial)
    return spatial, groups, cin, cout, kernel, stride, dilation, padding, sizes


@settings(max_examples=examples(40, quick=4))  # each example compiles 6 programs
@given(conv_cases())
def test_conv_fast_reference_and_lax_agree(case):
    spatial, groups, cin, cout, kernel, stride, dilation, padding, sizes = case
    same = cin == cout

    def build(impl):
        return nn.Conv(
            " ".join(spatial),
            f"channels:{cin}",
            f"channels:{cout}" if same else f"out:{cout}",
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            key=KEY,
            impl=impl,
        )

    conv, conv_reference = build("fast"), build("reference")
    x = rand((2, *sizes, cin), ("batch", *spatial, "channels"))
    out_name = "channels" if same else "out"
    order = ("batch", out_name, *spatial)
    fast = conv(x)
    reference = conv_reference(x)
    w_out = "channels'" if same else "out"
    windows = tuple(nn.window_name(a) for a in spatial)
    W = data(conv.W, (w_out, "channels", *windows))
    pads = conv.padding.upper() if isinstance(conv.padding, str) else conv.padding
    expected = (
        jax.lax.conv_general_dilated(
            jnp.asarray(data(x, ("batch", "channels", *spatial))),
            jnp.asarray(W),
            stride,
            pads,
            rhs_dilation=dilation,
            feature_group_count=groups,
        )
        + data(conv.b, (out_name,))[(None, slice(None)) + (None,) * len(spatial)]
    )
    np.testing.assert_allclose(data(fast, order), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(data(reference, order), expected, rtol=1e-4, atol=1e-4)

    def loss(c, x):
        return jnp.sum(c(x).align(order).data ** 2)

    g_fast = jax.grad(loss, argnums=(0, 1))(conv, x)
    g_ref = jax.grad(loss, argnums=(0, 1))(conv_reference, x)
    np.testing.assert_allclose(
        g_fast[0].W.data, g_ref[0].W.align(g_fast[0].W.names).data, rtol=1e-3, atol=1e-3
    )
    np.testing.assert_allclose(
        g_fast[1].data, g_ref[1].align(g_fast[1].names).data, rtol=1e-3, atol=1e-3
    )


def test_conv_same_padding_keeps_the_size_and_errors_are_named():
    conv = nn.Conv("height width", "channels:1", "channels:4", 3, padding="same", key=KEY)
    x = rand((2, 1, 7, 9), "batch channels height width")
    assert conv(x).sizes == {"batch": 2, "channels": 4, "height": 7, "width": 9}
    with pytest.raises(tl.AxisError, match="Conv: axis `channels` has size 1 in the layer and 3"):
        conv(rand((2, 3, 7, 9), "batch channels height width"))
    with pytest.raises(tl.AxisError, match="`groups` \\(=3\\) must divide"):
        nn.Conv("time", "channels:4", "channels:4", 3, groups=3, key=KEY)
    small = nn.Conv("time", "channels:1", "out:1", 5, key=KEY)
    with pytest.raises(tl.AxisError, match="the kernel spans 5 positions of `time`, which has 3"):
        small(rand((3, 1), "time channels"))


@pytest.mark.parametrize("pool, reduce", [(nn.MaxPool, np.max), (nn.AvgPool, np.mean)])
@pytest.mark.parametrize("window, stride", [(2, None), (3, 2), ((2, 3), (1, 2))])
def test_pools_fast_reference_and_numpy_agree(pool, reduce, window, stride):
    x = rand((2, 7, 3, 8), "batch height channels width")
    fast = pool("height width", window, stride=stride)
    reference = pool("height width", window, stride=stride, impl="reference")
    kh, kw = window if isinstance(window, tuple) else (window, window)
    sh, sw = (
        stride if isinstance(stride, tuple) else ((kh, kw) if stride is None else (stride, stride))
    )
    a = data(x, "batch channels height width")
    rows, cols = (7 - kh) // sh + 1, (8 - kw) // sw + 1
    expected = np.stack(
        [
            np.stack(
                [
                    reduce(a[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw], axis=(2, 3))
                    for j in range(cols)
                ],
                -1,
            )
            for i in range(rows)
        ],
        -2,
    )
    order = "batch channels height width"
    np.testing.assert_allclose(data(fast(x), order), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(data(reference(x), order), expected, rtol=1e-5, atol=1e-6)
    g_fast = jax.grad(lambda x: tl.sum(fast(x) ** 2).data)(x)
    g_ref = jax.grad(lambda x: tl.sum(reference(x) ** 2).data)(x)
    np.testing.assert_allclose(data(g_fast, order), data(g_ref, order), rtol=1e-5, atol=1e-6)


def test_max_pool_pads_with_minus_infinity():
    x = tl.named(-jnp.ones((1, 3)), "batch time")
    y = nn.MaxPool("time", 2, padding="same")(x)
    assert y.data.tolist() == [[-1.0, -1.0]]


def test_attention_is_the_papers_definition():
    att = nn.MultiHeadAttention("embed:6", heads=2, key_size=3, key=KEY)
    x = rand((2, 4, 6), "batch seq embed")
    mask = tl.arange("seq", 4) >= tl.arange("seq'", 4)  # causal
    got = data(att(x, mask=mask), "batch seq embed")
    a = data(x, "batch seq embed")
    Q = np.einsum("bse,ehk->bhsk", a, data(att.Wq, "embed heads key"))
    K = np.einsum("bse,ehk->bhsk", a, data(att.Wk, "embed heads key"))
    V = np.einsum("bse,ehk->bhsk", a, data(att.Wv, "embed heads key"))
    scores = np.einsum("bhsk,bhtk->bhst", Q, K) / math.sqrt(3)
    scores = np.where(np.tril(np.ones((4, 4), bool)), scores, -np.inf)
    A = np.exp(scores - scores.max(-1, keepdims=True))
    A /= A.sum(-1, keepdims=True)
    expected = np.einsum(
        "bhsk,hke->bse", np.einsum("bhst,bhtk->bhsk", A, V), data(att.Wo, "heads key embed")
    )
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    with pytest.raises(tl.AxisError, match="`mask` has the axis `time`"):
        att(x, mask=tl.named(jnp.ones(4, bool), "time"))


def test_stacked_applies_each_layer_in_turn():
    stacked = nn.Stacked(lambda k: nn.Linear("embed:3", "embed:3", key=k), 4, key=KEY)
    assert stacked.layers.W.names == ("layer", "embed", "embed'")
    x = rand((2, 3), "batch embed")
    expected = x
    for i in range(4):
        expected = stacked.layer(i)(expected)
    np.testing.assert_allclose(
        data(stacked(x), "batch embed"), data(expected, "batch embed"), rtol=1e-5
    )
    jitted = eqx.filter_jit(lambda s, x: s(x))(stacked, x)
    np.testing.assert_allclose(
        data(jitted, "batch embed"), data(expected, "batch embed"), rtol=1e-5
    )


def test_init_takes_names():
    W = nn.init(KEY, "embed:64 hidden:256", fan_in="embed")
    assert W.sizes == {"embed": 64, "hidden": 256}
    assert float(jnp.abs(W.data).max()) <= 1 / 8
    assert nn.zeros("a:2").data.tolist() == [0, 0] and nn.ones("a:1 b:1").names == ("a", "b")
    with pytest.raises(tl.AxisError, match='axis `a` appears twice in "'):
        nn.init(KEY, "a:2 a:3")
    with pytest.raises(tl.AxisError, match="`fan_in` names `c`"):
        nn.init(KEY, "a:2 b:3", fan_in="c")


@pytest.mark.parametrize("mode", ["eager", "jit", "eval_shape"])
def test_layer_errors_under_every_mode(mode):
    layer = nn.LayerNorm("embed:4")
    x = rand((2, 5), "batch embed")
    run = {
        "eager": lambda: layer(x),
        "jit": lambda: eqx.filter_jit(lambda m, x: m(x))(layer, x),
        "eval_shape": lambda: eqx.filter_eval_shape(lambda m, x: m(x), layer, x),
    }
    with pytest.raises(tl.AxisError, match="LayerNorm: axis `embed` has size 4 in the layer and 5"):
        run[mode]()


def test_symbolic_lengths_verify_and_undecidable_fits_are_axis_errors():
    s = tl.symbols("b t", constraints=("t >= 5",))
    x = tl.abstract("batch:b channels:4 time:t", sizes=s)
    conv = nn.Conv("time", "channels:4", "channels:8", 5, stride=2, padding="same", key=KEY)
    y = eqx.filter_eval_shape(lambda c, x: c(x), conv, x)
    assert y.sizes["batch"] == s["b"] and str(y.sizes["time"]) == "- floordiv(- t, 2)"
    free_t = tl.abstract("batch:b channels:4 time:t", sizes=tl.symbols("b t"))
    for layer in (nn.Conv("time", "channels:4", "channels:8", 5, key=KEY), nn.MaxPool("time", 5)):
        with pytest.raises(tl.AxisError, match=r"cannot prove that t >= 5 \(axis `time`\)"):
            eqx.filter_eval_shape(lambda c, x: c(x), layer, free_t)


def test_a_pair_pads_a_single_axis_before_and_after():
    causal = nn.Conv("time", "channels:1", "channels:1", 5, padding=(4, 0), key=KEY)
    x = np.arange(10.0)
    y = causal(tl.named(jnp.asarray(x).reshape(1, 10), "channels time"))
    W = data(causal.W, "channels' channels k_time")[0, 0]
    padded = np.concatenate([np.zeros(4), x])  # position t sees x[t-4..t]: causal
    assert causal.b is not None
    expected = [padded[t : t + 5] @ W + float(causal.b.data[0]) for t in range(10)]
    np.testing.assert_allclose(data(y, "channels time")[0], expected, rtol=1e-5, atol=1e-5)


def test_embedding_names_float_tokens():
    with pytest.raises(TypeError, match="Embedding: `tokens` must be a NamedArray of integers"):
        nn.Embedding("vocab:10", "embed:4", key=KEY)(tl.named(jnp.ones(3), "seq"))
