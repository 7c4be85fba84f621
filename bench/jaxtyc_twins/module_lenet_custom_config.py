# typecheck: well-typed
"""Positional twin of typecheck/module_lenet_custom_config.py: a positional LeNet module
built for 32×32 RGB images (channels 3, 8, 16; 64 hidden units; 5 classes), applied to
3-channel 32×32 images for a symbolic batch."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
from beartype import beartype
from jaxtyping import Array, Float, jaxtyped


def maxpool2d(x, k):
    """The seed's pooling: non-overlapping k × k windows of the last two axes."""
    *lead, h, w = x.shape
    return x.reshape(*lead, h // k, k, w // k, k).max(axis=(-3, -1))


@jaxtyped(typechecker=beartype)
class LeNet(eqx.Module):
    """The seed's LeNet, positional: NCHW images, OIHW kernels, `inp` = height·width·c3."""

    W1: Float[Array, "c2 c1 5 5"]
    W2: Float[Array, "c3 c2 5 5"]
    U: Float[Array, "h1 h2"]
    b1: Float[Array, " h2"]
    V: Float[Array, "h2 h3"]
    b2: Float[Array, " h3"]
    B1: Float[Array, " c2"] | None
    B2: Float[Array, " c3"] | None

    def __init__(
        self,
        *,
        key: Array,
        height: int = 28,
        width: int = 28,
        channels: tuple[int, int, int] = (1, 6, 16),
        hidden: int = 120,
        classes: int = 10,
        conv_bias: bool = False,
    ) -> None:
        c1, c2, c3 = channels
        inp = c3 * (((height - 4) // 2 - 4) // 2) * (((width - 4) // 2 - 4) // 2)
        k1, k2, k3, k4 = jax.random.split(key, 4)
        self.W1 = jax.random.normal(k1, (c2, c1, 5, 5)) / math.sqrt(c1 * 25)
        self.W2 = jax.random.normal(k2, (c3, c2, 5, 5)) / math.sqrt(c2 * 25)
        self.U = jax.random.normal(k3, (inp, hidden)) / math.sqrt(inp)
        self.b1 = jnp.zeros(hidden)
        self.V = jax.random.normal(k4, (hidden, classes)) / math.sqrt(hidden)
        self.b2 = jnp.zeros(classes)
        self.B1 = jnp.zeros(c2) if conv_bias else None
        self.B2 = jnp.zeros(c3) if conv_bias else None

    def forward(self, X0: Float[Array, "b c h w"]) -> dict[str, Array]:
        def conv(X, W, B):
            Y = jax.lax.conv(X, W, (1, 1), "VALID")
            return Y if B is None else Y + B[:, None, None]

        X = {"X0": X0}
        X["X1"] = jax.nn.relu(conv(X0, self.W1, self.B1))
        X["X2"] = maxpool2d(X["X1"], 2)
        X["X3"] = jax.nn.relu(conv(X["X2"], self.W2, self.B2))
        X["X4"] = maxpool2d(X["X3"], 2)
        X["X5"] = X["X4"].transpose(0, 2, 3, 1).reshape(X0.shape[0], -1)
        return X

    @jaxtyped(typechecker=beartype)
    def log_probs(self, X0: Float[Array, "b c h w"]) -> Float[Array, "b k"]:
        X5 = self.forward(X0)["X5"]
        return jax.nn.log_softmax(jax.nn.relu(X5 @ self.U + self.b1) @ self.V + self.b2, axis=-1)

    @jaxtyped(typechecker=beartype)
    def __call__(self, X0: Float[Array, "b c h w"]) -> Float[Array, "b k"]:
        return jnp.exp(self.log_probs(X0))


def program(X0: Float[Array, "b 3 32 32"]):
    model = LeNet(
        key=jax.random.PRNGKey(0), height=32, width=32, channels=(3, 8, 16), hidden=64, classes=5
    )
    assert model.W1.shape == (8, 3, 5, 5)
    assert model.U.shape == (400, 64)
    log_probs = model.log_probs(X0)
    assert log_probs.shape == (X0.shape[0], 5)
    return log_probs
