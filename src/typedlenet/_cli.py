"""The `typedlenet` command: check, train, evaluate, predict, download."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

import equinox as eqx
import jax
import numpy as np

from . import _signals, data
from ._check_cli import check_paths, config, trace
from ._checker import CheckError
from ._checkpoint import CheckpointError
from ._config import flag as env_flag
from ._errors import AxisError
from ._images import read_image
from ._lsp import serve
from ._memory import memory_refusal
from ._named import NamedArray
from ._options import (
    batch_or_symbol,
    data_options,
    join_distributed,
    model_options,
    model_sizes,
    parallel_options,
    positive,
    rate,
    seed,
)
from ._runtime import tune_allocator_if_enabled, use_compilation_cache
from ._sharding import ShardingError
from ._trainer import DivergedError, RunConfig, evaluate, load_model, make_mesh, silent, train
from ._verify import verify
from .data import DataError
from .lenet import LeNet

__all__ = ["main"]


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
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


def _dataset(args: argparse.Namespace, parser: argparse.ArgumentParser) -> data.Dataset:
    if (
        args.dataset != "mnist-5k"
        and args.data_dir is None
        and not (args.dataset == "fashion-mnist" and data.DEBIAN_FASHION_MNIST.is_dir())
    ):
        parser.error(
            f"--dataset {args.dataset} needs --data-dir DIR with its four IDX files "
            f"(`typedlenet download {args.dataset} --data-dir DIR` fetches them)"
        )
    return data.load(args.dataset, args.data_dir)


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    # Before JAX starts its backend: XLA's threads must not have made arenas of
    # their own yet, or the large buffers of a step are mapped and unmapped every
    # step (b=512: 40,000 against 16,000 samples/s when it comes too late).
    malloc_tuned = tune_allocator_if_enabled()
    devices = join_distributed(args, parser)
    try:  # after joining (it asks JAX for the devices), before anything compiles
        cache, no_cache = use_compilation_cache()  # no_cache: why not, or a note
    except ValueError as error:
        parser.error(str(error))
    dataset = _dataset(args, parser)
    for flag, given, actual in (
        ("--height", args.height, dataset.height),
        ("--width", args.width, dataset.width),
    ):
        if given is not None and given != actual:
            parser.error(f"{flag} {given} does not match the images of {dataset.name} ({actual})")
    args.height, args.width = dataset.height, dataset.width
    try:
        autotune = env_flag("TYPEDLENET_AUTOTUNE", True)
    except ValueError as error:
        parser.error(str(error))
    config = RunConfig(
        autotune=autotune,
        dataset=args.dataset,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        schedule=args.schedule,
        seed=args.seed,
        log_interval=args.log_interval,
        checkpoint_dir=args.checkpoint_dir,
        resume=args.resume,
        overwrite=args.overwrite,
        dry_run=args.dry_run,
        progress=not args.no_progress,
        model=model_sizes(args, parser),
        devices=devices,
    )
    try:
        make_mesh(config)  # a device count or batch size that cannot work fails here, first
    except ShardingError as error:
        parser.error(str(error))  # a usage mistake: exit 2
    model = eqx.filter_eval_shape(lambda: LeNet(key=jax.random.PRNGKey(0), **config.model))
    c1, h, w = model.config.channels[0], model.config.height, model.config.width
    refusal = memory_refusal(model, config.batch_size, c1 * h * w, config.devices)
    if refusal:  # sizes this machine cannot hold: exit 2, before anything is allocated
        parser.error(f"--hidden {model.config.hidden} {refusal}")
    say = print if jax.process_index() == 0 else silent
    if malloc_tuned:
        say(
            "allocator: glibc malloc set to keep XLA's scratch buffers (one arena, 1 GiB "
            "thresholds); TYPEDLENET_TUNE_MALLOC=0 keeps glibc's defaults"
        )
    say(
        f"compilation cache: {cache}{'; ' + no_cache if no_cache else ''} "
        "(TYPEDLENET_COMPILATION_CACHE=0 turns it off)"
        if cache
        else f"compilation cache: off ({no_cache})"
    )
    say(
        f"training LeNet on {dataset.name}: {len(dataset.train_labels):,} training and "
        f"{len(dataset.test_labels):,} test images, {args.epochs} epochs, batch {args.batch_size}"
    )
    data.check_labels(dataset, config.model.get("classes", 10))  # before any compute
    result = train(config, dataset)
    if result.get("nothing_to_do"):
        return 0
    say(
        f"done: {dataset.name}, {result['epoch']} epochs, test accuracy "
        f"{100 * result['test_accuracy']:.2f}% (loss {result['test_loss']:.4f}), "
        f"{result['seconds_total']:.1f} s; checkpoint {result['checkpoint']}, metrics and "
        f"curves.png in {args.checkpoint_dir}"
    )
    return 0


def _evaluate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    model, header = load_model(args.checkpoint)
    args.dataset = args.dataset or header["meta"]["dataset"]
    dataset = _dataset(args, parser)
    result = evaluate(model, dataset.test_images, dataset.test_labels)
    print(f"{args.checkpoint} (epoch {header['epoch']}) on the {dataset.name} test set:")
    print(f"loss {result['loss']:.4f}, accuracy {100 * result['accuracy']:.2f}%")
    confusion = result["confusion"]
    width = max(5, len(str(confusion.max())) + 1)
    print("confusion matrix (rows: true class, columns: predicted)")
    print("     " + "".join(f"{c:>{width}}" for c in range(confusion.shape[1])))
    for c, row in enumerate(confusion):
        print(f"{c:>5}" + "".join(f"{v:>{width}}" for v in row))
    return 0


def _predict(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    model, _ = load_model(args.checkpoint)
    cfg = model.config
    for path in args.images:
        _signals.check()
        pixels = read_image(path, cfg.height, cfg.width, args.resize)
        X0 = NamedArray(jax.numpy.asarray(pixels)[None, None], "batch channels height width")
        O = model(X0)[{"batch": 0}]
        probabilities = np.asarray(O.align("class").data)
        best = int(probabilities.argmax())
        print(f"{path}: class {best} (probability {probabilities[best]:.3f})")
    return 0


def _download(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    for path in data.download(args.name, args.data_dir):
        print(f"{path}: ok")
    return 0


def build_parser() -> argparse.ArgumentParser:
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
            "step and print every tensor's named sizes. Exit 0 when well-typed, 1 with the "
            "errors, 2 when a file cannot be read or imported."
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
    check.set_defaults(run=_check, parser=check)

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
    trace_.set_defaults(run=lambda args, parser: trace(args), parser=trace_)

    lsp_ = commands.add_parser(
        "lsp",
        help="a Language Server on stdio: diagnostics on open and save, named shapes on hover",
        description="Speak the Language Server Protocol on stdin/stdout (for editors).",
    )
    lsp_.set_defaults(run=lambda args, parser: _serve(), parser=lsp_)

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
    train_.add_argument("--no-progress", action="store_true", help="no progress bar")
    parallel_options(train_)
    train_.set_defaults(run=_train, parser=train_)

    evaluate_ = commands.add_parser(
        "evaluate",
        help="loss, accuracy and confusion matrix of a checkpoint on a test set",
        description="Evaluate a checkpoint on the test set of its dataset (or another one).",
    )
    evaluate_.add_argument("--checkpoint", required=True, metavar="FILE", help="a last.eqx")
    data_options(evaluate_, default=None)
    evaluate_.set_defaults(run=_evaluate, parser=evaluate_)

    predict_ = commands.add_parser(
        "predict",
        help="classify PNG images with a checkpoint",
        description="Classify grayscale images (PNG or any format Pillow reads).",
    )
    predict_.add_argument("--checkpoint", required=True, metavar="FILE", help="a last.eqx")
    predict_.add_argument("images", nargs="+", metavar="IMAGE", help="image files")
    predict_.add_argument("--resize", action="store_true", help="resize images to the model's size")
    predict_.set_defaults(run=_predict, parser=predict_)

    download_ = commands.add_parser(
        "download",
        help="fetch a dataset's IDX files (needs internet)",
        description="Fetch the four standard IDX files of a dataset and check them.",
    )
    download_.add_argument("name", choices=sorted(data.SOURCES), help="the dataset")
    download_.add_argument("--data-dir", required=True, metavar="DIR", help="where to put them")
    download_.set_defaults(run=_download, parser=download_)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2: usage, 1: ill-typed)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        # SIGINT and SIGTERM (what schedulers send) stop the command the same way,
        # at its next safe point (`_signals`), keeping what is on disk.
        with _signals.handled():
            # Each command reports usage errors under its own name (`typedlenet train:`).
            status = args.run(args, args.parser)
            _signals.check()  # a signal after the last safe point
            return status
    except (AxisError, DataError, CheckpointError, ShardingError, DivergedError) as error:
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
            how = (
                f": the last checkpoint in {args.checkpoint_dir} is kept; run the same "
                "command with --resume to continue"
            )
        name = signal.Signals(signum).name
        print(f"typedlenet {args.command}: interrupted ({name}){how}", file=sys.stderr)
        return 128 + signum


def _serve() -> int:
    """The language server waits on its input, where no safe point comes: SIGINT
    and SIGTERM end it at once, as they end any server an editor stops."""
    if _main_thread():
        for s in _signals.SIGNALS:
            signal.signal(s, signal.SIG_DFL)
    return serve()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _out_of_memory(error: Exception) -> bool:
    text = str(error)
    return "RESOURCE_EXHAUSTED" in text or "Out of memory" in text


def _message(error: Exception) -> str:
    """The error and where it happened (JAX's own notes about tracebacks left out)."""
    where = [n for n in getattr(error, "__notes__", []) if n.lstrip().startswith("where:")]
    return "\n".join([str(error), *where])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
