"""Files that ship with qualdesk: the default desk rules and the sample leads."""

from __future__ import annotations

from pathlib import Path

import qualdesk
from qualdesk.core.errors import QualdeskError


def data_file(name: str) -> Path:
    """A file from qualdesk's data folder: installed with the package, or the checkout's."""
    package = Path(qualdesk.__file__).parent
    for folder in (package / "data", package.parents[1] / "data"):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise QualdeskError(f"qualdesk's own data file {name!r} is missing; reinstall qualdesk")
