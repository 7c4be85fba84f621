"""`typedlenet.nn`: layers by name.

The seed's layers as functions (`conv2d`, `maxpool2d`, `mlp`, each with a
literal `impl="reference"` path and a fast lowering proven equal), and layers
as equinox modules.
"""

from ._seed import Impl, conv2d, maxpool2d, mlp

__all__ = ["Impl", "conv2d", "maxpool2d", "mlp"]
