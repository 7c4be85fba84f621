"""`typedlenet.data`: the old path of `typedlenet.train.data`, the same module."""

import sys

from .train import data as _data
from .train.data import *  # noqa: F403  (for static readers: the same names)
from .train.data import __all__ as __all__

sys.modules[__name__] = _data
