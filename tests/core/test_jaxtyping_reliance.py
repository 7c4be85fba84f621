"""The jaxtyping behaviour typedlenet's annotations rely on, pinned down.

If an upgrade of jaxtyping breaks one of these, the annotation layer
(`typedlenet._core.annotations`) must change with it before the upper bound in
pyproject.toml is raised.
"""

from typing import Any

import beartype
import jax.numpy as jnp
import jaxtyping
import pytest
from jaxtyping import Float, Shaped, TypeCheckError, jaxtyped


class Sizes:
    """Any class with `shape` and `dtype` serves as jaxtyping's array type."""

    def __init__(self, shape, dtype=jnp.float32):
        self.shape = shape
        self.dtype = jnp.dtype(dtype)


def instance(x: Any, annotation: Any) -> bool:
    """`isinstance`, with the annotation typed as a value (static checkers see
    jaxtyping's types as `Annotated`)."""
    return isinstance(x, annotation)


def checked(fn):
    return jaxtyped(typechecker=beartype.beartype)(fn)


def test_version_is_in_the_supported_range():
    major, minor, *_ = (int(p) for p in jaxtyping.__version__.split(".")[:2])
    assert (major, minor) == (0, 3)


def test_any_class_with_shape_and_dtype_is_an_array_type():
    assert instance(Sizes((2, 3)), Float[Sizes, "a b"])
    assert not instance(Sizes((2, 3), jnp.int32), Float[Sizes, "a b"])
    assert not instance(Sizes((2,)), Float[Sizes, "a b"])


def test_isinstance_inside_a_checked_call_shares_one_memo():
    @checked
    def f(x: Shaped[Sizes, " a"], y: Shaped[Sizes, " a"]):
        return instance(Sizes((x.shape[0],)), Shaped[Sizes, " a"])

    assert f(Sizes((3,)), Sizes((3,))) is True
    with pytest.raises(TypeCheckError):
        f(Sizes((3,)), Sizes((4,)))


def test_anonymous_ellipsis_binds_nothing():
    @checked
    def f(x: Shaped[Sizes, "... a"], y: Shaped[Sizes, "... a"]):
        return None

    f(Sizes((5, 6, 3)), Sizes((7, 3)))


def test_size_expressions_over_bound_symbols_and_arguments():
    @checked
    def conv(x: Shaped[Sizes, " h"], k: Shaped[Sizes, " kh"]) -> Shaped[Sizes, " h-kh+1"]:
        return Sizes((x.shape[0] - k.shape[0] + 1,))

    conv(Sizes((28,)), Sizes((5,)))

    @checked
    def pool(x: Shaped[Sizes, " h"], kh: int) -> Shaped[Sizes, " h/{kh}"]:
        return Sizes((x.shape[0] // kh,))

    pool(Sizes((28,)), 2)
    with pytest.raises(TypeCheckError):
        pool(Sizes((7,)), 2)  # 7/2 = 3.5 is not 3


def test_beartype_honours_a_custom_instancecheck():
    class Meta(type):
        def __instancecheck__(cls, obj):
            return obj == "yes"

    class OnlyYes(metaclass=Meta):
        pass

    @checked
    def f(x: OnlyYes):  # type: ignore[valid-type]
        return x

    f("yes")  # pyright: ignore[reportArgumentType]
    with pytest.raises(TypeCheckError):
        f("no")  # pyright: ignore[reportArgumentType]
