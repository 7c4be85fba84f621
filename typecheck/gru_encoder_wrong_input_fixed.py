# typecheck: well-typed
"""A GRU text encoder: token embeddings 64 wide scanned over `seq` by `nn.RNN`
around a `GRUCell` built for them, the last state fed to a classifier."""

import equinox as eqx
import jax

from typedlenet import Int, NamedArray, nn


class Encoder(eqx.Module):
    embedding: nn.Embedding
    rnn: nn.RNN
    head: nn.Linear

    def __init__(self, key: jax.Array) -> None:
        k1, k2, k3 = jax.random.split(key, 3)
        self.embedding = nn.Embedding("vocab:5000", "embed:64", key=k1)
        self.rnn = nn.RNN(nn.GRUCell("embed:64", "hidden:128", key=k2), axis="seq")
        self.head = nn.Linear("hidden:128", "class:4", key=k3)

    def __call__(self, tokens: NamedArray) -> NamedArray:
        _, state = self.rnn(self.embedding(tokens))
        return self.head(state)


def program(tokens: Int[NamedArray, "batch:b seq:n"]):
    return Encoder(jax.random.PRNGKey(0))(tokens)
