"""typedlenet: Named Tensor Notation in JAX, with axis names and sizes checked."""

from ._annotations import Bool, Float, Int, Num, Shaped
from ._checking import checks, checks_enabled, set_checks, typechecked
from ._errors import AxisError, AxisTypeError
from ._layers import conv2d, maxpool2d, mlp
from ._lenet import LeNet, LeNetConfig
from ._named import NamedArray, Names, named
from ._ops import (
    argmax,
    dot,
    elementwise,
    exp,
    flatten,
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
    where,
)
from ._runtime import allocator_tuned, tune_allocator
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
from ._summary import summary
from ._train import cross_entropy, make_step
from ._transforms import vmap
from ._verify import Report, abstract, abstract_arguments, symbols, verify

__version__ = "0.1.0"

__all__ = [  # noqa: RUF022 (grouped by concept)
    # the named array
    "NamedArray",
    "Names",
    "named",
    # the notation's operations
    "argmax",
    "dot",
    "elementwise",
    "exp",
    "flatten",
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
    "relu",
    "rename",
    "sigmoid",
    "softmax",
    "sqrt",
    "sum",
    "tanh",
    "unflatten",
    "unfold",
    "vmap",
    "where",
    # annotations and checking
    "Bool",
    "Float",
    "Int",
    "Num",
    "Shaped",
    "checks",
    "checks_enabled",
    "set_checks",
    "typechecked",
    # errors
    "AxisError",
    "AxisTypeError",
    "ShardingError",
    # the seed's LeNet
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
    # verification before compute
    "Report",
    "abstract",
    "abstract_arguments",
    "symbols",
    "verify",
]
