"""The import's phone helper process: normalises batches of phones from stdin to stdout.

Run by qualdesk.services.calling.phonework; it ends when its stdin closes.
"""

from __future__ import annotations

import sys

from qualdesk.core.phones import normalise_many
from qualdesk.services.calling.phonework import read_frame, write_frame


def serve() -> None:
    """Answer batches until the importer closes the pipe."""
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            items = read_frame(source)
        except EOFError:
            return
        write_frame(sink, normalise_many(items))


if __name__ == "__main__":
    serve()
