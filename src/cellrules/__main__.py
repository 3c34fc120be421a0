"""``python -m cellrules``: the command line."""
import sys

from cellrules.cli import main

sys.exit(main())
