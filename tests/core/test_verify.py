"""Static verification: abstract evaluation of LeNet, its training step, any function."""

import pathlib
import subprocess
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import pytest

import typedlenet as tl
from typedlenet import Float, NamedArray

KEY = jax.random.PRNGKey(0)


def abstract_model(**sizes):
    return eqx.filter_eval_shape(lambda: tl.LeNet(key=KEY, **sizes))


def test_lenet_report_has_every_tensor_for_a_symbolic_batch():
    report = tl.verify(abstract_model())
    labels = [label for label, _, _ in report.tensors]
    assert labels == ["X^0", "X^1", "X^2", "X^3", "X^4", "X^5", "O", "loss"]
    sizes = {label: value for label, _, value in report.tensors}
    assert str(sizes["X^0"].sizes["batch"]) == "b"
    assert sizes["X^3"].sizes == {**sizes["X^3"].sizes, "channels": 16, "height": 8, "width": 8}
    assert sizes["X^5"].sizes["inp"] == 256
    assert sizes["O"].sizes["class"] == 10
    assert sizes["loss"].shape == ()
    assert [label for label, _ in report.parameters] == ["W^1", "W^2", "U", "b^1", "V", "b^2"]
    text = str(report)
    assert {"channels": 6, "height": 24, "width": 24}.items() <= sizes["X^1"].sizes.items()
    assert "channels:6" in text and "height:24" in text
    assert "total" in text and "34,600" in text
    assert "X^1 height:4*m + 8" in text and "X^5 inp:16*m*n" in text


def test_verification_allocates_no_data():
    report = tl.verify(abstract_model())
    for _, _, value in report.tensors:
        data = value.data if isinstance(value, NamedArray) else value
        assert isinstance(data, jax.ShapeDtypeStruct)


def test_concrete_batch_and_real_model():
    report = tl.verify(tl.LeNet(key=KEY, conv_bias=True), batch=32)
    X0 = report.tensors[0][2]
    assert X0.sizes["batch"] == 32
    assert "B^1" in str(report)


def test_a_field_that_breaks_the_seed_types_names_the_field_that_bound_the_size():
    model = tl.LeNet(key=KEY)
    bad = eqx.tree_at(
        lambda m: m.W2, model, tl.named(jnp.ones((16, 5, 5, 5)), "channels' channels kh kw")
    )
    with pytest.raises(tl.AxisTypeError) as info:
        tl.verify(bad)
    e = info.value
    assert (e.op, e.argument, e.axis, e.expected, e.actual) == (
        "LeNet",
        "field `W2`",
        "channels",
        6,
        5,
    )
    assert "bound by field `W1`, axis `channels'`" in str(e)


def test_mismatch_names_the_model_line():
    model = tl.LeNet(key=KEY)
    too_tall = tl.named(jnp.ones((16, 6, 13, 5)), "channels' channels kh kw")
    bad = eqx.tree_at(lambda m: m.W2, model, too_tall)
    with pytest.raises(tl.AxisError) as info:
        tl.verify(bad)
    e = info.value
    assert e.where == "X^3 = [ReLU(conv2d(X^2; W^2))]_{channels'→channels}"
    assert (e.op, e.axis, e.actual) == ("conv2d", "kh", 13)


def test_mismatch_in_the_mlp_is_located():
    model = tl.LeNet(key=KEY)
    bad = eqx.tree_at(lambda m: m.U, model, tl.named(jnp.ones((200, 120)), "inp hidden"))
    with pytest.raises(tl.AxisTypeError, match="axis `inp`") as info:
        tl.verify(bad)
    assert info.value.where is not None and info.value.where.startswith("O = softmax_class")


def test_wrong_input_is_reported_before_compute():
    model = abstract_model()
    X0 = tl.abstract("batch:b channels:3 height:28 width:28")
    with pytest.raises(tl.AxisTypeError, match="argument `X0`, axis `channels`: expected size 1"):
        tl.verify(model, X0=X0)


def test_any_function_with_symbolic_sizes():
    W = tl.named(jnp.ones((6, 1, 5, 3)), "channels' channels kh kw")

    def program(X: Float[NamedArray, "batch:b channels:1 height:h width:w"]):
        return tl.conv2d(X, W)

    report = tl.verify(program, constraints=("h >= 5", "w >= 3"))
    out = report.tensors[-1][2]
    assert str(out.sizes["height"]) == "h - 4" and str(out.sizes["width"]) == "w - 2"
    assert "height:h - 4" in str(report)


def test_any_function_with_given_arguments():
    x = tl.abstract("a:3 b:4")
    y = tl.abstract("b:4 c:2")
    report = tl.verify(lambda x, y: tl.dot(x, y, "b"), x, y)
    assert report.tensors[-1][2].sizes == {"a": 3, "c": 2}
    with pytest.raises(tl.AxisError, match="axis `b` has size 4 in `a` and 5 in `b`"):
        tl.verify(lambda x, y: tl.dot(x, y, "b"), x, tl.abstract("b:5"))


def test_symbols_share_a_scope():
    dims = tl.symbols("b h", constraints=("h >= 2",))
    x = tl.abstract("batch:b height:h", sizes=dims)
    y = tl.abstract("height:h", sizes=dims)
    report = tl.verify(lambda x, y: x + y, x, y)
    assert str(report.tensors[-1][2].sizes["height"]) == "h"


def test_the_same_name_is_the_same_symbol_in_every_abstract_input():
    x = tl.abstract("batch:b embed:8")
    labels = tl.abstract("batch:b", jnp.int32)
    report = tl.verify(lambda x, labels: tl.sum(x, "embed") + labels, x, labels)
    assert str(report.tensors[-1][2].sizes["batch"]) == "b"
    # Different names stay different sizes, and the clash names both.
    with pytest.raises(tl.AxisError, match="batch") as caught:
        tl.verify(lambda x, y: x + y, tl.abstract("batch:b"), tl.abstract("batch:c"))
    assert {str(caught.value.expected), str(caught.value.actual)} == {"b", "c"}


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "typedlenet", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_check_well_typed():
    out = run_cli("check")
    assert out.returncode == 0, out.stderr
    assert "X^5     X^4_{height,width,channels} → inp" in out.stdout
    assert "batch:b, inp:256" in out.stdout
    assert out.stdout.strip().endswith("well-typed")


def test_cli_check_ill_typed_is_a_clear_error_without_traceback():
    out = run_cli("check", "--height", "30")
    assert out.returncode == 1
    assert "`ph2` (=2) does not divide `height` (=9) of X^3" in out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["check", "--height", "x"], "argument --height: expected a positive integer, got 'x'"),
        (["check", "--pool1", "2", "2", "2"], "argument --pool1: expected one or two numbers"),
        (["check", "--nope"], "unrecognized arguments: --nope"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_cli_usage_mistakes_exit_2(args, message):
    out = run_cli(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr


def _stray_broadcast(x, labels):
    return tl.sum(x, "embed") + labels  # the line a failure is located at


class _Head(eqx.Module):
    def __call__(self, x: tl.Float[tl.NamedArray, "batch:b embed:8"]):
        return _stray_broadcast(x, tl.named(jnp.zeros(3), "batch"))


def test_a_users_model_error_is_located_at_the_users_line():
    here = pathlib.Path(__file__).name
    with pytest.raises(tl.AxisError) as caught:
        tl.verify(_stray_broadcast, tl.abstract("batch:b embed:8"), tl.abstract("batch:5"))
    where = caught.value.where
    assert where is not None and here in where and "the line a failure is located at" in where
    with pytest.raises(tl.AxisError) as caught:
        tl.verify(_Head())
    where = caught.value.where
    assert where is not None and here in where and 'tl.sum(x, "embed") + labels' in where
    assert any(here in note for note in caught.value.__notes__)
