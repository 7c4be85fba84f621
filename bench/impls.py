"""Fast vs reference lowering of LeNet's layers: one jitted training-loss gradient
step and one inference pass, interleaved in one process; prints ratios.

    python bench/impls.py [--batch 128] [--repeats 20]
"""

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np

import typedlenet as tl


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    model = tl.LeNet(key=jax.random.PRNGKey(0))
    X0 = tl.named(
        jax.random.uniform(jax.random.PRNGKey(1), (args.batch, 1, 28, 28)),
        "batch channels height width",
    )
    target = tl.named(jax.nn.one_hot(jnp.arange(args.batch) % 10, 10), "batch class")

    def loss(m, X):
        return -tl.mean(tl.sum(target * m.log_probs(X), "class")).data

    grad = jax.jit(jax.grad(loss))
    infer = jax.jit(lambda m, X: m(X).data)
    variants = {impl: model.with_impl(impl) for impl in ("fast", "reference")}
    times: dict[tuple[str, str], list[float]] = {}
    for m in variants.values():  # compile outside the timing
        jax.block_until_ready(grad(m, X0))
        jax.block_until_ready(infer(m, X0))
    for _ in range(args.repeats):
        for impl, m in variants.items():
            for what, fn in (("train", grad), ("infer", infer)):
                start = time.perf_counter()
                jax.block_until_ready(fn(m, X0))
                times.setdefault((impl, what), []).append(time.perf_counter() - start)
    for what in ("train", "infer"):
        fast = np.median(times[("fast", what)])
        ref = np.median(times[("reference", what)])
        print(
            f"{what} b={args.batch}: fast {fast * 1e3:.2f} ms, reference {ref * 1e3:.2f} ms, "
            f"reference/fast = {ref / fast:.2f}x"
        )


if __name__ == "__main__":
    main()
