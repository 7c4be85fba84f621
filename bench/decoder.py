"""The decoder language model of examples/decoder_lm.py against the same model
written positionally (jnp arrays, einsum, a scan over stacked layers), jitted
training step (AdamW), interleaved in one process. Prints samples/s and the
ratio typedlenet / positional per batch size, and writes bench/decoder.json.

    python bench/decoder.py [--repeats N] [--hlo]

`--hlo` prints, per batch size, what XLA compiled for each step (op counts of
the optimized HLO and its cost analysis) instead of timing them; `--profile`
prints the XLA ops each step spends the most time in.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import pathlib
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

import typedlenet as tl

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from compiled import op_times, summary
from run import write_section

tl.tune_allocator()  # as `typedlenet train` does; see bench/NOTES.md

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("decoder_lm", ROOT / "examples/decoder_lm.py")
assert spec is not None and spec.loader is not None
example = importlib.util.module_from_spec(spec)
sys.modules["decoder_lm"] = example
spec.loader.exec_module(example)


def positional_params(model: Any) -> dict:
    """The typedlenet model's parameters as plain arrays in a fixed layout."""

    def a(x: tl.NamedArray, order: str) -> jax.Array:
        return x.align(order).data

    blocks = model.blocks.layers
    return {
        "E": a(model.tokens.E, "vocab embed"),
        "P": a(model.positions.E, "pos embed"),
        "g1": a(blocks.norm1.g, "layer embed"),
        "Wq": a(blocks.attention.Wq, "layer embed heads key"),
        "Wk": a(blocks.attention.Wk, "layer embed heads key"),
        "Wv": a(blocks.attention.Wv, "layer embed heads key"),
        "Wo": a(blocks.attention.Wo, "layer heads key embed"),
        "g2": a(blocks.norm2.g, "layer embed"),
        "W1": a(blocks.mlp.first.W, "layer embed hidden"),
        "b1": a(blocks.mlp.first.b, "layer hidden"),
        "W2": a(blocks.mlp.second.W, "layer hidden embed"),
        "b2": a(blocks.mlp.second.b, "layer embed"),
        "g": a(model.norm.g, "embed"),
    }


def rms_norm(x: jax.Array, g: jax.Array) -> jax.Array:
    return x / jnp.sqrt((x * x).mean(-1, keepdims=True) + 1e-6) * g


def positional_logits(p: dict, tokens: jax.Array) -> jax.Array:
    """(batch, seq) -> (batch, seq, vocab)."""
    n = tokens.shape[1]
    x = p["E"][tokens] + p["P"][:n][None]
    causal = jnp.arange(n)[:, None] >= jnp.arange(n)[None, :]

    def block(x: jax.Array, q: dict) -> tuple[jax.Array, None]:
        h = rms_norm(x, q["g1"])
        Q = jnp.einsum("bse,ehk->bhsk", h, q["Wq"])
        K = jnp.einsum("bse,ehk->bhsk", h, q["Wk"])
        V = jnp.einsum("bse,ehk->bhsk", h, q["Wv"])
        S = jnp.einsum("bhsk,bhtk->bhst", Q, K) / math.sqrt(Q.shape[-1])
        A = jax.nn.softmax(jnp.where(causal, S, jnp.finfo(S.dtype).min), -1)
        x = x + jnp.einsum("bhsk,hke->bse", jnp.einsum("bhst,bhtk->bhsk", A, V), q["Wo"])
        h = jax.nn.gelu(rms_norm(x, q["g2"]) @ q["W1"] + q["b1"])
        return x + h @ q["W2"] + q["b2"], None

    keys = ("g1", "Wq", "Wk", "Wv", "Wo", "g2", "W1", "b1", "W2", "b2")
    x, _ = jax.lax.scan(block, x, {k: p[k] for k in keys})
    return rms_norm(x, p["g"]) @ p["E"].T / math.sqrt(p["E"].shape[1])


def positional_loss(p: dict, tokens: jax.Array, targets: jax.Array, scored: jax.Array) -> jax.Array:
    """The next-token cross-entropy on the scored positions only."""
    logp = jax.nn.log_softmax(positional_logits(p, tokens), -1)
    nll = -jnp.take_along_axis(logp, targets[..., None], -1)[..., 0]
    w = jnp.broadcast_to(scored, nll.shape).astype(nll.dtype)
    return (w * nll).sum() / jnp.maximum(w.sum(), 1.0)


def variants(b: int, *, hlo: bool = False) -> dict[str, Callable[[], None]]:
    """The two training steps at batch size `b`, as callables that run one step each
    (state kept between calls), after checking that they compute one loss."""
    model = example.build()
    optimizer = optax.adamw(1e-3)
    tokens, targets, scored = jax.jit(example.batch, static_argnums=1)(jax.random.PRNGKey(1), b)
    typed = {"model": model, "state": optimizer.init(eqx.filter(model, eqx.is_array))}
    typed_step = jax.jit(tl.make_step(optimizer, example.loss))  # as the example trains

    params = positional_params(model)
    plain = {"p": params, "state": optimizer.init(params)}
    raw = (tokens.align("batch seq").data, targets.align("batch seq").data, scored.data)

    @jax.jit
    def plain_step(p, state, x, y, m):
        loss, g = jax.value_and_grad(positional_loss)(p, x, y, m)
        updates, state = optimizer.update(g, state, p)
        return optax.apply_updates(p, updates), state, loss

    # the two compute the same loss on the same parameters
    named_loss = float(example.loss(model, tokens, targets, scored).data)
    plain_loss = float(positional_loss(params, *raw))
    assert abs(named_loss - plain_loss) < 1e-5, (named_loss, plain_loss)
    if hlo:
        for name, fn, args in (
            ("typedlenet", typed_step, (model, typed["state"], tokens, targets, scored)),
            ("positional", plain_step, (params, plain["state"], *raw)),
        ):
            print(f"  {name}: {summary(fn.lower(*args).compile())}")

    def run_typed() -> None:
        typed["model"], typed["state"], loss = typed_step(
            typed["model"], typed["state"], tokens, targets, scored
        )
        loss.block_until_ready()

    def run_plain() -> None:
        plain["p"], plain["state"], loss = plain_step(plain["p"], plain["state"], *raw)
        loss.block_until_ready()

    return {"typedlenet": run_typed, "positional": run_plain}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--hlo", action="store_true", help="print what XLA compiled; no timing")
    parser.add_argument("--profile", action="store_true", help="print each step's costliest ops")
    args = parser.parse_args()
    results = {}
    for b in (64, 256):
        if args.hlo:
            print(f"train b={b} seq={example.LENGTH}:")
            variants(b, hlo=True)
            continue
        if args.profile:
            for name, run in variants(b).items():
                top = ", ".join(f"{op} {us:,.0f} us" for us, op in op_times(run)[:6])
                print(f"train b={b} seq={example.LENGTH}, {name}: {top}")
            continue
        runs = variants(b)
        for run in runs.values():
            run()
            run()
        rates: dict[str, list[float]] = {k: [] for k in runs}
        for _ in range(args.repeats):
            for name, run in runs.items():
                start = time.perf_counter()
                for _ in range(10):
                    run()
                rates[name].append(10 * b / (time.perf_counter() - start))
        med = {k: statistics.median(v) for k, v in rates.items()}
        ratio = med["typedlenet"] / med["positional"]
        results[f"b={b} seq={example.LENGTH}"] = {**med, "ratio": ratio}
        print(
            f"train b={b} seq={example.LENGTH}: typedlenet {med['typedlenet']:,.0f} samples/s, "
            f"positional {med['positional']:,.0f} samples/s: {ratio:.2f}×"
        )
    if args.hlo or args.profile:
        return
    (ROOT / "bench/decoder.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "`python bench/decoder.py`: examples/decoder_lm.py's causal decoder (2 blocks, embed "
        "64, 4 heads, RMS norms, tied readout, loss on the copied half) against the same model "
        "written positionally (jnp, einsum, a scan over stacked layers), jitted AdamW training "
        f"step, interleaved, median of {args.repeats} rounds; both compute the same loss on "
        "the same parameters (checked to 1e-5).",
        "",
        "| samples/s | typedlenet | positional JAX | typedlenet / positional |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| train {k} | {v['typedlenet']:,.0f} | {v['positional']:,.0f} | {v['ratio']:.2f}× |"
        for k, v in results.items()
    ]
    write_section("Decoder LM: names against positions", "\n".join(lines))


if __name__ == "__main__":
    main()
