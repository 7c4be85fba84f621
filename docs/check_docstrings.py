"""Every public name of typedlenet has a docstring and an entry in the API reference.

The public names are those in `__all__` of each public module (the package, `nn`,
`lenet`, `check`, `train`, `train.data`, `runtime`; `train`'s lazily loaded names
included), and the public methods and properties of their public classes: those
defined in the class itself whose name has no leading underscore, and `__call__`.

A name is in the API reference when a `::: dotted.path` entry of docs/api/*.md
resolves to it, to the class that holds it (a class's entry renders its members),
to the same object under another name (`typedlenet.LeNet` is
`typedlenet.lenet.LeNet`), or, for a value such as `Float`, to its class (whose
docstring describes every instance).

Run as `python docs/check_docstrings.py`: it prints each public name without a
docstring and each one missing from the reference, and exits 1 if there is any.
`nox -s docs` runs it before building the site; tests/docs/test_docstrings.py runs
the same check in-process.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import pathlib
import re
import sys
import types
from collections.abc import Iterator

import griffe

API_PAGES = pathlib.Path(__file__).parent / "api"

PUBLIC_MODULES = (
    "typedlenet",
    "typedlenet.nn",
    "typedlenet.lenet",
    "typedlenet.check",
    "typedlenet.train",
    "typedlenet.train.data",
    "typedlenet.runtime",
)

# An entry of an API page: `::: typedlenet.nn.Linear` at the start of a line.
ENTRY = re.compile(r"^:::\s+([\w.]+)\s*$", re.M)


@dataclasses.dataclass(frozen=True)
class Public:
    """One public name: where it is spelled, the object, and the class holding it."""

    path: str  # e.g. "typedlenet.nn.Linear.__call__"
    obj: object
    owner: type | None = None  # the class, for a method or property


def _documented(obj: object) -> bool:
    """Whether `obj` carries a docstring of its own (a class's, not its base's)."""
    if isinstance(obj, property):
        doc = obj.__doc__ if obj.fget is None else obj.fget.__doc__
    elif isinstance(obj, type):
        doc = obj.__dict__.get("__doc__")
    else:
        doc = getattr(obj, "__doc__", None)
    return bool(doc and doc.strip())


def _unwrap(obj: object) -> object:
    """A classmethod's or staticmethod's function; anything else as it is."""
    if isinstance(obj, (classmethod, staticmethod)):
        return obj.__func__
    return obj


def _members(cls: type, path: str) -> Iterator[Public]:
    """The public methods and properties defined in `cls` itself (not inherited)."""
    for name, value in vars(cls).items():
        if name.startswith("_") and name != "__call__":
            continue
        value = _unwrap(value)
        if isinstance(value, property) or inspect.isfunction(value):
            yield Public(f"{path}.{name}", value, cls)


def public_names() -> list[Public]:
    """Every public name of the public modules, each module's own (re-exports
    included under each name), then the public members of each public class."""
    found: list[Public] = []
    classes: dict[int, tuple[type, str]] = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        found.append(Public(module_name, module))
        for name in module.__all__:
            obj = getattr(module, name)
            path = f"{module_name}.{name}"
            found.append(Public(path, obj))
            if isinstance(obj, type):  # the last module (the most specific) names it
                classes[id(obj)] = (obj, path)
    for cls, path in classes.values():
        found.extend(_members(cls, path))
    return found


def _is_value(obj: object) -> bool:
    """Whether `obj` is a constant or a type alias (`Names`, `PARAMETERS`): a value that
    cannot carry a docstring of its own."""
    return not (isinstance(obj, (type, types.ModuleType, property)) or callable(obj))


@functools.cache
def _package() -> griffe.Module:
    """typedlenet as griffe reads it (as mkdocstrings does), for the docstrings of
    constants and aliases: the string literal below the assignment."""
    package = griffe.load("typedlenet", resolve_aliases=True, resolve_external=False)
    assert isinstance(package, griffe.Module)
    return package


def _value_documented(item: Public) -> bool:
    """Whether the constant or alias `item` has a docstring: its own at run time (one
    that is not its type's, as the annotation types `Float`, `Int` have), or the
    string literal below its assignment."""
    own = getattr(item.obj, "__doc__", None)
    ours = type(item.obj).__module__.startswith("typedlenet")  # not a typing alias's
    if own and own.strip() and (ours or own != type(item.obj).__doc__):
        return True
    try:
        docstring = _package()[item.path.removeprefix("typedlenet.")].docstring
    except (KeyError, griffe.AliasResolutionError):
        return False
    return bool(docstring and docstring.value.strip())


def undocumented(names: list[Public]) -> list[str]:
    """The paths of the public names without a docstring."""
    return sorted(
        {
            item.path
            for item in names
            if not (_value_documented(item) if _is_value(item.obj) else _documented(item.obj))
        }
    )


def _resolve(path: str) -> object:
    """The object a dotted path of an API page names: the longest importable module,
    then attributes."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(f"no module in {path!r}")


def api_entries(pages: pathlib.Path = API_PAGES) -> dict[str, str]:
    """Each `::: path` entry of the API pages, with the page that holds it."""
    return {
        match.group(1): page.name
        for page in sorted(pages.glob("*.md"))
        for match in ENTRY.finditer(page.read_text(encoding="utf-8"))
    }


def unreferenced(names: list[Public], pages: pathlib.Path = API_PAGES) -> list[str]:
    """The paths of the public names that no entry of the API pages renders, and the
    entries that name nothing (a typo on a page)."""
    shown: set[int] = set()
    broken: list[str] = []
    for path, page in api_entries(pages).items():
        try:
            shown.add(id(_resolve(path)))
        except (ImportError, AttributeError):
            broken.append(f"{path} (an entry of api/{page} that names nothing)")
    missing = [
        item.path
        for item in names
        if id(item.obj) not in shown
        and (item.owner is None or id(item.owner) not in shown)
        and not (_is_value(item.obj) and id(type(item.obj)) in shown)
    ]
    return sorted(set(missing)) + broken


def main() -> int:
    """Print what is missing; 0 when nothing is, 1 otherwise."""
    names = public_names()
    no_docstring = undocumented(names)
    not_in_reference = unreferenced(names)
    for path in no_docstring:
        print(f"no docstring: {path}")
    for path in not_in_reference:
        print(f"not in the API reference (docs/api/*.md): {path}")
    if no_docstring or not_in_reference:
        print(
            f"{len(no_docstring)} public name(s) without a docstring, "
            f"{len(not_in_reference)} missing from the API reference",
            file=sys.stderr,
        )
        return 1
    print(f"{len(names)} public names, each documented and in the API reference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
