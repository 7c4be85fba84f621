"""`python -m typedlenet`: the same as the `typedlenet` command."""

import sys

from ._cli import main

sys.exit(main())
