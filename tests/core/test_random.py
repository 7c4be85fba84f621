"""`tl.random`: the numbers JAX draws for the same key and shape, laid out by name
(any order of `sizes`), probabilities per position broadcast by name, integer
positions that know their range, errors eagerly, under `jax.jit` and
`jax.eval_shape`, symbolic sizes, and an import that draws and starts nothing."""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import NAMES, examples

MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


@settings(max_examples=examples(20, quick=5), deadline=None)
@given(
    sizes=st.dictionaries(st.sampled_from(NAMES), st.integers(1, 3), max_size=3),
    seed=st.integers(0, 2**16),
)
def test_the_numbers_are_jaxs_for_the_shape_in_the_order_of_sizes(sizes, seed):
    key = jax.random.key(seed)
    names, shape = tuple(sizes), tuple(sizes.values())
    draws = {
        "normal": (tl.random.normal(key, sizes), jax.random.normal(key, shape)),
        "uniform": (
            tl.random.uniform(key, sizes, -2.0, 3.0),
            jax.random.uniform(key, shape, minval=-2.0, maxval=3.0),
        ),
        "randint": (tl.random.randint(key, sizes, 0, 5), jax.random.randint(key, shape, 0, 5)),
        "bernoulli": (tl.random.bernoulli(key, 0.3, sizes), jax.random.bernoulli(key, 0.3, shape)),
    }
    for named, positional in draws.values():
        assert named.names == names
        np.testing.assert_array_equal(named.data, positional)
    known = tl.index_range(draws["randint"][0])
    assert known is not None and known.size == 5


def test_bernoulli_takes_a_probability_per_position_by_name():
    p = tl.named(jnp.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]]), "expert batch")
    drawn = tl.random.bernoulli(jax.random.key(0), p, {"batch": 3, "sample": 4})
    assert drawn.sizes == {"batch": 3, "sample": 4, "expert": 2}
    # Probabilities 0 and 1 decide every position: the oracle is p itself.
    hot = np.asarray(p.align("batch expert").data)[:, None, :] > 0.5
    expected = np.broadcast_to(hot, (3, 4, 2))
    np.testing.assert_array_equal(drawn.align("batch sample expert").data, expected)
    assert tl.random.bernoulli(jax.random.key(0), p).sizes == p.sizes


def test_random_positions_are_checked_against_the_axis_they_index():
    table = tl.named(jnp.zeros((4, 2)), "pos embed")
    picks = tl.random.randint(jax.random.key(1), "draw:6", 0, 4)
    assert table[{"pos": picks}].sizes == {"draw": 6, "embed": 2}
    with pytest.raises(tl.AxisError, match="randint below 5"):
        _ = table[{"pos": tl.random.randint(jax.random.key(1), "draw:6", 0, 5)}]
    assert tl.index_range(tl.random.randint(jax.random.key(1), "draw:6", -1, 3)) is None

    def model(x):  # positions drawn below the length of the very axis they index
        i = tl.random.randint(jax.random.key(2), {"batch": x.sizes["batch"]}, 0, x.sizes["seq"])
        return x[{"seq": i}], tl.random.normal(jax.random.key(3), x.sizes)

    report = tl.verify(model, tl.abstract("batch:b seq:n"))
    picked, noise = (t[2] for t in report.tensors[-2:])
    assert str(picked.sizes["batch"]) == "b"
    assert {a: str(s) for a, s in noise.sizes.items()} == {"batch": "b", "seq": "n"}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_errors_name_the_argument(mode):
    key = jax.random.key(0)
    p = tl.named(jnp.full((3,), 0.5), "batch")
    with pytest.raises(tl.AxisError, match="axis `batch` has size 2 in `sizes` and 3") as caught:
        MODES[mode](lambda p: tl.random.bernoulli(key, p, {"batch": 2}), p)
    assert (caught.value.argument, caught.value.expected, caught.value.actual) == ("p", 2, 3)
    with pytest.raises(tl.AxisError, match=r"`high` \(=2\) must be larger than `low` \(=2\)"):
        MODES[mode](lambda p: tl.random.randint(key, "batch:3", 2, 2) + p, p)
    with pytest.raises(tl.AxisError, match=r"`maxval` \(=1.0\) must be larger") as caught:
        MODES[mode](lambda p: tl.random.uniform(key, "batch:3", 2.0, 1.0) + p, p)
    assert caught.value.argument == "maxval"
    with pytest.raises(TypeError, match="`key` must be a JAX key"):
        MODES[mode](lambda p: tl.random.normal(p, "batch:3"), p)
    with pytest.raises(TypeError, match="`minval` must be a scalar"):
        MODES[mode](lambda p: tl.random.uniform(key, "batch:3", p), p)
    with pytest.raises(tl.AxisError, match="must be at least 0"):
        MODES[mode](lambda p: tl.random.normal(key, {"batch": -3}) + p, p)


def test_importing_typedlenet_draws_nothing_and_starts_no_backend():
    code = (
        "import typedlenet, typedlenet.random\n"
        "from jax._src import xla_bridge\n"
        "assert typedlenet.random is typedlenet._core.random\n"
        "print(xla_bridge.backends_are_initialized())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"]
