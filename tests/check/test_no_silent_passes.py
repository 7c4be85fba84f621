"""`typedlenet check` says what it did not verify, verifies modules built from
`nn` layers, reads size expressions in annotations, and warns when an output
goes unchecked; never "No errors" about code it did not check."""

import json
import textwrap

import pytest

from typedlenet._cli import main

LAYERED = textwrap.dedent(
    """
    import equinox as eqx
    import jax
    import typedlenet as tl
    from typedlenet import Float, NamedArray, nn


    class Net(eqx.Module):
        conv: nn.Conv
        fc1: nn.Linear

        def __init__(self, key):
            k1, k2 = jax.random.split(key)
            self.conv = nn.Conv("height width", "channels:1", "channels:4", 3, key=k1)
            self.fc1 = nn.Linear("inp:INP", "class:10", key=k2)

        def __call__(
            self, x: Float[NamedArray, "batch:b channels:1 height:28 width:28"]
        ) -> Float[NamedArray, "batch:b class:10"]:
            h = self.conv(x)
            flat = tl.flatten(h, "channels height width", "inp")
            return self.fc1(flat)


    def build() -> Net:
        return Net(jax.random.PRNGKey(0))
    """
)


def check(tmp_path, capsys, *args):
    status = main(["check", *map(str, args)])
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("size, status", [(3136, 1), (2704, 0)], ids=["faulty", "fixed"])
def test_a_module_of_nn_layers_is_verified_through_its_factory(workdir, capsys, size, status):
    (workdir / "net.py").write_text(LAYERED.replace("INP", str(size)))
    got, out, _ = check(workdir, capsys, "--format", "json", "net.py")
    report = json.loads(out)
    assert got == status and report["checked"] == 1, out
    if status:
        (error,) = report["diagnostics"]
        assert error["target"] == "Net" and "3136" in error["message"]
    (note,) = report["not_verified"]
    assert note["target"] == "build" and "builds `Net`" in note["message"]


def test_a_module_whose_init_has_defaults_is_built_from_it(workdir, capsys):
    text = LAYERED.replace("INP", "3136").replace(
        "def __init__(self, key):", ("def __init__(self, key=jax.random.PRNGKey(1)):")
    )
    text = text.split("def build()")[0]
    (workdir / "net.py").write_text(text)
    status, out, _ = check(workdir, capsys, "net.py")
    assert status == 1 and "Linear: axis `inp` has size 3136" in out


def test_a_module_that_cannot_be_built_is_named_and_nothing_verified_is_not_no_errors(
    workdir, capsys
):
    (workdir / "net.py").write_text(LAYERED.replace("INP", "2704").split("def build()")[0])
    status, out, _ = check(workdir, capsys, "net.py")
    assert status == 2, out
    assert "No errors" not in out and out.strip().endswith(
        "Nothing verified: no function or module of the 1 file(s) could be verified; "
        "1 function(s) and class(es) not verified, listed above."
    )
    assert "net.py:8: note: `Net` was not verified: a module whose fields are not all" in out
    assert "def build() -> Net:" in out
    status, out, _ = check(workdir, capsys, "--format", "github", "net.py")
    assert status == 2 and out.startswith("::notice file=net.py,line=8,")


def test_size_expressions_in_annotations_are_read_or_refused_by_name(workdir, capsys):
    (workdir / "grid.py").write_text(
        textwrap.dedent(
            """
            import typedlenet as tl
            from typedlenet import Float, NamedArray


            def quarters(
                x: Float[NamedArray, "batch:b height:4*m"],
            ) -> Float[NamedArray, "batch:b part:4 height:m"]:
                return tl.unflatten(x, "height", {"part": 4, "height": x.sizes["height"] // 4})


            def halves(x: Float[NamedArray, "batch:b height:h//2"]) -> Float[NamedArray, "batch:b"]:
                return tl.sum(x, "height")
            """
        )
    )
    status, out, _ = check(workdir, capsys, "--format", "json", "grid.py")
    report = json.loads(out)
    assert report["checked"] == 1 and report["diagnostics"] == [], out
    (note,) = report["not_verified"]
    assert note["target"] == "halves" and "the size `h//2` cannot be read" in note["message"]
    assert status == 0


UNANNOTATED = textwrap.dedent(
    """
    import typedlenet as tl
    from typedlenet import Float, NamedArray


    def mix(x: Float[NamedArray, "batch:b embed:8"], w: Float[NamedArray, "embed:8 embed':8"]):
        return x * w  # a forgotten rename: an outer product over embed'
    """
)


def test_an_unannotated_return_is_a_warning_that_names_its_axes(workdir, capsys):
    (workdir / "mix.py").write_text(UNANNOTATED)
    status, out, _ = check(workdir, capsys, "mix.py")
    assert status == 0
    assert "warning: `mix` returns batch:b, embed:8, embed':8, which no annotation checks" in out
    assert "[unchecked-return]" in out and "1 warning(s)" in out
    status, out, _ = check(workdir, capsys, "--ignore", "unchecked-return", "mix.py")
    assert status == 0 and "warning" not in out
    (workdir / "pyproject.toml").write_text('[tool.typedlenet]\nignore = ["unchecked-return"]\n')
    status, out, _ = check(workdir, capsys, "mix.py")
    assert status == 0 and "warning" not in out
    (workdir / "pyproject.toml").write_text('[tool.typedlenet]\nignore = ["everything"]\n')
    status, _, err = check(workdir, capsys, "mix.py")
    assert status == 2 and "ignore: unknown rule(s) ['everything']" in err
