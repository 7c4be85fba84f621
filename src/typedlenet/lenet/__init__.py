"""The seed's LeNet: its Params (typed fields), its Model equations (one method
that reads like each line), its summary and its verification report.

Built from `typedlenet.nn` (`conv2d`, `maxpool2d`, `mlp`); the training loop and
the command line (`typedlenet train`) use it. `tune` measures, per machine and
batch size, how its compiled step is best computed (not what it computes);
`Refinement` does it on a training run's own steps, within a budget.
"""

from ._model import LeNet, LeNetConfig
from ._refine import Refinement
from ._summary import PARAMETERS, TENSORS, summary
from ._tune import Plan, Tuned, tune
from ._verify import verify_lenet

__all__ = [
    "PARAMETERS",
    "TENSORS",
    "LeNet",
    "LeNetConfig",
    "Plan",
    "Refinement",
    "Tuned",
    "summary",
    "tune",
    "verify_lenet",
]
