"""Static shape verification: run a model, or any named-tensor function, abstractly.

`verify` evaluates with `jax.eval_shape`: no FLOPs are spent and no buffer of
the data's size is allocated, yet every named-axis check runs, so a mismatch
fails here, before compute, with the same error it would raise at run time.
Sizes may be symbols (`jax.export.symbolic_shape`): a model verified for the
batch size `b` holds for every batch size.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import re
import sys
import sysconfig
import traceback
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
from jax import export

from .annotations import _NamedMeta, _parse_spec
from .errors import AxisError
from .families import families
from .fields import field_bindings
from .named import NamedArray
from .report import table
from .size_text import fmt

__all__ = [
    "Report",
    "abstract",
    "abstract_arguments",
    "register_verifier",
    "symbols",
    "verify",
]

_DTYPES = {"Float": jnp.float32, "Shaped": jnp.float32, "Num": jnp.float32, "Int": jnp.int32}
_DTYPES |= {"Integer": jnp.int32, "UInt": jnp.uint32}


# The scope of the symbols `abstract` makes up: one for the whole process, so that
# the same name is the same symbol in every input (`abstract("batch:b")` twice
# gives two arrays whose `batch` sizes are equal). Symbols with constraints get a
# scope of their own from `symbols`.
_SHARED_SCOPE: list[export.SymbolicScope] = []


def _shared_symbols(names: Sequence[str]) -> dict[str, Any]:
    if not names:
        return {}
    if not _SHARED_SCOPE:
        _SHARED_SCOPE.append(export.SymbolicScope())
    dims = export.symbolic_shape(", ".join(names), scope=_SHARED_SCOPE[0])
    return dict(zip(names, dims))


def symbols(names: str | Sequence[str], *, constraints: Sequence[str] = ()) -> dict[str, Any]:
    """Symbolic sizes, one per name, in one scope (so they combine): `{"b": b, ...}`.

    `constraints` are JAX's, e.g. `("h >= 5",)`.

    Examples:
        >>> s = tl.symbols("b n")
        >>> tl.abstract("batch:b seq:n embed:8", sizes=s)
        f32[batch:b, seq:n, embed:8]
    """
    names = names.split() if isinstance(names, str) else list(names)
    if not names:
        return {}
    dims = export.symbolic_shape(", ".join(names), constraints=tuple(constraints))
    return dict(zip(names, dims))


def abstract(
    spec: str, dtype: Any = jnp.float32, *, sizes: Mapping[str, Any] | None = None
) -> NamedArray:
    """An abstract NamedArray (a shape and a dtype, no data) for `"name:size ..."`.

    Each size is an integer or a symbol: a name looked up in `sizes` (say, from
    `symbols`), or else the symbolic size of that name, the same symbol in every
    `abstract` input (so `abstract("batch:b")` and `abstract("batch:b seq:n")`
    agree on `batch`). Symbols with constraints come from `symbols`, passed as
    `sizes`.

    Examples:
        >>> tl.abstract("batch:b channels:1 height:28 width:28")
        f32[batch:b, channels:1, height:28, width:28]
    """
    parsed = _parse_spec(spec)
    if parsed.ellipsis:
        raise ValueError(f'abstract: "{spec}" has `...`; name every axis of an input')
    sizes = dict(sizes or {})
    fresh = [d for d in dict.fromkeys(parsed.symbols) if not d.isdigit() and d not in sizes]
    sizes.update(_shared_symbols(fresh))
    shape = [int(d) if d.isdigit() else sizes[d] for d in parsed.symbols]
    return NamedArray(jax.ShapeDtypeStruct(tuple(shape), dtype), parsed.names)


def abstract_arguments(
    fn: Callable[..., Any],
    *,
    constraints: Sequence[str] = (),
    known: Mapping[str, Any] | None = None,
) -> dict[str, NamedArray]:
    """Abstract inputs for `fn` read off its named annotations, symbols shared.

    `Float[NamedArray, "batch:b height:28"]` gives an input whose `batch` is the
    symbol `b` and whose `height` is 28. Symbols in `known` (a module's field
    bindings, say) take the sizes given there.
    """
    known = dict(known or {})
    hints = inspect.get_annotations(inspect.unwrap(fn), eval_str=True)
    specs = {
        name: hint
        for name, hint in hints.items()
        if name != "return" and isinstance(hint, _NamedMeta)
    }
    names = {
        d
        for hint in specs.values()
        for d in hint._spec.symbols
        if not d.isdigit() and d.isidentifier() and d not in known
    }
    sizes = {**symbols(sorted(names), constraints=constraints), **known}
    return {
        name: abstract(hint._spec.text, _DTYPES.get(hint._kind, jnp.bool_), sizes=sizes)
        for name, hint in specs.items()
    }


@dataclasses.dataclass
class Report:
    """What an abstract run found: each tensor's named sizes, the parameters, notes."""

    title: str
    tensors: list[tuple[str, str, Any]] = dataclasses.field(default_factory=list)
    parameters: list[tuple[str, NamedArray]] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    order: Sequence[str] = ()  # axes listed first, in this order

    def tensor(self, label: str) -> Any:
        """The abstract value of the tensor labelled `label` (`"X^5"`, `"output"`)."""
        for name, _, value in self.tensors:
            if name == label:
                return value
        raise KeyError(
            f"the report has no tensor {label!r} (it has {[t[0] for t in self.tensors]})"
        )

    def __str__(self) -> str:
        rows = [("tensor", "equation", "named sizes")]
        rows += [(label, eq, _describe(value, self.order)) for label, eq, value in self.tensors]
        lines = [self.title, "", *table(rows)]
        if self.parameters:
            prows = [("parameter", "named shape", "count")]
            total = 0
            for label, p in self.parameters:
                count = math.prod(p.shape)
                total += count
                prows.append((label, _describe(p, self.order), f"{count:,}"))
            prows.append(("total", "", f"{total:,}"))
            lines += ["", *table(prows)]
        if self.notes:
            lines += ["", *self.notes]
        return "\n".join(lines)


def _describe(value: Any, order: Sequence[str] = ()) -> str:
    """`value`'s named sizes, axes listed in `order` first (storage order means
    nothing, so a report may choose a reading order), the rest as stored."""
    if isinstance(value, NamedArray):
        dtype = str(value.dtype)
        sizes = value.sizes
        listed = [n for n in order if n in sizes] + [n for n in sizes if n not in order]
        axes = ", ".join(f"{n}:{fmt(sizes[n], grouped=False)}" for n in listed)
        return f"{axes} ({dtype})" if axes else f"scalar ({dtype})"
    if hasattr(value, "shape"):
        shape = ", ".join(fmt(s, grouped=False) for s in value.shape)
        return (
            f"positional ({shape}{',' if len(value.shape) == 1 else ''}) ({value.dtype})"
            if value.shape
            else (f"scalar ({value.dtype})")
        )
    return repr(value)


_VERIFIERS: dict[type, Callable[..., Report]] = {}


def register_verifier(cls: type) -> Callable[[Callable[..., Report]], Callable[..., Report]]:
    """Decorator: `verify(model)` for an instance of `cls` calls the decorated
    `fn(model, **options)`, which reports on the model as a whole (LeNet's
    forward pass and training step, say)."""

    def register(fn: Callable[..., Report]) -> Callable[..., Report]:
        _VERIFIERS[cls] = fn
        return fn

    return register


def verify(target: Any, *args: Any, **kwargs: Any) -> Report:
    """Verify `target` abstractly and report the named sizes of what it computes.

    - `verify(fn, *args)` for any function or callable module: its outputs for
      `args` (concrete or abstract); with no `args`, inputs are read off the
      named annotations of `fn` (of `module.__call__` for a module), symbols
      shared, with JAX `constraints=(...)`.
    - `verify(model)` for a model with a registered verifier (`LeNet`): that
      verifier's report (LeNet's: its forward pass and whole training step for
      a symbolic batch; see `typedlenet.lenet`).

    A mismatch raises the error the run would raise (an `AxisError`), labelled
    (`error.where`) with the model line where it happened: the seed's line for
    LeNet, for any other model the file, line and code of the user's own frame
    nearest the failure.

    Examples:
        >>> layer = tl.nn.Linear("embed:8", "hidden:16", key=jax.random.PRNGKey(0))
        >>> report = tl.verify(layer, tl.abstract("batch:b seq:n embed:8"))
        >>> isinstance(report, tl.Report)
        True
    """
    for cls in type(target).__mro__:
        if cls in _VERIFIERS and not args:
            return _VERIFIERS[cls](target, **kwargs)
    constraints = kwargs.pop("constraints", ())
    if not args and not kwargs:
        annotated: Callable[..., Any] = target
        known: dict[str, Any] = {}
        if isinstance(target, eqx.Module):
            annotated = type(target).__call__
            known = {k: size for k, (size, _) in field_bindings(target).items()}
        kwargs = abstract_arguments(annotated, constraints=constraints, known=known)
    call = typing.cast(Callable[..., Any], target)
    try:
        out = eqx.filter_eval_shape(call, *args, **kwargs)
    except AxisError as error:
        _locate_in_user_code(error)
        if error.kind == "undecidable":
            _add_hint(error, call, args, kwargs)
        raise
    name = getattr(target, "__qualname__", type(target).__name__)
    leaves = jax.tree_util.tree_leaves(out, is_leaf=lambda x: isinstance(x, NamedArray))
    report = Report(f"{name}: verified abstractly (jax.eval_shape; no FLOPs)")
    report.tensors += [("input", name_, value) for name_, value in kwargs.items()]
    report.tensors += [
        (f"output {i}" if len(leaves) > 1 else "output", "", leaf) for i, leaf in enumerate(leaves)
    ]
    return report


# The packages whose frames are the machinery, not the model: a mismatch is
# located at the last frame outside them (and outside the standard library).
_MACHINERY = ("typedlenet", "jax", "jaxlib", "equinox", "jaxtyping", "beartype")


def _machinery_dirs() -> tuple[str, ...]:
    dirs = [sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]]
    for name in _MACHINERY:
        module = sys.modules.get(name)
        dirs += list(getattr(module, "__path__", []))
    return tuple(os.path.join(os.path.realpath(d), "") for d in dirs)


def _locate_in_user_code(error: AxisError) -> None:
    """Label `error` (when no model line labels it yet) with the line of the
    user's code where it was raised: the last frame of its traceback outside the
    library, JAX, equinox, the checkers and the standard library."""
    if error.where is not None:
        return
    machinery = _machinery_dirs()
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        filename = frame.filename
        if filename.startswith("<") or os.path.realpath(filename).startswith(machinery):
            continue
        code = (frame.line or "").strip()
        error.where = f"{filename}:{frame.lineno}" + (f": {code}" if code else "")
        error.add_note(f"  where: {error.where}")
        return


def _symbolic(leaf: Any) -> bool:
    return isinstance(leaf, jax.ShapeDtypeStruct) and any(
        export.is_symbolic_dim(d) for d in leaf.shape
    )


def _add_hint(error: AxisError, call: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Give `error` (an `"undecidable"` one) the sizes for which the run gets
    past it: the family search of `typedlenet check`, run on `call` with one
    symbol of the abstract inputs made concrete at a time (the others left
    symbolic, under the constraints that do not name it). Sets `hint` and
    `families` and adds the hint as a note; leaves them unset when no size of
    any symbol works."""
    everything = (call, args, kwargs)
    dims = [
        d
        for leaf in jax.tree_util.tree_leaves(everything)
        if _symbolic(leaf)
        for d in leaf.shape
        if export.is_symbolic_dim(d)
    ]
    if not dims:
        return
    names = {str(v) for d in dims for v in d.get_vars()}
    claims = tuple(
        str(getattr(c, "debug_str", c))
        for d in dims[:1]
        for c in getattr(d.scope, "_explicit_constraints", ())
    )

    def run(fixed: dict[str, int]) -> None:
        rest = sorted(names - set(fixed))
        kept = [c for c in claims if not set(re.findall(r"[A-Za-z_]\w*", c)) & set(fixed)]
        fresh = export.symbolic_shape(", ".join(rest), constraints=kept) if rest else ()
        env = {**dict(zip(rest, fresh)), **fixed}

        def concrete(leaf: Any) -> Any:
            if not _symbolic(leaf):
                return leaf
            shape = tuple(d._evaluate(env) if export.is_symbolic_dim(d) else d for d in leaf.shape)
            return jax.ShapeDtypeStruct(shape, leaf.dtype)

        fn, fargs, fkwargs = jax.tree_util.tree_map(concrete, everything)
        eqx.filter_eval_shape(fn, *fargs, **fkwargs)

    found = [f for f in families(error, names, claims, run) if f.good]
    if not found:
        return
    taken = set(names)
    parts = []
    for f in found:
        multiplier = next(m for m in ("m", *(f"m{i}" for i in range(1, 99))) if m not in taken)
        size = f.size(multiplier)
        counter = f"; smallest counterexample {f.symbol} = {f.bad[0]}" if f.bad else ""
        if size is None:
            shown = ", ".join(map(str, f.good[:8])) + (", ..." if len(f.good) > 8 else "")
            parts.append(f"{f.symbol} in {{{shown}}} gets past it{counter}")
            continue
        error.families[f.symbol] = size
        form = f.form
        if form is not None and form[0] == 1:  # every size from some on: a lower bound
            least = f"{f.symbol} >= {form[1] + 1}"
            parts.append(f"sizes {least} get past it: add the constraint `{least}`{counter}")
            continue
        taken.add(multiplier)
        axes = _axes_sized_by(f.symbol, args, kwargs)
        spec = " ".join(f"{axis}:{size.replace(' ', '')}" for axis in axes)
        where = f': pass `tl.abstract("... {spec} ...")`' if axes else ""
        parts.append(
            f"sizes of the form {f.symbol} = {size} ({multiplier} >= 1) get past it{where}{counter}"
        )
    error.hint = "\n".join(parts)
    for part in parts:
        error.add_note(f"  hint: {part}")


def _axes_sized_by(symbol: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[str]:
    """The axes of the NamedArray inputs whose size is the symbol `symbol`."""
    arrays = jax.tree_util.tree_leaves((args, kwargs), is_leaf=lambda x: isinstance(x, NamedArray))
    axes = {
        axis: None
        for x in arrays
        if isinstance(x, NamedArray)
        for axis, size in x.sizes.items()
        if export.is_symbolic_dim(size) and str(size) == symbol
    }
    return list(axes)
