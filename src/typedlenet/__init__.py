"""typedlenet: Named Tensor Notation in JAX, with axis names and sizes checked."""

from ._annotations import (
    Bool as Bool,
    Float as Float,
    Int as Int,
    Num as Num,
    Shaped as Shaped,
    checks as checks,
    checks_enabled as checks_enabled,
    set_checks as set_checks,
    typechecked as typechecked,
)
from ._errors import AxisError as AxisError, AxisTypeError as AxisTypeError
from ._named import NamedArray as NamedArray, Names as Names, named as named
from ._ops import (
    argmax as argmax,
    dot as dot,
    elementwise as elementwise,
    exp as exp,
    flatten as flatten,
    lift as lift,
    log as log,
    log_softmax as log_softmax,
    logsumexp as logsumexp,
    max as max,
    maximum as maximum,
    mean as mean,
    min as min,
    minimum as minimum,
    relu as relu,
    rename as rename,
    sigmoid as sigmoid,
    softmax as softmax,
    sqrt as sqrt,
    sum as sum,
    tanh as tanh,
    unflatten as unflatten,
    unfold as unfold,
    where as where,
)
from ._transforms import vmap as vmap

__version__ = "0.1.0"
