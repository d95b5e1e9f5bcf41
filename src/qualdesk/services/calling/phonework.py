"""Phone normalisation for an import, in a helper process when the file is large.

Normalising phones is most of an import's work. For a large file a helper
process (`python -m qualdesk.services.calling.phonehelper`) does it while this one
reads and checks the next rows, so the two overlap on a machine with more
than one core. The helper gets plain (raw, region, extension) tuples and
gives back phones or problems, in order. If it cannot start or dies, the
work is done here instead and the import goes on.

A plain child process rather than multiprocessing: a spawned multiprocessing
worker re-imports the caller's main module, which a script or an app that
calls the importer should not have to guard against.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import IO, Any

from qualdesk.core.phones import PhoneInput, PhoneRow, normalise_many

# Below this size starting the helper costs more than it saves.
HELPER_MIN_BYTES = 2_000_000

Result = Callable[[], list[PhoneRow | str]]


def write_frame(stream: IO[bytes], value: Any) -> None:
    """One length-prefixed pickle on a pipe."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(8, "little") + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next length-prefixed pickle on a pipe; EOFError when it closed."""
    head = stream.read(8)
    if len(head) < 8:
        raise EOFError
    size = int.from_bytes(head, "little")
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


class PhoneWork:
    """Hands out phone normalisation, to the helper process or done in place."""

    def __init__(self, use_helper: bool) -> None:
        self._helper: subprocess.Popen[bytes] | None = None
        self._results: queue.Queue[Any] = queue.Queue()
        if use_helper:
            self._start()

    def _start(self) -> None:
        try:
            self._helper = subprocess.Popen(
                [sys.executable, "-m", "qualdesk.services.calling.phonehelper"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
            )
        except OSError:
            self._helper = None
            return
        # Results are drained as they come, so neither side ever blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True, name="qualdesk-phones").start()

    def _drain(self) -> None:
        assert self._helper is not None and self._helper.stdout is not None
        try:
            while True:
                self._results.put(read_frame(self._helper.stdout))
        except (EOFError, OSError, pickle.UnpicklingError):
            self._results.put(EOFError())

    def submit(self, items: list[PhoneInput]) -> Result:
        """Start normalising; call the result, in submission order, to wait for it."""
        helper = self._helper
        if helper is None or helper.stdin is None:
            done = normalise_many(items)
            return lambda: done
        try:
            write_frame(helper.stdin, items)
        except OSError:
            self._stop()
            done = normalise_many(items)
            return lambda: done

        def result() -> list[PhoneRow | str]:
            if self._helper is None:
                return normalise_many(items)
            answer = self._results.get()
            if isinstance(answer, EOFError):
                self._stop()
                return normalise_many(items)
            return list(answer)

        return result

    def _stop(self) -> None:
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.kill()
            helper.wait()

    def close(self) -> None:
        """End the helper (it also ends by itself when this process goes)."""
        helper, self._helper = self._helper, None
        if helper is not None and helper.stdin is not None:
            with contextlib.suppress(OSError):
                helper.stdin.close()
            try:
                helper.wait(timeout=2)
            except subprocess.TimeoutExpired:
                helper.kill()
                helper.wait()
