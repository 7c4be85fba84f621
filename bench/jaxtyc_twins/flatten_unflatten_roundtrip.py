# typecheck: well-typed
"""Positional twin of typecheck/flatten_unflatten_roundtrip.py: a reshape (height, width,
channels into 256 inputs) undone by the inverse reshape and transpose."""

from jaxtyping import Array, Float


def program(X4: Float[Array, "b 16 4 4"]):
    X5 = X4.transpose(0, 2, 3, 1).reshape(X4.shape[0], -1)
    assert X5.shape[1] == 256
    back = X5.reshape(X4.shape[0], 4, 4, 16).transpose(0, 3, 1, 2)
    return back - X4
