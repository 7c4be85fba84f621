"""The `typedlenet` command: check, trace, lsp, train, evaluate, predict, download.

This module builds the parser; each subcommand's handler lives in `check.py`
or `train.py` beside it and is imported only when that subcommand runs.
"""

from __future__ import annotations

import argparse
import importlib
import pathlib
import signal
import sys
from collections.abc import Sequence

import jax

from .._config import ConfigError
from .._config import validate as validate_switches
from ..runtime import _signals
from ..train import data
from .options import (
    batch_or_symbol,
    data_options,
    model_options,
    parallel_options,
    positive,
    rate,
    seconds,
    seed,
)

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The `typedlenet` argument parser; each subcommand names its handler as
    `module:function` in this package, imported only when it runs."""
    parser = argparse.ArgumentParser(
        prog="typedlenet",
        description="Named Tensor Notation in JAX: the seed's LeNet, checked before compute.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser(
        "check",
        parents=[model_options()],
        help="verify your files (or LeNet) abstractly, before any compute",
        description=(
            "Verify every function with named annotations and every module with typed "
            "fields in PATH (files, directories, FILE.py::NAME) abstractly, with symbolic "
            "sizes and no FLOPs, and report each mistake at the line of the faulty "
            "operation. Without PATH (and without [tool.typedlenet] paths in "
            "pyproject.toml), or with --lenet, verify LeNet's forward pass and training "
            "step and print every tensor's named sizes. The files are imported in a child "
            "process, with a time limit. Exit 0 when well-typed, 1 with the errors, 2 when "
            "a file cannot be read or imported, or its code exits, crashes or hangs."
        ),
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help="files, directories, FILE.py::NAME")
    check.add_argument(
        "--format", choices=("text", "json", "github"), default="text", help="report format"
    )
    check.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="leave out matching files"
    )
    check.add_argument(
        "--ignore",
        action="append",
        default=[],
        choices=("unchecked-return", "not-verified"),
        metavar="RULE",
        help="leave out the warnings or notes of RULE: unchecked-return, not-verified",
    )
    check.add_argument(
        "--constraint",
        action="append",
        default=[],
        metavar="CLAIM",
        help="a JAX constraint on the symbols of every target (e.g. 'h >= 5')",
    )
    check.add_argument(
        "--lenet", action="store_true", help="verify LeNet even if paths are configured"
    )
    check.add_argument(
        "--batch",
        type=batch_or_symbol,
        default="b",
        help="batch size: a number, or a symbol that stands for every size (b)",
    )
    check.add_argument(
        "--timeout",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="time for each file's import and each function (TYPEDLENET_CHECK_TIMEOUT, 60)",
    )
    check.set_defaults(run="check:check", parser=check)

    trace_ = commands.add_parser(
        "trace",
        help="every tensor of one function, with its named sizes, by source line",
        description=(
            "Run FILE.py::FUNCTION abstractly (symbolic sizes, no FLOPs) and print each "
            "line's tensor with its named sizes; the error, if any, at its line."
        ),
    )
    trace_.add_argument("target", metavar="FILE.py::FUNCTION")
    trace_.add_argument("--constraint", action="append", default=[], metavar="CLAIM")
    trace_.add_argument(
        "--timeout",
        type=seconds,
        default=None,
        metavar="SECONDS",
        help="time for the file's import and the function (TYPEDLENET_CHECK_TIMEOUT, 60)",
    )
    trace_.set_defaults(run="check:trace", parser=trace_)

    lsp_ = commands.add_parser(
        "lsp",
        help="a Language Server on stdio: diagnostics on open and save, named shapes on hover",
        description=(
            "Speak the Language Server Protocol on stdin/stdout (for editors). Checking a "
            "file imports it, which runs its code: the server checks only files the user "
            'trusts, through the editor\'s initializationOptions: "trust": true (the '
            'editor\'s workspace folders) or "trust": ["/abs/folder", ...]. Nothing in '
            "a repository can trust itself; for an untrusted file the server runs nothing "
            "and says how to opt in. Each check runs in a child killed after "
            "TYPEDLENET_LSP_TIMEOUT seconds (30)."
        ),
    )
    lsp_.set_defaults(run="check:lsp", parser=lsp_)

    train_ = commands.add_parser(
        "train",
        parents=[model_options(height=None, width=None)],
        help="train LeNet with optax; checkpoints every epoch",
        description=(
            "Train the seed's LeNet (Adam) on a dataset, verifying the training step before "
            "the first FLOP. Writes DIR/last.eqx every epoch, DIR/metrics.jsonl and "
            "DIR/curves.png; --resume continues a run exactly."
        ),
    )
    data_options(train_)
    train_.add_argument("--epochs", type=positive, default=20, help="epochs to train (20)")
    train_.add_argument("--batch-size", type=positive, default=64, help="batch size (64)")
    train_.add_argument("--lr", type=rate, default=3e-3, help="Adam's learning rate (3e-3)")
    train_.add_argument(
        "--schedule",
        choices=("cosine", "constant"),
        default="cosine",
        help="learning-rate schedule: cosine decay to 0 over the run, or constant (cosine)",
    )
    train_.add_argument(
        "--seed", type=seed, default=0, help="initialisation and shuffling seed (0)"
    )
    train_.add_argument(
        "--log-interval", type=positive, default=10, help="steps between progress updates (10)"
    )
    train_.add_argument(
        "--checkpoint-dir",
        default="checkpoints",
        metavar="DIR",
        help="where the checkpoint, metrics and curves go (checkpoints)",
    )
    train_.add_argument(
        "--resume", action="store_true", help="continue the run in --checkpoint-dir"
    )
    train_.add_argument(
        "--overwrite",
        action="store_true",
        help="start afresh in a --checkpoint-dir that holds another run, replacing its files",
    )
    train_.add_argument(
        "--dry-run", action="store_true", help="one step per epoch, to check that it all runs"
    )
    train_.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar (it is drawn only when stderr is a terminal)",
    )
    parallel_options(train_)
    train_.set_defaults(run="train:train", parser=train_)

    evaluate_ = commands.add_parser(
        "evaluate",
        help="loss, accuracy and confusion matrix of a checkpoint on a test set",
        description="Evaluate a checkpoint on the test set of its dataset (or another one).",
    )
    evaluate_.add_argument("--checkpoint", required=True, metavar="FILE", help="a last.eqx")
    data_options(evaluate_, default=None)
    evaluate_.set_defaults(run="train:evaluate_checkpoint", parser=evaluate_)

    predict_ = commands.add_parser(
        "predict",
        help="classify PNG images with a checkpoint",
        description="Classify grayscale images (PNG or any format Pillow reads).",
    )
    predict_.add_argument("--checkpoint", required=True, metavar="FILE", help="a last.eqx")
    predict_.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    predict_.add_argument("--resize", action="store_true", help="resize images to the model's size")
    predict_.set_defaults(run="train:predict", parser=predict_)

    download_ = commands.add_parser(
        "download",
        help="fetch a dataset's IDX files (needs internet)",
        description="Fetch the four standard IDX files of a dataset and check them.",
    )
    download_.add_argument("name", choices=sorted(data.SOURCES), help="the dataset")
    download_.add_argument("--data-dir", required=True, metavar="DIR", help="where to put them")
    download_.set_defaults(run="train:download", parser=download_)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2: usage, 1: ill-typed)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:  # every switch, before anything runs: a bad one is a usage error
        validate_switches()
    except ConfigError as error:
        print(f"typedlenet {args.command}: error: {error}", file=sys.stderr)
        return 2
    module_name, function = args.run.split(":")
    # Only the command's own module is imported: `typedlenet lsp` and `check`
    # load neither the training application nor optax.
    module = importlib.import_module(f"{__name__}.{module_name}")
    run = getattr(module, function)
    try:
        # SIGINT and SIGTERM (what schedulers send) stop the command the same way,
        # at its next safe point (`_signals`), keeping what is on disk.
        with _signals.handled():
            # Each command reports usage errors under its own name (`typedlenet train:`).
            status = run(args, args.parser)
            _signals.check()  # a signal after the last safe point
            return status
    except module.USER_ERRORS as error:
        # The library's own errors are the user's to fix: one line, no traceback.
        # Anything else is a bug and keeps its traceback.
        print(f"typedlenet {args.command}: error: {_message(error)}", file=sys.stderr)
        return 1
    except jax.errors.JaxRuntimeError as error:
        if not _out_of_memory(error):
            raise  # a bug: its traceback is kept
        # A fault of the environment (the sizes passed the lower bound of _memory).
        first = str(error).strip().splitlines()[0]
        print(
            f"typedlenet {args.command}: error: out of memory ({first}); choose smaller sizes "
            "(--batch-size, --hidden) or a machine with more memory",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt as stop:
        signum = getattr(stop, "signum", signal.SIGINT)
        how = ""
        if args.command == "train":
            from ..train._rundir import stopped

            how = f": {stopped(pathlib.Path(args.checkpoint_dir))}"
        name = signal.Signals(signum).name
        print(f"typedlenet {args.command}: interrupted ({name}){how}", file=sys.stderr)
        return 128 + signum


def _out_of_memory(error: Exception) -> bool:
    text = str(error)
    return "RESOURCE_EXHAUSTED" in text or "Out of memory" in text


def _message(error: Exception) -> str:
    """The error and where it happened (JAX's own notes about tracebacks left out)."""
    where = [n for n in getattr(error, "__notes__", []) if n.lstrip().startswith("where:")]
    return "\n".join([str(error), *where])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
