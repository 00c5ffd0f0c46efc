{#-
    What each provider bills its AI services in, and up to which day its bill has arrived. Request-level and
    usage-API rows know no billing currency: they are reconciled in their provider's (when it bills in one
    currency; else they keep their own). A day after invoiced_through is not billed yet: its gateway estimate
    is a late bill (not_yet_invoiced_cost), not a variance.
-#}

select
    provider_name,
    case when count(distinct billing_currency) = 1 then min(billing_currency) end as billing_currency,
    -- monthly lines (tax, credits) sit on the first day: only usage charges say how far the bill goes
    max(case when usage_charge_rows > 0 then usage_date end) as invoiced_through
from {{ ref('int_reconciliation__invoice_daily') }}
group by provider_name
