"""Files written under a temporary name beside their target, then moved into place.

The temporary name carries the writing process's id, so the partial file of a
writer that was killed (kill -9, a dead laptop) is recognised and swept away
by the next writer of the same target. A process id is only known on this
machine: a partial file written from another machine into a shared folder
looks orphaned here once its process id is unused here, so a desk shared over
a network folder should not write two exports or imports there at once.
"""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path


def open_partial(target: Path) -> tuple[int, Path]:
    """Create a partial file beside `target`: (open file descriptor, its path).

    Raises:
        OSError: the folder cannot be written.
    """
    sweep(target)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".part"
    )
    return handle, Path(name)


def sweep(target: Path) -> None:
    """Remove partial files left beside `target` by writers that died mid-file."""
    for partial in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        pid = partial.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            for leftover in ("", "-journal", "-wal", "-shm"):  # a partial database's too
                Path(f"{partial}{leftover}").unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True
