"""Eager calls run as one compiled call, checked while tracing: same values, same
errors, and the checks switch still counts."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import typedlenet as tl

MODEL = tl.LeNet(key=jax.random.PRNGKey(0))


def images(channels=1, batch=3):
    x = np.random.default_rng(0).random((batch, channels, 28, 28), np.float32)
    return tl.named(jnp.asarray(x), "batch channels height width")


def test_an_eager_call_equals_the_operation_by_operation_forward():
    X = images()
    np.testing.assert_allclose(MODEL(X).data, MODEL.forward(X)["O"].data, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        MODEL.logits(X).data, MODEL.forward(X)["logits"].data, rtol=1e-5, atol=1e-5
    )


def test_an_eager_call_that_breaks_the_types_fails_every_time():
    for _ in range(2):  # the failed trace is not cached as a success
        with pytest.raises(tl.AxisTypeError, match="bound by field `W1`"):
            MODEL(images(channels=3))


def test_the_checks_switch_is_part_of_the_cache():
    bad = tl.named(jnp.ones((2, 1, 28, 28), jnp.int32), "batch channels height width")
    with tl.checks(False):
        MODEL.logits(bad)  # no annotation check: integer images compute
    with pytest.raises(tl.AxisTypeError, match="dtype int32"):
        MODEL.logits(bad)  # checks on: traced again, and checked
