"""The autotune of LeNet's lowering: every candidate computes the same values
and gradients; choices are measured once per machine and shape, cached, read
back, survive a corrupt or unwritable cache, and can be switched off."""

import itertools
import json
import os

import equinox as eqx
import jax
import numpy as np
import optax
import pytest

import typedlenet as tl
from typedlenet.lenet import Plan, _refine, _tune, tune
from typedlenet.runtime import machine, machine_key

from test_data import make_dataset
from test_train import TINY, cli

KEY = jax.random.PRNGKey(0)


@pytest.fixture(autouse=True)
def short_timings(monkeypatch):
    monkeypatch.setattr(_tune, "_BUDGET", 0.02)  # the choice, not its quality, is tested


@eqx.filter_jit
def loss_and_grads(model, X0, labels):
    loss = lambda m: tl.cross_entropy(m.logits(X0), labels, axis="class").data  # noqa: E731
    return eqx.filter_value_and_grad(loss)(model)


def test_every_candidate_computes_the_same_values_and_gradients():
    rng = np.random.default_rng(0)
    X0 = tl.named(rng.random((64, 1, 28, 28), np.float32), "batch channels height width")
    labels = tl.named(rng.integers(0, 10, 64).astype(np.int32), "batch")
    model = tl.LeNet(key=KEY)
    want_loss, want = loss_and_grads(model.with_lowering(chunks=1), X0, labels)
    plans = [Plan(c, v) for c, v in itertools.product((1, 2, 4, 8), ("phases", "im2col", "xla"))]
    for plan in plans:
        candidate = model.with_lowering(chunks=plan.chunks, conv_lowering=plan.conv_lowering)
        got_loss, got = loss_and_grads(candidate, X0, labels)
        np.testing.assert_allclose(got_loss, want_loss, rtol=1e-6, err_msg=str(plan))
        for g, w in zip(jax.tree.leaves(got), jax.tree.leaves(want), strict=True):
            np.testing.assert_allclose(g, w, rtol=2e-5, atol=2e-7, err_msg=str(plan))
    for plan in plans[1::3]:  # the forward pass alone takes another path (no custom_vjp)
        candidate = model.with_lowering(chunks=plan.chunks, conv_lowering=plan.conv_lowering)
        np.testing.assert_allclose(candidate(X0).data, model(X0).data, rtol=1e-5, atol=1e-7)


def test_a_choice_is_measured_once_then_read_from_the_cache(tmp_path):
    path, model = tmp_path / "cache" / "autotune.json", tl.LeNet(key=KEY)
    first = tune(model, 64, optax.adam(1e-3), path=path)
    assert first.source == "measured" and first.saved
    assert set(first.timings) == {
        "chunks=1,conv=phases",
        "chunks=2,conv=phases",
        "chunks=4,conv=phases",
        f"chunks={first.plan.chunks},conv=im2col",
        f"chunks={first.plan.chunks},conv=xla",
    }
    assert first.model.config.chunks == first.plan.chunks
    assert first.model.config.conv_lowering == first.plan.conv_lowering
    assert f"cached in {path}" in first.line()
    data = json.loads(path.read_text())
    (entry,) = data["machines"].values()
    assert entry["machine"]["cpu"] and entry["machine"]["jax"] == jax.__version__
    # Training reuses the winner's compiled step: a real batch compiles nothing new.
    assert first.step is not None
    compiled = first.step._cache_size()  # pyright: ignore[reportFunctionMemberAccess]
    X0 = tl.named(np.zeros((64, 1, 28, 28), np.float32), "batch channels height width")
    labels = tl.named(np.zeros(64, np.int32), "batch")
    opt_state = optax.adam(1e-3).init(eqx.filter(first.model, eqx.is_inexact_array))
    first.step(first.model, opt_state, X0, labels)
    assert first.step._cache_size() == compiled  # pyright: ignore[reportFunctionMemberAccess]
    second = tune(model, 64, optax.adam(1e-3), path=path)
    assert second.source == "cache" and second.plan == first.plan and not second.timings
    assert f"autotuned earlier; from {path}" in second.line()
    # Another batch size, or inference, is another shape: measured anew.
    assert tune(model, 32, None, path=path).source == "measured"
    assert len(json.loads(path.read_text())["machines"][next(iter(data["machines"]))]["plans"]) == 2


def test_a_corrupt_cache_is_measured_again_and_rewritten(tmp_path):
    path = tmp_path / "autotune.json"
    path.write_bytes(b'{"format": "typedlenet-autotune-3", "machines": {"x": [\x00\xff')
    tuned = tune(tl.LeNet(key=KEY), 32, None, path=path)
    assert tuned.source == "measured" and tuned.saved
    assert json.loads(path.read_text())["format"] == "typedlenet-autotune-3"


@pytest.mark.parametrize(
    "cache",
    [
        {"machines": []},
        {"machines": {"any": []}},
        {"machines": {"any": {"plans": []}}},
    ],
    ids=["machines-a-list", "machine-a-list", "plans-a-list"],
)
def test_a_cache_of_the_wrong_structure_is_measured_again(tmp_path, cache):
    path = tmp_path / "autotune.json"
    path.write_text(json.dumps({"format": "typedlenet-autotune-3", **cache}))
    tuned = tune(tl.LeNet(key=KEY), 32, None, path=path)
    assert tuned.source == "measured" and tuned.saved
    assert isinstance(json.loads(path.read_text())["machines"], dict)


@pytest.mark.parametrize(
    "entry",
    [
        {"chunks": 1000000, "conv_lowering": "phases"},
        {"chunks": 64, "conv_lowering": "phases"},  # 32 images: less than one a piece
        {"chunks": "2", "conv_lowering": "phases"},
        {"chunks": True, "conv_lowering": "phases"},
        {"chunks": 2, "conv_lowering": "winograd"},
        {"chunks": 2, "conv_lowering": "phases", "impl": "fastest"},
        ["chunks", 2],
    ],
)
def test_every_field_read_from_the_cache_is_validated(tmp_path, entry):
    path, model = tmp_path / "autotune.json", tl.LeNet(key=KEY)
    tune(model, 32, None, path=path)  # a real cache for this machine and shape
    data = json.loads(path.read_text())
    (slot,) = data["machines"].values()
    (shape,) = slot["plans"]
    slot["plans"][shape] = entry
    path.write_text(json.dumps(data))
    tuned = tune(model, 32, None, path=path)
    assert tuned.source == "measured" and "held an unreadable entry" in tuned.problem
    assert tuned.plan.chunks in (1, 2, 4, 8) and tuned.plan.conv_lowering != "winograd"


def test_a_write_a_kill_left_behind_is_removed(tmp_path):
    path = tmp_path / "autotune.json"
    stale = tmp_path / ".last-write-autotune.json-k1ll3d.tmp"  # what a SIGKILL mid-write leaves
    stale.write_text('{"format": "typedlen')
    tune(tl.LeNet(key=KEY), 32, None, path=path)
    assert not stale.exists() and path.exists()


def test_an_unwritable_cache_leaves_the_choice_for_this_run_and_says_so(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    tuned = tune(tl.LeNet(key=KEY), 32, None, path=blocker / "autotune.json")
    assert tuned.source == "measured" and not tuned.saved
    assert f"not cached: {blocker} is not writable" in tuned.line()


def test_autotune_off_and_hand_set_choices_are_left_alone(tmp_path):
    model = tl.LeNet(key=KEY)
    off = tune(model, 64, None, enabled=False, path=tmp_path / "a.json")
    assert off.source == "off" and off.model is model and "autotune off" in off.line()
    by_hand = model.with_lowering(chunks=2)
    assert tune(by_hand, 64, None, path=tmp_path / "a.json").model is by_hand
    assert not (tmp_path / "a.json").exists()


def test_train_says_what_was_chosen_and_the_switch_turns_it_off(tmp_path, monkeypatch):
    data = make_dataset(tmp_path / "data")
    monkeypatch.setenv("TYPEDLENET_CACHE_DIR", str(tmp_path / "cache"))
    args = ["train", *TINY, "--data-dir", data, "--epochs", 3, "--overwrite"]
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "1")
    # The first step never waits: nothing is raced before training.
    monkeypatch.setattr(_tune, "_race", lambda *a, **k: pytest.fail("raced before training"))
    # A budget as large as the run (the default is 5%), windows of one step: the
    # 12 steps of this run time both candidates left at b=16 (im2col, XLA's).
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE_BUDGET", "1000")
    monkeypatch.setattr(_refine, "_ROUNDS", 1)
    monkeypatch.setattr(_refine, "_WINDOW", 1)
    monkeypatch.setattr(_refine, "_WINDOW_S", 0.0)
    status, out, err = cli(*args, "--checkpoint-dir", tmp_path / "a")
    assert status == 0, err
    assert "lowering: no split of the batch, conv2 by phases (built-in choice; the other" in out
    assert "autotune: no split of the batch, conv2 by" in out
    assert "(3 candidates timed on training steps, " in out and f"cached in {tmp_path}" in out
    assert out.index("lowering: ") < out.index("autotune: ") < out.index("epoch 3/3")
    status, out, err = cli(*args, "--checkpoint-dir", tmp_path / "a")
    assert status == 0 and f"autotuned earlier; from {tmp_path / 'cache'}" in out, err
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "0")
    status, out, err = cli(*args, "--checkpoint-dir", tmp_path / "a")
    assert status == 0 and "(built-in choice; autotune off)" in out, err
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "sometimes")
    status, out, err = cli(*args, "--checkpoint-dir", tmp_path / "a")
    assert status == 2 and "TYPEDLENET_AUTOTUNE='sometimes'" in err and "Traceback" not in err
    assert sorted(os.listdir(tmp_path / "cache")) == ["autotune.json", "autotune.json.lock"]


def test_candidates_leave_16_images_a_piece_and_at_most_two_a_core():
    assert _tune.candidates(512, cores=2) == [Plan(1), Plan(2), Plan(4)]
    assert _tune.candidates(512, cores=16) == [Plan(1), Plan(2), Plan(4), Plan(8)]
    assert _tune.candidates(48, cores=16) == [Plan(1), Plan(2)]
    assert _tune.candidates(8, cores=16) == [Plan(1)]


def test_an_accelerator_also_races_the_seed_literal_path(tmp_path, monkeypatch):
    assert _tune.second_round(Plan(2), "cpu") == [Plan(2, "im2col"), Plan(2, "xla")]
    assert _tune.second_round(Plan(2), "gpu") == [
        Plan(2, "im2col"),
        Plan(2, "xla"),
        Plan(1, "im2col", "reference"),
    ]
    # Raced here as on a GPU: timed, cached with its `impl`, read back as it was.
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    path, model = tmp_path / "autotune.json", tl.LeNet(key=KEY)
    measured = tune(model, 32, None, path=path)
    assert "impl=reference" in measured.timings
    again = tune(model, 32, None, path=path)
    assert again.source == "cache" and again.plan == measured.plan
    assert again.model.config.impl == measured.plan.impl


def test_the_reported_figures_are_those_the_choice_was_made_on(tmp_path, monkeypatch):
    # Scripted races: the first round's best is timed again in the second round,
    # faster there than the seed-literal path, which beat its first-round figure.
    rounds = iter(
        [
            {Plan(1): 100.0, Plan(2): 50.0},
            {Plan(1): 300.0, Plan(1, "xla"): 200.0, Plan(1, "im2col", "reference"): 250.0},
        ]
    )
    monkeypatch.setattr(_tune, "_race", lambda runs, batch, budget: next(rounds))
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    tuned = tune(tl.LeNet(key=KEY), 32, None, path=tmp_path / "autotune.json")
    assert tuned.plan == Plan(1)
    assert tuned.timings["chunks=1,conv=phases"] == 300.0
    assert "best 300 samples/s" in tuned.line()


def test_the_first_rounds_winner_is_raced_again_as_compiled(tmp_path, monkeypatch):
    # Each candidate is built (and so traced and compiled) once: the second round
    # reuses the first round's runner for the winner instead of compiling it again.
    built, races = [], []
    make = _tune._runner

    def runner(model, plan, batch, optimizer):
        built.append(plan)
        return make(model, plan, batch, optimizer)

    def race(runs, batch, budget):
        races.append(dict(runs))
        return {plan: float(plan == Plan(2)) for plan in runs}

    monkeypatch.setattr(_tune, "_runner", runner)
    monkeypatch.setattr(_tune, "_race", race)
    monkeypatch.setattr(jax, "default_backend", lambda: "cpu")
    tuned = tune(tl.LeNet(key=KEY), 64, optax.adam(1e-3), path=tmp_path / "autotune.json")
    second = _tune.second_round(Plan(2), "cpu")
    assert len(built) == len(set(built)) == len(races[0]) + len(second)
    assert races[1][Plan(2)] is races[0][Plan(2)]
    assert tuned.plan == Plan(2) and tuned.step is not None


def _convolutions(model, X0, differentiated):
    """How many XLA convolutions and batch concatenations the traced call holds."""
    if differentiated:
        call = eqx.filter_grad(lambda m: m.logits(X0).data.sum())
    else:
        call = lambda m: m.logits(X0).data  # noqa: E731
    text = str(eqx.filter_make_jaxpr(call)(model)[0])
    return text.count("conv_general_dilated"), text.count("concatenate")


def _cache(path, batch, plans):
    model = tl.LeNet(key=KEY)
    key = machine_key(machine())
    entries = {_tune._shape_key(model, batch, mode): plan for mode, plan in plans.items()}
    path.write_text(
        json.dumps({"format": _tune.FORMAT, "machines": {key: {"machine": {}, "plans": entries}}})
    )


@pytest.mark.parametrize("differentiated", [True, False])
def test_a_model_the_user_builds_computes_by_the_cached_choice(
    tmp_path, monkeypatch, differentiated
):
    monkeypatch.setenv("TYPEDLENET_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "1")
    X0 = tl.named(np.zeros((64, 1, 28, 28), np.float32), "batch channels height width")
    model = tl.LeNet(key=KEY)
    # No cache: the built-in choice (2 pieces at 64 images, conv2 by phases).
    assert _convolutions(model, X0, differentiated)[0] == 0
    # Only the other mode cached: used (same values), XLA's convolution at 1 piece.
    other = "inference" if differentiated else "train"
    _cache(tmp_path / "autotune.json", 64, {other: {"chunks": 1, "conv_lowering": "xla"}})
    assert _convolutions(tl.LeNet(key=KEY), X0, differentiated)[0] >= 1
    # This mode's own entry wins over the other's: 2 pieces, XLA's convolution.
    mode = "train" if differentiated else "inference"
    plans = {other: {"chunks": 1, "conv_lowering": "phases"}}
    _cache(tmp_path / "autotune.json", 64, plans | {mode: {"chunks": 2, "conv_lowering": "xla"}})
    convs, _ = _convolutions(tl.LeNet(key=KEY), X0, differentiated)
    assert convs >= 2  # one per piece
    # Hand-set choices, another batch size, or the switch off: the cache is not read.
    assert _convolutions(tl.LeNet(key=KEY, conv_lowering="phases"), X0, differentiated)[0] == 0
    X32 = tl.named(np.zeros((32, 1, 28, 28), np.float32), "batch channels height width")
    assert _convolutions(tl.LeNet(key=KEY), X32, differentiated)[0] == 0
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "0")
    assert _convolutions(tl.LeNet(key=KEY), X0, differentiated)[0] == 0


def test_the_measured_choice_reaches_a_model_built_later(tmp_path, monkeypatch):
    monkeypatch.setenv("TYPEDLENET_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "1")
    monkeypatch.setattr(
        _tune, "_race", lambda runs, batch, budget: {p: float(p == Plan(1, "xla")) for p in runs}
    )
    monkeypatch.setattr(_tune, "candidates", lambda batch: [Plan(1)])
    tuned = tune(tl.LeNet(key=KEY), 64, optax.adam(1e-3))
    assert tuned.plan == Plan(1, "xla") and tuned.saved
    X0 = tl.named(np.zeros((64, 1, 28, 28), np.float32), "batch channels height width")
    assert _convolutions(tl.LeNet(key=KEY), X0, True)[0] >= 1
    # Same values as the built-in choice.
    built_in = tl.LeNet(key=KEY, chunks=2, conv_lowering="phases")
    np.testing.assert_allclose(
        tl.LeNet(key=KEY).logits(X0).data, built_in.logits(X0).data, rtol=1e-5, atol=1e-6
    )
