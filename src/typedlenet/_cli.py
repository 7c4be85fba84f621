"""The `typedlenet` command: `check` verifies a LeNet configuration before compute."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import equinox as eqx
import jax

from ._errors import AxisError
from ._lenet import LeNet
from ._verify import verify

__all__ = ["main"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _batch(text: str) -> int | str:
    if text.isidentifier():
        return text
    return _positive(text)


def model_options() -> argparse.ArgumentParser:
    """The LeNet sizes, as options shared by the subcommands."""
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("model (the seed's sizes; defaults: classic LeNet)")
    group.add_argument(
        "--height", type=_positive, default=28, metavar="H", help="input height h (28)"
    )
    group.add_argument(
        "--width", type=_positive, default=28, metavar="W", help="input width w (28)"
    )
    group.add_argument(
        "--channels", type=_positive, default=1, metavar="C", help="input channels c1 (1)"
    )
    group.add_argument(
        "--conv-channels",
        type=_positive,
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
            type=_positive,
            nargs="+",
            default=[default],
            metavar="K",
            help=f"{what}; one number for both ({default})",
        )
    group.add_argument("--hidden", type=_positive, default=120, help="hidden units h2 (120)")
    group.add_argument("--classes", type=_positive, default=10, help="classes h3 (10)")
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


def _check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    sizes = model_sizes(args, parser)
    # The model itself is abstract too: parameters are shapes, not buffers.
    model = eqx.filter_eval_shape(lambda: LeNet(key=jax.random.PRNGKey(0), **sizes))
    print(verify(model, batch=args.batch))
    print("\nwell-typed")
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
        help="verify LeNet and its training step abstractly, before any compute",
        description=(
            "Verify LeNet's forward pass and training step abstractly (no FLOPs) and print "
            "every tensor's named sizes. Exit 0 when well-typed, 1 with the error when not."
        ),
    )
    check.add_argument(
        "--batch",
        type=_batch,
        default="b",
        help="batch size: a number, or a symbol that stands for every size (b)",
    )
    check.set_defaults(run=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2: usage, 1: ill-typed)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args, parser)
    except (AxisError, ValueError) as error:
        print(f"typedlenet {args.command}: error: {_message(error)}", file=sys.stderr)
        return 1


def _message(error: Exception) -> str:
    """The error and where it happened (JAX's own notes about tracebacks left out)."""
    where = [n for n in getattr(error, "__notes__", []) if n.lstrip().startswith("where:")]
    return "\n".join([str(error), *where])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
