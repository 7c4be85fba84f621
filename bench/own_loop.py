"""The training loop a README reader writes, against the harness and PyTorch.

`own`: `tl.LeNet(key=...)`, a cross-entropy loss over `m.logits(x)`,
`optax.adam`, `eqx.filter_jit`, synthetic data, and no other typedlenet call:
no `tune_allocator()`, no `tune()`. Whatever makes it fast has to come from
the library by itself. `harness`: bench/run.py's typedlenet step (malloc tuned
at start-up, the autotuned lowering, `tl.make_step`). PyTorch eager's
equivalent loop on 1 thread (`torch`, the faster count when another process
holds a core) and on 2 (`torch2`, the faster on a quiet machine). Each runs
alone in a fresh process; the processes take turns, round after round, at
b=128 and b=512; medians over rounds. Also reported for the own loop: seconds
from the process's start to its first finished step (import included), and
the 1-minute load average (`os.getloadavg`) around each round, since PyTorch
collapses when another process holds a core.

    python bench/own_loop.py [--quick] [--rounds N] [--batches B ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

START = time.perf_counter()
VARIANTS = ("own", "harness", "torch", "torch2")


def readme_step(optimizer: Any) -> Callable[..., Any]:
    """The training step a README reader writes: a cross-entropy over
    `m.logits(X)`, `eqx.filter_value_and_grad`, `optimizer`, `eqx.filter_jit`."""
    import equinox as eqx
    import jax
    import jax.numpy as jnp

    import typedlenet as tl

    def loss(m: tl.LeNet, X: tl.NamedArray, y: tl.NamedArray) -> jax.Array:
        return jnp.mean(tl.cross_entropy(m.logits(X), y, axis="class").data)

    @eqx.filter_jit
    def step(m, s, X, y):
        value, grads = eqx.filter_value_and_grad(loss)(m, X, y)
        updates, s = optimizer.update(grads, s, m)
        return eqx.apply_updates(m, updates), s, value

    return step


def own(batch: int) -> tuple[float, object]:
    """The user's loop: (seconds from start to the first finished step, one step)."""
    import equinox as eqx
    import jax
    import numpy as np
    import optax

    import typedlenet as tl

    rng = np.random.default_rng(0)
    X = tl.named(rng.random((batch, 1, 28, 28), np.float32), "batch channels height width")
    y = tl.named(rng.integers(0, 10, batch).astype(np.int32), "batch")
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))

    step = readme_step(optimizer)
    state = [model, opt_state]

    def one() -> None:
        state[0], state[1], value = step(state[0], state[1], X, y)
        value.block_until_ready()

    one()
    return time.perf_counter() - START, one


def worker(variant: str, batch: int, seconds: float) -> dict[str, float]:
    """Samples/s of one variant's training step, alone in this process."""
    first = float("nan")
    if variant == "own":
        first, step = own(batch)
    else:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import run  # tunes malloc at import, as `typedlenet train` does

        if variant == "harness":
            step = run.typedlenet_variant(batch, "fast")[0]
        else:
            made = run.torch_variant(batch, 2 if variant == "torch2" else 1)
            if made is None:
                raise SystemExit("torch is not installed")
            step = made[0]
    for _ in range(3):
        step()  # compile, warm up
    blocks, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        start, n = time.perf_counter(), 0
        while time.perf_counter() - start < 0.25:
            step()
            n += 1
        blocks.append(batch * n / (time.perf_counter() - start))
    return {"speed": statistics.median(blocks), "first_step": first}


def measure(batches: list[int], rounds: int, seconds: float) -> dict[int, dict[str, object]]:
    """Medians over `rounds` of each variant's figures, processes in turn."""
    runs: dict[int, dict[str, list[float]]] = {b: {} for b in batches}
    for _ in range(rounds):
        for b in batches:
            for variant in VARIANTS:
                load = os.getloadavg()[0]
                command = [sys.executable, __file__, "--worker", variant, "--batch", str(b)]
                done = subprocess.run(
                    [*command, "--seconds", str(seconds)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode:
                    if "torch is not installed" in done.stderr:
                        continue
                    raise RuntimeError(f"{variant} b={b}: {done.stderr[-2000:]}")
                got = json.loads(done.stdout.strip().splitlines()[-1])
                runs[b].setdefault(variant, []).append(got["speed"])
                if variant == "own":
                    runs[b].setdefault("first_step", []).append(got["first_step"])
                runs[b].setdefault("load", []).extend([load, os.getloadavg()[0]])
    return {
        b: {k: statistics.median(v) for k, v in r.items()} | {"load_max": max(r["load"])}
        for b, r in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worker", choices=VARIANTS)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=2.0, help="timed steps per process")
    parser.add_argument("--batches", type=int, nargs="+", default=[128, 512])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 round of 1 s per process")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.batch, args.seconds)))
        return
    rounds, seconds = (1, 1.0) if args.quick else (args.rounds, args.seconds)
    results = measure(args.batches, rounds, seconds)
    for b, row in results.items():
        own_speed, harness = row["own"], row["harness"]
        torch1, torch2 = row.get("torch", float("nan")), row.get("torch2", float("nan"))
        best = max(torch1, torch2)
        print(
            f"train b={b}: own loop {own_speed:,.0f}/s, harness {harness:,.0f}/s, "
            f"torch {torch1:,.0f}/s (1 thread) {torch2:,.0f}/s (2 threads); "
            f"own/harness {own_speed / harness:.2f}x, own/torch {own_speed / best:.2f}x "
            f"(the faster thread count); own loop's first step at "
            f"{row['first_step']:.1f} s; load {row['load']:.2f} (max {row['load_max']:.2f}); "
            f"{rounds} round(s) of {seconds:g} s"
        )


if __name__ == "__main__":
    main()
