"""The seed's LeNet: its Params (typed fields), its Model equations (one method
that reads like each line), its summary and its verification report.

Built from `typedlenet.nn` (`conv2d`, `maxpool2d`, `mlp`); the training loop and
the command line (`typedlenet train`) use it.
"""

from ._model import LeNet, LeNetConfig
from ._summary import PARAMETERS, TENSORS, summary
from ._verify import verify_lenet

__all__ = ["PARAMETERS", "TENSORS", "LeNet", "LeNetConfig", "summary", "verify_lenet"]
