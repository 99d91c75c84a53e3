"""A ZIP archive written as it is sent: the bytes of a download as they are compressed.

Why: an export written to a file first sends nothing until the last row is in, and a proxy
closes a request that stays silent too long (30 s behind most). Python's `zipfile` writes to an
output it cannot seek in by putting each member's sizes and CRC after its data (a "data
descriptor", general purpose flag bit 3), which every unzip tool, Excel and LibreOffice read, so
the archive can go out in pieces while it is being built, in constant memory.

    response = StreamingHttpResponse(stream_zip([("a.txt", [b"hello"]), ("b.txt", chunks)]))
"""

import zipfile
from collections.abc import Iterable, Iterator

# Hand the compressed bytes to the response in pieces of about this size.
CHUNK_BYTES = 64 * 1024


class _Sink:
    """A write-only output without `seek`: zipfile then streams (see the module's doc)."""

    def __init__(self):
        self._parts: list[bytes] = []
        self._buffered = 0
        self._position = 0

    def write(self, data) -> int:
        data = bytes(data)
        self._parts.append(data)
        self._buffered += len(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        """Nothing to flush: `take` hands the bytes on."""

    @property
    def buffered(self) -> int:
        return self._buffered

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts, self._buffered = [], 0
        return data


def stream_zip(members: Iterable[tuple[str, Iterable[bytes]]]) -> Iterator[bytes]:
    """The ZIP of `members` ((name, chunks of its content)), deflated, as byte chunks.

    Members and their chunks are read lazily, one at a time: a member's content can be a
    generator over a database cursor. Every member is deflated, PDFs too: a stored member
    followed by a data descriptor is the one combination some unzip tools cannot read."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, chunks in members:
            with archive.open(name, "w") as member:
                for chunk in chunks:
                    member.write(chunk)
                    if sink.buffered >= CHUNK_BYTES:
                        yield sink.take()
            # Each finished member goes out at once: the next may take a while (a PDF).
            yield sink.take()
    yield sink.take()  # the rest and the central directory, written when the archive closed
