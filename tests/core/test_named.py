"""NamedArray itself: construction, errors, printing, transformations, indexing."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import typedlenet as tl

from oracle import at, named_arrays, positions


def test_named_from_string_and_sequence():
    x = tl.named(np.zeros((8, 1, 28, 28), np.float32), "batch channels height width")
    y = tl.named(jnp.zeros((8, 1, 28, 28)), ["batch", "channels", "height", "width"])
    assert x.names == y.names == ("batch", "channels", "height", "width")
    assert x.sizes == {"batch": 8, "channels": 1, "height": 28, "width": 28}
    assert x.shape == (8, 1, 28, 28)
    assert x.dtype == jnp.float32
    assert x.ndim == 4
    assert isinstance(x.data, jax.Array)


def test_names_follow_the_annotation_grammar():
    x = tl.named(jnp.zeros((6, 1, 5, 5)), ["channels'", "channels", "kh", "α-β"])
    assert x.sizes["channels'"] == 6 and x.sizes["α-β"] == 5


@pytest.mark.parametrize(
    "bad, problem",
    [("a b", "whitespace"), ("3", "digit"), ("2d", "digit"), ("", "empty"), ("h:3", "`:`")],
)
def test_names_that_break_the_grammar_are_refused_where_made(bad, problem):
    with pytest.raises(tl.AxisError, match=problem) as info:
        tl.named(jnp.zeros((2, 3)), ["ok", bad])
    assert info.value.axis == bad and "an axis name is" in str(info.value)


@pytest.mark.parametrize("bad", ["3", "2d", "_"])
def test_annotations_refuse_names_they_would_misread(bad):
    with pytest.raises(ValueError, match=f"the axis name `{bad}`"):
        tl.Float[tl.NamedArray, f"batch {bad}"]


def test_printing_shows_names_and_sizes():
    x = tl.named(jnp.zeros((8, 1, 28, 28)), "batch channels height width")
    assert repr(x) == "f32[batch:8, channels:1, height:28, width:28]"
    assert str(tl.named(jnp.zeros((2,), jnp.int32), "class")) == "i32[class:2]"
    assert repr(tl.named(jnp.zeros((), bool), "")) == "bool[]"


@pytest.mark.parametrize(
    "names, message",
    [
        ("a a b", "axis `a` appears twice"),
        ("a b", "has 2 names but the array has 3 axes"),
        ("a b c d", "has 4 names but the array has 3 axes"),
    ],
)
def test_bad_names_are_clear_errors(names, message):
    with pytest.raises(tl.AxisError, match=message):
        tl.named(jnp.zeros((2, 3, 4)), names)


def test_non_string_name_is_a_clear_error():
    # Caught by the annotation (`names: str | Sequence[str]`) or, where
    # beartype's sampling of the list misses it, by `named` itself.
    with pytest.raises(TypeError, match=r"names.*\[?'a', 3"):
        tl.named(jnp.zeros((2, 3)), ["a", 3])  # type: ignore[list-item]


@given(named_arrays(min_axes=1))
def test_align_stores_axes_in_the_given_order(x):
    order = tuple(reversed(x.names))
    y = x.align(order)
    assert y.names == order
    for p in positions(x.sizes):
        assert at(y, p) == at(x, p)


def test_align_rejects_other_names():
    x = tl.named(jnp.zeros((2, 3)), "a b")
    with pytest.raises(tl.AxisError, match="not an ordering"):
        x.align("a c")
    with pytest.raises(tl.AxisError, match="not an ordering"):
        x.align("a")


def test_works_under_jit_grad_eval_shape_and_filter_jit():
    x = tl.named(jnp.arange(6.0).reshape(2, 3), "a b")

    def f(x):
        return tl.sum(x * x, "b")

    y = jax.jit(f)(x)
    assert y.names == ("a",)
    np.testing.assert_allclose(y.data, [5.0, 50.0])
    assert eqx.filter_jit(f)(x).names == ("a",)

    g = jax.grad(lambda x: tl.sum(f(x)).data)(x)
    assert g.names == ("a", "b")
    np.testing.assert_allclose(g.data, 2 * x.data)

    s = jax.eval_shape(f, x)
    assert s.names == ("a",) and s.shape == (2,)


def test_vmap_by_name():
    x = tl.named(jnp.arange(24.0).reshape(2, 3, 4), "batch a b")
    w = tl.named(jnp.ones((4,)), "b")

    def one(x):  # written for one position of `batch`
        assert "batch" not in x.names
        return tl.dot(x, w, "b")

    y = tl.vmap(one, "batch")(x)
    assert y.names == ("batch", "a")
    np.testing.assert_allclose(y.align("batch a").data, np.asarray(x.data).sum(-1))
    # The mapped axis may be stored anywhere.
    z = tl.vmap(one, "batch")(x.align("a b batch"))
    np.testing.assert_allclose(z.align("batch a").data, y.align("batch a").data)


def test_vmap_errors():
    x = tl.named(jnp.zeros((2, 3)), "batch a")
    with pytest.raises(tl.AxisError, match="none of the arguments has it"):
        tl.vmap(lambda x: x, "time")(x)
    y = tl.named(jnp.zeros((3, 3)), "batch a")
    with pytest.raises(tl.AxisError, match="size 2 in one argument and 3"):
        tl.vmap(lambda x, y: x + y, "batch")(x, y)


def test_plain_jax_vmap_over_named_inside():
    def f(row):
        return tl.softmax(tl.named(row, "class"), "class").data

    out = jax.vmap(f)(jnp.ones((4, 10)))
    np.testing.assert_allclose(out, 0.1, rtol=1e-6)


def test_index_by_name():
    data = np.arange(24.0).reshape(2, 3, 4)
    x = tl.named(data, "a b c")
    y = x[{"b": 1}]
    assert y.names == ("a", "c")
    np.testing.assert_array_equal(y.data, data[:, 1, :])
    z = x[{"c": slice(1, 3), "a": -1}]
    assert z.names == ("b", "c")
    np.testing.assert_array_equal(z.data, data[-1, :, 1:3])
    w = jax.jit(lambda x, i: x[{"b": i}])(x, jnp.int32(2))
    np.testing.assert_array_equal(w.data, data[:, 2, :])


def test_index_errors():
    x = tl.named(jnp.zeros((2, 3)), "a b")
    with pytest.raises(tl.AxisError, match="has no axis `c`"):
        x[{"c": 0}]
    with pytest.raises(tl.AxisError, match="index 3 is out of range for axis `b`"):
        x[{"b": 3}]
    with pytest.raises(TypeError, match="index a NamedArray by name"):
        x[0]  # type: ignore[index]


@given(named_arrays(min_axes=1), st.data())
def test_index_matches_oracle(x, data):
    axis = data.draw(st.sampled_from(x.names))
    i = data.draw(st.integers(0, x.sizes[axis] - 1))
    y = x[{axis: i}]
    for p in positions(y.sizes):
        assert at(y, p) == at(x, {**p, axis: i})


def test_import_changes_nothing_and_train_tunes_the_allocator_unless_switched_off():
    import subprocess
    import sys

    linux = "True" if sys.platform.startswith("linux") else "False"
    code = (
        "import typedlenet, typedlenet.runtime as r; print(typedlenet.allocator_tuned()); "
        "print(r.tune_allocator_if_enabled())"
    )
    on = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert on.stdout.split() == ["False", linux]
    env = {**__import__("os").environ, "TYPEDLENET_TUNE_MALLOC": "0"}
    off = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert off.stdout.split() == ["False", "False"]
    env["TYPEDLENET_TUNE_MALLOC"] = "maybe"
    bad = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    # The import itself succeeds; the switch is refused where it is read.
    assert bad.returncode != 0 and "TYPEDLENET_TUNE_MALLOC='maybe'" in bad.stderr
    assert bad.stdout.split() == ["False"] and "ConfigError" in bad.stderr
