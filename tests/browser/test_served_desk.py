"""The desk served to a real browser: sign in, work a card, leave (issue 12, part 4).

Each assertion on the desk's work reads the database; what the page shows is
read from the websocket frames the server sent it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.browser.conftest import Browser, Served, Tab, wait_until
from tests.browser.desks import require_passwords, rows


def held_by(db: Path, handle: str) -> list[tuple[int, str]]:
    """The leads a rep holds now, with their names."""
    return [
        (lead, name)
        for lead, name in rows(
            db,
            "SELECT leads.id, leads.name FROM leads JOIN reps ON reps.id = leads.claimed_by "
            "WHERE reps.handle = :handle",
            handle=handle,
        )
    ]


def signed_in_with_card(tab: Tab, served: Served, db: Path) -> tuple[int, str]:
    """Open the served desk, sign in as ana from the list, and take the next lead."""
    tab.open(served.url)
    tab.wait_for("Who is signing in")
    mark = tab.mark()
    tab.press("Enter")  # ana is first in the list
    tab.wait_for("Ana (ana)", mark)
    mark = tab.mark()
    tab.press("n")
    tab.wait_for("Checklist", mark)
    (lead, name), *others = wait_until(lambda: held_by(db, "ana"), "ana's claim")
    assert not others
    tab.wait_for(name, mark)
    return lead, name


def test_a_card_comes_and_a_no_answer_brings_the_next(
    served_desk: Path, serve: Callable[..., Served], browser: Browser
) -> None:
    served = serve(served_desk)
    tab = browser.tab()
    first, _name = signed_in_with_card(tab, served, served_desk)

    mark = tab.mark()
    tab.press("a", "Enter")
    after = wait_until(
        lambda: [lead for lead in held_by(served_desk, "ana") if lead[0] != first], "the next card"
    )
    tab.wait_for(after[0][1], mark)
    touches = rows(
        served_desk,
        "SELECT touches.lead_id, touches.disposition FROM touches "
        "JOIN reps ON reps.id = touches.rep_id WHERE reps.handle = 'ana'",
    )
    assert touches == [(first, "no_answer")]


def test_a_wrong_password_is_refused_then_the_right_one_signs_in(
    served_desk: Path, serve: Callable[..., Served], browser: Browser, tmp_path: Path
) -> None:
    require_passwords(served_desk, tmp_path, {"lee": "lee's long secret", "ana": "ana sells well"})
    served = serve(served_desk)
    tab = browser.tab()
    tab.open(served.url)
    tab.wait_for("Sign in to the desk")
    tab.type("ana")
    tab.press("Enter")
    mark = tab.mark()
    tab.type("ana sells badly")
    tab.press("Enter")
    tab.wait_for("not accepted", mark)
    assert "(ana)" not in tab.text
    mark = tab.mark()
    tab.type("ana sells well")
    tab.press("Enter")
    tab.wait_for("Ana (ana)", mark)
    mark = tab.mark()
    tab.press("n")
    tab.wait_for("Checklist", mark)
    wait_until(lambda: held_by(served_desk, "ana"), "ana's claim")

    events = rows(served_desk, "SELECT handle, event, source FROM sign_in_events ORDER BY id")
    assert ("ana", "failed", "browser 127.0.0.1") in events
    assert events[-1] == ("ana", "signed in", "browser 127.0.0.1")
    assert "ana sells" not in served.printed()


def test_markup_in_the_handle_and_a_very_long_password_are_refused_calmly(
    served_desk: Path, serve: Callable[..., Served], browser: Browser, tmp_path: Path
) -> None:
    require_passwords(served_desk, tmp_path, {"lee": "lee's long secret"})
    served = serve(served_desk)
    tab = browser.tab()
    tab.open(served.url)
    tab.wait_for("Sign in to the desk")
    tab.type("[b]lee[/b]")
    tab.wait_for("[b]lee[/b]")  # drawn as typed, not as markup
    tab.press("Enter")
    mark = tab.mark()
    tab.type("x" * 300)
    tab.press("Enter")
    tab.wait_for("not accepted", mark)

    events = rows(served_desk, "SELECT handle, event FROM sign_in_events ORDER BY id")
    assert events[-1] == ("[b]lee[/b]", "failed")
    assert served.process.poll() is None and "Traceback" not in served.printed()


def test_a_rep_is_refused_the_team_view_a_team_lead_is_not(
    served_desk: Path, serve: Callable[..., Served], browser: Browser
) -> None:
    served = serve(served_desk)
    tab = browser.tab()
    tab.open(served.url)
    tab.wait_for("Who is signing in")
    tab.press("Enter")
    tab.wait_for("Ana (ana)")
    mark = tab.mark()
    tab.press("Control+t")
    tab.wait_for("team lead", mark)
    assert "Team figures" not in tab.text[mark:]

    lead = browser.tab()  # a team lead's tab beside it opens the team view
    lead.open(served.url)
    lead.wait_for("Who is signing in")
    lead.press("ArrowDown", "Enter")
    lead.wait_for("Lee (lee)")
    mark = lead.mark()
    lead.press("Control+t")
    lead.wait_for("Team figures", mark)


def test_closing_the_page_gives_the_lead_back_with_its_notes(
    served_desk: Path, serve: Callable[..., Served], browser: Browser
) -> None:
    served = serve(served_desk)
    tab = browser.tab()
    lead, _name = signed_in_with_card(tab, served, served_desk)
    mark = tab.mark()
    tab.press("i")
    tab.type("rang twice, try after lunch")
    tab.wait_for("try after lunch", mark)

    tab.page.close()

    wait_until(lambda: not held_by(served_desk, "ana"), "the lead to be given back")
    drafts = rows(served_desk, "SELECT lead_id, text FROM note_drafts")
    assert drafts == [(lead, "rang twice, try after lunch")]
    wait_until(lambda: "desk closed" in served.printed(), "the server to see the tab go")


def test_a_browser_that_dies_mid_call_gives_the_lead_back(
    served_desk: Path, serve: Callable[..., Served], browser: Browser
) -> None:
    served = serve(served_desk)
    tab = browser.tab()
    lead, _name = signed_in_with_card(tab, served, served_desk)
    mark = tab.mark()
    tab.press("c", "6")  # connected; business pains established
    tab.press("i")
    tab.type("budget in Q3")
    tab.wait_for("budget in Q3", mark)

    browser.kill()

    wait_until(lambda: not held_by(served_desk, "ana"), "the lead to be given back")
    assert rows(served_desk, "SELECT lead_id, text FROM note_drafts") == [(lead, "budget in Q3")]
    assert rows(served_desk, "SELECT count(*) FROM touches") == [(0,)]


def test_escape_then_a_digit_typed_at_once_are_two_keys_in_the_browser(
    served_desk: Path, serve: Callable[..., Served], browser: Browser
) -> None:
    """Esc leaves the notes and 6 ticks a criterion, however close together they come."""
    served = serve(served_desk)
    tab = browser.tab()
    lead, _name = signed_in_with_card(tab, served, served_desk)
    tab.press("c", "i")
    tab.type("budget agreed")
    tab.press("Escape", "6", "e", "Enter")

    wait_until(lambda: not [x for x in held_by(served_desk, "ana") if x[0] == lead], "the call")
    assert rows(
        served_desk, "SELECT disposition, notes FROM touches WHERE lead_id = :lead", lead=lead
    ) == [("connected", "budget agreed")]
    assert rows(
        served_desk,
        "SELECT criterion FROM checklist_answers WHERE lead_id = :lead AND established",
        lead=lead,
    ) == [("pains",)]
