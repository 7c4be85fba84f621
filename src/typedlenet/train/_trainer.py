"""Training runs: the loop, checkpoints every epoch, metrics, curves; evaluation."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import pathlib
import sys
import time
from collections.abc import Callable
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import Mesh

from .._core import ops
from .._core.named import NamedArray
from .._core.sharding import ShardingError, data_mesh, replicate, replicated, shard
from .._core.step import make_step
from .._core.verify import verify
from ..lenet import LeNet, tune
from ..lenet._refine import Refinement
from ..runtime import _signals
from ..runtime._allocator import tune_allocator_if_enabled
from ._checkpoint import (
    CheckpointError,
    State,
    read_checkpoint,
    read_header,
    remove_stale_writes,
    write_checkpoint,
)
from ._rundir import (
    Found,
    appended,
    curves_current,
    inspect,
    metrics_upto,
    owned,
    plot_curves,
    saving,
    writable,
)
from .data import Dataset, batches

__all__ = [
    "DivergedError",
    "RunConfig",
    "evaluate",
    "load_model",
    "make_mesh",
    "place_batch",
    "silent",
    "train",
]

CHECKPOINT = "last.eqx"
BATCH = {"batch": "data"}  # the data-parallel layout: split `batch` over mesh axis `data`
# Settings that must match for a resumed run to continue the same computation.
_MUST_MATCH = ("dataset", "batch_size", "lr", "seed", "schedule", "model")


class DivergedError(RuntimeError):
    """The loss stopped being finite."""


@dataclasses.dataclass
class RunConfig:
    """A training run: the flags of `typedlenet train`."""

    dataset: str = "mnist-5k"
    epochs: int = 20
    batch_size: int = 64
    lr: float = 3e-3
    schedule: str = "cosine"
    seed: int = 0
    log_interval: int = 10
    checkpoint_dir: str = "checkpoints"
    resume: bool = False
    dry_run: bool = False
    progress: bool = True
    model: dict[str, Any] = dataclasses.field(default_factory=dict)
    devices: int = 1  # the mesh's devices (all processes together); 1: no mesh
    overwrite: bool = False  # a fresh run may replace another run's files
    autotune: bool = True  # measure LeNet's lowering choices (cached per machine)


def make_optimizer(config: RunConfig, steps_per_epoch: int) -> optax.GradientTransformation:
    """Adam at `lr`, constant or cosine-decayed to 0 over the planned steps."""
    if config.schedule == "constant":
        return optax.adam(config.lr)
    return optax.adam(optax.cosine_decay_schedule(config.lr, config.epochs * steps_per_epoch))


def _params(model: LeNet) -> Any:
    """The trainable leaves (floating-point arrays, or their shapes) of `model`."""
    return eqx.filter(model, lambda x: hasattr(x, "dtype") and jnp.issubdtype(x.dtype, jnp.inexact))


def _meta(config: RunConfig) -> dict[str, Any]:
    meta = {k: v for k, v in dataclasses.asdict(config).items() if k in _MUST_MATCH}
    meta["epochs"] = config.epochs
    return json.loads(json.dumps(meta))  # tuples as lists, as they will be read back


def _eval_step(model: LeNet, X0: NamedArray, labels: NamedArray) -> tuple[Any, Any, Any]:
    log_O = model.log_probs(X0)
    target = ops.one_hot(labels, "class", model.config.classes)
    nll = -ops.sum(target * log_O, "class")
    prediction = ops.argmax(log_O, "class")
    return ops.sum(nll).data, prediction.align("batch").data, labels.data


_eval_jit = jax.jit(_eval_step)


@functools.cache
def _eval_on(mesh: Mesh) -> Callable[..., tuple[Any, Any, Any]]:
    """The evaluation step on `mesh`, its results whole on every device."""
    return jax.jit(_eval_step, out_shardings=replicated(mesh))


def evaluate(
    model: LeNet,
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int = 500,
    mesh: Mesh | None = None,
) -> dict[str, Any]:
    """Mean loss, accuracy and the confusion matrix (rows: true class) on a dataset.

    With a `mesh`, each batch is split over it by `batch` (see `place_batch`)."""
    classes = model.config.classes
    total, confusion = 0.0, np.zeros((classes, classes), np.int64)
    step = _eval_jit if mesh is None else _eval_on(mesh)
    for X0, y in batches(images, labels, batch_size):
        if mesh is not None:
            X0, y = place_batch(X0, y, mesh)
        loss_sum, prediction, truth = step(model, X0, y)
        _signals.check()  # a safe point: stop here on SIGINT or SIGTERM
        total += float(loss_sum)
        np.add.at(confusion, (np.asarray(truth), np.asarray(prediction)), 1)
    n = max(len(labels), 1)
    return {
        "loss": total / n,
        "accuracy": float(np.trace(confusion)) / n,
        "confusion": confusion,
    }


def place_batch(X0: NamedArray, labels: NamedArray, mesh: Mesh) -> tuple[NamedArray, NamedArray]:
    """A batch split over `mesh` by its `batch` axis; a batch that does not divide
    evenly (the last, short one) is copied whole to every device instead."""
    if X0.sizes["batch"] % mesh.size:
        return replicate(X0, mesh), replicate(labels, mesh)
    return shard(X0, mesh, BATCH), shard(labels, mesh, BATCH)


def make_mesh(config: RunConfig) -> Mesh | None:
    """The data-parallel mesh of a run (`None` for one device in one process)."""
    if config.devices == 1 and jax.process_count() == 1:
        return None
    mesh = data_mesh(config.devices)
    if config.batch_size % mesh.size:
        raise ShardingError(
            f"--batch-size {config.batch_size} is not divisible by the {mesh.size} devices "
            f"of the mesh (--devices {config.devices}): each device takes an equal share"
        )
    return mesh


def load_model(path: str | pathlib.Path) -> tuple[LeNet, dict[str, Any]]:
    """The model stored in a checkpoint, and the checkpoint's header."""
    header, _ = read_header(path)
    meta = header["meta"]
    model_sizes = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["model"].items()}
    like = eqx.filter_eval_shape(lambda: LeNet(key=jax.random.PRNGKey(0), **model_sizes))
    config = RunConfig(**{k: meta[k] for k in ("lr", "schedule", "epochs")})
    optimizer = make_optimizer(config, 1)
    like_opt = jax.eval_shape(optimizer.init, _params(like))
    state = read_checkpoint(path, like, like_opt)
    return state.model, header


def _check_resumable(path: pathlib.Path, config: RunConfig) -> None:
    header, _ = read_header(path)
    saved, wanted = header["meta"], _meta(config)
    for key in _MUST_MATCH:
        if saved.get(key) != wanted.get(key):
            flag = "model sizes" if key == "model" else f"--{key.replace('_', '-')}"
            raise CheckpointError(
                f"{path}: cannot resume: {flag} {wanted.get(key)!r} does not match the "
                f"checkpoint's {saved.get(key)!r}"
            )
    if header["epoch"] > config.epochs:
        raise CheckpointError(
            f"{path}: cannot resume: the checkpoint has {header['epoch']} epochs, more than "
            f"--epochs {config.epochs}"
        )


def train(
    config: RunConfig,
    data: Dataset,
    log: Callable[[str], None] = print,
    warn: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run (or resume) training; return the final metrics. Writes the checkpoint,
    `metrics.jsonl` and `curves.png` into `config.checkpoint_dir`, which the run
    owns while it runs (`_rundir.owned`; `_rundir.STATES` says what it does with
    what it finds there). Tunes glibc malloc for XLA:CPU first
    (`tune_allocator_if_enabled`). A picture that cannot be written is not a
    failed run: `warn` (default: a line on stderr) says so, and the result's
    `curves` is None; the next --resume draws it."""
    warn = warn or _to_stderr
    if jax.process_index() != 0:
        return _train(config, data, silent, silent, inspect(pathlib.Path(config.checkpoint_dir)))
    writable(config.checkpoint_dir)
    directory = pathlib.Path(config.checkpoint_dir)
    with owned(directory, resume=config.resume, overwrite=config.overwrite) as found:
        return _train(config, data, log, warn, found)


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _draw(directory: pathlib.Path, warn: Callable[[str], None]) -> bool:
    """Draw `curves.png`; a failure to write it is a warning, not a failed run."""
    try:
        plot_curves(directory)
    except OSError as error:
        where = f": {error.filename}" if error.filename else ""
        warn(
            f"warning: cannot write {directory / 'curves.png'} ({error.strerror or error}"
            f"{where}); the checkpoint and metrics.jsonl are complete; make room and run the "
            "same command with --resume to draw it"
        )
        return False
    return True


def _train(
    config: RunConfig,
    data: Dataset,
    log: Callable[[str], None],
    warn: Callable[[str], None],
    found: Found,
) -> dict[str, Any]:
    tune_allocator_if_enabled()
    directory = pathlib.Path(config.checkpoint_dir)
    path = directory / CHECKPOINT
    metrics_file = directory / "metrics.jsonl"
    n_train = len(data.train_labels)
    steps_per_epoch = 1 if config.dry_run else math.ceil(n_train / config.batch_size)
    optimizer = make_optimizer(config, steps_per_epoch)
    mesh = make_mesh(config)
    main_process = jax.process_index() == 0
    if not main_process:
        log = warn = silent
    action, message = found.rule.resume if config.resume else found.rule.fresh
    resume = action == "continue"  # --resume where there is no checkpoint starts afresh
    if message and action == "start":
        log(found.say(message))
    finished = False
    if resume:  # a checkpoint that cannot continue this run fails before compute
        _check_resumable(path, config)
        finished = read_header(path)[0]["epoch"] >= config.epochs
    key = jax.random.PRNGKey(config.seed)
    model = LeNet(key=key, **config.model)
    tuned = None
    if mesh is None:  # on a mesh every process must compute alike: built-in choices
        # How the step is computed (not what): read from the cache; with nothing
        # cached the first step does not wait: the built-in choice starts, and the
        # candidates are timed on the run's own steps within a budget (`Refinement`).
        enabled = config.autotune and not finished
        tuned = tune(model, config.batch_size, optimizer, enabled=enabled, measure=False)
        model = tuned.model
    opt_state = optimizer.init(_params(model))
    done = step = 0
    if main_process:
        for stale in remove_stale_writes(directory):
            log(f"removed {stale}, left by an interrupted write")
    if resume:
        state = read_checkpoint(path, model, opt_state)
        model, opt_state, done, step = state.model, state.opt_state, state.epoch, state.step
        if main_process:
            metrics_upto(directory, done)
        planned = read_header(path)[0]["meta"].get("epochs")
        if planned != config.epochs and config.schedule == "cosine" and done < config.epochs:
            log(
                f"note: --epochs {config.epochs} is not the {planned} this run was planned with: "
                f"the cosine learning rate now decays over {config.epochs} epochs from step "
                f"{step} on, so the run differs from one started with --epochs {config.epochs}"
            )
        if done >= config.epochs:
            log(f"nothing to do: {path} already holds all {done} epochs")
            picture: str | None = str(directory / "curves.png")
            if main_process and not curves_current(directory, done):
                how = "stale" if (directory / "curves.png").exists() else "missing"
                if _draw(directory, warn):
                    log(f"drew {directory / 'curves.png'} again (it was {how})")
                else:
                    picture = None
            return {
                "checkpoint": str(path),
                "epoch": done,
                "curves": picture,
                "nothing_to_do": True,
            }
        log(f"resumed from {path}: {done} epochs, {step} steps done")
    if mesh is not None:
        # Parameters and optimizer state: a whole copy on every device. Batches:
        # split by name. The step itself is the same function as on one device.
        model, opt_state = replicate((model, opt_state), mesh)
        log(
            f"data parallel: `batch` split over {mesh.size} {mesh.devices.flat[0].platform} "
            f"devices in {jax.process_count()} process(es); parameters replicated"
        )

    start = time.perf_counter()
    report = verify(model, batch="b", optimizer=optimizer)
    X5 = report.tensor("X^5")
    log(
        f"verified before compute: LeNet forward pass and training step for every batch size "
        f"(X^5 inp:{X5.sizes['inp']}, O class:{model.config.classes}, loss scalar) "
        f"in {time.perf_counter() - start:.2f} s"
    )

    if tuned is not None:
        log(tuned.line())

    # `jax.jit`, not `eqx.filter_jit`: every leaf is an array, and jax.jit's
    # dispatch costs ~1.3 ms less a step (b=64: 5.3 against 6.7 ms).
    if mesh is not None:
        step_fn = jax.jit(make_step(optimizer), out_shardings=replicated(mesh))
    elif tuned is not None and tuned.step is not None:
        step_fn = tuned.step  # the autotune's winner, compiled for this batch size already
    else:
        step_fn = jax.jit(make_step(optimizer))
    if tuned is not None and tuned.source in ("built-in", "partial"):
        full = (config.epochs - done) * (
            1 if config.dry_run else min(steps_per_epoch, n_train // config.batch_size)
        )
        step_fn = Refinement(tuned, config.batch_size, full, log=log).wrap(step_fn)
    metrics: dict[str, Any] = {}
    for epoch in range(done + 1, config.epochs + 1):
        t0 = time.perf_counter()
        losses = []
        seen = 0
        progress = _progress(config, epoch, steps_per_epoch)
        for i, (X0, y) in enumerate(
            batches(
                data.train_images,
                data.train_labels,
                config.batch_size,
                seed=config.seed * 100003 + epoch,
            )
        ):
            if i == steps_per_epoch:
                break
            if mesh is not None:
                X0, y = place_batch(X0, y, mesh)
            model, opt_state, loss = step_fn(model, opt_state, X0, y)
            _signals.check()  # a safe point: stop here on SIGINT or SIGTERM
            losses.append(loss)
            step += 1
            seen += y.sizes["batch"]
            if progress is not None and (i + 1) % config.log_interval == 0:
                recent = float(jnp.mean(jnp.stack(losses[-config.log_interval :])))
                if not math.isfinite(recent):
                    break
                rate = seen / (time.perf_counter() - t0)
                progress.set_postfix(loss=f"{recent:.4f}", samples_s=f"{rate:,.0f}")
                progress.update(config.log_interval)
        if progress is not None:
            progress.close()
        train_loss = float(jnp.mean(jnp.stack(losses)))
        if not math.isfinite(train_loss):
            kept = inspect(directory).kept()
            raise DivergedError(
                f"the training loss became {train_loss} in epoch {epoch}: stopping; {kept} "
                "(try a smaller --lr)"
            )
        seconds = time.perf_counter() - t0
        test = evaluate(model, data.test_images, data.test_labels, mesh=mesh)
        if not math.isfinite(test["loss"]):
            kept = inspect(directory).kept()
            raise DivergedError(
                f"the test loss became {test['loss']} after epoch {epoch}: the model diverged; "
                f"{kept} (try a smaller --lr)"
            )
        metrics = {
            "epoch": epoch,
            "step": step,
            "train_loss": train_loss,
            "test_loss": test["loss"],
            "test_accuracy": test["accuracy"],
            "seconds": seconds,
            "samples_per_second": seen / seconds,
        }
        if main_process:  # replicated: every process holds the same state
            # The metrics line first, then the checkpoint: a kill between the two
            # leaves a line for an epoch not yet checkpointed, which a resume drops
            # (`_metrics_upto`) and writes again, byte for byte.
            with saving(directory, epoch), appended(metrics_file, json.dumps(metrics)):
                write_checkpoint(path, State(model, opt_state, epoch, step, _meta(config)))
        log(
            f"epoch {epoch}/{config.epochs}: train loss {train_loss:.4f}, test loss "
            f"{test['loss']:.4f}, test accuracy {100 * test['accuracy']:.2f}%, "
            f"{metrics['samples_per_second']:,.0f} samples/s"
        )
    curves = str(directory / "curves.png")
    if main_process and not _draw(directory, warn):
        curves = None
    return {
        **metrics,
        "checkpoint": str(path),
        "curves": curves,
        "seconds_total": time.perf_counter() - start,
    }


def _on_terminal(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


def silent(message: str) -> None:
    """The log of a process other than the first: it prints nothing."""


def _progress(config: RunConfig, epoch: int, total: int) -> Any:
    """The epoch's progress bar, drawn only on a terminal: where the output is a
    file or a pipe (a log), the bar's frames would be noise, and the one line per
    epoch that `train` prints says it all."""
    if not config.progress or jax.process_index() != 0 or not _on_terminal(sys.stderr):
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=f"epoch {epoch}/{config.epochs}", unit="step", leave=False)
