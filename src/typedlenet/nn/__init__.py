"""`typedlenet.nn`: layers by name.

- The seed's layers as functions: `conv2d`, `maxpool2d`, `mlp` (each with the
  literal `impl="reference"` path and a fast lowering tested equal).
- Layers as equinox modules: `Linear`, `MLP`, `Embedding`, `LayerNorm`,
  `Dropout`, `RMSNorm`, `Conv` (any named spatial axes; stride, padding,
  dilation, groups), `ConvTranspose` (its adjoint, to upsample), `MaxPool`,
  `AvgPool`, `MultiHeadAttention` (with `causal_mask`), `Stacked`.
- Recurrent layers: `GRUCell`, `LSTMCell`, and `RNN`, which scans a cell over a
  named axis with a length mask.
- Parameters by name: `init(key, "embed:64 hidden:256")`, `zeros`, `ones`.
"""

from ._attention import MultiHeadAttention, Stacked, causal_mask
from ._conv import AvgPool, Conv, MaxPool
from ._conv import window_name as window_name  # kept importable; not in __all__
from ._conv_transpose import ConvTranspose
from ._functional import Impl as Impl  # kept importable; not in __all__
from ._functional import conv2d, maxpool2d, mlp
from ._init import init, ones, zeros
from ._linear import MLP, Dropout, Embedding, LayerNorm, Linear
from ._normalization import RMSNorm
from ._recurrent import RNN, GRUCell, LSTMCell

__all__ = [
    "MLP",
    "RNN",
    "AvgPool",
    "Conv",
    "ConvTranspose",
    "Dropout",
    "Embedding",
    "GRUCell",
    "LSTMCell",
    "LayerNorm",
    "Linear",
    "MaxPool",
    "MultiHeadAttention",
    "RMSNorm",
    "Stacked",
    "causal_mask",
    "conv2d",
    "init",
    "maxpool2d",
    "mlp",
    "ones",
    "zeros",
]
