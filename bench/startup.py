"""What a user waits for: from process start to the first finished training step,
and to the end of the first epoch, each in a fresh process.

Each worker is a new Python process that imports its framework, loads mnist-5k,
builds LeNet and Adam, and trains one epoch at batch 128 (36 steps), as
`typedlenet train` does: typedlenet verifies the step abstractly and takes its
lowering from the autotune cache first. Times are from the moment the parent
starts the process (`time.time()` passed along), so interpreter start-up and
imports count. Workers run in turn, round after round; medians are reported.

typedlenet is measured twice, with the compilation cache on as `typedlenet train`
has it: with empty caches (its first run on a machine, which measures the
lowering candidates and compiles everything) and with warm ones (every later
run: the choice and the compiled programs read from disk). The positional
LeNet is measured without a compilation cache (JAX's default) and with a warm
one, given the same settings.

`own script` is the loop a README reader writes (`tl.LeNet(key=...)`, a loss
over `m.logits(X)`, `optax.adam`, `eqx.filter_jit`), with no other typedlenet
call and empty caches: for it the phases are reported too (imports done, model
built, first step done), to show where its seconds go.

    python bench/startup.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
BATCH = 128


def worker(mode: str, t0: float) -> dict[str, float]:
    import numpy as np

    from typedlenet.train import data

    dataset = data.load("mnist-5k")
    x = dataset.train_images.astype(np.float32)[:, None] / 255.0
    y = dataset.train_labels.astype(np.int32)
    batches = [(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(y) - BATCH + 1, BATCH)]
    if mode == "own":
        return own_script(batches, t0)
    if mode == "torch":
        import torch

        sys.path.insert(0, str(HERE))
        from baselines import torch_lenet

        torch.set_num_threads(int(os.environ.get("BENCH_TORCH_THREADS", "1")))
        torch.manual_seed(0)
        net = torch_lenet()()  # pyright: ignore[reportOptionalCall]
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)

        def step(xb, yb):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(
                net(torch.from_numpy(xb)), torch.from_numpy(yb).long()
            )
            loss.backward()
            optimizer.step()
            return loss.item()

    else:
        import equinox as eqx
        import jax
        import optax

        import typedlenet as tl

        tl.tune_allocator()  # as the command line does, before the backend starts
        if mode == "typedlenet" or os.environ.get("BENCH_JAX_CACHE"):
            given = os.environ.get("BENCH_JAX_CACHE")
            tl.use_compilation_cache(pathlib.Path(given) if given else None)  # as it does too
        optimizer = optax.adam(1e-3)
        if mode == "positional":
            sys.path.insert(0, str(HERE))
            from baselines import PositionalLeNet, positional_step

            state = [PositionalLeNet(jax.random.PRNGKey(0))]
            jstep = positional_step(optimizer)
        else:
            from typedlenet.lenet import tune

            model = tl.LeNet(key=jax.random.PRNGKey(0))
            tl.verify(model, batch="b", optimizer=optimizer)
            model = tune(model, BATCH, optimizer, measure=False).model  # as train: no waiting
            state = [model]
            make = jax.jit(tl.make_step(optimizer))

            def jstep(m, o, xb, yb):
                X0 = tl.named(xb, "batch channels height width")
                return make(m, o, X0, tl.named(yb, "batch"))

        state.append(optimizer.init(eqx.filter(state[0], eqx.is_inexact_array)))

        def step(xb, yb):
            state[0], state[1], loss = jstep(state[0], state[1], xb, yb)
            return float(loss)

    out: dict[str, float] = {}
    for i, (xb, yb) in enumerate(batches):
        step(xb, yb)
        if i == 0:
            out["first_step_s"] = time.time() - t0
    out["first_epoch_s"] = time.time() - t0
    return out


def own_script(batches: list, t0: float) -> dict[str, float]:
    """The README reader's loop: no allocator call, no cache, no verify, no tune."""
    import equinox as eqx
    import jax
    import optax

    import typedlenet as tl

    out = {"imported_s": time.time() - t0}
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    out["model_built_s"] = time.time() - t0

    sys.path.insert(0, str(HERE))
    from own_loop import readme_step

    step = readme_step(optimizer)
    for i, (xb, yb) in enumerate(batches):
        X, y = tl.named(xb, "batch channels height width"), tl.named(yb, "batch")
        model, opt_state, value = step(model, opt_state, X, y)
        float(value)
        if i == 0:
            out["first_step_s"] = time.time() - t0
    out["first_epoch_s"] = time.time() - t0
    return out


def measure(rounds: int = 3) -> dict[str, dict[str, float]]:
    """Medians over `rounds` of each worker's times, from process start."""
    runs: dict[str, list[dict[str, float]]] = {}
    for _ in range(rounds):
        warm = tempfile.mkdtemp(prefix="typedlenet-bench-cache-")
        jax_cache = {"BENCH_JAX_CACHE": tempfile.mkdtemp(prefix="typedlenet-bench-xla-")}
        order = [
            ("typedlenet, empty caches", "typedlenet", {"TYPEDLENET_CACHE_DIR": warm}),
            ("typedlenet, warm caches", "typedlenet", {"TYPEDLENET_CACHE_DIR": warm}),
            ("own script, empty caches", "own", {"TYPEDLENET_CACHE_DIR": tempfile.mkdtemp()}),
            ("positional equinox", "positional", {}),
            ("", "positional", jax_cache),  # fills the cache for the next: not reported
            ("positional equinox, warm JAX compilation cache", "positional", jax_cache),
            ("PyTorch eager, 1 thread", "torch", {"BENCH_TORCH_THREADS": "1"}),
            ("PyTorch eager, 2 threads", "torch", {"BENCH_TORCH_THREADS": "2"}),
        ]
        for label, mode, env in order:
            t0 = time.time()
            done = subprocess.run(
                [sys.executable, __file__, "--worker", mode, "--t0", repr(t0)],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                if mode == "torch" and "No module named 'torch'" in done.stderr:
                    continue
                raise RuntimeError(f"{label}: {done.stderr[-2000:]}")
            if label:
                runs.setdefault(label, []).append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {
        label: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for label, rs in runs.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--worker", choices=("typedlenet", "own", "positional", "torch"))
    parser.add_argument("--t0", type=float)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.t0)))
        return
    results = measure(args.rounds)
    for label, r in results.items():
        phases = "".join(
            f", {k[:-2].replace('_', ' ')} at {r[k]:.2f} s"
            for k in ("imported_s", "model_built_s")
            if k in r
        )
        print(
            f"{label}: first step {r['first_step_s']:.2f} s, "
            f"first epoch {r['first_epoch_s']:.2f} s{phases}"
        )


if __name__ == "__main__":
    main()
