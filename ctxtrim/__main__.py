"""`python -m ctxtrim`."""

import sys

from .cli import main

sys.exit(main())
