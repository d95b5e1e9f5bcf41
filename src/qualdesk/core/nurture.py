"""What marketing receives for a lead handed back to nurture: the buyer profile so far, and why.

The same three layouts as the hand-off to sales (core.handoff), each with
what marketing needs besides: why the lead went to nurture (or out), the day
it comes back to the desk, who sent it there and when, and whether its
number is on the do-not-call list, so marketing can keep it off every call
list. The CRM layouts use their own words for a lead sales is not working:
Salesforce's default Lead Status has no nurture value, so both nurture and
out are "Closed - Not Converted" (the description and the recycle date tell
them apart); HubSpot has BAD_TIMING for nurture and UNQUALIFIED for out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qualdesk.core.handoff import (
    HUBSPOT,
    PLAIN_HEAD,
    SALESFORCE,
    BuyerProfile,
    Cell,
    Clean,
    Criterion,
    columns_for,
    day,
    row_for,
    stamp,
)

NURTURE = "nurture"
OUT = "disqualified"

# Plain: after the sales layout's head, before the checklist.
NURTURE_PLAIN = ("stage", "nurture_reason", "recycle_on", "routed_by", "routed_at", "do_not_call")
# Salesforce: Do Not Call is the Lead's standard checkbox; the recycle date a custom field.
SALESFORCE_NURTURE = (*SALESFORCE, "Do Not Call", "Qualdesk Recycle Date")
SALESFORCE_STATUS = "Closed - Not Converted"
# HubSpot: custom contact properties, to create before the first import.
HUBSPOT_NURTURE = (
    *HUBSPOT, "qualdesk_nurture_reason", "qualdesk_recycle_date", "qualdesk_do_not_call",
)  # fmt: skip
HUBSPOT_STATUS = {NURTURE: "BAD_TIMING", OUT: "UNQUALIFIED"}
# Not qualified by the desk's definition: a lead again, whatever marketing had made of it.
HUBSPOT_STAGE = "lead"


def nurture_columns(
    profile: str, criteria: Sequence[Criterion], extras: Iterable[str]
) -> list[str]:
    """The header of a nurture hand-back file in this profile.

    Args:
        profile: plain, salesforce or hubspot.
        criteria: the definition's criteria in force.
        extras: names of marketing's extra columns found on the leads (plain only).
    """
    if profile == "salesforce":
        return list(SALESFORCE_NURTURE)
    if profile == "hubspot":
        return list(HUBSPOT_NURTURE)
    plain = columns_for(profile, criteria, extras)
    cut = len(PLAIN_HEAD)
    return [*plain[:cut], *NURTURE_PLAIN, *plain[cut:]]


def nurture_row(
    profile: str, columns: Sequence[str], lead: BuyerProfile, clean: Clean
) -> list[Cell]:
    """The lead's row under `columns` (as nurture_columns made them).

    As core.handoff.row_for: `clean` is applied to every cell of people's text.
    """
    if profile == "plain":
        cut = len(PLAIN_HEAD)
        row = row_for(profile, [*columns[:cut], *columns[cut + len(NURTURE_PLAIN) :]], lead, clean)
        row[cut:cut] = [
            lead.stage, clean(lead.nurture_reason), day(lead.recycle_at), clean(lead.routed_by),
            stamp(lead.routed_at), "yes" if lead.do_not_call else "no",
        ]  # fmt: skip
        return row
    row = row_for(profile, columns, lead, clean)
    if profile == "salesforce":
        row[-2:] = ["true" if lead.do_not_call else "false", day(lead.recycle_at)]
        row[SALESFORCE.index("Lead Status")] = SALESFORCE_STATUS
    else:
        row[-3:] = [
            clean(lead.nurture_reason), day(lead.recycle_at),
            "true" if lead.do_not_call else "false",
        ]  # fmt: skip
        row[HUBSPOT.index("hs_lead_status")] = HUBSPOT_STATUS.get(lead.stage, "UNQUALIFIED")
        row[HUBSPOT.index("lifecyclestage")] = HUBSPOT_STAGE
    return row
