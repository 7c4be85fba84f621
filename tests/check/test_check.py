"""`typedlenet check PATH`, `typedlenet trace` and `typedlenet lsp` on users' files:
diagnostics at the faulty line, formats, exit codes, suppression, configuration,
and a Language Server spoken to over stdio as an editor does."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import pytest

from typedlenet._cli import main

PROGRAM = textwrap.dedent(
    """
    import jax.numpy as jnp

    import typedlenet as tl
    from typedlenet import Float, NamedArray


    @tl.typechecked
    def project(X: Float[NamedArray, "... embed:8"]) -> Float[NamedArray, "... hidden"]:
        W = tl.named(jnp.ones((8, 4)), "embed hidden")
        return tl.dot(W, X, "embed")


    def model(X: Float[NamedArray, "batch:b seq:n embed:8"]):
        H = project(X)
        return tl.sum(H, "hidden")


    def broken(X: Float[NamedArray, "batch:b embed:6"]):
        Y = X * 2
        return project(Y)


    def pooled(X: Float[NamedArray, "batch:b time:t"]):
        return tl.unfold(X, "time", "win", 3)
    """
)


@pytest.fixture
def project_dir(tmp_path, monkeypatch):
    (tmp_path / "net.py").write_text(PROGRAM)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args, capsys):
    status = main(["check", *map(str, args)])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_diagnostics_point_at_the_faulty_operation_with_the_call_chain(project_dir, capsys):
    status, out, _ = run("net.py", capsys=capsys)
    assert status == 1
    lines = PROGRAM.splitlines()
    faulty = lines.index('    return tl.dot(W, X, "embed")') + 1
    assert f"net.py:{faulty}:" not in out  # the mistake is the caller's argument, not the dot
    caller = lines.index("    return project(Y)") + 1
    assert (
        f"net.py:{caller}:12: error: project(): argument `X`, axis `embed`: expected size 8" in out
    )
    assert "               ^^^^^^^^^^" in out  # the caret under the call
    unfold = lines.index('    return tl.unfold(X, "time", "win", 3)') + 1
    assert f"net.py:{unfold}:12: error: unfold: cannot prove that t >= 3 (axis `time`)" in out
    assert "[axis]" in out and "Found 2 error(s)" in out


def test_json_and_github_formats(project_dir, capsys):
    status, out, _ = run("net.py", "--format", "json", capsys=capsys)
    report = json.loads(out)
    assert status == 1 and report["checked"] == 4
    first = report["diagnostics"][0]
    assert (first["path"], first["rule"], first["target"]) == ("net.py", "annotation", "broken")
    assert first["chain"] == [] and first["column"] == 12 and report["files"] == 1
    status, out, _ = run("net.py", "--format", "github", capsys=capsys)
    assert out.startswith("::error file=net.py,line=")
    assert ",title=typedlenet [annotation]::project(): argument `X`" in out


def test_one_function_constraints_and_suppression(project_dir, capsys):
    assert run("net.py::model", capsys=capsys)[0] == 0
    assert run("net.py::pooled", "--constraint", "t >= 3", capsys=capsys)[0] == 0
    text = PROGRAM.replace(
        '    return tl.unfold(X, "time", "win", 3)',
        '    return tl.unfold(X, "time", "win", 3)  # typedlenet: ignore[axis]',
    )
    (project_dir / "net.py").write_text(text)
    status, out, _ = run("net.py::pooled", capsys=capsys)
    assert status == 0 and "No errors" in out


def test_a_decorator_and_pyproject_declare_constraints(project_dir, capsys):
    (project_dir / "pkg").mkdir()
    (project_dir / "pkg" / "__init__.py").write_text("")
    (project_dir / "pkg" / "ops.py").write_text(
        PROGRAM.replace("def pooled(", '@tl.constraints("t >= 3")\ndef pooled(')
    )
    (project_dir / "pyproject.toml").write_text(
        '[tool.typedlenet]\npaths = ["pkg"]\nexclude = ["*/skipped.py"]\n'
    )
    (project_dir / "pkg" / "skipped.py").write_text("raise RuntimeError('never imported')\n")
    status, out, _ = run(capsys=capsys)  # no PATH: the configured paths
    assert status == 1 and "pkg/ops.py" in out and "unfold" not in out
    assert "skipped" not in out


def test_exit_2_for_what_cannot_be_checked(project_dir, capsys):
    status, _, err = run("missing.py", capsys=capsys)
    assert status == 2 and "missing.py: no such file or directory" in err
    (project_dir / "bad.py").write_text("import not_a_module_anywhere\n")
    status, _, err = run("bad.py", capsys=capsys)
    assert status == 2 and "bad.py: importing it failed: ModuleNotFoundError" in err
    assert "Traceback" not in err
    status, _, err = run("net.py::nothing", capsys=capsys)
    assert status == 2 and "no function or module class `nothing`" in err
    with pytest.raises(SystemExit) as info:
        main(["check", "--format", "xml", "net.py"])
    assert info.value.code == 2


def test_modules_with_typed_fields_are_checked_with_their_fields(project_dir, capsys):
    (project_dir / "layer.py").write_text(
        textwrap.dedent(
            """
            import typedlenet as tl
            from typedlenet import Float, NamedArray


            class Dense(tl.TypedModule):
                W: Float[NamedArray, "embed:e hidden:h"]

                def __call__(self, x: Float[NamedArray, "batch:b embed:e"]):
                    y = tl.dot(self.W, x, "embed")
                    return tl.softmax(y, "embed")
            """
        )
    )
    status, out, _ = run("layer.py", capsys=capsys)
    assert status == 1
    assert "layer.py:11:" in out and "softmax: `x` has no axis `embed`" in out


def test_the_library_checks_itself_clean(capsys):
    src = pathlib.Path(__file__).parents[2] / "src"
    status, out, _ = run(src, "--format", "github", capsys=capsys)
    assert status == 0, out
    assert "No errors" in out


def test_trace_shows_each_line_named_sizes(project_dir, capsys):
    status = main(["trace", "net.py::model"])
    out = capsys.readouterr().out
    lines = PROGRAM.splitlines()
    h = lines.index("    H = project(X)") + 1
    assert status == 0
    assert f"net.py:{h}: H: hidden:4, batch:b, seq:n (float32)" in out
    assert "return: batch:b, seq:n (float32)" in out
    assert main(["trace", "net.py::broken"]) == 1
    assert "error: project(): argument `X`" in capsys.readouterr().out


def _send(process, message):
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    process.stdin.flush()


def _receive(process):
    length = None
    while True:
        line = process.stdout.readline()
        assert line, "the server closed its output"
        if line.strip() == b"":
            break
        key, _, value = line.decode().partition(":")
        if key.lower() == "content-length":
            length = int(value)
    return json.loads(process.stdout.read(length))


def start_language_server(project_dir):
    """`typedlenet lsp` in a child process, speaking over its stdin and stdout."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.Popen(
        [sys.executable, "-m", "typedlenet", "lsp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=project_dir,
        env=env,
    )


@pytest.mark.slow
def test_the_language_server_over_stdio(project_dir):
    path = project_dir / "net.py"
    uri = path.as_uri()
    process = start_language_server(project_dir)
    try:
        # The user trusts the workspace (the server's directory: no folder is declared).
        params = {"capabilities": {}, "initializationOptions": {"trust": True}}
        _send(process, {"id": 1, "method": "initialize", "params": params})
        reply = _receive(process)
        assert reply["id"] == 1 and reply["result"]["capabilities"]["hoverProvider"] is True
        _send(process, {"method": "initialized", "params": {}})
        document = {"uri": uri, "languageId": "python", "version": 1, "text": PROGRAM}
        _send(process, {"method": "textDocument/didOpen", "params": {"textDocument": document}})
        published = _receive(process)
        assert published["method"] == "textDocument/publishDiagnostics"
        found = published["params"]["diagnostics"]
        lines = PROGRAM.splitlines()
        caller = lines.index("    return project(Y)")
        first = found[0]
        assert first["range"]["start"] == {"line": caller, "character": 11}
        assert first["range"]["end"] == {"line": caller, "character": 21}
        assert first["message"].startswith("project(): argument `X`, axis `embed`")
        assert [d["severity"] for d in found] == [1, 1, 2]  # two errors, one warning
        assert found[2]["code"] == "unchecked-return"  # `model`'s return is not annotated
        fixed = PROGRAM.replace("embed:6", "embed:8").replace('"win", 3)', '"win", 1)')
        path.write_text(fixed)
        _send(process, {"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
        left = _receive(process)["params"]["diagnostics"]
        assert left and all(d["severity"] == 2 for d in left)  # only the unchecked returns
        h = fixed.splitlines().index("    H = project(X)")
        position = {"line": h, "character": 5}
        _send(
            process,
            {
                "id": 2,
                "method": "textDocument/hover",
                "params": {"textDocument": {"uri": uri}, "position": position},
            },
        )
        hover = _receive(process)
        assert hover["id"] == 2
        assert "hidden:4, batch:b, seq:n" in hover["result"]["contents"]["value"]
        _send(process, {"id": 3, "method": "shutdown"})
        assert _receive(process)["id"] == 3
        _send(process, {"method": "exit"})
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()


def test_undecided_sizes_report_their_family_and_a_counterexample(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pools.py").write_text(
        textwrap.dedent(
            """
            import jax.numpy as jnp

            import typedlenet as tl
            from typedlenet import Float, NamedArray

            CONSTRAINTS = ("h >= 5",)
            W = tl.named(jnp.ones((4, 1, 5, 5)), "channels' channels kh kw")


            def features(X: Float[NamedArray, "batch:b channels:1 height:h width:12"]):
                Y = tl.rename(tl.conv2d(X, W), {"channels'": "channels"})
                return tl.maxpool2d(tl.maxpool2d(Y, 2, 1), 2, 1)
            """
        )
    )
    status, out, _ = run("pools.py", capsys=capsys)
    assert status == 1
    assert "well-typed for h = 4m + 4 (m >= 1); smallest counterexample h = 5" in out


def test_the_language_server_ends_at_once_on_sigterm(project_dir):
    # It waits on its input, where no safe point comes: an editor's SIGTERM ends it.
    process = start_language_server(project_dir)
    try:
        _send(process, {"id": 1, "method": "initialize", "params": {"capabilities": {}}})
        assert _receive(process)["id"] == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM
    finally:
        process.kill()
