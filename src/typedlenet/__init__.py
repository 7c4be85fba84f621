"""typedlenet: Named Tensor Notation in JAX, with axis names and sizes checked."""

# Three parts: the notation (the private modules below), the layers
# (`typedlenet.nn`) and the seed's model (`typedlenet.lenet`), which are built
# on the notation and never imported by it.
from . import lenet, nn
from ._annotations import Bool, Float, Int, Integer, Num, Shaped, UInt
from ._checker import constraints
from ._checking import checks, checks_enabled, set_checks, typechecked
from ._errors import AxisError, AxisTypeError
from ._fields import TypedModule, check_fields
from ._named import NamedArray, named
from ._nmap import Untagged, nmap, tag, untag
from ._ops import (
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
from ._report import register_summary, summary
from ._runtime import allocator_tuned, tune_allocator, use_compilation_cache
from ._sharding import (
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
from ._sizes import Names, Size
from ._structure import arange, astype, concatenate, pad, split, stack, take
from ._train import cross_entropy, make_step
from ._transforms import grad, scan, value_and_grad, vmap
from ._verify import Report, abstract, abstract_arguments, register_verifier, symbols, verify
from .lenet import LeNet, LeNetConfig
from .nn import conv2d, maxpool2d, mlp

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
    # the layers and the seed's LeNet (also `typedlenet.nn`, `typedlenet.lenet`)
    "lenet",
    "nn",
    "LeNet",
    "LeNetConfig",
    "conv2d",
    "maxpool2d",
    "mlp",
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
    # runtime
    "allocator_tuned",
    "tune_allocator",
    "use_compilation_cache",
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
