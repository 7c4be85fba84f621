"""The baselines typedlenet is measured against: the same LeNet (no conv biases,
Adam, mean cross-entropy), written positionally in equinox and in PyTorch."""

from __future__ import annotations

import equinox as eqx
import jax
import jax.numpy as jnp
import optax
from jax import lax


class PositionalLeNet(eqx.Module):
    """LeNet with positional axes: NCHW, `lax.conv_general_dilated`, `reduce_window`."""

    W1: jax.Array  # (6, 1, 5, 5)
    W2: jax.Array  # (16, 6, 5, 5)
    U: jax.Array  # (256, 120)
    b1: jax.Array
    V: jax.Array  # (120, 10)
    b2: jax.Array

    def __init__(self, key: jax.Array) -> None:
        k = jax.random.split(key, 6)

        def uniform(key, shape, fan_in):
            bound = 1.0 / fan_in**0.5
            return jax.random.uniform(key, shape, jnp.float32, -bound, bound)

        self.W1 = uniform(k[0], (6, 1, 5, 5), 25)
        self.W2 = uniform(k[1], (16, 6, 5, 5), 150)
        self.U = uniform(k[2], (256, 120), 256)
        self.b1 = uniform(k[3], (120,), 256)
        self.V = uniform(k[4], (120, 10), 120)
        self.b2 = uniform(k[5], (10,), 120)

    def logits(self, x: jax.Array) -> jax.Array:
        def conv(x, w):
            return lax.conv_general_dilated(x, w, (1, 1), "VALID")

        def pool(x):
            return lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")

        x = pool(jax.nn.relu(conv(x, self.W1)))
        x = pool(jax.nn.relu(conv(x, self.W2)))
        x = x.transpose(0, 2, 3, 1).reshape(x.shape[0], -1)  # height, width, channels
        return jax.nn.relu(x @ self.U + self.b1) @ self.V + self.b2


def positional_step(optimizer: optax.GradientTransformation):
    def loss_fn(model, x, y):
        logp = jax.nn.log_softmax(model.logits(x), axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    @jax.jit
    def step(model, opt_state, x, y):
        loss, grads = eqx.filter_value_and_grad(loss_fn)(model, x, y)
        updates, opt_state = optimizer.update(grads, opt_state, eqx.filter(model, eqx.is_array))
        return eqx.apply_updates(model, updates), opt_state, loss

    return step


def torch_lenet():
    """The same LeNet in PyTorch (eager), or None when torch is not installed."""
    try:
        import torch
        from torch import nn
    except ImportError:
        return None

    class TorchLeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, bias=False)
            self.conv2 = nn.Conv2d(6, 16, 5, bias=False)
            self.fc1 = nn.Linear(256, 120)
            self.fc2 = nn.Linear(120, 10)

        def forward(self, x):
            x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
            x = x.permute(0, 2, 3, 1).flatten(1)
            return self.fc2(torch.relu(self.fc1(x)))

    return TorchLeNet
