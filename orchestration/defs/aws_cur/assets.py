"""Load asset of the ``aws_cur`` source (CUR 2.0 Data Exports)."""

from pipelines.sources.aws_cur import SOURCE
from orchestration.defs.loading import build_load_assets

aws_cur_load = build_load_assets(
    SOURCE, "AWS CUR 2.0 line items; each billing period's current manifest delivery replaces earlier ones."
)
