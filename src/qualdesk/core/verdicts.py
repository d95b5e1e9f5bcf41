"""What one row of sales' verdict file says, and what it changes on its lead.

A row may say a verdict in a lead status or lifecycle stage column, an
outcome in an opportunity or deal stage column, or both. The rules:

- Status and lifecycle stage agree or one is still open: a verdict from
  either that is not pending stands; accepted in one and rejected in the
  other refuses the row, naming both.
- A status word may also name an outcome (HubSpot's lifecycle stage
  "customer" is accepted and won). An opportunity named only that way, or by
  a Salesforce lead's converted opportunity id, is recorded only while the
  desk has no outcome for the lead: a lead report read again never undoes a
  win an opportunity file recorded.
- An outcome implies accepted: a lead still with sales becomes accepted; a
  rejected lead needs accepted said on the same row; rejected and an outcome
  on one row refuses it, naming both.
- Pending starts nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from qualdesk.core.crmwords import ACCEPTED, OPPORTUNITY, PENDING, REJECTED
from qualdesk.core.feedback import read_outcome, read_verdict
from qualdesk.core.stages import Stage

UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Said:
    """A cell of the row: its column's name and sales' word in it."""

    column: str
    word: str

    def __str__(self) -> str:
        return f"{self.column} {self.word!r}"


@dataclass(frozen=True)
class RowWords:
    """What a row says: a verdict (None: not said) and an outcome (None: none).

    `settled` is False for an opportunity named only in passing (by a status
    word or a converted opportunity id): it never replaces an outcome the
    desk has. `word` is sales' word for the outcome, as written.
    """

    verdict: str | None
    outcome: str | None = None
    word: str = ""
    settled: bool = True


def read_row_words(
    status: Said | None,
    lifecycle: Said | None,
    stage: Said | None,
    opportunity_id: Said | None,
    verdicts: Mapping[str, str],
    outcomes: Mapping[str, str],
) -> RowWords | str:
    """What the row's word columns say together, or why they cannot be read together.

    Args:
        status: the lead status (or verdict) cell, if the row has one.
        lifecycle: the lifecycle stage cell.
        stage: the opportunity or deal stage (or outcome) cell.
        opportunity_id: the converted opportunity id cell.
        verdicts: the rules' [sales.verdicts] table (folded word -> meaning).
        outcomes: the rules' [sales.outcomes] table.

    Returns:
        The row's words, or one line saying why the row is refused.
    """
    said: list[tuple[Said, str]] = []
    implied: list[tuple[Said, str]] = []
    for cell in (status, lifecycle):
        if cell is None:
            continue
        meaning = read_verdict(cell.word, verdicts)
        outcome = read_outcome(cell.word, outcomes)
        if meaning is None and outcome is None:
            return f"{cell} is not one of sales' words (add it to [sales.verdicts] in the rules)"
        if meaning is not None:
            said.append((cell, meaning))
        if outcome is not None and meaning in (None, ACCEPTED):
            implied.append((cell, outcome))
    stated: tuple[Said, str] | None = None
    if stage is not None:
        outcome = read_outcome(stage.word, outcomes)
        meaning = read_verdict(stage.word, verdicts)
        if outcome is not None:
            stated = (stage, outcome)
        elif meaning is not None:
            said.append((stage, meaning))
        else:
            return f"{stage} is not one of sales' words (add it to [sales.outcomes] in the rules)"
    firm = {meaning: cell for cell, meaning in said if meaning != PENDING}
    if ACCEPTED in firm and REJECTED in firm:
        return f"{firm[ACCEPTED]} says accepted but {firm[REJECTED]} says rejected"
    verdict = next(iter(firm), PENDING if said else None)
    outcome_said = _outcome(stated, implied)
    if isinstance(outcome_said, str):
        return outcome_said
    if outcome_said is None and opportunity_id is not None and verdict == ACCEPTED:
        outcome_said = (opportunity_id, OPPORTUNITY, False)
    if outcome_said is None:
        return RowWords(verdict) if verdict else "no verdict given"
    cell, outcome, settled = outcome_said
    if verdict == REJECTED:
        return f"{firm[REJECTED]} says rejected but {cell} says {outcome}"
    word = cell.word if cell is not opportunity_id else f"{cell.column} {cell.word}"
    return RowWords(verdict, outcome, word, settled)


def _outcome(
    stated: tuple[Said, str] | None, implied: list[tuple[Said, str]]
) -> tuple[Said, str, bool] | str | None:
    """The row's outcome: a stage column's, else one a status word names."""
    if stated is not None:
        return (*stated, True)
    closed = {outcome: cell for cell, outcome in implied if outcome != OPPORTUNITY}
    if len(closed) > 1:
        (first, one), (second, other) = ((cell, o) for o, cell in closed.items())
        return f"{first} says {one} but {second} says {other}"
    if closed:
        outcome, cell = next(iter(closed.items()))
        return cell, outcome, True
    if implied:
        return implied[0][0], OPPORTUNITY, False
    return None


def _as(outcome: str) -> str:
    return "an opportunity" if outcome == OPPORTUNITY else outcome


@dataclass(frozen=True)
class LeadNow:
    """A lead as the desk has it: its stage and its newest outcome."""

    stage: str
    outcome: str | None = None
    cents: int | None = None
    closed_on: date | None = None
    # Handed back to marketing's nurture in a file (which sales' CRM may then list too).
    handed_back: bool = False


@dataclass(frozen=True)
class Change:
    """What a row does to its lead.

    `counted` is accepted, rejected, pending or unchanged (the verdict's
    part); `verdict` is the verdict to record (None: none); `outcome` the
    lead's new outcome, amount and close date (None: none to record).
    `implied` says the acceptance comes from the outcome alone.
    """

    counted: str
    verdict: str | None = None
    outcome: tuple[str, int | None, date | None] | None = None
    implied: bool = False


def change_for(
    lead_id: int,
    lead: LeadNow,
    words: RowWords,
    cents: int | None = None,
    closed_on: date | None = None,
) -> Change | str:
    """What the row changes on its lead, or why it cannot be applied.

    An empty amount or close date keeps the one the desk has: a file without
    the column says nothing about it. A row repeating the lead's outcome,
    amount and close date records none.

    Args:
        lead_id: the lead, for the reason a row is refused.
        lead: the lead as the desk has it now.
        words: what the row says.
        cents: the row's amount, if it gave one.
        closed_on: the row's close date, if it gave one.
    """
    outcome = words.outcome
    if outcome is not None and not words.settled and lead.outcome is not None:
        outcome = None  # an opportunity in passing: the desk knows more already
    if words.outcome is None:
        if words.verdict in (None, PENDING):
            return Change(PENDING)
        target = words.verdict
    elif words.verdict == ACCEPTED:
        target = ACCEPTED
    elif lead.stage == Stage.REJECTED.value:
        return (
            f"sales rejected lead #{lead_id}; an outcome needs it accepted first, "
            "or a verdict of accepted on the same row"
        )
    else:
        target = ACCEPTED
    assert target is not None
    if target == REJECTED and lead.outcome is not None and lead.stage != target:
        return (
            f"sales already reported lead #{lead_id} as {_as(lead.outcome)}; a rejection now "
            "contradicts it (correct the opportunity first, or leave the lead out)"
        )
    verdict = None if lead.stage == target else target
    new = None
    if outcome is not None:
        state = (
            outcome,
            lead.cents if cents is None else cents,
            lead.closed_on if closed_on is None else closed_on,
        )
        if state != (lead.outcome, lead.cents, lead.closed_on):
            new = state
    implied = verdict is not None and words.outcome is not None and words.verdict != ACCEPTED
    return Change(verdict or UNCHANGED, verdict, new, implied)
