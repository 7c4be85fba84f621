"""`typedlenet check` on the typecheck corpus against jaxtyc on positional twins.

jaxtyc (PyPI `jaxtyc`) verifies positional jaxtyping annotations statically: it
traces every annotated function with `jax.eval_shape` on symbolic sizes. For each
corpus program whose mistake (or correctness) can be written positionally,
`bench/jaxtyc_twins/<name>.py` is its twin: plain jax arrays, jaxtyping
annotations, the same sizes, the same operation, the same mistake, the corpus's
`@tl.typechecked` helpers and typed modules as `@jaxtyped(typechecker=beartype)`;
its `# E:` mark is on the line of the faulty operation. typedlenet checks the
corpus program (`typedlenet check --format json FILE.py::program`), jaxtyc the
twin (`jaxtyc check --format json FILE.py`), a third row the twin with its
`@jaxtyped` lines blanked out (jaxtyc's README writes plain annotated functions).

Without jaxtyc installed, the script skips that comparison. In every run it also
measures `typedlenet check` on the faulty/fixed twins of the corpus (`NAME.py`
and `NAME_fixed.py` in `typecheck/`, and the shape bugs from public trackers in
`typecheck/real/`): whether the fault is caught, whether the line that causes it
(the lines where the twins differ) is among the reported locations (the error's
line or its related notes), how many distinct lines were reported (the median
and the most per fault: a cause found among many lines is found less), and
whether the fix is clean. That table goes to
BENCHMARKS.md too, and to bench/checkers_faults.json.

Each tool runs once over all its programs in one process (the verdicts), then
once per program in a process of its own (the median time per program, start-up
included; a twin that crashes jaxtyc there is left out of the one-process run,
where a crash would lose every other result). Prints a table, writes it to
BENCHMARKS.md and everything to bench/checkers.json.

    python bench/checkers.py [--jaxtyc PATH] [--repeats N]
"""

from __future__ import annotations

import argparse
import ast
import datetime
import difflib
import importlib.metadata
import json
import os
import pathlib
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from run import cpu_model, write_section

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "typecheck"
TWINS = ROOT / "bench" / "jaxtyc_twins"
TITLE = "Checkers: typedlenet check against jaxtyc"
FAULTS_TITLE = "Checkers: faults against their fixes"
FAULT_SETS = {
    "corpus": ("typecheck/", "faulty/fixed twins written for the corpus"),
    "real": ("typecheck/real/", "shape bugs reported on public trackers, ported"),
}
HEADER = re.compile(r"^#\s*typecheck:\s*(well-typed|ill-typed)\s*$")
MARK = re.compile(r"#\s*E:\s*(.+?)\s*$")
MARKS = re.compile(r"\s*#\s*[EC]:.*$")
JAXTYPED = re.compile(r"^([ \t]*)@jaxtyped\(typechecker=beartype\)[ \t]*$", re.MULTILINE)
ENV = {**os.environ, "JAX_PLATFORMS": "cpu"}

# jaxtyc diagnostics that come from jaxtyc failing to set up a trace, not from the
# program: it cannot build an equinox module whose fields are arrays, cannot call a
# function with a non-array parameter (`k: int`) or an `Integer` one, and compares a
# parameter whose first size is a number with the wrong kind of shape
# (`param-inconsistency` on `Float[Array, "64 d"]`). They fire on well-typed twins as
# much as on ill-typed ones: a false alarm there, but no catch here.
SETUP = re.compile(
    r"Could not instantiate equinox module|eval_shape failed for equinox module"
    r"|missing (a|\d+) required (positional )?arguments?"
)

NO_TWIN = {
    "axis_name_chan": "the image's axis is called `chan`, not `channels`",
    "axis_name_helper_annotation": "a helper names `channel`, the image `channels`",
    "axis_name_softmax_classes": "softmax over `classes`, the axis is `class`",
    "flatten_into_collision": "flattening into a name the tensor already has",
    "index_missing_axis": "indexing `time`, a name the image does not have",
    "lenet_storage_order": "axis order is storage only; positional code has one order",
    "lifted_conv_kh": "an extra axis lifted through conv2d is named `kh` (positional conv "
    "lifts nothing)",
    "lifted_mlp_hidden": "an extra axis lifted through the MLP is named `hidden`",
    "lifted_one_hot_class": "labels that already carry the name `class`",
    "lifted_unfold_window": "a window named `kh` twice",
    "lifted_vmap_result": "a function mapped over `batch` returns its own `batch`",
    "module_field_missing_axis": "a 32×32 field stored as `embed embed'` for `embed hidden`",
    "named_duplicate": "the name `k` given twice",
    "nn_attention_mask_key_axis": "a mask renamed to `key` where the scores say `seq'`",
    "nn_layernorm_missing_axis": "LayerNorm over `embed` given `hidden` of the same size",
    "nn_stacked_carry_renamed": "a scanned carry that changes names, not sizes",
    "pad_missing_axis": "padding `time` of a tensor whose axis is `seq`",
    "rename_missing_axis": "renaming an axis that was already renamed",
    "rename_two_into_one": "two axes renamed to one name",
    "rename_width_to_height": "a rename that collides with an existing name",
    "scan_carry_renamed": "a scanned carry renamed `embed` → `embed'`, same size",
    "tag_wrong_count": "one name for two positional axes",
    "take_indices_carry_vocab": "indices that carry the name they index",
    "unflatten_collision": "unflattening into a name the tensor already has",
    "unfold_symbolic_window_strided": "typedlenet's own limit (a symbolic window needs stride "
    "1 or k); a strided conv with a symbolic kernel is fine positionally",
    "vmap_missing_axis": "vmap over `batch` when the axis is `example`",
}

# Corpus programs that have no positional twin yet (their mistakes could be written
# positionally): the faulty/fixed twins measured in the section of their own.
NOT_PORTED = {
    p.stem
    for p in CORPUS.glob("*.py")
    if p.name != "run.py"
    and (p.stem.endswith("_fixed") or (CORPUS / f"{p.stem}_fixed.py").exists())
}

ROWS = {
    "typedlenet": "typedlenet check (`program`)",
    "jaxtyc": "jaxtyc (every annotated function)",
    "jaxtyc_program": "jaxtyc, errors inside `program` only",
    "jaxtyc_plain": "jaxtyc, twins without `@jaxtyped`",
}


def expectations(path: pathlib.Path) -> tuple[str, int | None]:
    """The header's verdict and the line of the `# E:` mark (None when well-typed)."""
    lines = path.read_text().splitlines()
    verdict = next((m.group(1) for line in lines[:3] if (m := HEADER.match(line))), None)
    marks = [i for i, line in enumerate(lines, 1) if MARK.search(line)]
    if verdict is None or len(marks) != (verdict == "ill-typed"):
        raise SystemExit(f"{path}: needs a `# typecheck:` header and one `# E:` mark if ill-typed")
    return verdict, marks[0] if marks else None


def programs() -> list[str]:
    """The corpus programs with a twin; every other corpus program must be in NO_TWIN."""
    corpus = {p.stem for p in CORPUS.glob("*.py") if p.name != "run.py"}
    twins = {p.stem for p in TWINS.glob("*.py")}
    if twins - corpus:
        raise SystemExit(f"twins without a corpus program: {sorted(twins - corpus)}")
    missing = corpus - twins - NOT_PORTED
    if missing != set(NO_TWIN):
        raise SystemExit(f"NO_TWIN is out of date: {sorted(missing ^ set(NO_TWIN))}")
    for name in twins:
        if expectations(CORPUS / f"{name}.py")[0] != expectations(TWINS / f"{name}.py")[0]:
            raise SystemExit(f"{name}: the twin's header differs from the corpus program's")
    return sorted(twins)


def run(command: list[str]) -> tuple[dict | None, float, str]:
    """Run a checker: its JSON report (None if it crashed), wall time, last stderr line."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=ENV)
    elapsed = time.perf_counter() - start
    try:
        report = json.loads(done.stdout) if done.returncode in (0, 1) else None
    except json.JSONDecodeError:
        report = None
    tail = (done.stderr.strip().splitlines() or [""])[-1]
    return report, elapsed, tail


class Tool:
    """A checker: its command for some programs and its diagnostics by program."""

    def __init__(self, key: str, command: list[str], files: dict[str, pathlib.Path]):
        self.key, self.command, self.files = key, command, files

    def targets(self, names: list[str]) -> list[str]:
        if self.key == "typedlenet":
            return [f"{self.files[n].relative_to(ROOT)}::program" for n in names]
        return [str(self.files[n]) for n in names]

    def diagnostics(self, report: dict, names: list[str]) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {n: [] for n in names}
        for d in report["diagnostics"]:
            if d.get("severity", "error") != "error":
                continue
            name = pathlib.Path(d.get("path") or d["file"]).stem
            if name not in found:
                print(f"{self.key}: a diagnostic outside the programs checked: {d}")
                continue
            message = d["message"].splitlines()[0]
            spurious = self.key != "typedlenet" and (
                d.get("rule") == "param-inconsistency" or bool(SETUP.search(message))
            )
            found[name].append(
                {"line": d["line"], "rule": d.get("rule"), "message": message, "setup": spurious}
            )
        return found


def evaluate(found: list[dict] | None, verdict: str, mark: int | None) -> dict:
    """`found` None: the checker crashed on this program."""
    if found is None:
        return {"crashed": True, "caught": False, "at_line": False, "false_alarm": False}
    real = [d for d in found if not d["setup"]]
    caught = verdict == "ill-typed" and bool(real)
    return {
        "crashed": False,
        "caught": caught,
        "setup_only": verdict == "ill-typed" and bool(found) and not real,
        "at_line": caught and any(d["line"] == mark for d in real),
        "false_alarm": verdict == "well-typed" and bool(found),
    }


def span(path: pathlib.Path, function: str) -> tuple[int, int]:
    """The first and last line of the module-level function `function` in `path`."""
    tree = ast.parse(path.read_text())
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    return node.lineno, node.end_lineno or node.lineno


def summary(
    per: dict[str, dict], expected: dict[str, tuple[str, int | None]], marks: dict | None
) -> dict:
    """Counts over programs; `per[n]["diagnostics"]` None where the checker crashed.
    `marks`: the faulty lines of the twins (None: the corpus's, for typedlenet)."""
    for n, p in per.items():
        verdict, corpus_mark = expected[n]
        p.update(evaluate(p["diagnostics"], verdict, corpus_mark if marks is None else marks[n]))
    ill = [n for n in per if expected[n][0] == "ill-typed"]
    well = [n for n in per if expected[n][0] == "well-typed"]
    return {
        "programs": per,
        "ill_typed": len(ill),
        "well_typed": len(well),
        "caught": sum(per[n]["caught"] for n in ill),
        "at_line": sum(per[n]["at_line"] for n in ill),
        "setup_only": sorted(n for n in ill if per[n].get("setup_only")),
        "false_alarms": sum(per[n]["false_alarm"] for n in well),
        "false_alarm_programs": sorted(n for n in well if per[n]["false_alarm"]),
        "crashed": sorted(n for n in per if per[n]["crashed"]),
        "missed": sorted(n for n in ill if not per[n]["caught"]),
        "differs_alone": sorted(n for n in per if not per[n]["same_alone"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jaxtyc", help="the jaxtyc executable (default: next to Python's)")
    parser.add_argument("--repeats", type=int, default=3, help="one-process runs to time")
    args = parser.parse_args()
    faults = faults_and_fixes()
    (ROOT / "bench" / "checkers_faults.json").write_text(json.dumps(faults, indent=2))
    text = faults_section(faults)
    write_section(FAULTS_TITLE, text)
    print(text)
    jaxtyc = args.jaxtyc or shutil.which("jaxtyc", path=str(pathlib.Path(sys.executable).parent))
    if jaxtyc is None:
        print("\njaxtyc is not installed (pip install jaxtyc, or --jaxtyc PATH): no comparison")
        return
    version = subprocess.run([jaxtyc, "version"], capture_output=True, text=True).stdout.strip()

    names = programs()
    load = round(os.getloadavg()[0], 2)
    expected = {n: expectations(CORPUS / f"{n}.py") for n in names}
    marks = {n: expectations(TWINS / f"{n}.py")[1] for n in names}
    scratch = tempfile.TemporaryDirectory()
    plain_dir = pathlib.Path(scratch.name) / "jaxtyc_twins"
    plain_dir.mkdir()
    for n in names:  # a comment in place of each `@jaxtyped` line: the lines stay put
        text = (TWINS / f"{n}.py").read_text()
        (plain_dir / f"{n}.py").write_text(JAXTYPED.sub(r"\1# (@jaxtyped left out)", text))
    tools = [
        Tool(
            "typedlenet",
            [sys.executable, "-m", "typedlenet", "check", "--format", "json"],
            {n: CORPUS / f"{n}.py" for n in names},
        ),
        Tool(
            "jaxtyc", [jaxtyc, "check", "--format", "json"], {n: TWINS / f"{n}.py" for n in names}
        ),
        Tool(
            "jaxtyc_plain",
            [jaxtyc, "check", "--format", "json"],
            {n: plain_dir / f"{n}.py" for n in names},
        ),
    ]

    # One process per program (interleaved): times, and the programs that crash a tool.
    alone: dict[str, dict[str, dict]] = {t.key: {} for t in tools}
    for i, n in enumerate(names, 1):
        for t in tools:
            report, elapsed, tail = run(t.command + t.targets([n]))
            found = None if report is None else t.diagnostics(report, [n])[n]
            alone[t.key][n] = {"seconds": elapsed, "found": found, "crash": tail}
        print(f"\r{i}/{len(names)} programs, one process each", end="", flush=True)
    print()

    # One process per tool over all its programs (leaving out those that crash it).
    results: dict[str, dict] = {}
    for t in tools:
        ok = [n for n in names if alone[t.key][n]["found"] is not None]
        walls, report = [], None
        for _ in range(args.repeats):
            report, elapsed, tail = run(t.command + t.targets(ok))
            if report is None:
                raise SystemExit(f"{t.key} crashed on the programs that pass alone: {tail}")
            walls.append(elapsed)
        assert report is not None
        together = t.diagnostics(report, ok)
        per = {
            n: {
                "diagnostics": together.get(n),
                "crash": None if n in together else alone[t.key][n]["crash"],
                "seconds_alone": round(alone[t.key][n]["seconds"], 3),
                "same_alone": together.get(n) == alone[t.key][n]["found"],
            }
            for n in names
        }
        results[t.key] = summary(per, expected, marks if t.key != "typedlenet" else None)
        results[t.key].update(
            median_seconds_alone=statistics.median(a["seconds"] for a in alone[t.key].values()),
            one_process_seconds=statistics.median(walls),
            one_process_programs=len(ok),
        )
    # typedlenet checks `FILE.py::program` only, jaxtyc every annotated function of the
    # file: the same run of jaxtyc with only the errors on lines of `program`.
    inside = {}
    for n in names:
        found = results["jaxtyc"]["programs"][n]["diagnostics"]
        first, last = span(TWINS / f"{n}.py", "program")
        inside[n] = {
            **{k: results["jaxtyc"]["programs"][n][k] for k in ("crash", "same_alone")},
            "diagnostics": None
            if found is None
            else [d for d in found if first <= d["line"] <= last],
        }
    results["jaxtyc_program"] = summary(inside, expected, marks)

    better = {}
    for key in ("jaxtyc", "jaxtyc_program", "jaxtyc_plain"):
        tl_, jx = results["typedlenet"]["programs"], results[key]["programs"]
        better[key] = sorted(
            n
            for n in names
            if (jx[n]["caught"] and not tl_[n]["caught"])
            or (jx[n]["at_line"] and not tl_[n]["at_line"])
            or (
                expected[n][0] == "well-typed"
                and (tl_[n]["false_alarm"] or tl_[n]["crashed"])
                and not (jx[n]["false_alarm"] or jx[n]["crashed"])
            )
        )
    out = {
        "meta": {
            "date": datetime.date.today().isoformat(),
            "machine": f"{platform.machine()} ({cpu_model()}), {os.cpu_count()} cores",
            "python": platform.python_version(),
            "jax": importlib.metadata.version("jax"),
            "jaxtyping": importlib.metadata.version("jaxtyping"),
            "jaxtyc": version,
            "typedlenet": importlib.metadata.version("typedlenet"),
            "commands": {
                t.key: " ".join(["python", *t.command[1:]] if t.key == "typedlenet" else t.command)
                for t in tools
            },
            "repeats": args.repeats,
            "load_average_1min": {"start": load, "end": round(os.getloadavg()[0], 2)},
        },
        "twins": len(names),
        "no_twin": NO_TWIN,
        "better_than_typedlenet": better,
        "tools": results,
    }
    (ROOT / "bench" / "checkers.json").write_text(json.dumps(out, indent=2))
    text = section(out)
    write_section(TITLE, text)
    print(text)


def section(out: dict) -> str:
    meta, r = out["meta"], out["tools"]
    ill, well = r["typedlenet"]["ill_typed"], r["typedlenet"]["well_typed"]
    lines = [
        f"`python bench/checkers.py` on {meta['date']}: {meta['machine']}; Python "
        f"{meta['python']}, jax {meta['jax']}, jaxtyping {meta['jaxtyping']}, {meta['jaxtyc']} "
        f"(PyPI, the newest). {out['twins']} of the {out['twins'] + len(out['no_twin'])} "
        "corpus programs have a positional twin in `bench/jaxtyc_twins/`: plain jax arrays and "
        "jaxtyping annotations; the same sizes, operation and mistake; checked helpers and "
        f"typed modules as `@jaxtyped(typechecker=beartype)`. The other {len(out['no_twin'])} "
        "have none: their mistake is in names alone (or storage order, or a typedlenet-only "
        "limit), listed with reasons in `bench/checkers.py`. typedlenet checks the corpus "
        "program (`typedlenet check --format json FILE.py::program`), jaxtyc its twin "
        "(`jaxtyc check --format json FILE.py`).",
        "",
        f"| | ill-typed caught (of {ill}) | at the faulty line (of caught) | false alarms on "
        f"well-typed (of {well}) | crashed | median per program, own process | all programs, "
        "one process |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, label in ROWS.items():
        s = r[key]
        times = (
            f"{s['median_seconds_alone']:.2f} s | {s['one_process_seconds']:.2f} s "
            f"({s['one_process_programs']} programs)"
            if "median_seconds_alone" in s
            else "(the run above) | (the run above)"
        )
        lines.append(
            f"| {label} | {s['caught']} | {s['at_line']} | {s['false_alarms']} | "
            f"{len(s['crashed'])} | {times} |"
        )
    jx, plain = r["jaxtyc"], r["jaxtyc_plain"]

    def names(items: list[str]) -> str:
        return ", ".join(f"`{n}`" for n in items) if items else "none"

    def crashes(key: str) -> str:
        per = r[key]["programs"]
        said = {n: per[n]["crash"].split(" in dimension")[0] for n in r[key]["crashed"]}
        return "; ".join(f"`{n}` ({why})" for n, why in said.items()) or "none"

    better = sorted(set().union(*out["better_than_typedlenet"].values()))
    lines += [
        "",
        "- Caught: at least one error on the ill-typed program. Errors that come from jaxtyc "
        "failing to set up a trace (it cannot build an equinox module whose fields are arrays, "
        "cannot call a function with a non-array parameter such as `k: int` or an `Integer` "
        "annotation, and reports `param-inconsistency` for any parameter like "
        '`Float[Array, "64 d"]`) do not count as catching a mistake; they count as false alarms '
        "on well-typed programs. Ill-typed twins flagged only by such errors: "
        f"{names(jx['setup_only'])}.",
        "- At the faulty line: an error on the line of the corpus program's (typedlenet) or the "
        "twin's (jaxtyc) `# E:` mark. jaxtyc reports a failed trace at the `def` line of the "
        "function it traced; only its cross-function check (a helper's traced result against "
        "its return annotation, without `@jaxtyped`) points at a call.",
        "- Scope: typedlenet verifies `program` (and the helpers as `program` calls them), "
        "jaxtyc every annotated function and method of the file for every size; the third row "
        "keeps the errors jaxtyc reports on lines of `program`. The last row blanks out the "
        "twins' `@jaxtyped` lines, as jaxtyc's README writes annotated functions.",
        f"- Crashed (jaxtyc stops with a traceback and reports no file of its run; the "
        f"one-process runs leave these out): {crashes('jaxtyc')}. Without `@jaxtyped` also "
        f"{names(sorted(set(plain['crashed']) - set(jx['crashed'])))}.",
        f"- jaxtyc's false alarms: {names(jx['false_alarm_programs'])}.",
        f"- jaxtyc's misses (ill-typed, not caught): {names(jx['missed'])}.",
        "- Where jaxtyc (any row) does better than typedlenet (catches what it misses, reports "
        "at the faulty line where it does not, or passes a well-typed program it flags): "
        f"{names(better)}.",
        "- Times: wall clock of the checker's process, Python and JAX start-up included; the "
        "per-program runs interleave the tools; the one-process column is the median of "
        f"{meta['repeats']} runs. 1-minute load average {meta['load_average_1min']['start']} "
        f"at the start, {meta['load_average_1min']['end']} at the end.",
    ]
    return "\n".join(lines)


def code_lines(path: pathlib.Path) -> tuple[list[str], int]:
    """The lines after the module docstring, without their `# E:` and `# C:` marks,
    and the line number of the first."""
    lines = [MARKS.sub("", line) for line in path.read_text().splitlines()]
    tree = ast.parse("\n".join(lines))
    first = tree.body[0]
    doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    start = (first.end_lineno or 0) if doc else 0
    return lines[start:], start + 1


def cause_lines(fault: pathlib.Path, fix: pathlib.Path) -> set[int]:
    """The lines of `fault` that its fix changes (code only: the docstrings differ);
    where the fix only adds lines, the faulty lines on either side of the addition."""
    (a, first), (b, _) = code_lines(fault), code_lines(fix)
    lines: set[int] = set()
    for op, i1, i2, _, _ in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            lines.update(range(first + i1, first + i2))
        elif op == "insert":
            lines.update({first + i1 - 1, first + i1})
    return lines


def faults_and_fixes() -> dict:
    """`typedlenet check` on every faulty/fixed pair of each set, in one process per set."""
    out: dict = {}
    for key, (folder, _) in FAULT_SETS.items():
        fixes = sorted((ROOT / folder).glob("*_fixed.py"))
        pairs = [(f.with_name(f.name.removesuffix("_fixed.py") + ".py"), f) for f in fixes]
        pairs = [(fault, fix) for fault, fix in pairs if fault.exists()]
        files = [p for pair in pairs for p in pair]
        command = [sys.executable, "-m", "typedlenet", "check", "--format", "json"]
        report, seconds, tail = run(command + [f"{p.relative_to(ROOT)}::program" for p in files])
        if report is None:
            raise SystemExit(f"typedlenet check crashed on {folder}: {tail}")
        found: dict[pathlib.Path, list[dict]] = {p: [] for p in files}
        for d in report["diagnostics"]:
            found[(ROOT / d["path"]).resolve()].append(d)
        per = {}
        for fault, fix in pairs:
            errors = found[fault.resolve()]
            causes = cause_lines(fault, fix)
            at = {d["line"] for d in errors}
            at |= {
                r["line"]
                for d in errors
                for r in d.get("related", [])
                if (ROOT / r["path"]).resolve() == fault.resolve()
            }
            per[fault.stem] = {
                "caught": bool(errors),
                "cause_lines": sorted(causes),
                "reported_lines": sorted(at),
                "cause_reported": bool(causes & at),
                "lines_reported": len(at),
                "fixed_clean": not found[fix.resolve()],
                "fix_errors": [d["message"].splitlines()[0] for d in found[fix.resolve()]],
            }
        shown = [p["lines_reported"] for p in per.values() if p["caught"]] or [0]
        out[key] = {
            "folder": folder,
            "pairs": len(pairs),
            "caught": sum(p["caught"] for p in per.values()),
            "cause_reported": sum(p["cause_reported"] for p in per.values()),
            "lines_reported_median": statistics.median(shown),
            "lines_reported_mean": round(statistics.mean(shown), 2),
            "lines_reported_max": max(shown),
            "fixed_clean": sum(p["fixed_clean"] for p in per.values()),
            "seconds": round(seconds, 2),
            "programs": per,
        }
    out["meta"] = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()} ({cpu_model()}), {os.cpu_count()} cores",
        "typedlenet": importlib.metadata.version("typedlenet"),
    }
    return out


def faults_section(out: dict) -> str:
    meta = out["meta"]
    lines = [
        f"`python bench/checkers.py` on {meta['date']}: {meta['machine']}. Each fault is a "
        "program twice, the fault (`NAME.py`, `# typecheck: ill-typed`) and its fix "
        "(`NAME_fixed.py`, well-typed), which differ only by the fix; the cause is the lines "
        "where they differ. `typedlenet check --format json FILE.py::program` on all of a "
        "set's programs in one process.",
        "",
        "| set | faults | caught | cause's line among the reported locations | lines reported "
        "per fault: median (mean), most | fixes clean | one process |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, (_, label) in FAULT_SETS.items():
        s = out[key]
        lines.append(
            f"| `{s['folder']}`: {label} | {s['pairs']} | {s['caught']} | "
            f"{s['cause_reported']} | {s['lines_reported_median']:g} "
            f"({s['lines_reported_mean']:g}), {s['lines_reported_max']} | {s['fixed_clean']} | "
            f"{s['seconds']:.1f} s |"
        )
    lines.append("")
    for key in FAULT_SETS:
        per = out[key]["programs"]
        missed = sorted(n for n, p in per.items() if not p["cause_reported"])
        lines.append(
            f"- `{out[key]['folder']}`, cause not among the reported locations: "
            + (
                ", ".join(
                    f"`{n}` (cause line {per[n]['cause_lines']}, reported "
                    f"{per[n]['reported_lines']})"
                    for n in missed
                )
                or "none"
            )
            + "."
        )
    lines.append(
        "- Reported locations: the error's own line and the lines of its related notes "
        "(where each conflicting `axis:size` was first made or bound, the assignment that carried "
        "it to the error, the annotation, constant, literal passed to a call or constraint "
        "that wrote it, where a size it was computed from was written). A fault whose cause is "
        "an input's annotation, a size written in a module constant or a `CONSTRAINTS` line is "
        "counted only where a note names that line."
    )
    lines.append(
        "- Lines reported: the distinct lines of the fault's file among them, the error's own "
        "line included (median, mean and most over the faults caught). Notes that named every "
        "line would find every cause: the score is read beside this count. Before the notes "
        "were kept to the conflicting sizes and the sizes they were computed from (parallel "
        "inputs of one size sharing a note), on the same faults: median 3 (mean 3.71), most 8 "
        "in `typecheck/`; 5 (4.73), 10 in `typecheck/real/`."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
