"""Annotations that name axes and sizes: the seed's types, checked by beartype
through jaxtyping, with messages a person can read."""

import os
import subprocess
import sys
from typing import Any

import jax
import jax.numpy as jnp
import pytest

import typedlenet as tl
from typedlenet import Float, Int, NamedArray, Shaped, typechecked


@typechecked
def conv2d(
    X: Float[NamedArray, "... channels:c height:h width:w"],
    W: Float[NamedArray, "... channels:c kh kw"],
) -> Float[NamedArray, "... height:h-kh+1 width:w-kw+1"]:
    """The seed's conv2d, literally: W ·_{channels,kh,kw} U."""
    U = tl.unfold(X, "height", "kh", W.sizes["kh"])
    U = tl.unfold(U, "width", "kw", W.sizes["kw"])
    return tl.dot(W, U, "channels kh kw")


@typechecked
def maxpool2d(
    X: Float[NamedArray, "... height:h width:w"], kh: int, kw: int
) -> Float[NamedArray, "... height:h/{kh} width:w/{kw}"]:
    """The seed's maxpool2d: max_{kh,kw} U, non-overlapping windows."""
    U = tl.unfold(tl.unfold(X, "height", "kh", kh, kh), "width", "kw", kw, kw)
    return tl.max(U, "kh kw")


@typechecked
def same_batch(
    X: Shaped[NamedArray, "batch inp"], Y: Int[NamedArray, " batch"]
) -> Float[NamedArray, " batch"]:
    return tl.sum(X, "inp") + 0.0 * Y


@typechecked
def wrong_result(X: Float[NamedArray, "... height:h"]) -> Float[NamedArray, "... height:h-1"]:
    return X


def images(b=2, c=1, h=8, w=8, order="batch channels height width"):
    sizes = {"batch": b, "channels": c, "height": h, "width": w}
    return tl.named(jnp.ones([sizes[n] for n in order.split()]), order)


def kernel(c_out=3, c=1, kh=5, kw=5):
    return tl.named(jnp.ones((c_out, c, kh, kw)), "channels' channels kh kw")


def test_seed_types_hold_for_well_typed_calls():
    y = conv2d(images(), kernel())
    assert y.sizes == {"batch": 2, "channels'": 3, "height": 4, "width": 4}
    # Lifted: any storage order, any further axes.
    y = conv2d(images(order="width batch height channels"), kernel())
    assert y.sizes["height"] == 4
    z = maxpool2d(images(h=8, w=6), 2, 3)
    assert z.sizes == {"batch": 2, "channels": 1, "height": 4, "width": 2}


def run(mode, fn, *args):
    """Call `fn` eagerly, under `jax.jit`, or abstractly under `jax.eval_shape`."""
    if mode == "eager":
        return fn(*args)
    if mode == "jit":
        return jax.jit(fn)(*args)
    return jax.eval_shape(fn, *args)


MODES = ["eager", "jit", "eval_shape"]

VIOLATIONS = {
    "wrong name": (
        lambda: conv2d(tl.named(jnp.ones((2, 1, 8, 8)), "batch chan height width"), kernel()),
        tl.AxisTypeError,
        r"conv2d\(\): argument `X`: missing axis `channels`",
    ),
    "wrong size": (
        lambda: conv2d(images(c=1), kernel(c=2)),
        tl.AxisTypeError,
        r"conv2d\(\): argument `W`, axis `channels`: expected size 1 \(c, bound by argument "
        r"`X`, axis `channels`\), got 2",
    ),
    "wrong symbolic size": (
        lambda: wrong_result(tl.named(jnp.ones((2, 8)), "batch height")),
        tl.AxisTypeError,
        r"wrong_result\(\): return value, axis `height`: expected size 7 \(h-1 with h=8\), got 8",
    ),
    "size that does not divide": (
        lambda: maxpool2d(images(h=7), 2, 2),
        tl.AxisTypeError,
        r"maxpool2d\(\): return value, axis `height`: expected size 3.5 \(h/\{kh\} with h=7, "
        r"kh=2, not a whole number\), got 3",
    ),
    "size bound across arguments": (
        lambda: same_batch(
            tl.named(jnp.ones((8, 3)), "batch inp"), tl.named(jnp.ones((4,), jnp.int32), "batch")
        ),
        tl.AxisTypeError,
        r"argument `Y`, axis `batch`: expected size 8 \(batch, bound by argument `X`",
    ),
    "unexpected axis": (
        lambda: same_batch(
            tl.named(jnp.ones((8, 3, 2)), "batch inp extra"),
            tl.named(jnp.ones((8,), jnp.int32), "batch"),
        ),
        tl.AxisTypeError,
        r"argument `X`: unexpected axis `extra`",
    ),
    "wrong dtype": (
        lambda: same_batch(tl.named(jnp.ones((8, 3)), "batch inp"), tl.named(jnp.ones(8), "batch")),
        tl.AxisTypeError,
        r"argument `Y`: dtype float32 is not an Int dtype",
    ),
    "duplicate name": (
        lambda: tl.named(jnp.ones((2, 2)), "a a"),
        tl.AxisError,
        r"axis `a` appears twice",
    ),
    "rename onto an existing name": (
        lambda: tl.rename(images(), {"width": "height"}),
        tl.AxisError,
        r"renaming `width` to `height` collides with the existing axis `height`",
    ),
    "flatten over a missing axis": (
        lambda: tl.flatten(images(), "height width depth", "inp"),
        tl.AxisError,
        r"flatten: `x` has no axis `depth`",
    ),
    "contract over a missing axis": (
        lambda: tl.dot(kernel(), images(), "channels kh kw"),
        tl.AxisError,
        r"dot: `b` has no axis `kh`",
    ),
    "broadcast size clash": (
        lambda: images(h=8) + tl.named(jnp.ones(6), "height"),
        tl.AxisError,
        r"`\+`: axis `height` has size 8 in the left operand and 6 in the right operand",
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("violation", sorted(VIOLATIONS))
def test_every_violation_raises_in_every_mode(violation, mode):
    thunk, error, message = VIOLATIONS[violation]
    # The thunk builds its inputs eagerly; the operation itself runs in `mode`.
    with pytest.raises(error, match=message):
        if mode == "eager":
            thunk()
        else:
            run(mode, lambda _: thunk(), jnp.zeros(()))


def test_violation_under_jit_with_traced_inputs():
    f = jax.jit(conv2d)
    with pytest.raises(tl.AxisTypeError, match="argument `W`, axis `channels`"):
        f(images(c=1), kernel(c=2))
    with pytest.raises(tl.AxisTypeError, match="argument `W`, axis `channels`"):
        jax.eval_shape(conv2d, images(c=1), kernel(c=2))


def test_errors_carry_their_parts():
    with pytest.raises(tl.AxisTypeError) as info:
        conv2d(images(c=1), kernel(c=2))
    e = info.value
    assert (e.op, e.argument, e.axis, e.expected, e.actual) == (
        "conv2d",
        "argument `W`",
        "channels",
        1,
        2,
    )
    assert isinstance(e, ValueError)
    from jaxtyping import TypeCheckError

    assert isinstance(e, TypeCheckError)
    assert "checker_report" in vars(e)


def test_message_is_short_and_first():
    with pytest.raises(tl.AxisTypeError) as info:
        conv2d(images(c=1), kernel(c=2))
    lines = str(info.value).splitlines()
    assert len(lines) == 3
    assert lines[1].strip() == "argument `W`: f32[channels':3, channels:2, kh:5, kw:5]"
    assert lines[2].strip() == 'annotation: Float[NamedArray, "... channels:c kh kw"]'


def test_non_named_arguments_are_checked_too():
    with pytest.raises(tl.AxisTypeError, match=r"maxpool2d\(\): argument `kh`: '2' \(str\)"):
        maxpool2d(images(), "2", 2)  # type: ignore[arg-type]
    with pytest.raises(tl.AxisTypeError, match=r"argument `X`: expected a NamedArray, got Array"):
        maxpool2d(jnp.ones((4, 4)), 2, 2)  # type: ignore[arg-type]


def test_checks_run_at_trace_time_only(monkeypatch):
    from typedlenet._core import annotations as _annotations

    calls = []
    original = _annotations._NamedMeta._check

    def counting(cls, obj):
        calls.append(cls)
        return original(cls, obj)

    X, W = images(), kernel()
    monkeypatch.setattr(_annotations._NamedMeta, "_check", counting)
    f = jax.jit(conv2d)
    f(X, W)
    traced = len(calls)
    assert traced > 0
    f(X, W)
    f(X, W)
    assert len(calls) == traced


def test_checks_can_be_switched_off():
    X = tl.named(jnp.ones((2, 8)), "batch height")
    with tl.checks(False):
        assert not tl.checks_enabled()
        assert wrong_result(X).sizes["height"] == 8
    assert tl.checks_enabled()
    with pytest.raises(tl.AxisTypeError):
        wrong_result(X)
    previous = tl.set_checks(False)
    try:
        wrong_result(X)
    finally:
        tl.set_checks(previous)


def test_environment_variable_switches_checks_off():
    code = "import typedlenet; print(typedlenet.checks_enabled())"
    env = {**os.environ, "TYPEDLENET_CHECKS": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr


def test_public_operations_check_their_arguments():
    with pytest.raises(tl.AxisTypeError, match=r"dot\(\): argument `b`: expected a NamedArray"):
        tl.dot(images(), jnp.ones(3), "channels")  # type: ignore[arg-type]
    with pytest.raises(tl.AxisTypeError, match=r"sum\(\): argument `over`: 3 \(int\)"):
        tl.sum(images(), 3)  # type: ignore[arg-type]


def test_bad_annotations_are_rejected():
    with pytest.raises(ValueError, match="names axis `a` twice"):
        Float[NamedArray, "a a"]
    with pytest.raises(ValueError, match="has `:` but no size"):
        Float[NamedArray, "a:"]
    with pytest.raises(TypeError, match="write `Float"):
        Float["a b"]  # type: ignore[misc]


def test_other_array_types_keep_jaxtyping_meaning():
    import jaxtyping

    T: Any = Float[jax.Array, "b c"]
    assert repr(T) == repr(jaxtyping.Float[jax.Array, "b c"])
    assert not isinstance(jnp.ones((2, 3, 4)), T)
    assert isinstance(jnp.ones((2, 3)), T)
