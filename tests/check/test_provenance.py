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


def related_of(tmp_path, monkeypatch, capsys, source: str, name: str = "prog.py"):
    """Check `source` (written to `name`); its one error, with its source lines and
    its related notes as `{(line, message)}`."""
    text = textwrap.dedent(source)
    (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--ignore", "not-verified", "--format", "json", name]) == 1
    (error,) = json.loads(capsys.readouterr().out)["diagnostics"]
    assert {r["path"] for r in error["related"]} <= {name}
    lines = text.splitlines()

    def at(fragment: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if fragment in line)

    return error, at, {(r["line"], r["message"]) for r in error["related"]}


def test_the_assignment_that_carried_a_size_is_named(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import jax.numpy as jnp
        import typedlenet as tl
        from typedlenet import Float, NamedArray

        MEAN = tl.named(jnp.array([0.5, 0.5, 0.5]), "channels")
        STD = tl.named(jnp.array([0.5, 0.5, 0.5]), "channels")


        def program(png: Float[NamedArray, "channels:4 height:8 width:8"]):
            image = png
            return (image - MEAN) / STD
        """,
    )
    assert error["line"] == at("return (image - MEAN)")
    assert (at("image = png"), "`image` (`channels:4`) assigned here") in near
    assert (at("MEAN = tl.named"), "`MEAN` (`channels:3`) made here") in near
    # `STD` holds `channels:3` too, but the `/` it is read by never ran
    assert at("STD = tl.named") not in {line for line, _ in near}


def test_an_operand_without_the_axis_names_where_it_was_assigned(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import jax
        import typedlenet as tl
        from typedlenet import Float, Int, NamedArray, nn


        def program(
            states: Float[NamedArray, "batch:b seq:n embed:4"],
            tags: Int[NamedArray, "batch:b seq:n"],
        ):
            head = nn.Linear("embed:4", "tag:3", key=jax.random.PRNGKey(0))
            logits = head(tl.mean(states, "seq"))
            return tl.cross_entropy(logits, tags, axis="tag")
        """,
    )
    assert error["kind"] == "missing_axis"
    assert (at("logits = head"), "`logits` (`batch`, `tag`, no `seq`) assigned here") in near


def test_an_assignment_that_may_not_have_run_is_not_named(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import typedlenet as tl
        from typedlenet import Float, NamedArray


        def program(
            x: Float[NamedArray, "batch:b embed:8"],
            w: Float[NamedArray, "embed:6"],
        ):
            y = x
            if x.sizes["embed"] > 100:
                y = tl.relu(x)
            for _ in range(2):
                z = y * w
                y = z
            return z
        """,
    )
    assert error["line"] == at("z = y * w")
    lines = {line for line, _ in near}
    # `y` last assigned in a branch that did not run, and again later in the loop
    assert not lines & {at("y = x"), at("y = tl.relu(x)"), at("y = z")}
    assert (at("x: Float"), "`embed:8` bound by the annotation of `x`") in near


def test_a_window_given_as_an_argument_names_its_assignment(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import jax
        import typedlenet as tl
        from typedlenet import Float, NamedArray, nn


        @tl.typechecked
        def conv1d(
            x: Float[NamedArray, "batch channels:c time:t"],
            W: Float[NamedArray, "channels' channels:c win:k"],
        ) -> Float[NamedArray, "batch channels time:t-k+1"]:
            windows = tl.unfold(x, "time", "win", W.sizes["win"])
            return tl.rename(tl.dot(windows, W, "channels win"), {"channels'": "channels"})


        def program(frames: Float[NamedArray, "batch:b channels:2 time:6"]):
            W1 = nn.init(jax.random.PRNGKey(0), "channels':2 channels:2 win:5", fan_in="win")
            W2 = nn.init(jax.random.PRNGKey(1), "channels':2 channels:2 win:5", fan_in="win")
            h = conv1d(frames, W1)
            return conv1d(h, W2)
        """,
    )
    assert error["line"] == at("return conv1d(h, W2)")
    assert (at("W2 = nn.init"), "`W2` (`win:5`) assigned here") in near
    assert (at("W1 = nn.init"), "`win:5` first made here") in near
    assert (at("h = conv1d"), "`h` (`time:2`) assigned here") in near
    assert (at(") -> Float"), "the return annotation of `conv1d`, here") in near


def test_a_broken_return_annotation_names_the_annotation(tmp_path, monkeypatch, capsys):
    # another file with a function of the same name: its `return` is not named
    (tmp_path / "other.py").write_text("def program():\n    return 1\n")
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import typedlenet as tl
        from typedlenet import Float, NamedArray


        @tl.typechecked
        def program(
            images: Float[NamedArray, "batch:b channels:3 pixel:16"],
        ) -> Float[NamedArray, "batch:b inp:16"]:
            return tl.flatten(images, "pixel channels", "inp")
        """,
    )
    assert error["line"] == at("return tl.flatten")
    assert near == {(at(") -> Float"), "`inp:16` written by the return annotation of `program`")}


def test_an_argument_that_breaks_a_helper_names_its_annotation(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import typedlenet as tl
        from typedlenet import Float, NamedArray


        @tl.typechecked
        def head(
            x: Float[NamedArray, "batch embed:8"],
        ) -> Float[NamedArray, "batch"]:
            return tl.sum(x, "embed")


        def program(x: Float[NamedArray, "batch:b embed:6"]):
            return head(x)
        """,
    )
    assert error["line"] == at("return head(x)")
    assert (
        at('x: Float[NamedArray, "batch embed:8"]'),
        ("`embed:8` written by the annotation of `x` in `head`"),
    ) in near


@pytest.mark.parametrize("where", ["CONSTRAINTS", "decorator"])
def test_an_undecidable_size_names_the_constraints_on_its_symbol(
    tmp_path, monkeypatch, capsys, where
):
    claim = '"n <= 2048", "b >= 1"'
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        f"""
        import jax
        import typedlenet as tl
        from typedlenet import Int, NamedArray, nn

        {f"CONSTRAINTS = ({claim})" if where == "CONSTRAINTS" else ""}


        {f"@tl.constraints({claim})" if where == "decorator" else ""}
        def program(ids: Int[NamedArray, "batch:b seq:n"]):
            table = nn.Embedding("pos:512", "hidden:4", key=jax.random.PRNGKey(0))
            return table(tl.arange("seq", ids.sizes["seq"]))
        """,
    )
    assert error["kind"] == "undecidable"
    assert (at("n <= 2048"), "the constraint `n <= 2048` on `n` given here") in near
    assert not any("b >= 1" in message for _, message in near)


def test_a_constant_of_a_statement_over_several_lines_is_named(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import jax
        import typedlenet as tl
        from typedlenet import Float, NamedArray, nn

        N_CLASS = 20
        HIDDEN = 16


        def program(
            x: Float[NamedArray, "batch:2 embed:4"],
            labels: Float[NamedArray, "batch:2 class:32"],
        ):
            hidden = 8
            layer = nn.Linear(
                "embed:4", f"class:{N_CLASS}", key=jax.random.PRNGKey(0)
            )
            first = nn.Linear(
                f"class:{hidden}", "embed:4", key=jax.random.PRNGKey(1)
            )
            return first(layer(x) * labels)
        """,
    )
    assert error["kind"] == "size_clash" and error["line"] == at("return first(")
    assert (at("N_CLASS = 20"), "`N_CLASS = 20` written here") in near
    assert not any("HIDDEN" in message or "hidden" in message for _, message in near)


def test_a_size_passed_through_calls_names_the_literal(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import jax
        from typedlenet import Float, NamedArray, nn

        N_OUT = 20


        def head(n_out):
            return nn.Linear("embed:4", f"class:{n_out}", key=jax.random.PRNGKey(0))


        def stack(width):
            return head(width)


        def program(
            x: Float[NamedArray, "batch:2 embed:4"],
            labels: Float[NamedArray, "batch:2 class:32"],
        ):
            other = head(7)  # made first, at the same line of `head`
            layer = stack(N_OUT)
            return layer(x) * labels + other(x).sum()
        """,
    )
    assert error["kind"] == "size_clash"
    assert (
        at("layer = stack(N_OUT)"),
        "`class:20`: `20` passed to `stack` as `width` here",
    ) in near
    assert (at("N_OUT = 20"), "`N_OUT = 20` written here") in near
    assert not any(line == at("other = head(7)") for line, _ in near)


def test_parallel_inputs_of_a_size_not_involved_get_no_note(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import jax
        import typedlenet as tl
        from typedlenet import Float, NamedArray, nn


        def program(
            x1: Float[NamedArray, "batch:10 feature:128"],
            x2: Float[NamedArray, "batch:10 feature:128"],
            x3: Float[NamedArray, "batch:10 feature:128"],
        ):
            k1, k2 = jax.random.split(jax.random.PRNGKey(0))
            cnn = nn.Linear("feature:128", "feature:64", key=k1)
            sec = nn.Linear("feature:192", "class:5", key=k2)
            joined = tl.concatenate([cnn(x) for x in (x1, x2, x3)], "batch")
            return sec(joined)
        """,
    )
    assert error["line"] == at("return sec(joined)")
    assert sorted(near) == sorted(
        [
            (at("cnn = nn.Linear"), "`feature:64` first made here"),
            (at("sec = nn.Linear"), "`feature:192` first made here"),
            (at("joined = tl.concatenate"), "`feature:64` last made here"),
        ]
    )


def test_parallel_inputs_of_an_involved_size_share_one_note(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(
        tmp_path,
        monkeypatch,
        capsys,
        """
        import typedlenet as tl
        from typedlenet import Float, Int, NamedArray


        def program(
            q: Float[NamedArray, "batch:3 seq:7 key:4"],
            k: Float[NamedArray, "batch:3 seq:7 key:4"],
            mask: Int[NamedArray, "batch:3 seq:7"],
        ):
            scores = tl.dot(q, tl.rename(k, {"seq": "seq'"}), "key")
            bias = tl.rename(mask, {"batch": "seq", "seq": "seq'"})
            return scores + bias
        """,
    )
    assert error["line"] == at("return scores + bias")
    assert (at("q: Float"), "`seq:7` bound by the annotations of `q`, `k`, `mask`") in near
    assert (at("bias = tl.rename"), "`seq:3` first made here") in near
    lines = [line for line, _ in near]
    assert at("k: Float") not in lines and at("mask: Int") not in lines
    assert len(lines) == len(set(lines))


POOLED = """
import typedlenet as tl
from typedlenet import Float, NamedArray, nn


def program(
    image: Float[NamedArray, "batch:1 channels:3 height:60 width:60"],
    other: Float[NamedArray, "batch:1 channels:3 height:28 width:60"],
):
    skips = []
    x = nn.MaxPool("height width", 2)(image)
    x = nn.MaxPool("height width", 2)(x)
    skips.append(x)
    y = nn.MaxPool("height width", 2)(x)
    up = tl.upsample(y, {"height": 2, "width": 2})
    return tl.concatenate([skips[0], up], "channels")
"""


def test_a_size_computed_from_an_input_names_the_input(tmp_path, monkeypatch, capsys):
    error, at, near = related_of(tmp_path, monkeypatch, capsys, POOLED)
    assert error["line"] == at("return tl.concatenate")
    assert (at("image: Float"), "`height:60` of the input `image`, from its annotation") in near
    # the sizes in between (30, 7) are not named, nor the input of no part in it
    assert not any(":30`" in message or ":7`" in message for _, message in near)
    assert at("other: Float") not in {line for line, _ in near}
    assert (at("up = tl.upsample"), "`height:14` first made here") in near
    # the list was empty when assigned: the array in it was put there elsewhere
    assert at("skips = []") not in {line for line, _ in near}


def test_the_text_shows_at_most_five_notes_and_counts_the_rest(tmp_path):
    from typedlenet.check._checker import Diagnostic
    from typedlenet.check._output import NOTES_SHOWN, text

    source = tmp_path / "many.py"
    source.write_text("".join(f"line_{n} = {n}\n" for n in range(1, 10)))
    notes = [(str(source), n, f"`embed:{n}` first made here") for n in range(1, 8)]
    error = Diagnostic(str(source), 9, 0, 0, "a clash", "axis", "program", related=notes)
    out = text([error], 1, 1)
    shown = [line for line in out.splitlines() if ": note: " in line]
    assert NOTES_SHOWN == 5 and len(shown) == 5
    assert shown[0].endswith(":1: note: `embed:1` first made here")
    assert "line_5 = 5" in out and "line_6 = 6" not in out
    assert "  and 2 more note(s), listed by `--format json`" in out
    error.related = notes[:5]
    assert "more note(s)" not in text([error], 1, 1)
