"""Leads one at a time on a real database: search, the story, and edits with their record."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from qualdesk.core.errors import QualdeskError
from qualdesk.core.stages import Stage
from qualdesk.db.models import DoNotCall, HoursClass, Lead, LeadChange, Rep, Touch
from qualdesk.services.access import Actor, as_rep
from qualdesk.services.calling import leads as lead_service
from qualdesk.services.calling.calls import end_call, load_card, set_criterion
from qualdesk.services.calling.leads import edit_lead, lead_story, search_leads
from qualdesk.services.calling.lease import Claim, ClaimLost
from qualdesk.services.calling.queue import claim_lead, claim_next
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.export import export_leads
from qualdesk.services.intake.batches import undo_batch
from qualdesk.services.intake.dnc import add_number
from tests.conftest import NOW, FrozenClock
from tests.services.conftest import Make

QUALIFYING = ("vertical", "pains", "budget", "urgency")
LONDON = "+442079460958"  # rings in London: 15:00 at NOW, when Los Angeles is 07:00
SYDNEY = "+61293744000"


def _lead(desk: Desk, lead_id: int) -> Lead:
    with desk.db.reading() as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead


def _changes(desk: Desk, lead_id: int | None = None) -> list[LeadChange]:
    with desk.db.reading() as session:
        query = select(LeadChange).order_by(col(LeadChange.id))
        if lead_id is not None:
            query = query.where(col(LeadChange.lead_id) == lead_id)
        return list(session.scalars(query))


def _claim(desk: Desk, rep: Rep) -> Claim:
    claim = claim_next(desk, rep)
    assert claim is not None
    return claim


def _hours_classes(desk: Desk) -> list[tuple[str, str]]:
    with desk.db.reading() as session:
        rows = session.exec(select(HoursClass.zones, HoursClass.jurisdiction))
        return sorted((zones, place) for zones, place in rows)


# -- the record of each change -------------------------------------------------


def test_an_edit_records_who_when_old_new_and_why_for_each_field(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    clock.now = NOW + timedelta(minutes=30)
    edited = edit_lead(
        desk,
        ids["ny"],
        {"name": "Grace Hopper", "title": "CTO", "email": " Grace@Navy.MIL "},
        by=as_rep(reps["ana"]),
        reason="spelled on the call",
    )
    assert [c.field for c in edited.changes] == ["name", "title", "email"]
    assert not edited.stopped
    changes = _changes(desk, ids["ny"])
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("name", "New Yorker", "Grace Hopper"),
        ("title", "", "CTO"),
        ("email", "", "grace@navy.mil"),
    ]
    for change in changes:
        assert (change.changed_by, change.rep_id, change.reason) == (
            "ana",
            reps["ana"].id,
            "spelled on the call",
        )
        assert change.changed_at == clock.now
    lead = _lead(desk, ids["ny"])
    assert (lead.name, lead.title, lead.email) == ("Grace Hopper", "CTO", "grace@navy.mil")
    assert lead.updated_at == clock.now


def test_a_no_op_edit_records_nothing(desk: Desk, make_leads: Make) -> None:
    ids = make_leads("ny")
    edited = edit_lead(
        desk, ids["ny"], {"name": "New Yorker", "phone": "(212) 555-0100"}, by=Actor("x", "rep")
    )
    assert edited.changes == ()
    assert _changes(desk) == []


def test_name_edits_update_first_last_and_match_key(desk: Desk, make_leads: Make) -> None:
    ids = make_leads("ny")
    edit_lead(desk, ids["ny"], {"name": "Grace Brewster Hopper"}, by=Actor("ana", "rep"))
    lead = _lead(desk, ids["ny"])
    assert (lead.first_name, lead.last_name) == ("Grace Brewster", "Hopper")
    assert lead.match_key == "n:grace brewster hopper"
    edit_lead(desk, ids["ny"], {"name": "Hopper, Grace"}, by=Actor("ana", "rep"))
    lead = _lead(desk, ids["ny"])
    assert (lead.name, lead.first_name, lead.last_name) == ("Grace Hopper", "Grace", "Hopper")
    edit_lead(desk, ids["ny"], {"company": "US Navy"}, by=Actor("ana", "rep"))
    edit_lead(desk, ids["ny"], {"name": ""}, by=Actor("ana", "rep"))
    lead = _lead(desk, ids["ny"])
    assert (lead.name, lead.first_name, lead.last_name) == ("", "", "")
    assert lead.match_key == "c:us navy"


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({"name": "Grace Hopper", "email": "grace.navy.mil"}, "email"),
        ({"title": "CTO", "phone": "555"}, "phone"),
        ({"alt_phone": "555", "company": "Navy"}, "alt_phone"),
        ({"ext": "12a"}, "ext"),
        ({"name": "", "company": ""}, "name"),
    ],
)
def test_a_bad_value_changes_nothing(
    desk: Desk, make_leads: Make, asked: dict[str, str], field: str
) -> None:
    ids = make_leads("ny")
    before = _lead(desk, ids["ny"])
    with pytest.raises(QualdeskError) as raised:
        edit_lead(desk, ids["ny"], asked, by=Actor("ana", "rep"), reason="typo")
    from qualdesk.core.edits import LABELS
    from qualdesk.services.calling.leads import LeadEditRefused

    assert isinstance(raised.value, LeadEditRefused) and raised.value.field == field
    assert str(raised.value).startswith(f"{LABELS[field]}: ") and "\n" not in str(raised.value)
    assert _changes(desk) == []
    assert _lead(desk, ids["ny"]).model_dump() == before.model_dump()


def test_the_change_and_its_record_are_one_transaction(
    desk: Desk, make_leads: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = make_leads("ny", "la")
    before = _lead(desk, ids["la"])

    def broken(*_: object) -> None:
        raise RuntimeError("the disk went away")

    # Fails after the lead and its change records were written in the transaction.
    monkeypatch.setattr(lead_service, "_mark_shared", broken)
    with pytest.raises(RuntimeError):
        edit_lead(
            desk, ids["la"], {"name": "Grace", "phone": "+1 212 555 0100"}, by=Actor("ana", "rep")
        )
    assert _changes(desk) == []
    assert _lead(desk, ids["la"]).model_dump() == before.model_dump()


def test_no_such_lead_is_one_line(desk: Desk) -> None:
    with pytest.raises(QualdeskError, match="no lead #999"):
        edit_lead(desk, 999, {"name": "x"}, by=Actor("ana", "rep"))


# -- the number to call and its hours ------------------------------------------


def test_an_alternate_number_abroad_brings_its_calling_hours(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("la")
    assert claim_next(desk, reps["ana"]) is None  # Los Angeles 07:00
    classes = _hours_classes(desk)
    assert ("Europe/London", "GB") not in classes
    edited = edit_lead(
        desk,
        ids["la"],
        {"alt_phone": "+44 20 7946 0958"},
        by=Actor("ana", "rep"),
        reason="direct line",
    )
    assert [(c.field, c.old, c.new) for c in edited.changes] == [
        ("alt_phone", "", "+44 20 7946 0958")
    ]
    lead = _lead(desk, ids["la"])
    assert (lead.phone_e164, lead.alt_phone_e164) == ("+14155550100", LONDON)
    assert (lead.time_zones, lead.jurisdiction) == ("Europe/London", "GB")
    assert _hours_classes(desk) == sorted([*classes, ("Europe/London", "GB")])
    with desk.db.reading() as session:
        made = session.get(HoursClass, lead.hours_class_id)
        assert made is not None and (made.zones, made.jurisdiction) == ("Europe/London", "GB")
    claim = claim_next(desk, reps["ana"])  # London 15:00
    assert claim is not None and claim.lead_id == ids["la"]
    end_call(desk, claim, "no_answer")
    with desk.db.reading() as session:
        touch = session.scalars(select(Touch)).one()
    assert touch.phone == LONDON


def test_clearing_the_alternate_number_calls_the_main_number_in_its_hours(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("la", "uk")
    classes = _hours_classes(desk)
    edit_lead(desk, ids["la"], {"alt_phone": "+44 20 7946 0958"}, by=Actor("ana", "rep"))
    assert _hours_classes(desk) == classes  # London's class was there already
    assert _lead(desk, ids["la"]).hours_class_id == _lead(desk, ids["uk"]).hours_class_id
    edited = edit_lead(
        desk, ids["la"], {"alt_phone": ""}, by=Actor("ana", "rep"), reason="left the company"
    )
    assert [(c.old, c.new) for c in edited.changes] == [("+44 20 7946 0958", "")]
    lead = _lead(desk, ids["la"])
    assert lead.alt_phone_e164 is None and lead.alt_phone_ext is None
    assert (lead.time_zones, lead.jurisdiction) == ("America/Los_Angeles", "US-CA")
    first = claim_next(desk, reps["ana"])
    assert first is not None and first.lead_id == ids["uk"]
    assert claim_next(desk, reps["ana"]) is None  # Los Angeles 07:00 again


def test_a_new_main_number_keeps_the_alternate_numbers_hours(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("la")
    edit_lead(desk, ids["la"], {"alt_phone": "+44 20 7946 0958"}, by=Actor("ana", "rep"))
    edit_lead(
        desk,
        ids["la"],
        {"phone": "+61 2 9374 4000"},
        by=Actor("ana", "rep"),
        reason="new switchboard",
    )
    lead = _lead(desk, ids["la"])
    assert (lead.phone_e164, lead.alt_phone_e164) == (SYDNEY, LONDON)
    assert (lead.time_zones, lead.jurisdiction) == ("Europe/London", "GB")
    claim = claim_next(desk, reps["ana"])  # Sydney 02:00, London 15:00
    assert claim is not None and claim.lead_id == ids["la"]


def test_a_do_not_call_disposition_lists_the_number_dialled(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("la")
    edit_lead(desk, ids["la"], {"alt_phone": "+44 20 7946 0958"}, by=Actor("ana", "rep"))
    claim = _claim(desk, reps["ana"])
    end_call(desk, claim, "do_not_call")
    with desk.db.reading() as session:
        assert list(session.scalars(select(DoNotCall.phone_e164))) == [LONDON]
        assert session.scalars(select(Touch)).one().phone == LONDON
    assert _lead(desk, ids["la"]).stage == Stage.DISQUALIFIED.value


# -- do-not-call -------------------------------------------------------------------


def test_an_alternate_number_on_the_do_not_call_list_stops_the_lead(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny")
    add_number(desk, "+44 20 7946 0958", region=None, by="lee")
    edited = edit_lead(desk, ids["ny"], {"alt_phone": "+44 20 7946 0958"}, by=Actor("ana", "rep"))
    assert edited.stopped
    lead = _lead(desk, ids["ny"])
    assert lead.stage == Stage.DISQUALIFIED.value
    assert lead.stage_reason == "number is on the do-not-call list"
    assert (lead.next_due_at, lead.queue_bucket) == (None, None)
    assert [c.field for c in _changes(desk, ids["ny"])] == ["alt_phone"]
    assert claim_next(desk, reps["ana"]) is None


def test_a_main_number_changed_to_one_on_the_list_stops_the_lead(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny")
    add_number(desk, "+1 415 555 0100", region=None, by="lee")
    assert edit_lead(desk, ids["ny"], {"phone": "+1 415 555 0100"}, by=Actor("ana", "rep")).stopped
    assert _lead(desk, ids["ny"]).stage == Stage.DISQUALIFIED.value
    assert claim_next(desk, reps["ana"]) is None


def test_listing_a_leads_alternate_number_later_stops_it(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    ids = make_leads("ny", "uk")
    edit_lead(desk, ids["ny"], {"alt_phone": "+1 415 555 0100"}, by=Actor("ana", "rep"))
    number, added, stopped = add_number(desk, "+1 415 555 0100", region=None, by="lee")
    assert (number, added, stopped) == ("+14155550100", True, 1)
    assert _lead(desk, ids["ny"]).stage == Stage.DISQUALIFIED.value
    assert _lead(desk, ids["uk"]).stage == Stage.NEW.value
    claim = claim_next(desk, reps["ana"])
    assert claim is not None and claim.lead_id == ids["uk"]
    assert claim_next(desk, reps["ana"]) is None


# -- search ----------------------------------------------------------------------------


def test_search_finds_a_lead_by_part_of_its_alternate_number(desk: Desk, make_leads: Make) -> None:
    ids = make_leads("ny", "la")
    assert search_leads(desk, "7946 0958") == []
    edit_lead(desk, ids["la"], {"alt_phone": "+44 20 7946 0958"}, by=Actor("ana", "rep"))
    for typed in ("7946 0958", "020 7946 0958", "0044 20 7946 0958", "0958"):
        found = search_leads(desk, typed)
        assert [line.id for line in found] == [ids["la"]], typed
    assert found[0].phone == "+44 20 7946 0958"  # the number to call
    assert [line.id for line in search_leads(desk, "415 555 0100")] == [ids["la"]]


def test_search_matches_letters_in_any_case_accented_ones_too(desk: Desk, make_leads: Make) -> None:
    ids = make_leads("ny", "la", "uk")
    edit_lead(
        desk, ids["ny"], {"name": "Zoë Ångström", "company": "İstanbul Çay"}, by=Actor("ana", "rep")
    )
    edit_lead(
        desk,
        ids["la"],
        {"name": "ΟΔΟΣ Παπαδόπουλος", "email": "Eva@Example.COM"},
        by=Actor("ana", "rep"),
    )
    edit_lead(desk, ids["uk"], {"company": "100%_Pure"}, by=Actor("ana", "rep"))
    found = {
        typed: [line.id for line in search_leads(desk, typed)]
        for typed in (
            "zoë", "ZOË", "ångström", "ÅNGSTRÖM", "istanbul", "İSTANBUL", "çay", "ÇAY",
            "οδοσ", "ΟΔΟΣ", "ΠΑΠΑΔΌΠΟΥΛΟ", "EXAMPLE.com", "eva@",
        )
    }  # fmt: skip
    assert found == {
        **{typed: [ids["ny"]] for typed in ("zoë", "ZOË", "ångström", "ÅNGSTRÖM", "istanbul")},
        **{typed: [ids["ny"]] for typed in ("İSTANBUL", "çay", "ÇAY")},
        **{typed: [ids["la"]] for typed in ("οδοσ", "ΟΔΟΣ", "ΠΑΠΑΔΌΠΟΥΛΟ", "EXAMPLE.com")},
        "eva@": [ids["la"]],
    }
    # What is typed is text, never a pattern: % and _ are themselves.
    assert [line.id for line in search_leads(desk, "0%_p")] == [ids["uk"]]
    assert [line.id for line in search_leads(desk, "_")] == [ids["uk"]]
    assert search_leads(desk, "zoe") == [] and search_leads(desk, "  ") == []


# -- a card's claim ------------------------------------------------------------------------


def test_an_edit_through_a_lost_claim_changes_nothing(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    held = _claim(desk, reps["ana"])
    clock.now += timedelta(minutes=11)
    taken = _claim(desk, reps["ben"])
    assert taken.lead_id == ids["ny"]
    before = _lead(desk, ids["ny"])
    with pytest.raises(ClaimLost, match="Ben Okafor has the lead now"):
        edit_lead(
            desk, ids["ny"], {"name": "Grace Hopper", "alt_phone": "+44 20 7946 0958"},
            by=as_rep(reps["ana"]), claim=held,
        )  # fmt: skip
    assert _changes(desk) == []
    after = _lead(desk, ids["ny"])
    assert after.model_dump() == before.model_dump()
    assert after.claimed_by == reps["ben"].id


def test_an_edit_through_a_held_claim_renews_it(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    held = _claim(desk, reps["ana"])
    clock.now += timedelta(minutes=8)
    edit_lead(desk, ids["ny"], {"title": "CTO"}, by=as_rep(reps["ana"]), claim=held)
    lead = _lead(desk, ids["ny"])
    assert lead.title == "CTO" and lead.claim_expires_at == clock.now + timedelta(minutes=10)


# -- numbers shared by several leads --------------------------------------------------------


def test_shares_phone_follows_a_changed_main_number(desk: Desk, make_leads: Make) -> None:
    ids = make_leads("ny", "la")
    assert not _lead(desk, ids["ny"]).shares_phone and not _lead(desk, ids["la"]).shares_phone
    edit_lead(
        desk, ids["la"], {"phone": "+1 212 555 0100"}, by=Actor("ana", "rep"), reason="switchboard"
    )
    assert _lead(desk, ids["ny"]).shares_phone and _lead(desk, ids["la"]).shares_phone
    edit_lead(
        desk, ids["la"], {"phone": "+1 415 555 0100"}, by=Actor("ana", "rep"), reason="wrong, back"
    )
    assert not _lead(desk, ids["ny"]).shares_phone and not _lead(desk, ids["la"]).shares_phone


# -- the story ------------------------------------------------------------------------------


def test_the_story_lists_everything_oldest_first(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny")
    first = _claim(desk, reps["ana"])
    set_criterion(desk, first, "budget", True, "Q1")
    clock.now += timedelta(minutes=2)
    end_call(desk, first, "no_answer", notes="rang out")
    clock.now += timedelta(minutes=5)
    edit_lead(
        desk,
        ids["ny"],
        {"alt_phone": "+1 212 555 0199"},
        by=Actor("ben", "rep"),
        reason="gatekeeper",
    )
    clock.now += timedelta(hours=4)
    second = claim_lead(desk, reps["ben"], ids["ny"])
    set_criterion(desk, second, "pains", True, "cloud bill")
    end_call(desk, second, "connected", notes="spoke to her")
    clock.now += timedelta(minutes=1)
    edit_lead(desk, ids["ny"], {"title": "CTO"}, by=Actor("ben", "rep"), reason="said so")

    story = lead_story(desk, ids["ny"])
    data = story.as_json()
    assert list(data) == [
        "lead", "touches", "answers", "decisions", "changes", "handoffs", "verdicts",
        "outcomes", "reviews", "nurture_handoffs",
    ]  # fmt: skip
    lead = data["lead"]
    assert (lead["id"], lead["name"], lead["title"]) == (ids["ny"], "New Yorker", "CTO")
    assert (lead["phone"], lead["alt_phone"], lead["number_to_call"]) == (
        "+12125550100",
        "+12125550199",
        "+12125550199",
    )
    touches = data["touches"]
    for touch in touches:
        assert {"at", "rep", "channel", "disposition", "notes", "phone"} <= set(touch)
    assert [(t["rep"], t["disposition"], t["notes"], t["phone"]) for t in touches] == [
        ("ana", "no_answer", "rang out", "+12125550100"),
        ("ben", "connected", "spoke to her", "+12125550199"),
    ]
    assert touches[0]["at"] < touches[1]["at"]
    for answer in data["answers"]:
        assert {"at", "rep", "criterion", "established", "note"} <= set(answer)
    assert [(a["rep"], a["criterion"], a["note"]) for a in data["answers"]] == [
        ("ana", "budget", "Q1"),
        ("ben", "pains", "cloud bill"),
    ]
    for decision in data["decisions"]:
        assert {"at", "rep", "route", "overridden", "reason"} <= set(decision)
    assert [(d["rep"], d["route"]) for d in data["decisions"]] == [
        ("ana", "working"),
        ("ben", "nurture"),
    ]
    for change in data["changes"]:
        assert set(change) == {"field", "old", "new", "by", "at", "reason"}
    assert [(c["field"], c["new"], c["by"], c["reason"]) for c in data["changes"]] == [
        ("alt_phone", "+1 212-555-0199", "ben", "gatekeeper"),
        ("title", "CTO", "ben", "said so"),
    ]
    assert data["changes"][0]["at"] < data["changes"][1]["at"] == clock.now


def test_the_story_of_no_lead_is_one_line(desk: Desk) -> None:
    with pytest.raises(QualdeskError, match=r"^no lead #999 \(qualdesk leads find TEXT"):
        lead_story(desk, 999)


# -- the call card ---------------------------------------------------------------------------


def test_the_call_card_shows_the_number_to_call_the_main_line_and_the_changes(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    ids = make_leads("ny:1", "ny:2")
    claim = claim_lead(desk, reps["ana"], ids["ny:1"])
    plain = load_card(desk, claim)
    assert (plain.phone, plain.main_phone) == ("+1 212-555-0100", "")
    clock.now += timedelta(minutes=1)
    edit_lead(
        desk, ids["ny:1"], {"alt_phone": "+1 212 555 0199 x204"}, by=as_rep(reps["ana"]),
        reason="gatekeeper gave it", claim=claim,
    )  # fmt: skip
    card = load_card(desk, claim)
    assert card.phone == "+1 212-555-0199 ext. 204"
    assert card.main_phone == "+1 212-555-0100"
    lines = [line for line in card.history if line.channel == "change"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.when, line.rep, line.disposition) == (clock.now, "ana", "alternate number")
    assert line.notes == "- → +1 212-555-0199 ext. 204 (gatekeeper gave it)"


# -- the hand-off ----------------------------------------------------------------------------


def _qualified_with_an_alternate(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> tuple[int, datetime]:
    """A Los Angeles lead given a London direct line, then qualified; its id and when edited."""
    ids = make_leads("la")
    edited_at = clock.now
    edit_lead(
        desk,
        ids["la"],
        {"alt_phone": "+44 20 7946 0958"},
        by=Actor("ana", "rep"),
        reason="direct line",
    )
    claim = _claim(desk, reps["ana"])
    for key in QUALIFYING:
        set_criterion(desk, claim, key, True)
    assert end_call(desk, claim, "connected").route.stage is Stage.SALES
    clock.now += timedelta(minutes=5)
    return ids["la"], edited_at


def test_the_plain_export_carries_the_alternate_number_and_the_changes(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock, tmp_path: Path
) -> None:
    lead_id, edited_at = _qualified_with_an_alternate(desk, reps, make_leads, clock)
    result = export_leads(desk, out=tmp_path / "out.csv", by=Actor("lee", "lead"))
    assert result.exported == 1
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    row = rows[0]
    assert (row["lead_id"], row["phone"], row["alt_phone"], row["alt_phone_ext"]) == (
        str(lead_id),
        "+14155550100",
        LONDON,
        "",
    )
    assert row["changes"] == (
        f"{edited_at:%Y-%m-%dT%H:%M:%SZ} ana alternate number: - -> +44 20 7946 0958 (direct line)"
    )


def test_the_salesforce_phone_is_the_number_to_call(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock, tmp_path: Path
) -> None:
    _qualified_with_an_alternate(desk, reps, make_leads, clock)
    export_leads(desk, out=tmp_path / "sf.csv", profile="salesforce", by=Actor("lee", "lead"))
    with (tmp_path / "sf.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["Phone"] == LONDON
    assert "Main line: +14155550100" in row["Description"]


# -- undoing an import ------------------------------------------------------------------------


def test_undoing_an_import_keeps_a_lead_a_rep_has_fixed(desk: Desk, make_leads: Make) -> None:
    ids = make_leads("ny")
    batch = _lead(desk, ids["ny"]).batch_id
    assert batch is not None
    edit_lead(
        desk,
        ids["ny"],
        {"alt_phone": "+1 212 555 0199"},
        by=Actor("ana", "rep"),
        reason="direct line",
    )
    failure = None
    try:
        undone = undo_batch(desk, batch, by=Actor("lee", "lead"))
    except Exception as exc:
        failure = repr(exc).splitlines()[0]
    assert failure is None, (
        "BUG in services/batches.py undo_batch: a lead with only LeadChange rows is not "
        f"counted as worked, so deleting it breaks the lead_changes foreign key: {failure}"
    )
    assert (undone.removed, undone.kept) == (0, 1)
    assert [c.field for c in _changes(desk, ids["ny"])] == ["alt_phone"]
    with desk.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Lead)) == 1


def test_the_card_counts_the_leads_a_do_not_call_request_would_stop(
    desk: Desk, reps: dict[str, Rep], make_leads: Make
) -> None:
    # Two people behind one switchboard; the first gave a direct line, which the desk now calls.
    ids = make_leads("ny:1", "ny:2")
    edit_lead(
        desk,
        ids["ny:1"],
        {"alt_phone": "+1 212 555 0199"},
        by=Actor("ana", "rep"),
        reason="direct line",
    )
    claim = claim_lead(desk, reps["ana"], ids["ny:1"])
    warned = load_card(desk, claim).others_on_number
    ended = end_call(desk, claim, "do_not_call")
    assert _lead(desk, ids["ny:2"]).stage == Stage.NEW.value  # the switchboard is not listed
    # stopped_by_dnc counts the others: the lead itself was routed out by the call.
    assert warned == ended.stopped_by_dnc, (
        "BUG in services/calling/calls.py load_card: others_on_number counts leads on the main "
        f"number ({warned}), but a do-not-call request lists the number dialled (the "
        f"alternate) and stopped {ended.stopped_by_dnc} other lead(s)"
    )


def test_a_rep_may_not_edit_a_lead_another_rep_holds_until_the_hold_runs_out(
    desk: Desk, reps: dict[str, Rep], make_leads: Make, clock: FrozenClock
) -> None:
    from qualdesk.services.access import NotAllowed

    ids = make_leads("ny")
    _claim(desk, reps["ben"])
    with pytest.raises(NotAllowed, match="only a team lead may edit a lead another rep holds"):
        edit_lead(desk, ids["ny"], {"title": "CTO"}, by=as_rep(reps["ana"]))
    assert _changes(desk) == []
    assert edit_lead(desk, ids["ny"], {"title": "CTO"}, by=Actor("lee", "lead")).changes
    clock.now += timedelta(minutes=11)  # ben's hold has run out (he has gone)
    assert edit_lead(desk, ids["ny"], {"title": "CFO"}, by=as_rep(reps["ana"])).changes
