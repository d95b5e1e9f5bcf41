"""Handing leads over: qualified ones to sales, nurtured ones back to marketing; a batch again.

A lead is marked handed off only once its file is completely written and
in place: the file is written beside its target under a temporary name,
flushed to disk, moved into place, and only then is the batch committed.
If the commit fails the file is removed, so a failed export hands off
nothing and leaves nothing behind. The file itself is kept with the batch
(compressed), so `--batch ID` writes the same file again, byte for byte.
The hand-back to marketing's nurture (services.handoff.nurture says which leads)
goes the same way; it records the leads as sent and leaves them on the desk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from qualdesk.core.errors import QualdeskError
from qualdesk.core.handoff import (
    FORMATS,
    PROFILES,
    BuyerProfile,
    Criterion,
    columns_for,
    row_for,
    write_leads,
)
from qualdesk.core.nurture import nurture_columns, nurture_row
from qualdesk.db import handoff as sql
from qualdesk.db.engine import Session, serialize
from qualdesk.db.models import ExportBatch
from qualdesk.services.access import Actor, require_lead
from qualdesk.services.desk import Desk
from qualdesk.services.handoff.nurture import Due, nurture_leads, record_nurture
from qualdesk.services.handoff.profiles import NO_TOUCHES, extra_fields, read_parts
from qualdesk.services.intake.partfiles import open_partial

Progress = Callable[[int, int], None]
# Where an export goes: sales (qualified leads) or marketing's nurture.
DESTINATIONS = ("sales", "nurture")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: how many leads, under which batch, to which file."""

    exported: int
    batch_id: int | None
    file: Path | None
    format: str
    profile: str
    again: bool = False
    destination: str = "sales"
    # Of a nurture hand-back: how many went as out (disqualified), and on do-not-call.
    out: int = 0
    do_not_call: int = 0

    def as_json(self) -> dict[str, Any]:
        said: dict[str, Any] = {
            "exported": self.exported,
            "batch_id": self.batch_id,
            "file": str(self.file) if self.file else None,
        }
        if self.destination == "nurture":
            said.update(destination="nurture", out=self.out, do_not_call=self.do_not_call)
        return said


def default_name(now: datetime, fmt: str, to: str = "sales") -> str:
    """The file name an export takes when none is given."""
    kind = "nurture" if to == "nurture" else "handoff"
    return f"qualdesk-{kind}-{now:%Y%m%d-%H%M%S}.{fmt}"


def waiting_for_export(desk: Desk) -> int:
    """How many qualified leads wait for the next export."""
    with desk.db.reading() as session:
        return sql.leads_waiting_for_sales(session)


def export_leads(
    desk: Desk,
    *,
    out: Path | None = None,
    fmt: str = "csv",
    profile: str = "plain",
    by: Actor,
    progress: Progress | None = None,
    to: str = "sales",
    include_out: bool = False,
) -> ExportResult:
    """Write every qualified lead not yet handed off, and hand them off as one batch.

    To nurture: every lead routed to nurture since it was last handed back
    (with include_out, the disqualified ones too, do-not-call marked), recorded
    as handed back and left on the desk as it is.

    Args:
        desk: the open desk.
        out: the file (or folder) to write; by default a dated name in the current folder.
        fmt: csv or jsonl.
        profile: plain, salesforce or hubspot.
        by: who exports (a team lead; recorded on the batch).
        progress: called with (leads written, leads in all).
        to: sales or nurture.
        include_out: to nurture only: the disqualified leads too.

    Returns:
        The count, the batch id and the file; with nothing waiting, a count
        of 0 and no file.

    Raises:
        NotAllowed: a rep asking; nothing is written.
        QualdeskError: an unknown format or profile, a file already there or
            that cannot be written, or leads that changed while exporting.
    """
    require_lead(by, "export leads")
    _check_choice(fmt, profile, to, include_out)
    now = desk.clock()
    target = target_file(out, default_name(now, fmt, to))
    due: list[Due] = []
    with desk.db.reading() as session:
        in_force = desk.rules(session)
        criteria, version = in_force.rules.criteria, in_force.version
        if to == "nurture":
            due = nurture_leads(session, criteria, version, include_out)
            leads = [lead for lead, _ in due]
        else:
            leads = _profiles(session, criteria, version)
    if not leads:
        return ExportResult(0, None, None, fmt, profile, destination=to)
    extras = {name for lead in leads for name in lead.extra} if profile == "plain" else set()
    row, columns = (
        (nurture_row, nurture_columns(profile, leads[0].criteria, extras))
        if to == "nurture"
        else (row_for, columns_for(profile, leads[0].criteria, extras))
    )
    written = write_leads(fmt, profile, columns, _counted(leads, progress), row)
    digest, content = write_file(target, written)
    try:
        with desk.db.writing() as session:
            # Two exports at once: the second sees the first's hand-offs and records nothing.
            serialize(session, "export")
            batch = ExportBatch(
                created_at=now, created_by=by.recorded_as, file_path=str(target), format=fmt,
                profile=profile, lead_count=len(leads), sha256=digest,
                rules_version_id=in_force.version, content=content, destination=to,
            )  # fmt: skip
            session.add(batch)
            session.flush()
            assert batch.id is not None
            if to == "nurture":
                record_nurture(session, batch.id, due, now)
            else:
                _hand_off(session, batch.id, leads, in_force.version, now)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    out_count = sum(1 for lead in leads if lead.stage != "nurture" or lead.do_not_call)
    dnc = sum(1 for lead in leads if lead.do_not_call)
    return ExportResult(len(leads), batch.id, target, fmt, profile, False, to, out_count, dnc)


def export_again(
    desk: Desk,
    batch_id: int,
    *,
    by: Actor,
    out: Path | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Write a past batch again, byte for byte as it was first written.

    Raises:
        NotAllowed: a rep asking.
        QualdeskError: no such batch, or a file already there.
    """
    require_lead(by, "export leads")
    with desk.db.reading() as session:
        batch = session.get(ExportBatch, batch_id)
        if batch is None or batch.content is None:
            raise QualdeskError(f"--batch {batch_id}: no export batch with that id")
    kind = "nurture" if batch.destination == "nurture" else "handoff"
    target = target_file(out, f"qualdesk-{kind}-batch-{batch_id}.{batch.format}")
    data = zlib.decompress(batch.content)
    digest, _ = write_file(target, iter([data]))
    if progress is not None:
        progress(batch.lead_count, batch.lead_count)
    if batch.sha256 and digest != batch.sha256:  # pragma: no cover - a damaged database
        target.unlink(missing_ok=True)
        raise QualdeskError(f"batch {batch_id}: the stored file is damaged; nothing written")
    return ExportResult(
        batch.lead_count, batch_id, target, batch.format, batch.profile, True, batch.destination
    )


def _check_choice(fmt: str, profile: str, to: str, include_out: bool) -> None:
    if fmt not in FORMATS:
        raise QualdeskError(f"--format {fmt!r}: use {' or '.join(FORMATS)}")
    if profile not in PROFILES:
        raise QualdeskError(f"--profile {profile!r}: use {', '.join(PROFILES)}")
    if to not in DESTINATIONS:
        raise QualdeskError(f"--to {to!r}: use {' or '.join(DESTINATIONS)}")
    if include_out and to != "nurture":
        raise QualdeskError("--include-out goes with --to nurture: sales never gets leads out")


def target_file(out: Path | None, name: str) -> Path:
    """The file to write, refused before any work if it cannot or must not be written."""
    try:
        target = (out if out is not None else Path(name)).expanduser().absolute()
    except RuntimeError:  # ~someone who is not a user here
        raise QualdeskError(f"{out}: cannot tell whose home folder that is") from None
    if target.is_dir():
        target = target / name
    if target.exists():
        raise QualdeskError(f"{target}: a file is already there; choose another name")
    if not target.parent.is_dir():
        raise QualdeskError(f"{target}: the folder {target.parent} does not exist")
    if not os.access(target.parent, os.W_OK):
        raise QualdeskError(f"{target}: cannot write in {target.parent}")
    return target


def _counted(leads: list[BuyerProfile], progress: Progress | None) -> Iterator[BuyerProfile]:
    total = len(leads)
    for done, lead in enumerate(leads, start=1):
        yield lead
        if progress is not None and (done % 2000 == 0 or done == total):
            progress(done, total)


def write_file(target: Path, pieces: Iterator[str | bytes]) -> tuple[str, bytes]:
    """Write the file under a temporary name, flush it to disk, put it in place.

    Returns:
        Its SHA-256 and its bytes compressed (zlib), to keep with the batch.
    """
    digest = hashlib.sha256()
    packer = zlib.compressobj(1)
    packed: list[bytes] = []
    try:
        handle, partial = open_partial(target)
    except OSError as exc:
        raise QualdeskError(f"{target}: cannot write ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            for piece in pieces:
                data = piece.encode("utf-8") if isinstance(piece, str) else piece
                digest.update(data)
                packed.append(packer.compress(data))
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        packed.append(packer.flush())
        if target.exists():
            raise QualdeskError(f"{target}: a file appeared there while exporting; nothing written")
        os.replace(partial, target)
    except OSError as exc:
        raise QualdeskError(
            f"{target}: cannot write ({exc.strerror or exc}); nothing handed off"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return digest.hexdigest(), b"".join(packed)


def _hand_off(
    session: Session, batch_id: int, leads: list[BuyerProfile], version: int, now: datetime
) -> None:
    """Record which leads left in the batch, and mark them handed off."""
    marked = sql.hand_off(session, batch_id, leads, version, now)
    if marked != len(leads):
        raise QualdeskError(
            f"{len(leads) - marked} of the leads changed on the desk while exporting "
            "(sent back to a rep, or put on do-not-call); nothing handed off: export again"
        )


def _profiles(session: Session, criteria: Sequence[Any], version: int) -> list[BuyerProfile]:
    """The buyer profile of every lead waiting to be handed off, oldest qualified first."""
    found = sql.leads_for_sales(session)
    if not found:
        return []
    parts = read_parts(sql.sales_profile_parts(session))
    shown = tuple(Criterion(c.key, c.label, c.points, c.required) for c in criteria)
    unanswered: dict[str, tuple[bool, str]] = {}
    profiles = []
    for (lead_id, name, first, last, company, title, email, phone, ext, source, campaign,
         industry, size, score, grade, reason, qualified_at, extra, alt, alt_ext,
         by) in found:  # fmt: skip
        count, calls, first_touch, last_touch = parts.touched.get(lead_id, NO_TOUCHES)
        profiles.append(
            BuyerProfile(
                lead_id, name, first, last, company, title, email or "", phone, ext or "",
                source, campaign, industry, size, score, grade, reason, by or "", qualified_at,
                count, calls or 0, first_touch, last_touch, tuple(parts.notes.get(lead_id, ())),
                shown, parts.answers.get(lead_id, unanswered), version, extra_fields(extra),
                alt or "", alt_ext or "", tuple(parts.changes.get(lead_id, ())),
            )
        )  # fmt: skip
    return profiles
