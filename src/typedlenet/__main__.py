"""`python -m typedlenet`: the same as the `typedlenet` command."""

import sys

from _typedlenet_launch import main

sys.exit(main())
