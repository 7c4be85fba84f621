"""Time from didSave to published diagnostics of `typedlenet lsp` on a generated
500-line file (62 checked functions, one of them ill-typed), median of 5 saves.

    python bench/lsp.py
"""

from __future__ import annotations

import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from run import write_section

COUNT = 62  # functions: just over 500 lines

HEADER = """import jax.numpy as jnp

import typedlenet as tl
from typedlenet import Float, NamedArray

CONSTRAINTS = ("t >= 3",)

"""

FUNCTION = '''
def block_{i}(X: Float[NamedArray, "batch:b time:t embed:16"]):
    """A small named program: unfold, contract, normalise, reduce."""
    W = tl.named(jnp.ones((3, 16, {width})), "win embed hidden")
    U = tl.unfold(X, "time", "win", 3)
    H = tl.relu(tl.dot(W, U, "win embed"))
    N = H - tl.mean(H, "hidden")
    return tl.sum(tl.softmax(N, "hidden"), "time")
'''


def source(count: int) -> str:
    """`count` functions; the first takes `embed:12`, which its weight's 16 contradicts."""
    text = HEADER + "".join(FUNCTION.format(i=i, width=8 + i % 5) for i in range(count))
    return text.replace("embed:16", "embed:12", 1)


def send(process: subprocess.Popen, message: dict) -> None:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    assert process.stdin is not None
    process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    process.stdin.flush()


def receive(process: subprocess.Popen) -> dict:
    assert process.stdout is not None
    length = 0
    while (line := process.stdout.readline().strip()) != b"":
        key, _, value = line.decode().partition(":")
        if key.lower() == "content-length":
            length = int(value)
    return json.loads(process.stdout.read(length))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "blocks.py"
        text = source(COUNT)
        path.write_text(text)
        lines = len(text.splitlines())
        process = subprocess.Popen(
            [sys.executable, "-m", "typedlenet", "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=tmp,
        )
        send(process, {"id": 1, "method": "initialize", "params": {"capabilities": {}}})
        receive(process)
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        send(process, {"method": "textDocument/didOpen", "params": {"textDocument": document}})
        found = receive(process)["params"]["diagnostics"]
        times = []
        for _ in range(5):
            start = time.perf_counter()
            send(
                process,
                {"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}},
            )
            receive(process)
            times.append(time.perf_counter() - start)
        send(process, {"id": 2, "method": "shutdown"})
        receive(process)
        send(process, {"method": "exit"})
        process.wait(timeout=30)
    message = (
        f"typedlenet lsp: didSave -> diagnostics on a {lines}-line file of {COUNT} checked "
        f"functions ({len(found)} diagnostic): median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f} s, max {max(times):.2f} s) over 5 saves; each check "
        "is a fresh child process, Python and JAX start-up included"
    )
    print(message)
    write_section("Editor: typedlenet lsp", f"`python bench/lsp.py`: {message}.")


if __name__ == "__main__":
    main()
