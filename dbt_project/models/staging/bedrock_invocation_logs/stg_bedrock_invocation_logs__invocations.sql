{#-
    Bedrock model invocations with disjoint token types and the model the modelId names. A modelId may be a
    model id (anthropic.claude-sonnet-4-6), an inference profile id (global.anthropic..., us.anthropic...)
    or the ARN of either; the model is its last path segment without the profile's geography prefix, and
    the prefix says where inference could run (an application inference profile, a provisioned model or a
    prompt router names no model: such calls stay unknown and unpriced unless model_aliases maps them).
    inputTokenCount excludes cache reads and writes, so the four counts are disjoint as they are.
-#}
{%- set metadata_paths = ['$.team', '$.application', '$.environment'] -%}

with

source as (
    select * from {{ source('bedrock_invocation_logs', 'invocations') }}
),

extracted as (
    select
        *,
        {{ regex_group('model_id', '([^/]+)$', 1) }} as model_or_profile,
        {{ json_texts('request_metadata', metadata_paths) }} as metadata_values
    from source
),

renamed as (
    select
        request_id,
        {{ to_utc('invoked_at') }} as invoked_at,
        account_id,
        region,
        identity_arn,
        -- the account and IAM role behind the identity: arn:aws:sts::<account>:assumed-role/<role>/<session>
        -- (a role's session, what Bedrock logs for a role) or arn:aws:iam::<account>:role/<path>/<role>
        nullif({{ regex_group('identity_arn', '^arn:aws[a-z-]*:(?:iam|sts)::([0-9]+):', 1) }}, '') as caller_account_id,
        coalesce(
            nullif({{ regex_group('identity_arn', ':assumed-role/([^/]+)/', 1) }}, ''),
            nullif({{ regex_group('identity_arn', ':role/(?:[^/]+/)*([^/]+)$', 1) }}, '')
        ) as caller_role_name,
        operation,
        model_id,
        {{ regex_replace('model_or_profile', '^(global|us|us-gov|eu|apac|jp|au|ca)\.', '') }} as model_name,
        case
            when model_or_profile like 'global.%' then 'global'
            when {{ regex_matches('model_or_profile', '^(us|us-gov|eu|apac|jp|au|ca)\.') }} then 'geo'
            else 'regional'
        end as inference_region_scope,
        inference_region,
        error_code,
        coalesce(input_token_count, 0) as input_tokens,
        coalesce(cache_read_input_token_count, 0) as cache_read_tokens,
        coalesce(cache_write_input_token_count, 0) as cache_write_tokens,
        coalesce(output_token_count, 0) as output_tokens,
        {{ list_at('metadata_values', 1) }} as metadata_team,
        {{ list_at('metadata_values', 2) }} as metadata_application,
        {{ list_at('metadata_values', 3) }} as metadata_environment,
        _source_file,
        _source_row,
        _loaded_at,
        _load_id
    from extracted
)

select * from renamed
