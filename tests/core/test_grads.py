"""Gradients of each operation against the same computation in positional JAX,
and the jaxprs: an operation transposes only when its result needs it."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import typedlenet as tl

KEY = jax.random.PRNGKey(0)
TOKENS = tl.named(jnp.array([[1, 6, 0], [3, 3, 5]]), "b s")


def rand(*shape, key=0):
    return jax.random.normal(jax.random.PRNGKey(key), shape)


# Each case: (named function of raw arrays, positional function, input shapes).
# The named side names the raw inputs, computes, and returns its result in a
# fixed order, so both sides return the same positional array.
CASES = {
    "add_broadcast": (
        lambda a, b: (tl.named(a, "b h") + tl.named(b, "h")).align("b h").data,
        lambda a, b: a + b[None, :],
        [(3, 4), (4,)],
    ),
    "mul_transposed": (
        lambda a, b: (tl.named(a, "b h") * tl.named(b, "h b")).align("b h").data,
        lambda a, b: a * b.T,
        [(3, 4), (4, 3)],
    ),
    "relu_exp_log": (
        lambda a: tl.log(tl.exp(tl.relu(tl.named(a, "a b"))) + 1.0).data,
        lambda a: jnp.log(jnp.exp(jax.nn.relu(a)) + 1.0),
        [(3, 4)],
    ),
    "dot": (
        lambda a, b: (
            tl.dot(tl.named(a, "batch c h"), tl.named(b, "h o c"), "c h").align("batch o").data
        ),
        lambda a, b: jnp.einsum("bch,hoc->bo", a, b),
        [(2, 3, 4), (4, 5, 3)],
    ),
    "dot_batched": (
        lambda a, b: tl.dot(tl.named(a, "batch i"), tl.named(b, "i batch"), "i").data,
        lambda a, b: jnp.einsum("bi,ib->b", a, b),
        [(2, 3), (3, 2)],
    ),
    "sum": (
        lambda a: tl.sum(tl.named(a, "a b c"), "a c").data,
        lambda a: a.sum((0, 2)),
        [(2, 3, 4)],
    ),
    "mean": (lambda a: tl.mean(tl.named(a, "a b"), "b").data, lambda a: a.mean(1), [(2, 3)]),
    "max": (lambda a: tl.max(tl.named(a, "a b"), "a").data, lambda a: a.max(0), [(2, 3)]),
    "min": (lambda a: tl.min(tl.named(a, "a b"), "a").data, lambda a: a.min(0), [(2, 3)]),
    "softmax": (
        lambda a: tl.softmax(tl.named(a, "batch class"), "class").data,
        lambda a: jax.nn.softmax(a, axis=1),
        [(3, 10)],
    ),
    "log_softmax": (
        lambda a: tl.log_softmax(tl.named(a, "class batch"), "class").data,
        lambda a: jax.nn.log_softmax(a, axis=0),
        [(10, 3)],
    ),
    "rename": (
        lambda a: tl.rename(tl.named(a, "out batch"), {"out": "class"}).align("batch class").data,
        lambda a: a.T,
        [(4, 3)],
    ),
    "flatten": (
        lambda a: (
            tl.flatten(tl.named(a, "batch channels height width"), "height width channels", "inp")
            .align("batch inp")
            .data
        ),
        lambda a: a.transpose(0, 2, 3, 1).reshape(a.shape[0], -1),
        [(2, 3, 4, 5)],
    ),
    "unflatten": (
        lambda a: tl.unflatten(tl.named(a, "batch inp"), "inp", {"h": 3, "w": 4}).data,
        lambda a: a.reshape(2, 3, 4),
        [(2, 12)],
    ),
    "unfold_conv": (
        lambda a: (
            tl.unfold(tl.named(a, "batch height"), "height", "kh", 3).align("batch height kh").data
        ),
        lambda a: jnp.stack([a[:, d : d + 4] for d in range(3)], axis=-1),
        [(2, 6)],
    ),
    "unfold_pool": (
        lambda a: (
            tl.unfold(tl.named(a, "height batch"), "height", "kh", 2, 2)
            .align("batch height kh")
            .data
        ),
        lambda a: a.T.reshape(2, 3, 2),
        [(6, 2)],
    ),
    "index": (
        lambda a: tl.named(a, "a b")[{"a": 1, "b": slice(0, 2)}].data,
        lambda a: a[1, 0:2],
        [(2, 3)],
    ),
    "where": (
        lambda a, b: tl.where(tl.named(a, "i") > 0, tl.named(a, "i"), tl.named(b, "i")).data,
        lambda a, b: jnp.where(a > 0, a, b),
        [(5,), (5,)],
    ),
    "pad_reflect": (
        lambda a: tl.pad(tl.named(a, "t b"), {"t": (2, 1)}, mode="reflect").align("b t").data,
        lambda a: jnp.pad(a.T, ((0, 0), (2, 1)), mode="reflect"),
        [(4, 3)],
    ),
    "pad_constant": (
        lambda a: tl.pad(tl.named(a, "t b"), {"t": 1, "b": (0, 2)}, value=0.5).data,
        lambda a: jnp.pad(a, ((1, 1), (0, 2)), constant_values=0.5),
        [(4, 3)],
    ),
    "concatenate": (
        lambda a, b: tl.concatenate([tl.named(a, "t e"), tl.named(b, "e t")], "t").data,
        lambda a, b: jnp.concatenate([a, b.T], axis=0),
        [(2, 3), (3, 4)],
    ),
    "stack_split": (
        lambda a: tl.stack(tl.split(tl.named(a, "t e"), "t", 2), "p").align("p e t").data,
        lambda a: jnp.stack([a[:2].T, a[2:].T]),
        [(4, 3)],
    ),
    "take_embedding": (
        lambda E: tl.take(tl.named(E, "embed vocab"), "vocab", TOKENS).align("b s embed").data,
        lambda E: jnp.transpose(E[:, TOKENS.data], (1, 2, 0)),
        [(3, 7)],
    ),
    "take_shared_axis": (
        lambda a: tl.take(tl.named(a, "b v"), "v", TOKENS).align("b s").data,
        lambda a: jnp.take_along_axis(a, TOKENS.data, axis=1),
        [(2, 7)],
    ),
    "nmap_cumsum": (
        lambda a: tl.nmap(jnp.cumsum)(tl.named(a, "t b").untag("t")).tag("t").align("b t").data,
        lambda a: jnp.cumsum(a.T, axis=1),
        [(5, 2)],
    ),
    "nmap_norm": (
        lambda a: tl.nmap(jnp.linalg.norm)(tl.named(a, "e b").untag("e")).data,
        lambda a: jnp.linalg.norm(a, axis=0),
        [(4, 3)],
    ),
    "lift_gelu_kwargs": (
        lambda a: tl.lift(jax.nn.gelu)(tl.named(a, "a b"), approximate=False).data,
        lambda a: jax.nn.gelu(a, approximate=False),
        [(3, 4)],
    ),
    "scan_cumulative": (
        lambda a: (
            tl.scan(lambda c, x: (c + x, c * x), tl.named(a[0] * 0, "b"), tl.named(a, "t b"), "t")[
                1
            ].data
        ),
        lambda a: jax.lax.scan(lambda c, x: (c + x, c * x), a[0] * 0, a)[1],
        [(4, 3)],
    ),
    "var": (
        lambda a: tl.var(tl.named(a, "a b"), "b").data,
        lambda a: jnp.var(a, axis=1),
        [(3, 5)],
    ),
    "reverse_slice": (
        lambda a: tl.named(a, "a b")[{"b": slice(None, None, -2)}].data,
        lambda a: a[:, ::-2],
        [(3, 5)],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_gradients_match_positional_jax(case):
    named_fn, positional_fn, shapes = CASES[case]
    args = [rand(*s, key=i) for i, s in enumerate(shapes)]
    out_named = named_fn(*args)
    out_positional = positional_fn(*args)
    np.testing.assert_allclose(out_named, out_positional, rtol=1e-5, atol=1e-6)
    cotangent = rand(*out_positional.shape, key=99)
    argnums = tuple(range(len(args)))

    def loss(fn):
        return lambda *a: jnp.sum(fn(*a) * cotangent)

    g_named = jax.grad(loss(named_fn), argnums)(*args)
    g_positional = jax.grad(loss(positional_fn), argnums)(*args)
    for gn, gp in zip(g_named, g_positional):
        np.testing.assert_allclose(gn, gp, rtol=1e-5, atol=1e-6)
    g_jit = jax.jit(jax.grad(loss(named_fn), argnums))(*args)
    for gj, gp in zip(g_jit, g_positional):
        np.testing.assert_allclose(gj, gp, rtol=1e-5, atol=1e-6)


def primitives(fn, *args):
    return [e.primitive.name for e in jax.make_jaxpr(fn)(*args).jaxpr.eqns]


def test_no_transposes_beyond_the_result():
    a = tl.named(jnp.zeros((2, 3, 4)), "batch c h")
    b = tl.named(jnp.zeros((4, 5, 3)), "h o c")
    # dot_general reads any layout: no transpose before it.
    assert primitives(lambda a, b: tl.dot(a, b, "c h"), a, b) == ["dot_general"]
    # Same storage order: elementwise ops add no transpose.
    assert primitives(lambda a: a * a + 1.0, a) == ["mul", "add"]
    # A broadcast operand is reshaped, not transposed, when its order already fits.
    c = tl.named(jnp.zeros((3,)), "c")
    assert "transpose" not in primitives(lambda a, c: a + c, a, c)
    # Reductions, softmax, rename: none.
    assert "transpose" not in primitives(lambda a: tl.softmax(tl.sum(a, "h"), "c"), a)
    assert primitives(lambda a: tl.rename(a, {"c": "k"}), a) == []
    # Flattening axes already stored contiguously in the listed order is a reshape.
    assert primitives(lambda a: tl.flatten(a, "c h", "inp"), a) == ["reshape"]
    # Non-overlapping windows are a reshape of the data (after the trim, if any).
    x = tl.named(jnp.zeros((2, 8)), "batch height")
    assert primitives(lambda x: tl.unfold(x, "height", "kh", 2, 2), x) == ["reshape"]
    # A different order is exactly one transpose, where the result needs it.
    d = tl.named(jnp.zeros((4, 3, 2)), "h c batch")
    assert primitives(lambda a, d: a + d, a, d).count("transpose") == 1
