"""The typecheck corpus (`typecheck/` and the ported tracker bugs in
`typecheck/real/`) run by `typecheck/run.py` in a child process, as CI runs it:
every program meets its marks, and a program that does not is named."""

import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUN = ROOT / "typecheck" / "run.py"


def run_corpus(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUN), *args], capture_output=True, text=True, cwd=ROOT, timeout=1800
    )


@pytest.mark.slow
def test_every_program_of_both_folders_meets_its_marks():
    done = run_corpus()
    assert done.returncode == 0, done.stdout + done.stderr
    expected = len(list((ROOT / "typecheck").glob("*.py"))) - 1
    expected += len(list((ROOT / "typecheck" / "real").glob("*.py")))
    assert done.stdout.strip().endswith(f"typecheck corpus: {expected} passed, 0 failed")


def test_every_ported_bug_has_its_fix_and_cites_its_report():
    real = ROOT / "typecheck" / "real"
    faults = [p for p in real.glob("*.py") if not p.stem.endswith("_fixed")]
    assert len(faults) >= 20
    for fault in faults:
        fix = fault.with_name(f"{fault.stem}_fixed.py")
        assert fault.read_text().startswith("# typecheck: ill-typed\n"), fault.name
        assert fix.read_text().startswith("# typecheck: well-typed\n"), fix.name
        assert "https://" in fault.read_text().split('"""')[1], fault.name


def test_a_directory_runs_its_programs_and_a_missed_mark_is_named(tmp_path):
    (tmp_path / "wrong_line.py").write_text(
        textwrap.dedent(
            """\
            # typecheck: ill-typed
            import typedlenet as tl
            from typedlenet import Float, NamedArray


            def program(x: Float[NamedArray, "batch:b embed:8"], w: Float[NamedArray, "embed:6"]):
                y = x * w
                return y  # E: axis `embed`
            """
        )
    )
    (tmp_path / "clean.py").write_text(
        textwrap.dedent(
            """\
            # typecheck: well-typed
            import typedlenet as tl
            from typedlenet import Float, NamedArray


            def program(x: Float[NamedArray, "batch:b embed:8"]):
                return tl.relu(x)
            """
        )
    )
    done = run_corpus(str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wrong_line.py:7: the error was reported here, not on line 8" in done.stdout
    assert done.stdout.strip().endswith("typecheck corpus: 1 passed, 1 failed")


def test_a_path_that_does_not_exist_is_refused_by_name(tmp_path):
    done = run_corpus(str(tmp_path / "missing"))
    assert done.returncode == 1
    assert f"{tmp_path / 'missing'}: no such file or directory" in done.stderr
