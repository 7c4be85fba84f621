# typecheck: well-typed
"""Fix of https://github.com/xiaojunxu/SQLNet/issues/59: `N_word` is the width of
the GloVe vectors loaded, 100, so the question encoder's LSTM takes 100 inputs."""

import jax

from typedlenet import Float, NamedArray, nn

N_WORD = 100


def program(question: Float[NamedArray, "batch:b seq:n word:100"]):
    cell = nn.LSTMCell(f"word:{N_WORD}", "hidden:50", key=jax.random.PRNGKey(0))
    outputs, _ = nn.RNN(cell, axis="seq")(question)
    return outputs
