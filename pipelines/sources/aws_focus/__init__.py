"""The AWS FOCUS 1.2 Data Export: FOCUS rows as AWS writes them, loaded as-is.

Same delivery layout and manifest as CUR 2.0 (``aws_focus/<export>/data/BILLING_PERIOD=YYYY-MM/...`` and
``.../metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json``): the manifest decides the files of a billing
period and a new execution replaces the period. Rows load into the shared FOCUS contract.
"""

from pipelines.sources.aws_cur import AwsCurSource
from pipelines.sources.focus_contract import focus_costs_table

SLUG = "aws_focus"
FOCUS_COSTS = focus_costs_table(SLUG)
SOURCE = AwsCurSource(slug=SLUG, table=FOCUS_COSTS, legacy_layout=False)
