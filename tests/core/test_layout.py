"""The parts load only when used: `import typedlenet` loads neither the checker
tooling nor the training application, and `typedlenet check` / `lsp` load neither
the trainer nor optax (each measured in a fresh interpreter)."""

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("typedlenet.check", "typedlenet.train", "typedlenet._cli", "optax", "matplotlib", "tqdm")
TRAINING = ("typedlenet.train._trainer", "optax", "matplotlib", "tqdm")


def loaded_after(code: str, stdin: str = "") -> set[str]:
    """The modules of `HEAVY` loaded after running `code` in a fresh interpreter."""
    probe = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print("\\nMODULES=" + json.dumps(sorted(
            m for m in sys.modules if m.startswith({HEAVY!r})
        )))
    """)
    done = subprocess.run(
        [sys.executable, "-c", probe], input=stdin, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    # The last line (the language server's replies, on stdout too, end without one).
    return set(json.loads(done.stdout.rsplit("MODULES=", 1)[1]))


def test_importing_typedlenet_loads_only_the_core_nn_lenet_and_runtime():
    assert loaded_after("import typedlenet") == set()


@pytest.mark.parametrize(
    "argv",
    [["lsp"], ["check", "well_typed.py"]],
    ids=["lsp", "check"],
)
def test_the_checker_commands_load_no_trainer_and_no_optax(argv, tmp_path, monkeypatch):
    (tmp_path / "well_typed.py").write_text(
        "import typedlenet as tl\n\n"
        "@tl.typechecked\n"
        'def double(x: tl.Float[tl.NamedArray, "batch:b"]) -> tl.Float[tl.NamedArray, "batch:b"]:\n'
        "    return x + x\n"
    )
    monkeypatch.chdir(tmp_path)
    # An editor's whole session: initialize, shutdown and exit, so that the server ends
    # with 0 (LSP).
    frames = "".join(
        f"Content-Length: {len(body)}\r\n\r\n{body}"
        for body in (
            '{"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {}}',
            '{"jsonrpc": "2.0", "method": "initialized", "params": {}}',
            '{"jsonrpc": "2.0", "id": 1, "method": "shutdown"}',
            '{"jsonrpc": "2.0", "method": "exit"}',
        )
    )
    loaded = loaded_after(
        f"from typedlenet._cli import main\nstatus = main({argv!r})\nassert status == 0, status\n",
        stdin=frames,
    )
    assert not loaded & set(TRAINING), loaded
    assert "typedlenet.check" in loaded


def test_old_import_paths_still_work():
    import typedlenet as tl
    import typedlenet.data
    import typedlenet.train.data
    from typedlenet import nn, runtime
    from typedlenet.lenet._tune import machine

    assert typedlenet.data is typedlenet.train.data
    assert tl.conv2d is nn.conv2d and tl.maxpool2d is nn.maxpool2d and tl.mlp is nn.mlp
    assert tl.tune_allocator is runtime.tune_allocator
    assert tl.use_compilation_cache is runtime.use_compilation_cache
    assert tl.allocator_tuned is runtime.allocator_tuned
    assert nn.window_name("height") and nn.Impl is not None
    assert machine is runtime.machine
