"""`typedlenet check PATH`: verify users' files abstractly, every named-annotated
function and every module with typed fields, and report each mistake at the
line of the faulty operation.

A target is verified as `tl.verify` does: abstract inputs read off its
annotations (`...` stands for no further axes), symbols shared, sizes symbolic,
no FLOPs. Its symbols' constraints come from a `@tl.constraints(...)`
decorator, a module-level `CONSTRAINTS` tuple, and `[tool.typedlenet]
constraints` in pyproject.toml.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import linecache
import pathlib
import re
import sys
import traceback
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import equinox as eqx
import jax

from .._core.annotations import _NamedMeta
from .._core.constraints import constraints
from .._core.errors import AxisError, AxisTypeError
from .._core.fields import typed_fields
from .._core.named import NamedArray
from .._core.sizes import fmt
from .._core.verify import _DTYPES, abstract, symbols
from ..runtime import _signals
from ._families import family
from ._locations import constants, parameter_lines, return_site, returned
from ._provenance import (
    Origins,
    assumed,
    carried,
    derived,
    note_inputs,
    passed,
    recording,
    related,
)
from ._targets import CheckError, Skipped, Target, call_of, find, named_parameters

__all__ = [
    "CheckError",
    "Diagnostic",
    "Target",
    "check_target",
    "constraints",
    "load",
    "not_verified",
    "run_check",
    "unchecked_return",
    "verify_target",
]

SUPPRESS = "# typedlenet: ignore"


@dataclasses.dataclass
class Diagnostic:
    """One finding: where (the innermost line of the checked files), what, and
    the chain of call sites that led there (outermost first). `severity` is
    `"error"` (a mistake), `"warning"` (verified, but something went unchecked)
    or `"note"` (a function or class that was not verified, and why)."""

    path: str
    line: int
    col: int
    end_col: int
    message: str
    rule: str
    target: str
    chain: list[tuple[str, int, str]] = dataclasses.field(default_factory=list)
    severity: str = "error"
    # Where the sizes that met were written: (path, line, message).
    related: list[tuple[str, int, str]] = dataclasses.field(default_factory=list)
    kind: str | None = None
    """The `AxisError`'s kind (`"size_clash"`, `"undecidable"`, ...); None for other errors."""

    @property
    def source(self) -> str:
        """The text of the diagnostic's line in its file, as it is now (empty when gone)."""
        linecache.checkcache(self.path)  # the file may have changed since it was cached
        return linecache.getline(self.path, self.line).rstrip("\n")


def _module_name(path: pathlib.Path) -> tuple[str, pathlib.Path]:
    """The dotted name of `path` (its packages included) and the directory to import from."""
    parts = [path.stem]
    parent = path.parent
    while (parent / "__init__.py").is_file():
        parts.insert(0, parent.name)
        parent = parent.parent
    return ".".join(parts), parent


def load(path: pathlib.Path) -> Any:
    """Import the file `path` as its package module (or as a script's module)."""
    if not path.is_file():
        raise CheckError(f"{path}: no such file")
    name, root = _module_name(path.resolve())
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        if "." in name:
            return importlib.import_module(name)
        spec = importlib.util.spec_from_file_location(f"typedlenet_check.{name}", path.resolve())
        if spec is None or spec.loader is None:
            raise CheckError(f"{path}: not a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module
    except CheckError:
        raise
    except BaseException as error:  # the user's module failed to import: say so
        if isinstance(error, KeyboardInterrupt):
            raise
        where = traceback.extract_tb(error.__traceback__)[-1]
        raise CheckError(
            f"{path}: importing it failed: {type(error).__name__}: {error} "
            f"({where.filename}:{where.lineno})"
        ) from None


_named_parameters = named_parameters  # the older name


def targets(
    module: Any, path: pathlib.Path, only: str | None, extra: Sequence[str]
) -> list[Target]:
    """The functions and module classes of `module` defined in `path` to verify."""
    return find(module, path, only, extra)[0]


def not_verified(skipped: Sequence[Skipped]) -> list[Diagnostic]:
    """A note for each function or class that is not verified, with its reason."""
    return [
        Diagnostic(
            _shown(s.path),
            s.line,
            0,
            0,
            f"`{s.name}` was not verified: {s.reason}",
            "not-verified",
            s.name,
            severity="note",
        )
        for s in skipped
    ]


def _spec(hint: _NamedMeta) -> str:
    """The annotation as an input's axes: no `...` (no further axes), and a fresh
    symbol for each `_` (any size)."""
    spec = hint._spec
    return " ".join(
        f"{n}:{'_any' + str(i) if d == '_' else d}"
        for i, (n, d) in enumerate(zip(spec.names, spec.symbols))
    )


def _inputs(
    target: Target, fixed: dict[str, int] | None = None
) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The callable to run and its abstract keyword arguments, symbols shared;
    symbols in `fixed` take those concrete sizes (their constraints left out)."""
    fixed = fixed or {}
    obj = target.obj
    hints: dict[str, _NamedMeta] = {}
    fields: dict[str, _NamedMeta] = {}
    if inspect.isclass(obj):
        if target.factory is None:
            for name, hint in typed_fields(obj):
                if isinstance(hint, _NamedMeta):
                    fields[name] = hint
        hints = _named_parameters(call_of(obj)) or {}
    else:
        hints = _named_parameters(obj) or {}
    specs = {id(h): _spec(h) for h in [*fields.values(), *hints.values()]}
    dims = {t.split(":", 1)[1] for text in specs.values() for t in text.split()}
    implied = implied_constraints(obj, dims)
    sizes = _sizes(dims, (*target.constraints, *implied), fixed)

    def build(hint: _NamedMeta) -> Any:
        return abstract(specs[id(hint)], _DTYPES.get(hint._kind, "bool"), sizes=sizes)

    kwargs = {name: build(hint) for name, hint in hints.items()}
    if not inspect.isclass(obj):
        return obj, kwargs
    if target.factory is not None:  # built abstractly: no parameter is allocated
        return eqx.filter_eval_shape(target.factory), kwargs
    instance: Any = object.__new__(obj)
    for field in dataclasses.fields(typing.cast(Any, obj)):
        if field.name in fields:
            value = build(fields[field.name])
        elif field.default is not dataclasses.MISSING:
            value = field.default
        else:
            raise CheckError(
                f"{target.path}:{target.line}: module `{target.name}`: field `{field.name}` has "
                "no named annotation and no default, so it cannot be built abstractly"
            )
        object.__setattr__(instance, field.name, value)
    return instance, kwargs


def implied_constraints(obj: Any, dims: set[str]) -> tuple[str, ...]:
    """What the return annotation of `obj` (a function, or a module's `__call__`)
    implies: each size expression it writes is a size, so at least 1
    (`time:t-k+1` gives `t-k+1 >= 1`), over the symbols of the inputs `dims`."""
    fn = call_of(obj) if inspect.isclass(obj) else obj
    try:
        hint = inspect.get_annotations(inspect.unwrap(fn), eval_str=True).get("return")
    except Exception:
        return ()
    if not isinstance(hint, _NamedMeta):
        return ()
    known = {w for d in dims for w in _words_of(d)}
    return tuple(
        f"{d} >= 1"
        for d in hint._spec.symbols
        if not _plain_size(d) and _words_of(d) and set(_words_of(d)) <= known
    )


def _plain_size(dim: str) -> bool:
    return dim.isidentifier() or dim.isdigit() or dim in ("_", "...")


def _sizes(dims: set[str], claims: Sequence[str], fixed: dict[str, int]) -> dict[str, Any]:
    """Each annotation size in `dims` as a size: integers as such, symbols and
    size expressions (`4*m`, `h - 2`) as JAX symbolic sizes in one scope under
    `claims`; symbols in `fixed` (and expressions of them alone) concrete."""
    symbolic = sorted(d for d in dims if not d.isdigit() and d not in fixed)
    named = {w for d in symbolic for w in _words(d) if w not in ("floordiv", "mod")}
    expressions = [d for d in symbolic if not d.isidentifier()]
    concrete = {d: _evaluate(d, fixed) for d in expressions if set(_words_of(d)) <= set(fixed)}
    kept = [c for c in claims if not set(_words(c)) & set(fixed)]
    free = sorted(named - set(fixed)) + [d for d in expressions if d not in concrete]
    return {**symbols(free, constraints=kept), **fixed, **concrete}


def _words_of(expression: str) -> list[str]:
    return [w for w in _words(expression) if w not in ("floordiv", "mod")]


def _evaluate(expression: str, values: dict[str, int]) -> int:
    """A size expression at concrete values of its symbols."""
    scope = {"floordiv": lambda a, b: a // b, "mod": lambda a, b: a % b, **values}
    return int(eval(expression, {"__builtins__": {}}, scope))


def _rule(error: BaseException) -> str:
    if isinstance(error, AxisTypeError):
        return "annotation"
    if isinstance(error, AxisError):
        return "axis"
    if isinstance(error, TypeError):
        return "type"
    return "error"


def diagnose(error: BaseException, target: Target, files: set[str]) -> Diagnostic:
    """Where `error` happened in the checked files, and the call sites leading there."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [i for i, f in enumerate(frames) if f.filename == __file__]
    frames = frames[mine[-1] + 1 :] if mine else frames  # from the target's own call on
    frames = [f for f in frames if f.filename in files]
    chain = [(_shown(f.filename), f.lineno or 0, f.name) for f in frames]
    last = frames[-1] if frames else None
    if last is None:
        path, line, col, end = target.path, target.line, 0, 0
    else:
        path, line = _shown(last.filename), last.lineno or target.line
        col = getattr(last, "colno", None) or 0
        end = getattr(last, "end_colno", None) or 0
        if getattr(last, "end_lineno", line) != line:
            end = 0
    if isinstance(error, AxisTypeError) and error.argument == "return value":
        site = return_site(last.filename if last else target.path, line)
        if site is not None:  # the `return`, not the decorator that checked it
            line, col, end = site
    lines = [n for n in getattr(error, "__notes__", []) if n.lstrip().startswith("where:")]
    message = "\n".join([str(error).split("\n-----")[0].rstrip(), *lines])
    if not isinstance(error, AxisError):
        message = f"{type(error).__name__}: {message}"
    kind = error.kind if isinstance(error, AxisError) else None
    return Diagnostic(
        path, line, col, end, message, _rule(error), target.name, chain[:-1], kind=kind
    )


def _deduplicated(entries: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    seen: set[tuple[str, int]] = set()
    out = []
    for path, line, message in entries:
        if (path, line) not in seen:
            seen.add((path, line))
            out.append((path, line, message))
    return out


def _shown(filename: str) -> str:
    """`filename` relative to the working directory when it lies below it."""
    try:
        return str(pathlib.Path(filename).resolve().relative_to(pathlib.Path.cwd()))
    except ValueError:
        return filename


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z_]\w*", text)


def run_abstract(target: Target, fixed: dict[str, int] | None = None) -> Any:
    """Run `target` on its abstract inputs (`jax.eval_shape`: no FLOPs)."""
    fn, kwargs = _inputs(target, fixed)
    return eqx.filter_eval_shape(fn, **kwargs)


def input_symbols(target: Target) -> set[str]:
    """The symbols the target's inputs (and fields) are sized by."""
    fn, kwargs = _inputs(target)
    leaves = [*kwargs.values(), *(vars(fn).values() if inspect.isclass(target.obj) else [])]
    return {
        str(n)
        for x in leaves
        if isinstance(x, NamedArray)
        for n in x.shape
        if not isinstance(n, int)
    }


def check_target(target: Target, files: set[str]) -> Diagnostic | None:
    """Verify one target abstractly; its error's diagnostic, or None when well-typed."""
    found = [d for d in verify_target(target, files) if d.severity == "error"]
    return found[0] if found else None


def verify_target(target: Target, files: set[str]) -> list[Diagnostic]:
    """Verify one target abstractly: its error, or, when it is well-typed, a
    warning if its output went unchecked (no named return annotation)."""
    origins = Origins()
    try:
        with recording(files) as origins:  # where each size was first written
            fn, kwargs = _inputs(target)
            note_inputs(origins, kwargs, target.path, parameter_lines(target))
            out = eqx.filter_eval_shape(fn, **kwargs)
    except CheckError:
        raise
    except Exception as error:
        found = diagnose(error, target, files)
        first = related(error, origins, last=False)
        roots = derived(error, origins)
        found.related = [
            (_shown(path), line, message)
            for path, line, message in _deduplicated(
                [
                    *first,
                    *constants(first),
                    *passed(error, origins),
                    *roots,
                    *constants(roots),
                    *related(error, origins),
                    *carried(error, files),
                    *returned(error),
                    *assumed(error, target.path, target.constraints),
                ]
            )
            if (_shown(path), line) != (found.path, found.line)
        ]
        if isinstance(error, AxisError) and error.kind == "undecidable":
            lines = family(
                error,
                input_symbols(target),
                target.constraints,
                lambda fixed: run_abstract(target, fixed),
            )
            found.message += "".join(f"\n{line}" for line in lines)
        return [found]
    unchecked = unchecked_return(target, out)
    return [unchecked] if unchecked is not None else []


def unchecked_return(target: Target, out: Any) -> Diagnostic | None:
    """A warning when `target` returns NamedArrays its annotations do not name: a
    mistake in them (a forgotten rename that broadcasts, say) would go unseen."""
    fn = call_of(target.obj) if inspect.isclass(target.obj) else target.obj
    try:
        hint = inspect.get_annotations(inspect.unwrap(fn), eval_str=True).get("return")
    except Exception:
        hint = None
    if hint is not None:
        return None
    leaves = jax.tree_util.tree_leaves(out, is_leaf=lambda x: isinstance(x, NamedArray))
    named = [leaf for leaf in leaves if isinstance(leaf, NamedArray)]
    if not named:
        return None
    shown = "; ".join(
        ", ".join(f"{n}:{fmt(s, grouped=False)}" for n, s in leaf.sizes.items()) or "no axes"
        for leaf in named
    )
    message = (
        f"`{target.name}` returns {shown}, which no annotation checks: annotate its "
        'return (`-> Float[NamedArray, "..."]`) so that a wrong axis there is an error'
    )
    return Diagnostic(
        _shown(target.path),
        target.line,
        0,
        0,
        message,
        "unchecked-return",
        target.name,
        severity="warning",
    )


def _suppressed(d: Diagnostic) -> bool:
    text = d.source
    if SUPPRESS not in text:
        return False
    tail = text.split(SUPPRESS, 1)[1]
    if tail.startswith("["):
        rules = tail[1:].split("]", 1)[0]
        return d.rule in {r.strip() for r in rules.split(",")}
    return True


def expand(paths: Iterable[str], exclude: Sequence[str]) -> list[tuple[pathlib.Path, str | None]]:
    """`(file, only)` for each PATH: a file, a directory (its `*.py`, recursively), or
    `file.py::name`; excluded files (glob patterns) left out."""
    out: list[tuple[pathlib.Path, str | None]] = []
    for raw in paths:
        text, _, only = raw.partition("::")
        path = pathlib.Path(text)
        if path.is_dir():
            files = sorted(
                p
                for p in path.rglob("*.py")
                if "__pycache__" not in p.parts and p.name != "__main__.py"  # scripts run
            )
            out += [(p, None) for p in files if not any(p.match(e) for e in exclude)]
        elif path.is_file():
            out.append((path, only or None))
        else:
            raise CheckError(f"{text}: no such file or directory")
    return out


def run_check(
    paths: Sequence[str], *, exclude: Sequence[str] = (), extra: Sequence[str] = ()
) -> tuple[list[Diagnostic], int]:
    """Check every target under `paths`; the diagnostics (suppressed ones left
    out; errors, warnings and the notes of what was not verified, told apart by
    `severity`) and the number of targets verified."""
    files = expand(paths, exclude)
    resolved = {str(p.resolve()) for p, _ in files} | {str(p) for p, _ in files}
    diagnostics: list[Diagnostic] = []
    count = 0
    for path, only in files:
        module = load(path)
        found_targets, skipped = find(module, path, only, extra)
        diagnostics += not_verified(skipped)
        for target in found_targets:
            _signals.check()  # a safe point for SIGINT and SIGTERM
            count += 1
            diagnostics += [d for d in verify_target(target, resolved) if not _suppressed(d)]
    return diagnostics, count
