import os
import pathlib
import shutil
import tempfile

# Four CPU devices for the data-parallel tests (`test_sharding.py`); set before
# JAX starts its backend. Every other test runs on the first of them, as usual.
_FLAG = "--xla_force_host_platform_device_count"
if _FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}=4".strip()

# Runs use the built-in lowering choices, and nothing is cached outside the
# test's own files, unless a test asks (test_tune.py).
# The cache directory is this run's own (xdist's workers share the controller's),
# removed when pytest ends. The
# command, run in-process by most tests, keeps no compiled programs on disk
# unless a test asks (test_compilation_cache.py).
os.environ.setdefault("TYPEDLENET_AUTOTUNE", "0")
os.environ.setdefault("TYPEDLENET_COMPILATION_CACHE", "0")
_OWN_CACHE = None
if not os.environ.get("TYPEDLENET_CACHE_DIR", "").strip():
    _OWN_CACHE = tempfile.mkdtemp(prefix="typedlenet-tests-")
    os.environ["TYPEDLENET_CACHE_DIR"] = os.path.join(_OWN_CACHE, "cache")

import jax  # noqa: E402
import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Positional broadcasting must never happen silently inside the library.
jax.config.update("jax_numpy_rank_promotion", "raise")

# Examples per property: 40 in the full suite, 10 in the quick tier (`-m "not
# slow"`), or TYPEDLENET_EXAMPLES. Most examples compile a new shape, which is
# where the time goes.
for name, examples in (("default", 40), ("quick", 10)):
    settings.register_profile(
        name,
        max_examples=int(os.environ.get("TYPEDLENET_EXAMPLES", examples)),
        deadline=None,  # the first example of each test pays for compilation
        suppress_health_check=[HealthCheck.too_slow],
    )
settings.load_profile("default")


def pytest_configure(config):
    """The quick tier runs each property on fewer examples (before test modules,
    and their `@settings`, are imported)."""
    if "not slow" in (config.option.markexpr or ""):
        settings.load_profile("quick")


# Each folder is one part of the library, and its tests carry that part's marker:
# `pytest -m check` runs the checker's tests, `-m "core and not slow"` the quick
# tier of the notation's.
PARTS = ("core", "nn", "lenet", "check", "train", "runtime", "docs")


def pytest_collection_modifyitems(config, items):
    root = pathlib.Path(__file__).parent
    for item in items:
        part = pathlib.Path(item.fspath).relative_to(root).parts[0]
        if part in PARTS:
            item.add_marker(getattr(pytest.mark, part))


def pytest_unconfigure(config):
    if _OWN_CACHE is not None:
        shutil.rmtree(_OWN_CACHE, ignore_errors=True)
