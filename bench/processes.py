"""LeNet's training step, each variant alone in its own process, in turn.

`bench/run.py` interleaves the variants in one process, where PyTorch's
OpenMP threads and XLA's thread pool share two cores between turns; here each
variant runs in a fresh process (after its compilation and warm-up, 2 s of
timed steps, the median of 0.25 s blocks), and the processes take turns,
round after round, so that a drift of the machine hits all alike. Medians over
rounds. typedlenet takes its lowering from the autotune cache, as a user's
second run does.

    python bench/processes.py [--rounds N] [--batches B ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

LABELS = {
    "a": "typedlenet (checks on)",
    "b": "positional equinox",
    "d": "PyTorch eager, 1 thread",
    "e": "PyTorch eager, 2 threads",
}


def worker(variant: str, batch: int, seconds: float) -> float:
    """Samples/s of one variant's training step, alone in this process."""
    import run  # the same variants as the in-process benchmark

    if variant == "a":
        step = run.typedlenet_variant(batch, "fast")[0]
    elif variant == "b":
        step = run.positional_variant(batch)[0]
    else:
        made = run.torch_variant(batch, 1 if variant == "d" else 2)
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
    return statistics.median(blocks)


def measure(batches: list[int], rounds: int) -> dict[int, dict[str, float]]:
    runs: dict[int, dict[str, list[float]]] = {b: {} for b in batches}
    for _ in range(rounds):
        for b in batches:
            for variant in LABELS:
                done = subprocess.run(
                    [sys.executable, __file__, "--worker", variant, "--batch", str(b)],
                    capture_output=True,
                    text=True,
                    check=False,
                    env=os.environ,
                )
                if done.returncode:
                    if "torch is not installed" in done.stderr:
                        continue
                    raise RuntimeError(f"{variant} b={b}: {done.stderr[-2000:]}")
                speed = json.loads(done.stdout.strip().splitlines()[-1])
                runs[b].setdefault(variant, []).append(speed)
    return {b: {k: statistics.median(v) for k, v in r.items()} for b, r in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worker", choices=sorted(LABELS))
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 128, 512])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.batch, 2.0)))
        return
    import jax
    from run import cpu_kind, write_section

    results = measure(args.batches, args.rounds)
    cols = [k for k in LABELS if k in next(iter(results.values()))]
    lines = [
        f"`python bench/processes.py --rounds {args.rounds}`: each variant alone in a fresh "
        "process (2 s of timed steps after warm-up, median of 0.25 s blocks), processes in "
        f"turn, medians of {args.rounds} rounds; jax {jax.__version__}. The ratio is against "
        "PyTorch's faster thread count.",
        "",
        "| samples/s | " + " | ".join(LABELS[k] for k in cols) + " | (a)/torch | (a)/(b) |",
        "|---|" + "---|" * (len(cols) + 2),
    ]
    for b, row in results.items():
        torch_best = max((row[k] for k in "de" if k in row), default=float("nan"))
        cells = ", ".join(f"{LABELS[k]} {v:,.0f}/s" for k, v in row.items())
        print(f"train b={b}: {cells}; typedlenet / faster torch {row['a'] / torch_best:.2f}×")
        lines.append(
            f"| train b={b} | "
            + " | ".join(f"{row[k]:,.0f}" for k in cols)
            + f" | {row['a'] / torch_best:.2f}× | {row['a'] / row['b']:.2f}× |"
        )
    write_section(f"LeNet, one process per variant, on {cpu_kind()}", "\n".join(lines))


if __name__ == "__main__":
    main()
