"""Partial files of writers that died are swept by the next writer; live ones are not."""

from __future__ import annotations

import os
from pathlib import Path

from qualdesk.services.intake.partfiles import open_partial

NO_SUCH_PROCESS = 2**22 + 7  # above Linux's largest process id


def test_a_dead_writers_partial_file_is_swept_and_a_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "handoff [1].csv"
    dead = tmp_path / f".{target.name}.{NO_SUCH_PROCESS}.abc.part"
    dead.write_text("half a file")
    Path(f"{dead}-journal").write_text("and its journal")
    alive = tmp_path / f".{target.name}.{os.getppid()}.def.part"
    alive.write_text("another writer, still at work")
    other = tmp_path / f".other.csv.{NO_SUCH_PROCESS}.ghi.part"
    other.write_text("another target's")
    handle, partial = open_partial(target)
    os.close(handle)
    assert partial.exists() and partial.name.startswith(f".{target.name}.{os.getpid()}.")
    assert not dead.exists() and not Path(f"{dead}-journal").exists()
    assert alive.exists() and other.exists()
