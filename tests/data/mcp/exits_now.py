"""A 'server' that writes an error and exits at once, before speaking MCP."""

import sys

sys.stderr.write("fatal: missing configuration\n")
sys.exit(3)
