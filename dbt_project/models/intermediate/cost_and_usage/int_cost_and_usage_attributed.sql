{#-
    Attribution of each charge to team, application, environment and cost centre, from what the bill
    itself carries: a resource tag naming a known team first, then the account or project key; keys,
    teams and cost centres resolve in int_attribution_keys. Whatever neither identifies is `Unallocated`,
    never dropped.
-#}

with

charges as (
    select * from {{ ref('int_cost_and_usage_amortised') }}
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

attributed as (
    select
        charges.*,
        case
            when tagged_team.team is not null then 'resource_tag'
            when keys.team is not null then charges.account_key_type
            else 'unallocated'
        end as attribution_method,
        coalesce(tagged_team.team, keys.team) as attributed_team,
        case
            when tagged_team.team is not null then coalesce(charges.tag_application, keys.application)
            else keys.application
        end as attributed_application,
        case
            when tagged_team.team is not null then coalesce(charges.tag_environment, keys.environment)
            else keys.environment
        end as attributed_environment
    from charges
    left join keys as tagged_team
        on tagged_team.key_type = 'team' and charges.tag_team = tagged_team.key_value
    left join keys
        on charges.account_key_type = keys.key_type and charges.account_key = keys.key_value
)

select
    attributed.*,
    coalesce(attributed.attributed_team, 'Unallocated') as team,
    coalesce(attributed.attributed_application, 'Unallocated') as application,
    coalesce(attributed.attributed_environment, 'unknown') as environment,
    coalesce(team_key.cost_centre_id, 'Unallocated') as cost_centre_id,
    coalesce(team_key.cost_centre_name, 'Unallocated') as cost_centre_name,
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
left join keys as team_key on team_key.key_type = 'team' and attributed.attributed_team = team_key.key_value
left join models on attributed.model_id = models.model_id
left join fx_rates
    on
        attributed.billing_currency = fx_rates.from_currency
        and cast(attributed.charge_period_start as date) >= fx_rates.valid_from
        and cast(attributed.charge_period_start as date) < fx_rates.valid_to
