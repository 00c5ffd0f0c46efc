import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from pipelines.export import allocate_cents


@pytest.mark.parametrize(
    "amounts",
    [
        pytest.param(["0.333333333333"] * 3, id="thirds"),
        pytest.param(["10.005", "20.005", "-0.004"], id="with-credit"),
        pytest.param(["0.004", "0.004", "0.004"], id="all-below-a-cent"),
        pytest.param(["-5.255", "1.001"], id="negative-total"),
    ],
)
def test_cents_add_up_to_the_rounded_total(amounts):
    exact = [Decimal(a) for a in amounts]

    cents = allocate_cents(exact)

    assert sum(cents) == sum(exact).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert all(c == c.quantize(Decimal("0.01")) for c in cents)
    assert all(abs(c - e) < Decimal("0.01") for c, e in zip(cents, exact, strict=True))


def test_cents_add_up_on_random_amounts():
    rng = random.Random(7)
    for _ in range(200):
        exact = [Decimal(rng.randint(-(10**9), 10**12)).scaleb(-10) for _ in range(rng.randint(1, 40))]
        cents = allocate_cents(exact)
        assert sum(cents) == sum(exact).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
