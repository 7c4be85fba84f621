import os

# Four CPU devices for the data-parallel tests (`test_sharding.py`); set before
# JAX starts its backend. Every other test runs on the first of them, as usual.
_FLAG = "--xla_force_host_platform_device_count"
if _FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_FLAG}=4".strip()

import jax  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# Positional broadcasting must never happen silently inside the library.
jax.config.update("jax_numpy_rank_promotion", "raise")

settings.register_profile(
    "default",
    max_examples=int(os.environ.get("TYPEDLENET_EXAMPLES", "40")),
    deadline=None,  # the first example of each test pays for compilation
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("default")
