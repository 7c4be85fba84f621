"""Placement by name: named axes mapped onto the axes of a JAX device mesh.

A mapping such as `{"batch": "data"}` says that every tensor's `batch` axis is
split over the mesh axis `data`, wherever `batch` sits in storage. The
machinery is JAX's own (`Mesh`, `NamedSharding`, `PartitionSpec`); names pick
the positions, so model code never changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from . import errors
from .named import NamedArray

__all__ = [
    "AxisMapping",
    "ShardingError",
    "constrain",
    "data_mesh",
    "named_sharding",
    "partition_spec",
    "replicate",
    "replicated",
    "shard",
]

AxisMapping = Mapping[str, str | tuple[str, ...] | None]
"""Named axis → the mesh axis (or axes) it is split over; `None` keeps it whole."""


class ShardingError(ValueError):
    """A mesh cannot be built as asked (too few devices, a bad process layout)."""


ShardingError.__module__ = "typedlenet"


def data_mesh(devices: int | Sequence[Any] | None = None, axis: str = "data") -> Mesh:
    """A one-axis mesh named `axis` over `devices`: a count, a list, or all of them.

    In a multi-process run (after `jax.distributed.initialize`) a count is
    spread evenly over the processes, so that each contributes its own devices.
    """
    available = jax.devices()
    if devices is None:
        chosen = available
    elif isinstance(devices, int):
        chosen = _first(devices, available)
    else:
        chosen = list(devices)
        if not chosen:
            raise ShardingError("data_mesh: `devices` is an empty list")
    return Mesh(np.array(chosen), (axis,))


def _first(count: int, available: list[Any]) -> list[Any]:
    """`count` devices, the same number from each process."""
    platform = available[0].platform if available else "none"
    if count < 1:
        raise ShardingError(f"data_mesh: `devices` (={count}) must be at least 1")
    if count > len(available):
        raise ShardingError(
            f"data_mesh: `devices` (={count}) is more than the {len(available)} {platform} "
            f"device(s) JAX sees"
            + (
                " (on a CPU, XLA_FLAGS=--xla_force_host_platform_device_count=N splits it)"
                if platform == "cpu"
                else ""
            )
        )
    processes = jax.process_count()
    if processes == 1:
        return available[:count]
    if count % processes:
        raise ShardingError(
            f"data_mesh: `devices` (={count}) is not a multiple of the {processes} processes"
        )
    per = count // processes
    chosen = []
    for p in range(processes):
        mine = [d for d in available if d.process_index == p]
        if len(mine) < per:
            raise ShardingError(
                f"data_mesh: process {p} has {len(mine)} device(s), fewer than the {per} "
                f"that `devices` (={count}) asks of each of {processes} processes"
            )
        chosen += mine[:per]
    return chosen


def partition_spec(x: NamedArray, mesh: Mesh, mapping: AxisMapping) -> PartitionSpec:
    """The `PartitionSpec` that places `x` by `mapping`, read off `x`'s names.

    Every named axis must be an axis of `x`, every mesh axis one of `mesh`'s,
    and each named axis's size a multiple of the devices it is split over.
    """
    for name, target in mapping.items():
        if name not in x.names:
            raise errors.missing_axis(
                "shard",
                name,
                argument="mapping",
                present=x.names,
                holder=f"the tensor {x!r}",
                detail=f"`mapping` names `{name}`",
            )
        for mesh_axis in _targets(target):
            if mesh_axis not in mesh.shape:
                raise errors.sharding(
                    "shard",
                    name,
                    argument="mapping",
                    expected=tuple(mesh.axis_names),
                    actual=mesh_axis,
                    problem=f"`mapping` sends axis {name!r} to mesh axis {mesh_axis!r}, but "
                    f"the mesh has only {tuple(mesh.axis_names)!r}",
                )
        split = int(np.prod([mesh.shape[a] for a in _targets(target)]))
        size = x.sizes[name]
        if size % split:
            raise errors.sharding(
                "shard",
                name,
                argument="mapping",
                expected=f"a multiple of {split}",
                actual=size,
                problem=f"`{name}` (={size}) is not divisible by the {split} devices of mesh "
                f"axis {_show(target)}",
            )
    return PartitionSpec(*(mapping.get(name) for name in x.names))


def _targets(target: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if target is None:
        return ()
    return (target,) if isinstance(target, str) else tuple(target)


def _show(target: str | tuple[str, ...] | None) -> str:
    return " × ".join(f"`{t}`" for t in _targets(target))


def named_sharding(x: NamedArray, mesh: Mesh, mapping: AxisMapping) -> NamedSharding:
    """The `NamedSharding` of `x` under `mapping` (see `partition_spec`)."""
    return NamedSharding(mesh, partition_spec(x, mesh, mapping))


def replicated(mesh: Mesh) -> NamedSharding:
    """A whole copy on every device of `mesh`."""
    return NamedSharding(mesh, PartitionSpec())


def shard(x: NamedArray, mesh: Mesh, mapping: AxisMapping) -> NamedArray:
    """`x` placed on `mesh`, split by `mapping`: `{"batch": "data"}` splits `batch`.

    `x` holds the whole (global) value, the same in every process; each device
    receives only its part of it.
    """
    sharding = named_sharding(x, mesh, mapping)
    return NamedArray(_place(x.data, sharding), x.names)


def replicate(tree: Any, mesh: Mesh) -> Any:
    """Every array of `tree` (parameters, optimizer state) copied to each device of `mesh`."""
    sharding = replicated(mesh)
    return jax.tree.map(
        lambda leaf: _place(leaf, sharding) if hasattr(leaf, "shape") else leaf, tree
    )


def _place(value: Any, sharding: NamedSharding) -> jax.Array:
    if jax.process_count() == 1:
        return jax.device_put(value, sharding)
    # Several processes: each builds only the shards of its own devices, from
    # the global value it holds.
    host = value if isinstance(value, jax.Array) else np.asarray(value)
    return jax.make_array_from_callback(host.shape, sharding, lambda index: host[index])


def constrain(x: NamedArray, mesh: Mesh, mapping: AxisMapping) -> NamedArray:
    """Inside `jax.jit`: ask that `x` be laid out by `mapping` at this point."""
    sharding = named_sharding(x, mesh, mapping)
    return NamedArray(jax.lax.with_sharding_constraint(x.data, sharding), x.names)
