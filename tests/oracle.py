"""An independent oracle: named tensors as numpy arrays read one position at a time.

Nothing here uses typedlenet's operations; each operation's meaning is written
out position by position, as the paper defines it.
"""

import itertools
import string
from collections.abc import Iterator

import jax.numpy as jnp
import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

import typedlenet as tl


def examples(n: int, quick: int | None = None) -> int:
    """`n` examples in the full suite (where a property gets 40), fewer in the
    quick tier: `quick`, or as many as the profile scales `n` to."""
    current = settings.default.max_examples if settings.default else 40
    scaled = max(2, n * current // 40)
    return scaled if quick is None or scaled == n else min(quick, scaled)


# A pool of axis names, the seed's primed names and non-identifiers included.
NAMES = ["batch", "channels", "channels'", "height", "width", "kh", "α", "x-y"]


def positions(sizes: dict[str, int]) -> Iterator[dict[str, int]]:
    """Every position of a tensor with these axis sizes, as name → index."""
    names = list(sizes)
    for idx in itertools.product(*(range(sizes[n]) for n in names)):
        yield dict(zip(names, idx))


def at(x: tl.NamedArray, position: dict[str, int]) -> np.ndarray:
    """The element of `x` at `position` (extra entries of `position` are ignored)."""
    return np.asarray(x.data)[tuple(position[n] for n in x.names)]


def table(sizes: dict[str, int], value) -> tuple[np.ndarray, tuple[str, ...]]:
    """A numpy array (axes in `sizes`' order) filled by `value(position)`."""
    names = tuple(sizes)
    out = np.zeros(tuple(sizes[n] for n in names), dtype=np.float64)
    for p in positions(sizes):
        out[tuple(p[n] for n in names)] = value(p)
    return out, names


def assert_named_close(x: tl.NamedArray, expected: np.ndarray, names, rtol=1e-5, atol=1e-5):
    """`x` equals `expected` (whose axes are `names`), whatever `x`'s storage order."""
    names = tuple(names)
    assert set(x.names) == set(names), (x.names, names)
    assert len(x.names) == len(names)
    got = np.asarray(x.align(names).data)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def letters(names) -> str:
    return "".join(string.ascii_letters[NAMES.index(n)] for n in names)


@st.composite
def named_arrays(draw, names=None, sizes=None, min_axes=0, max_axes=4, positive=False):
    """A NamedArray with drawn names (or `names`), sizes (or `sizes`) and storage order."""
    if names is None:
        names = draw(
            st.lists(st.sampled_from(NAMES), min_size=min_axes, max_size=max_axes, unique=True)
        )
    names = list(draw(st.permutations(list(names))))
    sizes = sizes or {}
    shape = [sizes[n] if n in sizes else draw(st.integers(1, 3)) for n in names]
    seed = draw(st.integers(0, 2**16))
    data = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    if positive:
        data = np.abs(data) + 0.5
    return tl.NamedArray(jnp.asarray(data), tuple(names))  # not `named`: no checks in strategies


def np_conv(X, W):
    """X (b, c, h, w), W (o, c, kh, kw) -> (b, o, h-kh+1, w-kw+1), by numpy alone."""
    kh, kw = W.shape[2:]
    windows = sliding_window_view(X, (kh, kw), axis=(2, 3))  # b c i j kh kw
    return np.einsum("bcijkl,ockl->boij", windows, W)


def np_pool(X, kh, kw):
    """Non-overlapping max over kh × kw windows of the last two axes (floor)."""
    b, c, h, w = X.shape
    X = X[:, :, : h // kh * kh, : w // kw * kw]
    return X.reshape(b, c, h // kh, kh, w // kw, kw).max(axis=(3, 5))
