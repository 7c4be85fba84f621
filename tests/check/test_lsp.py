"""`typedlenet lsp` under faults: malformed frames and params over a real stdio
pipe, files that loop at import, files it is not trusted to run, syntax errors.

Each test speaks to a real `typedlenet lsp` subprocess; a thread reads its stdout
strictly (anything there that is not a frame fails the test)."""

import json
import os
import pathlib
import queue
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import pytest

from typedlenet import _config

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
NOT_INITIALIZED = -32002

SHAPES = textwrap.dedent(
    """
    import typedlenet as tl
    from typedlenet import Float, NamedArray


    def model(X: Float[NamedArray, "batch:b embed:8"]) -> Float[NamedArray, "batch:b"]:
        H = tl.sum(X, "embed")
        return H
    """
)

# At import: writes a marker, then the function the hover asks about.
RUNS = textwrap.dedent(
    """
    import pathlib

    pathlib.Path(__file__).with_name("ran").write_text("imported")

    import typedlenet as tl
    from typedlenet import Float, NamedArray


    def model(X: Float[NamedArray, "batch:b embed:8"]) -> Float[NamedArray, "batch:b"]:
        H = tl.sum(X, "embed")
        return H
    """
)

# At import: records its pid, starts a grandchild in its process group, loops.
LOOPS = textwrap.dedent(
    """
    import os
    import pathlib
    import subprocess
    import sys

    here = pathlib.Path(__file__).parent
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    (here / "pids").write_text(f"{os.getpid()} {sleeper.pid}")
    while True:
        pass
    """
)


class Server:
    """A `typedlenet lsp` child spoken to over its stdin and stdout."""

    def __init__(self, cwd, **env):
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "typedlenet", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **env},
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self._stdin, self._stdout = self.process.stdin, self.process.stdout
        self._messages = queue.Queue()
        self._ids = iter(range(1000, 10**6))
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        out = self._stdout
        try:
            while True:
                length = None
                line = out.readline()
                if not line:
                    break
                while line.strip():
                    key, colon, value = line.decode("ascii").partition(":")
                    assert colon, f"not a header on the server's stdout: {line!r}"
                    if key.lower() == "content-length":
                        length = int(value)
                    line = out.readline()
                assert length is not None, "a frame without Content-Length on stdout"
                self._messages.put(json.loads(out.read(length)))
        except Exception as error:  # the test reads it from the queue
            self._messages.put(error)
        self._messages.put(None)

    def raw(self, data: bytes):
        self._stdin.write(data)
        self._stdin.flush()

    def send(self, message):
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def receive(self, timeout=60):
        message = self._messages.get(timeout=timeout)
        if isinstance(message, Exception):
            raise message
        assert message is not None, f"the server closed its output:\n{self.log()}"
        return message

    def request(self, method, params=None, timeout=60):
        ident = next(self._ids)
        self.send({"id": ident, "method": method, **({} if params is None else {"params": params})})
        reply = self.receive(timeout)
        assert reply.get("id") == ident, reply
        return reply

    def alive(self):
        """A request it answers: an unknown method."""
        reply = self.request("typedlenet/ping", timeout=30)
        assert reply["error"]["code"] == METHOD_NOT_FOUND, reply

    def initialize(self, **params):
        reply = self.request("initialize", {"capabilities": {}, **params})
        assert reply["result"]["capabilities"]["hoverProvider"] is True
        self.send({"method": "initialized", "params": {}})

    def open(self, path, text=None):
        text = path.read_text() if text is None else text
        document = {"uri": path.as_uri(), "languageId": "python", "version": 1, "text": text}
        self.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
        return self.published(path)

    def save(self, path):
        params = {"textDocument": {"uri": path.as_uri()}}
        self.send({"method": "textDocument/didSave", "params": params})
        return self.published(path)

    def published(self, path, timeout=120):
        message = self.receive(timeout)
        assert message["method"] == "textDocument/publishDiagnostics", message
        assert message["params"]["uri"] == path.as_uri()
        return message["params"]["diagnostics"]

    def hover(self, path, line, timeout=120):
        position = {"line": line, "character": 4}
        params = {"textDocument": {"uri": path.as_uri()}, "position": position}
        return self.request("textDocument/hover", params, timeout)["result"]

    def end(self, timeout=30):
        """Close its input; its exit status."""
        self._stdin.close()
        return self.process.wait(timeout=timeout)

    def log(self):
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


@pytest.fixture
def servers():
    started = []

    def start(cwd, **env):
        started.append(Server(cwd, **env))
        return started[-1]

    yield start
    for server in started:
        server.kill()


def gone(pid):
    """Whether process `pid` has ended (a zombie, waiting for init, has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, IndexError):
        return True


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still not {what} after {timeout} s"
        time.sleep(0.05)


def frame(body: bytes, length=None, headers=b""):
    length = len(body) if length is None else length
    return headers + b"Content-Length: %d\r\n\r\n" % length + body


def request_body(ident, method="typedlenet/ping"):
    return json.dumps({"jsonrpc": "2.0", "id": ident, "method": method}).encode()


def error_of(reply, code, ident=None):
    assert reply.get("id") == ident and reply["error"]["code"] == code, reply
    return reply["error"]["message"]


def test_malformed_frames_and_params_are_answered_and_survived(tmp_path, servers):
    server = servers(tmp_path)
    # Before initialize, a request is refused, not fatal.
    assert server.request("textDocument/hover", {})["error"]["code"] == NOT_INITIALIZED
    server.initialize()

    # Malformed JSON with a right Content-Length.
    server.raw(frame(b'{"jsonrpc": "2.0", "id": 1,'))
    error_of(server.receive(), PARSE_ERROR)
    server.alive()

    # Too short: the cut body is a parse error; the reader resynchronises on the
    # next header, which follows the rest of the body on the same line.
    body = request_body(2)
    server.raw(frame(body, length=len(body) - 10))
    error_of(server.receive(), PARSE_ERROR)
    server.alive()

    # Too long, nothing after it: answered at once, not after the next message.
    body = request_body(3)
    sent = time.monotonic()
    server.raw(frame(body, length=len(body) + 40))
    error_of(server.receive(timeout=20), METHOD_NOT_FOUND, ident=3)
    assert time.monotonic() - sent < 20
    server.alive()

    # Too long, the next frame in the same write: it swallows the next header,
    # whole or in part, and both are answered.
    for extra in (30, 5):
        body = request_body(4)
        server.raw(frame(body, length=len(body) + extra) + frame(request_body(5)))
        error_of(server.receive(), METHOD_NOT_FOUND, ident=4)
        error_of(server.receive(), METHOD_NOT_FOUND, ident=5)
    server.alive()
    # Too long and not JSON: a parse error when the next frame comes, which is read.
    server.raw(frame(b"not json", length=100))
    server.raw(frame(request_body(6)))
    error_of(server.receive(), PARSE_ERROR)
    error_of(server.receive(), METHOD_NOT_FOUND, ident=6)

    # A Content-Length that is not a number; one with non-ASCII digits.
    server.raw(b"Content-Length: twelve\r\n\r\n" + request_body(6))
    assert "not a number" in error_of(server.receive(), PARSE_ERROR)
    server.alive()
    server.raw(b"Content-Length: \xef\xbc\x91\xef\xbc\x92\r\n\r\n" + request_body(7))
    error_of(server.receive(), PARSE_ERROR)
    server.alive()

    # A non-ASCII byte in another header: ignored, the message is read.
    server.raw(frame(request_body(8), headers=b"Content-Type: caf\xc3\xa9\xff\r\n"))
    error_of(server.receive(), METHOD_NOT_FOUND, ident=8)

    # A JSON array (a batch) and a JSON number are no requests.
    server.raw(frame(b"[" + request_body(9) + b"]"))
    error_of(server.receive(), INVALID_REQUEST)
    server.raw(frame(b"42"))
    error_of(server.receive(), INVALID_REQUEST)
    server.alive()

    # A header without Content-Length, then a bare JSON message without header.
    server.raw(b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + request_body(10))
    assert "without Content-Length" in error_of(server.receive(), PARSE_ERROR)
    server.alive()
    server.raw(request_body(11))
    assert "without a Content-Length" in error_of(server.receive(), PARSE_ERROR)
    server.alive()

    # Invalid ids, a request without a method, a response nobody asked for.
    server.send({"id": {"a": 1}, "method": "typedlenet/ping"})
    error_of(server.receive(), INVALID_REQUEST)
    server.send({"id": 12})
    error_of(server.receive(), INVALID_REQUEST, ident=12)
    server.send({"id": 13, "result": None})
    server.alive()

    # Bad params: notifications are dropped (logged), requests answered -32602.
    server.send({"method": "textDocument/didOpen", "params": {}})
    server.send({"method": "textDocument/didOpen", "params": {"textDocument": {"uri": 3}}})
    server.send({"method": "textDocument/didChange", "params": "text"})
    server.send({"method": "textDocument/didSave", "params": {"textDocument": None}})
    server.alive()
    reply = server.request("textDocument/hover", {"textDocument": {}})
    assert reply["error"]["code"] == INVALID_PARAMS
    uri = {"uri": (tmp_path / "never.py").as_uri()}
    hover = server.request("textDocument/hover", {"textDocument": uri, "position": {"line": "1"}})
    assert hover["error"]["code"] == INVALID_PARAMS
    reply = server.request("textDocument/hover", [1, 2])
    assert reply["error"]["code"] == INVALID_PARAMS
    # Hover on a file never opened, absent from the disk too: null.
    assert server.hover(tmp_path / "never.py", 0) is None
    assert server.hover(tmp_path, 0) is None  # a folder

    # Shutdown, then the end of input: status 0; nothing was fatal.
    assert server.request("shutdown")["result"] is None
    assert server.request("typedlenet/ping")["error"]["code"] == INVALID_REQUEST
    assert server.end() == 0
    log = server.log()
    assert "Traceback" not in log
    assert "runs into the next frame's header" in log
    assert "is longer than its message" in log


def test_the_end_of_input_without_shutdown_is_status_1(tmp_path, servers):
    server = servers(tmp_path)
    server.initialize()
    server.raw(b"Content-Length: 10\r\n\r\n{")  # ends inside a message
    assert server.end() == 1
    assert "Traceback" not in server.log()


def test_an_invalid_time_limit_is_one_line_naming_the_variable(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "typedlenet", "lsp"],
        input=b"",
        capture_output=True,
        cwd=tmp_path,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(sys.path),
            "TYPEDLENET_LSP_TIMEOUT": "soon",
        },
        timeout=60,
    )
    assert done.returncode == 2 and done.stdout == b""
    assert done.stderr.decode().strip().splitlines() == [
        "typedlenet lsp: error: environment variable TYPEDLENET_LSP_TIMEOUT='soon': "
        "expected a positive number"
    ]


def test_number_reads_a_positive_number(monkeypatch):
    for raw, expected in (("2.5", 2.5), (" 30 ", 30.0), ("", 7.0)):
        monkeypatch.setenv("TYPEDLENET_X", raw)
        assert _config.number("TYPEDLENET_X", 7.0) == expected
    monkeypatch.delenv("TYPEDLENET_X")
    assert _config.number("TYPEDLENET_X", 7.0) == 7.0
    for raw in ("0", "-1", "nan", "inf", "ten", "1s"):
        monkeypatch.setenv("TYPEDLENET_X", raw)
        with pytest.raises(ValueError, match=r"^environment variable TYPEDLENET_X="):
            _config.number("TYPEDLENET_X", 7.0)


def test_the_kind_of_a_checked_error_is_its_diagnostic_code(tmp_path, monkeypatch, capsys):
    from typedlenet._cli import main
    from typedlenet.check._lsp._diagnostics import _from_report, _report

    monkeypatch.chdir(tmp_path)
    path = tmp_path / "clash.py"
    path.write_text(
        textwrap.dedent(
            """
            import jax.numpy as jnp

            import typedlenet as tl
            from typedlenet import Float, NamedArray


            def clash(X: Float[NamedArray, "batch:b embed:8"]):
                return X + tl.named(jnp.ones(6), "embed")
            """
        )
    )
    assert main(["check", "clash.py", "--format", "json"]) == 1
    report = _report(capsys.readouterr().out)
    assert report is not None
    (diagnostic,) = _from_report(report, path)
    assert diagnostic["code"] == "size_clash"
    assert "axis `embed` has size 8 in the left operand and 6" in diagnostic["message"]


@pytest.fixture
def workspaces(tmp_path):
    trusted, untrusted = tmp_path / "trusted", tmp_path / "untrusted"
    trusted.mkdir()
    untrusted.mkdir()
    return trusted, untrusted


def test_untrusted_files_are_never_run(workspaces, servers):
    trusted, untrusted = workspaces
    evil = untrusted / "evil.py"
    evil.write_text(RUNS)
    (untrusted / "pyproject.toml").write_text("[tool.typedlenet]\nlsp-trust = true\n")
    (untrusted / "ondisk.py").write_text(RUNS)
    (trusted / "link.py").symlink_to(evil)  # in the trusted folder, its code is not
    broken = untrusted / "broken.py"
    broken.write_text("x = 1\n\ndef f(:\n    pass\n")
    server = servers(untrusted)  # the server's own directory is no workspace
    server.initialize(
        rootUri=untrusted.as_uri(),
        workspaceFolders=[{"uri": trusted.as_uri(), "name": "trusted"}],
        initializationOptions={"trust": True},
    )
    h = RUNS.splitlines().index('    H = tl.sum(X, "embed")')
    for path in (evil, trusted / "link.py"):
        for found in (server.open(path), server.save(path)):
            assert len(found) == 1, found
            (info,) = found
            assert info["severity"] == 3 and info["code"] == "trust"
            assert info["range"]["start"] == {"line": 0, "character": 0}
            assert "runs its code" in info["message"] and '"trust"' in info["message"]
        assert server.hover(path, h) is None
    assert server.hover(untrusted / "ondisk.py", h) is None  # never opened
    # Syntax errors are found without running anything, at their line.
    syntax, info = server.open(broken)
    assert syntax["range"]["start"] == {"line": 2, "character": 6}
    assert syntax["message"].startswith("SyntaxError") and info["code"] == "trust"
    assert server.request("shutdown")["result"] is None
    assert server.end() == 0
    assert not (untrusted / "ran").exists() and not (trusted / "ran").exists()
    assert "Traceback" not in server.log()


def test_a_list_of_trusted_folders(workspaces, servers):
    trusted, untrusted = workspaces
    for folder in workspaces:
        (folder / "net.py").write_text(RUNS)
    server = servers(untrusted)
    server.initialize(initializationOptions={"trust": [str(trusted), "relative/ignored"]})
    assert server.open(untrusted / "net.py")[0]["code"] == "trust"
    assert server.open(trusted / "net.py") == []
    assert (trusted / "ran").exists() and not (untrusted / "ran").exists()
    server.end()
    assert "relative/ignored" in server.log()


@pytest.mark.slow
def test_trusted_files_are_checked_with_syntax_errors_at_their_line(workspaces, servers):
    trusted, _ = workspaces
    good = trusted / "good.py"
    good.write_text(RUNS)
    (trusted / "shapes.py").write_text(SHAPES)
    server = servers(trusted)
    server.initialize(rootUri=trusted.as_uri(), initializationOptions={"trust": True})
    assert server.open(good) == []
    assert (trusted / "ran").read_text() == "imported"
    # Hover on a file never opened reads it from the disk.
    h = SHAPES.splitlines().index('    H = tl.sum(X, "embed")')
    hover = server.hover(trusted / "shapes.py", h)
    assert "batch:b" in hover["contents"]["value"]
    # A syntax error in the editor's text: at its line, without a child.
    broken = RUNS.replace("def model(X", "def model(X,, ")
    line = broken.splitlines().index(
        'def model(X,, : Float[NamedArray, "batch:b embed:8"]) -> Float[NamedArray, "batch:b"]:'
    )
    (syntax,) = server.open(good, broken)
    assert syntax["range"]["start"]["line"] == line and syntax["code"] == "syntax"
    # On the disk only (the editor's text is fine): the child's error, at its line.
    (trusted / "ondisk.py").write_text(broken)
    (syntax,) = server.open(trusted / "ondisk.py", RUNS)
    assert syntax["range"]["start"]["line"] == line and "SyntaxError" in syntax["message"]
    assert server.request("shutdown")["result"] is None
    assert server.end() == 0


def started_loop(folder, timeout=120):
    """The pids of the looping child and of its grandchild, once it loops."""
    pids = folder / "pids"
    wait_until(lambda: pids.exists() and len(pids.read_text().split()) == 2, timeout, "looping")
    child, grandchild = map(int, pids.read_text().split())
    pids.unlink()
    return child, grandchild


@pytest.mark.slow
def test_a_file_that_loops_at_import_is_stopped_at_the_time_limit(tmp_path, servers):
    loops = tmp_path / "loops.py"
    loops.write_text(LOOPS)
    limit = 10  # the child imports JAX first (3 s here), then loops
    server = servers(tmp_path, TYPEDLENET_LSP_TIMEOUT=str(limit))
    server.initialize(initializationOptions={"trust": True})
    sent = time.monotonic()
    (timed_out,) = server.open(loops)
    took = time.monotonic() - sent
    assert limit <= took < limit + 20, took
    assert timed_out["range"]["start"] == {"line": 0, "character": 0}
    assert f"timed out after {limit} s" in timed_out["message"]
    assert "TYPEDLENET_LSP_TIMEOUT" in timed_out["message"]
    child, grandchild = started_loop(tmp_path, timeout=1)  # it did loop
    wait_until(lambda: gone(child) and gone(grandchild), 10, "gone")
    server.alive()
    assert server.request("shutdown")["result"] is None
    assert server.end() == 0


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_no_check_outlives_the_server(tmp_path, servers, stop):
    loops = tmp_path / "loops.py"
    loops.write_text(LOOPS)
    server = servers(tmp_path, TYPEDLENET_LSP_TIMEOUT="600")
    server.initialize(initializationOptions={"trust": True})
    document = {"uri": loops.as_uri(), "languageId": "python", "version": 1, "text": LOOPS}
    server.send({"method": "textDocument/didOpen", "params": {"textDocument": document}})
    child, grandchild = started_loop(tmp_path)
    server.process.send_signal(stop)
    assert server.process.wait(timeout=30) == -stop
    wait_until(lambda: gone(child) and gone(grandchild), 10, "gone")


@pytest.mark.slow
def test_a_file_that_exits_at_import_is_an_error_where_the_checked_function_exits(
    tmp_path, servers
):
    exits = tmp_path / "exits.py"
    exits.write_text("import os\n\nos._exit(0)\n")
    stops = tmp_path / "stops.py"
    stops.write_text(
        "import sys\n\nfrom typedlenet import Float, NamedArray\n\n\n"
        'def stop(X: Float[NamedArray, "b"]):\n    sys.exit(3)\n'
    )
    server = servers(tmp_path)
    server.initialize(initializationOptions={"trust": True})
    (exited,) = server.open(exits)
    assert exited["code"] == "exit" and exited["severity"] == 1
    assert "importing exits.py ended the checking process (exit status 0)" in exited["message"]
    (stopped,) = server.open(stops)
    assert stopped["code"] == "exit" and stopped["range"]["start"]["line"] == 6
    assert "`stop` called sys.exit(3)" in stopped["message"]
    assert server.request("shutdown")["result"] is None
    assert server.end() == 0
