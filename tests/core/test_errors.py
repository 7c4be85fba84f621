"""Errors as data: every `AxisError` has a kind and the fields of that kind,
eagerly, under `jax.jit` and under `jax.eval_shape`; the tools read the kind,
never the message."""

import ast
import json
import pathlib
import textwrap

import jax
import jax.numpy as jnp
import pytest
from jax import export

import typedlenet as tl
from typedlenet import Float, NamedArray
from typedlenet._cli import main
from typedlenet._core import errors

SRC = pathlib.Path(__file__).parents[2] / "src" / "typedlenet"

x = tl.named(jnp.ones((3, 4)), "a b")


@tl.typechecked
def _five(z: Float[NamedArray, "a b:5"]) -> Float[NamedArray, "a b:5"]:
    return z


# kind: (a function of `x` that raises it, (op, argument, axis, expected, actual))
CASES = {
    "size_clash": (
        lambda x: x + tl.named(jnp.ones(5), "b"),
        ("`+`", "the right operand", "b", 4, 5),
    ),
    "missing_axis": (lambda x: tl.sum(x, "c"), ("sum", "x", "c", ("a", "b"), None)),
    "duplicate_axis": (lambda x: tl.rename(x, {"a": "b"}), ("rename", "mapping", "b", None, None)),
    "unexpected_axis": (
        lambda x: tl.take(x, "a", tl.named(jnp.zeros(2, jnp.int32), "a")),
        ("take", "indices", "a", None, ("a",)),
    ),
    "axes_mismatch": (lambda x: x.align("a"), ("align", "names", None, ("a", "b"), ("a",))),
    "bad_size": (
        lambda x: tl.unflatten(x, "b", {"c": 3, "d": 2}),
        ("unflatten", "sizes", "b", 4, 6),
    ),
    "not_elementwise": (lambda x: tl.lift(jnp.sum)(x), ("sum", None, None, ("a", "b"), ())),
    "out_of_range": (lambda x: x[{"a": 5}], ("index", None, "a", "in [-3, 3)", 5)),
    "bad_argument": (lambda x: tl.argmax(x, "a b"), ("argmax", "axis", None, None, "a b")),
    "sharding": (
        lambda x: tl.shard(x, tl.data_mesh(1), {"a": "model"}),
        ("shard", "mapping", "a", ("data",), "model"),
    ),
    "annotation": (_five, (_five.__qualname__, "argument `z`", "b", 5, 4)),
}

MODES = {
    "eager": lambda fn, x: fn(x),
    "jit": lambda fn, x: jax.jit(fn)(x),
    "eval_shape": lambda fn, x: jax.eval_shape(fn, x),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", CASES)
def test_each_kind_is_raised_with_its_fields(kind, mode):
    fn, fields = CASES[kind]
    with pytest.raises(tl.AxisError) as info:
        MODES[mode](fn, x)
    error = info.value
    assert error.kind == kind
    assert (error.op, error.argument, error.axis, error.expected, error.actual) == fields
    assert isinstance(error, tl.AxisTypeError) == (kind == "annotation")


@pytest.mark.parametrize("mode", MODES)
def test_a_carry_that_changes_is_structure_changed(mode):
    def scanned(x):
        return tl.scan(lambda c, s: (tl.stack([c, c], "k"), None), x, x, "b")

    with pytest.raises(tl.AxisError) as info:
        MODES[mode](scanned, x)
    error = info.value
    assert (error.kind, error.op, error.argument) == ("structure_changed", "scan", "init")
    assert error.expected.names == ("a", "b") and error.actual.names == ("k", "a", "b")


def _unfold(data):
    return tl.unfold(tl.named(data, "time"), "time", "w", 3).data


@pytest.mark.parametrize(
    "mode",
    {
        # Symbolic sizes exist only while tracing: exporting a jitted function, or eval_shape.
        "jit": lambda spec: export.export(jax.jit(_unfold))(spec),
        "eval_shape": lambda spec: jax.eval_shape(_unfold, spec),
    }.values(),
    ids=["jit", "eval_shape"],
)
def test_an_undecidable_comparison_keeps_its_free_symbols(mode):
    (t,) = export.symbolic_shape("t")
    with pytest.raises(tl.AxisError) as info:
        mode(jax.ShapeDtypeStruct((t,), jnp.float32))
    error = info.value
    assert error.kind == "undecidable" and error.symbols == ("t",)
    assert (error.op, error.argument, error.axis, error.expected) == (
        "unfold",
        "size",
        "time",
        "t >= 3",
    )
    assert str(error) == (
        "unfold: cannot prove that t >= 3 (axis `time`); add a constraint such as `t >= 3`"
    )


def test_a_divisibility_keeps_the_symbols_of_both_sizes():
    m, k = export.symbolic_shape("m, k")

    def pieces(data, other):
        return [p.data for p in tl.split(tl.named(data, "a"), "a", other.shape[0])]

    specs = [jax.ShapeDtypeStruct((n,), jnp.float32) for n in (m, k)]
    with pytest.raises(tl.AxisError) as info:
        jax.eval_shape(pieces, *specs)
    error = info.value
    assert (error.kind, error.op, error.symbols) == ("undecidable", "split", ("k", "m"))
    assert error.expected == "mod(m, k) == 0"


def test_errors_of_one_kind_read_the_same_way():
    a = errors.size_clash("f", "x", 2, 3, expected_in="`p`", actual_in="`q`")
    b = errors.size_clash("g", "y", 4, 5, expected_in="`r`", actual_in="`s`")
    assert str(a) == "f: axis `x` has size 2 in `p` and 3 in `q`"
    assert str(b) == "g: axis `y` has size 4 in `r` and 5 in `s`"
    assert (a.kind, a.argument) == ("size_clash", "`q`")


def test_an_error_built_by_hand_is_of_kind_other_and_a_kind_is_checked():
    error = tl.AxisError("mine: something", op="mine", axis="a")
    assert (error.kind, error.op, error.axis, error.symbols) == ("other", "mine", "a", ())
    assert tl.AxisTypeError("mine: a value").kind == "annotation"
    assert tl.AxisError("mine", kind="bad_size", expected=">= 2").kind == "bad_size"
    with pytest.raises(ValueError, match="`kind` \\(='nonsense'\\) must be one of"):
        tl.AxisError("mine", kind="nonsense")  # type: ignore[arg-type]
    assert set(errors.KINDS) >= {*CASES, "structure_changed", "undecidable", "other"}


def test_no_axis_error_is_built_outside_its_constructors():
    """Every raise site goes through a constructor of `_core/errors.py`."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "_core" / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name in ("AxisError", "AxisTypeError"):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert found == []
    assert len(list(SRC.rglob("*.py"))) > 40  # the walk saw the package


def test_the_checker_reports_each_diagnostic_kind_in_json(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kinds.py").write_text(
        textwrap.dedent(
            """
            import jax.numpy as jnp

            import typedlenet as tl
            from typedlenet import Float, NamedArray


            def clash(X: Float[NamedArray, "batch:b embed:8"]):
                return X + tl.named(jnp.ones(6), "embed")


            def pooled(X: Float[NamedArray, "batch:b time:t"]):
                return tl.unfold(X, "time", "win", 3)


            def fine(X: Float[NamedArray, "batch:b"]):
                return X * 2
            """
        )
    )
    assert main(["check", "kinds.py", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    kinds = {d["target"]: (d["rule"], d["kind"]) for d in report["diagnostics"]}
    assert kinds == {"clash": ("axis", "size_clash"), "pooled": ("axis", "undecidable")}
