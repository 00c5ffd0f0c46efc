{#-
    Every invoice-grade charge of every billing source in FOCUS vocabulary (snake_case), one row per source
    row. Each bill maps itself in its own `int_<source>__focus_charges` model under the shared contract
    (_focus_charges__models.yml); a new billing source is one more model and one more name here.
-#}
{%- set focus_charge_models = [
    'int_aws_cur__focus_charges',
    'int_azure_cost__focus_charges',
    'int_gcp_billing__focus_charges',
    'int_openai_usage__focus_charges',
    'int_anthropic_usage__focus_charges',
    'int_aws_focus__focus_charges',
    'int_azure_cost__focus_export_charges',
] -%}

{% for charges_model in focus_charge_models %}
    select {{ contract_columns() }}
    from {{ ref(charges_model) }}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
