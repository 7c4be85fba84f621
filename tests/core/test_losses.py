"""cross_entropy scores each labelled position once: values by a position-by-position
oracle, gradients against positional JAX, and the axes it refuses to average over."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import typedlenet as tl

from oracle import examples, positions


@st.composite
def problems(draw):
    """Logits over `class` and some labelled axes (in any storage order), labels over
    the labelled axes, and maybe one `sample` axis of the logits named `unlabelled`."""
    sizes = {"class": draw(st.integers(2, 5))}
    for name in draw(st.lists(st.sampled_from(["batch", "seq"]), unique=True, max_size=2)):
        sizes[name] = draw(st.integers(1, 3))
    unlabelled = draw(st.booleans())
    if unlabelled:
        sizes["sample"] = draw(st.integers(1, 3))
    order = draw(st.permutations(list(sizes)))
    shape = tuple(sizes[n] for n in order)
    values = draw(
        st.lists(st.floats(-4, 4, width=32), min_size=math.prod(shape), max_size=math.prod(shape))
    )
    logits = tl.NamedArray(jnp.asarray(np.array(values, np.float32).reshape(shape)), tuple(order))
    labelled = [n for n in order if n not in ("class", "sample")]
    label_sizes = {n: sizes[n] for n in labelled}
    classes = draw(
        st.lists(
            st.integers(0, sizes["class"] - 1),
            min_size=math.prod(label_sizes.values()),
            max_size=math.prod(label_sizes.values()),
        )
    )
    labels = tl.NamedArray(  # not `named`: no checks in strategies
        jnp.asarray(np.array(classes, np.int32).reshape(tuple(label_sizes.values()))),
        tuple(labelled),
    )
    return logits, labels, ("sample",) if unlabelled else ()


def oracle(logits: tl.NamedArray, labels: tl.NamedArray) -> float:
    """The mean over every position (but `class`) of -log p(label), one at a time."""
    sizes = {n: s for n, s in logits.sizes.items() if n != "class"}
    data, names = np.asarray(logits.data, np.float64), logits.names
    losses = []
    for p in positions(sizes):
        row = [
            data[tuple(p.get(n, c) if n != "class" else c for n in names)]
            for c in range(logits.sizes["class"])
        ]
        label = int(np.asarray(labels.data)[tuple(p[n] for n in labels.names)])
        losses.append(np.log(np.sum(np.exp(row))) - row[label])
    return float(np.mean(losses))


@settings(max_examples=examples(40, quick=15), deadline=None)
@given(problems())
def test_values_match_the_position_by_position_oracle(problem):
    logits, labels, unlabelled = problem
    got = tl.cross_entropy(logits, labels, axis="class", unlabelled=unlabelled)
    assert got.names == ()
    np.testing.assert_allclose(float(got.data), oracle(logits, labels), rtol=1e-5, atol=1e-5)


def test_gradient_matches_positional_jax():
    key = jax.random.PRNGKey(0)
    data = jax.random.normal(key, (3, 2, 5))  # batch, sample, class
    labels = jnp.array([1, 4, 0])

    def named(d):
        logits = tl.named(d, "batch sample class")
        return tl.cross_entropy(logits, tl.named(labels, "batch"), unlabelled="sample").data

    def positional(d):
        log_p = jax.nn.log_softmax(d, axis=-1)
        return -jnp.mean(jnp.take_along_axis(log_p, labels[:, None, None], axis=-1))

    np.testing.assert_allclose(jax.grad(named)(data), jax.grad(positional)(data), rtol=1e-6)


REFUSED = {
    # A flatten that forgot `channels:1`: the loss would average over it.
    "logits' extra axis": ("batch:4 channels:1 class:10", "batch:4", "channels", "logits"),
    "labels' extra axis": ("batch:4 class:10", "batch:4 seq:3", "seq", "logits"),
    "no class axis": ("batch:4 label:10", "batch:4", "class", "logits"),
    "labels with the class axis": ("batch:4 class:10", "batch:4 class:10", "class", "labels"),
}


def _inputs(logits_spec, labels_spec):
    def make(spec, dtype):
        names = [part.split(":")[0] for part in spec.split()]
        shape = tuple(int(part.split(":")[1]) for part in spec.split())
        return tl.named(jnp.zeros(shape, dtype), names)

    return make(logits_spec, jnp.float32), make(labels_spec, jnp.int32)


@pytest.mark.parametrize("mode", ["eager", "jit", "eval_shape"])
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_an_axis_on_one_side_only_is_refused_by_name(case, mode):
    logits_spec, labels_spec, axis, argument = REFUSED[case]
    logits, labels = _inputs(logits_spec, labels_spec)

    def loss(logits, labels):
        return tl.cross_entropy(logits, labels, axis="class")

    run = {"eager": loss, "jit": jax.jit(loss), "eval_shape": lambda *a: jax.eval_shape(loss, *a)}
    with pytest.raises(tl.AxisError) as caught:
        run[mode](logits, labels)
    assert caught.value.op == "cross_entropy"
    assert caught.value.axis == axis and caught.value.argument == argument
    assert f"`{axis}`" in str(caught.value)


def test_verify_catches_the_stray_axis_before_compute():
    logits = tl.abstract("batch:b channels:1 class:10")
    labels = tl.abstract("batch:b", jnp.int32)
    with pytest.raises(tl.AxisError, match="`channels`"):
        tl.verify(lambda x, y: tl.cross_entropy(x, y), logits, labels)


@settings(max_examples=examples(30, quick=10), deadline=None)
@given(problems(), st.data())
def test_masked_and_weighted_losses_match_the_oracle(problem, data):
    logits, labels, unlabelled = problem
    positions_ = [n for n in logits.names if n != "class"]
    sizes = {n: logits.sizes[n] for n in positions_}
    mask_axes = data.draw(st.lists(st.sampled_from(positions_), unique=True)) if positions_ else []
    keep = np.array(
        data.draw(
            st.lists(
                st.booleans(),
                min_size=math.prod(sizes[n] for n in mask_axes),
                max_size=math.prod(sizes[n] for n in mask_axes),
            )
        ),
        bool,
    ).reshape([sizes[n] for n in mask_axes])
    weight = np.array(
        data.draw(
            st.lists(
                st.floats(0.5, 2.0, width=32),
                min_size=math.prod(sizes[n] for n in mask_axes),
                max_size=math.prod(sizes[n] for n in mask_axes),
            )
        ),
        np.float32,
    ).reshape(keep.shape)
    where = tl.NamedArray(jnp.asarray(keep), tuple(mask_axes))
    weights = tl.NamedArray(jnp.asarray(weight), tuple(mask_axes))
    got = tl.cross_entropy(logits, labels, unlabelled=unlabelled, where=where, weights=weights)
    # The oracle: each position's -log p(label), weighted, one position at a time.
    data_, names = np.asarray(logits.data, np.float64), logits.names
    total = count = 0.0
    for p in positions(sizes):
        row = [
            data_[tuple(p.get(n, c) if n != "class" else c for n in names)]
            for c in range(logits.sizes["class"])
        ]
        label = int(np.asarray(labels.data)[tuple(p[n] for n in labels.names)])
        at = tuple(p[n] for n in mask_axes)
        w = float(weight[at]) * bool(keep[at])
        total += w * (np.log(np.sum(np.exp(row))) - row[label])
        count += w
    expected = total / count if count > 0 else 0.0
    np.testing.assert_allclose(float(got.data), expected, rtol=1e-5, atol=1e-5)


def test_masked_gradient_matches_positional_jax():
    data = jax.random.normal(jax.random.PRNGKey(1), (2, 4, 5))  # batch, seq, class
    labels = jnp.array([[1, 4, 0, 2], [3, 3, 1, 0]])
    keep = jnp.array([[True, True, False, False], [True, True, True, False]])

    def named(d):
        logits = tl.named(d, "batch seq class")
        return tl.cross_entropy(
            logits, tl.named(labels, "batch seq"), where=tl.named(keep, "batch seq")
        ).data

    def positional(d):
        nll = -jnp.take_along_axis(jax.nn.log_softmax(d), labels[..., None], -1)[..., 0]
        return jnp.sum(jnp.where(keep, nll, 0.0)) / jnp.sum(keep)

    np.testing.assert_allclose(jax.grad(named)(data), jax.grad(positional)(data), rtol=1e-6)


@pytest.mark.parametrize("mode", ["eager", "jit", "eval_shape"])
@pytest.mark.parametrize("argument", ["where", "weights"])
def test_a_mask_or_weights_with_an_axis_the_labels_lack_is_refused(argument, mode):
    logits, labels = _inputs("batch:4 class:10", "batch:4")
    extra = tl.named(jnp.ones((4, 3), bool if argument == "where" else jnp.float32), "batch seq")

    def loss(logits, labels, extra):
        return tl.cross_entropy(logits, labels, **{argument: extra})

    run = {"eager": loss, "jit": jax.jit(loss), "eval_shape": lambda *a: jax.eval_shape(loss, *a)}
    with pytest.raises(tl.AxisError, match="`seq`") as caught:
        run[mode](logits, labels, extra)
    assert caught.value.argument == argument and caught.value.axis == "seq"
