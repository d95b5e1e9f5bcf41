"""Where a lead goes when a call ends: the desk's routing rules, as pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from qualdesk.core.cadence import next_attempt_due, retry_wait
from qualdesk.core.durations import format_duration
from qualdesk.core.rules import DeskRules, Disposition
from qualdesk.core.scoring import Verdict
from qualdesk.core.stages import Outcome, Stage

# Routes a rep may choose instead of the proposed one (with a reason).
OVERRIDE_ROUTES = (Stage.SALES, Stage.NURTURE, Stage.WORKING, Stage.DISQUALIFIED)

# The grades a reader expects at sales: the ones the hand-off file rates Hot (A)
# and Warm (B). The definition, not the grade, decides the route; when the two
# part (an A or B lead nurtured, a C or D lead to sales) the route says why.
SALES_GRADES = frozenset({"A", "B"})


@dataclass(frozen=True)
class Route:
    """Where the lead goes, why, and when the desk next offers it (None: never).

    grade_note, for a route the checklist decided, says why the route is not
    the one the grade suggests (see grade_note); None when they agree.
    """

    stage: Stage
    reason: str
    next_due_at: datetime | None
    callback_at: datetime | None = None
    owner_only: bool = False
    do_not_call: bool = False
    grade_note: str | None = None

    @property
    def label(self) -> str:
        return ROUTE_LABELS[self.stage]


ROUTE_LABELS = {
    Stage.SALES: "to sales",
    Stage.NURTURE: "to nurture",
    Stage.WORKING: "keep working",
    Stage.DISQUALIFIED: "out (disqualified)",
    Stage.NEW: "new",
    Stage.HANDED_OFF: "handed off",
    Stage.ACCEPTED: "accepted",
    Stage.REJECTED: "rejected",
}


def grade_note(rules: DeskRules, verdict: Verdict) -> str | None:
    """Why the checklist's route is not the one the grade suggests, in one short line.

    The grade comes from the score alone; the route from the definition (how
    many criteria, the required ones, min_score, joined by combine). They agree
    when a lead of a grade in SALES_GRADES (A, B) goes to sales, or a C or D
    lead to nurture; otherwise this says why, e.g. "Grade A on score 70, but
    nurture: Business pains is required, not established".

    Args:
        rules: the rules the verdict was reached under.
        verdict: the lead judged against the definition.

    Returns:
        The note, or None when grade and route agree.
    """
    if (verdict.grade in SALES_GRADES) == verdict.qualified:
        return None
    q = rules.qualification
    have = verdict.established
    required = [c.label for c in rules.criteria if c.required]
    missing = [c.label for c in rules.criteria if c.required and c.key not in have]
    count_ok = len(have) >= q.min_established and not missing
    head = f"Grade {verdict.grade} on score {verdict.score}"
    if verdict.qualified:
        if not count_ok:
            # combine = "or": the score alone qualified the lead.
            return f"{head}, yet sales: a score of {q.min_score} is enough on its own"
        why = _criteria(len(have)) + (f" incl. {_and(required)}" if required else "")
        needs_score = q.combine == "and" and q.min_score > 0
        return f"{head}, yet sales: {why}, " + (
            f"score ≥ {q.min_score}" if needs_score else "at any score"
        )
    short = []
    if len(have) < q.min_established:
        short.append(f"{_criteria(len(have))} established, {q.min_established} needed")
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        short.append(f"{_and(missing)} {verb} required, not established")
    why = "; ".join(short)
    if q.combine == "or" and q.min_score > 0:
        why += f", or a score of {q.min_score}"
    elif q.combine == "and" and verdict.score < q.min_score:
        why = "; ".join([*short, f"a score of {q.min_score} needed"])
    return f"{head}, but nurture: {why}"


def _criteria(count: int) -> str:
    return f"{count} criteri{'on' if count == 1 else 'a'}"


def _and(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def recycle(rules: DeskRules, grade: str, now: datetime) -> datetime:
    """When a nurtured lead of this grade comes back to the desk."""
    return now + timedelta(days=rules.recycle_days[grade])


def route_after_call(
    rules: DeskRules,
    disposition: Disposition,
    verdict: Verdict,
    attempts: int,
    now: datetime,
    callback_at: datetime | None = None,
    owner_only: bool = True,
) -> Route:
    """The route the desk proposes when a call ends.

    Args:
        rules: the rules in force.
        disposition: how the call went.
        verdict: the lead judged against the definition, as the call left it.
        attempts: call attempts including this one.
        now: when the call ended.
        callback_at: for a callback, when to call back.
        owner_only: for a callback, whether only this rep may take it.

    Returns:
        The proposed route, with its reason in words.
    """
    grade = verdict.grade
    days = rules.recycle_days[grade]
    match disposition.implies:
        case Outcome.ROUTE:
            note = grade_note(rules, verdict)
            if verdict.qualified:
                return Route(Stage.SALES, f"qualified: {verdict.reason}", None, grade_note=note)
            return Route(
                Stage.NURTURE,
                f"not qualified yet: {verdict.reason}; back in {days} days",
                recycle(rules, grade, now),
                grade_note=note,
            )
        case Outcome.RETRY:
            due = next_attempt_due(rules, attempts, now)
            if due is None:
                return Route(
                    Stage.NURTURE,
                    f"unreachable after {attempts} attempts; back in {days} days",
                    recycle(rules, grade, now),
                )
            wait = format_duration(max(retry_wait(rules, attempts), rules.cadence.min_gap))
            return Route(
                Stage.WORKING,
                f"{disposition.label.lower()}: attempt {attempts} of "
                f"{rules.cadence.max_attempts}, next try in {wait}",
                due,
            )
        case Outcome.CALLBACK:
            if callback_at is None:
                raise ValueError("a callback needs a time")
            whose = "only this rep" if owner_only else "any rep"
            # An owner-only callback reaches the other reps once overdue by the grace time.
            shared_from = callback_at + rules.cadence.callback_grace if owner_only else callback_at
            return Route(
                Stage.WORKING,
                f"callback requested ({whose})",
                shared_from,
                callback_at=callback_at,
                owner_only=owner_only,
            )
        case Outcome.NURTURE:
            reason = disposition.reason or disposition.label.lower()
            return Route(
                Stage.NURTURE, f"{reason}; back in {days} days", recycle(rules, grade, now)
            )
        case Outcome.DISQUALIFY:
            return Route(Stage.DISQUALIFIED, disposition.reason or disposition.label.lower(), None)
        case Outcome.DNC:
            reason = disposition.reason or "asked not to be called"
            return Route(Stage.DISQUALIFIED, reason, None, do_not_call=True)
    raise ValueError(f"unknown outcome {disposition.implies}")


def override_route(rules: DeskRules, stage: Stage, reason: str, grade: str, now: datetime) -> Route:
    """The route a rep chose instead of the proposed one; the reason is theirs.

    A do-not-call request is never overridden: the caller refuses that first.

    Raises:
        ValueError: no reason, or a stage a rep cannot send a lead to.
    """
    if stage not in OVERRIDE_ROUTES:
        raise ValueError(f"a lead cannot be sent to {stage.value}")
    if not reason.strip():
        raise ValueError("give a reason for choosing another route")
    due = {
        Stage.SALES: None,
        Stage.DISQUALIFIED: None,
        Stage.NURTURE: recycle(rules, grade, now),
        Stage.WORKING: now + rules.cadence.min_gap,
    }[stage]
    return Route(stage, reason.strip(), due)
