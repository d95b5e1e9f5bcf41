"""The people on the desk."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from qualdesk.core.display import shown
from qualdesk.core.errors import QualdeskError
from qualdesk.core.stages import Role
from qualdesk.db import reps
from qualdesk.db.engine import serialize
from qualdesk.db.models import Rep
from qualdesk.services.access import Actor, administrator, record_change, require_lead
from qualdesk.services.desk import Desk

_HANDLE = re.compile(r"^[a-z][a-z0-9._-]{0,39}$")


def check_zone(zone: str) -> str:
    """A valid IANA time zone name, or an error naming it."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        close = sorted(z for z in available_timezones() if zone.lower() in z.lower())[:3]
        hint = f" (did you mean {', '.join(close)}?)" if close else " (e.g. Europe/London)"
        raise QualdeskError(f"unknown time zone {zone!r}{hint}") from None
    return zone


def local_zone() -> str:
    """This machine's IANA time zone, or UTC if it cannot be told."""
    import os
    from pathlib import Path

    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = Path("/etc/localtime").resolve()
            name = str(target).split("zoneinfo/", 1)[1] if "zoneinfo/" in str(target) else ""
        except OSError:
            name = ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name or "UTC"


def add_rep(
    desk: Desk,
    handle: str,
    name: str,
    role: str = "rep",
    time_zone: str = "UTC",
    *,
    by: Actor | None = None,
) -> Rep:
    """Add a rep or team lead: only a team lead may, once the desk has one.

    Args:
        desk: the open desk.
        handle: a short lower-case sign-in name, unique on the desk.
        name: the person's name.
        role: "rep" or "lead".
        time_zone: the rep's own IANA zone, for showing times.
        by: who is adding them (None: the desk's administrator, on its host).

    Returns:
        The stored rep.

    Raises:
        NotAllowed: a rep adding someone to a desk that has a team lead.
        QualdeskError: a bad handle, role or zone, or the handle is taken.
    """
    by = by or administrator()
    handle = handle.strip().lower()
    if len(handle) > 40:
        raise QualdeskError(f"handle {shown(handle[:40])!r}...: use at most 40 characters")
    if not _HANDLE.match(handle):
        raise QualdeskError(
            f"handle {shown(handle)!r}: use lower-case letters, digits, . _ - (start with a letter)"
        )
    if role not in {r.value for r in Role}:
        raise QualdeskError(f"role {role!r}: expected rep or lead")
    if not name.strip():
        raise QualdeskError("name: must not be empty")
    if not name.isprintable():
        raise QualdeskError(f"name {shown(name)!r}: holds a control character; type it plainly")
    rep = Rep(
        handle=handle,
        name=name.strip(),
        role=role,
        time_zone=check_zone(time_zone),
        created_at=desk.clock(),
    )
    with desk.db.writing() as session:
        serialize(session, "reps")  # two first team leads at once: one is the first
        if reps.reps_in_role(session, "lead"):
            require_lead(by, "add reps")
        added = reps.insert_rep(session, rep)
        if added:
            record_change(session, desk.clock(), by, f"added {role}", handle, name.strip())
    if not added:
        raise QualdeskError(f"handle {handle!r} is already on the desk")
    return rep


def list_reps(desk: Desk, *, active_only: bool = False) -> list[Rep]:
    """Everyone on the desk, by handle."""
    with desk.db.reading() as session:
        return reps.reps_by_handle(session, active_only=active_only)


def find_rep(desk: Desk, handle: str) -> Rep:
    """The rep with this handle, or an error naming it."""
    with desk.db.reading() as session:
        rep = reps.rep_with_handle(session, handle.strip().lower())
    if rep is None:
        raise QualdeskError(f"no rep with handle {handle!r} (see `qualdesk reps list`)")
    return rep


def set_active(desk: Desk, handle: str, active: bool, *, by: Actor) -> Rep:
    """Let a rep sign in again, or stop them from signing in (history is kept).

    Raises:
        NotAllowed: a rep asking.
        QualdeskError: an unknown handle, or the last team lead who could sign in.
    """
    require_lead(by, "activate reps" if active else "deactivate reps")
    with desk.db.writing() as session:
        serialize(session, "reps")  # two team leads deactivating each other: one stays
        rep = reps.rep_with_handle(session, handle.strip().lower())
        if rep is None:
            raise QualdeskError(f"no rep with handle {handle!r} (see `qualdesk reps list`)")
        if not active and rep.role == "lead" and rep.active:
            others = [r for r in reps.reps_in_role(session, "lead") if r.active and r.id != rep.id]
            if not others:
                raise QualdeskError(
                    f"{rep.handle} is the desk's last active team lead; add or activate "
                    "another first"
                )
        if rep.active != active:
            rep.active = active
            session.add(rep)
            record_change(
                session, desk.clock(), by, "activated" if active else "deactivated", rep.handle
            )
    return rep
