"""Sales' words for their verdicts and outcomes, as their CRMs write them.

A verdict file says what sales made of a lead in its CRM's own words: a
Salesforce Lead Status (Closed - Converted), a HubSpot lifecycle stage or
lead status (salesqualifiedlead, BAD_TIMING), an opportunity or deal stage
(Closed Won, closedlost), or the desk's own (accepted). The rules file's
[sales.verdicts] and [sales.outcomes] tables say which word means what;
these are the tables a desk gets when its rules file gives none, and the
ones the shipped data/desk.toml lists. Words match ignoring case, spacing
and punctuation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from qualdesk.core.headers import header_key

ACCEPTED = "accepted"
REJECTED = "rejected"
PENDING = "pending"
VERDICTS = (ACCEPTED, REJECTED, PENDING)

OPPORTUNITY = "opportunity"
WON = "won"
LOST = "lost"
OUTCOMES = (OPPORTUNITY, WON, LOST)

DEFAULT_VERDICT_WORDS: dict[str, tuple[str, ...]] = {
    ACCEPTED: (
        # the desk's own words
        "accepted", "accept", "yes", "y", "approved", "ok", "sal", "sales accepted", "true",
        "converted",
        # Salesforce Lead Status
        "Closed - Converted",
        # HubSpot lifecycle stages past the hand-off
        "salesqualifiedlead", "sales qualified lead", "sql", "opportunity", "customer",
        "evangelist", "OPEN_DEAL",
    ),
    REJECTED: (
        "rejected", "reject", "no", "n", "declined", "denied", "disqualified", "returned",
        "false",
        "Closed - Not Converted",
        # HubSpot lead statuses and lifecycle stage
        "unqualified", "BAD_TIMING", "bad timing",
    ),
    PENDING: (
        "pending", "open", "working", "new", "in progress",
        "Open - Not Contacted", "Working - Contacted",
        "NEW", "OPEN", "IN_PROGRESS", "ATTEMPTED_TO_CONTACT", "CONNECTED",
        "lead", "marketingqualifiedlead", "subscriber", "other",
    ),
}  # fmt: skip

DEFAULT_OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    OPPORTUNITY: (
        "opportunity", "open",
        # Salesforce Opportunity stages still open
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
        "Negotiation/Review",
        # HubSpot deal stages still open
        "appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
        "decisionmakerboughtin", "contractsent",
        # HubSpot lead status once a deal is open
        "OPEN_DEAL",
    ),
    WON: ("won", "Closed Won", "closedwon", "customer", "evangelist"),
    LOST: ("lost", "Closed Lost", "closedlost"),
}  # fmt: skip


def fold(word: str) -> str:
    """A word as the tables match it: letters and digits only, case folded."""
    return header_key(word)


def word_table(meanings: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Folded word -> meaning, from meaning -> words.

    Raises:
        ValueError: a word given two meanings (names the word and both).
    """
    table: dict[str, str] = {}
    for meaning, words in meanings.items():
        for word in words:
            key = fold(word)
            if not key:
                raise ValueError(f"{word!r} has no letters or digits")
            if table.get(key, meaning) != meaning:
                raise ValueError(f"{word!r} means both {table[key]} and {meaning}")
            table[key] = meaning
    return table


DEFAULT_VERDICTS = word_table(DEFAULT_VERDICT_WORDS)
DEFAULT_OUTCOMES = word_table(DEFAULT_OUTCOME_WORDS)
