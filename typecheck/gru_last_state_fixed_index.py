# typecheck: ill-typed
"""A GRU sentiment classifier that reads the output at the last step of each
sequence. The last step was written as position 49, the length of the padded
training batches; sequences are any length `n`, so position 49 is past the end of
a shorter one."""

import jax

from typedlenet import Int, NamedArray, nn


def program(tokens: Int[NamedArray, "batch:b seq:n"]):
    k1, k2, k3 = jax.random.split(jax.random.PRNGKey(0), 3)
    embedding = nn.Embedding("vocab:20000", "embed:100", key=k1)
    rnn = nn.RNN(nn.GRUCell("embed:100", "hidden:128", key=k2), axis="seq")
    head = nn.Linear("hidden:128", "class:2", key=k3)
    outputs, _ = rnn(embedding(tokens))
    last = outputs[{"seq": 49}]  # E: cannot prove that n >= 50
    return head(last)
