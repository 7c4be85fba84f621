"""The autotune inside a training run: `Refinement` times LeNet's lowering
candidates on the steps the run takes anyway, within a budget (a share of the
run's expected time, `TYPEDLENET_AUTOTUNE_BUDGET`), and caches what it found
where `tune` reads it (`_tune`'s cache, complete or partial).
"""

from __future__ import annotations

import datetime
import math
import pathlib
import time
from collections.abc import Callable
from typing import Any

import jax

from .._config import NUMBERS, number
from .._core.named import NamedArray
from ..runtime import _signals
from ..runtime._machine import machine
from ..runtime._machine import machine_key as _machine_key
from ._model import LeNet
from ._tune import (
    _ROUNDS,
    FORMAT,
    Plan,
    Tuned,
    _label,
    _plan_of,
    _read,
    _shape_key,
    _turn,
    _write,
    cache_path,
    candidates,
    second_round,
)

_WINDOW = 4  # at least this many steps in a timed window of a `Refinement`
_WINDOW_S = 0.1  # and at least this many seconds (up to 50 steps)


def budget_fraction() -> float:
    """The share of a run's expected time its autotune may take
    (`TYPEDLENET_AUTOTUNE_BUDGET`, default 0.05)."""
    return number("TYPEDLENET_AUTOTUNE_BUDGET", NUMBERS["TYPEDLENET_AUTOTUNE_BUDGET"])


class Refinement:
    """The autotune run inside training, on the steps the run takes anyway.

    `wrap` turns the run's jitted step into one that, on full batches of
    `tuned`'s batch size, first times the choice in use (its first call is its
    compilation, the run's own), then each candidate not yet timed: its step
    compiled and run for real, in windows of a few steps alternating with the
    best so far (`_ROUNDS` each, best window kept), so that a drift of the
    machine's speed hits both alike. The values are the same whichever
    candidate computes a step; only the speed differs.

    Before each candidate the cost it will add (a compilation, predicted from
    the largest one measured so far, and the slower windows) is checked
    against the budget: `fraction` of the run's expected time (`steps` full
    steps at the measured speed of the choice in use), less what was spent.
    When the candidates are all timed or the next does not fit, the best is
    kept for the rest of the run and cached (complete, or partial for the next
    run to go on with); `log` says which, in one line. Other steps (a short
    last batch) run on the model as given.

    `clock` is the time source (seconds), for tests to drive.
    """

    def __init__(
        self,
        tuned: Tuned,
        batch: int,
        steps: int,
        *,
        fraction: float | None = None,
        clock: Callable[[], float] = time.perf_counter,
        log: Callable[[str], None] = print,
        path: pathlib.Path | None = None,
        mode: str = "train",
    ) -> None:
        self.batch, self.steps_left = batch, steps
        self.fraction = budget_fraction() if fraction is None else fraction
        self.budget = 0.0  # seconds, known once the choice in use is timed
        self.spent = 0.0  # seconds: compilations of candidates and their slower windows
        self.clock, self.log = clock, log
        self.path = path or tuned.path or cache_path()
        self.incumbent = tuned.plan
        self.previous = dict(tuned.tried)  # samples/s of earlier runs (a partial search)
        self.timings: dict[str, float] = {}  # samples/s measured in this run
        self.best: Plan = tuned.plan
        self.compiles: list[float] = []
        self.done = False
        self.complete = False
        self.saved = ""  # the cache file written, once written
        self._model = tuned.model
        self._mode = mode
        self._base = _lowering_of(tuned.model)  # the model's own lowering fields
        self._now: float | None = None  # the clock at the end of the last blocked step
        self._schedule = self._search()

    # -- the steps -----------------------------------------------------------------

    def wrap(self, step: Callable[..., Any]) -> Callable[..., Any]:
        """`step` (model, opt_state, X0, labels -> model, opt_state, loss), with
        the candidates timed on its full batches until the search ends."""

        def run(model: LeNet, opt_state: Any, X0: NamedArray, labels: NamedArray) -> Any:
            if self.done or X0.sizes.get("batch") != self.batch:
                return step(model, opt_state, X0, labels)
            if self._now is None:
                self._now = self.clock()
            try:
                plan, block = next(self._schedule)
            except StopIteration:  # the search ended: the rest of the run by its best
                return step(*_relowered((model, opt_state), self._base), X0, labels)
            self.steps_left -= 1
            if plan is not None:  # the optimizer's state holds LeNets too (Adam's moments)
                lowering = _lowering_of(plan.apply(self._model))
                model, opt_state = _relowered((model, opt_state), lowering)
            new, opt_state, loss = step(model, opt_state, X0, labels)
            if block:
                jax.block_until_ready(loss)
                self._now = self.clock()
            return (*_relowered((new, opt_state), self._base), loss)

        return run

    def _steps(self, plan: Plan | None, n: int) -> Any:
        """Run `n` steps by `plan` (None: the model as given); their seconds."""
        start = self._now or 0.0
        for i in range(n):
            yield plan, i == n - 1
        return (self._now or 0.0) - start

    def _given(self, plan: Plan) -> Plan | None:
        """What a step by `plan` runs: None for the choice in use (the model as given)."""
        return None if plan == self.incumbent else plan

    def _search(self) -> Any:
        """The schedule: which plan each full step runs (None: the model as
        given), and whether to block after it (the end of a timed stretch)."""
        self.compiles.append((yield from self._steps(None, 1)))  # the run's own compilation
        probe = (yield from self._steps(None, 4)) / 4
        window = max(_WINDOW, min(50, math.ceil(_WINDOW_S / max(probe, 1e-6))))
        self.budget = self.fraction * (self.steps_left + 5) * probe
        seconds = {self.incumbent: probe}
        best = self.incumbent
        for stage in (0, 1):
            if stage == 0:
                queue = candidates(self.batch)
            else:
                queue = second_round(best, jax.default_backend())
            for plan in queue:
                label = _label(plan)
                if plan == best or label in self.timings or label in self.previous:
                    continue
                # A compilation (the largest measured yet) and a first window up to 25%
                # slower; each later window is checked on the candidate's measured speed.
                cost = max(self.compiles) + window * seconds[best] * 0.25
                if self.spent + cost > self.budget or self.steps_left < 1 + 2 * _ROUNDS * window:
                    self._finish(best, complete=False)
                    return
                _signals.check()
                took = yield from self._steps(plan, 1)  # its compilation, and one real step
                self.compiles.append(took)
                self.spent += max(0.0, took - seconds[best])
                mine = theirs = float("inf")
                for _ in range(_ROUNDS):
                    excess = (mine - seconds[best]) * window if mine < float("inf") else 0.0
                    if self.spent + excess > self.budget:
                        break  # slower by more than the budget has left: it lost
                    t = (yield from self._steps(plan, window)) / window
                    self.spent += max(0.0, (t - seconds[best]) * window)
                    mine = min(mine, t)
                    u = (yield from self._steps(self._given(best), window)) / window
                    theirs = min(theirs, u)
                seconds[best] = min(seconds[best], theirs)
                seconds[plan] = mine
                self.timings[_label(best)] = self.batch / seconds[best]
                self.timings[label] = self.batch / mine
                if mine < seconds[best]:
                    best = plan
        self._finish(best, complete=True)

    def _finish(self, best: Plan, *, complete: bool) -> None:
        """Keep `best` for the rest of the run, cache it, and say so."""
        self.done, self.best, self.complete = True, best, complete
        self._base = _lowering_of(best.apply(self._model)) if best != self.incumbent else self._base
        if not self.timings and not complete:
            return  # nothing timed: nothing to cache
        if self._model.config.impl != "fast":
            return
        problem = self._save(best, complete)
        where = f"cached in {self.path}" if not problem else f"not cached: {problem}"
        figures = self.timings.get(_label(best), 0.0)
        timed = len(self.timings)
        if complete:
            how = f"{timed} candidates timed on training steps"
        else:
            how = f"{timed} timed on training steps before the budget ran out; the next run goes on"
        self.log(
            f"autotune: {best.describe()} ({how}, {self.spent:.1f} s of a "
            f"{self.budget:.1f} s budget; {figures:,.0f} samples/s; {where})"
        )

    def _save(self, best: Plan, complete: bool) -> str:
        """Write the search's result to the cache; why it was not written ('' if it was)."""
        info = machine()
        machine_key = _machine_key(info)
        shape_key = _shape_key(self._model, self.batch, self._mode)
        with _turn(self.path):
            data, _ = _read(self.path)
            data = data if data else {"format": FORMAT, "machines": {}}
            slot = data.setdefault("machines", {}).setdefault(
                machine_key, {"machine": info, "plans": {}}
            )
            plans = slot.setdefault("plans", {})
            there = plans.get(shape_key)
            if isinstance(there, dict) and there.get("complete", True) is not False:
                if _plan_of(there, self.batch) is not None:
                    return ""  # another run finished the search meanwhile: its choice stays
            plans[shape_key] = {
                "chunks": best.chunks,
                "conv_lowering": best.conv_lowering,
                "impl": best.impl,
                "samples_per_s": {
                    k: round(v, 1) for k, v in (self.previous | self.timings).items()
                },
                "complete": complete,
                "date": datetime.date.today().isoformat(),
            }
            failed = _write(self.path, data)
        if not failed:
            self.saved = str(self.path)
        return failed


def _relowered(tree: Any, lowering: dict[str, Any]) -> Any:
    """`tree` with every LeNet in it computed by `lowering` (same parameters)."""
    return jax.tree.map(
        lambda node: node.with_lowering(**lowering) if isinstance(node, LeNet) else node,
        tree,
        is_leaf=lambda node: isinstance(node, LeNet),
    )


def _lowering_of(model: LeNet) -> dict[str, Any]:
    """The lowering fields of `model`'s configuration."""
    cfg = model.config
    return {"chunks": cfg.chunks, "conv_lowering": cfg.conv_lowering, "impl": cfg.impl}
