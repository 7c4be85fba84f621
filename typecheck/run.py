"""Run the typecheck corpus through `typedlenet check --format json` and compare
its diagnostics with the marks in each program's source.

Each `typecheck/*.py` program starts with a header, `# typecheck: well-typed` or
`# typecheck: ill-typed`, and defines `program(...)` whose parameters are named
annotations (`Float[NamedArray, "batch:b channels:1 height:28 width:28"]`;
sizes are integers or symbols, a module-level `CONSTRAINTS` tuple adds JAX
constraints such as `"h >= 5"`). The checker verifies `FILE.py::program`
abstractly, no FLOPs. An ill-typed program marks the line where its error is
reported with `# E: <fragment of the message>`; a well-typed one has no mark.
A line that causes the error elsewhere (where a wrong size was written) is
marked `# C: <fragment>`: it must be among the error's reported locations (its
related notes, `inp:3136 first made here`), with the fragment in that note.

Programs ported from shape bugs that users reported on public trackers live in
`typecheck/real/`, each twice: the fault (`NAME.py`) and its accepted fix
(`NAME_fixed.py`), with the report's address in the docstring.

    python typecheck/run.py [FILE or DIRECTORY ...]

With no argument it runs every program of `typecheck/` and `typecheck/real/`; a
directory stands for the programs directly in it.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
HEADER = re.compile(r"^#\s*typecheck:\s*(well-typed|ill-typed)\s*$")
MARK = re.compile(r"#\s*E:\s*(.+?)\s*$")
CAUSE = re.compile(r"#\s*C:\s*(.+?)\s*$")

Found = tuple[int, str, list[tuple[int, str]]]  # line, message, related (line, message)


def expectations(path: pathlib.Path) -> tuple[str | None, dict[int, str], dict[int, str]]:
    """The header's verdict, the `# E:` marks and the `# C:` marks by line number."""
    lines = path.read_text().splitlines()
    verdict = next((m.group(1) for line in lines[:3] if (m := HEADER.match(line))), None)
    marks = {i: m.group(1) for i, line in enumerate(lines, 1) if (m := MARK.search(line))}
    causes = {i: m.group(1) for i, line in enumerate(lines, 1) if (m := CAUSE.search(line))}
    return verdict, marks, causes


def diagnose(paths: list[pathlib.Path]) -> dict[pathlib.Path, list[Found]]:
    """`typedlenet check --format json` on every program: (line, message) by file."""
    command = [sys.executable, "-m", "typedlenet", "check", "--format", "json"]
    command += [f"{p}::program" for p in paths]
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode not in (0, 1):
        raise SystemExit(f"typedlenet check failed (exit {done.returncode}):\n{done.stderr}")
    found: dict[pathlib.Path, list[Found]] = {p: [] for p in paths}
    for d in json.loads(done.stdout)["diagnostics"]:
        near = [(r["line"], r["message"]) for r in d.get("related", [])]
        found[(HERE.parent / d["path"]).resolve()].append((d["line"], d["message"], near))
    return found


def check(path: pathlib.Path, found: list[Found]) -> list[str]:
    """The mismatches between `path`'s marks and its diagnostics, by file and line."""
    verdict, marks, causes = expectations(path)
    name = path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path
    if verdict is None:
        return [f"{name}:1: no `# typecheck: well-typed` or `# typecheck: ill-typed` header"]
    if verdict == "well-typed":
        problems = [f"{name}:{line}: stray mark `# E: {m}`" for line, m in marks.items()]
        problems += [
            f"{name}:{line}: expected well-typed, got {message}" for line, message, _ in found
        ]
        return problems
    if len(marks) != 1:
        return [f"{name}:1: an ill-typed program needs exactly one `# E:` mark ({len(marks)})"]
    ((line, fragment),) = marks.items()
    if not found:
        return [f"{name}:{line}: expected an error containing {fragment!r}, got none"]
    at, message, near = found[0]
    if at != line:
        return [f"{name}:{at}: the error was reported here, not on line {line}: {message}"]
    if fragment not in message:
        return [f"{name}:{line}: expected {fragment!r} in the message, got {message}"]
    problems = []
    for cause, piece in causes.items():
        notes = [m for n, m in near if n == cause]
        if not any(piece in m for m in notes):
            problems.append(
                f"{name}:{cause}: the cause {piece!r} is not among the reported locations "
                f"(related: {near})"
            )
    return problems


FOLDERS = (HERE, HERE / "real")


def programs(folder: pathlib.Path) -> list[pathlib.Path]:
    """The corpus programs directly in `folder` (this script left out)."""
    return sorted(p for p in folder.glob("*.py") if p.name != "run.py")


def resolve(argv: list[str]) -> list[pathlib.Path]:
    """The programs named by files and directories, or every program of the corpus."""
    if not argv:
        return [p for folder in FOLDERS for p in programs(folder)]
    paths: list[pathlib.Path] = []
    for arg in argv:
        path = pathlib.Path(arg).resolve()
        if path.is_dir():
            paths += programs(path)
        elif path.is_file():
            paths.append(path)
        else:
            raise SystemExit(f"typecheck/run.py: {arg}: no such file or directory")
    return paths


def main(argv: list[str]) -> int:
    paths = resolve(argv)
    found = diagnose(paths)
    failed = 0
    for path in paths:
        problems = check(path, found[path])
        failed += bool(problems)
        for problem in problems:
            print(problem)
    passed = len(paths) - failed
    print(f"typecheck corpus: {passed} passed, {failed} failed")
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
