"""Abstract verification against compilation: how long `typedlenet.verify` takes
for LeNet's forward pass and its training step, against jit-compiling and running
one training step, all in one process. Prints medians and ratios.

    python bench/verify.py [--batch 128] [--repeats 5]
"""

import argparse
import statistics
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

import typedlenet as tl


def timed(fn) -> float:
    start = time.perf_counter()
    jax.block_until_ready(fn())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    model = tl.LeNet(key=jax.random.PRNGKey(0))
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    X0 = tl.named(
        jax.random.uniform(jax.random.PRNGKey(1), (args.batch, 1, 28, 28)),
        "batch channels height width",
    )
    labels = tl.named(jnp.arange(args.batch, dtype=jnp.int32) % 10, "batch")
    step = tl.make_step(optimizer)

    def forward_only():
        jax.clear_caches()
        return jax.eval_shape(lambda m, X: m.forward(X), model, X0)["O"].data

    def verify_all():
        jax.clear_caches()
        tl.verify(model, batch="b")
        return jnp.zeros(())

    def compile_and_step():
        jax.clear_caches()
        out = eqx.filter_jit(step)(model, opt_state, X0, labels)
        return out[2]

    compiled = eqx.filter_jit(step)
    compiled(model, opt_state, X0, labels)

    results: dict[str, list[float]] = {}
    for _ in range(args.repeats):
        for name, fn in (
            ("verify forward (abstract)", forward_only),
            ("verify forward + training step (abstract, symbolic batch)", verify_all),
            ("jit compile + first training step", compile_and_step),
        ):
            results.setdefault(name, []).append(timed(fn))
        results.setdefault("one compiled training step", []).append(
            timed(lambda: compiled(model, opt_state, X0, labels)[2])
        )
    base = statistics.median(results["jit compile + first training step"])
    print(f"b={args.batch}, medians of {args.repeats} interleaved runs")
    for name, times in results.items():
        t = statistics.median(times)
        print(f"  {name:60s} {t * 1e3:9.1f} ms  {t / base:6.3f}x of compile + first step")


if __name__ == "__main__":
    main()
