"""Return on investment: what social media cost (time first) against what it brought.

The presence is "free" but costs hours; the user records, per day or week, the
hours spent, their hourly cost, any money spent, and the outcomes they can
count (people reached, leads, customers answered). The dashboard adds what it
measured itself over the same period: mentions and estimated reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import msgspec

MAX_TEXT = 200


class Effort(msgspec.Struct, kw_only=True, frozen=True):
    """What one day or week of social media cost and brought, as the user recorded it."""

    id: str
    day: date
    hours: Decimal
    hourly_cost: Decimal = Decimal(0)
    spend: Decimal = Decimal(0)  # money spent: ads, tools, agencies
    currency: str = "EUR"
    reach: int = 0
    leads: int = 0
    answered: int = 0
    note: str = ""

    @property
    def cost(self) -> Decimal:
        """Time at its hourly cost plus money spent."""
        return self.hours * self.hourly_cost + self.spend


@dataclass(frozen=True, slots=True)
class Return:
    """The totals of a period and the costs per outcome (None when there is no outcome)."""

    entries: int
    currency: str | None
    hours: Decimal
    time_cost: Decimal
    spend: Decimal
    cost: Decimal
    reach: int
    leads: int
    answered: int
    measured_mentions: int
    measured_reach: int

    def per(self, outcome: str, *, scale: int = 1) -> Decimal | None:
        """Cost per `outcome` (reach, leads, answered), times `scale` (1,000 for reach)."""
        count = getattr(self, outcome)
        if not count:
            return None
        return (self.cost * scale / count).quantize(Decimal("0.01"))

    @property
    def time_share(self) -> float | None:
        """The part of the cost that is time, the cost most reports leave out."""
        if not self.cost:
            return None
        return float(self.time_cost / self.cost)


def summarise(
    efforts: list[Effort], *, measured_mentions: int = 0, measured_reach: int = 0
) -> Return:
    """Add up the efforts of a period beside what was measured over it."""
    currencies = {e.currency for e in efforts}
    if len(currencies) > 1:
        raise ValueError(f"efforts in several currencies {sorted(currencies)} cannot be added")
    time_cost = sum((e.hours * e.hourly_cost for e in efforts), Decimal(0))
    spend = sum((e.spend for e in efforts), Decimal(0))
    return Return(
        entries=len(efforts),
        currency=next(iter(currencies), None),
        hours=sum((e.hours for e in efforts), Decimal(0)),
        time_cost=time_cost,
        spend=spend,
        cost=time_cost + spend,
        reach=sum(e.reach for e in efforts),
        leads=sum(e.leads for e in efforts),
        answered=sum(e.answered for e in efforts),
        measured_mentions=measured_mentions,
        measured_reach=measured_reach,
    )
