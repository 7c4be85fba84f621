"""Typed module fields: checked together at construction, after `eqx.tree_at` at
first use, and seen by the module's checked methods."""

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import typedlenet as tl
from typedlenet import Float, NamedArray


class Dense(tl.TypedModule):
    W: Float[NamedArray, "embed:e hidden:h"]
    b: Float[NamedArray, "hidden:h"] | None

    @tl.typechecked
    def __call__(self, x: Float[NamedArray, "... embed:e"]) -> Float[NamedArray, "... hidden:h"]:
        y = tl.dot(self.W, x, "embed")
        return y if self.b is None else y + self.b

    @tl.typechecked
    def wrong(self, x: Float[NamedArray, "... embed:e"]) -> Float[NamedArray, "... hidden:h"]:
        return tl.dot(self.W, x, "embed")[{"hidden": slice(0, 1)}]


def dense(e=8, h=4, hb=4):
    return Dense(tl.named(jnp.ones((e, h)), "embed hidden"), tl.named(jnp.ones(hb), "hidden"))


def test_fields_bind_sizes_once_per_module():
    m = dense()
    assert m(tl.named(jnp.ones((2, 8)), "batch embed")).sizes == {"hidden": 4, "batch": 2}
    assert Dense(tl.named(jnp.ones((8, 4)), "embed hidden"), None).b is None


def test_a_field_that_disagrees_fails_at_construction_naming_both_fields():
    with pytest.raises(tl.AxisTypeError) as info:
        dense(hb=5)
    e = info.value
    assert (e.op, e.argument, e.axis, e.expected, e.actual) == (
        "Dense",
        "field `b`",
        "hidden",
        4,
        5,
    )
    assert "bound by field `W`, axis `hidden`" in str(e)


def test_a_field_with_other_axes_fails_at_construction():
    with pytest.raises(tl.AxisTypeError, match="field `W`: missing axis `embed`"):
        Dense(tl.named(jnp.ones((3, 3)), "a b"), None)


@pytest.mark.parametrize("mode", ["eager", "jit", "eval_shape"])
def test_a_method_sees_the_fields_bindings(mode):
    m = dense()
    x = tl.named(jnp.ones((2, 3)), "batch embed")
    run = {
        "eager": lambda: m(x),
        "jit": lambda: eqx.filter_jit(lambda m, x: m(x))(m, x),
        "eval_shape": lambda: jax.eval_shape(lambda m, x: m(x), m, x),
    }
    with pytest.raises(tl.AxisTypeError) as info:
        run[mode]()
    e = info.value
    assert (e.op, e.argument, e.axis, e.expected, e.actual) == (
        "Dense.__call__",
        "argument `x`",
        "embed",
        8,
        3,
    )
    assert "(e, bound by field `W`, axis `embed`)" in str(e)


def test_a_return_value_is_checked_against_the_fields():
    with pytest.raises(tl.AxisTypeError, match=r"return value, axis `hidden`: expected size 4"):
        dense().wrong(tl.named(jnp.ones((2, 8)), "batch embed"))


def test_a_module_edited_by_tree_at_is_checked_at_first_use():
    edited = eqx.tree_at(lambda m: m.b, dense(), tl.named(jnp.ones(3), "hidden"))
    with pytest.raises(tl.AxisTypeError, match="field `b`, axis `hidden`: expected size 4"):
        edited(tl.named(jnp.ones((2, 8)), "batch embed"))
    with pytest.raises(tl.AxisTypeError, match="field `b`"):
        tl.check_fields(edited)
    assert tl.check_fields(dense()) is not None


def test_checks_off_skip_the_fields_too():
    with tl.checks(False):
        assert dense(hb=5).b is not None
    with pytest.raises(tl.AxisTypeError):
        dense(hb=5)


def test_lenet_fields_carry_the_seed_types():
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    X = tl.named(jnp.ones((2, 3, 28, 28)), "batch channels height width")
    with pytest.raises(tl.AxisTypeError) as info:
        model(X)
    assert "(c1, bound by field `W1`, axis `channels`)" in str(info.value)
    with pytest.raises(tl.AxisTypeError, match="field `V`, axis `hidden`"):
        eqx.tree_at(lambda m: m.V, model, tl.named(jnp.ones((100, 10)), "hidden out"))(X)


class Adapter(tl.TypedModule):
    down: Float[NamedArray, "embed:d hidden:r"]

    @tl.typechecked
    def __call__(self, x: Float[NamedArray, "... embed:d"]) -> Float[NamedArray, "... embed:d"]:
        return tl.rename(tl.dot(x, self.down, "embed"), {"hidden": "embed"})


def test_a_return_error_names_the_field_that_bound_the_size():
    adapter = Adapter(tl.named(jnp.ones((64, 8)), "embed hidden"))
    with pytest.raises(tl.AxisTypeError, match=r"expected size 64 \(d, bound by field `down`"):
        adapter(tl.named(jnp.ones((2, 64)), "batch embed"))
