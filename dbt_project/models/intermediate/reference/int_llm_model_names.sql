{#-
    Every name under which a gateway, a span or a provider's usage and cost reports can name a model,
    with the canonical model it means: the canonical ids themselves and their `gateway_model` aliases
    (gateway names, short API names). The one place where these names resolve, so requests, usage reports
    and cost reports agree on which model, family and tier a name is, and on whether it is known.
-#}
with

models as (
    select * from {{ ref('models') }}
),

aliases as (
    select
        alias as model_name,
        model_id
    from {{ ref('model_aliases') }}
    where alias_kind = 'gateway_model'
),

names as (
    select
        model_id as model_name,
        model_id
    from models
    union
    select
        model_name,
        model_id
    from aliases
)

select
    names.model_name,
    models.model_id,
    models.model_family,
    models.model_creator,
    models.model_tier
from names
inner join models on names.model_id = models.model_id
