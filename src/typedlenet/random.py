"""`typedlenet.random`: random numbers over named axes, the module `tl.random`."""

import sys

from ._core import random as _random
from ._core.random import *  # noqa: F403  (for static readers: the same names)
from ._core.random import __all__ as __all__

sys.modules[__name__] = _random
