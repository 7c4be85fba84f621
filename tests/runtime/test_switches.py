"""Every environment switch is read the same way: importing typedlenet never fails
because of one, the library refuses a bad one where it reads it (a `ConfigError`
naming the variable), and the command reports it in one line, exit 2."""

import os
import subprocess
import sys

import pytest

from typedlenet._config import SWITCHES, ConfigError, flag, state


@pytest.mark.parametrize("name", sorted(SWITCHES))
def test_a_bad_switch_is_one_line_and_exit_2_from_the_command(name, tmp_path):
    env = {**os.environ, name: "maybe"}
    done = subprocess.run(
        [sys.executable, "-m", "typedlenet", "check", "--lenet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("typedlenet check: error: environment variable")
    assert f"{name}='maybe'" in lines[0]
    assert done.stdout == ""


@pytest.mark.parametrize("name", sorted(SWITCHES))
def test_importing_typedlenet_with_a_bad_switch_succeeds(name):
    env = {**os.environ, name: "maybe"}
    done = subprocess.run(
        [sys.executable, "-c", "import typedlenet; print('imported')"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "imported", done.stderr


def test_the_library_names_the_variable_where_it_reads_it(monkeypatch):
    monkeypatch.setenv("TYPEDLENET_CHECKS", "maybe")
    with pytest.raises(ConfigError, match="TYPEDLENET_CHECKS='maybe'") as caught:
        flag("TYPEDLENET_CHECKS", True)
    assert caught.value.variable == "TYPEDLENET_CHECKS" and caught.value.value == "maybe"
    fresh = type(state)()
    with pytest.raises(ConfigError, match="TYPEDLENET_CHECKS"):
        _ = fresh.checks
    monkeypatch.setenv("TYPEDLENET_CHECKS", " Off ")
    assert type(state)().checks is False
