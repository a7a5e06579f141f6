"""``python -m district``: the district server's command line."""

import sys

from district.cli import main

sys.exit(main())
