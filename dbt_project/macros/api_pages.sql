{#-
    Admin API pages can hold the same time bucket more than once: pulls that overlap, or a bucket pulled
    while still open and pulled again once complete. Keep, per bucket, only the rows of the newest page
    (latest load, then the latest file name: pull folders are named by pull time), so a bucket counts once.
-#}
{% macro newest_page_per_bucket(relation, bucket_column, partition_by=[]) -%}
    select {{ star_except(['page_rank']) }}
    from (
        select
            *,
            dense_rank() over (
                partition by {{ (partition_by + [bucket_column]) | join(', ') }}
                order by _loaded_at desc, _source_file desc
            ) as page_rank
        from {{ relation }}
    ) as ranked_pages
    where page_rank = 1
{%- endmacro %}
