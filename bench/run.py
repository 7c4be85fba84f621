"""LeNet speed, interleaved in one process: typedlenet against its baselines.

Variants, timed in turn (A B C D A B C D ...) so that machine noise hits all alike:
  (a) typedlenet LeNet, checks on (the default lowering)
  (b) a hand-written positional equinox LeNet (`lax.conv`, `reduce_window`)
  (c) typedlenet's seed-literal path (`impl="reference"`)
  (d) PyTorch eager (skipped, with a message, when torch is not installed)

Writes BENCHMARKS.md and bench/results.json. Ratios against the baselines
measured in the same run are the claims; absolute numbers vary by ±20%.

    python bench/run.py [--quick] [--repeats N]
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from baselines import PositionalLeNet, positional_step, torch_lenet
from flops import peak_flops, step_flops
from startup import measure as startup_times

import typedlenet as tl
from typedlenet.lenet import tune
from typedlenet.runtime import machine

tl.tune_allocator()  # as `typedlenet train` does; see bench/NOTES.md

ROOT = pathlib.Path(__file__).resolve().parent.parent
LR = 1e-3


def synthetic(b: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((b, 1, 28, 28), np.float32), rng.integers(0, 10, b).astype(np.int32)


PLANS: dict[str, str] = {}  # the autotune's choice for each shape, for the report
FLOPS: dict[int, float] = {}  # XLA's count of one typedlenet training step's flops, by batch


def typedlenet_variant(b: int, impl: str) -> tuple[Callable[[], None], Callable[[], None]]:
    """(one training step, one inference pass) closures for typedlenet; the fast
    path takes its lowering from the autotune (measured once per machine and
    shape, then cached), as `typedlenet train` does."""
    x, y = synthetic(b)
    X0 = tl.named(x, "batch channels height width")
    labels = tl.named(y, "batch")
    model = tl.LeNet(key=jax.random.PRNGKey(0), impl=impl)
    optimizer = optax.adam(LR)
    inference_model = model
    if impl == "fast":
        tuned, tuned_inference = tune(model, b, optimizer), tune(model, b, None)
        model, inference_model = tuned.model, tuned_inference.model
        PLANS[f"train b={b}"] = tuned.plan.describe()
        PLANS[f"inference b={b}"] = tuned_inference.plan.describe()
    state = {"model": model, "opt": optimizer.init(eqx.filter(model, eqx.is_array))}
    step = jax.jit(tl.make_step(optimizer))
    infer = jax.jit(lambda m, X: m.logits(X))
    if impl == "fast":
        FLOPS[b] = step_flops(step, state["model"], state["opt"], X0, labels)

    def train_step() -> None:
        state["model"], state["opt"], loss = step(state["model"], state["opt"], X0, labels)
        loss.block_until_ready()

    def inference() -> None:
        infer(inference_model, X0).data.block_until_ready()

    return train_step, inference


def positional_variant(b: int) -> tuple[Callable[[], None], Callable[[], None]]:
    x, y = synthetic(b)
    xj, yj = jnp.asarray(x), jnp.asarray(y)
    model = PositionalLeNet(jax.random.PRNGKey(0))
    optimizer = optax.adam(LR)
    state = {"model": model, "opt": optimizer.init(eqx.filter(model, eqx.is_array))}
    step = positional_step(optimizer)
    infer = jax.jit(lambda m, x: m.logits(x))

    def train_step() -> None:
        state["model"], state["opt"], loss = step(state["model"], state["opt"], xj, yj)
        loss.block_until_ready()

    def inference() -> None:
        infer(state["model"], xj).block_until_ready()

    return train_step, inference


def torch_variant(b: int, threads: int) -> tuple[Callable[[], None], Callable[[], None]] | None:
    """PyTorch eager on `threads` threads (set before each call: the variants
    alternate in one process)."""
    Net = torch_lenet()
    if Net is None:
        return None
    import torch

    torch.manual_seed(0)
    x, y = synthetic(b)
    device = "cuda" if jax.default_backend() == "gpu" and torch.cuda.is_available() else "cpu"
    if device == "cuda" and threads != 1:
        return None  # host threads do not matter to a GPU: one PyTorch variant
    xt, yt = torch.from_numpy(x).to(device), torch.from_numpy(y).long().to(device)
    net = Net().to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def train_step() -> None:
        torch.set_num_threads(threads)
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(xt), yt)
        loss.backward()
        optimizer.step()
        sync()

    def inference() -> None:
        torch.set_num_threads(threads)
        with torch.no_grad():
            net(xt)
        sync()

    return train_step, inference


NAMES = {
    "a": "typedlenet (checks on)",
    "b": "positional equinox",
    "c": "typedlenet seed-literal",
    "d": "PyTorch eager, 1 thread",
    "e": "PyTorch eager, 2 threads",
}


def variants(b: int) -> dict[str, tuple[Callable[[], None], Callable[[], None]]]:
    out = {
        "a": typedlenet_variant(b, "fast"),
        "b": positional_variant(b),
        "c": typedlenet_variant(b, "reference"),
    }
    for key, threads in (("d", 1), ("e", 2)):
        torch_v = torch_variant(b, threads)
        if torch_v is not None:
            out[key] = torch_v
    return out


def interleaved(
    fns: dict[str, Callable[[], None]], samples: int, steps: int, repeats: int
) -> dict[str, float]:
    """Median samples/s of each function, timed in turn `repeats` times."""
    for fn in fns.values():  # compile and warm up
        fn()
        fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for key, fn in fns.items():
            start = time.perf_counter()
            for _ in range(steps):
                fn()
            times[key].append((time.perf_counter() - start) / steps)
    return {k: samples / statistics.median(v) for k, v in times.items()}


def cpu_kind() -> str:
    """The CPU as the autotune identifies it (`typedlenet.lenet._tune.machine`):
    model name, family and model numbers (AMD's "AMD EPYC" alone does not tell
    Zen 4 from Zen 5) and its widest vector units."""
    info = machine()
    flags = set(info["vector"])
    units = [u for u in ("avx512f", "avx512_bf16", "avx_vnni", "amx_tile") if u in flags] or [
        u for u in ("avx2", "avx", "sse4_2") if u in flags
    ][:1]
    return (
        f"{info['cpu']} (family {info['family'] or '?'}, model {info['model'] or '?'}; "
        f"{', '.join(units) or 'no AVX'})"
    )


def cpu_model() -> str:
    """The CPU, for the other benchmark scripts' headers (see `cpu_kind`)."""
    return cpu_kind()


def eager_overhead() -> dict[str, float]:
    """Seconds per un-jitted forward pass (b=1): typedlenet with checks on and off,
    and the positional equinox LeNet run op by op, interleaved (median of 7 rounds)."""
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    positional = PositionalLeNet(jax.random.PRNGKey(0))
    x = synthetic(1)[0]
    X0 = tl.named(x, "batch channels height width")
    x = jnp.asarray(x)
    calls = {
        "on": lambda: model(X0).data,
        "off": lambda: model(X0).data,
        "positional": lambda: jax.nn.softmax(positional.logits(x), -1),
    }
    rounds: dict[str, list[float]] = {k: [] for k in calls}
    for _ in range(7):
        for name, call in calls.items():
            with tl.checks(name != "off"):
                call().block_until_ready()  # the first call of a shape compiles
                start = time.perf_counter()
                for _ in range(20):
                    call().block_until_ready()
                rounds[name].append((time.perf_counter() - start) / 20)
    return {k: statistics.median(v) for k, v in rounds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, b=128 only")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--batches", type=int, nargs="+", help="training batch sizes (default 64 128 512)"
    )
    args = parser.parse_args()
    repeats = 3 if args.quick else args.repeats
    if jax.default_backend() == "gpu":
        NAMES["d"] = "PyTorch eager (CUDA)"
    results: dict[str, object] = {}
    if torch_lenet() is None:
        print("PyTorch is not installed: variant (d) is skipped (pip install torch)")

    train = {}
    for b in args.batches or ((128,) if args.quick else (64, 128, 512)):
        fns = {k: v[0] for k, v in variants(b).items()}
        steps = max(1, 2048 // b)
        train[b] = interleaved(fns, b, steps, repeats)
        print(f"train b={b}: " + ", ".join(f"{NAMES[k]} {v:,.0f}/s" for k, v in train[b].items()))
    results["train_samples_per_s"] = train

    b = 1024
    fns = {k: v[1] for k, v in variants(b).items()}
    results["inference_samples_per_s"] = {b: interleaved(fns, b, 3, repeats)}
    print(
        "inference b=1024: "
        + ", ".join(
            f"{NAMES[k]} {v:,.0f}/s" for k, v in results["inference_samples_per_s"][b].items()
        )
    )

    if jax.default_backend() == "cpu":
        results["startup_s"] = startup_times(rounds=1 if args.quick else 3)
    results["plans"] = dict(PLANS)
    peak, how = peak_flops()
    results["flops"] = {"step": dict(FLOPS), "peak": peak, "peak_assumption": how}
    start = time.perf_counter()
    tl.verify(eqx.filter_eval_shape(lambda: tl.LeNet(key=jax.random.PRNGKey(0))))
    results["verify_s"] = time.perf_counter() - start
    results["eager_forward_s"] = eager_overhead()
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    torch_version = None
    if "d" in train[next(iter(train))]:
        import torch

        torch_version = f"{torch.__version__} (default threads {torch.get_num_threads()})"
    info = machine()
    results["meta"] = {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu_kind(),
        "vector": info["vector"],
        "device": info["device"],
        "machine": f"{platform.machine()}, {jax.local_device_count()} JAX "
        f"{jax.default_backend().upper()} device(s), {__import__('os').cpu_count()} cores",
        "python": platform.python_version(),
        "jax": jax.__version__,
        "torch": torch_version,
        "command": "python bench/run.py" + (" --quick" if args.quick else ""),
    }
    name = "results.json" if jax.default_backend() == "cpu" else "results-gpu.json"
    (ROOT / "bench" / name).write_text(json.dumps(results, indent=2, default=str))
    title = f"LeNet on {results['meta']['cpu']}"
    if jax.default_backend() != "cpu":
        title = f"LeNet on {jax.devices()[0].device_kind} ({jax.default_backend().upper()})"
    write_section(title, report(results))
    print(report(results))


def write_section(title: str | None, text: str) -> None:
    """Put `text` into BENCHMARKS.md: as its main part (`title` None) or as the
    section `## title`, keeping what the other benchmark scripts (and runs on
    other CPU kinds) wrote."""
    path = ROOT / "BENCHMARKS.md"
    old = path.read_text() if path.exists() else ""
    parts = old.split("\n## ")
    sections = {p.split("\n", 1)[0]: p for p in parts[1:]}
    main = parts[0].rstrip("\n") + "\n"
    if title is None:
        main = text.rstrip("\n") + "\n"
    else:
        sections[title] = f"{title}\n\n{text.strip()}\n"
    path.write_text(main + "".join(f"\n## {body.rstrip()}\n" for body in sections.values()))


def report(r: dict) -> str:
    train = r["train_samples_per_s"]
    inference = r["inference_samples_per_s"][1024]
    cols = [k for k in "abcde" if k in next(iter(train.values()))]
    torch_cols = [k for k in "de" if k in cols]
    meta = r["meta"]
    lines = [
        f"`{meta['command']}` on {meta['date']}: {meta['machine']}; vector extensions "
        f"{' '.join(meta['vector']) or 'none'}; Python {meta['python']}, jax {meta['jax']}, "
        f"torch {meta['torch']}. Medians of interleaved runs in one process; the ratios are "
        "the claims. (a)/torch is against PyTorch's faster thread count in that row.",
        "",
        "| samples/s | "
        + " | ".join(NAMES[k] for k in cols)
        + " | (a)/torch | (a)/(b) | (a) GFLOP/s (of peak) | typedlenet's lowering (autotuned) |",
        "|---|" + "---|" * (len(cols) + 4),
    ]
    flops = r.get("flops", {})

    def achieved(label, row):
        b = int(label.split("=")[1]) if label.startswith("train") else None
        count = flops.get("step", {}).get(b) or flops.get("step", {}).get(str(b))
        if not count or "a" not in row or not flops.get("peak"):
            return "—"
        rate = count * row["a"] / b  # flops a step x steps a second
        return f"{rate / 1e9:,.1f} ({rate / flops['peak']:.1%})"

    def ratio(row, x, ys):
        ys = [y for y in ys if y in row]
        return f"{row[x] / max(row[y] for y in ys):.2f}×" if x in row and ys else "—"

    def line(label, row):
        return (
            f"| {label} | "
            + " | ".join(f"{row[k]:,.0f}" for k in cols)
            + f" | {ratio(row, 'a', torch_cols)} | {ratio(row, 'a', ['b'])} | "
            + f"{achieved(label, row)} | {r['plans'].get(label, '—')} |"
        )

    for b, row in train.items():
        lines.append(line(f"train b={b}", row))
    lines.append(line("inference b=1024", inference))
    eager = r["eager_forward_s"]
    lines.append("")
    if flops.get("peak"):
        lines += [
            "GFLOP/s: XLA's count of the training step's floating-point operations "
            "(`cost_analysis()['flops']`) over the measured step time, against a nominal "
            f"fp32 peak of {flops['peak'] / 1e9:,.0f} GFLOP/s ({flops['peak_assumption']}; "
            "bench/flops.py states the assumption).",
            "",
        ]
    if "startup_s" in r:
        lines += [
            "What a user waits for (`python bench/startup.py`: fresh processes, from process "
            "start, mnist-5k at b=128, medians):",
            "",
            "| | first finished step | end of the first epoch (36 steps) |",
            "|---|---|---|",
            *(
                f"| {label} | {v['first_step_s']:.2f} s | {v['first_epoch_s']:.2f} s |"
                for label, v in r["startup_s"].items()
            ),
            "",
        ]
    lines += [
        f"- Abstract verification of forward pass and training step: {r['verify_s']:.2f} s.",
        f"- Eager (un-jitted) forward pass, b=1: checks on {eager['on'] * 1e3:.2f} ms, off "
        f"{eager['off'] * 1e3:.2f} ms; the positional equinox LeNet op by op "
        f"{eager['positional'] * 1e3:.2f} ms: {eager['on'] / eager['positional']:.2f}× with "
        "checks on (LeNet's eager calls run as one compiled call, checked while tracing).",
        f"- Peak RSS of the benchmark process: {r['peak_rss_mb']:.0f} MB.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
