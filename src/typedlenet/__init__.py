"""typedlenet: Named Tensor Notation in JAX, with axis names and sizes checked.

The parts, each a folder of its own:

- the notation core (`_core/`, re-exported here): `NamedArray`, its operations,
  annotations, checks, verification before compute, placement by name;
- `typedlenet.nn`: layers by name;
- `typedlenet.lenet`: the seed's LeNet, line by line;
- `typedlenet.check`: the static checker, `trace` and the editor server;
- `typedlenet.train`: the training application (data, checkpoints, run
  directories, the `typedlenet train` loop);
- `typedlenet.runtime`: process tuning (malloc, the compilation cache, the
  machine's identity, signals).

Importing typedlenet loads the core, `nn`, `lenet` and `runtime` (none of which
changes anything in the process); the checker and the training application are
loaded only when used.
"""

import sys as _sys

# `python -m typedlenet` imports this package before its `__main__`: the
# command's early signal handling starts here, as it does in the console
# script, so that a signal while JAX is imported ends the command in one line.
# Only in that process; an import by anything else changes nothing.
if _sys.argv[:1] == ["-m"]:
    import _typedlenet_launch

    if _typedlenet_launch.started_as_module():
        _typedlenet_launch.record_signals()

from . import lenet, nn, runtime
from ._core import (
    AxisError,
    AxisMapping,
    AxisSizes,
    AxisTypeError,
    Bool,
    Float,
    IndexRange,
    Int,
    Integer,
    NamedArray,
    Names,
    Num,
    Report,
    Shaped,
    ShardingError,
    Size,
    TypedModule,
    UInt,
    Untagged,
    abs,
    abstract,
    abstract_arguments,
    arange,
    argmax,
    argsort,
    astype,
    broadcast_to,
    check_fields,
    checked_indices,
    checks,
    checks_enabled,
    clip,
    concatenate,
    constrain,
    constraints,
    cos,
    cross_entropy,
    cumprod,
    cumsum,
    data_mesh,
    dot,
    elementwise,
    erf,
    exp,
    expm1,
    flatten,
    flip,
    full,
    full_like,
    gelu,
    grad,
    index_range,
    lift,
    log,
    log1p,
    log_softmax,
    logsumexp,
    make_step,
    max,
    maximum,
    mean,
    min,
    minimum,
    named,
    named_sharding,
    nmap,
    one_hot,
    ones,
    ones_like,
    pad,
    partition_spec,
    random,
    register_summary,
    register_verifier,
    relu,
    rename,
    repeat,
    replicate,
    replicated,
    resize,
    roll,
    rsqrt,
    scan,
    set_checks,
    shard,
    sigmoid,
    sign,
    silu,
    sin,
    softmax,
    softplus,
    sort,
    split,
    sqrt,
    square,
    stack,
    sum,
    summary,
    symbols,
    tag,
    take,
    tanh,
    tile,
    top_k,
    typechecked,
    unflatten,
    unfold,
    untag,
    upsample,
    value_and_grad,
    var,
    verify,
    vmap,
    where,
    zeros,
    zeros_like,
)
from .lenet import LeNet, LeNetConfig

# Older spellings, kept working (not in `__all__`): the seed's layers are
# `typedlenet.nn.conv2d` / `maxpool2d` / `mlp`, the process knobs
# `typedlenet.runtime.tune_allocator` / `allocator_tuned` / `use_compilation_cache`.
from .nn import conv2d as conv2d
from .nn import maxpool2d as maxpool2d
from .nn import mlp as mlp
from .runtime import allocator_tuned as allocator_tuned
from .runtime import tune_allocator as tune_allocator
from .runtime import use_compilation_cache as use_compilation_cache

__version__ = "0.1.0"

__all__ = [  # noqa: RUF022 (grouped by concept)
    # the named array
    "NamedArray",
    "Names",
    "Size",
    "named",
    # the notation's operations
    "arange",
    "argmax",
    "astype",
    "concatenate",
    "dot",
    "elementwise",
    "exp",
    "flatten",
    "gelu",
    "lift",
    "log",
    "log_softmax",
    "logsumexp",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "one_hot",
    "pad",
    "relu",
    "rename",
    "sigmoid",
    "softmax",
    "split",
    "sqrt",
    "stack",
    "sum",
    "take",
    "tanh",
    "unflatten",
    "unfold",
    "var",
    "where",
    # resizing by name
    "resize",
    "upsample",
    # elementwise functions
    "abs",
    "clip",
    "cos",
    "erf",
    "expm1",
    "log1p",
    "rsqrt",
    "sign",
    "silu",
    "sin",
    "softplus",
    "square",
    # sorting and selection
    "argsort",
    "sort",
    "top_k",
    # scans and shifts
    "cumprod",
    "cumsum",
    "flip",
    "roll",
    # repetition
    "repeat",
    "tile",
    # arrays made over named axes
    "AxisSizes",
    "broadcast_to",
    "full",
    "full_like",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
    # random numbers over named axes (`tl.random.normal`, ...)
    "random",
    # index arrays that know their range
    "IndexRange",
    "checked_indices",
    "index_range",
    # any positional function, lifted by name; transformations by name
    "Untagged",
    "grad",
    "nmap",
    "scan",
    "tag",
    "untag",
    "value_and_grad",
    "vmap",
    # annotations and checking
    "Bool",
    "Float",
    "Int",
    "Integer",
    "Num",
    "Shaped",
    "UInt",
    "TypedModule",
    "check_fields",
    "checks",
    "checks_enabled",
    "set_checks",
    "typechecked",
    # errors
    "AxisError",
    "AxisTypeError",
    "ShardingError",
    # the parts: layers, the seed's LeNet, process tuning
    "lenet",
    "nn",
    "runtime",
    "LeNet",
    "LeNetConfig",
    "summary",
    # training
    "cross_entropy",
    "make_step",
    # placement on devices, by name
    "AxisMapping",
    "constrain",
    "data_mesh",
    "named_sharding",
    "partition_spec",
    "replicate",
    "replicated",
    "shard",
    # verification before compute
    "Report",
    "abstract",
    "abstract_arguments",
    "constraints",
    "register_summary",
    "register_verifier",
    "symbols",
    "verify",
]
