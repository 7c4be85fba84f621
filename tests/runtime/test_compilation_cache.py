"""The compilation cache of `typedlenet train`: a second run reuses what the
first compiled, corrupt entries are compiled afresh, an unwritable directory
and the switch turn it off with a line, and a bad switch value is a usage error."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from test_faults import mount  # noqa: F401 (a fixture)

from typedlenet import use_compilation_cache

from test_data import make_dataset
from test_train import TINY, cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data") / "tiny")


COMMAND = [sys.executable, "-m", "typedlenet", "train"]


def train(cache_root, run, tiny, **env):
    """`typedlenet train` in a fresh process with the compilation cache on."""
    done = subprocess.run(
        [*COMMAND, *TINY, "--data-dir", str(tiny), "--epochs", "1", "--checkpoint-dir", str(run)],
        env={
            **os.environ,
            "TYPEDLENET_CACHE_DIR": str(cache_root),
            "TYPEDLENET_COMPILATION_CACHE": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout, done.stderr


def entries(cache_root):
    return sorted(p for p in (cache_root / "xla").rglob("*-cache"))


def losses(run):
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    return [(r.get("train_loss"), r.get("test_loss")) for r in rows]


def test_a_second_run_compiles_nothing_new(tmp_path, tiny):
    status, out, err = train(tmp_path / "cache", tmp_path / "a", tiny)
    assert status == 0, err
    stored = entries(tmp_path / "cache")
    assert stored, "the first run stored no compiled program"
    line = next(x for x in out.splitlines() if x.startswith("compilation cache:"))
    assert str(tmp_path / "cache" / "xla") in line
    read = {p: p.read_bytes() for p in (tmp_path / "cache" / "xla").rglob("*-atime")}
    status, out, err = train(tmp_path / "cache", tmp_path / "b", tiny)
    assert status == 0, err
    assert entries(tmp_path / "cache") == stored  # none added
    # JAX stamps an entry's -atime file when it reads it: most programs (model,
    # data and training step alike) came from the cache, not from compiling.
    assert sum(p.read_bytes() != t for p, t in read.items()) > len(read) // 2
    assert losses(tmp_path / "b") == losses(tmp_path / "a")


def test_corrupt_entries_are_compiled_afresh(tmp_path, tiny):
    status, _, err = train(tmp_path / "cache", tmp_path / "a", tiny)
    assert status == 0, err
    rng = np.random.default_rng(0)
    for i, entry in enumerate(entries(tmp_path / "cache")):
        size = entry.stat().st_size
        if i % 2:  # cut short
            entry.write_bytes(entry.read_bytes()[: size // 2])
        else:  # the same length of garbage
            entry.write_bytes(rng.integers(0, 256, size, dtype=np.uint8).tobytes())
    garbage = {entry: entry.read_bytes() for entry in entries(tmp_path / "cache")}
    status, out, err = train(tmp_path / "cache", tmp_path / "b", tiny)
    assert status == 0, err
    assert "Traceback" not in err and "Error reading" not in err
    assert f"{len(garbage)} unreadable entries removed" in out
    assert losses(tmp_path / "b") == losses(tmp_path / "a")
    # written afresh, so the next run finds them
    assert all(entry.read_bytes() != bad for entry, bad in garbage.items())


def test_an_unwritable_cache_directory_turns_it_off_with_a_line(tmp_path, tiny):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    status, out, err = train(blocker / "cache", tmp_path / "a", tiny)
    assert status == 0, err
    assert "Traceback" not in err
    line = next(x for x in out.splitlines() if x.startswith("compilation cache:"))
    assert line.startswith("compilation cache: off (") and "is not writable" in line
    assert str(blocker) in line


def test_the_switch(tmp_path, tiny, monkeypatch):
    monkeypatch.setenv("TYPEDLENET_COMPILATION_CACHE", "0")
    assert use_compilation_cache(tmp_path / "never") == (None, "TYPEDLENET_COMPILATION_CACHE=0")
    assert not (tmp_path / "never").exists()
    status, out, _ = train(
        tmp_path / "cache", tmp_path / "a", tiny, TYPEDLENET_COMPILATION_CACHE="0"
    )
    assert status == 0
    assert "compilation cache: off (TYPEDLENET_COMPILATION_CACHE=0)" in out
    assert not (tmp_path / "cache" / "xla").exists()
    monkeypatch.setenv("TYPEDLENET_COMPILATION_CACHE", "maybe")
    with pytest.raises(ValueError, match="TYPEDLENET_COMPILATION_CACHE='maybe'"):
        use_compilation_cache(tmp_path / "never")
    status, _, err = cli("train", *TINY, "--data-dir", tiny, "--checkpoint-dir", tmp_path / "b")
    assert status == 2
    assert "TYPEDLENET_COMPILATION_CACHE='maybe'" in err and "Traceback" not in err
    assert not (tmp_path / "b").exists()


def test_a_directory_given_to_jax_is_left_as_it_is(tmp_path):
    code = (
        "import pathlib, typedlenet as tl\n"
        "path, note = tl.use_compilation_cache(pathlib.Path('elsewhere'))\n"
        "print(path, repr(note))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "JAX_COMPILATION_CACHE_DIR": str(tmp_path / "given"),
            "TYPEDLENET_COMPILATION_CACHE": "1",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / "given"), "''"]
    assert not (tmp_path / "elsewhere").exists()


def test_a_full_disk_mid_run_is_one_line_and_turns_the_cache_off(tmp_path, tiny, request):
    # A real tmpfs of 64 KiB (root only): the first programs fit, the next ones do not.
    disk = request.getfixturevalue("mount")("disk", "size=64k")
    status, out, err = train(disk, tmp_path / "a", tiny)
    assert status == 0, err
    directory = next((disk / "xla").iterdir())
    assert err.splitlines() == [
        f"typedlenet: compilation cache {directory}: storing a compiled program failed "
        "(No space left on device); the cache is off for the rest of this run"
    ], err
    assert (tmp_path / "a" / "last.eqx").exists()
    # What stayed in the cache reads back whole: the next run removes nothing.
    status, out, err = train(disk, tmp_path / "b", tiny)
    assert status == 0 and "unreadable entries removed" not in out, err
    assert losses(tmp_path / "b") == losses(tmp_path / "a")


GONE = """
import pathlib, shutil, sys
import jax, jax.numpy as jnp
from typedlenet.runtime._compilation_cache import cache_fault, use_compilation_cache
directory = pathlib.Path(sys.argv[1])
use_compilation_cache(directory)
jax.jit(lambda x: x + 1)(jnp.ones(3))
shutil.rmtree(directory)
directory.write_text("a file where the cache was")
for k in range(2, 6):
    jax.jit(lambda x: x * k)(jnp.ones(3))
fault = cache_fault()
print(fault.directory, fault.action, type(fault.error).__name__)
"""


def test_a_cache_directory_replaced_mid_run_is_one_line(tmp_path):
    directory = tmp_path / "cache"
    done = subprocess.run(
        [sys.executable, "-c", GONE, str(directory)],
        env={**os.environ, "TYPEDLENET_COMPILATION_CACHE": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Warning" not in done.stderr, done.stderr
    assert lines[0].startswith(f"typedlenet: compilation cache {directory}: ")
    assert lines[0].endswith("; the cache is off for the rest of this run")
    assert done.stdout.split()[0] == str(directory)
