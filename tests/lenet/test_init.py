"""LeNet's initial parameters come from one compiled program, and are the same
bits as the six `jax.random.uniform` draws they replace, for every size, key
kind and transformation."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import typedlenet as tl

SIZES = [{}, {"conv_bias": True}, {"hidden": 50, "height": 32, "width": 32, "channels": (3, 6, 8)}]


def drawn_op_by_op(key, model):
    """The draws as `LeNet.__init__` made them before: split, then uniform each."""
    c = model.config
    (c1, c2, c3), (kh1, kw1), (kh2, kw2) = c.channels, c.kernel1, c.kernel2
    shapes = [
        ((c2, c1, kh1, kw1), c1 * kh1 * kw1),
        ((c3, c2, kh2, kw2), c2 * kh2 * kw2),
        ((c.inp, c.hidden), c.inp),
        ((c.hidden,), c.inp),
        ((c.hidden, c.classes), c.hidden),
        ((c.classes,), c.hidden),
        ((c2,), c1 * kh1 * kw1),
        ((c3,), c2 * kh2 * kw2),
    ]
    keys = jax.random.split(key, 8)
    bounds = [1 / math.sqrt(f) for _, f in shapes]
    return [
        jax.random.uniform(k, s, jnp.float32, -b, b)
        for k, (s, _), b in zip(keys, shapes, bounds, strict=True)
    ]


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("seed", [0, 7])
def test_the_parameters_are_the_bits_drawn_op_by_op(sizes, seed):
    key = jax.random.PRNGKey(seed)
    model = tl.LeNet(key=key, **sizes)
    names = ["W1", "W2", "U", "b1", "V", "b2"] + (["B1", "B2"] if sizes.get("conv_bias") else [])
    for name, want in zip(names, drawn_op_by_op(key, model), strict=False):
        np.testing.assert_array_equal(getattr(model, name).data, want, err_msg=name)
    assert model.B1 is None or sizes.get("conv_bias")


def test_typed_keys_vmap_and_abstract_construction_draw_alike():
    model = tl.LeNet(key=jax.random.PRNGKey(3))
    typed = tl.LeNet(key=jax.random.wrap_key_data(jax.random.PRNGKey(3)))
    np.testing.assert_array_equal(typed.U.data, model.U.data)
    keys = jax.random.split(jax.random.PRNGKey(0), 3)
    stacked = jax.vmap(lambda k: tl.LeNet(key=k).W2.data)(keys)
    np.testing.assert_array_equal(stacked[1], tl.LeNet(key=keys[1]).W2.data)
    like = eqx.filter_eval_shape(lambda: tl.LeNet(key=jax.random.PRNGKey(0)))
    assert like.W1.data.shape == model.W1.data.shape and not isinstance(like.W1.data, jax.Array)
