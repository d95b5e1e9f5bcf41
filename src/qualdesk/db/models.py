"""The desk's tables (SQLModel). Timestamps are UTC; zones are for display only."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from qualdesk.db.types import UTCDateTime

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _when(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Rep(SQLModel, table=True):
    """Someone who works the desk: a rep, or a team lead."""

    __tablename__ = "reps"

    id: int | None = Field(default=None, primary_key=True)
    handle: str = Field(unique=True, max_length=40)
    name: str
    role: str = Field(default="rep", max_length=10)
    active: bool = True
    time_zone: str = Field(default="UTC", max_length=64)
    created_at: datetime = _when()
    # A salted scrypt hash (core/passwords.py), never the password; None until one is set.
    password_hash: str | None = Field(default=None, max_length=200)
    password_set_at: datetime | None = _when(nullable=True)


class RulesVersion(SQLModel, table=True):
    """One loaded version of the desk rules; the newest is in force."""

    __tablename__ = "rules_versions"

    id: int | None = Field(default=None, primary_key=True)
    loaded_at: datetime = _when()
    loaded_by: str = ""
    source: str = ""
    sha256: str = Field(max_length=64)
    text: str = Field(sa_type=Text)


class ImportBatch(SQLModel, table=True):
    """One lead file imported, with what became of each of its rows."""

    __tablename__ = "import_batches"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    file_path: str = ""
    sha256: str = Field(max_length=64, index=True)
    source: str = ""
    campaign: str = ""
    region: str = ""
    encoding: str = ""
    delimiter: str = ""
    imported_by: str = ""
    started_at: datetime = _when()
    finished_at: datetime = _when()
    rows_read: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    blank: int = 0
    dnc: int = 0
    shared_phone: int = 0
    emails_invalid: int = 0
    unknown_columns: list[str] = Field(default_factory=list, sa_type=JSON)
    rejects_file: str | None = None
    status: str = Field(default="done", max_length=10)
    undone_at: datetime | None = _when(nullable=True)
    undone_removed: int = 0
    undone_kept: int = 0


class ImportIssue(SQLModel, table=True):
    """A row of an import that did not become a lead: rejected, or a duplicate."""

    __tablename__ = "import_issues"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="import_batches.id", index=True)
    line: int
    kind: str = Field(max_length=10)
    reason: str
    cells: list[str] = Field(default_factory=list, sa_type=JSON)
    duplicate_of: int | None = None


class HoursClass(SQLModel, table=True):
    """Leads that share calling hours: the same candidate zones and jurisdiction.

    The desk works out once a minute which classes may be called now, and
    the claim walks the queue of each callable class.
    """

    __tablename__ = "hours_classes"
    __table_args__ = (UniqueConstraint("zones", "jurisdiction"),)

    id: int | None = Field(default=None, primary_key=True)
    zones: str = ""
    jurisdiction: str = Field(default="", max_length=6)


# The queue: a due, unclaimed lead, in claim order within its calling-hours class.
_READY = "queue_bucket IS NOT NULL AND claimed_by IS NULL"
# Leads waiting to become due; callbacks among them, which join the queue first.
_WAITING = "queue_bucket IS NULL AND next_due_at IS NOT NULL"
_WAITING_CALLBACK = "callback_at IS NOT NULL AND queue_bucket IS NULL AND next_due_at IS NOT NULL"


class Lead(SQLModel, table=True):
    """A person at a company, as marketing delivered them and as the desk found them."""

    __tablename__ = "leads"
    __table_args__ = (
        # Leads tied on their place go in id order (on both engines, by the index); and
        # claimed_by (always NULL here) makes the index cover the queue counts too.
        Index(
            "ix_leads_ready", "hours_class_id", "queue_bucket", "grade", "queue_order", "id",
            "claimed_by", sqlite_where=text(_READY), postgresql_where=text(_READY),
        ),
        # With the class (and queue_bucket, which SQLite needs to see the index as covering),
        # the team view counts due leads per class from the index alone.
        Index(
            "ix_leads_waiting", "next_due_at", "hours_class_id", "queue_bucket",
            sqlite_where=text(_WAITING), postgresql_where=text(_WAITING),
        ),
        # Leads that arrived in a period, by source and campaign, and what became of them.
        Index(
            "ix_leads_intake", "created_at", "source", "campaign", "stage", "first_touch_at",
            "qualified_at",
        ),
        # The same leads' speed to lead and follow-up, counted from the index alone.
        Index(
            "ix_leads_follow_up", "created_at", "grade", "stage", "touch_count", "touch_channels",
            "last_rep_id", "reached_at", "arrived_at", "hours_class_id", "first_call_at",
        ),
        Index(
            "ix_leads_due_callbacks", "next_due_at",
            sqlite_where=text(_WAITING_CALLBACK), postgresql_where=text(_WAITING_CALLBACK),
        ),
        Index(
            "ix_leads_callbacks", "owner_id", "callback_at",
            sqlite_where=text("callback_at IS NOT NULL"),
            postgresql_where=text("callback_at IS NOT NULL"),
        ),
        Index(
            "ix_leads_claims", "claim_expires_at",
            sqlite_where=text("claimed_by IS NOT NULL"),
            postgresql_where=text("claimed_by IS NOT NULL"),
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int | None = Field(default=None, foreign_key="import_batches.id", index=True)
    created_at: datetime = _when()
    updated_at: datetime = _when()
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    email: str | None = Field(default=None, index=True)
    phone_raw: str = ""
    phone_e164: str = Field(index=True, max_length=20)
    phone_ext: str | None = Field(default=None, max_length=10)
    # A number to call instead (the direct line a gatekeeper gave): once set, calls,
    # calling hours (time_zones, jurisdiction) and the do-not-call check follow it.
    alt_phone_e164: str | None = Field(default=None, index=True, max_length=20)
    alt_phone_ext: str | None = Field(default=None, max_length=10)
    # The person's name (else the company), folded: with the phone, who the lead is.
    match_key: str = ""
    region: str = Field(default="", max_length=3)
    jurisdiction: str = Field(default="", max_length=6)
    time_zones: str = ""
    hours_class_id: int | None = Field(default=None, foreign_key="hours_classes.id")
    source: str = ""
    campaign: str = ""
    industry: str = ""
    company_size: str = ""
    extra: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    shares_phone: bool = False
    stage: str = Field(default="new", max_length=16, index=True)
    stage_reason: str = ""
    owner_id: int | None = Field(default=None, foreign_key="reps.id")
    callback_at: datetime | None = _when(nullable=True)
    callback_owner_only: bool = False
    claimed_by: int | None = Field(default=None, foreign_key="reps.id")
    claim_token: str | None = Field(default=None, max_length=32)
    claim_expires_at: datetime | None = _when(nullable=True)
    next_due_at: datetime | None = _when(nullable=True)
    # Set once the lead is due; see qualdesk.core.queue for the order.
    queue_bucket: int | None = None
    queue_order: int = 0
    attempts: int = 0
    last_attempt_at: datetime | None = _when(nullable=True)
    first_touch_at: datetime | None = _when(nullable=True)
    score: int = 0
    grade: str = Field(default="D", max_length=1)
    # When a rep first routed the lead to sales: raw -> qualified conversion counts it.
    qualified_at: datetime | None = _when(nullable=True)
    handoff_batch_id: int | None = Field(default=None, foreign_key="export_batches.id")
    sales_verdict: str | None = Field(default=None, max_length=10)
    sales_reason: str = ""
    verdict_at: datetime | None = _when(nullable=True)
    # When marketing's system created the lead (the file's Created Date), if it said:
    # speed to lead runs from here rather than from the import.
    arrived_at: datetime | None = _when(nullable=True)
    # Touches made so far, and the channels they used (sorted, comma-separated), kept
    # with every touch: the follow-up target reads them.
    touch_count: int = 0
    touch_channels: str = ""
    # What sales made of the lead after accepting it, newest first in sales_outcomes:
    # opportunity, won or lost, the amount in cents and the close date.
    outcome: str | None = Field(default=None, max_length=12)
    outcome_cents: int | None = Field(default=None, sa_type=BigInteger)
    outcome_on: date | None = Field(default=None, sa_type=Date)
    # Kept with every touch too, so the figures over many leads need not read their touches:
    # when the first call began (the desk's or the lead's own: speed to lead's first touch),
    # who made the latest touch (the follow-up figures count the lead for that rep; a rep's
    # id, without a foreign key so adding it is cheap), and when the desk first reached the
    # person (the first touch with a disposition that has connect = true).
    first_call_at: datetime | None = _when(nullable=True)
    last_rep_id: int | None = None
    reached_at: datetime | None = _when(nullable=True)


class Touch(SQLModel, table=True):
    """One contact attempt or exchange with a lead, on any channel."""

    __tablename__ = "touches"
    __table_args__ = (
        Index("ix_touches_rep_id_started_at", "rep_id", "started_at"),
        # Calls to one number in a window, for the caps some laws set (Florida: 3 in 24h).
        Index(
            "ix_touches_phone", "phone", "started_at",
            sqlite_where=text("phone IS NOT NULL"), postgresql_where=text("phone IS NOT NULL"),
        ),
        # Covers the team figures for a period: counted from the index alone.
        Index(
            "ix_touches_period", "started_at", "rep_id", "lead_id", "channel", "disposition",
            "ended_at",
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    rep_id: int = Field(foreign_key="reps.id")
    channel: str = Field(default="phone", max_length=16)
    disposition: str | None = Field(default=None, max_length=32)
    notes: str = Field(default="", sa_type=Text)
    started_at: datetime = _when(index=True)
    ended_at: datetime | None = _when(nullable=True)
    # The number dialled (E.164), for calls the desk made: the lead's number to call
    # at the time. None for a call the lead made to the desk (inbound).
    phone: str | None = Field(default=None, max_length=20)
    # The lead called the desk: no number was dialled, and the rules on calling
    # (hours, gap, attempts, caps) did not apply.
    inbound: bool = False


class ChecklistAnswer(SQLModel, table=True):
    """A rep's answer to one criterion; the newest per criterion stands, the rest is history."""

    __tablename__ = "checklist_answers"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    criterion: str = Field(max_length=40)
    established: bool
    note: str = ""
    rep_id: int = Field(foreign_key="reps.id")
    answered_at: datetime = _when()
    rules_version_id: int = Field(foreign_key="rules_versions.id")


class RoutingDecision(SQLModel, table=True):
    """Where a lead went when a call ended, why, and under which rules version."""

    __tablename__ = "routing_decisions"
    __table_args__ = (
        Index("ix_routing_decisions_rep_id_decided_at", "rep_id", "decided_at"),
        # Every rep's routes of all time, counted from the index alone.
        Index("ix_routing_decisions_rep_routes", "rep_id", "route", "decided_at"),
        # Who sent a lead to sales last: one index seek per lead, newest first.
        Index("ix_routing_decisions_lead_routes", "lead_id", "route", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    touch_id: int | None = Field(default=None, foreign_key="touches.id")
    rep_id: int | None = Field(default=None, foreign_key="reps.id")
    route: str = Field(max_length=16)
    proposed_route: str = Field(max_length=16)
    reason: str = ""
    overridden: bool = False
    rules_version_id: int = Field(foreign_key="rules_versions.id")
    decided_at: datetime = _when(index=True)


class DoNotCall(SQLModel, table=True):
    """A number that must never be called again."""

    __tablename__ = "do_not_call"

    phone_e164: str = Field(primary_key=True, max_length=20)
    added_at: datetime = _when()
    added_by: str = ""
    reason: str = ""
    source: str = ""


class ExportBatch(SQLModel, table=True):
    """One hand-off file written for sales."""

    __tablename__ = "export_batches"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _when()
    created_by: str = ""
    file_path: str = ""
    format: str = Field(default="csv", max_length=10)
    profile: str = Field(default="plain", max_length=20)
    lead_count: int = 0
    sha256: str = Field(default="", max_length=64)
    rules_version_id: int | None = Field(default=None, foreign_key="rules_versions.id")
    # The file as written, compressed (zlib), so the batch can be written again byte for byte.
    content: bytes | None = Field(default=None, sa_type=LargeBinary)
    # sales (qualified leads) or nurture (leads handed back to marketing).
    destination: str = Field(
        default="sales", max_length=10, sa_column_kwargs={"server_default": "sales"}
    )


class HandOff(SQLModel, table=True):
    """One lead as it left for sales, in which batch, and how it stood then."""

    __tablename__ = "handoffs"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="export_batches.id", index=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    handed_off_at: datetime = _when(index=True)
    # The checklist as it stood is the newest answer per criterion up to this moment,
    # read under this rules version (answers are never deleted).
    rules_version_id: int = Field(foreign_key="rules_versions.id")
    score: int = 0
    grade: str = Field(default="D", max_length=1)


class FeedbackBatch(SQLModel, table=True):
    """One file of sales' verdicts read into the desk."""

    __tablename__ = "feedback_batches"

    id: int | None = Field(default=None, primary_key=True)
    file_name: str
    file_path: str = ""
    sha256: str = Field(max_length=64, index=True)
    received_at: datetime = _when()
    received_by: str = ""
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    refused: int = 0
    rejects_file: str | None = None
    # Rows whose lead is still open in sales' system, and outcomes recorded.
    pending: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    outcomes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class SalesVerdict(SQLModel, table=True):
    """Sales' verdict on a handed-off lead; the newest one stands."""

    __tablename__ = "sales_verdicts"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    handoff_id: int | None = Field(default=None, foreign_key="handoffs.id")
    feedback_batch_id: int | None = Field(default=None, foreign_key="feedback_batches.id")
    line: int = 0
    verdict: str = Field(max_length=10)
    reason: str = ""
    decided_at: datetime = _when(index=True)
    received_at: datetime = _when()


class SalesOutcome(SQLModel, table=True):
    """What an accepted lead became in sales' hands, as sales reported it; never overwritten."""

    __tablename__ = "sales_outcomes"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    handoff_id: int | None = Field(default=None, foreign_key="handoffs.id")
    feedback_batch_id: int | None = Field(default=None, foreign_key="feedback_batches.id")
    line: int = 0
    # opportunity, won or lost; `word` is sales' own word for it (Closed Won, closedwon).
    outcome: str = Field(max_length=12)
    word: str = ""
    amount_cents: int | None = Field(default=None, sa_type=BigInteger)
    closed_on: date | None = Field(default=None, sa_type=Date)
    received_at: datetime = _when(index=True)


class NurtureHandOff(SQLModel, table=True):
    """One lead as it went back to marketing's nurture, in which batch, and why."""

    __tablename__ = "nurture_handoffs"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="export_batches.id", index=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    # The routing decision that sent it to nurture (or out): a later one sends it again.
    decision_id: int | None = Field(default=None, foreign_key="routing_decisions.id", index=True)
    handed_off_at: datetime = _when()
    stage: str = Field(max_length=16)
    score: int = 0
    grade: str = Field(default="D", max_length=1)


class Review(SQLModel, table=True):
    """A team lead's ruling on a rejection: valid (to nurture) or not (back to sales)."""

    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    verdict_id: int = Field(foreign_key="sales_verdicts.id", unique=True)
    reviewer_id: int = Field(foreign_key="reps.id")
    valid: bool
    note: str = ""
    decided_at: datetime = _when(index=True)


class DeskSetting(SQLModel, table=True):
    """A named value about this database (for instance, that it is a demo)."""

    __tablename__ = "desk_settings"

    key: str = Field(primary_key=True, max_length=40)
    value: str = ""


class TouchPair(SQLModel, table=True):
    """That a rep has touched a lead on a channel: how distinct leads are counted cheaply."""

    __tablename__ = "touch_pairs"

    rep_id: int = Field(foreign_key="reps.id", primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)


class RepTouchTotal(SQLModel, table=True):
    """A rep's touches of all time on a channel with a disposition, and their seconds.

    Kept with every touch written, so the figures of all time never scan the touches.
    """

    __tablename__ = "rep_touch_totals"

    rep_id: int = Field(foreign_key="reps.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    # "" for touches without a disposition (other channels).
    disposition: str = Field(max_length=32, primary_key=True)
    touches: int = 0
    seconds: int = 0


class RepLeadTotal(SQLModel, table=True):
    """How many distinct leads a rep has touched on a channel ("*": on any channel)."""

    __tablename__ = "rep_lead_totals"

    rep_id: int = Field(foreign_key="reps.id", primary_key=True)
    channel: str = Field(max_length=16, primary_key=True)
    leads: int = 0


class LeadChange(SQLModel, table=True):
    """A change made to a lead's details on the desk: which field, old and new, who, when, why."""

    __tablename__ = "lead_changes"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads.id", index=True)
    field: str = Field(max_length=20)
    old: str = Field(default="", sa_type=Text)
    new: str = Field(default="", sa_type=Text)
    # The rep who made it at the desk, if it was one; changed_by names whoever it was.
    rep_id: int | None = Field(default=None, foreign_key="reps.id")
    changed_by: str = ""
    reason: str = ""
    changed_at: datetime = _when()


class NoteDraft(SQLModel, table=True):
    """Call notes a rep has typed on a card and not yet saved with a call.

    Written as they type, so a crash or a closed terminal loses seconds, not
    the call; deleted when the call ends, and given back when the lead opens again.
    """

    __tablename__ = "note_drafts"

    lead_id: int = Field(foreign_key="leads.id", primary_key=True)
    rep_id: int = Field(foreign_key="reps.id", primary_key=True)
    text: str = Field(default="", sa_type=Text)
    saved_at: datetime = _when()


class SignInEvent(SQLModel, table=True):
    """One sign-in, failed attempt, lock, sign-out or password change, with where from.

    The handle is kept as it was given (an unknown one too), so five failures
    lock a handle whether or not anyone has it: the lock tells nothing.
    """

    __tablename__ = "sign_in_events"
    __table_args__ = (Index("ix_sign_in_events_handle_at", "handle", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    handle: str = Field(max_length=40)
    rep_id: int | None = Field(default=None, foreign_key="reps.id")
    event: str = Field(max_length=20)
    source: str = Field(default="", max_length=200)
    detail: str = Field(default="", max_length=200)


class DeskChange(SQLModel, table=True):
    """A change to the desk itself, with who made it: a rep added, a password set, an
    import undone, a number taken off the do-not-call list."""

    __tablename__ = "desk_changes"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    # The handle of the rep who made it, or the administrator's user name.
    by: str = Field(max_length=40)
    rep_id: int | None = Field(default=None, foreign_key="reps.id")
    action: str = Field(max_length=40)
    subject: str = Field(default="", max_length=200)
    detail: str = Field(default="", sa_type=Text)


class DeskSession(SQLModel, table=True):
    """A rep signed in at a desk (a terminal or a browser tab), for the live floor.

    The desk writes `seen_at` every few seconds with what the rep is doing; a
    session not seen for a while has gone, whether or not it said so.
    """

    __tablename__ = "desk_sessions"
    __table_args__ = (
        Index(
            "ix_desk_sessions_open",
            "rep_id",
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    rep_id: int = Field(foreign_key="reps.id")
    source: str = Field(max_length=20)
    place: str = Field(default="", max_length=200)
    started_at: datetime = _when()
    seen_at: datetime = _when()
    # The rep's last key press, for idle time.
    last_key_at: datetime = _when()
    # On the card, on a call, in the routing dialog, waiting for a lead, the team view.
    state: str = Field(default="", max_length=20)
    state_since: datetime = _when()
    lead_id: int | None = Field(default=None, foreign_key="leads.id")
    # Since when this desk has had that lead on its card.
    lead_since: datetime | None = _when(nullable=True)
    ended_at: datetime | None = _when(nullable=True)
    ended_why: str = Field(default="", max_length=40)
