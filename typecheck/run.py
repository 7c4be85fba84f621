"""Run the typecheck corpus through `typedlenet check --format json` and compare
its diagnostics with the marks in each program's source.

Each `typecheck/*.py` program starts with a header, `# typecheck: well-typed` or
`# typecheck: ill-typed`, and defines `program(...)` whose parameters are named
annotations (`Float[NamedArray, "batch:b channels:1 height:28 width:28"]`;
sizes are integers or symbols, a module-level `CONSTRAINTS` tuple adds JAX
constraints such as `"h >= 5"`). The checker verifies `FILE.py::program`
abstractly, no FLOPs. An ill-typed program marks the line where its error is
reported with `# E: <fragment of the message>`; a well-typed one has no mark.

    python typecheck/run.py [FILE ...]
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


def expectations(path: pathlib.Path) -> tuple[str | None, dict[int, str]]:
    """The header's verdict and the `# E:` marks by line number."""
    lines = path.read_text().splitlines()
    verdict = next((m.group(1) for line in lines[:3] if (m := HEADER.match(line))), None)
    marks = {i: m.group(1) for i, line in enumerate(lines, 1) if (m := MARK.search(line))}
    return verdict, marks


def diagnose(paths: list[pathlib.Path]) -> dict[pathlib.Path, list[tuple[int, str]]]:
    """`typedlenet check --format json` on every program: (line, message) by file."""
    command = [sys.executable, "-m", "typedlenet", "check", "--format", "json"]
    command += [f"{p}::program" for p in paths]
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE.parent)
    if done.returncode not in (0, 1):
        raise SystemExit(f"typedlenet check failed (exit {done.returncode}):\n{done.stderr}")
    found: dict[pathlib.Path, list[tuple[int, str]]] = {p: [] for p in paths}
    for d in json.loads(done.stdout)["diagnostics"]:
        found[(HERE.parent / d["path"]).resolve()].append((d["line"], d["message"]))
    return found


def check(path: pathlib.Path, found: list[tuple[int, str]]) -> list[str]:
    """The mismatches between `path`'s marks and its diagnostics, by file and line."""
    verdict, marks = expectations(path)
    name = path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path
    if verdict is None:
        return [f"{name}:1: no `# typecheck: well-typed` or `# typecheck: ill-typed` header"]
    if verdict == "well-typed":
        problems = [f"{name}:{line}: stray mark `# E: {m}`" for line, m in marks.items()]
        problems += [
            f"{name}:{line}: expected well-typed, got {message}" for line, message in found
        ]
        return problems
    if len(marks) != 1:
        return [f"{name}:1: an ill-typed program needs exactly one `# E:` mark ({len(marks)})"]
    ((line, fragment),) = marks.items()
    if not found:
        return [f"{name}:{line}: expected an error containing {fragment!r}, got none"]
    at, message = found[0]
    if at != line:
        return [f"{name}:{at}: the error was reported here, not on line {line}: {message}"]
    if fragment not in message:
        return [f"{name}:{line}: expected {fragment!r} in the message, got {message}"]
    return []


def main(argv: list[str]) -> int:
    paths = [pathlib.Path(a).resolve() for a in argv] or sorted(
        p for p in HERE.glob("*.py") if p.name != "run.py"
    )
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
