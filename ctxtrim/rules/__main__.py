"""`python -m ctxtrim.rules check|rules ...`: the rule commands without the core CLI."""

import sys

from .commands import main

sys.exit(main())
