"""What a buyer profile reads per lead, for the hand-off to sales and the one to nurture.

Four passes (answers, touches, call notes, changes to the lead's details),
each over every lead of the export at once (qualdesk.db.handoff reads them),
gathered here per lead.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from qualdesk.core.edits import LABELS
from qualdesk.core.handoff import change_line
from qualdesk.db.handoff import ProfileParts

# A lead with no touches: no touches, no calls, no first or last.
NO_TOUCHES: tuple[Any, ...] = (0, 0, None, None)


@dataclass
class LeadParts:
    """Per lead id: answers by criterion (established, note), the touch counts
    (touches, calls, first, last), the call notes and the change lines, oldest first."""

    answers: dict[int, dict[str, tuple[bool, str]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    touched: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    changes: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def read_parts(rows: ProfileParts) -> LeadParts:
    """Gather the export's four passes per lead, in the order they are read."""
    parts = LeadParts()
    for lead_id, criterion, established, note in rows.answers:
        parts.answers[lead_id][criterion] = (bool(established), note)
    parts.touched = {row[0]: tuple(row[1:]) for row in rows.touched}
    for lead_id, note in rows.notes:
        parts.notes[lead_id].append(" ".join(note.split()))
    for lead_id, at, by, name, old, new, reason in rows.changes:
        parts.changes[lead_id].append(change_line(at, by, LABELS.get(name, name), old, new, reason))
    return parts


def extra_fields(value: Any) -> dict[str, str]:
    """Marketing's extra columns as stored (JSON text, or already read)."""
    if not value or value == "{}":
        return {}
    if isinstance(value, dict):
        return value
    loaded = json.loads(value)
    return loaded if isinstance(loaded, dict) else {}
