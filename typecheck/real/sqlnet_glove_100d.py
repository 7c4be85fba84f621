# typecheck: ill-typed
"""Port of https://github.com/xiaojunxu/SQLNet/issues/59: `input.size(-1) must be
equal to input_size. Expected 300, got 100`: SQLNet's question encoder is an LSTM
over `N_word = 300` GloVe dimensions, fed 100-dimensional GloVe vectors."""

import jax

from typedlenet import Float, NamedArray, nn

N_WORD = 300


def program(question: Float[NamedArray, "batch:b seq:n word:100"]):
    cell = nn.LSTMCell(f"word:{N_WORD}", "hidden:50", key=jax.random.PRNGKey(0))
    outputs, _ = nn.RNN(cell, axis="seq")(question)  # E: axis `word` has size 300
    return outputs
