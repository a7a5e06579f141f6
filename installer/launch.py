"""Entry script for the PyInstaller build: the same as the ``frontdesk`` console command."""

import sys

from ui.main import main

sys.exit(main())
