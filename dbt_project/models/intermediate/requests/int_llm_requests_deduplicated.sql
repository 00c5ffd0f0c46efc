{#-
    Every LLM request of every request source, each call once. Each source maps itself in its own
    `int_<source>__requests` model under the shared `llm_request` contract (_requests__models.yml); a new
    request source is one more name in the list below, whose order is the source priority: when several
    rows describe one call, the row of the first source in the list counts (the gateway knows the team and
    key, instrumentation the feature and customer, the provider's log only the account and principal),
    and within a source the first load.

    Two rows are the same call when they share the request id (a span's gen_ai.response.id is the id the
    gateway logged; an export repeated across files repeats it) or the provider's own request id (AWS's id
    of a Bedrock call, which an AWS SDK span and Bedrock's invocation log both carry). A row without the
    provider's id takes it from a row of the same request id, so a span holding both ids links the gateway's
    row to the provider's log; ranking by one key and then by the other keeps one row per call. Customer and
    feature travel the same way: a gateway row without them takes them from the span of the same call.

    Incremental by billing period (month of started_at; macros/rebuilt_periods.sql): the rows of the
    rebuilt months are deleted and resolved again from the sources' rows of those months widened by a day
    on each side (the copies of one call are seconds apart, possibly across midnight at a month's end), of
    which only the rows of the rebuilt months are kept. A table: fct_llm_requests and this model's tests
    read it, and the windows below would otherwise run again for each of them.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_periods('started_at') }}",
    )
}}
{%- set request_sources = [
    'litellm',
    'otel_genai',
    'bedrock_invocation_logs',
] -%}

with

unioned as (
    -- by name: an incremental request model appends a column new in the contract at its end
    {% for request_source in request_sources %}
        select {{ contract_columns() }}
        from {{ ref('int_' ~ request_source ~ '__requests') }}
        {% if is_incremental() -%} where {{ in_rebuilt_periods_widened('started_at') }} {%- endif %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

linked as (
    select
        *,
        coalesce(provider_request_id, max(provider_request_id) over (partition by request_id))
            as linked_provider_request_id,
        coalesce(customer_id, max(customer_id) over (partition by request_id)) as linked_customer_id,
        coalesce(feature, max(feature) over (partition by request_id)) as linked_feature
    from unioned
),

first_by_request_id as (
    select * from (
        select
            *,
            row_number() over (
                partition by request_id
                order by {{ position_in_list('request_source', request_sources) }}, _loaded_at, _source_file, _source_row
            ) as request_id_rank
        from linked
    ) as ranked_by_request_id
    where request_id_rank = 1
),

first_by_provider_request_id as (
    select * from (
        select
            *,
            row_number() over (
                partition by coalesce(linked_provider_request_id, request_id)
                order by {{ position_in_list('request_source', request_sources) }}, _loaded_at, _source_file, _source_row
            ) as provider_request_id_rank
        from first_by_request_id
    ) as ranked_by_provider_request_id
    where provider_request_id_rank = 1
)

select
    {{ contract_columns({
        'provider_request_id': 'linked_provider_request_id',
        'customer_id': 'linked_customer_id',
        'feature': 'linked_feature',
    }) }}
from first_by_provider_request_id
{% if is_incremental() -%} where {{ in_rebuilt_periods('started_at') }} {%- endif %}
