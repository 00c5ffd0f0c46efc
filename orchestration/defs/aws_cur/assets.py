"""Load asset of the ``aws_cur`` source (CUR 2.0 Data Exports)."""

from orchestration.defs.loading import build_load_assets
from pipelines.sources.aws_cur import SOURCE

aws_cur_load = build_load_assets(
    SOURCE, "AWS CUR 2.0 line items; each billing period's current manifest delivery replaces earlier ones."
)
