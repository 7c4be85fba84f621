"""An error points at the cause: besides where two sizes met, where each of them was
written (a layer's constructor, a flatten, an annotation), in every format."""

import json
import textwrap

import pytest

from typedlenet._cli import main

NET = textwrap.dedent(
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
            self.fc1 = nn.Linear("inp:3136", "class:10", key=k2)  # the cause

        def __call__(
            self, x: Float[NamedArray, "batch:b channels:1 height:28 width:28"]
        ) -> Float[NamedArray, "batch:b class:10"]:
            h = self.conv(x)
            flat = tl.flatten(h, "channels height width", "inp")
            return self.fc1(flat)  # where the sizes meet


    def build() -> Net:
        return Net(jax.random.PRNGKey(0))


    def scaled(
        x: Float[NamedArray, "batch:b embed:8"], w: Float[NamedArray, "embed:6"]
    ) -> Float[NamedArray, "batch:b embed:8"]:
        return x * w
    """
)
LINES = NET.splitlines()


def line_of(fragment: str) -> int:
    return next(i for i, text in enumerate(LINES, 1) if fragment in text)


@pytest.fixture
def net(tmp_path, monkeypatch):
    (tmp_path / "net.py").write_text(NET)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_size_names_where_it_was_written(net, capsys):
    status = main(["check", "--format", "json", "net.py"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    errors = {d["target"]: d for d in report["diagnostics"]}
    layer = errors["Net"]
    assert layer["line"] == line_of("where the sizes meet")
    near = {(r["line"], r["message"]) for r in layer["related"]}
    assert (line_of("the cause"), "`inp:3136` first made here") in near
    assert (line_of("flat = tl.flatten"), "`inp:2704` first made here") in near
    product = errors["scaled"]
    near = {(r["line"], r["message"]) for r in product["related"]}
    w_line = line_of('w: Float[NamedArray, "embed:6"]')  # the parameter's own line
    assert (w_line, "`embed:6` bound by the annotation of `w`") in near


def test_text_and_github_show_the_notes(net, capsys):
    main(["check", "--ignore", "not-verified", "net.py"])
    out = capsys.readouterr().out
    assert f"net.py:{line_of('the cause')}: note: `inp:3136` first made here" in out
    assert 'self.fc1 = nn.Linear("inp:3136", "class:10", key=k2)' in out
    main(["check", "--format", "github", "net.py"])
    out = capsys.readouterr().out
    assert f"net.py:{line_of('the cause')}: `inp:3136` first made here" in out


def test_the_editor_gets_them_as_related_information(net, capsys):
    from typedlenet.check._lsp._diagnostics import _from_report

    main(["check", "--format", "json", "net.py"])
    report = json.loads(capsys.readouterr().out)
    published = _from_report(report, net / "net.py")
    layer = next(d for d in published if "Linear" in d["message"])
    places = {
        (r["location"]["uri"], r["location"]["range"]["start"]["line"], r["message"])
        for r in layer["relatedInformation"]
    }
    uri = (net / "net.py").resolve().as_uri()
    assert (uri, line_of("the cause") - 1, "`inp:3136` first made here") in places


def test_a_broken_return_annotation_is_reported_at_the_return(tmp_path, monkeypatch, capsys):
    (tmp_path / "ret.py").write_text(
        textwrap.dedent(
            """
            import typedlenet as tl
            from typedlenet import Float, NamedArray


            @tl.typechecked
            def project(
                x: Float[NamedArray, "batch:b embed:8"],
            ) -> Float[NamedArray, "batch:b hidden:4"]:
                if x.sizes["embed"] > 100:
                    return tl.rename(x, {"embed": "hidden"})
                h = tl.sum(x, "embed")
                return h
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "json", "ret.py"]) == 1
    (error,) = json.loads(capsys.readouterr().out)["diagnostics"]
    assert (error["line"], error["column"], error["source"]) == (13, 5, "    return h")


def test_a_size_that_agrees_only_for_a_family_gets_the_family(tmp_path, monkeypatch, capsys):
    (tmp_path / "unet.py").write_text(
        textwrap.dedent(
            """
            import typedlenet as tl
            from typedlenet import Float, NamedArray, nn

            CONSTRAINTS = ("h >= 4", "w >= 4")


            def program(x: Float[NamedArray, "batch:b channels:4 height:h width:w"]):
                down = nn.MaxPool("height width", 2)(nn.MaxPool("height width", 2)(x))
                up = tl.upsample(down, {"height": 4, "width": 4})
                return tl.concatenate([x, up], "channels")
            """
        )
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--format", "json", "unet.py"]) == 1
    (error,) = json.loads(capsys.readouterr().out)["diagnostics"]
    assert error["kind"] == "undecidable" and "cannot prove that h ==" in error["message"]
    assert "well-typed for h = 4m + 0 (m >= 1); smallest counterexample h = 5" in error["message"]
