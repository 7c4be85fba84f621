"""The seed's LeNet: its parameters, its Model equations, and a summary of both.

X^1 = [ReLU(conv2d(X^0; W^1))]_{channels'→channels}
X^2 = maxpool2d(X^1, ph1, pw1)
X^3 = [ReLU(conv2d(X^2; W^2))]_{channels'→channels}
X^4 = maxpool2d(X^3, ph2, pw2)
X^5_inp = X^4_{height,width,channels}
O = softmax_class [MLP(X^5; U, V)]_{out→class}
"""

from __future__ import annotations

import dataclasses
import itertools

import equinox as eqx
import jax
import jax.numpy as jnp

from .._core import errors, ops
from .._core.annotations import Float
from .._core.call_checks import typechecked
from .._core.eager import compiled_when_eager
from .._core.errors import located
from .._core.fields import TypedModule
from .._core.named import NamedArray
from ..nn import Impl, conv2d, maxpool2d, mlp
from ..nn._lowering import CONV_LOWERINGS, conv_lowering
from ._init import initial_parameters

__all__ = ["LeNet", "LeNetConfig"]


def _pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and v >= 1 for v in pair):
        raise ValueError(f"`{name}` must be a positive int or a pair of them, got {value!r}")
    return pair  # type: ignore[return-value]


@dataclasses.dataclass(frozen=True)
class LeNetConfig:
    """Every size of the seed's LeNet; `inp` and the sizes of X^1..X^4 follow from them."""

    height: int = 28
    width: int = 28
    channels: tuple[int, int, int] = (1, 6, 16)  # c1, c2, c3
    kernel1: tuple[int, int] = (5, 5)  # kh1, kw1
    kernel2: tuple[int, int] = (5, 5)  # kh2, kw2
    pool1: tuple[int, int] = (2, 2)  # ph1, pw1
    pool2: tuple[int, int] = (2, 2)  # ph2, pw2
    hidden: int = 120  # h2
    classes: int = 10  # h3
    conv_bias: bool = False
    impl: Impl = "fast"
    # How many independent pieces `logits` splits the `batch` axis into (see
    # `LeNet.logits`); None lets the model choose, 1 never splits.
    chunks: int | None = None
    # How the fast path computes conv2 (several input channels): "phases",
    # "im2col" or "xla" (`nn._lowering.CONV_LOWERINGS`); equal values, speed by CPU.
    # None lets the model choose ("phases" unless the autotune chose otherwise).
    conv_lowering: str | None = None

    def __post_init__(self) -> None:
        for name in ("kernel1", "kernel2", "pool1", "pool2"):
            object.__setattr__(self, name, _pair(getattr(self, name), name))
        channels = tuple(self.channels)
        if len(channels) != 3 or not all(isinstance(c, int) and c >= 1 for c in channels):
            raise ValueError(f"`channels` must be three positive ints, got {self.channels!r}")
        object.__setattr__(self, "channels", channels)
        for name in ("height", "width", "hidden", "classes"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be a positive int, got {value!r}")
        if self.impl not in ("fast", "reference"):
            raise ValueError(f"`impl` (={self.impl!r}) must be 'fast' or 'reference'")
        if self.chunks is not None and (not isinstance(self.chunks, int) or self.chunks < 1):
            raise ValueError(f"`chunks` (={self.chunks!r}) must be a positive int or None")
        if self.conv_lowering is not None and self.conv_lowering not in CONV_LOWERINGS:
            raise ValueError(
                f"`conv_lowering` (={self.conv_lowering!r}) must be one of {CONV_LOWERINGS}"
            )
        self.sizes()  # every shape error surfaces here, at construction

    def sizes(self) -> dict[str, tuple[int, int]]:
        """(height, width) of X^0..X^4, checked against the seed's types."""
        out = {"X0": (self.height, self.width)}
        steps = [
            ("X1", "conv", self.kernel1, ("kh1", "kw1")),
            ("X2", "pool", self.pool1, ("ph1", "pw1")),
            ("X3", "conv", self.kernel2, ("kh2", "kw2")),
            ("X4", "pool", self.pool2, ("ph2", "pw2")),
        ]
        previous = "X0"
        for tensor, kind, ks, arg_names in steps:
            sizes = []
            for axis, n, k, arg in zip(("height", "width"), out[previous], ks, arg_names):
                if kind == "conv" and k > n:
                    raise errors.bad_size(
                        "LeNet",
                        axis,
                        argument=arg,
                        expected=f">= {k}",
                        actual=n,
                        problem=f"`{arg}` (={k}) is larger than `{axis}` (={n}) of "
                        f"X^{previous[1]}, so X^{tensor[1]} would be empty",
                    )
                if kind == "pool" and n % k:
                    raise errors.bad_size(
                        "LeNet",
                        axis,
                        argument=arg,
                        expected=f"a multiple of {k}",
                        actual=n,
                        problem=f"`{arg}` (={k}) does not divide `{axis}` (={n}) of "
                        f"X^{previous[1]}: the seed's `{axis}: {n}/{k}` is not a size",
                    )
                sizes.append(n - k + 1 if kind == "conv" else n // k)
            out[tensor] = (sizes[0], sizes[1])
            previous = tensor
        return out

    @property
    def inp(self) -> int:
        """h1 = c3 · height · width of X^4 (256 for the defaults)."""
        h4, w4 = self.sizes()["X4"]
        return self.channels[2] * h4 * w4


class LeNet(TypedModule):
    """The seed's LeNet. Its parameters carry the seed's Params types, checked
    together when the model is built (and at each checked call), so that the
    sizes they share (`c2` in `W1` and `W2`, `h2` in `U` and `V`) agree; with
    `conv_bias=True` also `B1`, `B2`, one bias per output channel.

    Examples:
        >>> model = tl.LeNet(key=jax.random.PRNGKey(0))
        >>> model.W1
        f32[channels':6, channels:1, kh:5, kw:5]
        >>> X0 = tl.named(jnp.zeros((2, 1, 28, 28)), "batch channels height width")
        >>> model.logits(X0)
        f32[class:10, batch:2]
    """

    W1: Float[NamedArray, "channels':c2 channels:c1 kh:kh1 kw:kw1"]
    W2: Float[NamedArray, "channels':c3 channels:c2 kh:kh2 kw:kw2"]
    U: Float[NamedArray, "inp:h1 hidden:h2"]
    b1: Float[NamedArray, "hidden:h2"]
    V: Float[NamedArray, "hidden:h2 out:h3"]
    b2: Float[NamedArray, "out:h3"]
    B1: Float[NamedArray, "channels':c2"] | None
    B2: Float[NamedArray, "channels':c3"] | None
    config: LeNetConfig = eqx.field(static=True)

    def __init__(self, *, key: jax.Array, **sizes: object) -> None:
        """Build with fan-in scaled random parameters; `sizes` are `LeNetConfig`'s fields."""
        config = LeNetConfig(**sizes)  # type: ignore[arg-type]
        c1, c2, c3 = config.channels
        (kh1, kw1), (kh2, kw2) = config.kernel1, config.kernel2
        draws = (
            ("W1", (c2, c1, kh1, kw1), c1 * kh1 * kw1),
            ("W2", (c3, c2, kh2, kw2), c2 * kh2 * kw2),
            ("U", (config.inp, config.hidden), config.inp),
            ("b1", (config.hidden,), config.inp),
            ("V", (config.hidden, config.classes), config.hidden),
            ("b2", (config.classes,), config.hidden),
        )
        if config.conv_bias:
            draws += (("B1", (c2,), c1 * kh1 * kw1), ("B2", (c3,), c2 * kh2 * kw2))
        drawn = initial_parameters(key, draws)  # one compiled program (`_init`)
        self.W1 = NamedArray(drawn["W1"], "channels' channels kh kw")
        self.W2 = NamedArray(drawn["W2"], "channels' channels kh kw")
        self.U = NamedArray(drawn["U"], "inp hidden")
        self.b1 = NamedArray(drawn["b1"], "hidden")
        self.V = NamedArray(drawn["V"], "hidden out")
        self.b2 = NamedArray(drawn["b2"], "out")
        if config.conv_bias:
            self.B1 = NamedArray(drawn["B1"], "channels'")
            self.B2 = NamedArray(drawn["B2"], "channels'")
        else:
            self.B1 = self.B2 = None
        self.config = config

    def with_impl(self, impl: Impl) -> LeNet:
        """The same model (same parameters) computing conv2d and maxpool2d by `impl`."""
        return self.with_lowering(impl=impl)

    def with_lowering(self, **changes: object) -> LeNet:
        """The same model (same parameters, same equations) computed another way:
        `impl`, `chunks`, `conv_lowering` of `LeNetConfig` replaced by `changes`
        (set by hand, they are used as given: the autotune's cache is not read)."""
        unknown = set(changes) - {"impl", "chunks", "conv_lowering"}
        if unknown:
            raise TypeError(f"with_lowering: {sorted(unknown)} are sizes, not lowering choices")
        config = dataclasses.replace(self.config, **changes)  # pyright: ignore[reportArgumentType]
        new = object.__new__(LeNet)
        for field in dataclasses.fields(self):
            object.__setattr__(new, field.name, getattr(self, field.name))
        object.__setattr__(new, "config", config)
        return new

    # Short names for the annotations below.
    @property
    def c1(self) -> int:
        """The input channels (`c1`, the first of `config.channels`)."""
        return self.config.channels[0]

    @property
    def h(self) -> int:
        """The input height (`h`)."""
        return self.config.height

    @property
    def w(self) -> int:
        """The input width (`w`)."""
        return self.config.width

    @property
    def classes(self) -> int:
        """The number of classes (`h3`, the size of `class`)."""
        return self.config.classes

    @typechecked
    def features(
        self, X0: Float[NamedArray, "... channels:c1 height width"]
    ) -> dict[str, NamedArray]:
        """X^1..X^5: the convolutional part, for any height and width that type-check."""
        cfg = self.config
        relu, rename = ops.relu, ops.rename
        fast = cfg.impl == "fast"
        with located("X^1 = [ReLU(conv2d(X^0; W^1))]_{channels'→channels}"):
            C1 = rename(conv2d(X0, self.W1, self.B1, impl=cfg.impl), {"channels'": "channels"})
            X1 = relu(C1)
        with located("X^2 = maxpool2d(X^1, ph1, pw1)"):
            # ReLU and max commute (ReLU is monotone): the fast path pools first and
            # applies ReLU to a quarter of the values. Same values, same gradients.
            X2 = (
                relu(maxpool2d(C1, *cfg.pool1))
                if fast
                else maxpool2d(X1, *cfg.pool1, impl=cfg.impl)
            )
        with located("X^3 = [ReLU(conv2d(X^2; W^2))]_{channels'→channels}"):
            C3 = rename(conv2d(X2, self.W2, self.B2, impl=cfg.impl), {"channels'": "channels"})
            X3 = relu(C3)
        with located("X^4 = maxpool2d(X^3, ph2, pw2)"):
            X4 = (
                relu(maxpool2d(C3, *cfg.pool2))
                if fast
                else maxpool2d(X3, *cfg.pool2, impl=cfg.impl)
            )
        with located("X^5_inp = X^4_{height,width,channels}"):
            X5 = ops.flatten(X4, "height width channels", "inp")
        return {"X1": X1, "X2": X2, "X3": X3, "X4": X4, "X5": X5}

    @typechecked
    def forward(
        self, X0: Float[NamedArray, "... channels:c1 height:{self.h} width:{self.w}"]
    ) -> dict[str, NamedArray]:
        """X^0..X^5, the logits and O, each as the seed computes it."""
        X = {"X0": X0, **self.features(X0)}
        with located("O = softmax_class [MLP(X^5; U, V)]_{out→class}"):
            logits = ops.rename(mlp(X["X5"], self.U, self.b1, self.V, self.b2), {"out": "class"})
            X["logits"], X["O"] = logits, ops.softmax(logits, "class")
        return X

    @compiled_when_eager
    @typechecked
    def logits(
        self, X0: Float[NamedArray, "... channels:c1 height:{self.h} width:{self.w}"]
    ) -> Float[NamedArray, "... class:h3"]:
        """`[MLP(X^5; U, V)]_{out→class}`: the scores before the softmax.

        Each example's scores depend on that example alone, so the `batch` axis
        may be computed in independent pieces, which XLA:CPU runs side by side
        on the cores (their backward passes too). `config.chunks` sets how many;
        by default the fast path on a single CPU device uses 2 pieces from 64
        images and 4 from 256 (measured best on 2 cores), and no split where a
        batch may be sharded over several devices.

        With `chunks` and `conv_lowering` both left to the model (None), a
        choice the autotune cached for this machine and shape (`lenet.tune`,
        `typedlenet train`) is used instead: a training step's choice when
        the call is differentiated, the forward pass's otherwise (each falls
        back on the other). Same values either way.
        """
        chosen = _chosen(self, X0)
        if chosen is not self:
            return chosen.logits(X0)
        pieces = _pieces(X0, self.config)
        with conv_lowering(self.config.conv_lowering or "phases"):
            if len(pieces) == 1:
                return self.forward(X0)["logits"]
            out = [self.forward(X0[{"batch": piece}])["logits"] for piece in pieces]
        names = out[0].names
        data = jnp.concatenate([o.align(names).data for o in out], axis=names.index("batch"))
        return NamedArray(data, names)

    @compiled_when_eager
    @typechecked
    def log_probs(
        self, X0: Float[NamedArray, "... channels:c1 height:{self.h} width:{self.w}"]
    ) -> Float[NamedArray, "... class:h3"]:
        """`log O`, computed stably as `log_softmax_class` of the logits (for the loss)."""
        return ops.log_softmax(self.logits(X0), "class")

    @compiled_when_eager
    @typechecked
    def __call__(
        self, X0: Float[NamedArray, "... channels:c1 height:{self.h} width:{self.w}"]
    ) -> Float[NamedArray, "... class:h3"]:
        """`O = softmax_class [MLP(X^5; U, V)]_{out→class}` for images `X0`.

        Called eagerly (outside `jax.jit`), `__call__`, `logits` and `log_probs`
        each run as one compiled call, checked while tracing (`compiled_when_eager`);
        `forward` runs operation by operation, to inspect every tensor.
        """
        return ops.softmax(self.logits(X0), "class")


def default_chunks(n: int) -> int:
    """The built-in piece count for a batch of `n` (`LeNetConfig.chunks` None and
    no autotune): on a single CPU device 2 pieces from 64 images and 4 from 256,
    as measured on a 2-core machine; elsewhere none."""
    single_cpu = jax.device_count() == 1 and jax.default_backend() == "cpu"
    return 1 if not single_cpu or n < 64 else 2 if n < 256 else 4


def _pieces(X0: NamedArray, config: LeNetConfig) -> list[slice]:
    """The slices of `X0`'s `batch` axis that `LeNet.logits` computes separately."""
    n = X0.sizes.get("batch")
    if not isinstance(n, int) or config.impl != "fast":  # symbolic sizes: one piece
        return [slice(None)]
    parts = min(config.chunks or default_chunks(n), n)
    bounds = [n * i // parts for i in range(parts + 1)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


def _chosen(model: LeNet, X0: NamedArray) -> LeNet:
    """`model` computed by the autotune's cached choice for `X0`'s batch size on
    this machine, when both lowering choices are left to the model; else `model`."""
    cfg = model.config
    n = X0.sizes.get("batch")
    if cfg.impl != "fast" or cfg.chunks is not None or cfg.conv_lowering is not None:
        return model
    if not isinstance(n, int):
        return model
    from ._tune import cached_plan  # _tune builds on this module

    # Differentiated (a training step): the parameters are linearization tracers.
    kind = type(model.W1.data).__name__
    training = kind in ("JVPTracer", "LinearizeTracer")
    plan = cached_plan(model, n, "train" if training else "inference")
    return model if plan is None else plan.apply(model)
