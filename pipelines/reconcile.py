"""Invariant checks over the warehouse: conservation of billed cost, manifest row counts, quarantined files.

These queries read the raw tables and the FOCUS mart directly, independently of the dbt logic that
connects them, so a modelling bug cannot hide itself. What went in is counted from the *distinct* current
deliveries: rows of a superseded billing scope are left out, and two loads of the same file contents count
once, so that a file loaded twice shows as a mismatch instead of hiding in both totals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import duckdb

from pipelines.config import Settings
from pipelines.load.manifest import LATEST_FIRST, LOADS_TABLE, PRESENT
from pipelines.sources.azure_cost.schema import BILLING_PERIOD_START_SQL as AZURE_PERIOD_START


def _counted(table: str, superseded: bool = True) -> str:
    """The rows of a raw table that count: one load per distinct file contents, superseded scopes left out.

    Two loads of the same contents both counting would be a double load: only one of them is taken here,
    so the FOCUS table (which would count both) shows a mismatch.
    """
    statuses = "('loaded')" if superseded else str(PRESENT)
    one_per_content = (
        f"_load_id IN (SELECT arg_min(load_id, (loaded_at, path)) FROM {LOADS_TABLE} "
        f"WHERE raw_table = '{table}' AND status IN {statuses} GROUP BY sha256)"
    )
    return f"{one_per_content} AND _superseded_by IS NULL" if superseded else one_per_content


# What went in: billed cost per billing account, period and currency, straight from each raw table.
# Each query names the raw tables it needs; a source whose tables do not exist yet is skipped.
_AZURE_DETAILS = f"""
    SELECT 'actual' AS dataset, BillingAccountId AS account, strftime({AZURE_PERIOD_START}, '%Y-%m') AS period,
           BillingCurrencyCode AS currency, CostInBillingCurrency AS cost
    FROM raw_azure_cost.actual_cost_details WHERE {_counted("raw_azure_cost.actual_cost_details")}
    UNION ALL
    SELECT 'amortized', BillingAccountId, strftime({AZURE_PERIOD_START}, '%Y-%m'),
           BillingCurrencyCode, CostInBillingCurrency
    FROM raw_azure_cost.amortized_cost_details WHERE {_counted("raw_azure_cost.amortized_cost_details")}
"""


def _newest_page(table: str, bucket_column: str) -> str:
    """API pages: a bucket pulled twice counts once, from its newest page (load time, then file name).

    The same rule as the dbt macro newest_page_per_bucket, written again here on purpose: the check must
    not share the modelling code it checks.
    """
    return (
        f"(_loaded_at, _source_file) = (SELECT max((n._loaded_at, n._source_file)) FROM {table} AS n "
        f"WHERE n.{bucket_column} = c.{bucket_column})"
    )


_SOURCE_TOTALS = {
    "aws_cur": f"""
        SELECT bill_payer_account_id, strftime(bill_billing_period_start_date, '%Y-%m'),
               line_item_currency_code, sum(line_item_unblended_cost)
        FROM raw_aws_cur.line_items WHERE {_counted("raw_aws_cur.line_items")} GROUP BY ALL
    """,
    # The AWS FOCUS export counts only where the CUR of the same payer account and period is not loaded.
    "aws_focus": f"""
        SELECT f.BillingAccountId, strftime(f.BillingPeriodStart, '%Y-%m'), f.BillingCurrency, sum(f.BilledCost)
        FROM raw_aws_focus.focus_costs AS f
        WHERE {_counted("raw_aws_focus.focus_costs")} AND NOT EXISTS (
            SELECT 1 FROM raw_aws_cur.line_items AS c
            WHERE c.bill_payer_account_id = f.BillingAccountId
              AND c.bill_billing_period_start_date = f.BillingPeriodStart
              AND c._superseded_by IS NULL)
        GROUP BY ALL
    """,
    # Azure invoices what the actual-cost export says; a period with only an amortized export counts that,
    # and a period with neither counts Azure's FOCUS export.
    "azure_cost": f"""
        WITH details AS ({_AZURE_DETAILS}),
        billed AS (
            SELECT account, period, currency, cost FROM details AS d
            WHERE dataset = 'actual' OR NOT EXISTS (
                SELECT 1 FROM details AS a WHERE a.dataset = 'actual' AND a.account = d.account AND a.period = d.period)
            UNION ALL
            SELECT f.BillingAccountId, strftime(f.BillingPeriodStart, '%Y-%m'), f.BillingCurrency, f.BilledCost
            FROM raw_azure_cost.focus_costs AS f
            WHERE {_counted("raw_azure_cost.focus_costs")} AND NOT EXISTS (
                SELECT 1 FROM details AS d
                WHERE d.account = f.BillingAccountId AND d.period = strftime(f.BillingPeriodStart, '%Y-%m'))
        )
        SELECT account, period, currency, sum(cost) FROM billed GROUP BY ALL
    """,
    # GCP invoices the net cost: gross cost plus the (negative) credits of each row.
    "gcp_billing": f"""
        SELECT billing_account_id, substr(invoice_month, 1, 4) || '-' || substr(invoice_month, 5, 2), currency,
               sum(cost) + sum(credits_amount)
        FROM raw_gcp_billing.cost_lines WHERE {_counted("raw_gcp_billing.cost_lines")} GROUP BY ALL
    """,
    "openai_usage": f"""
        SELECT ?, strftime(bucket_start_time, '%Y-%m'), upper(amount_currency), sum(amount_value)
        FROM raw_openai_usage.costs AS c
        WHERE {_counted("raw_openai_usage.costs", superseded=False)}
          AND {_newest_page("raw_openai_usage.costs", "bucket_start_time")}
        GROUP BY ALL
    """,
    # Anthropic reports cents.
    "anthropic_usage": f"""
        SELECT ?, strftime(bucket_starting_at, '%Y-%m'), upper(currency), sum(amount_cents) * 0.01
        FROM raw_anthropic_usage.cost_report AS c
        WHERE {_counted("raw_anthropic_usage.cost_report", superseded=False)}
          AND {_newest_page("raw_anthropic_usage.cost_report", "bucket_starting_at")}
        GROUP BY ALL
    """,
}
# Reports that do not name their billing account: the setting that does.
_ACCOUNT_SETTING = {"openai_usage": "openai_organization_id", "anthropic_usage": "anthropic_organization_id"}


@dataclass(frozen=True)
class ConservationRow:
    """Billed cost of one source, billing account, period and currency: in the files vs in FOCUS."""

    source: str
    billing_account_id: str
    billing_period: str
    currency: str
    source_billed_cost: Decimal
    focus_billed_cost: Decimal

    @property
    def difference(self) -> Decimal:
        """FOCUS minus source; zero when conserved."""
        return self.focus_billed_cost - self.source_billed_cost


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def conservation_report(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[ConservationRow]:
    """Compares billed cost per source, billing account, period and currency: raw tables vs FOCUS.

    Args:
        con: Warehouse connection.
        settings: Run settings (the OpenAI organization id is the billing account of OpenAI charges).

    Returns:
        One row per key present on either side, sorted.
    """
    totals: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for source, sql in _SOURCE_TOTALS.items():
        tables = [t.split(".") for t in re.findall(r"FROM (raw_[a-z_]+\.[a-z_]+)", sql)]
        if not all(_table_exists(con, schema, table) for schema, table in tables):
            continue
        params = [getattr(settings, _ACCOUNT_SETTING[source])] if source in _ACCOUNT_SETTING else []
        for account, period, currency, cost in con.execute(sql, params).fetchall():
            totals.setdefault((source, account, period, currency), [Decimal(0), Decimal(0)])[0] += cost
    if _table_exists(con, "main", "focus_cost_and_usage"):
        for source, account, period, currency, cost in con.execute(
            "SELECT x_Source, BillingAccountId, strftime(BillingPeriodStart, '%Y-%m'), BillingCurrency, "
            "sum(BilledCost) FROM main.focus_cost_and_usage GROUP BY ALL"
        ).fetchall():
            totals.setdefault((source, account, period, currency), [Decimal(0), Decimal(0)])[1] += cost
    return [ConservationRow(*key, src, focus) for key, (src, focus) in sorted(totals.items())]


@dataclass(frozen=True)
class RowCountMismatch:
    """A loaded file whose rows in the warehouse differ from the count its delivery's manifest states."""

    source: str
    path: str
    expected_rows: int
    rows_in_warehouse: int


def manifest_row_mismatches(con: duckdb.DuckDBPyConnection) -> list[RowCountMismatch]:
    """Loaded files whose manifest states a row count that the raw table does not hold.

    The loader refuses such files; this check recounts the raw rows themselves, so a load that went wrong
    after the fact (a partial delete, a double insert) shows too.
    """
    if not _table_exists(con, "raw", "_loads"):
        return []
    stated = con.execute(
        f"SELECT source, path, raw_table, load_id, expected_rows FROM {LOADS_TABLE} "
        f"WHERE status IN {PRESENT} AND expected_rows IS NOT NULL ORDER BY source, path"
    ).fetchall()
    counts: dict[str, int] = {}
    for table in sorted({row[2] for row in stated}):
        ids = [row[3] for row in stated if row[2] == table]
        counts.update(
            con.execute(
                f"SELECT _load_id, count(*) FROM {table} WHERE _load_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
                [ids],
            ).fetchall()
        )
    return [
        RowCountMismatch(source, path, expected, counts.get(load_id, 0))
        for source, path, _, load_id, expected in stated
        if counts.get(load_id, 0) != expected
    ]


@dataclass(frozen=True)
class Quarantined:
    """A file that is quarantined and has not been superseded by a corrected version."""

    source: str
    path: str
    error: str


def open_quarantines(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[Quarantined]:
    """Lists the files whose latest state is quarantined.

    A quarantine closes when anything newer is recorded for the same path: a corrected version that loads,
    the file going away, or its delivery being superseded by a newer run of the export.

    Args:
        con: Warehouse connection.
        source: Restrict to one source slug.

    Returns:
        The quarantined files with their error messages.
    """
    if not _table_exists(con, "raw", "_loads"):
        return []
    rows = con.execute(
        f"""
        SELECT source, path, error FROM (
            SELECT source, path, error, status,
                   row_number() OVER (PARTITION BY path ORDER BY {LATEST_FIRST}) AS newest
            FROM {LOADS_TABLE} WHERE ? IS NULL OR source = ?
        )
        WHERE newest = 1 AND status = 'quarantined'
        ORDER BY source, path
        """,
        [source, source],
    ).fetchall()
    return [Quarantined(*r) for r in rows]
