"""LeNet's lowering choices, measured on the machine instead of assumed.

Two choices change the speed of LeNet's compiled step and not its values: how
many independent pieces `logits` cuts the batch into (`chunks`: XLA:CPU runs
pieces side by side on the cores) and how conv2 is computed (`conv_lowering`:
by output phases or im2col, each one matmul, or XLA's own convolution). Which
is fastest depends on the CPU (its cores, caches and vector units) and on the
batch size, so on first use of a shape `tune` times a few steps of each
candidate and keeps the fastest.

The result is cached per machine and shape in `autotune.json` under the cache
directory (`_config.cache_dir()`): a later run of the same shape on the same
machine reads it and times nothing. The machine is identified by its CPU model
and vector extensions, its core count, JAX's version and the device kind. A
cache that cannot be read is measured again and rewritten; one that cannot be
written leaves the choice in use for this run only, and says so. Every field
read from the cache is validated (an entry that is not a plan this module could
have written is measured again). Two processes tuning at once take turns (a
lock file beside the cache): the second reads the first one's choice instead of
racing against it. Temporary files a killed write left are removed under that
lock. A pending SIGINT or SIGTERM stops the measuring between steps
(`runtime._signals`).

The search is by coordinates: the piece counts with the phases lowering,
timed in turn, then the best of them against im2col and XLA's convolution at
that count and, on an accelerator, the seed-literal path (`second_round`). Up
to 4 candidates, then 2 or 3 more (the first round's winner is raced again as
compiled); each costs a compilation and about 0.5 s of timed steps; the
winner's compiled step is handed to training.

`typedlenet train` does not wait for that search: with nothing cached it starts
on the built-in choice (`tune(..., measure=False)`) and a `Refinement` times the
candidates on the training steps the run takes anyway, each candidate's
compiled step used for a few real steps against the choice in use, within a
budget (`TYPEDLENET_AUTOTUNE_BUDGET`, 5% of the run's expected time, predicted
from its own first compilation and steps). A search the budget cuts short is
cached as partial (`"complete": false`, the candidates timed so far): the next
run of that shape starts on its best and times the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import json
import math
import os
import pathlib
import time
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .._config import NUMBERS, SWITCHES, cache_dir, flag, number
from .._core.named import NamedArray
from ..nn._lowering import CONV_LOWERINGS
from ..runtime import _signals
from ..runtime._atomic import TEMPORARY, replace_file
from ..runtime._machine import machine
from ..runtime._machine import machine_key as _machine_key
from ._model import LeNet, default_chunks

__all__ = [
    "Plan",
    "Refinement",
    "Tuned",
    "cache_path",
    "cached_plan",
    "candidates",
    "machine",
    "second_round",
    "tune",
]

FORMAT = "typedlenet-autotune-3"
_ROUNDS = 4
_BUDGET = 0.5  # seconds of timed steps per candidate
_WINDOW = 4  # at least this many steps in a timed window of a `Refinement`
_WINDOW_S = 0.1  # and at least this many seconds (up to 50 steps)
_STEPS: dict[int, Any] = {}  # a runner's jitted step, by the runner's id (while it lives)


@dataclasses.dataclass(frozen=True)
class Plan:
    """One way to compute LeNet: pieces of the batch and conv2's lowering."""

    chunks: int
    conv_lowering: str = "phases"
    impl: str = "fast"  # "reference": the seed's unfold and contraction, as XLA compiles it

    def describe(self) -> str:
        """The plan in words, as `typedlenet train` prints it: "2 pieces, conv2 by phases"."""
        if self.impl == "reference":
            return "the seed-literal path (unfold and contract)"
        pieces = "no split of the batch" if self.chunks == 1 else f"{self.chunks} pieces"
        return f"{pieces}, conv2 by {self.conv_lowering}"

    def apply(self, model: LeNet) -> LeNet:
        """`model` (same parameters) computed by this plan."""
        return model.with_lowering(
            chunks=self.chunks, conv_lowering=self.conv_lowering, impl=self.impl
        )


@dataclasses.dataclass
class Tuned:
    """What `tune` chose and how: `source` is "measured", "cache" or "off"; with
    `measure=False`, "built-in" (nothing cached) or "partial" (a search cut short
    by its budget): `tried` then holds the samples/s of the candidates timed so far."""

    model: LeNet
    plan: Plan
    source: str
    seconds: float = 0.0
    timings: dict[str, float] = dataclasses.field(default_factory=dict)  # samples/s
    path: pathlib.Path | None = None
    saved: bool = False
    problem: str = ""  # why the cache was not read or not written
    step: Callable[..., Any] | None = None  # the winner's jitted step, already compiled
    tried: dict[str, float] = dataclasses.field(default_factory=dict)  # a partial search's

    def line(self) -> str:
        """The line `typedlenet train` prints."""
        if self.source == "built-in":
            return (
                f"lowering: {self.plan.describe()} (built-in choice; the other candidates are "
                "timed on training steps within the autotune's budget)"
            )
        if self.source == "partial":
            return (
                f"lowering: {self.plan.describe()} (best of {len(self.tried)} candidates timed "
                f"earlier, from {self.path}; the rest are timed on training steps within the "
                "autotune's budget)"
            )
        if self.source == "off":
            return f"lowering: {self.plan.describe()} (built-in choice; autotune off)"
        if self.source == "cache":
            return f"lowering: {self.plan.describe()} (autotuned earlier; from {self.path})"
        where = f"cached in {self.path}" if self.saved else f"not cached: {self.problem}"
        best = self.timings.get(_label(self.plan), 0.0)
        return (
            f"lowering: {self.plan.describe()} (autotuned: {len(self.timings)} candidates timed "
            f"in {self.seconds:.1f} s, best {best:,.0f} samples/s; {where})"
        )


def _label(plan: Plan) -> str:
    if plan.impl == "reference":
        return "impl=reference"
    return f"chunks={plan.chunks},conv={plan.conv_lowering}"


def cache_path() -> pathlib.Path:
    """Where the choices are cached (`TYPEDLENET_CACHE_DIR` moves it)."""
    return cache_dir() / "autotune.json"


def _shape_key(model: LeNet, batch: int, mode: str) -> str:
    sizes = dataclasses.asdict(model.config)
    for choice in ("chunks", "conv_lowering", "impl"):
        sizes.pop(choice)
    return json.dumps({"mode": mode, "batch": batch, **sizes}, sort_keys=True)


def candidates(batch: int, cores: int | None = None) -> list[Plan]:
    """Piece counts, with the phases lowering, that leave at least 16 images a piece and are
    at most twice the cores (`os.cpu_count()`): 8 pieces never won on 2 cores
    (37,300–38,400 against 39,500–41,000 samples/s for 4 at b=512), and each
    candidate costs a compilation on a machine's first run."""
    limit = 2 * (cores or os.cpu_count() or 1)
    return [Plan(c) for c in (1, 2, 4, 8) if c == 1 or (batch // c >= 16 and c <= limit)]


def second_round(best: Plan, platform: str) -> list[Plan]:
    """What the best piece count races against: im2col and XLA's convolution at
    that count, and on an accelerator the seed-literal path too (on a GPU one large unfold
    and contraction beat the CPU-minded lowering at b=128 and b=512; on a CPU it
    is 2-3x slower, so it is not timed there)."""
    others = [Plan(best.chunks, "im2col"), Plan(best.chunks, "xla")]
    if platform != "cpu":
        others.append(Plan(1, "im2col", "reference"))
    return others


def _read(path: pathlib.Path) -> tuple[dict[str, Any], str]:
    """The cache's contents (empty if absent), and why it could not be read."""
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}, f"{path} is not an autotune cache of this version"
        machines = data.get("machines", {})
        if not isinstance(machines, dict) or not all(
            isinstance(slot, dict) and isinstance(slot.get("plans", {}), dict)
            for slot in machines.values()
        ):
            return {}, f"{path} is not an autotune cache of this version (bad `machines`)"
        return data, ""
    except FileNotFoundError:
        return {}, ""
    except (OSError, ValueError) as error:
        return {}, f"{path} could not be read ({error})"


def _plan_of(entry: Any, batch: int) -> Plan | None:
    """The plan a cache entry holds, or None when it is not one this module could
    have written for `batch` (a piece count that is not 1, 2, 4 or 8 or leaves
    no image a piece, a lowering that does not exist)."""
    if not isinstance(entry, dict):
        return None
    chunks, conv, impl = entry.get("chunks"), entry.get("conv_lowering"), entry.get("impl", "fast")
    if type(chunks) is not int or chunks not in (1, 2, 4, 8) or batch // chunks < 1:
        return None
    if conv not in CONV_LOWERINGS or impl not in ("fast", "reference"):
        return None
    return Plan(chunks, conv, impl)


@contextlib.contextmanager
def _turn(path: pathlib.Path) -> Any:
    """Hold the cache's lock file (beside it) while inside; no lock where the
    directory cannot be written (the choice is then not cached either)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_name(path.name + ".lock"), "a")
    except OSError:
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for stale in path.parent.glob(f"{TEMPORARY}{path.name}-*.tmp"):  # a killed write's
            with contextlib.suppress(OSError):
                stale.unlink()
        yield


def _write(path: pathlib.Path, data: dict[str, Any]) -> str:
    """Write the cache atomically; return why it failed ('' if it did not)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, json.dumps(data, indent=1, sort_keys=True).encode())
    except OSError as error:
        return f"{path.parent} is not writable ({error.strerror or error})"
    return ""


def _race(runs: dict[Plan, Callable[[], Any]], batch: int, budget: float) -> dict[Plan, float]:
    """Samples/s of each run (one step on `batch` images): each compiled and
    warmed, then timed in turn, round after round (so that a drift of the
    machine's speed hits all alike), about `budget` s each; the best round."""
    steps = {}
    for plan, run in runs.items():
        _signals.check()
        jax.block_until_ready(run())  # compile (a first-round winner: one more warm step)
        start = time.perf_counter()
        jax.block_until_ready(run())
        once = max(time.perf_counter() - start, 1e-6)
        steps[plan] = max(1, int(budget / _ROUNDS / once))
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(_ROUNDS):
        for plan, run in runs.items():
            _signals.check()  # a safe point: a signal stops the measuring here
            start = time.perf_counter()
            out = run()
            for _ in range(steps[plan] - 1):
                out = run()
            jax.block_until_ready(out)
            best[plan] = min(best[plan], (time.perf_counter() - start) / steps[plan])
    return {plan: batch / seconds for plan, seconds in best.items()}


def _runner(model: LeNet, plan: Plan, batch: int, optimizer: Any) -> Callable[[], Any]:
    """One training step (with `optimizer`) or, with None, one forward pass of
    `model` computed by `plan`, on a batch of zeros (its speed does not depend
    on the values)."""
    from .._core.step import make_step  # the generic step, as `typedlenet train` uses

    cfg = model.config
    candidate = plan.apply(model)
    X0 = NamedArray(
        jnp.zeros((batch, cfg.channels[0], cfg.height, cfg.width), jnp.float32),
        ("batch", "channels", "height", "width"),
    )
    if optimizer is None:
        infer = jax.jit(lambda m, X: m.logits(X).data)
        return lambda: infer(candidate, X0)
    import equinox as eqx

    labels = NamedArray(jnp.zeros((batch,), jnp.int32), ("batch",))
    step = jax.jit(make_step(optimizer))
    opt_state = optimizer.init(eqx.filter(candidate, eqx.is_inexact_array))
    _STEPS[id(run := lambda: step(candidate, opt_state, X0, labels)[2])] = step
    return run


def tune(
    model: LeNet,
    batch: int,
    optimizer: Any = None,
    *,
    enabled: bool = True,
    path: pathlib.Path | None = None,
    measure: bool = True,
) -> Tuned:
    """`model` computed the fastest way for batches of `batch` on this machine:
    a training step with `optimizer`, or the forward pass when it is None.

    Not for a model whose `chunks` is set by hand, nor the seed-literal
    (`impl="reference"`) path: those are returned as they are.

    Args:
        model: the LeNet to compute.
        batch: the batch size its steps take.
        optimizer: the optimizer of the training step; None tunes the forward pass.
        enabled: when False, the built-in choice, measured nothing (`source="off"`).
        path: the cache file of plans (per machine, per shape); the default's
            when None.
        measure: when False, nothing is timed: a shape not cached (or cached
            as a partial search) returns at once, `source` "built-in" (or
            "partial"), for a `Refinement` to time the rest during training.

    Returns:
        A `Tuned`: the model computed by the chosen plan, and how it was chosen.

    Examples:
        >>> import optax
        >>> model = tl.LeNet(key=jax.random.PRNGKey(0))
        >>> tuned = tune(model, 128, optax.adam(1e-3), enabled=False)
        >>> tuned.source, tuned.model is model
        ('off', True)

        Measuring (the default) times each candidate for about a second:

        >>> tuned = tune(model, 128, optax.adam(1e-3))  # doctest: +SKIP
        >>> print(tuned.line())  # doctest: +SKIP
        lowering: 2 pieces, conv2 by phases (autotuned: 6 candidates timed in 9.1 s, ...)
    """
    cfg = model.config
    default = Plan(cfg.chunks or default_chunks(batch), cfg.conv_lowering or "phases")
    if not enabled or cfg.impl != "fast" or cfg.chunks is not None:
        return Tuned(model, default, "off")
    path = path or cache_path()
    mode = "inference" if optimizer is None else "train"
    info = machine()
    machine_key, shape_key = _machine_key(info), _shape_key(model, batch, mode)
    with _turn(path):
        data, problem = _read(path)
        slot = data.get("machines", {}).get(machine_key, {})
        entry = slot.get("plans", {}).get(shape_key)
        if entry is not None:
            plan = _plan_of(entry, batch)
            if plan is not None and entry.get("complete", True) is not False:
                return Tuned(plan.apply(model), plan, "cache", path=path)
            if plan is not None and not measure:
                tried = _tried(entry)
                return Tuned(plan.apply(model), plan, "partial", path=path, tried=tried)
            if plan is None:
                problem = f"{path} held an unreadable entry"
        if not measure:
            return Tuned(model, default, "built-in", path=path, problem=problem)
        return _measure(model, batch, optimizer, path, info, machine_key, shape_key, problem)


_READ: dict[str, tuple[tuple[int, int], dict[str, Any]]] = {}  # path: (mtime, size), data
_MACHINE: list[str] = []  # this process's machine key, once computed


def cached_plan(
    model: LeNet, batch: int, mode: str, path: pathlib.Path | None = None
) -> Plan | None:
    """The plan the cache holds for `model`'s sizes at `batch` on this machine:
    `mode` "train" or "inference" first, the other one if that is absent; None
    when neither is cached (or the cache cannot be read). Read without the lock
    (the cache is replaced atomically) and kept in memory until the file
    changes, so that a model traced again pays one `stat`. `TYPEDLENET_AUTOTUNE=0`:
    always None (the built-in choices)."""
    if not flag("TYPEDLENET_AUTOTUNE", SWITCHES["TYPEDLENET_AUTOTUNE"]):
        return None
    path = path or cache_path()
    try:
        stat = path.stat()
    except OSError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    known = _READ.get(str(path))
    if known is None or known[0] != stamp:
        known = (stamp, _read(path)[0])
        _READ[str(path)] = known
    data = known[1]
    if not data:
        return None
    if not _MACHINE:
        _MACHINE.append(_machine_key(machine()))
    plans = data.get("machines", {}).get(_MACHINE[0], {}).get("plans", {})
    other = "inference" if mode == "train" else "train"
    for kind in (mode, other):
        plan = _plan_of(plans.get(_shape_key(model, batch, kind)), batch)
        if plan is not None:
            return plan
    return None


def _measure(
    model: LeNet,
    batch: int,
    optimizer: Any,
    path: pathlib.Path,
    info: dict[str, Any],
    machine_key: str,
    shape_key: str,
    problem: str,
) -> Tuned:
    """Race the candidates, cache the winner (the caller holds the lock)."""
    start = time.perf_counter()
    firsts = {p: _runner(model, p, batch, optimizer) for p in candidates(batch)}
    first = _race(firsts, batch, _BUDGET)
    best = max(first, key=first.__getitem__)
    others = second_round(best, jax.default_backend())
    # The first round's winner is raced again as it was compiled (one compile fewer).
    runs = {best: firsts[best]} | {p: _runner(model, p, batch, optimizer) for p in others}
    second = _race(runs, batch, _BUDGET)
    best = max(second, key=second.__getitem__)
    # The winner's step is compiled already: training reuses it (same shapes).
    step = _STEPS.get(id(runs[best])) if optimizer is not None else None
    _STEPS.clear()
    # The second round decides: its figures (the winner's re-timing included)
    # replace the first round's, so that the reported best is the one chosen on.
    timings = {_label(p): v for p, v in first.items()} | {_label(p): v for p, v in second.items()}
    seconds = time.perf_counter() - start
    data, _ = _read(path)  # again: a process that held no lock may have written it
    data = data if data else {"format": FORMAT, "machines": {}}
    slot = data.setdefault("machines", {}).setdefault(machine_key, {"machine": info, "plans": {}})
    slot.setdefault("plans", {})[shape_key] = {
        "chunks": best.chunks,
        "conv_lowering": best.conv_lowering,
        "impl": best.impl,
        "samples_per_s": {k: round(v, 1) for k, v in timings.items()},
        "date": datetime.date.today().isoformat(),
    }
    failed = _write(path, data)
    tuned = best.apply(model)
    saved, why = not failed, failed or problem
    return Tuned(tuned, best, "measured", seconds, timings, path, saved, why, step)


def _tried(entry: dict[str, Any]) -> dict[str, float]:
    """The samples/s a cache entry records per candidate (its valid figures only)."""
    figures = entry.get("samples_per_s", {})
    if not isinstance(figures, dict):
        return {}
    return {
        str(k): float(v)
        for k, v in figures.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    }


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
