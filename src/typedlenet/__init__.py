"""typedlenet: Named Tensor Notation in JAX, with axis names and sizes checked."""

from ._annotations import (
    Bool as Bool,
)
from ._annotations import (
    Float as Float,
)
from ._annotations import (
    Int as Int,
)
from ._annotations import (
    Num as Num,
)
from ._annotations import (
    Shaped as Shaped,
)
from ._annotations import (
    checks as checks,
)
from ._annotations import (
    checks_enabled as checks_enabled,
)
from ._annotations import (
    set_checks as set_checks,
)
from ._annotations import (
    typechecked as typechecked,
)
from ._errors import AxisError as AxisError
from ._errors import AxisTypeError as AxisTypeError
from ._layers import conv2d as conv2d
from ._layers import maxpool2d as maxpool2d
from ._layers import mlp as mlp
from ._lenet import LeNet as LeNet
from ._lenet import LeNetConfig as LeNetConfig
from ._named import NamedArray as NamedArray
from ._named import Names as Names
from ._named import named as named
from ._ops import (
    argmax as argmax,
)
from ._ops import (
    dot as dot,
)
from ._ops import (
    elementwise as elementwise,
)
from ._ops import (
    exp as exp,
)
from ._ops import (
    flatten as flatten,
)
from ._ops import (
    lift as lift,
)
from ._ops import (
    log as log,
)
from ._ops import (
    log_softmax as log_softmax,
)
from ._ops import (
    logsumexp as logsumexp,
)
from ._ops import (
    max as max,
)
from ._ops import (
    maximum as maximum,
)
from ._ops import (
    mean as mean,
)
from ._ops import (
    min as min,
)
from ._ops import (
    minimum as minimum,
)
from ._ops import (
    relu as relu,
)
from ._ops import (
    rename as rename,
)
from ._ops import (
    sigmoid as sigmoid,
)
from ._ops import (
    softmax as softmax,
)
from ._ops import (
    sqrt as sqrt,
)
from ._ops import (
    sum as sum,
)
from ._ops import (
    tanh as tanh,
)
from ._ops import (
    unflatten as unflatten,
)
from ._ops import (
    unfold as unfold,
)
from ._ops import (
    where as where,
)
from ._summary import summary as summary
from ._transforms import vmap as vmap

__version__ = "0.1.0"
