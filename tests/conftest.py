import os

import jax
from hypothesis import HealthCheck, settings

# Positional broadcasting must never happen silently inside the library.
jax.config.update("jax_numpy_rank_promotion", "raise")

settings.register_profile(
    "default",
    max_examples=int(os.environ.get("TYPEDLENET_EXAMPLES", "40")),
    deadline=None,  # the first example of each test pays for compilation
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("default")
