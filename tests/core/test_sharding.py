"""Data parallelism by name: `batch` split over a mesh of 4 forced CPU devices.

`conftest.py` sets `XLA_FLAGS=--xla_force_host_platform_device_count=4`.
"""

import os
import socket
import subprocess
import sys

import equinox as eqx
import jax
import numpy as np
import optax
import pytest
from jax.sharding import NamedSharding, PartitionSpec

import typedlenet as tl
from typedlenet.train._checkpoint import read_header
from typedlenet.train._trainer import RunConfig, evaluate, load_model, train
from typedlenet.train.data import load

from test_data import make_dataset
from test_train import TINY, cli, metrics

pytestmark = pytest.mark.skipif(
    jax.device_count() < 4, reason="needs 4 devices (conftest forces 4 CPU devices)"
)


@pytest.fixture(scope="module")
def mesh():
    return tl.data_mesh(4)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return make_dataset(tmp_path_factory.mktemp("data") / "tiny")


def batch(b=8, size=28, seed=0):
    rng = np.random.default_rng(seed)
    X0 = tl.named(rng.random((b, 1, size, size), np.float32), "batch channels height width")
    labels = tl.named(rng.integers(0, 10, b).astype(np.int32), "batch")
    return X0, labels


def test_placement_reads_the_names_not_the_positions(mesh):
    x = np.arange(3 * 8 * 2, dtype=np.float32).reshape(3, 8, 2)
    for names, spec in (
        ("channels batch width", PartitionSpec(None, "data", None)),
        ("batch channels width", None),
    ):
        X = tl.named(x if names.startswith("channels") else x.transpose(1, 0, 2), names)
        placed = tl.shard(X, mesh, {"batch": "data"})
        expected = spec or PartitionSpec("data", None, None)
        assert placed.data.sharding.is_equivalent_to(NamedSharding(mesh, expected), 3)
        assert placed.names == X.names
        np.testing.assert_array_equal(np.asarray(placed.data), np.asarray(X.data))
        shards = placed.data.addressable_shards
        assert len(shards) == 4
        assert all(s.data.shape[X.names.index("batch")] == 2 for s in shards)
    assert tl.partition_spec(X, mesh, {}) == PartitionSpec(None, None, None)


def test_replicate_puts_a_whole_copy_on_every_device(mesh):
    model = tl.LeNet(key=jax.random.PRNGKey(0))
    placed = tl.replicate(model, mesh)
    for leaf in jax.tree.leaves(placed):
        assert leaf.sharding.is_fully_replicated and len(leaf.sharding.device_set) == 4
    assert eqx.tree_equal(jax.device_get(placed), jax.device_get(model))


def test_mapping_errors_name_the_axis_the_mesh_axis_and_the_sizes(mesh):
    X, _ = batch(b=6)
    with pytest.raises(tl.AxisError, match=r"`batch` \(=6\) is not divisible by the 4 devices"):
        tl.shard(X, mesh, {"batch": "data"})
    X, _ = batch(b=8)
    with pytest.raises(tl.AxisError, match="has no axis `btach`") as info:
        tl.shard(X, mesh, {"btach": "data"})
    assert info.value.axis == "btach" and info.value.argument == "mapping"
    with pytest.raises(tl.AxisError, match=r"mesh axis 'model', but the mesh has only \('data',\)"):
        tl.shard(X, mesh, {"batch": "model"})
    with pytest.raises(tl.ShardingError, match=r"`devices` \(=5\) is more than the 4 cpu"):
        tl.data_mesh(5)
    with pytest.raises(tl.ShardingError, match=r"`devices` \(=0\) must be at least 1"):
        tl.data_mesh(0)


def _step_and_state(model, optimizer, mesh=None):
    state = (model, optimizer.init(eqx.filter(model, eqx.is_array)))
    if mesh is None:
        return jax.jit(tl.make_step(optimizer)), state
    step = jax.jit(tl.make_step(optimizer), out_shardings=tl.replicated(mesh))
    return step, tl.replicate(state, mesh)


def test_one_sharded_step_equals_the_single_device_step(mesh):
    model = tl.LeNet(key=jax.random.PRNGKey(1))
    # Plain SGD, so that parameters differ as the gradients do (Adam's first step
    # divides a gradient by its own magnitude, which magnifies rounding near 0).
    optimizer = optax.sgd(0.1)
    X0, labels = batch(b=16)
    step, (m1, o1) = _step_and_state(model, optimizer)
    m1, o1, loss1 = step(m1, o1, X0, labels)

    sharded_step, (m4, o4) = _step_and_state(model, optimizer, mesh)
    X4 = tl.shard(X0, mesh, {"batch": "data"})
    y4 = tl.shard(labels, mesh, {"batch": "data"})
    # The compiled step really is data parallel: gradients are summed across devices.
    hlo = sharded_step.lower(m4, o4, X4, y4).compile().as_text()
    assert hlo is not None and "all-reduce" in hlo
    m4, o4, loss4 = sharded_step(m4, o4, X4, y4)

    np.testing.assert_allclose(float(loss4), float(loss1), rtol=1e-6)
    for a, b in zip(jax.tree.leaves(m4), jax.tree.leaves(m1), strict=True):
        assert a.sharding.is_fully_replicated
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_constrain_inside_jit_keeps_the_values(mesh):
    X0, _ = batch(b=8)

    @jax.jit
    def double(X):
        return tl.constrain(X * 2.0, mesh, {"batch": "data"})

    out = double(X0)
    spec = [None] * out.ndim
    spec[out.names.index("batch")] = "data"
    assert out.data.sharding.is_equivalent_to(NamedSharding(mesh, PartitionSpec(*spec)), out.ndim)
    np.testing.assert_allclose(np.asarray(out.align(X0.names).data), 2 * np.asarray(X0.data))


def _config(directory, **overrides):
    settings = dict(
        dataset="mnist",
        epochs=3,
        batch_size=16,
        lr=3e-3,
        progress=False,
        checkpoint_dir=str(directory),
        model={"height": 16, "width": 16},
    )
    return RunConfig(**{**settings, **overrides})


def test_sharded_training_reaches_the_unsharded_metrics(tmp_path, tiny):
    data = load("mnist", tiny)
    one = train(_config(tmp_path / "one"), data, log=lambda _: None)
    four = train(_config(tmp_path / "four", devices=4), data, log=lambda _: None)
    for key in ("train_loss", "test_loss"):
        np.testing.assert_allclose(four[key], one[key], rtol=1e-4)
    assert four["test_accuracy"] == one["test_accuracy"]
    rows_one, rows_four = metrics(tmp_path / "one"), metrics(tmp_path / "four")
    for a, b in zip(rows_one, rows_four, strict=True):
        np.testing.assert_allclose(b["train_loss"], a["train_loss"], rtol=1e-4)


def test_checkpoints_move_between_sharded_and_single_device_runs(tmp_path, tiny):
    data = load("mnist", tiny)
    # Written by a 4-device run, read by a one-device evaluation.
    sharded = train(_config(tmp_path / "s", epochs=2, devices=4), data, log=lambda _: None)
    model, header = load_model(tmp_path / "s" / "last.eqx")
    assert header["epoch"] == 2
    for leaf in jax.tree.leaves(model):
        assert len(leaf.devices()) == 1
    again = evaluate(model, data.test_images, data.test_labels)
    np.testing.assert_allclose(again["loss"], sharded["test_loss"], rtol=1e-5)

    # Written by a one-device run, resumed by a 4-device run: the same as 3
    # epochs on one device, to float tolerance (a constant rate, so that the
    # schedule does not depend on the planned number of epochs).
    train(_config(tmp_path / "r", epochs=2, schedule="constant"), data, log=lambda _: None)
    resumed = train(
        _config(tmp_path / "r", epochs=3, devices=4, resume=True, schedule="constant"),
        data,
        log=lambda _: None,
    )
    straight = train(
        _config(tmp_path / "u", epochs=3, schedule="constant"), data, log=lambda _: None
    )
    np.testing.assert_allclose(resumed["test_loss"], straight["test_loss"], rtol=1e-4)
    assert read_header(tmp_path / "r" / "last.eqx")[0]["epoch"] == 3


def test_evaluate_on_a_mesh_matches_one_device(mesh, tiny):
    data = load("mnist", tiny)
    model = tl.LeNet(key=jax.random.PRNGKey(0), height=16, width=16)
    one = evaluate(model, data.test_images, data.test_labels, batch_size=12)  # 12, 12, 8
    four = evaluate(
        tl.replicate(model, mesh), data.test_images, data.test_labels, batch_size=12, mesh=mesh
    )
    np.testing.assert_allclose(four["loss"], one["loss"], rtol=1e-6)
    np.testing.assert_array_equal(four["confusion"], one["confusion"])


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--devices", "8"], 2, "`devices` (=8) is more than the 4 cpu device(s)"),
        (["--devices", "4", "--batch-size", "30"], 2, "--batch-size 30 is not divisible by"),
        (["--devices", "0"], 2, "expected a positive integer, got 0"),
        (["--process-id", "0"], 2, "--process-id needs --coordinator-address"),
        (["--coordinator-address", "localhost"], 2, "expected HOST:PORT"),
        (
            ["--coordinator-address", "localhost:1", "--num-processes", "2"],
            2,
            "needs --num-processes and --process-id",
        ),
        (
            ["--coordinator-address", "localhost:1", "--num-processes", "2", "--process-id", "2"],
            2,
            "--process-id 2 must be less than --num-processes 2",
        ),
    ],
)
def test_cli_parallel_misuse_is_a_clear_error(tmp_path, tiny, args, status, message):
    got, out, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 1, "--checkpoint-dir", tmp_path, *args
    )
    assert got == status, err
    assert message in err and "Traceback" not in err
    assert "training LeNet" not in out  # refused before the run starts


def test_cli_devices_trains_and_says_so(tmp_path, tiny):
    status, out, err = cli(
        "train", *TINY, "--data-dir", tiny, "--epochs", 1, "--checkpoint-dir", tmp_path,
        "--devices", 4,
    )  # fmt: skip
    assert status == 0, err
    assert "data parallel: `batch` split over 4 cpu devices in 1 process(es)" in out


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_on_localhost_train_like_one(tmp_path, tiny):
    """Two processes with 2 CPU devices each, joined by `jax.distributed`: one
    4-device mesh. The result matches a one-process 4-device run."""
    port = _free_port()
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    common = ["train", *TINY, "--data-dir", str(tiny), "--epochs", "2"]
    flags = ["--checkpoint-dir", str(tmp_path / "mp"), "--coordinator-address",
             f"127.0.0.1:{port}", "--num-processes", "2"]  # fmt: skip
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "typedlenet", *common, *flags, "--process-id", str(rank)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for rank in (0, 1)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
    assert "split over 4 cpu devices in 2 process(es)" in outputs[0][0]
    # Only the first process reports (the other prints at most gloo's own lines).
    assert "training LeNet" not in outputs[1][0] and "epoch" not in outputs[1][0]

    status, _, err = cli(*common, "--checkpoint-dir", tmp_path / "sp", "--devices", 4)
    assert status == 0, err
    for a, b in zip(metrics(tmp_path / "mp"), metrics(tmp_path / "sp"), strict=True):
        np.testing.assert_allclose(a["train_loss"], b["train_loss"], rtol=1e-4)
        np.testing.assert_allclose(a["test_loss"], b["test_loss"], rtol=1e-4)
        assert a["test_accuracy"] == b["test_accuracy"]
    assert read_header(tmp_path / "mp" / "last.eqx")[0]["epoch"] == 2
