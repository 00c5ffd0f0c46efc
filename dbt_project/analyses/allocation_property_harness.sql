{#-
    The allocation core as tests/unit/test_allocation_properties.py runs it: allocate_exactly over the
    relations `property_groups` and `property_weights`, then cents_by_largest_remainder per `partition_key`.
    Compiled by that test (`dbt compile --select allocation_property_harness`), never run by a build.
-#}

with

allocated as (
    {{ allocate_exactly('property_groups', 'property_weights', ['target', 'partition_key']) }}
),

described as (
    select
        charge_group_id || '|' || target_key as row_id,
        *
    from allocated
),

{{ cents_by_largest_remainder('described', ['billed_cost', 'effective_cost'], ['partition_key'], 'row_id') }}

select * from cents
