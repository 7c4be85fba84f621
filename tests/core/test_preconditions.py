"""A size a return annotation writes as an expression (`time:t-k+1`) is a size: at
least 1. A checked function's call is refused when its arguments break that, at
the call (eagerly, under jit and eval_shape, symbolically), and `check` verifies
such a helper on its own under what its annotation implies."""

import textwrap

import jax
import jax.numpy as jnp
import pytest

import typedlenet as tl
from typedlenet import Float, NamedArray
from typedlenet._cli import main


@tl.typechecked
def conv1d(
    x: Float[NamedArray, "... channels:c time:t"],
    W: Float[NamedArray, "channels' channels:c win:k"],
) -> Float[NamedArray, "... channels' time:t-k+1"]:
    return tl.dot(tl.unfold(x, "time", "win", W.sizes["win"]), W, "channels win")


def inputs(t: int, k: int):
    return tl.named(jnp.ones((2, 3, t)), "batch channels time"), tl.named(
        jnp.ones((4, 3, k)), "channels' channels win"
    )


MODES = {
    "eager": lambda f, *a: f(*a),
    "jit": lambda f, *a: jax.jit(f)(*a),
    "eval_shape": lambda f, *a: jax.eval_shape(f, *a),
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_call_that_breaks_the_implied_size_is_refused_at_the_call(mode):
    assert MODES[mode](conv1d, *inputs(5, 3)).sizes["time"] == 3
    assert MODES[mode](conv1d, *inputs(3, 3)).sizes["time"] == 1
    with pytest.raises(tl.AxisTypeError, match="size `t-k\\+1` is 0 for k=3, t=2") as caught:
        MODES[mode](conv1d, *inputs(2, 3))
    assert caught.value.argument == "return value" and caught.value.actual == 0


def test_a_symbolic_call_asks_for_the_implied_constraint():
    x = tl.abstract("batch:b channels:3 time:t")
    W = tl.abstract("channels':4 channels:3 win:k")
    with pytest.raises(tl.AxisError, match="cannot prove that t - k \\+ 1 >= 1"):
        tl.verify(conv1d, x, W)
    dims = tl.symbols("b t k", constraints=("t >= k",))
    x = tl.abstract("batch:b channels:3 time:t", sizes=dims)
    W = tl.abstract("channels':4 channels:3 win:k", sizes=dims)
    out = tl.verify(conv1d, x, W).tensors[-1][2]
    assert str(out.sizes["time"]) == "t - k + 1"


def test_check_verifies_the_helper_alone_and_points_at_the_bad_call(tmp_path, monkeypatch, capsys):
    (tmp_path / "helper.py").write_text(
        textwrap.dedent(
            """
            import typedlenet as tl
            from typedlenet import Float, NamedArray


            @tl.typechecked
            def conv1d(
                x: Float[NamedArray, "... channels:c time:t"],
                W: Float[NamedArray, "channels' channels:c win:k"],
            ) -> Float[NamedArray, "... channels' time:t-k+1"]:
                return tl.dot(tl.unfold(x, "time", "win", W.sizes["win"]), W, "channels win")


            def short(
                x: Float[NamedArray, "batch:b channels:2 time:2"],
                W: Float[NamedArray, "channels':3 channels:2 win:3"],
            ) -> Float[NamedArray, "batch:b channels':3 time:1"]:
                return conv1d(x, W)
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    status = main(["check", "helper.py"])
    out = capsys.readouterr().out
    assert status == 1, out
    assert out.count("error:") == 1  # conv1d alone is clean: no "cannot prove t >= k"
    assert "helper.py:18:12: error: conv1d(): its return annotation's size `t-k+1` is 0" in out
