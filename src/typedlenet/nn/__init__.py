"""`typedlenet.nn`: layers by name.

- The seed's layers as functions: `conv2d`, `maxpool2d`, `mlp` (each with the
  literal `impl="reference"` path and a fast lowering tested equal).
- Layers as equinox modules: `Linear`, `MLP`, `Embedding`, `LayerNorm`,
  `Dropout`, `Conv` (any named spatial axes; stride, padding, dilation,
  groups), `MaxPool`, `AvgPool`, `MultiHeadAttention`, `Stacked`.
- Parameters by name: `init(key, "embed:64 hidden:256")`, `zeros`, `ones`.
"""

from ._attention import MultiHeadAttention, Stacked
from ._conv import AvgPool, Conv, MaxPool
from ._conv import window_name as window_name  # kept importable; not in __all__
from ._init import init, ones, zeros
from ._linear import MLP, Dropout, Embedding, LayerNorm, Linear
from ._seed import Impl as Impl  # kept importable; not in __all__
from ._seed import conv2d, maxpool2d, mlp

__all__ = [
    "MLP",
    "AvgPool",
    "Conv",
    "Dropout",
    "Embedding",
    "LayerNorm",
    "Linear",
    "MaxPool",
    "MultiHeadAttention",
    "Stacked",
    "conv2d",
    "init",
    "maxpool2d",
    "mlp",
    "ones",
    "zeros",
]
