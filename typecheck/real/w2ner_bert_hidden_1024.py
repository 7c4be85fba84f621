# typecheck: ill-typed
"""Port of https://github.com/ljynlp/W2NER/issues/23: `input.size(-1) must be equal
to input_size. Expected 1024, got 768` at the LSTM over BERT's output: the config
says `bert_hid_size = 1024` (bert-large) while the checkpoint loaded is a base
model, 768 wide ("the BERT dimension is not aligned with the other modules")."""

import jax

from typedlenet import Float, NamedArray, nn

BERT_HID_SIZE = 1024


def program(bert_embs: Float[NamedArray, "batch:b seq:n hidden:768"]):
    cell = nn.LSTMCell(f"hidden:{BERT_HID_SIZE}", "lstm:512", key=jax.random.PRNGKey(0))
    encoder = nn.RNN(cell, axis="seq")
    outputs, _ = encoder(bert_embs)  # E: axis `hidden` has size 1024
    return outputs
