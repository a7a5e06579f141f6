"""`python -m frontdesk` runs the command line (subcommands only; the window lives in `ui`)."""

import sys

from frontdesk.cli import main

sys.exit(main(sys.argv[1:]))
