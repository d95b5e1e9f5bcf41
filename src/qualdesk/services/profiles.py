"""What a buyer profile reads per lead, for the hand-off to sales and the one to nurture.

Four plain SQL passes on the driver's own cursor (answers, touches, call
notes, changes to the lead's details), each over every lead of the export
at once: at 100,000 leads, any per-row wrapping costs more than the SQL.
Each export says which leads with its own four statements.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from qualdesk.core.edits import LABELS
from qualdesk.core.handoff import change_line

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


def read_parts(cursor: Any, sql: Mapping[str, str], params: Mapping[str, Any]) -> LeadParts:
    """Run the export's four statements (`answers`, `touched`, `notes`, `changes`)."""
    parts = LeadParts()
    for lead_id, criterion, established, note in cursor.execute(sql["answers"], params):
        parts.answers[lead_id][criterion] = (bool(established), note)
    parts.touched = {row[0]: row[1:] for row in cursor.execute(sql["touched"], params)}
    for lead_id, note in cursor.execute(sql["notes"], params):
        parts.notes[lead_id].append(" ".join(note.split()))
    for lead_id, at, by, name, old, new, reason in cursor.execute(sql["changes"], params):
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
