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

from .._core.annotations import _NamedMeta
from .._core.constraints import constraints
from .._core.errors import AxisError, AxisTypeError
from .._core.fields import typed_fields
from .._core.named import NamedArray
from .._core.verify import _DTYPES, abstract, symbols
from ..runtime import _signals
from ._families import family

__all__ = [
    "CheckError",
    "Diagnostic",
    "Target",
    "check_target",
    "constraints",
    "load",
    "run_check",
]

SUPPRESS = "# typedlenet: ignore"


class CheckError(Exception):
    """A file that cannot be checked: unreadable, or its import failed."""


@dataclasses.dataclass
class Diagnostic:
    """One mistake: where (the innermost line of the checked files), what, and
    the chain of call sites that led there (outermost first)."""

    path: str
    line: int
    col: int
    end_col: int
    message: str
    rule: str
    target: str
    chain: list[tuple[str, int, str]] = dataclasses.field(default_factory=list)
    kind: str | None = None
    """The `AxisError`'s kind (`"size_clash"`, `"undecidable"`, ...); None for other errors."""

    @property
    def source(self) -> str:
        linecache.checkcache(self.path)  # the file may have changed since it was cached
        return linecache.getline(self.path, self.line).rstrip("\n")


@dataclasses.dataclass
class Target:
    """A function or module class to verify, and where it is defined."""

    name: str
    obj: Any
    path: str
    line: int
    constraints: tuple[str, ...]


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


def call_of(cls: type) -> Any:
    """The `__call__` that `cls` defines or inherits (not `object`'s), or None."""
    return next((vars(k)["__call__"] for k in cls.__mro__ if "__call__" in vars(k)), None)


def _plain(dim: str) -> bool:
    """A size an abstract input can have: a symbol, an integer, or `_` (any)."""
    return dim.isidentifier() or dim.isdigit()


def _named_parameters(fn: Any) -> dict[str, _NamedMeta] | None:
    """The named annotations of `fn`'s parameters; None if some parameter has none."""
    try:
        hints = inspect.get_annotations(inspect.unwrap(fn), eval_str=True)
        signature = inspect.signature(inspect.unwrap(fn))
    except Exception:
        return None
    named = {}
    for p in signature.parameters.values():
        if p.name == "self":
            continue
        hint = hints.get(p.name)
        if isinstance(hint, _NamedMeta) and all(_plain(d) for d in hint._spec.symbols):
            named[p.name] = hint
        elif p.default is inspect.Parameter.empty:
            return None
    return named or None


def targets(
    module: Any, path: pathlib.Path, only: str | None, extra: Sequence[str]
) -> list[Target]:
    """The functions and module classes of `module` defined in `path` to verify."""
    found = []
    module_claims = tuple(getattr(module, "CONSTRAINTS", ())) + tuple(extra)
    for name, obj in vars(module).items():
        if only is not None and name != only:
            continue
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(obj) and issubclass(obj, eqx.Module):
            call = call_of(obj)
            if not typed_fields(obj) or call is None or _named_parameters(call) is None:
                continue
        elif not callable(obj) or _named_parameters(obj) is None:
            continue
        try:
            line = inspect.getsourcelines(inspect.unwrap(obj))[1]
        except (OSError, TypeError):
            line = 1
        claims = module_claims + tuple(getattr(obj, "__typedlenet_constraints__", ()))
        found.append(Target(name, obj, str(path), line, claims))
    if only is not None and not found:
        raise CheckError(f"{path}: no function or module class `{only}` with named annotations")
    return sorted(found, key=lambda t: t.line)


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
        for name, hint in typed_fields(obj):
            if isinstance(hint, _NamedMeta):
                fields[name] = hint
        hints = _named_parameters(call_of(obj)) or {}
    else:
        hints = _named_parameters(obj) or {}
    specs = {id(h): _spec(h) for h in [*fields.values(), *hints.values()]}
    dims = {t.split(":", 1)[1] for text in specs.values() for t in text.split()}
    free = sorted(d for d in dims if not d.isdigit() and d not in fixed)
    claims = [c for c in target.constraints if not set(_words(c)) & set(fixed)]
    sizes = {**symbols(free, constraints=claims), **fixed}

    def build(hint: _NamedMeta) -> Any:
        return abstract(specs[id(hint)], _DTYPES.get(hint._kind, "bool"), sizes=sizes)

    kwargs = {name: build(hint) for name, hint in hints.items()}
    if not inspect.isclass(obj):
        return obj, kwargs
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
    lines = [n for n in getattr(error, "__notes__", []) if n.lstrip().startswith("where:")]
    message = "\n".join([str(error).split("\n-----")[0].rstrip(), *lines])
    if not isinstance(error, AxisError):
        message = f"{type(error).__name__}: {message}"
    kind = error.kind if isinstance(error, AxisError) else None
    return Diagnostic(
        path, line, col, end, message, _rule(error), target.name, chain[:-1], kind=kind
    )


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
    """Verify one target abstractly; its diagnostic, or None when well-typed."""
    try:
        run_abstract(target)
    except CheckError:
        raise
    except Exception as error:
        found = diagnose(error, target, files)
        if isinstance(error, AxisError) and error.kind == "undecidable":
            lines = family(
                error,
                input_symbols(target),
                target.constraints,
                lambda fixed: run_abstract(target, fixed),
            )
            found.message += "".join(f"\n{line}" for line in lines)
        return found
    return None


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
    out) and the number of targets verified."""
    files = expand(paths, exclude)
    resolved = {str(p.resolve()) for p, _ in files} | {str(p) for p, _ in files}
    diagnostics, count = [], 0
    for path, only in files:
        module = load(path)
        for target in targets(module, path, only, extra):
            _signals.check()  # a safe point for SIGINT and SIGTERM
            count += 1
            found = check_target(target, resolved)
            if found is not None and not _suppressed(found):
                diagnostics.append(found)
    return diagnostics, count
