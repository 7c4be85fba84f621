"""ConvTranspose against numpy scattering each input position's kernel, as the adjoint
of Conv, its gradient against positional JAX, its errors eagerly, under jit and
eval_shape, and its sizes for symbolic inputs."""

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

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: eqx.filter_jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


def scatter_oracle(x, W, b, stride, dilation, lo, extra, out_len):
    """y[o, p] = b[o] + sum over c, k, q with p = q·s + k·d - lo of W[c, o, k] x[c, q]."""
    cin, n = x.shape
    kernel = W.shape[2]
    y = np.tile(b[:, None], (1, out_len)).astype(np.float64)
    for c in range(cin):
        for q in range(n):
            for k in range(kernel):
                p = q * stride + k * dilation - lo
                if 0 <= p < out_len:
                    y[:, p] += W[c, :, k] * x[c, q]
    return y


@settings(max_examples=examples(30, quick=10), deadline=None)
@given(
    n=st.integers(1, 6),
    cin=st.integers(1, 3),
    cout=st.integers(1, 3),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    padding=st.sampled_from(["valid", "same", 0, 1, (1, 0)]),
    seed=st.integers(0, 2**16),
)
def test_matches_the_scatter_oracle(n, cin, cout, kernel, stride, dilation, padding, seed):
    layer = nn.ConvTranspose(
        "time",
        f"c:{cin}",
        f"o:{cout}",
        kernel,
        stride=stride,
        dilation=dilation,
        padding=padding,
        key=jax.random.PRNGKey(seed),
    )
    x = np.random.default_rng(seed).standard_normal((2, cin, n)).astype(np.float32)
    span = (kernel - 1) * dilation + 1
    lo, hi, extra = layer._pads()[0]
    out_len = (n - 1) * stride + span - lo - hi + extra
    if out_len < 1:  # the padding removes more than the kernel and stride add
        with pytest.raises(tl.AxisError) as caught:
            layer(tl.named(x, "batch c time"))
        assert (caught.value.kind, caught.value.axis, caught.value.actual) == (
            "bad_size",
            "time",
            n,
        )
        return
    y = layer(tl.named(x, "batch c time").align(("time", "c", "batch")))
    assert y.sizes == {"batch": 2, "o": cout, "time": out_len}
    if padding == "same":
        assert out_len == n * stride
    W = np.asarray(layer.W.align(("c", "o", "k_time")).data, np.float64)
    b = np.asarray(layer.b.align(("o",)).data if layer.b is not None else np.zeros(cout))
    for i in range(2):
        expected = scatter_oracle(x[i], W, b, stride, dilation, lo, extra, out_len)
        got = y.align(("batch", "o", "time")).data[i]
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("stride, padding", [(1, "valid"), (2, "valid"), (2, "same"), (3, 1)])
def test_is_the_adjoint_of_conv(stride, padding):
    """<Conv(y), x> = <y, ConvTranspose(x)> with the same weights. A strided Conv
    maps several input sizes to one output size: `output_padding` names which."""
    conv = nn.Conv(
        "height width",
        "c:2",
        "o:3",
        3,
        stride=stride,
        padding=padding,
        key=jax.random.PRNGKey(0),
        bias=False,
    )
    # 8 positions, a multiple of every stride here: "same" pads alike both ways.
    y = tl.named(jax.random.normal(jax.random.PRNGKey(2), (2, 2, 8, 8)), "batch c height width")
    cy = conv(y)
    n = cy.size_of("height")
    lo, hi = (0, 0) if padding == "valid" else (1, 1) if padding == 1 else (0, 1)
    natural = (n - 1) * stride + 3 - lo - hi
    up = nn.ConvTranspose(
        "height width",
        "o:3",
        "c:2",
        3,
        stride=stride,
        padding=padding,
        output_padding=0 if padding == "same" else 8 - natural,
        key=jax.random.PRNGKey(1),
        bias=False,
    )
    up = eqx.tree_at(lambda m: m.W, up, conv.W.align(("o", "c", "kh", "kw")))
    x = tl.named(jax.random.normal(jax.random.PRNGKey(3), cy.shape), cy.names)
    up_x = up(x)
    assert up_x.sizes == y.sizes
    left = float(tl.sum(cy * x).data)
    right = float(tl.sum(y * up_x).data)
    np.testing.assert_allclose(left, right, rtol=1e-4)


def test_gradient_matches_positional_jax():
    layer = nn.ConvTranspose("height width", "c:2", "o:3", 2, stride=2, key=jax.random.PRNGKey(0))
    x = jax.random.normal(jax.random.PRNGKey(1), (1, 2, 4, 5))
    w = layer.W.align(("c", "o", "kh", "kw")).data
    assert layer.b is not None
    b = layer.b.align(("o",)).data

    def named(x):
        return tl.sum(layer(tl.named(x, "batch c height width")) ** 2).data

    def positional(x):
        # stride 2, kernel 2: each input pixel fills one 2x2 block of the output.
        y = jnp.einsum("bchw,cokl->bohkwl", x, w).reshape(1, 3, 8, 10) + b[None, :, None, None]
        return jnp.sum(y**2)

    np.testing.assert_allclose(jax.grad(named)(x), jax.grad(positional)(x), rtol=1e-5)


def test_sizes_for_symbolic_inputs():
    up = nn.ConvTranspose(
        "height width", "channels:4", "channels:2", 2, stride=2, key=jax.random.PRNGKey(0)
    )
    out = tl.verify(up, tl.abstract("batch:b channels:4 height:h width:w")).tensors[-1][2]
    assert {k: str(v) for k, v in out.sizes.items()} == {
        "batch": "b",
        "channels": "2",
        "height": "2*h",
        "width": "2*w",
    }


ERRORS = {
    "channels of another size": ("batch:1 channels:5 height:4 width:4", "channels"),
    "no spatial axis": ("batch:1 channels:4 height:4 depth:4", "width"),
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_errors_name_the_axis(case, mode):
    spec, axis = ERRORS[case]
    up = nn.ConvTranspose(
        "height width", "channels:4", "channels:2", 2, stride=2, key=jax.random.PRNGKey(0)
    )
    names = [t.split(":")[0] for t in spec.split()]
    x = tl.named(jnp.ones([int(t.split(":")[1]) for t in spec.split()]), names)
    with pytest.raises(tl.AxisError) as caught:
        MODES[mode](up, x)
    assert caught.value.axis == axis and caught.value.op == "ConvTranspose"


@pytest.mark.parametrize("mode", sorted(MODES))
def test_an_axis_the_padding_would_empty_is_refused(mode):
    """Padding 1 on both sides of a 1-wide kernel: 1 position would become -1,
    2 would become 0; 3 is the least that leaves a position."""
    layer = nn.ConvTranspose("time", "c:1", "o:1", 1, padding=1, key=jax.random.PRNGKey(0))
    for n in (1, 2):
        with pytest.raises(tl.AxisError, match="time") as caught:
            MODES[mode](layer, tl.named(jnp.ones((2, 1, n)), "batch c time"))
        assert (caught.value.kind, caught.value.expected, caught.value.actual) == (
            "bad_size",
            ">= 3",
            n,
        )
    assert MODES[mode](layer, tl.named(jnp.ones((2, 1, 3)), "batch c time")).shape == (2, 1, 1)


def test_an_unprovable_output_size_asks_for_a_constraint():
    layer = nn.ConvTranspose("time", "c:1", "o:1", 1, padding=1, key=jax.random.PRNGKey(0))
    with pytest.raises(tl.AxisError, match="time") as caught:
        tl.verify(layer, tl.abstract("batch:b c:1 time:t"))
    assert caught.value.kind == "undecidable" and "t" in caught.value.symbols


def test_output_padding_must_lie_below_the_stride():
    with pytest.raises(tl.AxisError, match="output_padding") as caught:
        nn.ConvTranspose(
            "time", "c:1", "o:1", 3, stride=2, output_padding=2, key=jax.random.PRNGKey(0)
        )
    assert caught.value.argument == "output_padding"
