"""Load asset of the ``aws_focus`` source (the AWS FOCUS 1.2 Data Export)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.aws_focus import SOURCE

aws_focus_load = build_load_assets(SOURCE, "AWS FOCUS 1.2 Data Export, loaded as-is into the FOCUS contract.")
