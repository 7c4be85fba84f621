"""LeNet against a numpy transcription of the seed's Model equations."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import typedlenet as tl

from oracle import np_conv, np_pool

KEY = jax.random.PRNGKey(0)


def images(config: tl.LeNetConfig, batch=4, seed=1):
    shape = (batch, config.channels[0], config.height, config.width)
    return tl.named(
        jax.random.uniform(jax.random.PRNGKey(seed), shape), "batch channels height width"
    )


def np_lenet(model: tl.LeNet, X0: np.ndarray) -> np.ndarray:
    """The seed's Model, equation by equation, in numpy, with the model's parameters."""
    p = {k: np.asarray(v, np.float64) for k, v in _params(model).items()}
    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    cfg = model.config
    X1 = relu(np_conv(X0, p["W1"]) + p.get("B1", np.zeros(1))[..., None, None])
    X2 = np_pool(X1, *cfg.pool1)
    X3 = relu(np_conv(X2, p["W2"]) + p.get("B2", np.zeros(1))[..., None, None])
    X4 = np_pool(X3, *cfg.pool2)
    X5 = X4.transpose(0, 2, 3, 1).reshape(X4.shape[0], -1)  # X^4_{height,width,channels} → inp
    logits = relu(X5 @ p["U"] + p["b1"]) @ p["V"] + p["b2"]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)  # softmax_class


def _params(model: tl.LeNet) -> dict[str, np.ndarray]:
    orders = {
        "W1": "channels' channels kh kw",
        "W2": "channels' channels kh kw",
        "U": "inp hidden",
        "b1": "hidden",
        "V": "hidden out",
        "b2": "out",
        "B1": "channels'",
        "B2": "channels'",
    }
    return {
        k: np.asarray(getattr(model, k).align(o).data)
        for k, o in orders.items()
        if getattr(model, k) is not None
    }


CONFIGS = {
    "default": {},
    "conv bias": {"conv_bias": True},
    "every size changed": {
        "height": 22,
        "width": 18,
        "channels": (3, 4, 5),
        "kernel1": (3, 5),
        "kernel2": 3,
        "pool1": (2, 1),
        "pool2": (2, 3),
        "hidden": 7,
        "classes": 4,
    },
}


@pytest.mark.parametrize("impl", ["fast", "reference"])
@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_lenet_is_the_seed(config, impl):
    model = tl.LeNet(key=KEY, impl=impl, **CONFIGS[config])
    X0 = images(model.config)
    O = model(X0)
    assert O.sizes == {"batch": 4, "class": model.config.classes}
    expected = np_lenet(model, np.asarray(X0.data, np.float64))
    np.testing.assert_allclose(O.align("batch class").data, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(tl.sum(O, "class").data, 1.0, rtol=1e-5)


def test_parameters_carry_the_seed_names():
    model = tl.LeNet(key=KEY)
    assert model.W1.sizes == {"channels'": 6, "channels": 1, "kh": 5, "kw": 5}
    assert model.W2.sizes == {"channels'": 16, "channels": 6, "kh": 5, "kw": 5}
    assert model.U.sizes == {"inp": 256, "hidden": 120}
    assert model.V.sizes == {"hidden": 120, "out": 10}
    assert model.b1.sizes == {"hidden": 120} and model.b2.sizes == {"out": 10}
    assert model.B1 is None and model.B2 is None
    assert model.config.inp == 16 * 4 * 4


def test_fan_in_initialisation():
    model = tl.LeNet(key=KEY)
    for W, fan_in in [(model.W1, 25), (model.W2, 150), (model.U, 256), (model.V, 120)]:
        bound = 1 / np.sqrt(fan_in)
        data = np.asarray(W.data)
        assert np.abs(data).max() <= bound
        assert np.abs(data).max() > 0.9 * bound


def test_output_does_not_depend_on_storage_order():
    model = tl.LeNet(key=KEY)
    X0 = images(model.config)
    O = model(X0).align("batch class").data
    for order in ["width height channels batch", "channels batch width height"]:
        np.testing.assert_allclose(model(X0.align(order)).align("batch class").data, O, atol=1e-6)


def test_single_image_is_lifted():
    model = tl.LeNet(key=KEY)
    X0 = images(model.config)
    one = model(X0[{"batch": 2}])
    assert one.names == ("class",)
    np.testing.assert_allclose(one.data, model(X0)[{"batch": 2}].data, atol=1e-6)


@pytest.mark.parametrize("conv_bias", [False, True])
def test_gradients_reach_every_parameter(conv_bias):
    model = tl.LeNet(key=KEY, conv_bias=conv_bias)
    X0 = images(model.config, batch=8)
    labels = jax.nn.one_hot(jnp.arange(8) % 10, 10)
    target = tl.named(labels, "batch class")

    def loss(m):
        return -tl.mean(tl.sum(target * m.log_probs(X0), "class")).data

    grads = jax.grad(loss)(model)
    names = ["W1", "W2", "U", "b1", "V", "b2"] + (["B1", "B2"] if conv_bias else [])
    for name in names:
        g = getattr(grads, name)
        assert g.names == getattr(model, name).names
        assert float(jnp.abs(g.data).sum()) > 0, name


def test_fast_and_reference_gradients_agree():
    model = tl.LeNet(key=KEY, conv_bias=True)
    X0 = images(model.config, batch=3)

    def loss(m):
        return tl.sum(m.log_probs(X0) * tl.named(jnp.arange(10.0), "class")).data

    g_fast = jax.grad(loss)(model)
    g_ref = jax.grad(loss)(model.with_impl("reference"))
    for name in ["W1", "W2", "U", "b1", "V", "b2", "B1", "B2"]:
        a, b = getattr(g_fast, name), getattr(g_ref, name)
        np.testing.assert_allclose(a.data, b.align(a.names).data, rtol=1e-4, atol=1e-6)


def test_checked_and_unchecked_runs_agree():
    model = tl.LeNet(key=KEY)
    X0 = images(model.config)
    checked = model(X0)
    with tl.checks(False):
        unchecked = model(X0)
        jitted = jax.jit(lambda m, x: m(x))(model, X0)
    np.testing.assert_array_equal(checked.data, unchecked.data)
    np.testing.assert_allclose(checked.data, jitted.data, atol=1e-6)


def test_log_probs_are_stable_log_of_o():
    model = tl.LeNet(key=KEY)
    X0 = images(model.config)
    np.testing.assert_allclose(
        jnp.exp(model.log_probs(X0).data), model(X0).data, rtol=1e-5, atol=1e-7
    )


@pytest.mark.parametrize(
    "sizes, message",
    [
        ({"height": 30}, r"`ph2` \(=2\) does not divide `height` \(=9\) of X\^3"),
        ({"width": 27}, r"`pw1` \(=2\) does not divide `width` \(=23\) of X\^1"),
        ({"height": 4}, r"`kh1` \(=5\) is larger than `height` \(=4\) of X\^0"),
        ({"channels": (1, 6)}, r"`channels` must be three positive ints"),
        ({"pool1": 0}, r"`pool1` must be a positive int or a pair"),
    ],
)
def test_a_configuration_that_cannot_type_check_fails_at_construction(sizes, message):
    with pytest.raises((tl.AxisError, ValueError), match=message):
        tl.LeNet(key=KEY, **sizes)


def test_wrong_input_is_named():
    model = tl.LeNet(key=KEY)
    X = tl.named(jnp.ones((2, 1, 32, 28)), "batch channels height width")
    with pytest.raises(tl.AxisTypeError, match="argument `X0`, axis `height`: expected size 28"):
        model(X)


def test_summary():
    text = tl.summary(tl.LeNet(key=KEY), batch=8)
    assert "X^0     input" in text
    assert "batch:8 (b), channels:1 (c1), height:28 (h), width:28 (w)" in text
    assert "height:24 (h-kh1+1)" in text
    assert "inp:256 (h1)" in text
    assert "class:10 (h3)" in text
    assert "W^1        channels':6 (c2), channels:1 (c1), kh:5 (kh1), kw:5 (kw1)   150" in text
    total = next(line for line in text.splitlines() if line.startswith("total"))
    assert total.split() == ["total", "34,600"]
    with_bias = tl.summary(tl.LeNet(key=KEY, conv_bias=True))
    assert "B^1" in with_bias and "34,622" in with_bias


@pytest.mark.parametrize(
    "chunks", [2, pytest.param(3, marks=pytest.mark.slow), pytest.param(4, marks=pytest.mark.slow)]
)
def test_pieces_of_the_batch_change_nothing(chunks):
    """`logits` computed in pieces of `batch` equals it computed whole."""
    whole = tl.LeNet(key=KEY, conv_bias=True, chunks=1)
    split = tl.LeNet(key=KEY, conv_bias=True, chunks=chunks)
    X0 = images(whole.config, batch=10)
    labels = tl.named(jnp.arange(10) % 10, "batch")
    np.testing.assert_allclose(
        split.logits(X0).align("batch class").data,
        whole.logits(X0).align("batch class").data,
        rtol=1e-6,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        split(X0).align("batch class").data, whole(X0).align("batch class").data, atol=1e-7
    )
    g_whole = jax.grad(tl.cross_entropy)(whole, X0, labels)
    g_split = jax.grad(tl.cross_entropy)(split, X0, labels)
    for name in ["W1", "W2", "U", "b1", "V", "b2", "B1", "B2"]:
        a, b = getattr(g_split, name), getattr(g_whole, name)
        np.testing.assert_allclose(a.data, b.align(a.names).data, rtol=1e-5, atol=1e-7)


def test_how_the_batch_is_split(monkeypatch):
    from typedlenet.lenet._model import _pieces

    config = tl.LeNetConfig()
    X = lambda n: tl.named(jnp.zeros((n, 1, 28, 28)), "batch channels height width")  # noqa: E731
    explicit = tl.LeNetConfig(chunks=3)
    assert _pieces(X(10), explicit) == [slice(0, 3), slice(3, 6), slice(6, 10)]
    assert len(_pieces(X(2), explicit)) == 2  # never an empty piece
    assert len(_pieces(X(512), tl.LeNetConfig(chunks=3, impl="reference"))) == 1
    # Several devices (the tests force 4): the batch may be sharded, so no split.
    assert jax.device_count() > 1 and len(_pieces(X(512), config)) == 1
    # One CPU device: 2 pieces from 64 images, 4 from 256.
    monkeypatch.setattr(jax, "device_count", lambda: 1)
    assert [len(_pieces(X(n), config)) for n in (63, 64, 255, 256)] == [1, 2, 2, 4]
    with pytest.raises(ValueError, match=r"`chunks` \(=0\) must be a positive int or None"):
        tl.LeNetConfig(chunks=0)


# glibc's mmap threshold rises to at most 32 MiB (DEFAULT_MMAP_THRESHOLD_MAX on
# 64-bit): a scratch buffer above it is mapped and unmapped at every step.
GLIBC_MMAP_THRESHOLD_MAX = 32 << 20


@pytest.mark.skipif(jax.default_backend() != "cpu", reason="XLA:CPU's scratch buffer")
def test_training_step_scratch_stays_in_the_heap_at_batch_512(monkeypatch):
    """The step a user writes (value_and_grad of a cross-entropy over `logits`,
    plain SGD, one jit) at b=512 with the built-in lowering of a single CPU
    device (4 pieces, "phases"; this suite runs 4 devices, so set here) needs
    a scratch buffer that glibc keeps in its heap without any malloc setting."""
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "0")
    model = tl.LeNet(key=KEY, chunks=4, conv_lowering="phases")
    X0 = images(model.config, batch=512)
    y = tl.named(jnp.arange(512, dtype=jnp.int32) % 10, "batch")

    def loss(m, X0, y):
        return jnp.mean(tl.cross_entropy(m.logits(X0), y, axis="class").data)

    def step(m, X0, y):
        grads = jax.grad(loss)(m, X0, y)
        return jax.tree.map(lambda p, g: p - 0.01 * g, m, grads)

    compiled = jax.jit(step).lower(model, X0, y).compile()
    analysis = compiled.memory_analysis()
    assert analysis is not None, "XLA:CPU reports its buffer sizes"
    temp = analysis.temp_size_in_bytes
    assert 0 < temp <= GLIBC_MMAP_THRESHOLD_MAX, f"{temp / 2**20:.1f} MiB of scratch"
