"""Former home of the claim's SQL, now in db/claims.py and db/touchtotals.py."""

from __future__ import annotations

from qualdesk.db.claims import (
    calls_to_number,
    claim_next,
    claim_plan,
    hours_class,
    promote_due,
    promote_plan,
    release_expired,
    renew_claim,
)
from qualdesk.db.touchtotals import count_touch, rebuild_touch_totals

__all__ = [
    "calls_to_number",
    "claim_next",
    "claim_plan",
    "count_touch",
    "hours_class",
    "promote_due",
    "promote_plan",
    "rebuild_touch_totals",
    "release_expired",
    "renew_claim",
]
