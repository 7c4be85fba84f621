"""Models beyond LeNet written with typedlenet's named operations only: a CNN with
padding and stride, and a Transformer encoder block (docs/transformer.md's) trained one
step; both verified abstractly for a symbolic batch (and sequence length)."""

import math
import pathlib
import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import typedlenet as tl
from typedlenet import Float, NamedArray

PAGE = pathlib.Path(__file__).parents[2] / "docs" / "transformer.md"


def param(key, spec):
    names, sizes = zip(*(axis.split(":") for axis in spec.split()))
    return tl.named(jax.random.normal(key, [int(s) for s in sizes]) * 0.3, names)


def conv(X, W, *, stride, padding):
    """conv(X; W) = W ·_{channels,kh,kw} U, U the strided windows of X padded by `padding`."""
    X = tl.pad(X, {"height": padding, "width": padding})
    U = tl.unfold(X, "height", "kh", W.sizes["kh"], stride=stride)
    U = tl.unfold(U, "width", "kw", W.sizes["kw"], stride=stride)
    return tl.rename(tl.dot(W, U, "channels kh kw"), {"channels'": "channels"})


def cnn(X: Float[NamedArray, "batch channels:1 height:28 width:28"], p):
    X = tl.relu(conv(X, p["W1"], stride=2, padding=1))  # height 14
    X = (X - tl.mean(X, "channels height width")) / tl.sqrt(
        tl.var(X, "channels height width") + 1e-5
    )
    X = tl.relu(conv(X, p["W2"], stride=2, padding=1))  # height 7
    U = tl.unfold(tl.pad(X, {"height": (0, 1), "width": (0, 1)}), "height", "kh", 2, stride=2)
    X = tl.max(tl.unfold(U, "width", "kw", 2, stride=2), "kh kw")  # height 4
    X = tl.flatten(X, "channels height width", "inp")
    return tl.dot(p["V"], X, "inp")


def cnn_params():
    k = jax.random.split(jax.random.PRNGKey(1), 3)
    return {
        "W1": param(k[0], "channels':4 channels:1 kh:3 kw:3"),
        "W2": param(k[1], "channels':8 channels:4 kh:3 kw:3"),
        "V": param(k[2], "inp:128 class:10") * 0.1,
    }


def loss_fn(model, p, X, labels):
    logits = model(X, p)
    return -tl.mean(tl.sum(tl.one_hot(labels, "class", 10) * tl.log_softmax(logits, "class")))


def test_cnn_with_padding_and_stride_is_verified_for_a_symbolic_batch():
    p = cnn_params()
    report = tl.verify(cnn, tl.abstract("batch:b channels:1 height:28 width:28"), p)
    out = report.tensors[-1][2]
    assert set(out.names) == {"batch", "class"} and str(out.sizes["batch"]) == "b"
    assert out.sizes["class"] == 10


def test_cnn_positions_match_lax_conv():
    p = cnn_params()
    X = jax.random.normal(jax.random.PRNGKey(2), (2, 1, 28, 28))
    named = conv(tl.named(X, "batch channels height width"), p["W1"], stride=2, padding=1)
    W = p["W1"].align("channels' channels kh kw").data
    positional = jax.lax.conv_general_dilated(X, W, (2, 2), [(1, 1), (1, 1)])
    got = named.align("batch channels height width").data
    np.testing.assert_allclose(got, positional, rtol=1e-5, atol=1e-5)


def test_cnn_trains_a_step_with_named_gradients():
    p = cnn_params()
    X = tl.named(
        jax.random.normal(jax.random.PRNGKey(3), (8, 1, 28, 28)), "batch channels height width"
    )
    labels = tl.named(jnp.arange(8, dtype=jnp.uint8) % 10, "batch")
    value, g = jax.jit(tl.value_and_grad(lambda p: loss_fn(cnn, p, X, labels)))(p)
    assert g["W1"].names == p["W1"].names
    p2 = jax.tree_util.tree_map(lambda w, d: w - 0.05 * d, p, g)
    assert float(loss_fn(cnn, p2, X, labels)) < float(value)


def page_transformer():
    """docs/transformer.md's Transformer block, executed; its names (functions, `p`)
    returned."""
    blocks = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    block = next(b for b in blocks if "def encoder_block" in b)
    scope: dict = {}
    exec(compile(block, "docs/transformer.md", "exec"), scope)
    return scope


@pytest.fixture(scope="module")
def transformer():
    return page_transformer()


def test_transformer_block_is_verified_for_symbolic_batch_and_length(transformer):
    s = tl.symbols("b n", constraints=("n <= 64",))  # the position table's 64 rows
    tokens = tl.abstract("batch:b seq:n", jnp.int32, sizes=s)
    out = tl.verify(transformer["encoder_block"], tokens, transformer["p"]).tensors[-1][2]
    assert out.sizes == {"batch": s["b"], "seq": s["n"], "embed": 32}


def test_transformer_block_matches_positional_attention(transformer):
    p, block = transformer["p"], transformer["encoder_block"]
    tokens = np.array([[5, 17, 42, 0, 0], [7, 7, 3, 9, 1]])
    got = block(tl.named(jnp.asarray(tokens), "batch seq"), p).align("batch seq embed").data

    def a(name, order):
        return p[name].align(order).data

    def ln(x):
        return (x - x.mean(-1, keepdims=True)) / jnp.sqrt(x.var(-1, keepdims=True) + 1e-5)

    X = a("E", "vocab embed")[tokens] + a("P", "pos embed")[: tokens.shape[1]][None]
    h = ln(X)
    Q = jnp.einsum("bse,ehk->bhsk", h, a("Wq", "embed heads key"))
    K = jnp.einsum("bse,ehk->bhsk", h, a("Wk", "embed heads key"))
    V = jnp.einsum("bse,ehk->bhsk", h, a("Wv", "embed heads key"))
    scores = jnp.einsum("bhsk,bhtk->bhst", Q, K) / math.sqrt(8)
    scores = jnp.where((tokens != 0)[:, None, None, :], scores, -1e9)
    att = jnp.einsum("bhst,bhtk->bhsk", jax.nn.softmax(scores, -1), V)
    X = X + jnp.einsum("bhsk,hke->bse", att, a("Wo", "heads key embed"))
    H = jax.nn.gelu(ln(X) @ a("W1", "embed hidden") + a("b1", "hidden")[None, None, :])
    expected = X + H @ a("W2", "hidden embed")
    np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-4)


def test_transformer_block_gradient_by_name(transformer):
    p, block = transformer["p"], transformer["encoder_block"]
    tokens = tl.named(jnp.array([[5, 17, 42, 0, 0]]), "batch seq")
    g = tl.grad(lambda p: tl.mean(block(tokens, p) ** 2))(p)
    assert all(g[k].names == p[k].names for k in p)
    # `take` is a gather: only the embedding rows of the tokens used get a gradient
    rows = np.abs(np.asarray(g["E"].align("vocab embed").data)).sum(axis=1)
    assert set(np.flatnonzero(rows)) == {0, 5, 17, 42}
