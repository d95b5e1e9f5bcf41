"""Reading text files from other teams: encodings, hashing, byte-counted streaming.

Marketing and sales send files saved by whatever tool they had: UTF-8 with
or without a byte-order mark, UTF-16 from Excel's "Unicode text", or
Windows-1252. One streaming pass hashes the file and proves it decodes, so
a file with undecodable bytes is refused before anything is written.
"""

from __future__ import annotations

import codecs
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from qualdesk.core.errors import FileRefused

CHUNK = 1 << 20
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class TextFile:
    """A file that decodes, with its encoding, size and SHA-256."""

    path: Path
    encoding: str
    size: int
    sha256: str
    notice: str | None = None


def inspect_file(path: Path) -> TextFile:
    """Hash a file and find its encoding, refusing it if it cannot be read as text.

    Raises:
        FileRefused: missing, unreadable, empty, or with undecodable bytes.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
            size = path.stat().st_size
    except FileNotFoundError:
        raise FileRefused(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FileRefused(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise FileRefused(f"{path}: cannot read it ({exc.strerror or exc})") from None
    encoding = _encoding_from_bom(head)
    digest, failure = _hash_and_decode(path, encoding or "utf-8")
    notice = None
    if failure is not None:
        if encoding is not None:
            raise FileRefused(
                f"{path}: undecodable bytes for {encoding} at byte offset {failure:,}"
            )
        _, cp_failure = _hash_and_decode(path, "cp1252")
        if cp_failure is not None:
            raise FileRefused(
                f"{path}: undecodable bytes at byte offset {cp_failure:,} "
                "(neither UTF-8 nor Windows-1252)"
            )
        encoding = "cp1252"
        notice = f"{path.name} is not UTF-8 (at byte offset {failure:,}); read it as Windows-1252"
    encoding = encoding or "utf-8"
    if _is_blank(path, encoding):
        raise FileRefused(f"{path}: the file is empty")
    return TextFile(path, encoding, size, digest, notice)


def _encoding_from_bom(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _hash_and_decode(path: Path, encoding: str) -> tuple[str, int | None]:
    """The file's SHA-256 and the byte offset of the first undecodable byte, if any."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    offset = 0
    failure = None
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if failure is None:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    failure = offset + exc.start
            offset += len(chunk)
    if failure is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            failure = offset
    return digest.hexdigest(), failure


def _is_blank(path: Path, encoding: str) -> bool:
    with path.open(encoding=encoding) as handle:
        while chunk := handle.read(CHUNK):
            if chunk.strip("\ufeff \t\r\n\x00"):
                return False
    return True


class _CountingReader(io.RawIOBase):
    """A binary reader that remembers how many bytes it has handed out."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.consumed += len(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class TextStream:
    """A decoded, line-iterable view of a file that reports bytes read for progress."""

    def __init__(self, source: TextFile) -> None:
        self._counter = _CountingReader(source.path.open("rb"))
        self.text = io.TextIOWrapper(
            io.BufferedReader(self._counter, CHUNK), encoding=source.encoding, newline=""
        )

    @property
    def bytes_read(self) -> int:
        return self._counter.consumed

    def __enter__(self) -> TextStream:
        return self

    def __exit__(self, *_: object) -> None:
        self.text.close()
