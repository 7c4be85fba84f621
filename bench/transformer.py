"""The Transformer of examples/transformer_reverse.py against the same model
written positionally (jnp arrays, einsum, a scan over stacked layers), jitted
training step (AdamW), interleaved in one process. Prints samples/s and the
ratio typedlenet / positional per shape, and writes bench/transformer.json.

    python bench/transformer.py [--repeats N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pathlib
import statistics
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import optax

import typedlenet as tl

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from run import write_section

tl.tune_allocator()  # as `typedlenet train` does; see bench/NOTES.md

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location(
    "transformer_reverse", ROOT / "examples/transformer_reverse.py"
)
assert spec is not None and spec.loader is not None
example = importlib.util.module_from_spec(spec)
sys.modules["transformer_reverse"] = example
spec.loader.exec_module(example)


def positional_params(model: example.Encoder) -> dict:
    """The typedlenet model's parameters as plain arrays in a fixed layout."""

    def a(x: tl.NamedArray, order: str) -> jax.Array:
        return x.align(order).data

    blocks = model.blocks.layers
    return {
        "E": a(model.tokens.E, "vocab embed"),
        "P": a(model.positions.E, "pos embed"),
        "g1": a(blocks.norm1.g, "layer embed"),
        "c1": a(blocks.norm1.b, "layer embed"),
        "Wq": a(blocks.attention.Wq, "layer embed heads key"),
        "Wk": a(blocks.attention.Wk, "layer embed heads key"),
        "Wv": a(blocks.attention.Wv, "layer embed heads key"),
        "Wo": a(blocks.attention.Wo, "layer heads key embed"),
        "g2": a(blocks.norm2.g, "layer embed"),
        "c2": a(blocks.norm2.b, "layer embed"),
        "W1": a(blocks.mlp.first.W, "layer embed hidden"),
        "b1": a(blocks.mlp.first.b, "layer hidden"),
        "W2": a(blocks.mlp.second.W, "layer hidden embed"),
        "b2": a(blocks.mlp.second.b, "layer embed"),
        "g": a(model.norm.g, "embed"),
        "c": a(model.norm.b, "embed"),
        "R": a(model.readout.W, "embed vocab"),
        "r": a(model.readout.b, "vocab"),
    }


def layer_norm(x: jax.Array, g: jax.Array, c: jax.Array) -> jax.Array:
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / jnp.sqrt(x.var(-1, keepdims=True) + 1e-5) * g + c


def positional_logits(p: dict, digits: jax.Array) -> jax.Array:
    """(batch, seq) -> (batch, seq, vocab)."""
    x = p["E"][digits] + p["P"][: digits.shape[1]][None]

    def block(x: jax.Array, q: dict) -> tuple[jax.Array, None]:
        h = layer_norm(x, q["g1"], q["c1"])
        Q = jnp.einsum("bse,ehk->bhsk", h, q["Wq"])
        K = jnp.einsum("bse,ehk->bhsk", h, q["Wk"])
        V = jnp.einsum("bse,ehk->bhsk", h, q["Wv"])
        A = jax.nn.softmax(jnp.einsum("bhsk,bhtk->bhst", Q, K) / jnp.sqrt(Q.shape[-1]), -1)
        x = x + jnp.einsum("bhsk,hke->bse", jnp.einsum("bhst,bhtk->bhsk", A, V), q["Wo"])
        h = jax.nn.gelu(layer_norm(x, q["g2"], q["c2"]) @ q["W1"] + q["b1"])
        return x + h @ q["W2"] + q["b2"], None

    keys = ("g1", "c1", "Wq", "Wk", "Wv", "Wo", "g2", "c2", "W1", "b1", "W2", "b2")
    x, _ = jax.lax.scan(block, x, {k: p[k] for k in keys})
    return layer_norm(x, p["g"], p["c"]) @ p["R"] + p["r"]


def positional_loss(p: dict, digits: jax.Array, target: jax.Array) -> jax.Array:
    logp = jax.nn.log_softmax(positional_logits(p, digits), -1)
    return -jnp.take_along_axis(logp, target[..., None], -1).mean()


def variants(b: int, n: int) -> dict:
    model = example.Encoder(jax.random.PRNGKey(0))
    optimizer = optax.adamw(1e-3)
    key = jax.random.PRNGKey(1)
    digits = jax.random.randint(key, (b, n), 0, example.VOCAB)
    named = tl.named(digits, "batch seq")
    target = tl.named(digits[:, ::-1], "batch seq")
    typed = {"model": model, "state": optimizer.init(eqx.filter(model, eqx.is_array))}
    typed_step = jax.jit(tl.make_step(optimizer, example.loss))  # as the example trains

    def run_typed() -> None:
        typed["model"], typed["state"], loss = typed_step(
            typed["model"], typed["state"], named, target
        )
        loss.block_until_ready()

    params = positional_params(model)
    plain = {"p": params, "state": optimizer.init(params)}

    @jax.jit
    def plain_step(p, state, x, y):
        loss, g = jax.value_and_grad(positional_loss)(p, x, y)
        updates, state = optimizer.update(g, state, p)
        return optax.apply_updates(p, updates), state, loss

    def run_plain() -> None:
        plain["p"], plain["state"], loss = plain_step(
            plain["p"], plain["state"], digits, target.data
        )
        loss.block_until_ready()

    # the two compute the same loss on the same parameters
    assert (
        abs(
            float(example.loss(model, named, target))
            - float(positional_loss(params, digits, target.data))
        )
        < 1e-4
    )
    return {"typedlenet": run_typed, "positional": run_plain}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    results = {}
    for b, n in ((128, 8), (512, 8)):
        runs = variants(b, n)
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
        results[f"b={b} seq={n}"] = {**med, "ratio": ratio}
        print(
            f"train b={b} seq={n}: typedlenet {med['typedlenet']:,.0f} samples/s, positional "
            f"{med['positional']:,.0f} samples/s: {ratio:.2f}×"
        )
    (ROOT / "bench/transformer.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "`python bench/transformer.py`: examples/transformer_reverse.py's encoder (2 blocks, "
        "embed 64, 4 heads) against the same model written positionally (jnp, einsum, a scan "
        f"over stacked layers), jitted AdamW training step, interleaved, median of "
        f"{args.repeats} rounds; both compute the same loss on the same parameters (checked).",
        "",
        "| samples/s | typedlenet | positional JAX | typedlenet / positional |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| train {k} | {v['typedlenet']:,.0f} | {v['positional']:,.0f} | {v['ratio']:.2f}× |"
        for k, v in results.items()
    ]
    write_section("Transformer: names against positions", "\n".join(lines))


if __name__ == "__main__":
    main()
