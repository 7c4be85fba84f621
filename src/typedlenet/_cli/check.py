"""The checker's subcommands: `typedlenet check`, `trace` and `lsp`.

Imported only when one of them runs: none imports the training application.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

import equinox as eqx
import jax

from .._core.errors import AxisError
from .._core.sharding import ShardingError
from .._core.verify import verify
from ..check._checker import CheckError
from ..check._command import check_paths, config
from ..check._command import trace as trace_target
from ..lenet import LeNet
from ..runtime import _signals
from .options import model_sizes

__all__ = ["USER_ERRORS", "check", "lsp", "trace"]

# The errors these commands report in one line (the user's to fix).
USER_ERRORS: tuple[type[BaseException], ...] = (AxisError, CheckError, ShardingError)


def check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`typedlenet check [PATH ...]`: the files given, or LeNet."""
    try:
        settings = config()
    except CheckError as error:
        print(f"typedlenet check: error: {error}", file=sys.stderr)
        return 2
    paths = args.paths or ([] if args.lenet else settings.get("paths", []))
    if paths:
        return check_paths(args, paths, settings)
    sizes = model_sizes(args, parser)
    # The model itself is abstract too: parameters are shapes, not buffers.
    model = eqx.filter_eval_shape(lambda: LeNet(key=jax.random.PRNGKey(0), **sizes))
    print(verify(model, batch=args.batch))
    print("\nwell-typed")
    return 0


def trace(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`typedlenet trace FILE.py::FUNCTION`."""
    return trace_target(args)


def lsp(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """The language server waits on its input, where no safe point comes: SIGINT
    and SIGTERM end it at once, as they end any server an editor stops."""
    if _main_thread():
        for s in _signals.SIGNALS:
            signal.signal(s, signal.SIG_DFL)
    from ..check._lsp import serve

    return serve()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()
