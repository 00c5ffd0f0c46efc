"""Demo AWS FOCUS 1.2 export of a subsidiary's own AWS organisation (a payer that delivers FOCUS, not CUR)."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pipelines.demo.world import DemoWorld

SUBSIDIARY_PAYER = "555500006666"

SUBSIDIARY_ACCOUNT = "555500007777"


def write_aws_focus(landing: Path, start: datetime, end: datetime, seed: int) -> int:
    """Writes the AWS FOCUS 1.2 export of a subsidiary's own AWS organisation.

    Its payer account delivers FOCUS rather than CUR: daily Bedrock token charges of a search team in Europe,
    and tax.

    Returns:
        Rows written.
    """
    period = f"{start:%Y-%m}"
    day_count = (end - start).days
    rows = []
    for day in range(day_count):
        charge_start = start + timedelta(days=day)
        for kind, tokens, price in (
            ("input-tokens", 2_000_000 + (hash((seed, day, 1)) % 500_000), Decimal("3.00")),
            ("output-tokens", 300_000 + (hash((seed, day, 2)) % 100_000), Decimal("15.00")),
        ):
            cost = (Decimal(tokens) * price / 1_000_000).quantize(Decimal("1e-10"))
            rows.append(
                _focus_row(start, end, charge_start, charge_start + timedelta(days=1), kind, tokens, price, cost)
            )
    subtotal = sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0))
    tax = (subtotal * Decimal("0.19")).quantize(Decimal("0.01"))
    rows.append(_focus_row(start, end, start, end, "tax", None, None, tax))
    folder = landing / "aws_focus" / "subsidiary-focus" / "data" / f"BILLING_PERIOD={period}"
    folder.mkdir(parents=True, exist_ok=True)
    columns = list(rows[0])
    with (folder / "subsidiary-focus-00001.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _focus_row(
    start: datetime,
    end: datetime,
    charge_start: datetime,
    charge_end: datetime,
    kind: str,
    tokens: int | None,
    price: Decimal | None,
    cost: Decimal,
) -> dict[str, object]:
    usage = kind != "tax"
    usage_type = f"EUC1-Claude4.6Sonnet-{kind}" if usage else ""
    iso = "%Y-%m-%dT%H:%M:%SZ"
    return {
        "BillingAccountId": SUBSIDIARY_PAYER,
        "BillingAccountName": "subsidiary-payer",
        "BillingCurrency": "USD",
        "BillingPeriodStart": start.strftime(iso),
        "BillingPeriodEnd": end.strftime(iso),
        "ChargePeriodStart": charge_start.strftime(iso),
        "ChargePeriodEnd": charge_end.strftime(iso),
        "ChargeCategory": "Usage" if usage else "Tax",
        "ChargeFrequency": "Usage-Based" if usage else "One-Time",
        "ChargeDescription": f"Claude 4.6 Sonnet {kind.replace('-', ' ')}" if usage else "Tax",
        "BilledCost": str(cost),
        "EffectiveCost": str(cost),
        "ListCost": str(cost),
        "ContractedCost": str(cost),
        "ListUnitPrice": str(price / 1_000_000) if price is not None else "",
        "ContractedUnitPrice": str(price / 1_000_000) if price is not None else "",
        "PricingCategory": "Standard" if usage else "",
        "PricingQuantity": str(tokens) if usage else "",
        "PricingUnit": "Tokens" if usage else "",
        "ConsumedQuantity": str(tokens) if usage else "",
        "ConsumedUnit": "Tokens" if usage else "",
        "ProviderName": "Amazon Web Services",
        "PublisherName": "Amazon Web Services",
        "InvoiceIssuerName": "Amazon Web Services",
        "InvoiceId": f"EUINDE{start:%Y%m}0001",
        "ServiceName": "Amazon Bedrock",
        "ServiceCategory": "AI and Machine Learning",
        "ServiceSubcategory": "Generative AI",
        "SubAccountId": SUBSIDIARY_ACCOUNT,
        "SubAccountName": "subsidiary-search",
        "RegionId": "eu-central-1" if usage else "",
        "RegionName": "Europe (Frankfurt)" if usage else "",
        "SkuId": f"AmazonBedrockService:{usage_type}" if usage else "",
        "SkuMeter": usage_type,
        "SkuPriceId": f"AmazonBedrockService:{usage_type}" if usage else "",
        "Tags": json.dumps({"user_team": "search", "user_application": "eu-search"}) if usage else "",
        "x_ServiceCode": "AmazonBedrockService",
        "x_UsageType": usage_type,
    }


def write(world: DemoWorld) -> int:
    """Writes the month's FOCUS export under ``aws_focus/``; returns its rows."""
    return write_aws_focus(world.landing, world.start, world.end, world.seed)
