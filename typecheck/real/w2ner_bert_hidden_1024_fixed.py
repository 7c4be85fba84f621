# typecheck: well-typed
"""Fix of https://github.com/ljynlp/W2NER/issues/23: `bert_hid_size` is the loaded
BERT's width, 768, so the LSTM over its output takes 768 inputs."""

import jax

from typedlenet import Float, NamedArray, nn

BERT_HID_SIZE = 768


def program(bert_embs: Float[NamedArray, "batch:b seq:n hidden:768"]):
    cell = nn.LSTMCell(f"hidden:{BERT_HID_SIZE}", "lstm:512", key=jax.random.PRNGKey(0))
    encoder = nn.RNN(cell, axis="seq")
    outputs, _ = encoder(bert_embs)
    return outputs
