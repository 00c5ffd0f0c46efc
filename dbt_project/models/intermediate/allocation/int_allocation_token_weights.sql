{#-
    How each token charge group is split: the attribution keys of its invoice cell (provider, billing
    account, model, token type, day) with their weights, in millionths of a token.

    - Request-level usage in the cell gives each key its tokens. A request made in a known AWS account
      belongs to the billing account whose bill carries that account; a request whose account is unknown
      (a gateway call) goes where the bill puts its team's tokens that day (see floating_requests).
    - What the request data did not see stays with the bill's own keys: each bill owner keeps the tokens
      it was invoiced beyond what requests of its team explain (shared out over the team's owner rows).
    - Within a cell every token carries one list price (one model, one token type, one day), so weighting
      by tokens is weighting by list-priced usage, and it needs no price where the catalogue has none.

    Incremental by billing period (macros/incremental_bills.sql): a run rebuilds the charge groups of the
    periods whose bills or requests changed, from those periods' charge groups and requests.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rebuilt_charge_groups(ref('int_allocation_charge_groups')) }}",
    )
}}

with

-- Reasoning tokens are output tokens: OpenAI bills them as output, Vertex AI apart; requests count them
-- apart. A cell keeps them together, on both sides.
groups as (
    select
        charge_group_id,
        provider_name,
        billing_account_id,
        model_id,
        case when token_type = 'reasoning' then 'output' else token_type end as token_type,
        charge_date,
        token_count,
        is_ai,
        bill_team,
        bill_application,
        bill_environment,
        bill_cost_centre_id
    from {{ ref('int_allocation_charge_groups') }}
    where
        allocation_kind = 'tokens'
        and {{ incremental_period_filter('billing_period_start') }}
),

all_groups as (
    select * from {{ ref('int_allocation_charge_groups') }}
),

requests as (
    select * from {{ ref('int_allocation_request_tokens') }}
    {% if is_incremental() -%}
        where {{ in_rebuilt_upstream_periods('usage_date') }}
    {%- endif %}
),

cells as (
    select
        provider_name,
        billing_account_id,
        model_id,
        token_type,
        charge_date,
        cast(sum(token_count) as {{ big_int_type() }}) as cell_tokens
    from groups
    group by all
),

provider_days as (
    select
        provider_name,
        model_id,
        token_type,
        charge_date,
        sum(cell_tokens) as provider_tokens
    from cells
    group by all
),

-- The billing account an account id belongs to (over every period: the map of accounts, not their costs): the payer of a linked AWS account, or itself.
accounts as (
    select distinct
        provider_name,
        sub_account_id as account_id,
        billing_account_id
    from all_groups
    where sub_account_id <> ''
    union
    select distinct
        provider_name,
        billing_account_id as account_id,
        billing_account_id
    from all_groups
),

located_requests as (
    select
        requests.*,
        accounts.billing_account_id,
        cast(requests.tokens as {{ big_int_type() }}) * 1000000 as weight
    from requests
    inner join accounts
        on requests.provider_name = accounts.provider_name and requests.account_id = accounts.account_id
),

-- A request whose account is unknown (a gateway call) is placed where its team's tokens are on the bill:
-- in each billing account's cell in proportion to the tokens the bill attributes to that team there, so
-- it never lands in another organisation's bill its team has no share of. A team the bill does not name
-- in any cell of the day is spread over the cells in proportion to their invoiced tokens.
team_cells as (
    select
        provider_name,
        billing_account_id,
        model_id,
        token_type,
        charge_date,
        bill_team as team,
        cast(sum(token_count) as {{ big_int_type() }}) as team_tokens
    from groups
    group by all
    having sum(token_count) > 0
),

team_days as (
    select
        provider_name,
        model_id,
        token_type,
        charge_date,
        team,
        sum(team_tokens) as team_day_tokens
    from team_cells
    group by all
),

unlocated_requests as (
    select requests.*
    from requests
    where not exists (
        select 1 from accounts
        where requests.provider_name = accounts.provider_name and requests.account_id = accounts.account_id
    )
),

floating_requests as (
    select
        unlocated_requests.*,
        team_cells.billing_account_id,
        {{ int_div('cast(unlocated_requests.tokens as ' ~ big_int_type() ~ ') * team_cells.team_tokens * 1000000', 'team_days.team_day_tokens') }}
            as weight
    from unlocated_requests
    inner join team_days
        on
            unlocated_requests.provider_name = team_days.provider_name
            and unlocated_requests.model_id = team_days.model_id
            and unlocated_requests.token_type = team_days.token_type
            and unlocated_requests.usage_date = team_days.charge_date
            and unlocated_requests.team = team_days.team
    inner join team_cells
        on
            team_days.provider_name = team_cells.provider_name
            and team_days.model_id = team_cells.model_id
            and team_days.token_type = team_cells.token_type
            and team_days.charge_date = team_cells.charge_date
            and team_days.team = team_cells.team
    union all
    select
        unlocated_requests.*,
        cells.billing_account_id,
        {{ int_div('cast(unlocated_requests.tokens as ' ~ big_int_type() ~ ') * cells.cell_tokens * 1000000', 'provider_days.provider_tokens') }}
            as weight
    from unlocated_requests
    inner join provider_days
        on
            unlocated_requests.provider_name = provider_days.provider_name
            and unlocated_requests.model_id = provider_days.model_id
            and unlocated_requests.token_type = provider_days.token_type
            and unlocated_requests.usage_date = provider_days.charge_date
    inner join cells
        on
            provider_days.provider_name = cells.provider_name
            and provider_days.model_id = cells.model_id
            and provider_days.token_type = cells.token_type
            and provider_days.charge_date = cells.charge_date
    where
        provider_days.provider_tokens > 0
        and not exists (
            select 1 from team_days
            where
                unlocated_requests.provider_name = team_days.provider_name
                and unlocated_requests.model_id = team_days.model_id
                and unlocated_requests.token_type = team_days.token_type
                and unlocated_requests.usage_date = team_days.charge_date
                and unlocated_requests.team = team_days.team
        )
),

request_keys as (
    select
        provider_name,
        billing_account_id,
        model_id,
        token_type,
        usage_date as charge_date,
        team,
        application,
        environment,
        cost_centre_id,
        customer_id,
        feature,
        sum(weight) as weight
    from (
        {%- set cell_columns = [
            'provider_name', 'billing_account_id', 'model_id', 'token_type', 'usage_date', 'team', 'application',
            'environment', 'cost_centre_id', 'customer_id', 'feature', 'weight'
        ] %}
        select {{ cell_columns | join(', ') }} from located_requests
        union all
        select {{ cell_columns | join(', ') }} from floating_requests
    ) as cell_requests
    group by all
),

request_teams as (
    select
        provider_name,
        billing_account_id,
        model_id,
        token_type,
        charge_date,
        team,
        sum(weight) as team_weight
    from request_keys
    group by all
),

bill_owners as (
    select
        *,
        sum(owner_weight) over (
            partition by provider_name, billing_account_id, model_id, token_type, charge_date, bill_team
        ) as owner_team_weight
    from (
        select
            provider_name,
            billing_account_id,
            model_id,
            token_type,
            charge_date,
            bill_team,
            bill_application,
            bill_environment,
            bill_cost_centre_id,
            cast(sum(token_count) as {{ big_int_type() }}) * 1000000 as owner_weight
        from groups
        group by all
    ) as owners
),

bill_residuals as (
    select
        bill_owners.*,
        greatest(
            bill_owners.owner_weight
            - coalesce({{ int_div('request_teams.team_weight * bill_owners.owner_weight', 'nullif(bill_owners.owner_team_weight, 0)') }}, 0),
            0
        ) as weight
    from bill_owners
    left join request_teams
        on
            bill_owners.provider_name = request_teams.provider_name
            and bill_owners.billing_account_id = request_teams.billing_account_id
            and bill_owners.model_id = request_teams.model_id
            and bill_owners.token_type = request_teams.token_type
            and bill_owners.charge_date = request_teams.charge_date
            and bill_owners.bill_team = request_teams.team
),

cell_weights as (
    select
        provider_name,
        billing_account_id,
        model_id,
        token_type,
        charge_date,
        team,
        application,
        environment,
        cost_centre_id,
        customer_id,
        feature,
        'request_usage' as allocated_method_id,
        weight
    from request_keys
    union all
    select
        provider_name,
        billing_account_id,
        model_id,
        token_type,
        charge_date,
        bill_team as team,
        bill_application as application,
        bill_environment as environment,
        bill_cost_centre_id as cost_centre_id,
        '' as customer_id,
        '' as feature,
        case when bill_team = 'Unallocated' then 'unallocated' else 'bill_keys' end as allocated_method_id,
        weight
    from bill_residuals
)

select
    groups.charge_group_id,
    cell_weights.team,
    cell_weights.application,
    cell_weights.environment,
    cell_weights.cost_centre_id,
    cell_weights.customer_id,
    cell_weights.feature,
    cell_weights.allocated_method_id,
    '' as allocated_resource_id,
    groups.is_ai,
    cell_weights.weight
from groups
inner join cell_weights
    on
        groups.provider_name = cell_weights.provider_name
        and groups.billing_account_id = cell_weights.billing_account_id
        and groups.model_id = cell_weights.model_id
        and groups.token_type = cell_weights.token_type
        and groups.charge_date = cell_weights.charge_date
where cell_weights.weight > 0
