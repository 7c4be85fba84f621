"""The cost of data parallelism on forced CPU devices, interleaved in one process.

The machine's cores are split into 4 XLA CPU devices
(`--xla_force_host_platform_device_count=4`, set here), so a mesh cannot be
faster than one device: this measures what sharding costs (collectives,
partitioned programs), not a speed-up. Variants: one device without a mesh,
then meshes of 1, 2 and 4 devices with `batch` split by name and parameters
replicated. Writes bench/sharding.json and the "Data parallel" section of
BENCHMARKS.md.

    python bench/sharding.py [--repeats N]
"""

from __future__ import annotations

import os

_FLAG = "--xla_force_host_platform_device_count"
if _FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}=4".strip()

import argparse  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402

import equinox as eqx  # noqa: E402
import jax  # noqa: E402
import optax  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from run import ROOT, interleaved, synthetic, write_section  # noqa: E402

import typedlenet as tl  # noqa: E402

tl.tune_allocator()  # as `typedlenet train` does; see bench/NOTES.md

BATCH = {"batch": "data"}


def variant(b: int, devices: int | None) -> Callable[[], None]:
    """One training step at batch `b`: on one device (`None`) or a mesh of `devices`."""
    x, y = synthetic(b)
    X0 = tl.named(x, "batch channels height width")
    labels = tl.named(y, "batch")
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    optimizer = optax.adam(1e-3)
    state = [model, optimizer.init(eqx.filter(model, eqx.is_array))]
    if devices is None:
        step = jax.jit(tl.make_step(optimizer))
    else:
        mesh = tl.data_mesh(devices)
        step = jax.jit(tl.make_step(optimizer), out_shardings=tl.replicated(mesh))
        state = list(tl.replicate(tuple(state), mesh))
        X0, labels = tl.shard(X0, mesh, BATCH), tl.shard(labels, mesh, BATCH)

    def train_step() -> None:
        state[0], state[1], loss = step(state[0], state[1], X0, labels)
        loss.block_until_ready()

    return train_step


NAMES = {"none": "1 device, no mesh", 1: "mesh of 1", 2: "mesh of 2", 4: "mesh of 4"}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    for b in (128, 512):
        fns = {str(k): variant(b, None if k == "none" else k) for k in NAMES}
        results[str(b)] = interleaved(fns, b, max(1, 2048 // b), args.repeats)
        print(f"train b={b}: " + ", ".join(f"{k} {v:,.0f}/s" for k, v in results[str(b)].items()))
    (ROOT / "bench" / "sharding.json").write_text(json.dumps(results, indent=2))
    lines = [
        f"`python bench/sharding.py`: {jax.device_count()} forced CPU devices on "
        f"{os.cpu_count()} cores, jax {jax.__version__}. Training steps per second × batch, "
        "interleaved; ratio against one device without a mesh in the same run. The devices "
        "share the same cores, so this is the cost of sharding, not a speed-up.",
        "",
        "| samples/s | " + " | ".join(NAMES.values()) + " |",
        "|---|" + "---|" * len(NAMES),
    ]
    for b, row in results.items():
        base = row["none"]
        lines.append(
            f"| train b={b} | "
            + " | ".join(f"{row[str(k)]:,.0f} ({row[str(k)] / base:.2f}×)" for k in NAMES)
            + " |"
        )
    write_section("Data parallel on forced CPU devices", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
