{#-
    Anthropic cost report rows with the canonical model, a disjoint token type and, where the usage report
    has the same group, the token count. The report names token types its own way; the two cache-write
    durations are both `cache_write` (priced apart, so the duration is kept in cache_ttl). Rows that are not
    tokens (web search, code execution) keep a null token type.

    The cost report carries no quantities. The usage report, summed to the cost report's grain (day,
    workspace, model, service tier, token type), gives them; when the usage report is grouped differently
    (no workspace, say) nothing matches and the token count stays null rather than guessed.
-#}
{%- set token_columns = {
    'uncached_input_tokens': 'input_tokens',
    'cache_read_input_tokens': 'cache_read_tokens',
    'cache_creation.ephemeral_5m_input_tokens': 'cache_write_5m_tokens',
    'cache_creation.ephemeral_1h_input_tokens': 'cache_write_1h_tokens',
    'output_tokens': 'output_tokens',
} %}

with

costs as (
    select * from {{ ref('stg_anthropic_usage__costs') }}
),

model_names as (
    select * from {{ ref('int_llm_model_names') }}
),

classified as (
    select
        costs.*,
        coalesce(model_names.model_id, costs.model_name) as model_id,
        case costs.report_token_type
            when 'uncached_input_tokens' then 'input'
            when 'cache_read_input_tokens' then 'cache_read'
            when 'cache_creation.ephemeral_5m_input_tokens' then 'cache_write'
            when 'cache_creation.ephemeral_1h_input_tokens' then 'cache_write'
            when 'output_tokens' then 'output'
        end as token_type,
        case costs.report_token_type
            when 'cache_creation.ephemeral_5m_input_tokens' then '5m'
            when 'cache_creation.ephemeral_1h_input_tokens' then '1h'
        end as cache_ttl
    from costs
    left join model_names on costs.model_name = model_names.model_name
),

usage_rows as (
    select
        usage.*,
        cast(usage.bucket_start_at as date) as usage_date,
        coalesce(usage.workspace_id, 'default') as workspace_key,
        coalesce(model_names.model_id, usage.model_name) as model_id
    from {{ ref('stg_anthropic_usage__message_usages') }} as usage
    left join model_names on usage.model_name = model_names.model_name
),

-- One row per report token type, named as the cost report names it.
usage_by_token_type as (
    {%- for report_token_type, column in token_columns.items() %}
        select
            usage_date,
            workspace_key,
            model_id,
            service_tier,
            '{{ report_token_type }}' as report_token_type,
            {{ column }} as tokens
        from usage_rows
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

usage_tokens as (
    select
        usage_date,
        workspace_key,
        model_id,
        service_tier,
        report_token_type,
        sum(tokens) as tokens
    from usage_by_token_type
    group by all
)

select
    classified.*,
    usage_tokens.tokens as token_count
from classified
left join usage_tokens
    on
        cast(classified.bucket_start_at as date) = usage_tokens.usage_date
        and coalesce(classified.workspace_id, 'default') = usage_tokens.workspace_key
        and classified.model_id = usage_tokens.model_id
        and coalesce(classified.service_tier, 'standard') = usage_tokens.service_tier
        and classified.report_token_type = usage_tokens.report_token_type
