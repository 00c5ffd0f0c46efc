{#-
    GPUs held by each Kubernetes workload per node and window, one row per (cluster, node, namespace,
    workload, window): the same window sent again in another file counts once, as its latest load says.
    Pod labels give the attribution keys; used GPU-hours = allocated GPU-hours x mean utilisation.
-#}

with

source as (
    select * from {{ source('gpu_usage', 'workload_hours') }}
),

latest as (
    select * from (
        select
            *,
            row_number() over (
                partition by cluster, node, namespace, workload, window_start, window_end
                order by _loaded_at desc, _source_file desc, _source_row desc
            ) as load_rank
        from source
    ) as ranked_source
    where load_rank = 1
),

renamed as (
    select
        {{ to_utc('window_start') }} as window_start,
        {{ to_utc('window_end') }} as window_end,
        cast({{ to_utc('window_start') }} as date) as usage_date,
        cluster,
        node,
        provider_resource_id,
        instance_type,
        namespace,
        workload,
        labels,
        -- parsed once: team, app, the recommended Kubernetes app label, customer
        {{ json_texts('labels', ['$.team', '$.app', '$."app.kubernetes.io/name"', '$.customer']) }} as label_values,
        cast(gpu_count as integer) as gpu_count,
        cast(gpu_hours as {{ money_type() }}) as gpu_hours,
        cast(gpu_utilisation as {{ money_type() }}) as gpu_utilisation,
        cast(gpu_hours * gpu_utilisation as {{ money_type() }}) as used_gpu_hours,
        cast(node_gpu_count as integer) as node_gpu_count,
        _source_file,
        _source_row,
        _load_id
    from latest
)

select
    window_start,
    window_end,
    usage_date,
    cluster,
    node,
    provider_resource_id,
    instance_type,
    namespace,
    workload,
    labels,
    {{ list_at('label_values', 1) }} as team_label,
    coalesce({{ list_at('label_values', 2) }}, {{ list_at('label_values', 3) }}) as application_label,
    {{ list_at('label_values', 4) }} as customer_label,
    gpu_count,
    gpu_hours,
    gpu_utilisation,
    used_gpu_hours,
    node_gpu_count,
    _source_file,
    _source_row,
    _load_id
from renamed
