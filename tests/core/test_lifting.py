"""Positional functions lifted by name (`untag`/`nmap`/`tag`, `lift` with keywords),
`scan` and `grad` by name, scalars, the operator table, and named code meeting
positional code (numpy on the left, a NamedArray given to `jnp`)."""

import operator

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import typedlenet as tl

from oracle import assert_named_close, at, named_arrays, table

# --- untag / nmap / tag ------------------------------------------------------


@given(data=st.data())
def test_nmap_cumsum_over_any_axis(data):
    x = data.draw(named_arrays(min_axes=1, max_axes=3))
    axis = data.draw(st.sampled_from(x.names))
    y = tl.nmap(jnp.cumsum)(x.untag(axis)).tag(axis)

    def value(p):
        return sum(at(x, {**p, axis: i}) for i in range(p[axis] + 1))

    expected, names = table(x.sizes, value)
    assert_named_close(y, expected, names)


@given(data=st.data())
def test_nmap_norm_removes_the_untagged_axes(data):
    x = data.draw(named_arrays(min_axes=2, max_axes=3))
    a, b = data.draw(st.permutations(x.names))[:2]
    y = tl.nmap(jnp.linalg.norm)(tl.untag(x, a, b))
    rest = {n: s for n, s in x.sizes.items() if n not in (a, b)}

    def value(p):
        return np.sqrt(
            sum(
                at(x, {**p, a: i, b: j}) ** 2
                for i in range(x.size_of(a))
                for j in range(x.size_of(b))
            )
        )

    expected, names = table(rest, value)
    assert isinstance(y, tl.NamedArray)
    assert_named_close(y, expected, names)


@given(data=st.data())
def test_nmap_broadcasts_its_arguments_by_name(data):
    sizes = {"batch": 2, "time": 3, "embed": 4}
    x = data.draw(named_arrays(names=("batch", "time"), sizes=sizes))
    w = data.draw(named_arrays(names=("embed", "time"), sizes=sizes))
    # a positional function of one `time` vector each: their inner product
    y = tl.nmap(jnp.dot)(x.untag("time"), w.untag("time"))

    def value(p):
        return sum(at(x, {**p, "time": t}) * at(w, {**p, "time": t}) for t in range(3))

    expected, names = table({"batch": 2, "embed": 4}, value)
    assert_named_close(y, expected, names)


def test_nmap_passes_keywords_and_returns_pytrees():
    x = tl.named(jnp.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]), "batch vocab")
    values, where = tl.nmap(jax.lax.top_k)(x.untag("vocab"), 2)
    assert values.tag("best").align("batch best").data.tolist() == [[3, 2], [5, 4]]
    assert where.tag("best").align("batch best").data.tolist() == [[0, 2], [1, 2]]
    s = tl.nmap(jnp.sort)(x.untag("vocab"), descending=True).tag("vocab")
    assert s.align("batch vocab").data.tolist() == [[3, 2, 1], [5, 4, 0]]


def test_tag_and_untag_errors():
    x = tl.named(jnp.ones((2, 3)), "batch time")
    with pytest.raises(tl.AxisError, match="has 2 names but `x` has 1 positional axes"):
        x.untag("time").tag("a", "b")
    with pytest.raises(tl.AxisError, match="`time` is already an axis"):
        tl.nmap(jnp.cumsum)(x.untag("batch")).tag("time")
    with pytest.raises(tl.AxisError, match="no axis `seq`"):
        x.untag("seq")
    other = tl.named(jnp.ones((4,)), "batch")
    with pytest.raises(tl.AxisError, match=r"nmap\(dot\): axis `batch` has size 2"):
        tl.nmap(jnp.dot)(x.untag("time"), other)


@pytest.mark.parametrize("mode", ["eager", "jit", "eval_shape"])
def test_nmap_clash_under_every_mode(mode):
    x = tl.named(jnp.ones((2, 3)), "batch time")
    y = tl.named(jnp.ones((5, 3)), "batch time")

    def f():
        return tl.nmap(jnp.dot)(x.untag("time"), y.untag("time"))

    run = {
        "eager": lambda: f(),
        "jit": lambda: jax.jit(f)(),
        "eval_shape": lambda: jax.eval_shape(f),
    }
    with pytest.raises(tl.AxisError, match="axis `batch` has size 2 in argument 0 and 5"):
        run[mode]()


def test_lift_takes_keywords_and_points_non_elementwise_functions_to_nmap():
    x = tl.named(jnp.linspace(-2, 2, 6).reshape(2, 3), "a b")
    exact = tl.lift(jax.nn.gelu)(x, approximate=False)
    np.testing.assert_allclose(exact.data, jax.nn.gelu(x.data, approximate=False), rtol=1e-6)
    assert tl.gelu(x).names == ("a", "b")
    with pytest.raises(tl.AxisError, match=r"only elementwise functions lift.*tl.nmap"):
        tl.lift(jnp.sum)(x)


@pytest.mark.parametrize("mode", ["eager", "jit", "eval_shape"])
@pytest.mark.parametrize("fn", [jnp.max, jnp.min, jnp.argmax])
def test_a_reduction_on_an_empty_axis_is_refused_as_not_elementwise(fn, mode):
    """A reduction with no identity fails on an empty axis before its shape can be
    seen; the refusal is still the not-elementwise one, not numpy's."""
    x = tl.named(jnp.zeros((0, 3)), "a b")
    lifted = lambda x: tl.lift(fn)(x)  # noqa: E731
    run = {
        "eager": lambda: lifted(x),
        "jit": lambda: jax.jit(lifted)(x),
        "eval_shape": lambda: jax.eval_shape(lifted, x),
    }
    with pytest.raises(tl.AxisError, match=r"changed the shape.*only elementwise functions lift"):
        run[mode]()


@given(st.integers(0, 3), st.sampled_from(["first", "last"]))
def test_elementwise_functions_still_lift_over_empty_axes(k, where):
    shape = (0, k) if where == "first" else (k, 0)
    x = tl.named(jnp.zeros(shape), "a b")
    y = tl.lift(jnp.tanh)(x)
    assert y.names == ("a", "b") and y.shape == shape


@given(st.integers(1, 4), st.sampled_from([0, 1]))
def test_an_empty_axis_unflattens_into_sizes_that_include_zero(k, zero_at):
    """Against numpy's reshape, position by position (none: every array is empty)."""
    x = tl.named(np.zeros((0, 2), np.float32), "a b")
    sizes = {"c": 0, "d": k} if zero_at == 0 else {"c": k, "d": 0}
    y = tl.unflatten(x, "a", sizes)
    want = np.zeros((0, 2), np.float32).reshape(*sizes.values(), 2)
    assert y.names == ("c", "d", "b") and y.shape == want.shape
    with pytest.raises(tl.AxisError, match="must be at least 0"):
        tl.unflatten(x, "a", {"c": -1, "d": k})


@pytest.mark.parametrize("fn", [jnp.sin, jax.nn.gelu, jnp.cumsum, jnp.linalg.norm, jnp.asarray])
def test_a_named_array_given_to_jnp_says_how_to_lift(fn):
    x = tl.named(jnp.ones((2, 3)), "a b")
    with pytest.raises(TypeError, match=r"tl.lift\(f\)\(x\).*tl.nmap"):
        fn(x)


# --- scan and grad -----------------------------------------------------------


def test_scan_slices_keep_their_names_and_the_carry_is_a_pytree():
    layers = {"W": tl.named(jnp.arange(12.0).reshape(3, 2, 2), "layer embed embed'")}
    h0 = {"h": tl.named(jnp.ones(2), "embed"), "count": tl.named(jnp.zeros(()), "")}

    def step(carry, layer):
        assert layer["W"].names == ("embed", "embed'")
        h = tl.rename(tl.dot(layer["W"], carry["h"], "embed"), {"embed'": "embed"})
        return {"h": h, "count": carry["count"] + 1}, tl.sum(h)

    carry, sums = tl.scan(step, h0, layers, "layer")
    expected = np.ones(2)
    for W in np.arange(12.0).reshape(3, 2, 2):
        expected = expected @ W
    np.testing.assert_allclose(carry["h"].data, expected)
    assert float(carry["count"]) == 3 and sums.names == ("layer",)


def test_scan_refuses_a_carry_that_changes_and_inputs_without_the_axis():
    xs = tl.named(jnp.ones((3, 2)), "layer embed")
    with pytest.raises(tl.AxisError, match="the carry changed"):
        tl.scan(lambda c, x: (tl.rename(c, {"embed": "e"}), None), xs[{"layer": 0}], xs, "layer")
    with pytest.raises(tl.AxisError, match="must be a NamedArray with the axis `time`"):
        tl.scan(lambda c, x: (c, None), xs[{"layer": 0}], xs, "time")


def test_grad_and_value_and_grad_of_a_named_loss():
    w = tl.named(jnp.array([[1.0, 2.0], [3.0, 4.0]]), "a b")

    def loss(w):
        return tl.sum(w * w)

    g = tl.grad(loss)(w)
    assert g.names == w.names
    np.testing.assert_allclose(g.data, 2 * w.data)
    value, g2 = tl.value_and_grad(loss)(w)
    np.testing.assert_allclose(g2.data, g.data)
    assert isinstance(value, tl.NamedArray) and value.names == () and float(value) == 30.0
    (value, aux), _ = jax.jit(tl.value_and_grad(lambda w: (loss(w), w), has_aux=True))(w)
    assert float(value) == 30.0 and aux.names == ("a", "b")
    with pytest.raises(tl.AxisError, match="value has the axis `b`"):
        tl.grad(lambda w: tl.sum(w, "a"))(w)


def test_scalars_convert():
    s = tl.sum(tl.named(jnp.arange(4.0), "i"))
    assert float(s) == 6.0 and int(s) == 6 and s.item() == 6.0 and bool(s)
    with pytest.raises(tl.AxisError, match="has the axis `i`"):
        float(tl.named(jnp.arange(4.0), "i"))


@pytest.mark.parametrize("dtype", [jnp.uint8, jnp.int8, jnp.int16, jnp.uint32, jnp.int32])
def test_one_hot_takes_any_integer_labels(dtype):
    labels = tl.named(jnp.array([0, 3, 9], dtype), "batch")
    hot = tl.one_hot(labels, "class", np.int64(10))
    assert hot.align("batch class").data.argmax(1).tolist() == [0, 3, 9]


# --- the operator table ----------------------------------------------------------

OPERATORS = [
    (operator.mod, np.mod),
    (operator.floordiv, np.floor_divide),
    (operator.pow, np.power),
    (operator.and_, np.bitwise_and),
    (operator.or_, np.bitwise_or),
    (operator.xor, np.bitwise_xor),
    (operator.lshift, np.left_shift),
]


@pytest.mark.parametrize("op, oracle", OPERATORS)
def test_forward_and_reflected_operators(op, oracle):
    a = np.array([[1, 2, 3], [4, 5, 6]], np.int32)
    x = tl.named(jnp.asarray(a), "r c")
    for left, right, expected in [(x, 3, oracle(a, 3)), (3, x, oracle(3, a))]:
        y = op(left, right)
        assert y.names == ("r", "c")
        np.testing.assert_array_equal(y.data, expected)
    scalar = jnp.int32(2)
    np.testing.assert_array_equal(op(scalar, x).data, oracle(2, a))


def test_float_modulo_from_either_side():
    x = tl.named(jnp.array([1.5, 2.0]), "i")
    np.testing.assert_allclose((0.5 % x).data, np.mod(0.5, [1.5, 2.0]))
    np.testing.assert_allclose((jnp.float32(0.5) % x).data, np.mod(0.5, [1.5, 2.0]))


@pytest.mark.parametrize(
    "mix",
    [
        lambda x: np.ones((2, 3), np.float32) + x,
        lambda x: x + np.ones((2, 3), np.float32),
        lambda x: jnp.ones((2, 3)) * x,
        lambda x: np.asarray(x.data) <= x,
    ],
)
def test_a_raw_array_in_named_arithmetic_is_refused_with_a_hint(mix):
    x = tl.named(np.ones((2, 3), np.float32), "a b")
    with pytest.raises(tl.AxisError, match=r"positional array.*tl.named\(array"):
        mix(x)


def test_numpy_cannot_guess_an_axis_order():
    with pytest.raises(TypeError, match="align"):
        np.asarray(tl.named(jnp.ones((2, 3)), "a b"))
    assert np.asarray(tl.sum(tl.named(jnp.ones(3), "a"))) == 3.0


# --- symbolic and numpy sizes ------------------------------------------------------


def test_symbolic_sizes_as_size_arguments():
    s = tl.symbols("b n k c", constraints=("n >= k",))
    X = tl.abstract("batch:b time:n", sizes=s)
    W = tl.abstract("win:k", sizes=s)
    Y = jax.eval_shape(
        lambda X, W: tl.dot(tl.unfold(X, "time", "win", W.sizes["win"]), W, "win"), X, W
    )
    assert Y.sizes == {"batch": s["b"], "time": s["n"] - s["k"] + 1}
    labels = tl.abstract("batch:b", jnp.int32, sizes=s)
    hot = jax.eval_shape(lambda l: tl.one_hot(l, "class", s["c"]), labels)
    assert hot.sizes["class"] == s["c"]
    flat = tl.abstract("bn:bn", sizes={"bn": s["b"] * s["n"]})
    back = jax.eval_shape(lambda f: tl.unflatten(f, "bn", {"batch": s["b"], "seq": s["n"]}), flat)
    assert back.sizes == {"batch": s["b"], "seq": s["n"]}


def test_undecidable_symbolic_comparisons_are_axis_errors():
    s = tl.symbols("b t")
    X = tl.abstract("batch:b time:t", sizes=s)
    with pytest.raises(tl.AxisError, match=r"unfold: cannot prove that t >= 3 \(axis `time`\)"):
        jax.eval_shape(lambda X: tl.unfold(X, "time", "win", 3), X)
    s = tl.symbols("b t", constraints=("t >= 2",))
    img = tl.abstract("batch:b height:t width:t", sizes=s)
    with pytest.raises(tl.AxisError, match=r"cannot prove that 2 divides t.*mod\(t, 2\) == 0"):
        jax.eval_shape(lambda X: tl.maxpool2d(X, 1, 2), img)


def test_symbolic_sizes_print_with_parentheses():
    m = tl.symbols("m")["m"]
    X = tl.abstract("batch:2 height:H width:4", sizes={"H": 2 * m + 1})
    with pytest.raises(tl.AxisError, match=r"`height: \(2\*m \+ 1\)/2`"):
        jax.eval_shape(lambda X: tl.maxpool2d(X, 2, 2), X)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: tl.unfold(x, "h", "kh", np.int64(2)),
        lambda x: tl.unfold(x, "h", "kh", np.int32(2), stride=np.int64(2)),
        lambda x: tl.unflatten(x, "h", {"a": np.int64(2), "b": np.int64(2)}),
        lambda x: tl.one_hot(tl.argmax(x, "h"), "class", np.int64(10)),
        lambda x: tl.split(x, "h", np.int64(2)),
        lambda x: tl.pad(x, {"h": np.int64(1)}),
    ],
)
def test_numpy_integers_are_sizes(call):
    x = tl.named(jnp.ones((4, 3)), "h w")
    assert isinstance(call(x), (tl.NamedArray, list))


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda x: tl.one_hot(tl.argmax(x, "h"), "class", -1), "`size` (=-1) must be at least 1"),
        (lambda x: tl.unflatten(x, "h", {"a": -1, "b": -4}), "`sizes['a']` (=-1)"),
        (lambda x: x[{"h": slice(None, None, 0)}], "must have a non-zero step"),
        (lambda x: tl.argmax(x, ""), "exactly one axis"),
        (lambda x: tl.max(x[{"h": slice(0, 0)}], "h"), "has no positions"),
        (lambda x: tl.argmax(x[{"h": slice(0, 0)}], "h"), "has no positions"),
        (lambda x: x[{"h": 9}], "index 9 is out of range"),
        (lambda x: tl.unfold(x, "h", "kh", True), "True (bool) is not a `Size`"),
        (lambda x: x[{"h": slice(0.5, 2)}], "slice bounds are integers"),
        (lambda x: x[{"h": "first"}], "takes an integer, a slice"),
        (
            lambda x: tl.conv2d(
                tl.named(jnp.ones((1, 4, 4)), "channels height width"),
                tl.named(jnp.ones((1, 0, 2)), "channels kh kw"),
            ),
            "no positions along `kh`",
        ),
    ],
)
def test_bad_sizes_and_indices_are_typedlenet_errors(call, fragment):
    x = tl.named(jnp.ones((4, 3)), "h w")
    with pytest.raises((tl.AxisError, TypeError)) as info:
        call(x)
    assert fragment in str(info.value)


def test_negative_steps_slice_backwards():
    x = tl.named(jnp.arange(5), "t")
    assert x[{"t": slice(None, None, -1)}].data.tolist() == [4, 3, 2, 1, 0]
    assert x[{"t": slice(3, 0, -2)}].data.tolist() == [3, 1]
    assert x[{"t": slice(1, 3, -1)}].data.tolist() == []


def test_the_empty_cases_behave_as_documented():
    x = tl.named(jnp.array([[1.0, 2.0], [3.0, 4.0]]), "a b")
    assert tl.sum(x, "").data.tolist() == x.data.tolist() == tl.mean(x, "").data.tolist()
    assert tl.softmax(x, "").data.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert tl.flatten(x, "", "c").sizes == {"a": 2, "b": 2, "c": 1}
    outer = tl.dot(x, tl.rename(x, {"a": "c", "b": "d"}), "")
    assert outer.sizes == {"a": 2, "b": 2, "c": 2, "d": 2}
    assert float(outer[{"a": 1, "b": 0, "c": 0, "d": 1}]) == 3.0 * 2.0


def test_a_traced_position_past_the_end_is_clamped_under_jit():
    x = tl.named(jnp.arange(6.0), "batch")
    assert float(jax.jit(lambda i: x[{"batch": i}])(jnp.int32(9))) == 5.0


def test_regressions_found_by_the_program_generator():
    labels = tl.argmax(tl.named(jnp.array([0.1, 0.5, -1.0]), "c"), "c")
    assert tl.one_hot(labels, "w", 3).dtype == jnp.float32
    assert tl.pad(tl.named(jnp.float32(1.0), ()), {}, mode="edge").names == ()
    empty = tl.take(
        tl.named(jnp.zeros((0, 2)), "a b"), "a", tl.named(jnp.zeros((2, 0), jnp.int32), "b c")
    )
    assert empty.sizes == {"b": 2, "c": 0}
