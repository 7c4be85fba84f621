"""Places in the checked files read from their source (the syntax tree, no code
run): the line of each parameter of a target, the module constant that wrote a
size, and the `return` that made a checked function's value."""

from __future__ import annotations

import ast
import inspect
import pathlib
import re
import textwrap
from typing import Any

from .._core.errors import AxisTypeError
from ._targets import Target, call_of

__all__ = [
    "annotation_line",
    "binding_line",
    "checked_function",
    "constants",
    "constraint_lines",
    "definition",
    "loaded_names",
    "module_binding_line",
    "parameter_lines",
    "passed_from",
    "return_site",
    "returned",
    "statement_at",
]


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
    """A size a related line writes through a constant (`nn.Linear(f"inp:
    {N_WORD}", ...)`, the statement spanning several lines): the line that
    assigns the constant its number, in the function around the statement or at
    the top of its file, where the size was written."""
    out = []
    for path, line, message in entries:
        found = _SIZE.search(message)
        stmt = statement_at(path, line)
        if found is not None and stmt is not None:
            out += _constant_lines(path, line, set(loaded_names(stmt)), int(found.group(2)))
    return out


def _constant_lines(path: str, line: int, words: set[str], size: int) -> list[tuple[str, int, str]]:
    """Where the names `words`, read at `line`, are assigned the number `size`
    (in the function around `line`, else at the top of the file)."""
    tree = _parsed(path)
    if tree is None:
        return []
    out = []
    scope = _function_at(tree, line)
    local = _statements(scope.body) if scope is not None else []
    for body in (local, _statements(tree.body)):
        hits = [
            (node, name)
            for node, _ in body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and type(node.value.value) is int
            and node.value.value == size
            for name in [t.id for t in node.targets if isinstance(t, ast.Name)]
            if name in words
        ]
        for node, name in hits:
            out.append((path, node.lineno, f"`{name} = {size}` written here"))
        words = words - {name for _, name in hits}
        words = words - {n for node, _ in body for n in words if _binds(node, n)}  # shadowed
    return out


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = node.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


def _argument(call: ast.Call, node: ast.FunctionDef | ast.AsyncFunctionDef, name: str) -> Any:
    """The expression `call` passes as the parameter `name` of the function `node`."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    positional = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
    if positional and positional[0] in ("self", "cls") and isinstance(call.func, ast.Attribute):
        positional = positional[1:]
    if name in positional and positional.index(name) < len(call.args):
        found = call.args[positional.index(name)]
        return None if isinstance(found, ast.Starred) else found
    return None


def passed_from(
    path: str, line: int, size: int, callers: list[tuple[str, int]]
) -> list[tuple[str, int, str]]:
    """For an array made at `line` of `path` with a size its function read from
    a parameter, the calls `callers` (innermost first) made the function from:
    where one of them passed that parameter `size` as a literal or a constant,
    `(path, line, what)`; parameters passed on as parameters are followed up."""
    tree = _parsed(path)
    stmt = statement_at(path, line)
    scope = tree and _function_at(tree, line)
    if tree is None or not scope or stmt is None:
        return []
    every = _statements(scope.body)
    names = [
        n
        for n in loaded_names(stmt)
        if n in _parameters(scope) and not any(_binds(s, n) for s, _ in every)
    ]
    for caller_path, caller_line in callers:
        if len(names) != 1:
            return []  # no parameter, or several: which one wrote the size is unsure
        (name,) = names
        caller_tree = _parsed(caller_path)
        caller_stmt = statement_at(caller_path, caller_line)
        if caller_tree is None or caller_stmt is None:
            return []
        called = {scope.name} | ({_class_of(tree, scope)} if scope.name == "__init__" else set())
        given = [
            arg
            for call in ast.walk(caller_stmt)
            if isinstance(call, ast.Call)
            and (getattr(call.func, "id", None) or getattr(call.func, "attr", None)) in called
            and (arg := _argument(call, scope, name)) is not None
        ]
        if len(given) != 1:
            return []
        (arg,) = given
        what = f"`{size}` passed to `{scope.name}` as `{name}` here"
        if isinstance(arg, ast.Constant) and type(arg.value) is int and arg.value == size:
            return [(caller_path, arg.lineno, what)]
        if not isinstance(arg, ast.Name):
            return []
        written = _constant_lines(caller_path, arg.lineno, {arg.id}, size)
        if written:
            return [(caller_path, arg.lineno, what), *written]
        outer = _function_at(caller_tree, caller_line)
        if outer is None or arg.id not in _parameters(outer):
            return []
        if any(_binds(s, arg.id) for s, _ in _statements(outer.body)):
            return []
        path, tree, scope, names = caller_path, caller_tree, outer, [arg.id]
    return []


def _class_of(tree: ast.Module, node: ast.AST) -> str | None:
    for parent in ast.walk(tree):
        if isinstance(parent, ast.ClassDef) and node in parent.body:
            return parent.name
    return None


def returned(error: BaseException) -> list[tuple[str, int, str]]:
    """For a checked function whose return value broke its annotation: the
    `return` that made the value, and the annotation's line (only the latter
    where the arguments broke what it implies, `time:t-k+1` for `k > t`); for an
    argument that broke it, the line of that parameter's annotation. The function is the
    one the check ran on, found on the error's traceback."""
    if not (isinstance(error, AxisTypeError) and error.argument and error.op):
        return []
    fn = checked_function(error)
    if fn is None:
        return []
    out = []
    place = annotation_line(fn, error.argument)
    sizes = ""
    if error.axis is not None and isinstance(error.expected, (int, str)):
        sizes = f"`{error.axis}:{error.expected}` "
    if place is not None:
        what = (
            f"the return annotation of `{error.op}`"
            if error.argument == "return value"
            else f"the annotation of {error.argument.split()[-1]} in `{error.op}`"
        )
        out.append((*place, f"{sizes}written by {what}" if sizes else f"{what}, here"))
    found = definition(fn)
    # `involved`: the arguments' sizes broke what the annotation implies, before any return
    if error.argument == "return value" and found is not None and not error.involved:
        site = return_site(found[0], found[1].lineno)
        if site is not None:
            out.append((found[0], site[0], f"`{error.op}` returns the value here"))
    return out


def checked_function(error: BaseException) -> Any:
    """The function whose annotations an `AxisTypeError` is about: the `fn` of
    the innermost check named as the error's `op` on its traceback (or on the
    traceback of the error it was raised from)."""
    op = getattr(error, "op", None)
    seen: BaseException | None = error
    for _ in range(8):  # the chain of causes, not followed forever
        if seen is None:
            break
        found = None
        tb = seen.__traceback__
        while tb is not None:
            fn = tb.tb_frame.f_locals.get("fn")
            if callable(fn) and getattr(fn, "__qualname__", None) == op:
                found = fn
            tb = tb.tb_next
        if found is not None:
            return found
        seen = seen.__cause__
    return None


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


def _parsed(path: str) -> ast.Module | None:
    """The syntax tree of the file `path` as it is now (cached while it is unchanged)."""
    try:
        stat = pathlib.Path(path).stat()
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _TREES:
        try:
            _TREES[key] = ast.parse(pathlib.Path(path).read_text())
        except (OSError, SyntaxError, ValueError):
            _TREES[key] = None
    return _TREES[key]


_TREES: dict[tuple[str, int, int], ast.Module | None] = {}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _statements(body: list[ast.stmt]) -> list[tuple[ast.stmt, list[ast.stmt]]]:
    """Every statement under `body` (not inside nested functions or classes),
    each with the list of statements it belongs to."""
    out = []
    for stmt in body:
        out.append((stmt, body))
        if isinstance(stmt, _SCOPES):
            continue
        for field in ("body", "orelse", "finalbody"):
            out += _statements(getattr(stmt, field, None) or [])
        for handler in getattr(stmt, "handlers", None) or []:
            out += _statements(handler.body)
        for case in getattr(stmt, "cases", None) or []:
            out += _statements(case.body)
    return out


def _function_at(tree: ast.Module, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The innermost function whose body holds `line`."""
    found = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            if node.body[0].lineno <= line <= (node.end_lineno or 0):
                if found is None or node.lineno > found.lineno:
                    found = node
    return found


def statement_at(path: str, line: int) -> ast.stmt | None:
    """The innermost simple statement of the file `path` that spans `line`."""
    tree = _parsed(path)
    if tree is None:
        return None
    scope = _function_at(tree, line)
    body = scope.body if scope is not None else tree.body
    inside = [
        s
        for s, _ in _statements(body)
        if s.lineno <= line <= (s.end_lineno or s.lineno) and not isinstance(s, _SCOPES)
    ]
    simple = [s for s in inside if not hasattr(s, "body")]
    return (simple or inside or [None])[-1]


def _binds(stmt: ast.stmt, name: str) -> bool:
    """Whether `stmt` (itself, not a statement nested in it) assigns `name`."""
    if isinstance(stmt, ast.Assign):
        targets: list[ast.expr] = list(stmt.targets)
    elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        targets = [stmt.target] if not isinstance(stmt, ast.AnnAssign) or stmt.value else []
    elif isinstance(stmt, (ast.For, ast.AsyncFor)):
        targets = [stmt.target]
    elif isinstance(stmt, (ast.With, ast.AsyncWith)):
        targets = [i.optional_vars for i in stmt.items if i.optional_vars is not None]
    else:
        return False
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store)
        for t in targets
        for n in ast.walk(t)
    )


def binding_line(path: str, line: int, name: str) -> int | None:
    """The line of the assignment that gave the local `name` the value it has at
    `line` of the file `path`: the last one before it in its function, when that
    one surely ran last (it is in a block that holds the statement at `line`, and
    no loop around both assigns `name` again further on); None when unsure or when
    `name` is not assigned there (a parameter)."""
    tree = _parsed(path)
    scope = tree and _function_at(tree, line)
    here = statement_at(path, line)
    if not scope or here is None:
        return None
    every = _statements(scope.body)
    ancestors = [s for s, _ in every if s.lineno <= here.lineno <= (s.end_lineno or s.lineno)]
    before = [(s, body) for s, body in every if _binds(s, name) and s.lineno < here.lineno]
    if not before:
        return None
    last, body = max(before, key=lambda e: e[0].lineno)
    if not any(s in body for s in ancestors):
        return None  # in a branch the statement is not in: it may not have run
    loops = [s for s in ancestors if isinstance(s, (ast.For, ast.AsyncFor, ast.While))]
    for loop in loops:
        if loop.lineno <= last.lineno and any(
            _binds(s, name) and s.lineno > here.lineno
            for s, _ in _statements(loop.body) + _statements(loop.orelse)
        ):
            return None  # a later assignment in the loop may have run since
    return last.lineno


def module_binding_line(path: str, name: str) -> int | None:
    """The line of the one top-level assignment of `name` in the file `path`
    (None when there is none, or more than one)."""
    tree = _parsed(path)
    if tree is None:
        return None
    found = [s.lineno for s, _ in _statements(tree.body) if _binds(s, name)]
    defined = [
        s
        for s in tree.body
        if isinstance(s, (*_SCOPES, ast.Import, ast.ImportFrom))
        and name in {getattr(s, "name", None), *(a.asname or a.name for a in _aliases(s))}
    ]
    return found[0] if len(found) == 1 and not defined else None


def _aliases(stmt: ast.stmt) -> list[ast.alias]:
    return list(stmt.names) if isinstance(stmt, (ast.Import, ast.ImportFrom)) else []


def loaded_names(stmt: ast.stmt, within: tuple[int, int, int, int] | None = None) -> list[str]:
    """The names `stmt` reads, in the order written, each once (the statements
    and functions nested in it left out); with `within`, `(line, column, end
    line, end column)`, only those written inside that part of it."""
    found: list[ast.Name] = []
    todo: list[ast.AST] = [stmt]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            if within is None or (
                (within[0], within[1]) <= (node.lineno, node.col_offset)
                and (node.end_lineno or node.lineno, node.end_col_offset or 0)
                <= (within[2], within[3])
            ):
                found.append(node)
        if node is stmt or not isinstance(node, (*_SCOPES, ast.stmt)):
            todo.extend(ast.iter_child_nodes(node))
    found.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in found))


def definition(fn: Any) -> tuple[str, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The file of the function `fn` (unwrapped) and its `def` node."""
    code = getattr(inspect.unwrap(fn), "__code__", None)
    if code is None:
        return None
    tree = _parsed(code.co_filename)
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            if first <= code.co_firstlineno <= node.lineno and node.name == code.co_name:
                return code.co_filename, node
    return None


def annotation_line(fn: Any, argument: str) -> tuple[str, int] | None:
    """Where the function `fn` annotates `argument` (`"return value"` or
    `` "argument `x`" ``): its file and the annotation's line."""
    found = definition(fn)
    if found is None:
        return None
    path, node = found
    if argument == "return value":
        return (path, node.returns.lineno) if node.returns is not None else None
    name = argument.removeprefix("argument ").strip("`")
    args = node.args
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if arg is not None and arg.arg == name and arg.annotation is not None:
            return path, arg.annotation.lineno
    return None


def constraint_lines(path: str, claims: tuple[str, ...]) -> list[tuple[int, str]]:
    """Where the file `path` writes each of `claims` (a `CONSTRAINTS` entry, a
    `@tl.constraints(...)` argument): `(line, claim)`."""
    tree = _parsed(path)
    if tree is None:
        return []
    wanted = {" ".join(c.split()): c for c in claims}
    return [
        (node.lineno, wanted[" ".join(node.value.split())])
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and " ".join(node.value.split()) in wanted
    ]
