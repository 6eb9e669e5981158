"""``python -m insurgency_abm``: the same program as ``insurgency-abm`` and ``python run.py``."""

import sys

from insurgency_abm.cli import main

sys.exit(main())
