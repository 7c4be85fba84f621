"""The notation core: the named array, its operations, annotations and checks,
verification before compute, placement by name. It imports nothing else of
typedlenet (`nn`, `lenet`, the checker tooling and the training application
are built on it).

Every module here is private; the public names are re-exported by
`typedlenet/__init__.py`.
"""

from .annotations import (
    Bool,
    Float,
    Int,
    Integer,
    Num,
    Shaped,
    UInt,
)
from .checking import (
    checks,
    checks_enabled,
    set_checks,
    typechecked,
)
from .constraints import constraints
from .errors import (
    AxisError,
    AxisTypeError,
)
from .fields import (
    TypedModule,
    check_fields,
)
from .losses import cross_entropy
from .named import (
    NamedArray,
    named,
)
from .nmap import (
    Untagged,
    nmap,
    tag,
    untag,
)
from .ops import (
    argmax,
    dot,
    elementwise,
    exp,
    flatten,
    gelu,
    lift,
    log,
    log_softmax,
    logsumexp,
    max,
    maximum,
    mean,
    min,
    minimum,
    one_hot,
    relu,
    rename,
    sigmoid,
    softmax,
    sqrt,
    sum,
    tanh,
    unflatten,
    unfold,
    var,
    where,
)
from .ranges import IndexRange, checked_indices, index_range
from .report import (
    register_summary,
    summary,
)
from .resize import resize, upsample
from .sharding import (
    AxisMapping,
    ShardingError,
    constrain,
    data_mesh,
    named_sharding,
    partition_spec,
    replicate,
    replicated,
    shard,
)
from .sizes import (
    Names,
    Size,
)
from .step import make_step
from .structure import (
    arange,
    astype,
    concatenate,
    pad,
    split,
    stack,
    take,
)
from .transforms import (
    grad,
    scan,
    value_and_grad,
    vmap,
)
from .verify import (
    Report,
    abstract,
    abstract_arguments,
    register_verifier,
    symbols,
    verify,
)

__all__ = [
    "AxisError",
    "AxisMapping",
    "AxisTypeError",
    "Bool",
    "Float",
    "IndexRange",
    "Int",
    "Integer",
    "NamedArray",
    "Names",
    "Num",
    "Report",
    "Shaped",
    "ShardingError",
    "Size",
    "TypedModule",
    "UInt",
    "Untagged",
    "abstract",
    "abstract_arguments",
    "arange",
    "argmax",
    "astype",
    "check_fields",
    "checked_indices",
    "checks",
    "checks_enabled",
    "concatenate",
    "constrain",
    "constraints",
    "cross_entropy",
    "data_mesh",
    "dot",
    "elementwise",
    "exp",
    "flatten",
    "gelu",
    "grad",
    "index_range",
    "lift",
    "log",
    "log_softmax",
    "logsumexp",
    "make_step",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "named",
    "named_sharding",
    "nmap",
    "one_hot",
    "pad",
    "partition_spec",
    "register_summary",
    "register_verifier",
    "relu",
    "rename",
    "replicate",
    "replicated",
    "resize",
    "scan",
    "set_checks",
    "shard",
    "sigmoid",
    "softmax",
    "split",
    "sqrt",
    "stack",
    "sum",
    "summary",
    "symbols",
    "tag",
    "take",
    "tanh",
    "typechecked",
    "unflatten",
    "unfold",
    "untag",
    "upsample",
    "value_and_grad",
    "var",
    "verify",
    "vmap",
    "where",
]
