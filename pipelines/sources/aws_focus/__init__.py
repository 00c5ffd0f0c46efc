"""The AWS FOCUS 1.2 Data Export: FOCUS rows as AWS writes them, loaded as-is.

Same delivery layout and manifest as CUR 2.0 (``aws_focus/<export>/data/BILLING_PERIOD=YYYY-MM/...`` and
``.../metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json``): the manifest decides the files of a billing
period and a new execution replaces the period. Rows load into the shared FOCUS contract.

Imports: ``pipelines.sources.base`` and ``focus_contract``; ``pipelines.sources.aws_cur`` (its
``AwsCurSource``: the one source that reuses another, since AWS delivers both exports alike);
``pipelines.load.manifest``; ``pipelines.demo.world`` (``demo.py`` only). No registry, no ``orchestration``.
"""

from pipelines.sources.aws_cur import AwsCurSource
from pipelines.sources.aws_focus import demo
from pipelines.sources.aws_focus.totals import BILLED_TOTALS
from pipelines.sources.base import SourceUnit
from pipelines.sources.focus_contract import focus_costs_table

SLUG = "aws_focus"
FOCUS_COSTS = focus_costs_table(SLUG)


SOURCE = SourceUnit(
    reader=AwsCurSource(slug=SLUG, table=FOCUS_COSTS, legacy_layout=False),
    description=(
        "AWS FOCUS 1.2 Data Export, loaded as-is into the FOCUS contract (where no CUR covers the account and period)."
    ),
    demo=demo.write,
    bench_reads=(("aws_focus/*/data/*/*.csv", "read_csv"),),
    demo_label="AWS FOCUS rows",
    billed_totals=BILLED_TOTALS,
)
