{#-
    Azure cost details, actual and amortized exports together (cost_dataset says which), in snake_case with
    dates parsed, EA tags wrapped into a JSON object and the unit-of-measure block split out.
-#}
{%- set date_formats = ['%m/%d/%Y', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%dT%H:%M:%S.%fZ'] -%}

with

actual as (
    select
        'actual' as cost_dataset,
        *
    from {{ source('azure_cost', 'actual_cost_details') }}
    -- rows of a billing scope that a newer delivery of another export also covers do not count
    where _superseded_by is null
),

amortized as (
    select
        'amortized' as cost_dataset,
        *
    from {{ source('azure_cost', 'amortized_cost_details') }}
    where _superseded_by is null
),

unioned as (
    select * from actual
    union all
    select * from amortized
),

renamed as (
    select
        cost_dataset,
        md5(_source_file || ':' || cast(_source_row as string)) as charge_id,
        billingaccountid as billing_account_id,
        billingaccountname as billing_account_name,
        billingprofileid as billing_profile_id,
        invoiceid as invoice_id,
        subscriptionid as subscription_id,
        subscriptionname as subscription_name,
        resourcegroup as resource_group,
        resourceid as resource_id,
        resourcename as resource_name,
        lower(resourcelocation) as resource_location,
        availabilityzone as availability_zone,
        lower(consumedservice) as consumed_service,
        -- /subscriptions/../providers/<namespace>/<type>/<name> -> <namespace>/<type>, the services key
        lower(nullif({{ regex_group('resourceid', '/providers/([^/]+/[^/]+)', 1) }}, '')) as resource_type,
        metercategory as meter_category,
        metersubcategory as meter_subcategory,
        meterid as meter_id,
        metername as meter_name,
        meterregion as meter_region,
        productname as product_name,
        partnumber as part_number,
        unitofmeasure as unit_of_measure,
        -- aliased to itself: DuckDB would keep the export's capital (`Quantity`), Spark would not
        quantity as quantity,  -- noqa: AL09
        effectiveprice as effective_price,
        unitprice as unit_price,
        paygprice as payg_price,
        costinbillingcurrency as cost,
        paygcostinbillingcurrency as payg_cost,
        billingcurrencycode as billing_currency,
        pricingcurrency as pricing_currency,
        chargetype as charge_type,
        frequency as frequency,  -- noqa: AL09
        pricingmodel as pricing_model,
        coalesce(nullif(benefitid, ''), nullif(reservationid, '')) as commitment_id,
        coalesce(nullif(benefitname, ''), nullif(reservationname, '')) as commitment_name,
        publishername as publisher_name,
        publishertype as publisher_type,
        -- EA writes tags without the outer braces: "a": "1","b": "2" (chr(123) is "{", which Jinja would
        -- otherwise read as the start of a tag)
        case
            when nullif(trim(tags), '') is null then null
            when left(trim(tags), 1) = chr(123) then {{ try_json('tags') }}
            else {{ try_json('chr(123) || tags || chr(125)') }}
        end as tags,
        {{ try_json('additionalinfo') }} as additional_info,
        {{ parse_timestamp('date', date_formats) }} as charge_date,
        -- Real MCA rows can leave the billing period empty: it is then the calendar month of the charge.
        coalesce(
            {{ parse_timestamp('billingperiodstartdate', date_formats) }},
            cast(date_trunc('month', {{ parse_timestamp('date', date_formats) }}) as timestamp)
        ) as billing_period_start_at,
        -- Azure's billing period end date is the last day of the period (inclusive); FOCUS ends are exclusive
        coalesce(
            {{ parse_timestamp('billingperiodenddate', date_formats) }} + interval 1 day,
            cast(date_trunc('month', {{ parse_timestamp('date', date_formats) }}) as timestamp) + interval 1 month
        ) as billing_period_end_at,
        _source_file,
        _source_row,
        _load_id
    from unioned
)

select * from renamed
