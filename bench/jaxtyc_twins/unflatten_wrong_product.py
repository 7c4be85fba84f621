# typecheck: ill-typed
"""Positional twin of typecheck/unflatten_wrong_product.py: 256 inputs reshaped into
4·4·6 = 96."""

from jaxtyping import Array, Float


def program(X5: Float[Array, "b 256"]):
    return X5.reshape(*X5.shape[:-1], 4, 4, 6)  # E: 4·4·6 is 96, not 256
