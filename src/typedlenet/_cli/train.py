"""The training application's subcommands: `typedlenet train`, `evaluate`,
`predict` and `download`."""

from __future__ import annotations

import argparse
import os

import equinox as eqx
import jax
import numpy as np

from .._config import flag as env_flag
from .._core.errors import AxisError
from .._core.named import NamedArray
from .._core.sharding import ShardingError
from ..lenet import LeNet
from ..runtime import _signals
from ..runtime._allocator import tune_allocator_if_enabled
from ..runtime._compilation_cache import use_compilation_cache
from ..train import data
from ..train._checkpoint import CheckpointError
from ..train._images import NotAFile, file_kind, read_image
from ..train._memory import memory_refusal
from ..train._trainer import DivergedError, RunConfig, evaluate, load_model, make_mesh, silent
from ..train._trainer import train as run_training
from ..train.data import DataError
from .options import join_distributed, model_sizes

__all__ = ["USER_ERRORS", "download", "evaluate_checkpoint", "predict", "train"]

# The errors these commands report in one line (the user's to fix).
USER_ERRORS: tuple[type[BaseException], ...] = (
    AxisError,
    DataError,
    CheckpointError,
    ShardingError,
    DivergedError,
)


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


def train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`typedlenet train`: LeNet with optax, checkpointed every epoch."""
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
    n_train = len(dataset.train_labels)
    if args.batch_size > n_train:  # before anything is measured or allocated for it
        parser.error(
            f"--batch-size {args.batch_size:,} is more than the {n_train:,} training images of "
            f"{dataset.name}: at most {n_train:,}"
        )
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
    result = run_training(config, dataset)
    if result.get("nothing_to_do"):
        return 0
    say(
        f"done: {dataset.name}, {result['epoch']} epochs, test accuracy "
        f"{100 * result['test_accuracy']:.2f}% (loss {result['test_loss']:.4f}), "
        f"{result['seconds_total']:.1f} s; checkpoint {result['checkpoint']}, "
        + (
            f"metrics and curves.png in {args.checkpoint_dir}"
            if result.get("curves")
            else f"metrics in {args.checkpoint_dir} (curves.png not written)"
        )
    )
    return 0


def evaluate_checkpoint(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`typedlenet evaluate`: a checkpoint's loss, accuracy and confusion matrix."""
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


def predict(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`typedlenet predict`: classify image files with a checkpoint. An input that
    is not a regular file (a FIFO, a device) is a usage error, before any is read."""
    for path in args.images:
        try:
            kind = file_kind(os.stat(path).st_mode)
        except OSError:
            continue  # missing or unreadable: said by name when it is read
        if kind is not None:
            parser.error(f"{path}: {kind}, not a regular file: give image files")
    model, _ = load_model(args.checkpoint)
    cfg = model.config
    for path in args.images:
        _signals.check()
        try:
            pixels = read_image(path, cfg.height, cfg.width, args.resize)
        except NotAFile as error:  # replaced since the check above
            parser.error(str(error))
        X0 = NamedArray(jax.numpy.asarray(pixels)[None, None], "batch channels height width")
        O = model(X0)[{"batch": 0}]
        probabilities = np.asarray(O.align("class").data)
        best = int(probabilities.argmax())
        print(f"{path}: class {best} (probability {probabilities[best]:.3f})")
    return 0


def download(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`typedlenet download`: a dataset's four IDX files."""
    for path in data.download(args.name, args.data_dir):
        print(f"{path}: ok")
    return 0
