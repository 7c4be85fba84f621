"""Sizes print simplified, and the printed form is the same function of the symbols."""

import math
import operator
import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jax import export

import typedlenet as tl
from typedlenet._core.errors import AxisError
from typedlenet._core.size_text import fmt
from typedlenet._core.sizes import fmt as sizes_fmt

H, W = export.symbolic_shape("h, w")


def evaluate(text: str, values: dict[str, int]) -> Fraction:
    """The printed form `text` at `values`, exactly (`/` on fractions, `^` a power)."""
    assert re.fullmatch(r"[\w\s()+\-*/%^,]*", text), text
    scope = {
        "ceil": math.ceil,
        "max": max,
        "min": min,
        "non_negative": lambda x: max(x, 0),
        **{k: Fraction(v) for k, v in values.items()},
    }
    return eval(text.replace("^", "**"), {"__builtins__": {}}, scope)


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (-2 * ((-H) // 2 // 2), "2*ceil(h / 4)"),
        (-H, "-h"),
        ((H // 2) // 2, "h // 4"),
        (4 * (H // 4), "4*(h // 4)"),
        ((H - 4) // 2 + 1, "(h - 4) // 2 + 1"),
        (-(H // 4), "-(h // 4)"),
        (H % 4, "h % 4"),
        (W + H, "h + w"),
        (3 - H, "3 - h"),
        (H * H, "h^2"),
        (H - 4, "h - 4"),
        (7, "7"),
    ],
)
def test_sizes_print_simplified(size, shown):
    assert fmt(size, grouped=False) == shown


def test_grouped_sizes_are_parenthesised_unless_one_symbol():
    assert fmt(H) == "h"
    assert fmt(H - 4) == "(h - 4)"
    assert fmt(-2 * ((-H) // 2 // 2)) == "(2*ceil(h / 4))"
    assert sizes_fmt is fmt  # one function prints every size


def _trees(depth: int):
    leaves = st.sampled_from(["h", "w"]) | st.integers(0, 9).map(lambda k: ("const", k))
    if depth == 0:
        return leaves
    sub = _trees(depth - 1)
    return (
        leaves
        | st.tuples(st.sampled_from(["+", "-", "*"]), sub, sub)
        | st.tuples(st.sampled_from(["//", "%"]), sub, st.integers(1, 6))
        | st.tuples(st.just("neg"), sub)
    )


_OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def build(tree, h, w):
    """The size `tree` describes, with `h` and `w` the symbols (symbolic or not)."""
    if tree == "h":
        return h
    if tree == "w":
        return w
    if tree[0] == "const":
        return tree[1]
    if tree[0] == "neg":
        return -build(tree[1], h, w)
    if tree[0] in ("//", "%"):
        inner = build(tree[1], h, w)
        return inner // tree[2] if tree[0] == "//" else inner % tree[2]
    return _OPS[tree[0]](build(tree[1], h, w), build(tree[2], h, w))


@settings(max_examples=400, deadline=None)
@given(tree=_trees(4), h=st.integers(1, 60), w=st.integers(1, 60))
def test_the_printed_form_is_the_same_function_of_the_symbols(tree, h, w):
    size = build(tree, H, W)
    expected = build(tree, h, w)
    for text in (fmt(size), fmt(size, grouped=False)):
        assert evaluate(text, {"h": h, "w": w}) == expected, (str(size), text)


def test_errors_print_sizes_simplified():
    s = tl.symbols("b h")
    x = tl.abstract("batch:b height:h", sizes=s)
    y = tl.abstract("batch:b height:u", sizes={**s, "u": -2 * ((-s["h"]) // 2 // 2)})
    with pytest.raises(AxisError) as caught:
        tl.concatenate([x, y], "batch")
    claim, constraint = str(caught.value).split("; add a constraint such as ")
    assert claim.endswith("h == (2*ceil(h / 4)) (`xs[0]` and `xs[1]`) (axis `height`)")
    # the constraint is code JAX reads: its own language, without `- h`
    assert constraint == "`h == -2*floordiv(floordiv(-h, 2), 2)`"
    assert caught.value.expected == "h == -2*floordiv(floordiv(-h, 2), 2)"
    tl.symbols("h", constraints=[caught.value.expected])  # JAX reads it
    assert repr(y) == "f32[batch:b, height:2*ceil(h / 4)]"
