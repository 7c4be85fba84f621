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

`typedlenet train` does not wait for that search: it starts on the built-in
choice (`tune(..., measure=False)`) and a `Refinement` (`_refine`) times the
candidates on its own steps, within a budget.
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

from .._config import SWITCHES, cache_dir, flag
from .._core.named import NamedArray
from ..nn._lowering import CONV_LOWERINGS
from ..runtime import _signals
from ..runtime._atomic import TEMPORARY, replace_file
from ..runtime._machine import machine
from ..runtime._machine import machine_key as _machine_key
from ._model import LeNet, default_chunks

__all__ = [
    "Plan",
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
