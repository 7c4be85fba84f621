"""The autotune inside training (`Refinement`): the candidates are timed on the
run's own steps within a budget, the best is kept and cached (complete or
partial), and the next run reads it. A fake step and clock make the speeds and
compilation times what each test says."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import typedlenet as tl
from typedlenet.lenet import Plan, Refinement, _tune, tune
from typedlenet.lenet._model import default_chunks

KEY = jax.random.PRNGKey(0)
BATCH = 128  # candidates on 2 cores: 1, 2, 4 pieces; then im2col and XLA's at the best


class Machine:
    """A step whose cost is set per lowering: `compile_s` on first use of a
    lowering, then `speed[(chunks, conv_lowering)]` seconds a step (0.010 by
    default), on a clock that only the steps move."""

    def __init__(self, compile_s, speed=None):
        self.now, self.compile_s, self.speed = 0.0, compile_s, speed or {}
        self.compiled: list[tuple] = []  # the lowerings compiled, in order
        self.ran: list[tuple] = []

    def clock(self):
        return self.now

    def step(self, model, opt_state, X0, labels):
        cfg = model.config
        key = (cfg.chunks, cfg.conv_lowering)
        if key not in self.compiled:
            self.compiled.append(key)
            self.now += self.compile_s
        self.now += self.speed.get(key, 0.010)
        self.ran.append(key)
        return model, opt_state, jnp.float32(0.0)


@pytest.fixture(scope="module")
def model():
    return tl.LeNet(key=KEY)


def batch(n=BATCH):
    X0 = tl.named(np.zeros((n, 1, 28, 28), np.float32), "batch channels height width")
    return X0, tl.named(np.zeros((n,), np.int32), "batch")


def train(refinement, fake, model, steps):
    """Run `steps` full steps through the wrapped step; the model after them."""
    run = refinement.wrap(fake.step)
    X0, labels = batch()
    for _ in range(steps):
        model, _, _ = run(model, None, X0, labels)
    return model


def start(model, path, fake, fraction, steps, lines):
    tuned = tune(model, BATCH, optax.adam(1e-3), path=path, measure=False)
    refinement = Refinement(
        tuned, BATCH, steps, fraction=fraction, clock=fake.clock, log=lines.append, path=path
    )
    return tuned, refinement


def test_nothing_is_measured_before_the_first_step_with_an_empty_cache(
    tmp_path, model, monkeypatch
):
    monkeypatch.setattr(_tune, "_race", lambda *a, **k: pytest.fail("raced before training"))
    tuned = tune(model, BATCH, optax.adam(1e-3), path=tmp_path / "a.json", measure=False)
    assert tuned.source == "built-in" and tuned.model is model
    assert tuned.plan == Plan(default_chunks(BATCH)) and "built-in choice" in tuned.line()
    assert not (tmp_path / "a.json").exists()


def test_a_budget_smaller_than_one_compilation_times_no_candidate(tmp_path, model):
    path, lines = tmp_path / "autotune.json", []
    fake = Machine(compile_s=3.0)
    _, refinement = start(model, path, fake, 0.05, 1000, lines)  # budget: 0.5 s
    after = train(refinement, fake, model, 200)
    assert fake.compiled == [(None, None)]  # the run's own step, nothing else
    assert refinement.done and not refinement.timings and refinement.spent == 0.0
    assert after.config == model.config and set(fake.ran) == {(None, None)}
    assert not path.exists() and lines == []


def test_every_candidate_timed_within_a_large_budget_the_best_kept_and_cached(
    tmp_path, model, monkeypatch
):
    monkeypatch.setenv("TYPEDLENET_AUTOTUNE", "1")  # a model built by hand reads it too
    path, lines = tmp_path / "autotune.json", []
    fast = {(4, "phases"): 0.006, (4, "im2col"): 0.004}
    fake = Machine(compile_s=0.5, speed=fast)
    tuned, refinement = start(model, path, fake, 0.5, 5000, lines)
    after = train(refinement, fake, model, 2000)
    pieces = [(c, "phases") for c in (1, 2, 4) if Plan(c) != tuned.plan]  # not the one in use
    assert fake.compiled == [(None, None), *pieces, (4, "im2col"), (4, "xla")]
    assert refinement.complete and refinement.best == Plan(4, "im2col")
    assert refinement.spent <= refinement.budget
    assert after.config.chunks == 4 and after.config.conv_lowering == "im2col"
    assert fake.ran[-1] == (4, "im2col")  # the rest of the run by the winner
    assert len(lines) == 1 and "4 pieces, conv2 by im2col" in lines[0] and str(path) in lines[0]
    # The next run reads it and has nothing to refine.
    again = tune(model, BATCH, optax.adam(1e-3), path=path, measure=False)
    assert again.source == "cache" and again.plan == Plan(4, "im2col")
    assert _tune.cached_plan(model, BATCH, "train", path=path) == Plan(4, "im2col")


def test_a_search_cut_short_is_cached_as_partial_and_the_next_run_goes_on(tmp_path, model):
    path, lines = tmp_path / "autotune.json", []
    fast = {(1, "phases"): 0.008, (4, "phases"): 0.006, (4, "im2col"): 0.004}
    # 1000 steps of 10 ms, 35%: 3.5 s; each candidate costs about 1 s of compilation.
    fake = Machine(compile_s=1.0, speed=fast)
    tuned, refinement = start(model, path, fake, 0.35, 1000, lines)
    train(refinement, fake, model, 1000)
    timed = set(refinement.timings) - {_tune._label(tuned.plan)}
    assert 1 <= len(timed) < 4 and not refinement.complete
    assert refinement.spent <= refinement.budget
    entry = next(iter(json.loads(path.read_text())["machines"].values()))["plans"]
    (saved,) = entry.values()
    assert saved["complete"] is False and set(saved["samples_per_s"]) >= timed
    assert "budget ran out" in lines[0]
    # The next run starts on the best so far and times only what is left.
    fake2 = Machine(compile_s=1.0, speed=fast)
    tuned, second = start(model, path, fake2, 0.35, 1000, [])
    assert tuned.source == "partial" and tuned.plan == refinement.best
    train(second, fake2, tuned.model, 1000)
    again = {f"chunks={c},conv={v}" for c, v in fake2.compiled[1:]}
    assert again and not again & timed  # nothing timed twice
    assert second.complete and second.spent <= second.budget
    final = tune(model, BATCH, optax.adam(1e-3), path=path, measure=False)
    assert final.source == "cache" and final.plan == Plan(4, "im2col")


def test_a_short_batch_runs_on_the_model_as_given(tmp_path, model):
    fake = Machine(compile_s=0.5)
    _, refinement = start(model, tmp_path / "a.json", fake, 0.5, 5000, [])
    run = refinement.wrap(fake.step)
    X0, labels = batch(8)
    run(model, None, X0, labels)
    assert fake.ran == [(None, None)] and refinement.steps_left == 5000
