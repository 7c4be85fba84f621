"""Places in the checked files read from their source (the syntax tree, no code
run): the line of each parameter of a target, the module constant that wrote a
size, and the `return` that made a checked function's value."""

from __future__ import annotations

import ast
import inspect
import linecache
import pathlib
import re
import textwrap

from .._core.errors import AxisTypeError
from ._targets import Target, call_of

__all__ = ["constants", "parameter_lines", "return_site", "returned"]


def parameter_lines(target: Target) -> dict[str, int]:
    """The line of each named parameter of `target` (its `__call__`'s for a
    module) in its file, `""` for the `def` itself."""
    fn = call_of(target.obj) if inspect.isclass(target.obj) else target.obj
    try:
        lines, first = inspect.getsourcelines(inspect.unwrap(fn))
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return {"": target.line}
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return {"": target.line}
    out = {"": first + node.lineno - 1}
    for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
        out[arg.arg] = first + arg.lineno - 1
    return out


_SIZE = re.compile(r"`([^`:]+):(\d+)`")


def constants(entries: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """A size a related line writes through a module constant (`nn.Linear(f"inp:
    {N_WORD}", ...)`): the line that defines the constant, where it was written."""
    out = []
    for path, line, message in entries:
        found = _SIZE.search(message)
        if found is None:
            continue
        size = int(found.group(2))
        words = set(re.findall(r"[A-Za-z_]\w*", linecache.getline(path, line)))
        try:
            tree = ast.parse(pathlib.Path(path).read_text())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and node.value.value == size
                and any(isinstance(t, ast.Name) and t.id in words for t in node.targets)
            ):
                name = next(t.id for t in node.targets if isinstance(t, ast.Name))
                out.append((path, node.lineno, f"`{name} = {size}` written here"))
    return out


def returned(error: BaseException, files: set[str]) -> list[tuple[str, int, str]]:
    """For a checked function whose return value broke its annotation, reported
    where it was called: the `return` in the function that made the value."""
    if not (isinstance(error, AxisTypeError) and error.argument == "return value" and error.op):
        return []
    name = error.op.rsplit(".", 1)[-1]
    for filename in sorted(f for f in files if pathlib.Path(f).is_absolute()):
        try:
            tree = ast.parse(pathlib.Path(filename).read_text())
        except (OSError, SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                site = return_site(filename, node.lineno)
                if site is not None:
                    return [(filename, site[0], f"`{error.op}` returns the value here")]
    return []


def return_site(filename: str, line: int) -> tuple[int, int, int] | None:
    """The last `return` of the function whose decorators or `def` are on `line`
    of `filename`: `(line, column, end column)`, or None."""
    try:
        tree = ast.parse(pathlib.Path(filename).read_text())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        first = min([d.lineno for d in node.decorator_list] + [node.lineno])
        if not first <= line <= node.lineno:
            continue
        returns: list[ast.Return] = []
        todo: list[ast.AST] = list(node.body)
        while todo:
            child = todo.pop()
            if isinstance(child, ast.Return):
                returns.append(child)
            elif not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                todo.extend(ast.iter_child_nodes(child))
        if not returns:
            return None
        last = max(returns, key=lambda r: (r.lineno, r.col_offset))
        end = last.end_col_offset if last.end_lineno == last.lineno else 0
        return last.lineno, last.col_offset, end or 0
    return None
