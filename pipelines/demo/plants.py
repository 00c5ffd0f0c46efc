"""The known events planted in the demo month, so that the controls marts have something true to find.

Every plant is dated relative to the first day of the demo month (any ``--month`` works) and generated
set-based from the seed, like the rest of the calls (``world``). The controls test
(``tests/integration/test_controls_demo.py``) and the demo summary read ``PLANTED_EVENTS`` and
``GROWTH_CAMPAIGN`` rather than repeating the dates:

- **Runaway agent loop** (day 18, ``support`` / ``support-assistant`` / ``anthropic.claude-sonnet-4-6``
  through the gateway): from 14:00 UTC the support agent loops for three hours; each turn re-sends the
  growing transcript (20k to 180k input tokens), fails and is retried 9 seconds later (same gateway session,
  so the retry is one). ``max(1,000, 100 x scale)`` turns, twice as many calls, half of them failed: about
  175 USD at scales up to 10 (the workload's normal day is about 0.9 USD at scale 0.2, 4.7 at scale 1),
  well above the controls' fixed money thresholds at every scale: a daily spend spike and a retry-rate
  jump on that day.
- **Model switch** (from day 10, ``search`` / ``semantic-search``): the calls of the OpenAI
  ``gpt-4.1-mini`` workload go to ``gpt-4.1`` instead, a model ``search`` never used before (same provider,
  project, tokens and traffic; the old model stops; about 5x the price, so the new model carries most of the
  team's request cost that day): a model new to the team on day 10.
- **Cache regression** (from day 22, ``legal`` / ``contract-analyzer`` / ``anthropic.claude-sonnet-4-6``):
  a timestamp injected at the top of the system prompt breaks the prefix, so neither the provider's prompt
  cache nor the gateway's exact-match cache serves that workload again (cache reads 0, from about 60% of its
  prompt tokens) while its traffic continues: a cache-hit-rate drop on day 22.
- **Growth's campaign and budget**: from the 1st, a nightly job drafts 80 campaign landing pages straight
  through the OpenAI API, bypassing the gateway (``growth`` / ``content-studio`` / ``gpt-4.1``, feature
  ``campaign-pages``): 42,500 input and 5,000 output tokens each, exactly 10.00 USD a day at list prices
  whatever the scale, so it dominates
  growth's spend and the fixed budget of ``seeds/budgets.csv`` is crossed on known days (soft 80%, then
  hard 100%; ``GROWTH_CAMPAIGN``). Being steady from the 1st, it spikes nothing.

The plants stay small in every source's totals (the campaign is about 1% of the month's spend at scale 0.2)
and touch no other team's budget story: nothing else is planted, and nothing else should be flagged at high
severity.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import duckdb

from pipelines.demo.org import WORKLOADS, Workload


@dataclass(frozen=True)
class PlantedEvent:
    """One planted event and where the controls must find it.

    Attributes:
        name: Short name of the plant.
        day: Day of the month it happens (or starts), 1 = the first.
        team: Team it belongs to.
        application: Application it belongs to.
        model_id: Model of its calls (the new model, for a switch).
        rules: ``rpt_cost_anomalies`` rules that flag it: at least one of them, at high severity, on ``day``,
            for its team (and its application, where the rule names one).
        lasting_days: Days (from ``day``) on which its own rules may keep firing while the trailing
            averages catch up (1 = only on ``day``).
        description: One sentence, for the demo summary.
    """

    name: str
    day: int
    team: str
    application: str
    model_id: str
    rules: tuple[str, ...]
    lasting_days: int
    description: str


@dataclass(frozen=True)
class BudgetPlant:
    """The spend that makes growth cross its budget, and the days it does.

    Attributes:
        team: Team whose budget is crossed.
        application: Application of the campaign.
        model_id: Model of the campaign.
        calls_per_day: Requests a day (not scaled).
        input_tokens: Input tokens per request.
        output_tokens: Output tokens per request.
        daily_cost: Their list cost a day (USD).
        budget: The team's monthly budget in ``seeds/budgets.csv`` (USD).
        crossings: Per demo scale, the days of the month (1 = the first) on which month-to-date cost first
            reaches the soft and the hard threshold (80% and 100% of ``budget``), as measured on the demo
            (seed 7 at scale 0.2, seed 42 at scale 1).
    """

    team: str
    application: str
    model_id: str
    calls_per_day: int
    input_tokens: int
    output_tokens: int
    daily_cost: Decimal
    budget: Decimal
    crossings: dict[float, tuple[int, int]]


# The workloads the plants call: a copy of search's gpt-4.1-mini workload on gpt-4.1 (the switch), and
# growth's campaign. Weight 0: only the plants below route calls to them.
_SWITCH_FROM = 2  # search / semantic-search / gpt-4.1-mini (proj_search)
_CACHE_BROKEN = 11  # legal / contract-analyzer / Claude Sonnet 4.6 on Bedrock
_AGENT = 0  # support / support-assistant / Claude Sonnet 4.6 on Bedrock
PLANTED_WORKLOADS: tuple[Workload, ...] = (
    replace(WORKLOADS[_SWITCH_FROM], model_id="gpt-4.1-2025-04-14", weight=0),
    Workload(
        "growth",
        "content-studio",
        "prod",
        "gpt-4.1-2025-04-14",
        0,
        0.0,
        42_500,
        5_000,
        "proj_growth",
        features=("campaign-pages",),
    ),
)
_SWITCH_TO = len(WORKLOADS)
_CAMPAIGN = len(WORKLOADS) + 1

LOOP_MIN_TURNS = 1000
LOOP_TURNS_PER_SCALE = 100
LOOP_CONTEXT_TOKENS = (20_000, 180_000)
LOOP_START_HOUR = 14
LOOP_HOURS = 3
LOOP_RETRY_SECONDS = 9

PLANTED_EVENTS: tuple[PlantedEvent, ...] = (
    PlantedEvent(
        "runaway_agent_loop",
        18,
        WORKLOADS[_AGENT].team or "",
        WORKLOADS[_AGENT].application or "",
        WORKLOADS[_AGENT].model_id,
        ("daily_spend_spike", "retry_rate_jump"),
        1,
        "the support agent loops in one session for three hours, failing and retrying every turn",
    ),
    PlantedEvent(
        "model_switch",
        10,
        WORKLOADS[_SWITCH_FROM].team or "",
        WORKLOADS[_SWITCH_FROM].application or "",
        PLANTED_WORKLOADS[0].model_id,
        ("new_model_for_team",),
        1,
        "semantic search moves from gpt-4.1-mini to gpt-4.1, a model new to the search team",
    ),
    PlantedEvent(
        "cache_regression",
        22,
        WORKLOADS[_CACHE_BROKEN].team or "",
        WORKLOADS[_CACHE_BROKEN].application or "",
        WORKLOADS[_CACHE_BROKEN].model_id,
        ("cache_hit_rate_drop",),
        7,
        "a timestamp at the top of the contract analyzer's system prompt stops every prompt-cache hit",
    ),
)

GROWTH_CAMPAIGN = BudgetPlant(
    team="growth",
    application="content-studio",
    model_id="gpt-4.1-2025-04-14",
    calls_per_day=80,
    input_tokens=42_500,
    output_tokens=5_000,
    daily_cost=Decimal("10.00"),
    budget=Decimal("320.00"),
    # growth's month-to-date cost: about 79 USD on the 1st (its share of the GCP invoice's tax, charged on the
    # 1st, plus a day), then 10.7 USD a day at scale 0.2 and 13.3 at scale 1
    crossings={0.2: (18, 24), 1.0: (15, 20)},
)


def event(name: str) -> PlantedEvent:
    """The planted event called ``name``."""
    return next(e for e in PLANTED_EVENTS if e.name == name)


def plant_calls(con: duckdb.DuckDBPyConnection, scale: float, first_id: int, start: datetime) -> None:
    """Creates ``planted_calls``: the extra calls of the runaway loop and of growth's campaign.

    Columns as the drawn calls of ``world``: ``call_id``, ``workload_id``, ``started_at``, the planted token
    counts, failure, gateway and batch flags and feature (NULL where the workload's own draws apply), the
    session number and the plant's name. Call ids start at ``first_id`` rounded up to a multiple of 8.
    """
    loop = event("runaway_agent_loop")
    turns = max(LOOP_MIN_TURNS, round(LOOP_TURNS_PER_SCALE * scale))
    low, high = LOOP_CONTEXT_TOKENS
    loop_id = -(-first_id // 8) * 8
    campaign_id = loop_id + 2 * turns
    loop_at = start + timedelta(days=loop.day - 1, hours=LOOP_START_HOUR)
    days = ((start + timedelta(days=32)).replace(day=1) - start).days
    c = GROWTH_CAMPAIGN
    con.execute(
        f"""
        CREATE TABLE planted_calls AS
        WITH turns AS (
            -- turn t: the attempt (a = 0) fails, its immediate retry (a = 1) succeeds; each turn re-sends the
            -- growing transcript
            SELECT {loop_id} + 2 * t.range + a.range AS call_id, {_AGENT} AS workload_id,
                   TIMESTAMPTZ '{loop_at.isoformat()}'
                     + to_microseconds((t.range * {LOOP_HOURS * 3600 * 1_000_000} // {turns})::BIGINT)
                     + to_seconds(a.range * {LOOP_RETRY_SECONDS}) AS started_at,
                   ({low} + {high - low} * t.range // {turns})::BIGINT AS planted_input,
                   NULL::BIGINT AS planted_output,
                   a.range = 0 AS planted_failed, TRUE AS planted_gateway, FALSE AS planted_batch,
                   NULL::VARCHAR AS planted_feature,
                   {loop_id // 8}::BIGINT AS session_no, '{loop.name}' AS plant
            FROM range({turns}) AS t, range(2) AS a
        ), campaign AS (
            -- the nightly job from 01:00, one request every 40 seconds, straight to the provider
            SELECT {campaign_id} + d.range * {c.calls_per_day} + r.range, {_CAMPAIGN},
                   TIMESTAMPTZ '{start.isoformat()}' + to_days(d.range) + to_hours(1) + to_seconds(40 * r.range),
                   {c.input_tokens}::BIGINT, {c.output_tokens}::BIGINT, FALSE, FALSE, FALSE, 'campaign-pages',
                   ({campaign_id} + d.range * {c.calls_per_day} + r.range) // 8, 'growth_campaign'
            FROM range({days}) AS d, range({c.calls_per_day}) AS r
        )
        SELECT * FROM turns UNION ALL SELECT * FROM campaign
        """
    )


def switch_sql(workload: str, started_at: str, start: datetime) -> str:
    """SQL for the workload a drawn call is served by once the model switch has happened."""
    switch_at = start + timedelta(days=event("model_switch").day - 1)
    return (
        f"CASE WHEN {workload} = {_SWITCH_FROM} AND {started_at} >= TIMESTAMPTZ '{switch_at.isoformat()}' "
        f"THEN {_SWITCH_TO} ELSE {workload} END"
    )


def cache_broken_sql(workload: str, started_at: str, start: datetime) -> str:
    """SQL that is true for the calls of the workload whose caches stopped hitting (the cache regression)."""
    broken_at = start + timedelta(days=event("cache_regression").day - 1)
    return f"({workload} = {_CACHE_BROKEN} AND {started_at} >= TIMESTAMPTZ '{broken_at.isoformat()}')"
