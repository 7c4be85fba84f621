"""Time to 88% test accuracy on full Fashion-MNIST: typedlenet against PyTorch eager.

Both train the same LeNet with Adam (lr 1e-3), batch 64, the same shuffled
order, evaluating on the 10,000 test images after each epoch, until the test
accuracy reaches 88% (or `--max-epochs`). Prints seconds per epoch and to 88%.

    python bench/fashion.py [--max-epochs 8]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from baselines import torch_lenet
from run import write_section

import typedlenet as tl
from typedlenet.train import data

tl.tune_allocator()  # as `typedlenet train` does; see bench/NOTES.md

TARGET, BATCH, LR = 0.88, 64, 1e-3


def typedlenet_run(d: data.Dataset, max_epochs: int) -> dict:
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    optimizer = optax.adam(LR)
    opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
    step = jax.jit(tl.make_step(optimizer))
    predict = jax.jit(lambda m, X: tl.argmax(m.logits(X), "class").data)
    epochs, start = [], time.perf_counter()
    for epoch in range(max_epochs):
        t0 = time.perf_counter()
        loss = jnp.zeros(())
        for X0, y in data.batches(d.train_images, d.train_labels, BATCH, seed=epoch):
            model, opt_state, loss = step(model, opt_state, X0, y)
        loss.block_until_ready()
        seconds = time.perf_counter() - t0
        correct = sum(
            int(jnp.sum(predict(model, X0) == y.data))
            for X0, y in data.batches(d.test_images, d.test_labels, 1000)
        )
        epochs.append({"seconds": seconds, "accuracy": correct / len(d.test_labels)})
        if epochs[-1]["accuracy"] >= TARGET:
            break
    return {"epochs": epochs, "to_target_s": time.perf_counter() - start}


def torch_run(d: data.Dataset, max_epochs: int) -> dict | None:
    Net = torch_lenet()
    if Net is None:
        return None
    import torch

    torch.manual_seed(0)
    net = Net()
    optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    test_x = torch.from_numpy(d.test_images[:, None].astype(np.float32) / 255.0)
    test_y = torch.from_numpy(d.test_labels.astype(np.int64))
    epochs, start = [], time.perf_counter()
    for epoch in range(max_epochs):
        t0 = time.perf_counter()
        order = np.random.default_rng(epoch).permutation(len(d.train_labels))
        for i in range(0, len(order), BATCH):
            idx = order[i : i + BATCH]
            x = torch.from_numpy(d.train_images[idx][:, None].astype(np.float32) / 255.0)
            y = torch.from_numpy(d.train_labels[idx].astype(np.int64))
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(net(x), y).backward()
            optimizer.step()
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            accuracy = float((net(test_x).argmax(1) == test_y).float().mean())
        epochs.append({"seconds": seconds, "accuracy": accuracy})
        if accuracy >= TARGET:
            break
    return {"epochs": epochs, "to_target_s": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=8)
    parser.add_argument("--data-dir", default=None, help="Fashion-MNIST IDX files (else Debian's)")
    args = parser.parse_args()
    try:
        d = data.load("fashion-mnist", args.data_dir)
    except data.DataError as error:
        print(f"Fashion-MNIST is not available, so this benchmark is skipped: {error}")
        return
    results = {"typedlenet": typedlenet_run(d, args.max_epochs)}
    torch_result = torch_run(d, args.max_epochs)
    if torch_result is None:
        print("PyTorch is not installed: its run is skipped")
    else:
        results["torch"] = torch_result
    out = pathlib.Path(__file__).parent / "fashion.json"
    out.write_text(json.dumps(results, indent=2))
    text = report(results)
    print(text)
    write_section("Time to 88% on Fashion-MNIST", text)


def report(results: dict) -> str:
    """One line per run: epochs, time to the target, median epoch."""
    lines = [
        "`python bench/fashion.py`: Adam 1e-3, b=64, the same batch order for both; wall "
        "time from the first step until the test accuracy (checked after each epoch) "
        "reaches 88%, compilation and evaluation included; an epoch is its training steps.",
        "",
    ]
    for name, r in results.items():
        epoch_s = np.median([e["seconds"] for e in r["epochs"]])
        acc = r["epochs"][-1]["accuracy"]
        lines.append(
            f"- {name}: {len(r['epochs'])} epochs to {100 * acc:.2f}% in "
            f"{r['to_target_s']:.1f} s, median epoch {epoch_s:.1f} s"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
