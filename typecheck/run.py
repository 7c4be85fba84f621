"""Run the typecheck corpus: verify each program abstractly and compare the
diagnostics with the marks in its source.

Each `typecheck/*.py` program starts with a header, `# typecheck: well-typed` or
`# typecheck: ill-typed`, and defines `program(...)` whose parameters are named
annotations (`Float[NamedArray, "batch:b channels:1 height:28 width:28"]`;
sizes are integers or symbols). The runner builds abstract inputs from those
annotations (symbols become JAX symbolic sizes; a module-level `CONSTRAINTS`
tuple adds JAX constraints such as `"h >= 5"`) and runs `program` with
`typedlenet.verify`: no FLOPs. An ill-typed program marks the line where the
error is raised with `# E: <fragment of the message>`.

    python typecheck/run.py [FILE ...]
"""

from __future__ import annotations

import importlib.util
import pathlib
import re
import sys
import traceback

import typedlenet as tl

HERE = pathlib.Path(__file__).resolve().parent
HEADER = re.compile(r"^#\s*typecheck:\s*(well-typed|ill-typed)\s*$")
MARK = re.compile(r"#\s*E:\s*(.+?)\s*$")


def expectations(path: pathlib.Path) -> tuple[str | None, dict[int, str]]:
    """The header's verdict and the `# E:` marks by line number."""
    lines = path.read_text().splitlines()
    verdict = next((m.group(1) for line in lines[:3] if (m := HEADER.match(line))), None)
    marks = {i: m.group(1) for i, line in enumerate(lines, 1) if (m := MARK.search(line))}
    return verdict, marks


def diagnose(path: pathlib.Path) -> tuple[int, str] | None:
    """Verify the program in `path`: None if well-typed, else (line, message)."""
    spec = importlib.util.spec_from_file_location(f"typecheck_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        tl.verify(module.program, constraints=getattr(module, "CONSTRAINTS", ()))
    except Exception as error:  # every diagnostic is compared with the marks
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == str(path)]
        line = frames[-1].lineno if frames else 0
        where = [n for n in getattr(error, "__notes__", []) if "where:" in n]
        return line or 0, "\n".join([f"{type(error).__name__}: {error}", *where])
    return None


def check(path: pathlib.Path) -> list[str]:
    """The mismatches between `path`'s marks and its diagnostics, by file and line."""
    verdict, marks = expectations(path)
    name = path.relative_to(HERE.parent) if path.is_relative_to(HERE.parent) else path
    if verdict is None:
        return [f"{name}:1: no `# typecheck: well-typed` or `# typecheck: ill-typed` header"]
    found = diagnose(path)
    if verdict == "well-typed":
        problems = [f"{name}:{line}: stray mark `# E: {m}`" for line, m in marks.items()]
        if found is not None:
            problems.append(f"{name}:{found[0]}: expected well-typed, got {found[1]}")
        return problems
    if len(marks) != 1:
        return [f"{name}:1: an ill-typed program needs exactly one `# E:` mark ({len(marks)})"]
    ((line, fragment),) = marks.items()
    if found is None:
        return [f"{name}:{line}: expected an error containing {fragment!r}, got none"]
    if found[0] != line:
        return [f"{name}:{found[0]}: the error was raised here, not on line {line}: {found[1]}"]
    if fragment not in found[1]:
        return [f"{name}:{line}: expected {fragment!r} in the message, got {found[1]}"]
    return []


def main(argv: list[str]) -> int:
    paths = [pathlib.Path(a).resolve() for a in argv] or sorted(
        p for p in HERE.glob("*.py") if p.name != "run.py"
    )
    failed = 0
    for path in paths:
        problems = check(path)
        failed += bool(problems)
        for problem in problems:
            print(problem)
    passed = len(paths) - failed
    print(f"typecheck corpus: {passed} passed, {failed} failed")
    return 1 if failed or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
