"""A batched contraction whose gradients XLA:CPU computes fast.

`lax.dot_general` differentiated by JAX gives, for attention's two batched
contractions (`Q ·_key K` and `A ·_seq' V`), gradients that contract the
cotangent over an axis that is not its last: `dot(lhs, rhs)` with the left
operand's contracted axis not minor. XLA:CPU runs that form 3-5× slower than
the same dot with the axis minor (a batch of 1,024 products of 16 × 16
matrices: 1.2-1.6 ms against 0.34 ms), and in a small decoder's training step
those two gradients took 40% of the time, named or positional alike
(`python bench/decoder.py --profile`).

`batched_dot` computes the same values as `lax.dot_general`; its backward pass
computes each gradient with the left operand's contracted axes minor: the
operands are swapped when the other one already has them minor, else the left
one is transposed in memory first (behind an optimization barrier, so that
XLA does not fold the transpose back into the dot). Forward-mode
differentiation (`jax.jvp`) is not defined for it, as for `max_pool`.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import jax
import jax.numpy as jnp
from jax import lax

__all__ = ["batched_dot"]

Dims = tuple[tuple[tuple[int, ...], tuple[int, ...]], tuple[tuple[int, ...], tuple[int, ...]]]


def _minor(x: jax.Array, axes: Sequence[int]) -> bool:
    """Whether `axes` are `x`'s last axes, in this order."""
    return tuple(axes) == tuple(range(x.ndim - len(axes), x.ndim))


def _transposed(x: jax.Array, order: Sequence[int]) -> jax.Array:
    """`x` transposed by `order`, as a copy XLA keeps: folded into the dot that
    made `x`, the transpose would turn it back into the slow form."""
    if list(order) == list(range(x.ndim)):
        return x
    return jnp.transpose(lax.optimization_barrier(x), order)


def _dot(
    x: jax.Array,
    y: jax.Array,
    xc: Sequence[int],
    yc: Sequence[int],
    xb: Sequence[int],
    yb: Sequence[int],
) -> jax.Array:
    """`dot_general(x, y)` with its output (batch, x's free axes, y's free axes),
    computed in the form XLA:CPU runs fast: the left operand's contracted axes
    minor."""
    if _minor(x, xc) or not xc:
        return lax.dot_general(x, y, ((tuple(xc), tuple(yc)), (tuple(xb), tuple(yb))))
    nb = len(xb)
    x_free = [a for a in range(x.ndim) if a not in xc and a not in xb]
    y_free = [a for a in range(y.ndim) if a not in yc and a not in yb]
    if _minor(y, yc):  # swap: (batch, y free, x free), then back
        out = lax.dot_general(y, x, ((tuple(yc), tuple(xc)), (tuple(yb), tuple(xb))))
        order = [*range(nb), *range(nb + len(y_free), out.ndim), *range(nb, nb + len(y_free))]
        return _transposed(out, order)
    # the left operand laid out (batch, free, contracted), kept in memory as such
    x = lax.optimization_barrier(jnp.transpose(x, [*xb, *x_free, *xc]))
    k = len(xc)
    contracted = tuple(range(x.ndim - k, x.ndim))
    return lax.dot_general(x, y, ((contracted, tuple(yc)), (tuple(range(nb)), tuple(yb))))


@functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
def batched_dot(a: jax.Array, b: jax.Array, dims: Dims) -> jax.Array:
    """`lax.dot_general(a, b, dims)`, with a backward pass in XLA:CPU's fast form."""
    return lax.dot_general(a, b, dims)


def _fwd(a: jax.Array, b: jax.Array, dims: Dims) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
    return batched_dot(a, b, dims), (a, b)


def _gradient(
    g: jax.Array,
    other: jax.Array,
    mine: tuple[Sequence[int], Sequence[int], Sequence[int]],
    theirs: tuple[Sequence[int], Sequence[int], Sequence[int]],
    g_free: Sequence[int],
    ndim: int,
) -> jax.Array:
    """The gradient of one operand: `g` contracted with the `other` operand over
    the other's free axes, laid out as this operand.

    `mine` and `theirs` are (contracted, batch, free) axes of this operand and of
    the other; `g_free` are `g`'s axes that hold the other's free axes."""
    my_c, my_b, my_f = mine
    their_c, their_b, their_f = theirs
    nb = len(my_b)
    their_c_sorted = sorted(their_c)
    # where each of my axes is in `dot(g, other)`'s output: (batch, my free, their
    # contracted in `other`'s order), and in `dot(other, g)`'s: (batch, theirs, mine)
    g_first, other_first = {}, {}
    for i, axis in enumerate(my_b):
        g_first[axis] = other_first[axis] = i
    for i, axis in enumerate(my_f):
        g_first[axis] = nb + i
        other_first[axis] = nb + len(their_c) + i
    for mine_axis, their_axis in zip(my_c, their_c):
        g_first[mine_axis] = nb + len(my_f) + their_c_sorted.index(their_axis)
        other_first[mine_axis] = nb + their_c_sorted.index(their_axis)
    from_g = [g_first[axis] for axis in range(ndim)]
    from_other = [other_first[axis] for axis in range(ndim)]
    if from_other == list(range(ndim)):  # already laid out as this operand: no transpose
        return _dot(other, g, their_f, g_free, their_b, range(nb))
    return _transposed(_dot(g, other, g_free, their_f, range(nb), their_b), from_g)


def _bwd(dims: Dims, residuals: tuple[jax.Array, jax.Array], g: jax.Array):
    a, b = residuals
    (ac, bc), (ab, bb) = dims
    a_free = [x for x in range(a.ndim) if x not in ac and x not in ab]
    b_free = [x for x in range(b.ndim) if x not in bc and x not in bb]
    nb = len(ab)
    g_a_free = range(nb, nb + len(a_free))
    g_b_free = range(nb + len(a_free), g.ndim)
    da = _gradient(g, b, (ac, ab, a_free), (bc, bb, b_free), g_b_free, a.ndim)
    db = _gradient(g, a, (bc, bb, b_free), (ac, ab, a_free), g_a_free, b.ndim)
    return da.astype(a.dtype), db.astype(b.dtype)


batched_dot.defvjp(_fwd, _bwd)
