{#-
    Attribution of each charge to team, application, environment and cost centre, from what the bill
    itself carries: every key of the charge (a resource tag naming a team, the application inference
    profile, the IAM principal, AWS cost categories, the account or project, the Azure resource group) is
    looked up in int_attribution_keys as of the charge's day (charge_period_start), and of the keys that map,
    the one whose key type has the smallest precedence (seed `attribution_key_types`) gives the team and cost
    centre; application and environment come from the best-ranked matching key that names them (a tag's own
    application and environment tags for a tag). Whatever no key identifies is `Unallocated`, never dropped.
    The order of the keys below only breaks ties between key types without a precedence (never in the seeds,
    whose test requires one for every type).

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the periods whose bills
    changed. A table: the one pass over the bills' view chain, read by the allocation, the FOCUS table,
    the reconciliation and the controls (the view was recomputed by every reader).
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_upstream_periods('billing_period_start') }}",
    )
}}

with

-- The period filter sits here, where it prunes the raw scans through the views (the CTE is read seven times).
charges as (
    select * from {{ ref('int_cost_and_usage_amortised') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('billing_period_start') }}
    {%- endif %}
),

keys as (
    select * from {{ ref('int_attribution_keys') }}
),

models as (
    select * from {{ ref('models') }}
),

fx_rates as (
    select * from {{ ref('fx_rates') }}
    where to_currency = '{{ var("reporting_currency") }}'
),

-- each key a charge carries, one row per key; a tag carries its own application and environment
cost_categories as (
    select
        source,
        charge_id,
        charge_period_start,
        {{ json_object_entries('cost_category') }} as category
    from charges
    where cost_category is not null
),

charge_keys as (
    select
        source,
        charge_id,
        charge_period_start,
        1 as key_position,
        'team' as key_type,
        tag_team as key_value,
        tag_application as own_application,
        tag_environment as own_environment
    from charges
    where tag_team is not null
    union all
    select
        source,
        charge_id,
        charge_period_start,
        2 as key_position,
        'bedrock_inference_profile' as key_type,
        resource_id as key_value,
        null as own_application,
        null as own_environment
    from charges
    where resource_id like 'arn:aws%:bedrock:%:application-inference-profile/%'
    union all
    select
        source,
        charge_id,
        charge_period_start,
        3 as key_position,
        'iam_principal' as key_type,
        -- an assumed-role session is its role's key
        {{ regex_replace(
            'iam_principal', '^arn:(aws[a-z-]*):sts::([0-9]+):assumed-role/([^/]+)/.*$', 'arn:\\1:iam::\\2:role/\\3'
        ) }} as key_value,
        null as own_application,
        null as own_environment
    from charges
    where iam_principal is not null
    union all
    select
        source,
        charge_id,
        charge_period_start,
        4 as key_position,
        'aws_cost_category' as key_type,
        category['key'] || '=' || category['value'] as key_value,
        null as own_application,
        null as own_environment
    from cost_categories
    where category['value'] is not null
    union all
    select
        source,
        charge_id,
        charge_period_start,
        5 as key_position,
        account_key_type as key_type,
        account_key as key_value,
        null as own_application,
        null as own_environment
    from charges
    where account_key is not null
    union all
    select
        source,
        charge_id,
        charge_period_start,
        6 as key_position,
        'azure_resource_group' as key_type,
        {{ regex_group('lower(resource_id)', '^(/subscriptions/[^/]+/resourcegroups/[^/]+)', 1) }} as key_value,
        null as own_application,
        null as own_environment
    from charges
    where lower(resource_id) like '/subscriptions/%/resourcegroups/%'
),

matched_keys as (
    select
        charge_keys.source,
        charge_keys.charge_id,
        keys.key_type,
        keys.key_value,
        keys.team,
        keys.cost_centre_id,
        keys.cost_centre_name,
        coalesce(charge_keys.own_application, keys.application) as application,
        coalesce(charge_keys.own_environment, keys.environment) as environment,
        coalesce(keys.precedence, 1000) as precedence,
        charge_keys.key_position
    from charge_keys
    inner join keys
        on
            charge_keys.key_type = keys.key_type
            and charge_keys.key_value = keys.key_value
            and (keys.valid_from is null or cast(charge_keys.charge_period_start as date) >= keys.valid_from)
            and (keys.valid_to is null or cast(charge_keys.charge_period_start as date) < keys.valid_to)
),

best_keys as (
    select
        source,
        charge_id,
        {{ first_by('key_type', ['precedence', 'key_position', 'key_value']) }} as key_type,
        {{ first_by('key_value', ['precedence', 'key_position', 'key_value']) }} as key_value,
        {{ first_by('team', ['precedence', 'key_position', 'key_value']) }} as team,
        {{ first_by('cost_centre_id', ['precedence', 'key_position', 'key_value']) }} as cost_centre_id,
        {{ first_by('cost_centre_name', ['precedence', 'key_position', 'key_value']) }} as cost_centre_name,
        {{ first_by('application', ['precedence', 'key_position', 'key_value'], where='application is not null') }} as application,
        {{ first_by('environment', ['precedence', 'key_position', 'key_value'], where='environment is not null') }} as environment
    from matched_keys
    group by source, charge_id
),

attributed as (
    select
        charges.*,
        case
            when best_keys.key_type = 'team' then 'resource_tag'
            when best_keys.key_type is not null then best_keys.key_type
            else 'unallocated'
        end as attribution_method,
        best_keys.key_type as attribution_key_type,
        best_keys.key_value as attribution_key_value,
        best_keys.team as attributed_team,
        best_keys.application as attributed_application,
        best_keys.environment as attributed_environment,
        best_keys.cost_centre_id as attributed_cost_centre_id,
        best_keys.cost_centre_name as attributed_cost_centre_name
    from charges
    left join best_keys
        on charges.source is not distinct from best_keys.source and charges.charge_id = best_keys.charge_id
)

select
    attributed.*,
    coalesce(attributed.attributed_team, 'Unallocated') as team,
    coalesce(attributed.attributed_application, 'Unallocated') as application,
    coalesce(attributed.attributed_environment, 'unknown') as environment,
    coalesce(attributed.attributed_cost_centre_id, 'Unallocated') as cost_centre_id,
    coalesce(attributed.attributed_cost_centre_name, 'Unallocated') as cost_centre_name,
    models.model_family,
    models.model_creator,
    models.model_tier,
    '{{ var("reporting_currency") }}' as reporting_currency,
    -- Dated rate of the charge's day; a charge already in the reporting currency converts at 1, and a
    -- missing rate leaves the converted amounts null (never a silent 1:1).
    case
        when attributed.billing_currency = '{{ var("reporting_currency") }}' then cast(1 as {{ money_type() }})
        else fx_rates.rate
    end as billing_currency_rate_to_reporting
from attributed
left join models on attributed.model_id = models.model_id
left join fx_rates
    on
        attributed.billing_currency = fx_rates.from_currency
        and cast(attributed.charge_period_start as date) >= fx_rates.valid_from
        and cast(attributed.charge_period_start as date) < fx_rates.valid_to
