"""``python -m pipelines.bench``: see ``pipelines.bench.cli``."""

import sys

from pipelines.bench.cli import main

sys.exit(main())
