"""Desks for the browser tests and the serve bench: leads callable now, on the real clock.

A served desk runs on the machine's clock, so its leads are placed where it
is now mid-day: in a country (none with the rules' closed days or special
hours) whose local time is between 10:00 and 19:00 now. Some listed country
is, at any hour: the widest gap between their offsets is six hours.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from qualdesk.db.engine import database_url, make_engine
from qualdesk.services.desk import open_desk
from qualdesk.services.intake.importer import ImportOptions, import_file
from qualdesk.services.reps import add_rep
from tests.conftest import REPO

# Country, time zone, a phone number pattern with room for 10,000 numbers.
COUNTRIES = (
    ("NZ", "Pacific/Auckland", "+64 9 379 {:04d}"),
    ("AU", "Australia/Sydney", "+61 2 9374 {:04d}"),
    ("JP", "Asia/Tokyo", "+81 3 1234 {:04d}"),
    ("IN", "Asia/Kolkata", "+91 22 2345 {:04d}"),
    ("DE", "Europe/Berlin", "+49 30 1234 {:04d}"),
    ("GB", "Europe/London", "+44 20 7946 {:04d}"),
    ("AR", "America/Argentina/Buenos_Aires", "+54 11 4321 {:04d}"),
    ("CO", "America/Bogota", "+57 601 234 {:04d}"),
)


def midday_country(now: datetime | None = None) -> tuple[str, str, str]:
    """The listed country nearest to 14:30 local time now (always within 10:00-19:00)."""
    at = now or datetime.now(UTC)

    def off_midday(country: tuple[str, str, str]) -> float:
        local = at.astimezone(ZoneInfo(country[1]))
        return abs(local.hour + local.minute / 60 - 14.5)

    return min(COUNTRIES, key=off_midday)


def build_served_desk(
    db: str | Path, folder: Path, *, reps: list[tuple[str, str]], leads: int
) -> tuple[str, str]:
    """A desk at `db` with these (handle, role) reps and `leads` leads callable now.

    Returns the leads' country and time zone.
    """
    country, zone, pattern = midday_country()
    desk = open_desk(db)
    try:
        for handle, role in reps:
            add_rep(desk, handle, handle.title(), role, zone)
        source = folder / "leads.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["Name", "Company", "Phone", "Country"])
            for number in range(leads):
                out.writerow(
                    [f"Person {number}", f"Company {number}", pattern.format(number), country]
                )
        summary = import_file(desk, source, ImportOptions(imported_by="ops"))
        assert summary.imported == leads, summary
    finally:
        desk.close()
    return country, zone


def require_passwords(db: str | Path, folder: Path, passwords: dict[str, str]) -> None:
    """Give these reps passwords, then load the default rules with sign_in = "password"."""
    from qualdesk.services.access import administrator, as_rep
    from qualdesk.services.reps import list_reps
    from qualdesk.services.rules import load_rules
    from qualdesk.services.signin import set_password

    text = (REPO / "data" / "desk.toml").read_text(encoding="utf-8")
    assert 'sign_in = "none"' in text
    rules = folder / "desk-password.toml"
    rules.write_text(text.replace('sign_in = "none"', 'sign_in = "password"'), encoding="utf-8")
    desk = open_desk(db)
    try:
        for handle, password in passwords.items():
            set_password(desk, administrator(), handle, password, source="test")
        # Sign-in is turned on by a team lead signing in as they do it.
        lead = next(r for r in list_reps(desk) if r.role == "lead" and r.handle in passwords)
        load_rules(desk, rules, as_rep(lead), password=passwords[lead.handle])
    finally:
        desk.close()


def rows(db: str | Path, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """What the desk's database holds now."""
    engine = make_engine(database_url(db))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()
