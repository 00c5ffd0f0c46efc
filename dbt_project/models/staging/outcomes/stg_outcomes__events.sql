{#-
    Business outcome events, one row per (outcome_type, outcome_id): an event sent again (in a later file,
    or a corrected value) counts once, as its latest load says.
-#}

with

source as (
    select * from {{ source('outcomes', 'events') }}
),

latest as (
    select * from (
        select
            *,
            row_number() over (
                partition by outcome_type, outcome_id order by _loaded_at desc, _source_file desc, _source_row desc
            ) as load_rank
        from source
    ) as ranked_source
    where load_rank = 1
)

select
    outcome_type || ':' || outcome_id as outcome_key,
    outcome_type,
    outcome_id,
    {{ to_utc('occurred_at') }} as occurred_at,
    cast({{ to_utc('occurred_at') }} as date) as outcome_date,
    value as outcome_value,
    currency as outcome_currency,
    trace_id,
    session_id,
    conversation_id,
    team,
    application,
    feature,
    customer_id,
    case
        when trace_id is not null then 'trace'
        when session_id is not null then 'session'
        when conversation_id is not null then 'conversation'
        else 'workload_day'
    end as link_kind,
    _source_file,
    _source_row,
    _load_id
from latest
